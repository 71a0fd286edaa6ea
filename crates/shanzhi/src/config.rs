//! Configuration: defaults < `shanzhi.toml` < `SHANZHI_*` environment <
//! command-line flags. Unknown keys in the file are errors, not silence.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::{Cli, Command};
use crate::database_url::DatabaseUrl;

/// Keys read from `SHANZHI_<KEY>` (e.g. `SHANZHI_DATABASE_URL`).
const ENV_KEYS: [&str; 33] = [
    "addr",
    "data_dir",
    "database_url",
    "demo",
    "log",
    "log_format",
    "body_limit_bytes",
    "request_timeout_secs",
    "grid_refresh_secs",
    "secure_cookies",
    "sweep",
    "sweep_interval_secs",
    "sweep_lease_secs",
    "server_name",
    "map_tiles_url",
    "map_tiles_file",
    "public_url",
    "trusted_proxies",
    "anonymous_reports_per_hour",
    "uploads_per_hour",
    "login_failures_per_name",
    "login_failures_per_address",
    "login_window_minutes",
    "tlog_key_file",
    "checkpoint_dir",
    "checkpoint_interval_minutes",
    "witness_urls",
    "witness_for",
    "notify",
    "notify_interval_secs",
    "notify_lease_secs",
    "notify_webhook_url",
    "notify_webhook_secret",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the server listens on.
    pub addr: SocketAddr,
    /// Directory of the embedded SQLite database (`shanzhi.db`) and files.
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://…`; when set, `data_dir` is not used for the database.
    pub database_url: Option<DatabaseUrl>,
    /// Load the Chengdu demo data on first start.
    pub demo: bool,
    /// Log filter, as in RUST_LOG (e.g. `info`, `shanzhi=debug,sqlx=warn`).
    pub log: String,
    /// `text` or `json` (one JSON object per line, for log collectors).
    pub log_format: LogFormat,
    /// Largest request body accepted.
    pub body_limit_bytes: usize,
    /// Longest a request may take.
    pub request_timeout_secs: u64,
    /// How often a server checks whether the stored grid changed (imports by
    /// other processes) and rebuilds its point index.
    pub grid_refresh_secs: u64,
    /// Mark the session cookie `Secure`: set when Shanzhi is served over TLS.
    pub secure_cookies: bool,
    /// Take part in the warning sweep (one server at a time holds its lease).
    pub sweep: bool,
    /// How often the lease holder sweeps (and every server re-reads the calendar).
    pub sweep_interval_secs: u64,
    /// A sweep lease not renewed for this long passes to another server.
    pub sweep_lease_secs: u64,
    /// This server's name in the lease row (default: host name and process id).
    pub server_name: Option<String>,
    /// A base-map tile URL for the UI's maps (`{z}/{x}/{y}`, e.g. 天地图 with
    /// its key, or an intranet tile server). None: the grid alone, no base map.
    pub map_tiles_url: Option<String>,
    /// A PMTiles base map (vector tiles, e.g. Chengdu cut from OpenStreetMap)
    /// that Shanzhi serves itself at `/map/tiles.pmtiles`; the browser draws it.
    pub map_tiles_file: Option<PathBuf>,
    /// This service's address as clients reach it (Open311 discovery and media
    /// links); default `http://` + `addr` (`127.0.0.1` for an unspecified address).
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed; a comma list in the environment.
    pub trusted_proxies: TrustedProxies,
    /// Reports without an account per client address and hour.
    pub anonymous_reports_per_hour: u32,
    /// Photo uploads per client address and hour.
    pub uploads_per_hour: u32,
    /// Failed sign-ins of one user name from one address within the window
    /// before that pair is refused until the window ends.
    pub login_failures_per_name: i64,
    /// Failed sign-ins from one address within the window, whatever the names.
    pub login_failures_per_address: i64,
    /// The sign-in throttles' window.
    pub login_window_minutes: i64,
    /// The transparency log's Ed25519 signing key (`shanzhi audit keygen`);
    /// default `<data_dir>/tlog.key` when that file exists.
    pub tlog_key_file: Option<PathBuf>,
    /// Where signed checkpoints are written, outside the database; default
    /// `<data_dir>/checkpoints`.
    pub checkpoint_dir: Option<PathBuf>,
    /// How often the lease holder signs a checkpoint (0: never by itself).
    pub checkpoint_interval_minutes: u64,
    /// Witnesses each checkpoint is sent to (URLs of `POST` endpoints, e.g.
    /// another Shanzhi's `/api/v1/log/witness`).
    pub witness_urls: TextList,
    /// As a witness: the public keys of the logs this instance cosigns for.
    pub witness_for: TextList,
    /// Deliver notifications (every server may: rows are leased one by one).
    pub notify: bool,
    /// How often the delivery worker looks for due notifications.
    pub notify_interval_secs: u64,
    /// A notification leased this long and not finished goes back (its
    /// server died) and is delivered again with the same idempotency key.
    pub notify_lease_secs: u64,
    /// Where the signed webhook posts notifications (e.g. a WeChat
    /// mini-program's or 政务钉钉's bridge). None: the log stands in.
    pub notify_webhook_url: Option<String>,
    /// The webhook's HMAC-SHA256 secret (never shown).
    pub notify_webhook_secret: Option<SecretText>,
}

