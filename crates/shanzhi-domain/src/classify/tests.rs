use super::*;

/// Seven kinds of complaint, each with its own words; every text also has
/// a place, filler shared by all kinds and, one time in four, a word of
/// another kind, so that no single word decides.
const KINDS: [(&str, [&str; 6]); 7] = [
    ("市容", ["占道经营", "乱堆乱放", "广告牌", "垃圾桶满", "井盖破损", "路灯不亮"]),
    ("环保", ["油烟扰民", "污水直排", "噪音扰民", "焚烧秸秆", "扬尘污染", "河道发臭"]),
    ("交通", ["乱停车", "红绿灯坏", "公交晚点", "占用盲道", "堵车严重", "车辆违停"]),
    ("物业", ["电梯故障", "物业费", "楼道漏水", "小区门禁", "停车位", "维修基金"]),
    ("劳动", ["拖欠工资", "社保断缴", "劳动合同", "加班费", "工伤认定", "辞退补偿"]),
    ("教育", ["学位紧张", "校车安全", "课外培训", "食堂卫生", "入学报名", "乱收费"]),
    ("治安", ["打架斗殴", "电信诈骗", "消防通道", "偷盗电瓶车", "可疑人员", "深夜喧哗"]),
];
const PLACES: [&str; 5] = ["总府路", "春熙路", "玉林小区", "双楠街道", "府河边"];
const FILLER: [&str; 4] = ["请尽快处理", "已经好几天了", "希望有关部门管一管", "居民反映强烈"];

fn examples(seed: u64, n: usize) -> Vec<(String, String)> {
    let mut x = seed;
    let mut next = |m: usize| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) as usize) % m
    };
    (0..n)
        .map(|_| {
            // Uneven: the first kinds are more frequent.
            let kind = (next(7) + next(7) * usize::from(next(3) == 0)) % 7;
            let (label, words) = KINDS[kind];
            let mut text = format!("{}附近{}", PLACES[next(5)], words[next(6)]);
            if next(2) == 0 {
                text.push_str(words[next(6)]);
            }
            if next(4) == 0 {
                text.push_str(KINDS[next(7)].1[next(6)]);
            }
            text.push('，');
            text.push_str(FILLER[next(4)]);
            (text, label.to_owned())
        })
        .collect()
}

fn run(model: &Model, test: &[(String, String)]) -> Evaluation {
    let p = model.clone().predictor();
    let results: Vec<_> = test
        .iter()
        .map(|(t, l)| {
            let pr = p.predict(t);
            (l.clone(), pr.as_ref().map(|p| p.label.clone()), pr.is_some_and(|p| p.suggested))
        })
        .collect();
    evaluate(&results)
}

#[test]
fn it_learns_the_kinds_well_above_the_majority_baseline() {
    let train_set = examples(1, 1200);
    let test = examples(2, 400);
    let model = train(&train_set, &TrainOptions::default()).expect("train");
    let e = run(&model, &test);
    assert!(e.accuracy > 0.85, "accuracy {}", e.accuracy);
    assert!(e.accuracy > e.majority_baseline + 0.5, "{} vs majority {}", e.accuracy, e.majority_baseline);
    assert!(e.macro_f1 > 0.8, "macro-F1 {}", e.macro_f1);
    assert_eq!(e.classes.len(), 7);
    assert!(e.accuracy_suggested >= e.accuracy, "a confident suggestion is right more often");
}

#[test]
fn a_suggestion_names_the_words_that_made_it() {
    let model = train(&examples(3, 800), &TrainOptions::default()).expect("train").predictor();
    let p = model.predict("府河边拖欠工资三个月了，请尽快处理").expect("known n-grams");
    assert_eq!(p.label, "劳动");
    assert!(p.suggested && p.confidence > 0.5, "{p:?}");
    assert!(p.words.iter().any(|w| "拖欠工资".contains(w.as_str())), "the reason is in 拖欠工资: {:?}", p.words);
    assert!(!p.words.iter().any(|w| "请尽快处理".contains(w.as_str())), "filler is no reason: {:?}", p.words);
    // A text of n-grams the model never saw gets nothing.
    assert_eq!(model.predict("§§§"), None);
    // Text shared by every kind is no basis for a suggestion.
    let vague = model.predict("请尽快处理").expect("known");
    assert!(!vague.suggested, "{vague:?}");
}

#[test]
fn training_is_deterministic_and_the_file_round_trips() {
    let data = examples(4, 300);
    let a = train(&data, &TrainOptions::default()).expect("train");
    let b = train(&data, &TrainOptions::default()).expect("train");
    assert!(a == b, "same data, same seed, same model");
    let read = Model::from_json(&a.to_json()).expect("read back");
    assert!(read == a, "read back as written");
    let other = train(&data, &TrainOptions { seed: 5, ..TrainOptions::default() }).expect("train");
    assert_ne!(other.weights, a.weights, "the seed orders the examples");
}

#[test]
fn a_bad_model_file_is_refused() {
    let model = train(&examples(6, 100), &TrainOptions::default()).expect("train");
    let mut json: serde_json::Value = serde_json::from_slice(&model.to_json()).expect("json");
    assert!(Model::from_json(b"{").is_err());
    assert!(Model::from_json(b"[1,2,3]").is_err());
    json["weights"].as_array_mut().expect("array").pop();
    let e = Model::from_json(json.to_string().as_bytes()).expect_err("short weights");
    assert!(e.zh.contains("模型文件无效") && e.en.contains("weights"), "{e}");
    let mut json: serde_json::Value = serde_json::from_slice(&model.to_json()).expect("json");
    json["threshold"] = serde_json::json!(2.0);
    assert!(Model::from_json(json.to_string().as_bytes()).is_err());
    let big = vec![b' '; MAX_MODEL_BYTES + 1];
    assert!(Model::from_json(&big).expect_err("too big").en.contains("MiB"));
}

