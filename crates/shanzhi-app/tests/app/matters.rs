//! The matter engine end to end through the use cases, on the backend chosen
//! by SHANZHI_TEST_BACKEND: the full loop with the right roles, every side
//! flow, the guards, bad input, idempotency, the hotline import and the
//! timeline's hash chain.

use serde_json::json;
use shanzhi_app::AppError;
use shanzhi_app::access::{Actor, CityDesk, DispatchDesk};
use shanzhi_app::matters::MatterFilter;
use shanzhi_app::matters::{IntakeRequest, verify_matter_chains};
use shanzhi_domain::{MatterState, Role};
use shanzhi_geo::Crs;
use shanzhi_testkit::{TestApp, grid_feature, rect};

/// 总府路社区 (two general grids, one micro-grid) and 水井坊 (outside some scopes).
async fn world() -> TestApp {
    let features = vec![
        grid_feature("510104022006000", "master", None, rect(104.07, 30.65, 104.08, 30.66)),
        grid_feature("510104022006001", "general", None, rect(104.07, 30.65, 104.075, 30.66)),
        grid_feature("510104022006002", "general", None, rect(104.075, 30.65, 104.08, 30.66)),
        grid_feature("510104022006003", "micro", Some("510104022006001"), rect(104.07, 30.65, 104.075, 30.655)),
        grid_feature("510104017001000", "master", None, rect(104.09, 30.65, 104.10, 30.66)),
        grid_feature("510104017001001", "general", None, rect(104.09, 30.65, 104.10, 30.66)),
    ];
    TestApp::new()
        .with_features(features)
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_department("510104-shuiwu", "锦江区水务局")
        .with_accounts(&[
            ("resident", Role::Resident, None),
            ("dispatcher", Role::Dispatcher, Some("510104022")),
            ("other_dispatcher", Role::Dispatcher, Some("510104017")),
            ("district_dispatcher", Role::Dispatcher, Some("510104")),
            ("community", Role::CommunityWorker, Some("510104022006")),
            ("gridder", Role::GridWorker, Some("510104022006001")),
            ("handler", Role::DeptHandler, Some("510104-chengguan")),
            ("water", Role::DeptHandler, Some("510104-shuiwu")),
            ("supervisor", Role::Supervisor, Some("5101")),
        ])
        .start()
        .await
}

