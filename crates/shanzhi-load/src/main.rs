//! `shanzhi-load`: a load generator that speaks HTTP to a running Shanzhi.
//!
//! - `intake`: `--concurrency` clients post reports as fast as answers come
//!   back, for `--seconds`; every 201 is a durable commit (the server answers
//!   after its transaction commits). Prints reports per second and latency.
//! - `list`: clients page through `/api/v1/matters` with the given filters
//!   (first pages and next pages by cursor), signed in with `--token`.
//!
//! Prints one JSON line per run, for the notes and for CI logs.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rand::RngExt;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(name = "shanzhi-load", about = "善治 HTTP 负载测试 (HTTP load generator)")]
struct Cli {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// API token (`shanzhi token create`); reports go in anonymously without one.
    #[arg(long, env = "SHANZHI_LOAD_TOKEN")]
    token: Option<String>,
    /// Sign in as `username:password` instead of giving a token.
    #[arg(long, value_name = "USER:PASSWORD")]
    login: Option<String>,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Post reports at random points of the grid.
    Intake {
        /// Where to look for points (lng0,lat0,lng1,lat1); kept if they fall in a grid.
        #[arg(long, default_value = "104.03,30.60,104.15,30.70")]
        bbox: String,
    },
    /// List matters with these query strings (each a scenario, cycled).
    List {
        #[arg(long = "query", default_values_t = [String::from("limit=50")])]
        queries: Vec<String>,
        /// Also follow the `next` cursor this many pages.
        #[arg(long, default_value_t = 2)]
        pages: usize,
        /// The endpoint (e.g. /api/v1/matters/warnings).
        #[arg(long, default_value = "/api/v1/matters")]
        path: String,
    },
}

const CATEGORIES: [&str; 8] = ["0101", "0102", "0110", "0201", "0301", "0302", "0116", "0205"];
const TEXTS: [&str; 6] = [
    "门口路面破损，影响通行",
    "垃圾堆放多日无人清运",
    "小广告贴满电线杆",
    "夜间施工噪音扰民",
    "油烟直排影响居民",
    "招牌松动有坠落危险",
];

struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    statuses: Vec<u16>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn health(client: &reqwest::Client, url: &str) -> anyhow::Result<Value> {
    let r = client.get(format!("{url}/healthz")).send().await.context("server not reachable")?;
    Ok(r.json().await?)
}

/// Points that the server places in a grid.
async fn points(client: &reqwest::Client, url: &str, bbox: &str) -> anyhow::Result<Vec<(f64, f64)>> {
    let b: Vec<f64> = bbox.split(',').map(|v| v.trim().parse()).collect::<Result<_, _>>().context("bbox")?;
    let [x0, y0, x1, y1] = b[..] else { bail!("bbox needs four numbers") };
    let mut rng = rand::rng();
    let mut found = Vec::new();
    for _ in 0..3000 {
        let (x, y) = (rng.random_range(x0..x1), rng.random_range(y0..y1));
        let v: Value = client.get(format!("{url}/api/v1/locate?lng={x}&lat={y}")).send().await?.json().await?;
        if v["found"] == true {
            found.push((x, y));
        }
    }
    if found.is_empty() {
        bail!("no point of {bbox} falls in a grid: is the demo loaded?");
    }
    Ok(found)
}

