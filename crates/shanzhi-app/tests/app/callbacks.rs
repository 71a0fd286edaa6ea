//! 满意度回访 and results back to 12345: a clerk's call-back goes on the
//! timeline and moves the 三率; the results export gives each closure once
//! across calls, within scope; bad input is refused and changes nothing.

use shanzhi_app::AppError;
use shanzhi_app::access::DispatchDesk;
use shanzhi_app::callbacks::CallbackAttempt;
use shanzhi_app::callbacks::results::parse_cursor;
use shanzhi_app::figures::FigureQuery;
use shanzhi_domain::callback::{CallbackSettings, CallbackState};
use shanzhi_domain::indicators::{Period, UnitKind};
use shanzhi_domain::{Rating, Role};
use shanzhi_testkit::TestApp;

async fn world() -> TestApp {
    TestApp::new()
        .with_grid()
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_accounts(&[
            ("resident", Role::Resident, None),
            ("dispatcher", Role::Dispatcher, Some("510104022")),
            ("other_dispatcher", Role::Dispatcher, Some("510105")),
            ("admin", Role::Admin, Some("5101")),
        ])
        .start()
        .await
}

/// Import hotline orders (工单编号 → description) in the dispatcher's area.
async fn import(app: &TestApp, orders: &[&str]) -> Vec<String> {
    let mut csv = String::from("工单编号,受理时间,诉求类型,诉求内容,经度,纬度,坐标系,联系人,联系电话\n");
    for (i, order) in orders.iter().enumerate() {
        csv.push_str(&format!(
            "{order},2026-11-20 09:1{i},反映,总府路路灯不亮 {i},104.072,30.652,wgs84,王先生,1390000111{i}\n"
        ));
    }
    let dispatcher = app.scoped(app.actor("dispatcher").await);
    let desk = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
    desk.import_hotline(csv.as_bytes(), "orders.csv").await.expect("import").numbers
}

fn this_month() -> FigureQuery {
    let now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let period = Period::parse(&now.strftime("%Y-%m").to_string()).expect("period");
    FigureQuery { period, by: UnitKind::District, within: None, line: None }
}

fn unreachable() -> CallbackAttempt {
    CallbackAttempt {
        reached: false, contacted: None, solved: None, satisfaction: None, note: Some("无人接听".into())
    }
}

fn answered(contacted: bool, solved: bool, satisfaction: Rating) -> CallbackAttempt {
    CallbackAttempt {
        reached: true,
        contacted: Some(contacted),
        solved: Some(solved),
        satisfaction: Some(satisfaction),
        note: None,
    }
}

fn code(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Ok(v) => format!("ok: {v:?}"),
        Err(AppError::BadRequest { code, .. }) => format!("400 {code}"),
        Err(AppError::NotFound { code, .. }) => format!("404 {code}"),
        Err(AppError::Conflict { code, .. }) => format!("409 {code}"),
        Err(AppError::Forbidden(_)) => "403".into(),
        Err(e) => format!("{e:?}"),
    }
}