fn report(category: &str, lng: f64, lat: f64) -> IntakeRequest {
    IntakeRequest {
        category: category.to_owned(),
        lng: Some(lng),
        lat: Some(lat),
        description: "总府路 2 号门口井盖破损，晚上看不清，很危险。".to_owned(),
        ..IntakeRequest::default()
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

#[tokio::test]
async fn one_matter_goes_round_the_whole_loop() {
    let app = world().await;
    let resident = app.scoped(app.actor("resident").await);
    let answer = resident.intake(report("0110", 104.072, 30.652)).await.expect("report");
    assert!(answer.created);
    let m = answer.matter;
    assert_eq!((m.state, m.grid.as_str(), m.channel.as_str()), (MatterState::Reported, "510104022006003", "api"));
    assert!(m.number.starts_with("510104-") && m.number.ends_with("-000001"), "{}", m.number);
    assert!(m.deadline_at.is_some(), "the first stage has a deadline");
    let hints: Vec<_> = answer.suggested_categories.iter().map(|h| h.code.as_str()).collect();
    assert_eq!(hints.first(), Some(&"0110"), "井盖 and 破损 point to 道路破损: {hints:?}");
    let suggestion = answer.suggestion.expect("the duty list names a unit");
    assert_eq!(
        serde_json::to_value(&suggestion.assignee).expect("json"),
        json!({"kind": "department", "code": "510104-chengguan"})
    );

    app.command_as("dispatcher", &m.id, "accept", json!({})).await.expect("accept");
    app.command_as("dispatcher", &m.id, "dispatch", json!({"to": {"kind": "department", "code": "510104-chengguan"}}))
        .await
        .expect("dispatch");
    app.command_as("handler", &m.id, "sign", json!({})).await.expect("sign");
    let handler = app.scoped(app.actor("handler").await);
    let photo = handler.upload(PNG).await.expect("photo");
    let responded = handler
        .command(&m.id, "respond", json!({"text": "已更换井盖", "attachments": [photo.id]}))
        .await
        .expect("respond");
    assert_eq!(responded.state, MatterState::Responded);
    app.command_as("gridder", &m.id, "verify", json!({"passed": true, "note": "现场核查合格"})).await.expect("verify");
    let rated = app.command_as("resident", &m.id, "rate", json!({"rating": "satisfied"})).await.expect("rate");
    assert_eq!((rated.state, rated.allowed_commands.len()), (MatterState::Rated, 0));

    let timeline = resident.timeline(&m.number).await.expect("timeline by number");
    let commands: Vec<_> = timeline.iter().map(|e| e.command.as_str()).collect();
    assert_eq!(commands, ["report", "accept", "dispatch", "sign", "respond", "verify", "rate"]);
    assert_eq!(timeline[4].attachments, std::slice::from_ref(&photo.id));
    assert_eq!(resident.attachment(&photo.id).await.expect("the reporter sees the photo").1, PNG);
    let v = verify_matter_chains(&app).await.expect("verify");
    assert_eq!((v.matters, v.events, v.broken.len()), (1, 7, 0));
}

#[tokio::test]
async fn every_side_flow_does_what_it_says() {
    let app = world().await;
    let new = || async {
        app.scoped(app.actor("resident").await).intake(report("0110", 104.072, 30.652)).await.expect("report").matter.id
    };
    let to_dept = json!({"to": {"kind": "department", "code": "510104-chengguan"}});

    // reject
    let a = new().await;
    assert_eq!(
        app.command_as("dispatcher", &a, "reject", json!({"reason": "非本辖区"})).await.expect("reject").state,
        MatterState::Rejected
    );

    // return and re-dispatch, extend (approve, deny), park and resume, rework, unsatisfied → reopen
    let b = new().await;
    app.command_as("dispatcher", &b, "accept", json!({})).await.expect("accept");
    app.command_as("dispatcher", &b, "dispatch", to_dept.clone()).await.expect("dispatch");
    let returned = app.command_as("handler", &b, "return", json!({"reason": "属于水务"})).await.expect("return");
    assert_eq!((returned.state, returned.returns), (MatterState::Filed, 1));
    app.command_as("dispatcher", &b, "dispatch", to_dept.clone()).await.expect("re-dispatch");
    app.command_as("handler", &b, "sign", json!({})).await.expect("sign");
    app.command_as("handler", &b, "extend", json!({"hours": 24, "reason": "等配件"})).await.expect("ask");
    let extended = app.command_as("dispatcher", &b, "approve_extension", json!({})).await.expect("approve");
    assert_eq!(extended.extension_requested, None);
    app.command_as("handler", &b, "extend", json!({"hours": 240, "reason": "再等等"})).await.expect("ask again");
    app.command_as("dispatcher", &b, "deny_extension", json!({"reason": "时间过长"})).await.expect("deny");
    app.command_as("handler", &b, "park", json!({"reason": "需列入改造计划"})).await.expect("park");
    assert_eq!(
        app.command_as("dispatcher", &b, "approve_park", json!({})).await.expect("approve").state,
        MatterState::Parked
    );
    app.command_as("dispatcher", &b, "resume", json!({})).await.expect("resume");
    app.command_as("handler", &b, "respond", json!({"text": "已处理"})).await.expect("respond");
    let rework =
        app.command_as("community", &b, "verify", json!({"passed": false, "note": "没修好"})).await.expect("rework");
    assert_eq!((rework.state, rework.reworks), (MatterState::InProgress, 1));
    app.command_as("handler", &b, "respond", json!({"text": "已重新处理"})).await.expect("respond");
    app.command_as("gridder", &b, "verify", json!({"passed": true, "note": ""})).await.expect("verify");
    app.command_as("resident", &b, "rate", json!({"rating": "unsatisfied", "reason": "又坏了"})).await.expect("rate");
    let reopened = app.command_as("dispatcher", &b, "reopen", json!({"reason": "回访不满意"})).await.expect("reopen");
    assert_eq!(reopened.state, MatterState::Dispatched);

    // escalate (吹哨): community → town → district; supervise; merge; void
    let c = new().await;
    app.command_as("community", &c, "accept", json!({})).await.expect("the community accepts");
    let up = app.command_as("community", &c, "escalate", json!({"reason": "社区无法解决"})).await.expect("escalate");
    assert_eq!((up.state, serde_json::to_value(up.level).expect("json")), (MatterState::Filed, json!("town")));
    assert!(
        matches!(app.command_as("community", &c, "dispatch", to_dept.clone()).await, Err(AppError::Forbidden(_))),
        "now the town's"
    );
    app.command_as("dispatcher", &c, "escalate", json!({"reason": "需要区级部门报到"})).await.expect("to the district");
    assert!(
        matches!(app.command_as("dispatcher", &c, "dispatch", to_dept.clone()).await, Err(AppError::Forbidden(_))),
        "a town dispatcher cannot dispatch at district level"
    );
    app.command_as("district_dispatcher", &c, "dispatch", to_dept.clone()).await.expect("the district dispatches");
    assert_eq!(
        app.command_as("supervisor", &c, "supervise", json!({"note": "请加快"})).await.expect("督办").supervisions,
        1
    );
    let d = new().await;
    let merged = app.command_as("dispatcher", &d, "merge", json!({"into": b})).await.expect("merge");
    assert_eq!(merged.state, MatterState::Merged);
    let e = new().await;
    assert_eq!(
        app.command_as("dispatcher", &e, "void", json!({"reason": "测试数据"})).await.expect("void").state,
        MatterState::Voided
    );

    let v = verify_matter_chains(&app).await.expect("verify");
    assert!(v.broken.is_empty(), "{:?}", v.broken);
}

#[tokio::test]
async fn guards_refuse_and_change_nothing() {
    let app = world().await;
    let m =
        app.scoped(app.actor("resident").await).intake(report("0401", 104.072, 30.652)).await.expect("report").matter;
    async fn events(app: &TestApp, id: String) -> usize {
        app.operator().scoped("t").timeline(&id).await.expect("timeline").len()
    }
    let before = events(&app, m.id.clone()).await;
    let to_dept = json!({"to": {"kind": "department", "code": "510104-chengguan"}});
    match app.command_as("dispatcher", &m.id, "dispatch", to_dept).await {
        Err(AppError::WrongState { allowed, .. }) => {
            let names: Vec<&str> = allowed.iter().map(|k| k.name()).collect();
            assert_eq!(names, ["accept", "reject", "supervise", "merge", "void"])
        }
        other => panic!("expected 409, got {other:?}"),
    }
    assert!(
        matches!(app.command_as("dispatcher", &m.id, "sign", json!({})).await, Err(AppError::Forbidden(_))),
        "not a dispatcher's"
    );
    assert!(
        matches!(app.command_as("other_dispatcher", &m.id, "accept", json!({})).await, Err(AppError::NotFound { .. })),
        "outside scope"
    );
    assert!(
        matches!(app.command_as("water", &m.id, "accept", json!({})).await, Err(AppError::NotFound { .. })),
        "not dispatched to them"
    );
    assert!(
        matches!(app.command_as("gridder", &m.id, "accept", json!({})).await, Err(AppError::Forbidden(_))),
        "wrong role"
    );
    assert!(matches!(
        app.command_as("dispatcher", &m.id, "fly", json!({})).await,
        Err(AppError::NotFound { code: "unknown_command", .. })
    ));
    assert!(
        matches!(app.command_as("dispatcher", &m.id, "reject", json!({})).await, Err(AppError::BadRequest { .. })),
        "reason required"
    );
    assert!(matches!(
        app.command_as("dispatcher", &m.id, "reject", json!([1])).await,
        Err(AppError::BadRequest { .. })
    ));
    app.command_as("dispatcher", &m.id, "accept", json!({})).await.expect("accept");
    let to_community = app.command_as("dispatcher", &m.id, "dispatch", json!({"to": {"kind": "community"}})).await;
    assert!(matches!(to_community, Err(AppError::Invalid { code: "negative_list", .. })), "{to_community:?}");
    let nowhere = app
        .command_as("dispatcher", &m.id, "dispatch", json!({"to": {"kind": "department", "code": "510104-nowhere"}}))
        .await;
    assert!(matches!(nowhere, Err(AppError::Invalid { code: "unknown_department", .. })));
    assert_eq!(events(&app, m.id.clone()).await, before + 1, "only the accept was written");
}

#[tokio::test]
async fn bad_reports_get_clear_errors_and_retries_are_safe() {
    let app = world().await;
    let resident = app.scoped(app.actor("resident").await);
    let code = |r: Result<shanzhi_app::matters::IntakeAnswer, AppError>| r.err().map(|e| e.code());
    assert_eq!(code(resident.intake(report("9999", 104.072, 30.652)).await), Some("unknown_category"));
    assert_eq!(code(resident.intake(report("01", 104.072, 30.652)).await), Some("category_not_a_leaf"));
    assert_eq!(code(resident.intake(report("0110", f64::NAN, 30.652)).await), Some("invalid_coordinates"));
    assert_eq!(code(resident.intake(report("0110", 200.0, 30.652)).await), Some("invalid_coordinates"));
    assert_eq!(code(resident.intake(report("0110", 105.5, 31.9)).await), Some("outside_grid"));
    let no_place = IntakeRequest { category: "0110".into(), description: "x".into(), ..IntakeRequest::default() };
    assert_eq!(code(resident.intake(no_place).await), Some("missing_location"));
    let unknown_grid = IntakeRequest { grid: Some("510104022006099".into()), ..report("0110", 0.0, 0.0) };
    let unknown_grid = IntakeRequest { lng: None, lat: None, ..unknown_grid };
    assert_eq!(code(resident.intake(unknown_grid).await), Some("unknown_grid"));
    let long = IntakeRequest { description: "长".repeat(4001), ..report("0110", 104.072, 30.652) };
    assert_eq!(code(resident.intake(long).await), Some("invalid_description"));
    let channel = IntakeRequest { channel: Some("fax".into()), ..report("0110", 104.072, 30.652) };
    assert_eq!(code(resident.intake(channel).await), Some("invalid_channel"));
    let hotline = IntakeRequest { channel: Some("hotline".into()), ..report("0110", 104.072, 30.652) };
    assert_eq!(code(resident.intake(hotline).await), Some("forbidden"), "only dispatchers take hotline orders");
    assert!(matches!(
        resident.upload(b"%PDF-1.7 not an image").await,
        Err(AppError::BadRequest { code: "unsupported_attachment_type", .. })
    ));
    assert!(matches!(
        resident.upload(&vec![0xFF; 6 * 1024 * 1024]).await,
        Err(AppError::BadRequest { code: "invalid_attachment_size", .. })
    ));
    let foreign = IntakeRequest { attachments: vec!["nope".into()], ..report("0110", 104.072, 30.652) };
    assert_eq!(code(resident.intake(foreign).await), Some("unknown_attachment"));
    async fn count(app: &TestApp) -> u64 {
        let op = app.operator().scoped("t");
        op.matter_counts(&MatterFilter::default()).await.expect("counts").values().sum::<u64>()
    }
    assert_eq!(count(&app).await, 0, "nothing was written");

    let keyed = IntakeRequest { idempotency_key: Some("retry-1".into()), ..report("0110", 104.072, 30.652) };
    let first = resident.intake(keyed.clone()).await.expect("first");
    let again = resident.intake(keyed).await.expect("retry");
    assert!(first.created && !again.created);
    assert_eq!(first.matter.id, again.matter.id);
    let nearby = resident.intake(report("0110", 104.0721, 30.6521)).await.expect("near");
    assert_eq!(nearby.possible_duplicates, std::slice::from_ref(&first.matter.number), "same category, 15 m away");
    let anonymous =
        app.scoped(Actor::anonymous()).intake(report("0110", 104.078, 30.652)).await.expect("no account needed");
    assert_eq!(anonymous.matter.channel, "resident");
    assert_eq!(count(&app).await, 3);
}

#[tokio::test]
async fn listings_stay_in_scope_and_mask_the_reporter() {
    let app = world().await;
    let resident = app.scoped(app.actor("resident").await);
    for i in 0..5 {
        let mut r = report("0110", 104.072, 30.652);
        r.description = format!("第 {i} 件");
        r.reporter_name = Some("王小明".into());
        resident.intake(r).await.expect("report");
    }
    resident.intake(report("0104", 104.095, 30.655)).await.expect("水井坊");
    let list = |who: &str| {
        let (app, who) = (&app, who.to_owned());
        async move {
            app.scoped(app.actor(&who).await)
                .matters(&MatterFilter { limit: Some(100), ..MatterFilter::default() }, None)
                .await
                .expect("list")
        }
    };
    assert_eq!(list("dispatcher").await.items.len(), 5, "春熙路 only");
    assert_eq!(list("other_dispatcher").await.items.len(), 1, "水井坊 only");
    assert_eq!(list("resident").await.items.len(), 6, "one's own reports");
    assert_eq!(list("handler").await.items.len(), 0, "nothing dispatched to them yet");
    let seen = list("dispatcher").await;
    assert_eq!(seen.items[0].reporter_name.as_deref(), Some("王**"), "lists mask the reporter, even for dispatchers");
    let opened = app.scoped(app.actor("dispatcher").await).matter(&seen.items[0].id).await.expect("open");
    assert_eq!(opened.reporter_name.as_deref(), Some("王小明"), "dispatchers call back from the matter itself");
    let masked = list("supervisor").await;
    assert_eq!(masked.items.len(), 6);
    assert!(
        masked
            .items
            .iter()
            .all(|m| m.reporter_masked && m.reporter_phone.as_deref().is_none_or(|p| p.contains("****")))
    );
    assert!(masked.items.iter().filter_map(|m| m.reporter_name.as_deref()).any(|n| n == "王**"));

    let dispatcher = app.scoped(app.actor("dispatcher").await);
    let mut page =
        dispatcher.matters(&MatterFilter { limit: Some(2), ..MatterFilter::default() }, None).await.expect("page 1");
    let mut all = page.items.len();
    while let Some(next) = page.next.clone() {
        page = dispatcher
            .matters(&MatterFilter { limit: Some(2), ..MatterFilter::default() }, Some(&next))
            .await
            .expect("next page");
        all += page.items.len();
    }
    assert_eq!(all, 5);
    let text = MatterFilter { text: Some("第 3".into()), limit: Some(10), ..MatterFilter::default() };
    assert_eq!(dispatcher.matters(&text, None).await.expect("text").items.len(), 1);
    let counts = dispatcher.matter_counts(&MatterFilter::default()).await.expect("counts");
    assert_eq!(counts.get(&MatterState::Reported), Some(&5));
}

#[tokio::test]
async fn hotline_orders_import_once_and_tampering_is_detected() {
    let app = world().await;
    let db = app.db();
    let csv = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度,坐标系,联系人,联系电话\n\
               CD001,2026-11-20 09:15,反映,总府路路灯不亮,104.072,30.652,wgs84,王先生,13900001111\n\
               CD002,2026-11-20 10:30,求助,独居老人需要帮助,104.078,30.655,,李女士,13900002222\n";
    let dispatcher = app.scoped(app.actor("dispatcher").await);
    let dispatcher = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
    let first = dispatcher.import_hotline(csv.as_bytes(), "orders.csv").await.expect("import");
    assert_eq!((first.created, first.already_imported), (2, 0));
    let again = dispatcher.import_hotline(csv.as_bytes(), "orders.csv").await.expect("again");
    assert_eq!((again.created, again.already_imported), (0, 2));
    assert_eq!(first.numbers, again.numbers);
    let m = dispatcher.matter(&first.numbers[0]).await.expect("matter");
    assert_eq!((m.channel.as_str(), m.category.as_str()), ("hotline", "12345.fanying"));
    let bad = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度\nCD009,2026-11-20 09:15,反映,x,105.9,31.9\n";
    assert!(
        matches!(dispatcher.import_hotline(bad.as_bytes(), "bad.csv").await, Err(AppError::ImportRejected(_))),
        "outside every grid"
    );

    assert!(verify_matter_chains(&app).await.expect("verify").broken.is_empty());
    db.execute_raw("UPDATE matter_events SET body = '{\"command\":\"accept\"}' WHERE seq = 1").await;
    let v = verify_matter_chains(&app).await.expect("verify");
    assert_eq!(v.broken.len(), 2, "both matters' first entries were edited: {:?}", v.broken);
}

#[tokio::test]
async fn the_demo_fills_every_state_and_every_timeline_replays() {
    let app = world().await;
    let made = app.operator().generate_demo_matters(300, 7).await.expect("demo matters");
    assert_eq!(made, 300);
    let counts = app.operator().scoped("t").matter_counts(&MatterFilter::default()).await.expect("counts");
    for state in [MatterState::Reported, MatterState::InProgress, MatterState::Closed, MatterState::Rated] {
        assert!(counts.get(&state).is_some_and(|n| *n > 0), "{state}: {counts:?}");
    }
    let v = verify_matter_chains(&app).await.expect("verify");
    assert_eq!((v.matters, v.broken.len()), (300, 0), "{:?}", v.broken.first());
    let r =
        app.scoped(app.actor("resident").await).intake(report("0110", 104.072, 30.652)).await.expect("after the demo");
    assert!(r.created);
    let _ = Crs::Wgs84;
}

#[tokio::test]
async fn category_edits_are_versions_and_old_matters_keep_theirs() {
    let app = world().await;
    app.add_account("chief", Role::Admin, Some("5101")).await;
    let admin = app.scoped(app.actor("chief").await);
    let admin_desk = admin.desk::<CityDesk>().expect("a city-wide administrator");
    let m =
        app.scoped(app.actor("resident").await).intake(report("0110", 104.072, 30.652)).await.expect("report").matter;
    let (mut category, v1) = admin.category("0110", None).await.expect("current");
    category.limits.handle = Some(shanzhi_domain::category::Limit::working_days(2));
    category.name = "道路破损（修订）".into();
    let v2 = admin_desk.put_category(category.clone()).await.expect("edit");
    assert_eq!((v1, v2), (1, 2));
    assert_eq!(admin.category("0110", Some(1)).await.expect("old").0.name, "道路破损");
    assert_eq!(admin.matter(&m.id).await.expect("matter").category_version, 1, "the matter keeps its version");
    let later =
        app.scoped(app.actor("resident").await).intake(report("0110", 104.078, 30.652)).await.expect("report").matter;
    assert_eq!(later.category_version, 2);
    let dispatcher = app.scoped(app.actor("dispatcher").await);
    assert!(matches!(dispatcher.desk::<CityDesk>(), Err(AppError::Forbidden(_))), "{category:?}");
}

#[tokio::test]
async fn an_xlsx_export_imports_like_a_csv() {
    let app = world().await;
    let xlsx = xlsx(&[
        &["工单编号", "受理时间", "诉求类型", "诉求内容", "经度", "纬度"],
        &["X001", "2026-11-20 09:15", "反映", "总府路井盖松动", "104.072", "30.652"],
        &["X002", "2026-11-20 09:45", "建议", "建议增设路灯", "104.078", "30.655"],
    ]);
    let dispatcher = app.scoped(app.actor("dispatcher").await);
    let dispatcher = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
    let report = dispatcher.import_hotline(&xlsx, "orders.xlsx").await.expect("xlsx");
    assert_eq!((report.rows, report.created), (2, 2));
    let again = dispatcher.import_hotline(&xlsx, "orders.xlsx").await.expect("again");
    assert_eq!(again.already_imported, 2);
}

/// A minimal XLSX workbook (inline strings, one sheet).
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    use std::io::Write;
    let cells: String = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let cs: String = row
                .iter()
                .enumerate()
                .map(|(c, v)| {
                    format!(r#"<c r="{}{}" t="inlineStr"><is><t>{v}</t></is></c>"#, (b'A' + c as u8) as char, r + 1)
                })
                .collect();
            format!(r#"<row r="{}">{cs}</row>"#, r + 1)
        })
        .collect();
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="工单" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#)),
    ];
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        for (name, body) in files {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("entry");
            zip.write_all(body.as_bytes()).expect("write");
        }
        zip.finish().expect("zip");
    }
    buf.into_inner()
}

