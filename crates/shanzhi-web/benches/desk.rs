//! How long the server takes to render the dispatcher's workbench (`/desk`)
//! with 10,000 open matters in the dispatcher's scope, on the embedded
//! SQLite store: the whole request (session, queries, template), in process.
//!
//!   cargo bench -p shanzhi-web --bench desk
//!
//! Target (issues 8 and 15): ≤ 300 ms, also with filters applied (a
//! community and a category, a search word, a line). Prints the median, p95
//! and max per page.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use shanzhi_app::NoProgress;
use shanzhi_app::matters::DemoOptions;
use shanzhi_app::matters::MatterFilter;
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;
use shanzhi_web::{HttpOptions, router};
use tower::ServiceExt;

const OPEN: usize = 10_000;
const ROUNDS: usize = 30;

#[tokio::main]
async fn main() {
    let t = TestApp::new().start().await;
    let operator = t.operator();
    let started = Instant::now();
    operator.load_demo().await.expect("demo");
    let jinjiang = shanzhi_domain::DivisionCode::parse("510104").expect("锦江区");
    let options = DemoOptions { count: OPEN, seed: 8, open_only: true, spread_hours: 72, within: Some(jinjiang) };
    operator.generate_demo_matters_with(&options, &NoProgress).await.expect("open matters");
    t.add_account("bench_dispatcher", Role::Dispatcher, Some("510104")).await;
    let token = t.token("bench_dispatcher").await;
    let dispatcher = t.authenticate(&token).await.expect("session");
    let counts = t.scoped(dispatcher.clone()).matter_counts(&MatterFilter::default()).await.expect("counts");
    let open: u64 = counts.iter().filter(|(s, _)| s.is_open()).map(|(_, n)| n).sum();
    println!(
        "setup {:.1} s: {open} open matters in the dispatcher's scope ({} in all)",
        started.elapsed().as_secs_f64(),
        counts.values().sum::<u64>()
    );
    assert!(open >= OPEN as u64, "the benchmark needs {OPEN} open matters");

    // Filters as a dispatcher applies them, taken from a matter of the data:
    // its community and category, and a word of its description.
    let sample = t.scoped(dispatcher.clone()).matters(&MatterFilter::default(), None).await.expect("a page");
    let m = sample.items.first().expect("a matter");
    let word: String = m.description.chars().take(2).collect();
    let word = url::form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>();
    let (community, category) = (m.community.clone(), m.category.clone());
    let mut cases: Vec<String> =
        ["intake", "filed", "escalated", "waiting", "overdue"].iter().map(|tab| format!("/desk?tab={tab}")).collect();
    cases.extend([
        format!("/desk?tab=intake&within={community}&category={category}"),
        format!("/desk?tab=waiting&within={community}&category={category}"),
        format!("/desk?tab=intake&q={word}"),
        format!("/desk?tab=waiting&within={community}&q={word}"),
        "/desk?tab=overdue&line=safety".to_owned(),
    ]);

    let web = router(t.app().clone(), HttpOptions::default());
    let cookie = format!("shanzhi_session={token}");
    for uri in cases {
        let mut times = Vec::with_capacity(ROUNDS);
        let mut bytes = 0;
        for _ in 0..ROUNDS {
            let request =
                Request::builder().uri(&uri).header(header::COOKIE, &cookie).body(Body::empty()).expect("request");
            let t = Instant::now();
            let response = web.clone().oneshot(request).await.expect("response");
            assert_eq!(response.status(), StatusCode::OK);
            bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body").len();
            times.push(t.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{uri:<70} median {:6.1} ms  p95 {:6.1} ms  max {:6.1} ms  ({} kB)  target ≤ 300 ms",
            ms(times[ROUNDS / 2]),
            ms(times[ROUNDS * 95 / 100]),
            ms(times[ROUNDS - 1]),
            bytes / 1024
        );
    }
}
