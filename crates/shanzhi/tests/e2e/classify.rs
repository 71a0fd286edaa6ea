//! `shanzhi classify train|eval|retrain` as a user runs them: a labelled
//! file the test writes (GB18030 for training, UTF-8 for evaluation) from
//! the shipped categories' keywords with noise, the printed measures, the
//! refusals, and retraining from a store's closed matters.

use std::path::Path;
use std::process::Output;

use shanzhi_app::matters::seed::shipped_categories;
use shanzhi_domain::MatterState;
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::TestApp;

use crate::support::{shanzhi, text};

const PLACES: [&str; 4] = ["春熙路", "玉林北路", "府南河边", "双林小区"];
const TAILS: [&str; 3] = ["，麻烦尽快处理。", "，好几天了。", "，居民意见很大。"];

/// `n` labelled rows over eight categories of uneven frequency: each text has
/// one or two of its category's keywords, a place, a tail, and one time in
/// four a keyword of another category.
fn rows(seed: u64, n: usize) -> Vec<(String, String)> {
    let kinds: Vec<(String, Vec<String>)> = shipped_categories()
        .into_iter()
        .filter(|c| c.keywords.len() >= 2)
        .take(8)
        .map(|c| (c.name, c.keywords))
        .collect();
    let mut x = seed;
    let mut roll = |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m as u64) as usize
    };
    (0..n)
        .map(|_| {
            let k = roll(kinds.len()).min(roll(kinds.len()) + 2);
            let (label, words) = &kinds[k];
            let mut t = format!("{}{}", PLACES[roll(4)], words[roll(words.len())]);
            if roll(2) == 0 {
                t.push_str(&words[roll(words.len())]);
            }
            if roll(4) == 0 {
                let other = &kinds[roll(kinds.len())].1;
                t.push_str(&other[roll(other.len())]);
            }
            t.push_str(TAILS[roll(3)]);
            (t, label.clone())
        })
        .collect()
}

fn csv(rows: &[(String, String)]) -> String {
    let mut out = "编号,诉求内容,类别\n".to_owned();
    for (i, (t, l)) in rows.iter().enumerate() {
        out.push_str(&format!("{i},\"{t}\",{l}\n"));
    }
    out
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    shanzhi(cwd).args(args).output().expect("run shanzhi")
}

/// The number printed after `key` (e.g. "(accuracy)").
fn measure(out: &str, key: &str) -> f64 {
    let line = out.lines().find(|l| l.contains(key)).unwrap_or_else(|| panic!("no {key} in {out}"));
    line.rsplit(':').next().and_then(|v| v.trim().parse().ok()).unwrap_or_else(|| panic!("a number: {line}"))
}

#[test]
fn train_and_eval_print_the_measures_and_refuse_bad_files() {
    let cwd = tempfile::tempdir().expect("cwd");
    let dir = cwd.path();
    let train = csv(&rows(7, 900));
    let (gb, _, _) = encoding_rs::GB18030.encode(&train);
    assert!(std::str::from_utf8(&gb).is_err(), "really GB18030 bytes");
    std::fs::write(dir.join("train.csv"), &gb).expect("write");
    let test = rows(99, 300);
    std::fs::write(dir.join("test.csv"), csv(&test)).expect("write");

    let out = run(dir, &["classify", "train", "train.csv", "--text", "诉求内容", "--label", "类别", "--out", "m.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("已训练：900 条文本，8 类"), "{}", text(&out.stdout));

    let out = run(dir, &["classify", "eval", "test.csv", "--text", "诉求内容", "--label", "类别", "--model", "m.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let (accuracy, macro_f1) = (measure(&printed, "(accuracy)"), measure(&printed, "(macro-F1)"));
    let majority = measure(&printed, "(majority baseline)");
    assert!(accuracy > 0.85 && accuracy > majority + 0.4, "accuracy {accuracy}, majority {majority}");
    assert!(macro_f1 > 0.8, "macro-F1 {macro_f1}");
    let without = measure(&printed, "(without suggestion");
    assert!((0.0..0.5).contains(&without), "{without}");
    for label in test.iter().map(|(_, l)| l) {
        assert!(printed.lines().any(|line| line.starts_with(label.as_str())), "a row for {label}: {printed}");
    }

    // Refusals, each naming what is wrong in Chinese and English.
    let fails = |args: &[&str], zh: &str, en: &str| {
        let out = run(dir, args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = text(&out.stderr);
        assert!(err.contains(zh) && err.contains(en), "{args:?}: {err}");
    };
    fails(
        &["classify", "train", "test.csv", "--text", "内容", "--label", "类别", "--out", "x.json"],
        "表头中没有“内容”列",
        "no column",
    );
    std::fs::write(dir.join("holes.csv"), "诉求内容,类别\n路灯不亮,市容\n井盖破损,\n").expect("write");
    fails(
        &["classify", "train", "holes.csv", "--text", "诉求内容", "--label", "类别", "--out", "x.json"],
        "第 3 行",
        "the label is missing",
    );
    std::fs::write(dir.join("one.csv"), "诉求内容,类别\n路灯不亮,市容\n井盖破损,市容\n").expect("write");
    fails(
        &["classify", "train", "one.csv", "--text", "诉求内容", "--label", "类别", "--out", "x.json"],
        "至少需要两类",
        "at least two labels",
    );
    std::fs::write(dir.join("binary.csv"), b"\x00\x01\x02").expect("write");
    fails(&["classify", "train", "binary.csv", "--text", "a", "--label", "b", "--out", "x.json"], "二进制", "binary");
    std::fs::write(dir.join("bad.json"), "{\"format\": 1, \"labels\": []}").expect("write");
    let eval = ["classify", "eval", "test.csv", "--text", "诉求内容", "--label", "类别", "--model"];
    fails(&[&eval[..], &["bad.json"]].concat(), "模型文件无效", "invalid model file");
    fails(&[&eval[..], &["missing.json"]].concat(), "无法读取模型", "cannot read the model");
    assert!(!dir.join("x.json").exists(), "no model written by a refused training");
}

#[tokio::test]
async fn retrain_learns_from_the_closed_matters_of_the_store() {
    let t = TestApp::new().with_grid().with_categories().start().await;
    assert!(t.operator().generate_demo_matters(150, 5).await.expect("demo") > 0);
    let query = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        states: vec![MatterState::Closed, MatterState::Rated],
        limit: 10_000,
        ..MatterQuery::default()
    };
    let closed = t.store().matters(&query).await.expect("matters").len();
    assert!(closed > 20, "the demo closes some: {closed}");
    let cwd = tempfile::tempdir().expect("cwd");
    let out = shanzhi(cwd.path()).args(["classify", "retrain"]).args(&t.db().cli_args).output().expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains(&format!("已从 {closed} 件已结事项学习")), "{printed}");
    // In the data directory: the one given, else ./shanzhi-data.
    let data_dir = match t.db().cli_args.as_slice() {
        [flag, dir, ..] if flag == "--data-dir" => Path::new(dir).to_path_buf(),
        _ => cwd.path().join("shanzhi-data"),
    };
    let bytes = std::fs::read(data_dir.join("dispatch-model.json")).expect("the model file");
    let model = shanzhi_app::classify::DispatchModel::from_json(&bytes).expect("a valid model");
    assert_eq!(model.matters, closed);
    assert!(model.categories.is_some_and(|c| c.labels.len() > 1));
}