/// A secret from the configuration: `Debug` never shows it.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(***)")
    }
}

/// A list of strings, from a TOML list or a comma list in the environment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "ListOrText", into = "Vec<String>")]
pub struct TextList(pub Vec<String>);

impl From<ListOrText> for TextList {
    fn from(v: ListOrText) -> Self {
        TextList(match v {
            ListOrText::List(l) => l,
            ListOrText::Text(t) => t.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
        })
    }
}

impl From<TextList> for Vec<String> {
    fn from(t: TextList) -> Self {
        t.0
    }
}

/// A list of addresses or CIDR blocks, from a TOML list or a comma list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "ListOrText", into = "Vec<String>")]
pub struct TrustedProxies(pub Vec<shanzhi_web::IpNet>);

#[derive(Deserialize)]
#[serde(untagged)]
enum ListOrText {
    List(Vec<String>),
    Text(String),
}

impl TryFrom<ListOrText> for TrustedProxies {
    type Error = String;
    fn try_from(v: ListOrText) -> Result<Self, Self::Error> {
        let items: Vec<String> = match v {
            ListOrText::List(l) => l,
            ListOrText::Text(t) => t.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
        };
        items
            .iter()
            .map(|s| {
                s.parse::<shanzhi_web::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(shanzhi_web::IpNet::from))
                    .map_err(|_| format!("trusted_proxies: “{s}”不是 IP 地址或网段 (not an address or CIDR block)"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl From<TrustedProxies> for Vec<String> {
    fn from(t: TrustedProxies) -> Self {
        t.0.iter().map(ToString::to_string).collect()
    }
}

impl Config {
    /// Sign-in settings: the throttles configured, the rest as shipped.
    pub fn auth(&self) -> shanzhi_app::access::AuthConfig {
        shanzhi_app::access::AuthConfig {
            max_failures: self.login_failures_per_name.max(1),
            max_failures_per_ip: self.login_failures_per_address.max(1),
            lock_minutes: self.login_window_minutes.max(1),
            ..shanzhi_app::access::AuthConfig::default()
        }
    }

    /// The log's key file: as configured, else `<data_dir>/tlog.key` if it exists.
    pub fn tlog_key_file(&self) -> Option<PathBuf> {
        self.tlog_key_file.clone().or_else(|| Some(self.data_dir.join("tlog.key")).filter(|p| p.is_file()))
    }

    pub fn checkpoint_dir(&self) -> PathBuf {
        self.checkpoint_dir.clone().unwrap_or_else(|| self.data_dir.join("checkpoints"))
    }

    /// [`Config::public_url`], or where this server listens.
    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            let host =
                if self.addr.ip().is_unspecified() { "127.0.0.1".to_owned() } else { self.addr.ip().to_string() };
            let host = if self.addr.is_ipv6() && !self.addr.ip().is_unspecified() { format!("[{host}]") } else { host };
            format!("http://{host}:{}", self.addr.port())
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("shanzhi-data"),
            database_url: None,
            demo: false,
            log: "info,sqlx=warn".to_owned(),
            log_format: LogFormat::Text,
            body_limit_bytes: 6 * 1024 * 1024,
            request_timeout_secs: 30,
            grid_refresh_secs: 15,
            secure_cookies: false,
            sweep: true,
            sweep_interval_secs: 30,
            sweep_lease_secs: 90,
            server_name: None,
            map_tiles_url: None,
            map_tiles_file: None,
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
            anonymous_reports_per_hour: 30,
            uploads_per_hour: 300,
            login_failures_per_name: 5,
            login_failures_per_address: 50,
            login_window_minutes: 15,
            tlog_key_file: None,
            checkpoint_dir: None,
            checkpoint_interval_minutes: 60,
            witness_urls: TextList::default(),
            witness_for: TextList::default(),
            notify: true,
            notify_interval_secs: 2,
            notify_lease_secs: 60,
            notify_webhook_url: None,
            notify_webhook_secret: None,
        }
    }
}

/// Values given on the command line; absent ones leave lower layers alone.
#[derive(Debug, Default, Serialize)]
struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    addr: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    demo: Option<bool>,
}

impl Flags {
    fn from_cli(cli: &Cli) -> Self {
        let store = cli.store_args();
        let mut flags = Flags { data_dir: store.data_dir, database_url: store.database_url, ..Flags::default() };
        if let Command::Serve(serve) = &cli.command {
            flags.addr = serve.addr;
            flags.demo = match (serve.demo, serve.no_demo) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
        }
        flags
    }
}

pub fn load(cli: &Cli) -> anyhow::Result<Config> {
    let file = config_file(cli.config.as_deref())?;
    build(file.as_deref(), Flags::from_cli(cli))
}

/// The file named by `--config` or `SHANZHI_CONFIG` (which must exist), else
/// `./shanzhi.toml` if it exists.
fn config_file(flag: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    let named = flag.map(Path::to_path_buf).or_else(|| std::env::var_os("SHANZHI_CONFIG").map(PathBuf::from));
    match named {
        Some(path) if !path.is_file() => {
            bail!("找不到配置文件 (configuration file not found): {}", path.display())
        }
        Some(path) => Ok(Some(path)),
        None => Ok(Some(PathBuf::from("shanzhi.toml")).filter(|p| p.is_file())),
    }
}

fn build(file: Option<&Path>, flags: Flags) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file {
        figment = figment.merge(Toml::file_exact(path));
    }
    figment
        .merge(Env::prefixed("SHANZHI_").only(&ENV_KEYS))
        .merge(Serialized::defaults(flags))
        .extract()
        .context("配置无效 (invalid configuration)")
}

#[cfg(test)]
// figment's own error type is large; it is what Jail's closures must return.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn flags_beat_environment_beats_file_beats_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "shanzhi.toml",
                "addr = \"0.0.0.0:9000\"\ndata_dir = \"/srv/file\"\ndemo = true\nlog_format = \"json\"\n",
            )?;
            jail.set_env("SHANZHI_DATA_DIR", "/srv/env");
            jail.set_env("SHANZHI_TEST_PG_URL", "postgres://ignored");
            let flags = Flags { demo: Some(false), ..Flags::default() };
            let config = build(Some(Path::new("shanzhi.toml")), flags).expect("config");
            assert_eq!(config.addr, SocketAddr::from(([0, 0, 0, 0], 9000)), "file beats default");
            assert_eq!(config.data_dir, PathBuf::from("/srv/env"), "env beats file");
            assert!(!config.demo, "flag beats file");
            assert_eq!(config.log_format, LogFormat::Json);
            assert_eq!(config.request_timeout_secs, 30, "default kept");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_urls_are_errors() {
        Jail::expect_with(|jail| {
            jail.create_file("shanzhi.toml", "adress = \"0.0.0.0:9000\"\n")?;
            let err = build(Some(Path::new("shanzhi.toml")), Flags::default()).expect_err("typo refused");
            assert!(format!("{err:#}").contains("adress"), "{err:#}");
            jail.clear_env();
            jail.set_env("SHANZHI_DATABASE_URL", "mysql://root:hunter2@db/x");
            let err = build(None, Flags::default()).expect_err("scheme refused");
            assert!(!format!("{err:#}").contains("hunter2"), "{err:#}");
            Ok(())
        });
    }
}
