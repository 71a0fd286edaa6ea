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
const ENV_KEYS: [&str; 55] = [
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
    "sms_gateway_url",
    "sms_gateway_format",
    "sms_gateway_template",
    "sms_gateway_secret",
    "sms_gateway_timeout_secs",
    "sms_code_pepper",
    "sms_codes_per_address_hour",
    "care_key",
    "care_key_file",
    "id_hash_key",
    "id_hash_key_file",
    "care_reasons",
    "care_retention_days",
    "notify",
    "notify_interval_secs",
    "notify_lease_secs",
    "notify_webhook_url",
    "notify_webhook_secret",
    "smtp_host",
    "smtp_port",
    "smtp_user",
    "smtp_password",
    "smtp_from",
    "smtp_starttls",
    "digest_at",
    "results_webhook_url",
    "results_webhook_secret",
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
    /// The key that seals care reasons and notes (docs/register.md):
    /// `ID:BASE64` (32 bytes), e.g. from `SHANZHI_CARE_KEY`; older keys
    /// that still open what they sealed follow, comma-separated.
    pub care_key: TextList,
    /// A file holding `care_key`'s text instead; default `<data_dir>/care.key`
    /// when that file exists (demo mode writes one).
    pub care_key_file: Option<PathBuf>,
    /// The key of the 身份证号 de-duplication hash (base64, 32 bytes; never
    /// shown), apart from the care keys so that they rotate freely. None:
    /// the first care key salts the hash, as before this key existed.
    pub id_hash_key: Option<SecretText>,
    /// A file holding `id_hash_key` instead; default `<data_dir>/id-hash.key`
    /// when that file exists (demo mode writes one with a new care key).
    pub id_hash_key_file: Option<PathBuf>,
    /// The reasons a resident may be marked for care (default 独居老人,
    /// 空巢老人, 残疾人, 留守儿童, 困难家庭, 重病患者).
    pub care_reasons: TextList,
    /// Days after a care marking ends until its reason and notes are deleted.
    pub care_retention_days: u32,
    /// The SMS gateway residents' sign-in codes go through (`POST`); none:
    /// development, the codes are written to the server log marked DEV.
    pub sms_gateway_url: Option<String>,
    /// `json` or `form`: how the gateway wants its body.
    pub sms_gateway_format: String,
    /// The body, with `{phone}`, `{text}` and `{key}` (the idempotency key)
    /// replaced: a JSON document, or `name=value&…` for `form`.
    pub sms_gateway_template: String,
    /// HMAC-SHA256 key for the `X-Shanzhi-Signature` header; none: unsigned.
    pub sms_gateway_secret: Option<SecretText>,
    pub sms_gateway_timeout_secs: u64,
    /// Secret mixed into the hashes of sign-in codes: the same on every
    /// server (default: a random one per process, so a restart voids codes).
    pub sms_code_pepper: Option<SecretText>,
    /// Sign-in codes asked for per client address and hour.
    pub sms_codes_per_address_hour: u32,
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
    /// The SMTP server that sends e-mail notices. None: the log stands in.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// Sign in to the SMTP server (with `smtp_password`), if it asks.
    pub smtp_user: Option<String>,
    /// Never shown.
    pub smtp_password: Option<SecretText>,
    /// The sender, `addr` or `善治平台 <addr>`; required with `smtp_host`.
    pub smtp_from: Option<String>,
    /// Upgrade to TLS with STARTTLS (required when true).
    pub smtp_starttls: bool,
    /// When the daily digest goes out on working days (`HH:MM`, China
    /// time); `off`: never.
    pub digest_at: String,
    /// Where new hotline results are pushed (results back to 12345), signed
    /// with `results_webhook_secret`; both or neither.
    pub results_webhook_url: Option<String>,
    pub results_webhook_secret: Option<SecretText>,
}