async fn worker(
    client: reqwest::Client,
    cli_url: String,
    token: Option<String>,
    mode: std::sync::Arc<Mode>,
    pts: std::sync::Arc<Vec<(f64, f64)>>,
    start_measuring: Instant,
    stop: Instant,
) -> Outcome {
    let mut out = Outcome { latencies: Vec::new(), errors: 0, statuses: Vec::new() };
    let mut n = 0usize;
    while Instant::now() < stop {
        n += 1;
        let began = Instant::now();
        let result = match mode.as_ref() {
            Mode::Intake { .. } => {
                let (x, y, cat, text) = {
                    let mut rng = rand::rng();
                    let (x, y) = pts[rng.random_range(0..pts.len())];
                    (x, y, CATEGORIES[rng.random_range(0..CATEGORIES.len())], TEXTS[rng.random_range(0..TEXTS.len())])
                };
                let body =
                    json!({"category": cat, "lng": x, "lat": y, "description": format!("{text}（负载测试 {n}）")});
                let mut req = client.post(format!("{cli_url}/api/v1/matters")).json(&body);
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                req.send().await.map(|r| r.status().as_u16())
            }
            Mode::List { queries, pages, path } => {
                let q = &queries[n % queries.len()];
                let mut uri = format!("{cli_url}{path}?{q}");
                let mut status = Ok(200);
                for _ in 0..=*pages {
                    let mut req = client.get(&uri);
                    if let Some(t) = &token {
                        req = req.bearer_auth(t);
                    }
                    let page_began = Instant::now();
                    match req.send().await {
                        Ok(r) => {
                            let code = r.status().as_u16();
                            let v: Value = r.json().await.unwrap_or(Value::Null);
                            if page_began >= start_measuring {
                                out.latencies.push(page_began.elapsed());
                                out.statuses.push(code);
                            }
                            if code != 200 {
                                status = Ok(code);
                                break;
                            }
                            match v["next"].as_str() {
                                Some(next) => uri = format!("{cli_url}{path}?{q}&cursor={next}"),
                                None => break,
                            }
                        }
                        Err(e) => {
                            status = Err(e);
                            break;
                        }
                    }
                }
                if let Ok(code) = &status
                    && *code != 200
                    && began >= start_measuring
                {
                    out.errors += 1;
                }
                continue;
            }
        };
        if began < start_measuring {
            continue;
        }
        match result {
            Ok(code @ (200 | 201)) => {
                out.latencies.push(began.elapsed());
                out.statuses.push(code);
            }
            Ok(code) => {
                out.errors += 1;
                out.statuses.push(code);
            }
            Err(_) => out.errors += 1,
        }
    }
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let url = cli.url.trim_end_matches('/').to_owned();
    let client = reqwest::Client::builder().pool_max_idle_per_host(cli.concurrency).build()?;
    let health = health(&client, &url).await?;
    let token = match (&cli.token, &cli.login) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(login)) => {
            let (username, password) = login.split_once(':').context("--login USER:PASSWORD")?;
            let r = client
                .post(format!("{url}/api/v1/auth/login"))
                .json(&json!({"username": username, "password": password}))
                .send()
                .await?;
            let v: Value = r.json().await?;
            Some(v["token"].as_str().with_context(|| format!("sign-in failed: {v}"))?.to_owned())
        }
        (None, None) => None,
    };
    let pts = match &cli.mode {
        Mode::Intake { bbox } => points(&client, &url, bbox).await?,
        Mode::List { .. } => Vec::new(),
    };
    let name = match &cli.mode {
        Mode::Intake { .. } => "intake",
        Mode::List { .. } => "list",
    };
    let mode = std::sync::Arc::new(cli.mode);
    let pts = std::sync::Arc::new(pts);
    let start_measuring = Instant::now() + Duration::from_secs(cli.warmup);
    let stop = start_measuring + Duration::from_secs(cli.seconds);
    let mut tasks = Vec::new();
    for _ in 0..cli.concurrency {
        tasks.push(tokio::spawn(worker(
            client.clone(),
            url.clone(),
            token.clone(),
            mode.clone(),
            pts.clone(),
            start_measuring,
            stop,
        )));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut codes: std::collections::BTreeMap<u16, usize> = std::collections::BTreeMap::new();
    for t in tasks {
        let o = t.await?;
        latencies.extend(o.latencies);
        errors += o.errors;
        for c in o.statuses {
            *codes.entry(c).or_default() += 1;
        }
    }
    latencies.sort();
    let secs = cli.seconds as f64;
    let scenario = match mode.as_ref() {
        Mode::List { queries, path, .. } => format!("{path}?{}", queries.join(" | ")),
        Mode::Intake { .. } => "POST /api/v1/matters".to_owned(),
    };
    let summary = json!({
        "mode": name,
        "scenario": scenario,
        "as": cli.login.as_deref().and_then(|l| l.split(':').next()),
        "backend": health["database"]["backend"].as_str().or(health["backend"].as_str()),
        "concurrency": cli.concurrency,
        "seconds": cli.seconds,
        "ok": latencies.len(),
        "errors": errors,
        "statuses": codes,
        "per_second": (latencies.len() as f64 / secs).round(),
        "p50_ms": (percentile(&latencies, 0.50) * 10.0).round() / 10.0,
        "p90_ms": (percentile(&latencies, 0.90) * 10.0).round() / 10.0,
        "p99_ms": (percentile(&latencies, 0.99) * 10.0).round() / 10.0,
        "max_ms": (percentile(&latencies, 1.0) * 10.0).round() / 10.0,
    });
    println!("{summary}");
    Ok(())
}
