//! How long the first page of a search (`q=`) takes in a city supervisor's
//! scope, at the store: the demo plus `SEARCH_BENCH_MATTERS` generated
//! matters (200,000 by default), on the backend of `SHANZHI_TEST_BACKEND`
//! (SQLite by default; PostgreSQL under `scripts/with-postgres`).
//!
//!   cargo bench -p shanzhi-app --bench search
//!
//! Each word is timed through the store (the index: `search_text` checked,
//! rare words read through `matter_grams`) and, beside it, through the query
//! the store ran before the index (an unindexed `LIKE` over description,
//! address and number along the city's time index), on the same database.
//! Prints the median and p95 of each and the number of matches on the page.

use std::time::{Duration, Instant};

use shanzhi_app::NoProgress;
use shanzhi_app::matters::DemoOptions;
use shanzhi_domain::DivisionCode;
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::TestApp;

const ROUNDS: usize = 40;
const PAGE: usize = 50;

/// The columns the store read for a list before the index.
const COLUMNS: &str = "id, number, channel, external_ref, category_code, category_version, line, severity, \
    description, address, lng, lat, grid_code, general_grid, reporter_user_id, reporter_name, reporter_phone, \
    duplicate_of, status_json, reported_at, updated_at, clock_json, event_count, last_hash, reporter_key_hash, \
    request_hash";

fn stats(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() * 95 / 100]))
}

fn like(word: &str) -> String {
    let escaped: String =
        word.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{escaped}%")
}

/// The query of the store before the index, on a pool of its own.
enum Before {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Before {
    async fn open(cli_args: &[String]) -> Before {
        match (cli_args[0].as_str(), cli_args[1].as_str()) {
            ("--data-dir", dir) => Before::Sqlite(
                sqlx::SqlitePool::connect(&format!("sqlite://{dir}/shanzhi.db")).await.expect("open sqlite"),
            ),
            (_, url) => Before::Postgres(sqlx::PgPool::connect(url).await.expect("open postgres")),
        }
    }

    async fn page(&self, word: &str) -> usize {
        let p = like(word);
        let sql = |ph: [&str; 4]| {
            format!(
                "SELECT {COLUMNS} FROM matters WHERE city_code = {} AND (description LIKE {} ESCAPE '\\' \
                 OR address LIKE {} ESCAPE '\\' OR number LIKE {} ESCAPE '\\') ORDER BY reported_at DESC, id DESC \
                 LIMIT {PAGE}",
                ph[0], ph[1], ph[2], ph[3]
            )
        };
        // One statement for either pool (their types differ).
        macro_rules! page {
            ($pool:expr, $placeholders:expr) => {
                sqlx::query(sqlx::AssertSqlSafe(sql($placeholders)))
                    .bind("510100000000")
                    .bind(&p)
                    .bind(&p)
                    .bind(&p)
                    .fetch_all($pool)
                    .await
                    .expect("before")
                    .len()
            };
        }
        match self {
            Before::Sqlite(pool) => page!(pool, ["?", "?", "?", "?"]),
            Before::Postgres(pool) => page!(pool, ["$1", "$2", "$3", "$4"]),
        }
    }
}

#[tokio::main]
async fn main() {
    let matters: usize = std::env::var("SEARCH_BENCH_MATTERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let t = TestApp::new().start().await;
    let operator = t.operator();
    let started = Instant::now();
    operator.load_demo().await.expect("demo");
    let options = DemoOptions { count: matters, seed: 11, open_only: false, spread_hours: 24 * 90, within: None };
    operator.generate_demo_matters_with(&options, &NoProgress).await.expect("matters");
    t.store().analyze().await.expect("analyze");
    println!("setup {:.0} s: the demo and {matters} generated matters", started.elapsed().as_secs_f64());

    let city =
        MatterScope { divisions: vec![DivisionCode::parse("510100").expect("成都市")], ..MatterScope::default() };
    let query = |text: Option<&str>| MatterQuery {
        scope: city.clone(),
        text: text.map(str::to_owned),
        limit: PAGE,
        ..MatterQuery::default()
    };
    // Words from the data: a community's name (a place: rare), a matter's
    // number, a phrase of many descriptions (common), and a word no
    // description holds.
    let sample = t.store().matters(&query(None)).await.expect("a page").remove(0);
    let d = &sample.description;
    let place: String = match ["社区", "村"].iter().find_map(|end| d.find(end).map(|i| i + end.len())) {
        Some(end) => d[..end].to_owned(),
        None => d.chars().take(4).collect(),
    };
    let words = [
        ("rare (a community)", place),
        ("a number", sample.number.clone()),
        ("common", "尽快".to_owned()),
        ("absent", "公积金".to_owned()),
    ];

    let before = Before::open(&t.db().cli_args).await;
    println!(
        "{:<22} {:>8} {:>10} {:>10}   {:>10} {:>10}",
        "word", "on page", "p50 ms", "p95 ms", "before p50", "before p95"
    );
    for (label, word) in &words {
        let mut after = Vec::with_capacity(ROUNDS);
        let mut old = Vec::with_capacity(ROUNDS);
        let (mut found, mut found_before) = (0, 0);
        for _ in 0..ROUNDS {
            let at = Instant::now();
            found = t.store().matters(&query(Some(word))).await.expect("search").len();
            after.push(at.elapsed());
            let at = Instant::now();
            found_before = before.page(word).await;
            old.push(at.elapsed());
        }
        let ((p50, p95), (b50, b95)) = (stats(after), stats(old));
        println!(
            "{:<22} {found:>8} {p50:>10.1} {p95:>10.1}   {b50:>10.1} {b95:>10.1}   ({word}; before found {found_before})",
            label
        );
    }
}