#[tokio::test]
async fn a_clerk_calls_back_the_outcome_is_on_the_timeline_and_the_three_rates_move() {
    let app = world().await;
    let numbers = import(&app, &["CB001"]).await;
    app.close_matter(&numbers[0]).await;
    let clerk = app.scoped(app.actor("dispatcher").await);
    let page = clerk.callback_tasks(vec![], None, 50).await.expect("tasks");
    assert_eq!(page.items.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(), [numbers[0].as_str()]);
    assert!(page.script.contains("是否已解决") && page.max_attempts == 3, "{}", page.script);
    let task = page.items[0].clone();
    assert_eq!(task.phone_masked.as_deref().map(|p| p.contains('*')), Some(true), "the list masks the phone");

    // Out of the clerk's area: neither listed nor recordable.
    let other = app.scoped(app.actor("other_dispatcher").await);
    assert!(other.callback_tasks(vec![], None, 50).await.expect("tasks").items.is_empty());
    assert_eq!(
        code(other.record_callback(&task.id, &answered(true, true, Rating::Satisfied)).await),
        "404 callback_not_found"
    );
    let resident = app.scoped(app.actor("resident").await);
    assert_eq!(code(resident.callback_tasks(vec![], None, 50).await.map(|p| p.items.len())), "403");

    let before = clerk.callback_rates(&this_month()).await.expect("rates");
    assert_eq!((before.rates.valid, before.rates.response_rate.value), (0, None));
    let entries = clerk.timeline(&numbers[0]).await.expect("timeline").len();

    // Malformed: answers missing, or answers on an unreachable call. Nothing changes.
    let half = CallbackAttempt { satisfaction: None, ..answered(true, true, Rating::Satisfied) };
    assert_eq!(code(clerk.record_callback(&task.id, &half).await), "400 callback_answers_missing");
    let odd = CallbackAttempt { solved: Some(true), ..unreachable() };
    assert_eq!(code(clerk.record_callback(&task.id, &odd).await), "400 callback_answers_unreached");

    // Unreachable once: still open, nothing on the timeline yet.
    let once = clerk.record_callback(&task.id, &unreachable()).await.expect("unreachable");
    assert_eq!((once.state, once.attempts), (CallbackState::Open, 1));
    assert_eq!(clerk.timeline(&numbers[0]).await.expect("timeline").len(), entries);

    let done =
        clerk.record_callback(&task.id, &answered(true, false, Rating::BasicallySatisfied)).await.expect("answered");
    assert_eq!((done.state, done.attempts), (CallbackState::Done, 2));
    let timeline = clerk.timeline(&numbers[0]).await.expect("timeline");
    let last = timeline.last().expect("entries");
    assert_eq!((timeline.len(), last.command.as_str(), last.to_state.as_str()), (entries + 1, "callback", "closed"));
    assert_eq!(last.details["answers"]["satisfaction"], "basically_satisfied");
    assert_eq!(code(clerk.record_callback(&task.id, &unreachable()).await), "409 callback_closed");

    let after = clerk.callback_rates(&this_month()).await.expect("rates");
    assert_eq!((after.rates.valid, after.rates.invalid), (1, 0));
    assert_eq!(after.rates.response_rate.value, Some(1.0));
    assert_eq!(after.rates.resolution_rate.value, Some(0.0));
    assert_eq!(after.rates.satisfaction_rate.value, Some(after.k), "基本满意 counts k");
    assert!(clerk.callback_tasks(vec![], None, 50).await.expect("tasks").items.is_empty(), "done");
}

#[tokio::test]
async fn unreachable_three_times_is_an_invalid_call_back_counted_apart() {
    let app = world().await;
    let numbers = import(&app, &["CB002"]).await;
    app.close_matter(&numbers[0]).await;
    let clerk = app.scoped(app.actor("dispatcher").await);
    let id = clerk.callback_tasks(vec![], None, 50).await.expect("tasks").items[0].id.clone();
    for _ in 0..2 {
        assert_eq!(clerk.record_callback(&id, &unreachable()).await.expect("try").state, CallbackState::Open);
    }
    let third = clerk.record_callback(&id, &unreachable()).await.expect("third");
    assert_eq!((third.state, third.attempts), (CallbackState::Invalid, 3));
    let timeline = clerk.timeline(&numbers[0]).await.expect("timeline");
    assert_eq!(timeline.last().map(|e| e.command.as_str()), Some("callback"));
    let rates = clerk.callback_rates(&this_month()).await.expect("rates");
    assert_eq!((rates.rates.valid, rates.rates.invalid, rates.rates.satisfaction_rate.value), (0, 1, None));
    let invalid = clerk.callback_tasks(vec![CallbackState::Invalid], None, 50).await.expect("tasks");
    assert_eq!(invalid.items.len(), 1);
}

#[tokio::test]
async fn sampling_is_set_by_an_administrator_and_a_zero_share_makes_no_task() {
    let app = world().await;
    let clerk = app.scoped(app.actor("dispatcher").await);
    let none = CallbackSettings { share: 0, ..CallbackSettings::default() };
    assert_eq!(code(clerk.put_callback_settings(&none).await.map(|_| ())), "403");
    let admin = app.scoped(app.actor("admin").await);
    let bad = CallbackSettings { max_attempts: 0, ..CallbackSettings::default() };
    assert!(matches!(admin.put_callback_settings(&bad).await, Err(AppError::Invalid { .. })));
    admin.put_callback_settings(&none).await.expect("set");
    let numbers = import(&app, &["CB003"]).await;
    app.close_matter(&numbers[0]).await;
    assert!(clerk.callback_tasks(vec![], None, 50).await.expect("tasks").items.is_empty(), "share 0");
    // The order's result goes back all the same.
    let results = clerk.hotline_results(0, 100).await.expect("results");
    assert_eq!(results.rows.len(), 1);
}

