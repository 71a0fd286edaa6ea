//! Targets for smart dispatch (智能分拨): labelled files for `shanzhi
//! classify` and the model file it writes.

use shanzhi_app::classify::read_labelled;
use shanzhi_app::table::TableLimits;
use shanzhi_domain::classify::{MAX_TEXT_CHARS, Model, TOP_WORDS, TrainOptions, train};

/// Texts each model is asked about.
const PROBES: [&str; 4] = ["", "井盖破损", "Ａ市 ＡＢＣ 噪音扰民，请尽快处理", "§"];

/// A model answers with one of its labels, a probability, a few words of the text.
fn answers(model: Model) {
    let labels = model.labels.clone();
    let p = model.predictor();
    for text in PROBES {
        for r in p.ranked(text, 3) {
            assert!(labels.contains(&r.label), "an unknown label {}", r.label);
            assert!((0.0..=1.0).contains(&r.confidence), "confidence {}", r.confidence);
            assert!(r.words.len() <= TOP_WORDS, "{} words", r.words.len());
            assert!(r.words.iter().all(|w| !w.is_empty() && w.chars().count() <= 3), "{:?}", r.words);
        }
    }
}

/// `read_labelled` on a CSV with columns `text` and `label`; a small
/// accepted file is trained on (one pass), and its model read back.
pub fn labelled_csv(data: &[u8]) {
    let limits = TableLimits::LABELLED;
    match read_labelled(data, "texts.csv", "text", "label") {
        Ok(rows) => {
            assert!(!rows.is_empty() && rows.len() <= limits.max_rows, "{} rows", rows.len());
            for (t, l) in &rows {
                assert!(!t.is_empty() && !l.is_empty(), "an empty text or label");
                assert!(t.chars().count() <= limits.max_cell_chars && l.chars().count() <= limits.max_cell_chars);
            }
            if rows.len() <= 50 && rows.iter().all(|(t, _)| t.chars().count() <= MAX_TEXT_CHARS) {
                let options = TrainOptions { epochs: 1, ..TrainOptions::default() };
                if let Ok(model) = train(&rows, &options) {
                    let read = Model::from_json(&model.to_json()).expect("a trained model reads back");
                    assert!(read == model, "the model file round trip");
                    answers(model);
                }
            }
        }
        Err(r) => assert!(!r.problems.is_empty(), "a refusal without a problem"),
    }
}

/// `Model::from_json`: an accepted model writes back as itself and answers.
pub fn classify_model(data: &[u8]) {
    if let Ok(model) = Model::from_json(data) {
        let again = Model::from_json(&model.to_json()).expect("written back, read again");
        assert!(again == model, "the model file round trip");
        answers(model);
    }
}