/// A secret from the configuration: `Debug` never shows it.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
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
    fn id_hash_key_file(&self) -> PathBuf {
        self.id_hash_key_file.clone().unwrap_or_else(|| self.data_dir.join("id-hash.key"))
    }

    /// The ID-number hash's own key: `id_hash_key`, else its file if there is one.
    fn id_hash_key(&self) -> anyhow::Result<Option<shanzhi_app::register::IdHashKey>> {
        let file = self.id_hash_key_file();
        let text = match &self.id_hash_key {
            Some(text) => text.0.clone(),
            None if file.is_file() => std::fs::read_to_string(&file).with_context(|| {
                format!("无法读取身份证号哈希密钥 (cannot read the ID hash key) {}", file.display())
            })?,
            None => return Ok(None),
        };
        let key = shanzhi_app::register::IdHashKey::parse(&text).map_err(|m| anyhow::anyhow!("id_hash_key: {m}"))?;
        Ok(Some(key))
    }

    /// The register's settings: the care keys (demo mode makes one in the
    /// data directory if none is configured), reasons and retention.
    pub fn register_settings(&self) -> anyhow::Result<shanzhi_app::register::RegisterSettings> {
        use shanzhi_app::register::{CareKey, CareKeys, IdHashKey, RegisterSettings};
        let file = self.care_key_file.clone().unwrap_or_else(|| self.data_dir.join("care.key"));
        let mut texts = self.care_key.0.clone();
        if texts.is_empty() && file.is_file() {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取关爱信息密钥 (cannot read the care key) {}", file.display()))?;
            texts = text.split([',', '\n']).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        } else if texts.is_empty() && self.demo {
            let key = CareKey::generate("demo").map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::create_dir_all(&self.data_dir)?;
            std::fs::write(&file, format!("demo:{}\n", key.to_base64()))
                .with_context(|| format!("无法写入 (cannot write) {}", file.display()))?;
            texts.push(format!("demo:{}", key.to_base64()));
            // A new demo store: its ID hashes get their own key from the start.
            let id_file = self.id_hash_key_file();
            if self.id_hash_key.is_none() && !id_file.exists() {
                let id_key = IdHashKey::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
                std::fs::write(&id_file, format!("{}\n", id_key.to_base64()))
                    .with_context(|| format!("无法写入 (cannot write) {}", id_file.display()))?;
            }
        }
        let mut keys = Vec::new();
        for t in &texts {
            let (id, b64) = t.split_once(':').unwrap_or(("k1", t.as_str()));
            keys.push(CareKey::parse(id, b64).map_err(|m| anyhow::anyhow!("care_key: {m}"))?);
        }
        let mut settings = RegisterSettings::default();
        if !keys.is_empty() {
            let current = keys.remove(0);
            settings.keys = CareKeys::new(current, keys);
        }
        settings.keys = settings.keys.with_id_hash_key(self.id_hash_key()?);
        if !self.care_reasons.0.is_empty() {
            settings.reasons = self.care_reasons.0.clone();
        }
        settings.retention_days = self.care_retention_days;
        Ok(settings)
    }

    /// Sign-in settings: the throttles and the SMS gateway configured, the
    /// rest as shipped.
    pub fn auth(&self) -> anyhow::Result<shanzhi_app::access::AuthConfig> {
        let mut sms = shanzhi_app::access::SmsConfig::default();
        if let Some(url) = &self.sms_gateway_url {
            let template = shanzhi_app::sms::SmsTemplate::parse(&self.sms_gateway_format, &self.sms_gateway_template)
                .map_err(anyhow::Error::msg)?;
            sms.gateway = Some(shanzhi_app::sms::SmsGateway {
                url: url.clone(),
                template,
                secret: self.sms_gateway_secret.as_ref().map(|s| s.0.clone()),
                timeout: std::time::Duration::from_secs(self.sms_gateway_timeout_secs.max(1)),
            });
        }
        if let Some(pepper) = &self.sms_code_pepper {
            sms.pepper = pepper.0.clone();
        }
        Ok(shanzhi_app::access::AuthConfig {
            max_failures: self.login_failures_per_name.max(1),
            max_failures_per_ip: self.login_failures_per_address.max(1),
            lock_minutes: self.login_window_minutes.max(1),
            sms,
            ..shanzhi_app::access::AuthConfig::default()
        })
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
            sms_gateway_url: None,
            sms_gateway_format: "json".to_owned(),
            sms_gateway_template: r#"{"phone": "{phone}", "text": "{text}", "id": "{key}"}"#.to_owned(),
            sms_gateway_secret: None,
            sms_gateway_timeout_secs: 10,
            sms_code_pepper: None,
            sms_codes_per_address_hour: 20,
            care_key: TextList::default(),
            care_key_file: None,
            id_hash_key: None,
            id_hash_key_file: None,
            care_reasons: TextList::default(),
            care_retention_days: 90,
            notify: true,
            notify_interval_secs: 2,
            notify_lease_secs: 60,
            notify_webhook_url: None,
            notify_webhook_secret: None,
            smtp_host: None,
            smtp_port: 587,
            smtp_user: None,
            smtp_password: None,
            smtp_from: None,
            smtp_starttls: true,
            digest_at: "08:30".to_owned(),
            results_webhook_url: None,
            results_webhook_secret: None,
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

    #[test]
    fn the_id_hash_key_is_its_own_and_an_older_store_keeps_the_fallback() {
        Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            // A new demo store: a care key and an ID hash key are written.
            let fresh = Config { data_dir: dir.join("fresh"), demo: true, ..Config::default() };
            assert!(fresh.register_settings().expect("settings").keys.has_id_hash_key());
            assert!(dir.join("fresh/id-hash.key").is_file() && dir.join("fresh/care.key").is_file());
            let again = fresh.register_settings().expect("settings");
            assert!(again.keys.has_id_hash_key(), "read back from its file");

            // A demo store from before the key: its hashes keep the old derivation.
            let older = Config { data_dir: dir.join("older"), demo: true, ..Config::default() };
            std::fs::create_dir_all(&older.data_dir).expect("dir");
            std::fs::copy(dir.join("fresh/care.key"), older.data_dir.join("care.key")).expect("copy");
            assert!(!older.register_settings().expect("settings").keys.has_id_hash_key());
            assert!(!older.data_dir.join("id-hash.key").exists(), "none written beside an older care key");

            // Configured: a malformed key is refused, and never shown.
            jail.set_env("SHANZHI_ID_HASH_KEY", "c2hvcnQ=");
            let config = build(None, Flags::default()).expect("config");
            assert!(!format!("{config:?}").contains("c2hvcnQ"), "the key is never shown");
            let err = config.register_settings().expect_err("too short");
            assert!(format!("{err:#}").contains("id_hash_key"), "{err:#}");
            jail.set_env("SHANZHI_ID_HASH_KEY", "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=");
            let config = build(None, Flags::default()).expect("config");
            assert!(config.register_settings().expect("settings").keys.has_id_hash_key());
            Ok(())
        });
    }
}
