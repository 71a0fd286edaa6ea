//! `shanzhi serve`: open the store (migrating it), load the demo if asked,
//! serve HTTP until SIGINT/SIGTERM, then drain requests and close the store.

use std::time::Duration;

use anyhow::Context;
use shanzhi_app::callbacks::push::{ResultsPushConfig, run_results_push};
use shanzhi_app::notify::{
    EmailChannel, Notifier, NotifierConfig, SmtpConfig, WebhookChannel, WebhookConfig, run_notifier,
};
use shanzhi_app::timing::{SweeperConfig, run_sweeper};
use shanzhi_app::tlog::{CheckpointerConfig, run_checkpointer};
use shanzhi_domain::notify::{NotificationChannel, QuietHours};
use shanzhi_web::HttpOptions;

use crate::config::Config;

pub async fn run(config: &Config, clock_file: Option<&std::path::Path>) -> anyhow::Result<()> {
    // A drill clock, with the demo only: never on real data.
    let clock = match clock_file {
        Some(_) if !config.demo => anyhow::bail!(
            "--clock-file 仅用于演练，须与 --demo 一起使用 (--clock-file is for drills only: it needs --demo)"
        ),
        Some(path) => Some(crate::drill_clock::FileClock::open(path)?),
        None => None,
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        addr = %config.addr,
        data_dir = %config.data_dir.display(),
        database_url = ?config.database_url,
        demo = config.demo,
        "starting shanzhi"
    );
    let (store, app, key) = crate::open_app(config).await?;
    let mut notifier = notifier_of(config)?;
    if app.sms().is_live() {
        // Notices by text message use the sign-in codes' gateway.
        let gateway: std::sync::Arc<dyn shanzhi_app::notify::SmsGateway> = std::sync::Arc::new(app.sms().clone());
        notifier =
            notifier.with(NotificationChannel::Sms, std::sync::Arc::new(shanzhi_app::notify::SmsChannel(gateway)));
    }
    let app = app.with_notifier(notifier);
    let app = match clock {
        Some(clock) => {
            tracing::warn!(
                file = ?clock_file,
                now = %shanzhi_app::timing::Clock::now(&clock),
                "演练时钟：服务器时间取自时钟文件，仅用于演练和培训，切勿用于真实数据 \
                 (DRILL CLOCK: the server's time comes from the clock file; for drills and training only, never real data)"
            );
            app.with_clock(std::sync::Arc::new(clock))
        }
        None => app,
    };
    // The operator's key stays here: the web interface gets the application only.
    let operator = app.operator(&key);
    if config.demo {
        let started = std::time::Instant::now();
        let report = operator.load_demo().await?;
        if let Some(r) = &report.divisions {
            tracing::info!(report = %r, "演示区划已载入 (demo divisions loaded)");
        }
        if let Some(r) = &report.grids {
            tracing::info!(report = %r, "演示网格已生成 (demo grid generated)");
        }
        if report.matters > 0 {
            tracing::info!(matters = report.matters, "演示事件已生成 (demo matters created)");
        }
        if report.departments > 0 {
            tracing::info!(departments = report.departments, "演示部门已载入 (demo departments loaded)");
        }
        if report.deliberation {
            tracing::info!(
                community = shanzhi_app::demo::DEMO_COMMUNITY,
                "演示社区议事已载入，公开页 /c/{} (demo deliberation loaded)",
                shanzhi_app::demo::DEMO_COMMUNITY
            );
        }
        if let Some(r) = &report.register {
            tracing::info!(
                report = %r.import,
                care_marks = r.care_marks,
                "演示网格台账已载入，网格员页 /grid/today (demo grid register loaded)"
            );
        }
        print_demo_accounts();
        if report.divisions.is_none() && report.grids.is_none() {
            tracing::info!("演示数据此前已载入 (demo data already loaded)");
        } else {
            tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "demo ready");
        }
    }
    let added = operator.ensure_categories("system").await?;
    if added > 0 {
        tracing::info!(categories = added, "事项分类与职责清单已载入 (category dictionary and duty lists loaded)");
    }
    app.refresh_grid_index().await?;
    store.analyze().await?;
    app.reload_timing().await?;
    let missing = app.missing_calendar_years();
    if !missing.is_empty() {
        tracing::warn!(
            years = ?missing,
            "法定节假日数据缺失，这些年份的时限只按周末计算 (official holidays missing for these years: deadlines count weekends only until they are imported with `shanzhi import calendar`)"
        );
    }
    if config.sweep && config.sweep_lease_secs < 2 * config.sweep_interval_secs.max(1) {
        anyhow::bail!(
            "sweep_lease_secs ({}) 至少应为 sweep_interval_secs ({}) 的两倍，否则持有者会在两轮之间失去租约 \
             (the sweep lease must last at least two sweep intervals, or its holder loses it between rounds)",
            config.sweep_lease_secs,
            config.sweep_interval_secs
        );
    }
    let digest_minute = match config.digest_at.trim() {
        "off" | "" => None,
        at => Some(
            QuietHours::parse_time(at)
                .map_err(|m| anyhow::anyhow!("digest_at：{}（应为 HH:MM 或 off）({}; HH:MM or off)", m.zh, m.en))?,
        ),
    };
    let results_push = results_push_of(config)?;
    let (stop_sweeper, stopped) = tokio::sync::watch::channel(false);
    let sweeper = config.sweep.then(|| {
        let sweep = SweeperConfig {
            holder: config.server_name.clone().unwrap_or_else(server_name),
            interval: Duration::from_secs(config.sweep_interval_secs.max(1)),
            lease_ttl: Duration::from_secs(config.sweep_lease_secs.max(2)),
            digest_minute,
        };
        tracing::info!(holder = %sweep.holder, interval_secs = sweep.interval.as_secs(), lease_secs = sweep.lease_ttl.as_secs(), "sweeper on");
        let mut stopped = stopped.clone();
        tokio::spawn(run_sweeper(app.clone(), sweep, async move {
            let _ = stopped.changed().await;
        }))
    });
    let notifier = if config.notify {
        let job = NotifierConfig {
            interval: Duration::from_secs(config.notify_interval_secs.max(1)),
            lease_ttl: Duration::from_secs(config.notify_lease_secs.max(5)),
            ..NotifierConfig::new(config.server_name.clone().unwrap_or_else(server_name))
        };
        tracing::info!(holder = %job.holder, channels = ?app.notifier().external(), "notifications on");
        let mut stopped = stopped.clone();
        Some(tokio::spawn(run_notifier(app.clone(), job, async move {
            let _ = stopped.changed().await;
        })))
    } else {
        None
    };
    let pusher = results_push.map(|job| {
        tracing::info!(url = %job.url, "hotline results webhook on");
        let mut stopped = stopped.clone();
        tokio::spawn(run_results_push(app.clone(), job, async move {
            let _ = stopped.changed().await;
        }))
    });
    let checkpointer = match (&app.log_setup().signer, config.checkpoint_interval_minutes) {
        (None, _) => {
            tracing::warn!(
                "未配置日志签名密钥，不签发检查点；用 shanzhi audit keygen --out FILE 生成并设置 tlog_key_file                  (no log signing key: no checkpoints are signed; make one with shanzhi audit keygen and set tlog_key_file)"
            );
            None
        }
        (Some(_), 0) => None,
        (Some(signer), minutes) => {
            let job = CheckpointerConfig {
                holder: config.server_name.clone().unwrap_or_else(server_name),
                interval: Duration::from_secs(minutes.saturating_mul(60)),
            };
            tracing::info!(key = %signer.verifier().to_text(), minutes, dir = %config.checkpoint_dir().display(), "checkpoints on");
            let mut stopped = stopped.clone();
            Some(tokio::spawn(run_checkpointer(app.clone(), job, async move {
                let _ = stopped.changed().await;
            })))
        }
    };
    // Other processes (a CLI import, another server) may change the grid:
    // follow the store's revision counter.
    let every = Duration::from_secs(config.grid_refresh_secs.max(1));
    let follower = app.clone();
    let refresher = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = follower.refresh_grid_index().await {
                tracing::warn!(error = %e, "grid index refresh failed; keeping the current index");
            }
            if let Err(e) = follower.reload_dictionary().await {
                tracing::warn!(error = %e, "dictionary reload failed; keeping the current one");
            }
        }
    });
    let limits = HttpOptions {
        body_bytes: config.body_limit_bytes,
        timeout: Duration::from_secs(config.request_timeout_secs),
        secure_cookies: config.secure_cookies,
        map_tiles_url: config.map_tiles_url.clone(),
        map_tiles_file: config.map_tiles_file.clone(),
        public_url: config.public_url(),
        trusted_proxies: config.trusted_proxies.0.clone(),
        anonymous_reports_per_hour: config.anonymous_reports_per_hour,
        uploads_per_hour: config.uploads_per_hour,
        sms_codes_per_hour: config.sms_codes_per_address_hour,
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("无法监听地址 (cannot listen on) {}", config.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening on http://{addr}");
    // The peer's address reaches the handlers (per-address throttles).
    let service = shanzhi_web::router(app, limits).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown_signal()).await.context("HTTP server failed")?;
    refresher.abort();
    let _ = stop_sweeper.send(true);
    if let Some(handle) = sweeper {
        let _ = handle.await;
    }
    if let Some(handle) = checkpointer {
        let _ = handle.await;
    }
    if let Some(handle) = notifier {
        let _ = handle.await;
    }
    if let Some(handle) = pusher {
        let _ = handle.await;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The channels this server delivers through: the log stands in for every
/// external one, the webhook when configured (URL and secret together).
fn notifier_of(config: &Config) -> anyhow::Result<Notifier> {
    let notifier = email_of(config, Notifier::development())?;
    match (&config.notify_webhook_url, &config.notify_webhook_secret) {
        (None, None) => Ok(notifier),
        (Some(url), Some(secret)) if !secret.0.is_empty() => {
            let url = http_url("notify_webhook_url", url)?;
            let hook = WebhookChannel::new(WebhookConfig {
                url: url.to_string(),
                secret: secret.0.clone(),
                timeout: Duration::from_secs(10),
            })
            .map_err(anyhow::Error::msg)?;
            Ok(notifier.with(NotificationChannel::Webhook, std::sync::Arc::new(hook)))
        }
        _ => anyhow::bail!(
            "notify_webhook_url 与 notify_webhook_secret 须一起设置 (set notify_webhook_url and notify_webhook_secret together)"
        ),
    }
}

/// The setting `key`'s URL, if it is an `http(s)` one.
fn http_url(key: &str, url: &str) -> anyhow::Result<url::Url> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .with_context(|| format!("{key} 不是 http(s) 地址 (not an http(s) URL): {url}"))
}

/// The results webhook (results back to 12345), when configured.
fn results_push_of(config: &Config) -> anyhow::Result<Option<ResultsPushConfig>> {
    match (&config.results_webhook_url, &config.results_webhook_secret) {
        (None, None) => Ok(None),
        (Some(url), Some(secret)) if !secret.0.is_empty() => {
            let url = http_url("results_webhook_url", url)?;
            Ok(Some(ResultsPushConfig {
                url: url.to_string(),
                secret: secret.0.clone(),
                timeout: Duration::from_secs(30),
                batch: 200,
                interval: Duration::from_secs(config.notify_interval_secs.max(1)),
            }))
        }
        _ => anyhow::bail!(
            "results_webhook_url 与 results_webhook_secret 须一起设置 (set results_webhook_url and results_webhook_secret together)"
        ),
    }
}

/// The e-mail channel when `smtp_host` is set (with `smtp_from`).
fn email_of(config: &Config, notifier: Notifier) -> anyhow::Result<Notifier> {
    let Some(host) = config.smtp_host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(notifier);
    };
    let from = config
        .smtp_from
        .clone()
        .context("smtp_host 须与 smtp_from（发件地址）一起设置 (set smtp_from with smtp_host)")?;
    let email = EmailChannel::new(SmtpConfig {
        host: host.to_owned(),
        port: config.smtp_port,
        user: config.smtp_user.clone(),
        password: config.smtp_password.as_ref().map(|p| p.0.clone()),
        from,
        starttls: config.smtp_starttls,
        public_url: config.public_url.clone(),
        timeout: Duration::from_secs(30),
    })
    .map_err(anyhow::Error::msg)?;
    Ok(notifier.with(NotificationChannel::Email, std::sync::Arc::new(email)))
}

/// `host:pid`, unique enough among the servers sharing one database.
fn server_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "shanzhi".to_owned());
    format!("{host}:{}", std::process::id())
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// The demo accounts and their password, on standard output (not the log):
/// demo data only.
fn print_demo_accounts() {
    use shanzhi_app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
    println!("演示账号 (demo accounts), 密码 (password): {DEMO_PASSWORD}");
    for (username, name, role, scope, _) in DEMO_ACCOUNTS {
        println!("  {username:<16} {:<12} {:<18} {name}", role.as_str(), scope.unwrap_or("-"));
    }
}