#[tokio::test]
async fn the_results_export_gives_each_closed_order_once_across_cursor_calls() {
    let app = world().await;
    let numbers = import(&app, &["GD001", "GD002"]).await;
    app.close_matter(&numbers[0]).await;
    let clerk = app.scoped(app.actor("dispatcher").await);
    let first = clerk.hotline_results(0, 100).await.expect("first");
    assert_eq!(first.rows.len(), 1);
    let cells = first.rows[0].cells();
    assert_eq!(
        [cells[0].as_str(), cells[1].as_str(), cells[2].as_str(), cells[4].as_str(), cells[5].as_str()],
        ["GD001", "已办结", "已修复", "锦江区城管局", ""]
    );
    assert!(cells[3].ends_with("+08:00"));
    let csv = first.csv();
    assert!(csv.starts_with("工单编号,办理结果,回复内容,办结时间,承办单位,满意度\r\n"), "{csv}");
    let again = clerk.hotline_results(first.next_cursor, 100).await.expect("again");
    assert!(again.rows.is_empty(), "read once");
    assert_eq!(again.next_cursor, first.next_cursor, "nothing new: the same cursor");
    let repeat = clerk.hotline_results(0, 100).await.expect("repeat");
    assert_eq!(repeat.rows, first.rows, "the same cursor gives the same rows");

    app.close_matter(&numbers[1]).await;
    let next = clerk.hotline_results(first.next_cursor, 100).await.expect("next");
    assert_eq!(next.rows.iter().map(|r| r.order.as_str()).collect::<Vec<_>>(), ["GD002"]);
    assert!(next.next_cursor > first.next_cursor);
    let xlsx = next.xlsx().await.expect("xlsx");
    assert!(xlsx.metadata().expect("meta").len() > 0);

    // Out of scope, and bad cursors.
    let other = app.scoped(app.actor("other_dispatcher").await);
    assert!(other.hotline_results(0, 100).await.expect("other").rows.is_empty());
    let resident = app.scoped(app.actor("resident").await);
    assert_eq!(code(resident.hotline_results(0, 100).await.map(|r| r.rows.len())), "403");
    for bad in ["-1", "abc", "99999999999999999999999"] {
        assert_eq!(code(parse_cursor(bad)), "400 invalid_cursor", "{bad}");
    }
    assert_eq!(parse_cursor("42").expect("ok"), 42);
}

#[tokio::test]
async fn results_pushed_to_a_receiver_that_fails_twice_arrive_once_each() {
    use shanzhi_app::callbacks::push::{PushRound, RESULTS_PUSH, ResultsPushConfig};
    let app = world().await;
    let numbers = import(&app, &["WH001", "WH002"]).await;
    app.close_matter(&numbers[0]).await;
    app.close_matter(&numbers[1]).await;
    let sink = shanzhi_testkit::HttpSink::start_failing(2).await;
    let secret = "results-之钥";
    let config = ResultsPushConfig {
        url: sink.url.clone(),
        secret: secret.to_owned(),
        timeout: std::time::Duration::from_secs(5),
        batch: 1,
        interval: std::time::Duration::from_secs(1),
    };
    let client = reqwest::Client::new();
    // Refused twice: the cursor stays, the same batch goes again.
    for _ in 0..2 {
        assert!(app.push_results_once(&config, &client).await.is_err(), "503 is a failure");
        assert_eq!(app.store().push_cursor(RESULTS_PUSH).await.expect("cursor"), 0, "not moved on a refusal");
    }
    let first = app.push_results_once(&config, &client).await.expect("accepted");
    let second = app.push_results_once(&config, &client).await.expect("accepted");
    assert_eq!(app.push_results_once(&config, &client).await.expect("idle"), PushRound::Idle, "nothing twice");
    let all = app.scoped(app.actor("admin").await).hotline_results(0, 100).await.expect("results");
    let PushRound::Sent { rows: 1, cursor } = second else { panic!("{second:?}") };
    assert!(matches!(first, PushRound::Sent { rows: 1, cursor: c } if c < cursor));
    assert_eq!(cursor, all.next_cursor, "the cursor is the export's");
    assert_eq!(app.store().push_cursor(RESULTS_PUSH).await.expect("cursor"), cursor);

    let got = sink.received();
    assert_eq!(got.len(), 4, "two refused, two accepted");
    let orders = |r: &shanzhi_testkit::Received| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        json["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| x["工单编号"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(
        [orders(&got[0]), orders(&got[1]), orders(&got[2])],
        [["WH001"], ["WH001"], ["WH001"]].map(|o| o.map(String::from).to_vec())
    );
    assert_eq!(orders(&got[3]), ["WH002"]);
    assert_eq!(got[0].body, got[2].body, "the same batch again");
    assert_eq!(got[0].header("idempotency-key"), got[2].header("idempotency-key"));
    assert_ne!(got[2].header("idempotency-key"), got[3].header("idempotency-key"));
    for r in &got {
        assert!(crate::notify::signature_holds(&r.header("x-shanzhi-signature"), &r.body, secret.as_bytes()));
    }
    let row: serde_json::Value = serde_json::from_slice(&got[3].body).expect("json");
    assert_eq!(row["results"][0]["办理结果"], "已办结");
    assert_eq!(row["results"][0]["cursor"].as_i64(), Some(cursor));
    assert_eq!(row["next_cursor"].as_i64(), Some(cursor));
}
