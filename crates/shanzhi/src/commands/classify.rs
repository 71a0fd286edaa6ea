//! `shanzhi classify train|eval|retrain`: the smart-dispatch classifier on
//! anyone's labelled file, and the platform's model from its closed matters.

use shanzhi_app::AppError;
use shanzhi_app::classify::{read_bounded, read_labelled};
use shanzhi_app::table::TableLimits;
use shanzhi_domain::classify::{Evaluation, MAX_MODEL_BYTES, Model, TrainOptions, evaluate, train as fit};
use shanzhi_domain::text::Bilingual;

use crate::cli::{ClassifyEvalArgs, ClassifyTrainArgs, LabelledArgs};
use crate::config::Config;

fn examples(args: &LabelledArgs) -> anyhow::Result<Vec<(String, String)>> {
    let bytes = read_bounded(&args.file, &TableLimits::LABELLED).map_err(AppError::ImportRejected)?;
    let name = args.file.display().to_string();
    Ok(read_labelled(&bytes, &name, &args.text, &args.label).map_err(AppError::ImportRejected)?)
}

fn refused(message: Bilingual) -> anyhow::Error {
    AppError::invalid("classify", message).into()
}

/// `shanzhi classify train FILE --text C --label C --out MODEL`.
pub fn train(args: &ClassifyTrainArgs) -> anyhow::Result<()> {
    let data = examples(&args.data)?;
    let options = TrainOptions {
        seed: args.seed,
        epochs: usize::from(args.epochs),
        threshold: args.threshold,
        max_features: args.max_features as usize,
        max_n: usize::from(args.max_n),
        l2: args.l2,
        average: args.average,
        ..TrainOptions::default()
    };
    let model = fit(&data, &options).map_err(refused)?;
    let tmp = args.out.with_extension("tmp");
    std::fs::write(&tmp, model.to_json()).and_then(|()| std::fs::rename(&tmp, &args.out)).map_err(|e| {
        refused(Bilingual::new(
            format!("无法写入模型 {}：{e}", args.out.display()),
            format!("cannot write the model {}: {e}", args.out.display()),
        ))
    })?;
    println!(
        "已训练：{} 条文本，{} 类，{} 个字符片段 (trained on {} texts, {} labels, {} n-grams) → {}",
        data.len(),
        model.labels.len(),
        model.vocab.len(),
        data.len(),
        model.labels.len(),
        model.vocab.len(),
        args.out.display()
    );
    Ok(())
}

/// `shanzhi classify eval FILE --text C --label C --model MODEL`.
pub fn eval(args: &ClassifyEvalArgs) -> anyhow::Result<()> {
    let size = std::fs::metadata(&args.model).map(|m| m.len()).map_err(|e| {
        refused(Bilingual::new(
            format!("无法读取模型 {}：{e}", args.model.display()),
            format!("cannot read the model {}: {e}", args.model.display()),
        ))
    })?;
    if size > MAX_MODEL_BYTES as u64 {
        return Err(refused(Bilingual::new(
            format!("模型文件过大：上限 {} MiB", MAX_MODEL_BYTES >> 20),
            format!("the model file is too large: at most {} MiB", MAX_MODEL_BYTES >> 20),
        )));
    }
    let bytes = std::fs::read(&args.model)?;
    let model = Model::from_json(&bytes).map_err(refused)?;
    let threshold = model.threshold;
    let data = examples(&args.data)?;
    let predictor = model.predictor();
    let results: Vec<_> = data
        .into_iter()
        .map(|(text, truth)| {
            let p = predictor.predict(&text);
            let shown = p.as_ref().is_some_and(|p| p.suggested);
            (truth, p.map(|p| p.label), shown)
        })
        .collect();
    print!("{}", report(&evaluate(&results), threshold));
    Ok(())
}

/// The evaluation as printed.
fn report(e: &Evaluation, threshold: f32) -> String {
    let mut out = format!(
        "样本 (examples): {}\n\
         准确率 (accuracy): {:.4}\n\
         宏平均 F1 (macro-F1): {:.4}\n\
         无建议占比 (without suggestion, confidence < {threshold:.2}): {:.4}\n\
         有建议时准确率 (accuracy when suggested): {:.4}\n\
         多数类基线 (majority baseline): {:.4}\n\n\
         {:<24}\t精确率 precision\t召回率 recall\tF1\t样本数 support\n",
        e.examples,
        e.accuracy,
        e.macro_f1,
        e.without_suggestion,
        e.accuracy_suggested,
        e.majority_baseline,
        "类别 (label)"
    );
    for c in &e.classes {
        out.push_str(&format!("{:<24}\t{:.4}\t{:.4}\t{:.4}\t{}\n", c.label, c.precision, c.recall, c.f1, c.support));
    }
    out
}

/// `shanzhi classify retrain`.
pub async fn retrain(config: &Config) -> anyhow::Result<()> {
    let r = super::as_operator(config, async |op| op.retrain_dispatch().await).await?;
    println!(
        "已从 {} 件已结事项学习：{} 个分类，{} 条承办记录 (learned from {} closed matters: {} categories, {} unit counts) → {}",
        r.matters,
        r.categories,
        r.units,
        r.matters,
        r.categories,
        r.units,
        r.path.display()
    );
    Ok(())
}
