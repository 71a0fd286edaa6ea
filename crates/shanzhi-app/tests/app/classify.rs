//! Smart dispatch (智能分拨) in the platform: before a model is trained the
//! keyword rules and the duty list answer; `retrain_dispatch` learns from
//! the closed matters, and then a report gets the categories its words point
//! to (with confidence and reasons) and the unit that handled most closed
//! matters of its category in its community.

use shanzhi_app::matters::{IntakeRequest, SuggestionSource};
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, grid_feature, rect};

/// (category, texts): what residents of 总府路社区 wrote about each.
const HISTORY: [(&str, [&str; 4]); 3] = [
    (
        "0110",
        ["路面坑洼积水，车辆颠簸", "井盖破损松动，晚上看不清", "人行道地砖翘起破损", "马路上一个大坑，电瓶车摔倒了"],
    ),
    (
        "0116",
        [
            "饭馆排烟管道冒黑烟，熏得不敢开窗",
            "烧烤店油烟直排居民楼",
            "餐馆排烟味道很大，一到饭点就熏人",
            "楼下串串店黑烟滚滚",
        ],
    ),
    ("0108", ["楼道里堆着旧沙发没人管", "路边扔了两个破床垫", "废旧家具堆在小区门口", "有人把旧衣柜丢在人行道上"]),
];

fn report(category: &str, description: &str) -> IntakeRequest {
    IntakeRequest {
        category: category.to_owned(),
        lng: Some(104.072),
        lat: Some(30.652),
        description: description.to_owned(),
        ..IntakeRequest::default()
    }
}

#[tokio::test]
async fn closed_matters_teach_the_categories_and_the_units() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("model").join("dispatch-model.json");
    let t = TestApp::new()
        .with_features(vec![
            grid_feature("510104022006000", "master", None, rect(104.07, 30.65, 104.08, 30.66)),
            grid_feature("510104022006001", "general", None, rect(104.07, 30.65, 104.075, 30.66)),
        ])
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_department("510104-shuiwu", "锦江区水务局")
        .with_accounts(&[("resident", Role::Resident, None)])
        .with_dispatch_model(path.clone())
        .start()
        .await;
    let resident = t.scoped(t.actor("resident").await);
    let smoke = "楼下饭馆排烟管道天天冒黑烟";

    // No model yet: keywords (none of 油烟污染's is in the text) and the duty list.
    let before = resident.intake(report("0110", "井盖破损")).await.expect("report");
    assert_eq!(before.suggested_categories.first().map(|h| h.code.as_str()), Some("0110"));
    assert_eq!(before.suggested_categories[0].confidence, None, "a keyword match has no confidence");
    let duty = before.suggestion.expect("the duty list names a unit");
    assert_eq!((duty.source, duty.name.as_str()), (SuggestionSource::DutyList, "锦江区城管局"));
    let vague = resident.intake(report("12345.fanying", smoke)).await.expect("report");
    assert!(vague.suggested_categories.is_empty(), "no keyword: {:?}", vague.suggested_categories);

    // History: 道路破损 went to the water authority three times in four.
    for (category, texts) in HISTORY {
        for (i, text) in texts.iter().enumerate() {
            let m = resident.intake(report(category, text)).await.expect("report").matter;
            let unit = if category == "0110" && i > 0 { "510104-shuiwu" } else { "510104-chengguan" };
            t.close_matter_by(&m.id, unit).await;
        }
    }
    let trained = t.operator().retrain_dispatch().await.expect("retrain");
    assert_eq!((trained.matters, trained.categories), (12, 3), "12 closed matters of 3 categories");
    assert!(path.is_file());

    let after = resident.intake(report("12345.fanying", smoke)).await.expect("report");
    let hint = after.suggested_categories.first().expect("the model points to a category");
    assert_eq!((hint.code.as_str(), hint.name.as_str()), ("0116", "油烟污染"));
    assert!(hint.confidence.is_some_and(|c| c >= 0.4), "{hint:?}");
    assert!(hint.words.iter().any(|w| smoke.contains(w.as_str())), "its reasons are words of the text: {hint:?}");

    let road = resident.intake(report("0110", "小区门口路面塌陷")).await.expect("report");
    let unit = road.suggestion.expect("a unit");
    assert_eq!((unit.source, unit.name.as_str()), (SuggestionSource::History, "锦江区水务局"));
    assert_eq!(unit.confidence, Some(0.75), "three of the four closed");
    assert!(unit.basis.expect("basis").zh.contains("本社区同类已结事项 4 件"));
    // The page a dispatcher opens shows the same.
    let page = t.operator().scoped("test").matter_screen(&after.matter.id).await.expect("page");
    assert_eq!(page.category_hints.first().map(|h| h.code.as_str()), Some("0116"));

    // A damaged model file is not used: the rules answer again.
    std::fs::write(&path, b"{\"format\": 1}").expect("overwrite");
    let fallback = resident.intake(report("0110", "小区门口路面破损")).await.expect("report");
    assert_eq!(fallback.suggestion.map(|s| s.source), Some(SuggestionSource::DutyList));
    assert_eq!(fallback.suggested_categories.first().map(|h| h.confidence), Some(None));
}