#[test]
fn training_needs_two_labels() {
    let one = vec![("路灯不亮".to_owned(), "市容".to_owned()), ("井盖".to_owned(), "市容".to_owned())];
    assert!(train(&one, &TrainOptions::default()).is_err());
    assert!(train(&[], &TrainOptions::default()).is_err());
    let blank = vec![("a".to_owned(), " ".to_owned()), ("b".to_owned(), "x".to_owned())];
    assert!(train(&blank, &TrainOptions::default()).is_err());
}

#[test]
fn macro_f1_matches_a_confusion_worked_by_hand() {
    // Truth → prediction: a→a ×2, a→b, b→b, b→None, c→a.
    // a: tp 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3.
    // b: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2.
    // c: tp 0, predicted 0, support 1 → F1 0.  Macro-F1 = (2/3 + 1/2 + 0) / 3 = 7/18.
    let r = |t: &str, p: Option<&str>| (t.to_owned(), p.map(str::to_owned), p.is_some());
    let results =
        [r("a", Some("a")), r("a", Some("a")), r("a", Some("b")), r("b", Some("b")), r("b", None), r("c", Some("a"))];
    let e = evaluate(&results);
    assert!((e.macro_f1 - 7.0 / 18.0).abs() < 1e-12, "{}", e.macro_f1);
    assert!((e.accuracy - 3.0 / 6.0).abs() < 1e-12);
    assert!((e.without_suggestion - 1.0 / 6.0).abs() < 1e-12);
    assert!((e.majority_baseline - 0.5).abs() < 1e-12);
    let a = &e.classes[0];
    assert_eq!((a.label.as_str(), a.support), ("a", 3));
    assert!((a.precision - 2.0 / 3.0).abs() < 1e-12 && (a.recall - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(e.classes[2].f1, 0.0);
}

#[test]
fn the_vocabulary_holds_the_n_grams_asked_for() {
    let data = examples(8, 300);
    let four = train(&data, &TrainOptions { max_n: 4, ..TrainOptions::default() }).expect("train");
    assert_eq!((four.format, four.max_n), (FORMAT, 4));
    let longest = four.vocab.iter().map(|g| g.chars().count()).max();
    assert_eq!(longest, Some(4), "four-character n-grams such as 拖欠工资 are features");
    assert_eq!(train(&data, &TrainOptions::default()).expect("train").max_n, DEFAULT_N);
    let three = train(&data, &TrainOptions { max_n: 3, ..TrainOptions::default() }).expect("train");
    assert!(three.vocab.iter().all(|g| g.chars().count() <= 3));
    assert!(three.vocab.len() < four.vocab.len());
}

#[test]
fn a_format_1_file_still_loads_and_answers_alike() {
    let model = train(&examples(9, 300), &TrainOptions { max_n: 3, ..TrainOptions::default() }).expect("train");
    let mut json: serde_json::Value = serde_json::from_slice(&model.to_json()).expect("json");
    json["format"] = serde_json::json!(1);
    json.as_object_mut().expect("object").remove("max_n");
    let old = Model::from_json(json.to_string().as_bytes()).expect("a format-1 file loads");
    assert_eq!(old.max_n, 3, "format 1 meant n-grams of one to three characters");
    let (a, b) = (model.predictor(), old.predictor());
    for (text, _) in examples(10, 50) {
        assert_eq!(a.predict(&text), b.predict(&text), "{text}");
    }
}

#[test]
fn an_unknown_format_or_n_gram_length_is_refused_in_both_languages() {
    let model = train(&examples(11, 200), &TrainOptions { max_n: 4, ..TrainOptions::default() }).expect("train");
    let json: serde_json::Value = serde_json::from_slice(&model.to_json()).expect("json");
    let with = |key: &str, value: serde_json::Value| {
        let mut j = json.clone();
        j[key] = value;
        Model::from_json(j.to_string().as_bytes())
    };
    let e = with("format", serde_json::json!(FORMAT + 1)).expect_err("a newer format");
    assert!(e.zh.contains("格式版本") && e.zh.contains("重新训练") && e.en.contains("unsupported"), "{e}");
    let e = with("max_n", serde_json::json!(MAX_N + 1)).expect_err("n-grams too long");
    assert!(e.zh.contains("字符片段长度") && e.en.contains("n-gram length"), "{e}");
    // Four-character n-grams in a file that says three.
    assert!(with("max_n", serde_json::json!(3)).is_err());
    // A format-1 file with four-character n-grams was never written.
    let mut j = json.clone();
    j["format"] = serde_json::json!(1);
    j.as_object_mut().expect("object").remove("max_n");
    assert!(Model::from_json(j.to_string().as_bytes()).is_err());
}

#[test]
fn averaging_keeps_what_the_last_pass_learned() {
    let train_set = examples(12, 1200);
    let test = examples(13, 400);
    let last = train(&train_set, &TrainOptions::default()).expect("train");
    let averaged = train(&train_set, &TrainOptions { average: true, ..TrainOptions::default() }).expect("train");
    assert_ne!(last.weights, averaged.weights, "averaging changes the weights");
    let (a, b) = (run(&last, &test), run(&averaged, &test));
    assert!(b.accuracy >= a.accuracy - 0.01, "averaged {} against last pass {}", b.accuracy, a.accuracy);
    assert!(b.accuracy > 0.85, "{}", b.accuracy);
}
