//! 以事聚人、聚人成事 over HTTP: a community defines its own method, appoints
//! its members, a resident's proposal is supported, noticed (public from
//! then on), objected to, voted on by the council and paid from the fund;
//! the refusals say what is wrong in both languages and change nothing.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use jiff::civil::date;
use serde_json::{Value, json};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{INSIDE, OUTSIDE, TestApp};

use crate::support::{TestApi, assert_error};

pub(crate) fn at(m: i8, d: i8) -> jiff::Timestamp {
    date(2026, m, d)
        .at(10, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .expect("time")
        .timestamp()
}

pub(crate) const PEOPLE: [(&str, &str); 6] = [
    ("resident_a", "residents"),
    ("resident_b", "residents"),
    ("committee_a", "committee"),
    ("council_a", "council"),
    ("council_b", "council"),
    ("council_c", "council"),
];

pub(crate) struct World {
    pub(crate) api: TestApi,
    pub(crate) clock: Arc<ManualClock>,
    admin: String,
}

pub(crate) async fn world() -> World {
    let clock = Arc::new(ManualClock::new(at(11, 2)));
    let mut accounts: Vec<(&str, Role, Option<&str>)> =
        PEOPLE.iter().map(|(n, _)| (*n, Role::Resident, None)).collect();
    accounts.push(("outsider", Role::Resident, None));
    accounts.push(("admin", Role::Admin, Some("5101")));
    let api = TestApi::start(TestApp::new().with_clock(clock.clone()).with_grid().with_accounts(&accounts)).await;
    let admin = api.bearer("admin").await;
    World { api, clock, admin }
}

impl World {
    pub(crate) async fn call(
        &self,
        who: Option<&str>,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let auth = match who {
            Some("admin") => Some(self.admin.clone()),
            Some(name) => Some(self.api.bearer(name).await),
            None => None,
        };
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| vec![("authorization", a)]).unwrap_or_default();
        let (status, _, body) = self.api.send(method, uri, &headers, body).await;
        (status, body)
    }

    pub(crate) async fn ok(&self, who: Option<&str>, method: Method, uri: &str, body: Option<Value>) -> Value {
        let (status, body) = self.call(who, method, uri, body).await;
        assert!(status.is_success(), "{uri}: {status} {body}");
        body
    }

    async fn refused(
        &self,
        who: Option<&str>,
        method: Method,
        uri: &str,
        body: Option<Value>,
        want: (StatusCode, &str),
    ) {
        let (status, body) = self.call(who, method, uri, body).await;
        assert_eq!(status, want.0, "{uri}: {body}");
        assert_error(&body, want.1);
    }
}

