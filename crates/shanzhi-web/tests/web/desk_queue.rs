//! The desk's queue: the most urgent first and, within a colour, the oldest
//! deadline first across pages.

use std::sync::Arc;

use axum::http::StatusCode;
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_testkit::{TestApp, one_grid_community};

use crate::desk::{get, href, report, sign_in_as};
use crate::support::TestApi;

#[tokio::test]
async fn within_a_colour_the_oldest_deadline_comes_first_across_pages() {
    // Monday 2 November 2026, 10:00 in Chengdu.
    let clock = Arc::new(ManualClock::new("2026-11-02T02:00:00Z".parse().expect("time")));
    let app = TestApi::start(
        TestApp::new()
            .with_clock(clock.clone())
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_accounts(&[
                ("desk_dispatcher", Role::Dispatcher, Some("510104022")),
                ("desk_resident", Role::Resident, None),
            ]),
    )
    .await;
    let oldest = report(&app, "0110", "井盖破损，最早").await;
    clock.set("2026-11-04T02:00:00Z".parse().expect("time"));
    let older = report(&app, "0110", "井盖破损，其次").await;
    clock.set("2026-11-25T02:00:00Z".parse().expect("time"));
    app.app.sweep().await.expect("sweep");
    let fresh = report(&app, "0110", "井盖破损，刚发现").await;
    let cookie = sign_in_as(&app, "desk_dispatcher").await;

    let desk = get(&app, "/desk", &cookie).await;
    let at = |n: &str| desk.body.find(&format!("href=\"/m/{n}\"")).unwrap_or_else(|| panic!("{n} listed"));
    assert!(at(&oldest) < at(&older), "both overdue: the one due first is listed first");
    assert!(at(&older) < at(&fresh), "red before the rest");

    // One row a page: page 2 continues page 1, page 3 the last, no repeat.
    let mut uri = "/desk?limit=1".to_owned();
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = get(&app, &uri, &cookie).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains(&format!("共 3 件，第 {page} 页")), "{}", p.body);
        let n = [&oldest, &older, &fresh]
            .into_iter()
            .find(|n| p.body.contains(&format!("href=\"/m/{n}\"")))
            .expect("a row");
        seen.push(n.clone());
        if page < 3 {
            uri = href(&p.body, "page-next");
        } else {
            assert!(!p.body.contains("id=\"page-next\""), "no page after the last");
        }
    }
    assert_eq!(seen, [oldest, older, fresh]);
}