#[tokio::test]
async fn a_reporter_without_an_account_rates_with_the_key_and_photos_need_no_account() {
    let app = world().await;
    let anonymous = app.scoped(Actor::anonymous());
    let with_photo = IntakeRequest { photos: vec![PNG.to_vec()], ..report("0110", 104.078, 30.652) };
    let answer = anonymous.intake(with_photo).await.expect("a report with a photo, no account");
    let (m, key) = (answer.matter, answer.private_key.expect("a private key for a reporter without an account"));
    let bad_photo = IntakeRequest { photos: vec![b"%PDF".to_vec()], ..report("0110", 104.078, 30.652) };
    assert!(matches!(anonymous.intake(bad_photo).await, Err(AppError::BadRequest { .. })), "not an image");
    let rate = json!({"rating": "satisfied", "reason": "快"});
    assert!(anonymous.rate_as_reporter(&m.number, &key, rate.clone()).await.is_err(), "not closed yet");
    app.close_matter(&m.id).await;
    let wrong = anonymous.rate_as_reporter(&m.number, "not-the-key", rate.clone()).await;
    assert!(matches!(wrong, Err(AppError::NotFound { .. })), "a wrong key finds nothing");
    let by_id = anonymous.rate_as_reporter(&m.number, &m.id, rate.clone()).await;
    assert!(matches!(by_id, Err(AppError::NotFound { .. })), "the id, which staff see, is no key");
    let rated = anonymous.rate_as_reporter(&m.number, &key, rate.clone()).await.expect("rated with the key");
    assert_eq!(rated.state, MatterState::Rated);
    assert!(anonymous.rate_as_reporter(&m.number, &key, rate).await.is_err(), "once");
    let id = shanzhi_domain::MatterId::parse(&m.id).expect("id");
    let events = app.store().matter_events(&id).await.expect("timeline");
    assert_eq!(events[0].attachments.len(), 1, "the photo is on the report");
    assert_eq!(events.last().map(|e| e.role.as_str()), Some("resident"));
}