#[tokio::test]
async fn a_proposal_through_a_communitys_own_method_over_http() {
    let w = world().await;
    let methods = format!("/api/v1/communities/{INSIDE}/methods");
    let method = json!({"code": "five_lines", "name": "五线工作法", "support": 2, "steps": [
        {"code": "collect", "name": "收集民意", "body": "committee", "artefacts": ["minutes"], "notice_days": 1},
        {"code": "discuss", "name": "院落议事", "body": "council", "vote": true, "artefacts": ["vote_record"]},
        {"code": "act", "name": "落实", "body": "committee", "artefacts": ["photos"]}
    ]});
    let mut broken = method.clone();
    broken["steps"][1]["body"] = json!("committee");
    w.refused(
        Some("admin"),
        Method::POST,
        &methods,
        Some(broken),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_method"),
    )
    .await;
    w.refused(Some("resident_a"), Method::POST, &methods, Some(method.clone()), (StatusCode::FORBIDDEN, "forbidden"))
        .await;
    let all = w.ok(Some("admin"), Method::POST, &methods, Some(method)).await;
    assert!(all.as_array().expect("methods").iter().any(|m| m["code"] == "five_lines"));
    let members = format!("/api/v1/communities/{INSIDE}/members");
    for (name, body) in PEOPLE {
        w.ok(
            Some("admin"),
            Method::POST,
            &members,
            Some(json!({"body": body, "username": name, "from": "2025-01-01"})),
        )
        .await;
    }
    let elsewhere = format!("/api/v1/communities/{OUTSIDE}/members");
    w.refused(
        Some("admin"),
        Method::POST,
        &elsewhere,
        Some(json!({"body": "residents", "username": "outsider"})),
        (StatusCode::FORBIDDEN, "forbidden"),
    )
    .await;
    let listed = w.ok(Some("resident_a"), Method::GET, &members, None).await;
    assert_eq!(listed.as_array().expect("members").len(), 4, "the bodies, not every resident: {listed}");
    assert!(listed[0]["name"].as_str().is_some_and(|n| n.contains("同志")), "names, not ids: {listed}");

    // A resident proposes; it is not public before its notice.
    let new = json!({"community": INSIDE, "title": "院落停车", "body": "规划停车位", "origin": "resident", "method": "five_lines"});
    let mut bad = new.clone();
    bad["community"] = json!("510104022");
    w.refused(
        Some("resident_a"),
        Method::POST,
        "/api/v1/proposals",
        Some(bad),
        (StatusCode::BAD_REQUEST, "invalid_community"),
    )
    .await;
    w.refused(
        Some("outsider"),
        Method::POST,
        "/api/v1/proposals",
        Some(new.clone()),
        (StatusCode::FORBIDDEN, "forbidden"),
    )
    .await;
    let p = w.ok(Some("resident_a"), Method::POST, "/api/v1/proposals", Some(new)).await;
    let id = p["id"].as_str().expect("id").to_owned();
    let uri = format!("/api/v1/proposals/{id}");
    w.refused(None, Method::GET, &uri, None, (StatusCode::NOT_FOUND, "proposal_not_found")).await;
    let listed = w.ok(None, Method::GET, &format!("/api/v1/proposals?within={INSIDE}"), None).await;
    assert_eq!(listed, json!([]), "an unnoticed proposal is not listed publicly");

    let support = format!("{uri}/supports");
    w.ok(Some("resident_a"), Method::POST, &support, None).await;
    w.refused(Some("resident_a"), Method::POST, &support, None, (StatusCode::CONFLICT, "already_supported")).await;
    w.refused(Some("outsider"), Method::POST, &support, None, (StatusCode::NOT_FOUND, "proposal_not_found")).await;
    let p = w.ok(Some("resident_b"), Method::POST, &support, None).await;
    assert_eq!((p["status"].as_str(), p["supporters"].as_u64()), (Some("working"), Some(2)));

    // 收集民意, noticed one working day: public; objections while it runs.
    let steps = format!("{uri}/steps");
    w.refused(
        Some("committee_a"),
        Method::POST,
        &steps,
        Some(json!({"step": "collect"})),
        (StatusCode::UNPROCESSABLE_ENTITY, "step_refused"),
    )
    .await;
    w.ok(Some("committee_a"), Method::POST, &steps, Some(json!({"step": "collect", "artefacts": ["minutes"]}))).await;
    let public = w.ok(None, Method::GET, &uri, None).await;
    assert_eq!((public["public"].as_bool(), public["steps"][0]["state"].as_str()), (Some(true), Some("公示中")));
    w.ok(Some("resident_b"), Method::POST, &format!("{uri}/objections"), Some(json!({"text": "车位太少"}))).await;
    let remarks = w.ok(None, Method::GET, &format!("{uri}/remarks"), None).await;
    assert_eq!((remarks[0]["kind"].as_str(), remarks[0]["text"].as_str()), (Some("异议"), Some("车位太少")));
    w.refused(
        Some("committee_a"),
        Method::POST,
        &format!("{uri}/notice/end"),
        None,
        (StatusCode::UNPROCESSABLE_ENTITY, "notice_running"),
    )
    .await;
    w.clock.set(at(11, 4));
    w.ok(Some("committee_a"), Method::POST, &format!("{uri}/notice/end"), None).await;

    // 院落议事: two of three present; only they vote, once.
    let meeting = json!({"step": "discuss", "agenda": "停车位方案", "attendance": ["council_a", "council_b"]});
    let m = w.ok(Some("committee_a"), Method::POST, &format!("{uri}/meetings"), Some(meeting)).await;
    let mid = m["id"].as_str().expect("meeting").to_owned();
    let votes = format!("/api/v1/meetings/{mid}/votes");
    w.refused(
        Some("council_c"),
        Method::POST,
        &votes,
        Some(json!({"choice": "for"})),
        (StatusCode::FORBIDDEN, "forbidden"),
    )
    .await;
    w.refused(
        Some("council_a"),
        Method::POST,
        &votes,
        Some(json!({"choice": "maybe"})),
        (StatusCode::BAD_REQUEST, "invalid_json"),
    )
    .await;
    w.ok(Some("council_a"), Method::POST, &votes, Some(json!({"choice": "for"}))).await;
    w.refused(
        Some("council_a"),
        Method::POST,
        &votes,
        Some(json!({"choice": "against"})),
        (StatusCode::FORBIDDEN, "forbidden"),
    )
    .await;
    w.ok(Some("council_b"), Method::POST, &votes, Some(json!({"choice": "for"}))).await;
    let closed = w.ok(Some("committee_a"), Method::POST, &format!("/api/v1/meetings/{mid}/close"), None).await;
    assert_eq!((closed["tally"]["passed"].as_bool(), closed["votes"].as_array().map(Vec::len)), (Some(true), Some(2)));
    let decided = json!({"step": "discuss", "artefacts": ["vote_record"], "meeting": mid});
    w.ok(Some("council_a"), Method::POST, &steps, Some(decided)).await;

    // The fund: money by the decision only, never past it; the ledger is public.
    let fund = format!("/api/v1/communities/{INSIDE}/fund");
    w.ok(
        Some("admin"),
        Method::POST,
        &format!("{fund}/allocations"),
        Some(json!({"amount": "50,000", "source": "city", "reference": "成社治发〔2026〕1号"})),
    )
    .await;
    w.refused(
        Some("admin"),
        Method::POST,
        &format!("{fund}/allocations"),
        Some(json!({"amount": "1.234"})),
        (StatusCode::BAD_REQUEST, "invalid_amount"),
    )
    .await;
    let commitments = format!("{uri}/fund/commitments");
    w.refused(
        Some("committee_a"),
        Method::POST,
        &commitments,
        Some(json!({"amount": "20000"})),
        (StatusCode::UNPROCESSABLE_ENTITY, "no_decision"),
    )
    .await;
    w.ok(Some("committee_a"), Method::POST, &commitments, Some(json!({"amount": "20000", "meeting": mid}))).await;
    let payments = format!("{uri}/fund/payments");
    w.refused(
        Some("committee_a"),
        Method::POST,
        &payments,
        Some(json!({"amount": "20000.01", "voucher": "记-1", "payee": "施工队"})),
        (StatusCode::UNPROCESSABLE_ENTITY, "fund_refused"),
    )
    .await;
    w.ok(
        Some("committee_a"),
        Method::POST,
        &payments,
        Some(json!({"amount": "18000", "voucher": "记-1", "payee": "施工队"})),
    )
    .await;
    let ledger = w.ok(None, Method::GET, &fund, None).await;
    assert_eq!((ledger["available"].as_str(), ledger["spent"].as_str()), (Some("30,000.00"), Some("18,000.00")));
    assert_eq!(ledger["lines"].as_array().map(Vec::len), Some(3), "a refused payment wrote nothing: {ledger}");
    let listed = w.ok(None, Method::GET, "/api/v1/proposals?within=510104", None).await;
    assert_eq!(listed[0]["id"].as_str(), Some(id.as_str()), "public once noticed");
}

/// The ledger as XLSX: the public disclosure in one sheet, Chinese headers,
/// names not codes, amounts as numbers in yuan, no sign-in needed; a bad
/// community code is refused.
#[tokio::test]
async fn the_fund_ledger_exports_as_xlsx_as_public_as_the_disclosure() {
    use calamine::{Data, Reader, Xlsx};
    use shanzhi_app::deliberation::{LEDGER_HEADERS, LEDGER_SHEET};

    let w = world().await;
    let fund = format!("/api/v1/communities/{INSIDE}/fund");
    for (amount, source, reference) in [("50,000", "city", "成社治发〔2026〕1号"), ("1,234.5", "foundation", "捐-7")]
    {
        let body = json!({"amount": amount, "source": source, "reference": reference});
        w.ok(Some("admin"), Method::POST, &format!("{fund}/allocations"), Some(body)).await;
    }
    let disclosed = w.ok(None, Method::GET, &fund, None).await;
    let (status, headers, bytes) = w.api.send_raw(None, Method::GET, &format!("{fund}/ledger.xlsx"), &[], vec![]).await;
    assert_eq!(status, StatusCode::OK, "public, like the disclosure");
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers["content-disposition"].to_str().unwrap_or("").contains(".xlsx"));
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    assert_eq!(book.sheet_names(), [LEDGER_SHEET], "one sheet");
    let range = book.worksheet_range(LEDGER_SHEET).expect("the sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let text = |c: &Data| if let Data::String(s) = c { s.clone() } else { String::new() };
    let number = |c: &Data| if let Data::Float(f) = c { *f } else { f64::NAN };
    assert_eq!(rows[0].iter().map(text).collect::<Vec<_>>(), LEDGER_HEADERS);
    let lines = disclosed["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    for (i, line) in lines.iter().enumerate() {
        let row = &rows[i + 1];
        assert_eq!(text(&row[2]), line["kind"].as_str().unwrap_or("?"));
        assert_eq!(text(&row[5]), line["detail"].as_str().unwrap_or("?"));
        assert_eq!(text(&row[6]), line["hash"].as_str().unwrap_or("?"));
    }
    assert_eq!((number(&rows[1][3]), number(&rows[2][3])), (50_000.0, 1_234.5), "yuan, as numbers");
    let all: Vec<String> = rows.iter().flat_map(|r| r.iter().map(text)).collect();
    assert!(all.iter().any(|c| c.contains("成社治发〔2026〕1号")), "the reference");
    assert!(!all.iter().any(|c| c == "city" || c == "foundation"), "sources by name, never codes: {all:?}");
    let total =
        |label: &str| rows.iter().find(|r| r.get(2).map(text).is_some_and(|t| t == label)).map(|r| number(&r[3]));
    assert_eq!(total("可用余额"), Some(51_234.5), "the balance under the lines");
    assert_eq!(total("已支付"), Some(0.0));

    let (status, _, body) =
        w.api.send_raw(None, Method::GET, "/api/v1/communities/5101/fund/ledger.xlsx", &[], vec![]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&serde_json::from_slice(&body).expect("an error body"), "invalid_community");
}
