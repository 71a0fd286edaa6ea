//! Command-line interface (DESIGN.md §4). Options given here override
//! `SHANZHI_*` environment variables, which override `shanzhi.toml`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod export;
mod import;

pub use export::{ExportHotlineResultsArgs, ExportMattersArgs, ExportTimelineArgs, ExportWhat};
pub use import::{ImportDivisionsArgs, ImportGridsArgs, ImportHotlineArgs, ImportRegisterArgs, ImportWhat};

#[derive(Debug, Parser)]
#[command(name = "shanzhi", version, about = "善治 Shanzhi — 网格化城乡社区治理平台 (grid-based community governance)")]
pub struct Cli {
    /// Configuration file (default: ./shanzhi.toml if present; env SHANZHI_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the platform: apply migrations, optionally load the demo, serve HTTP.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(StoreArgs),
    /// Import data files.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Work with the grid.
    Grid {
        #[command(subcommand)]
        what: GridCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
    /// The admin audit log.
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// Run one warning sweep now: colour due clocks, supervise overdue
    /// matters (safe beside running servers: no matter is supervised twice).
    Sweep(StoreArgs),
    /// Demo data for trials and load tests.
    Demo {
        #[command(subcommand)]
        what: DemoCommand,
    },
    /// Write a consistent backup of the store to FILE while servers keep
    /// running (SQLite: a copy of the database; PostgreSQL: pg_dump).
    Backup(BackupArgs),
    /// Restore a backup into an empty store, then verify it as `audit verify`
    /// does. Stop the servers on that store first.
    Restore(RestoreArgs),
    /// Export records (CSV) for recomputing figures or for reports.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Smart dispatch (智能分拨): train and measure the text classifier on
    /// any labelled file, or retrain the platform's model from its closed matters.
    Classify {
        #[command(subcommand)]
        what: ClassifyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClassifyCommand {
    /// Train a model on a labelled CSV (UTF-8 or GB18030) or XLSX file with a
    /// header row, and write it to MODEL (JSON).
    Train(ClassifyTrainArgs),
    /// Measure a model on a labelled file: accuracy, macro-F1, the per-label
    /// table and the share left without a suggestion.
    Eval(ClassifyEvalArgs),
    /// Learn the platform's dispatch model from its closed matters (final
    /// category, handling unit) into <data_dir>/dispatch-model.json; running
    /// servers pick it up.
    Retrain(StoreArgs),
}

#[derive(Debug, Args)]
pub struct LabelledArgs {
    /// The labelled file.
    pub file: PathBuf,
    /// The header of the text column.
    #[arg(long, value_name = "COLUMN")]
    pub text: String,
    /// The header of the label column.
    #[arg(long, value_name = "COLUMN")]
    pub label: String,
}

#[derive(Debug, Args)]
pub struct ClassifyTrainArgs {
    #[command(flatten)]
    pub data: LabelledArgs,
    /// Where to write the model.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
    /// Seed of the training order (the same seed, the same model).
    #[arg(long, default_value_t = 17)]
    pub seed: u64,
    /// Passes over the data.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub epochs: u16,
    /// Below this confidence (0–1) nothing is suggested.
    #[arg(long, default_value_t = 0.4, value_parser = parse_share)]
    pub threshold: f32,
    /// Most n-grams kept, the most frequent first (fewer with many labels:
    /// a model holds at most 3,000,000 weights).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1..=3_000_000))]
    pub max_features: u32,
    /// The longest character n-gram (1–5).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub max_n: u8,
    /// L2 penalty per example (larger: a smoother model); choose it on a
    /// validation part of the training file, never on the test file.
    #[arg(long, default_value_t = 1e-6, value_parser = parse_l2)]
    pub l2: f32,
    /// Average the weights over the second half's passes instead of keeping
    /// the last pass's.
    #[arg(long)]
    pub average: bool,
}

fn parse_l2(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if (0.0..=0.01).contains(&x) => Ok(x),
        _ => Err(format!("应为 0 到 0.01 之间的数 (a number from 0 to 0.01), not {s:?}")),
    }
}

fn parse_share(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("应为 0 到 1 之间的数 (a number from 0 to 1), not {s:?}")),
    }
}

#[derive(Debug, Args)]
pub struct ClassifyEvalArgs {
    #[command(flatten)]
    pub data: LabelledArgs,
    /// A model written by `shanzhi classify train`.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `shanzhi backup`.
    pub file: PathBuf,
    /// Restore even into a store that holds data, replacing it.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Add demo matters across the current grid, in every state, with their
    /// timelines and clocks.
    Matters(DemoMattersArgs),
    /// Write a made-up register for one street of the current grid (CSV, the
    /// import's columns): about 2.5 people a household.
    Register(DemoRegisterArgs),
}

#[derive(Debug, Args)]
pub struct DemoRegisterArgs {
    /// Where to write the CSV.
    #[arg(long)]
    pub out: PathBuf,
    /// The street (default 春熙路街道 of the demo grid).
    #[arg(long, default_value = "510104022", value_parser = parse_division_code)]
    pub street: shanzhi_domain::DivisionCode,
    #[arg(long, default_value_t = 12_000)]
    pub households: usize,
    /// Random seed (the same seed gives the same file).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct DemoMattersArgs {
    /// How many.
    #[arg(long, default_value_t = 3000)]
    pub count: usize,
    /// Random seed (the same seed gives the same matters, with new ids).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Only open matters, with clocks started over the last `--spread-hours`
    /// hours (for sweep and list benchmarks).
    #[arg(long)]
    pub open_only: bool,
    #[arg(long, default_value_t = 1440)]
    pub spread_hours: i64,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with its first role and scope (the first admin is made this way).
    Add(UserAddArgs),
    /// Set an account's password (a strong one is generated and printed once
    /// without --password-stdin); its sessions end.
    Password(UserPasswordArgs),
    /// Disable an account: it can no longer sign in, and its sessions and tokens stop.
    Disable(UserNameArgs),
    /// Enable a disabled account again.
    Enable(UserNameArgs),
}

#[derive(Debug, Args)]
pub struct UserNameArgs {
    #[arg(long)]
    pub username: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct UserPasswordArgs {
    #[arg(long)]
    pub username: String,
    /// Read the password from standard input (one line).
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub username: String,
    /// resident, grid_worker, community_worker, dispatcher, dept_handler, supervisor or admin.
    #[arg(long)]
    pub role: String,
    /// A division code (2–12 digits), a grid code (15 digits) or a department code (510104-chengguan).
    #[arg(long)]
    pub scope: Option<String>,
    /// Display name (default: the username).
    #[arg(long)]
    pub name: Option<String>,
    /// Mobile phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// Read the password from standard input (one line). Without it a strong
    /// password is generated and printed once.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints only the token.
    Create(TokenCreateArgs),
    /// List a user's tokens (id, name, created, revoked); never the tokens themselves.
    List(UserNameArgs),
    /// Revoke a token by its id: it stops working at once.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    #[arg(long)]
    pub username: String,
    /// The token's id (from `shanzhi token list`).
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[arg(long)]
    pub username: String,
    /// What the token is for (shown in the audit log).
    #[arg(long, default_value = "api")]
    pub name: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the transparency log against a signed checkpoint (every record
    /// included and unchanged, nothing cut, reordered or replaced), the hash
    /// chains of the audit log and of every timeline, and that each timeline
    /// replays to its stored state; fails naming what changed.
    Verify(VerifyArgs),
    /// Sign a checkpoint of the log as it stands and write it to FILE (and
    /// to the checkpoint directory and the witnesses).
    Checkpoint(OutArgs),
    /// Make a new log signing key (Ed25519) in FILE; prints its public key.
    Keygen(KeygenArgs),
    /// Write every leaf of the log (JSON lines) for the standalone verifier
    /// (scripts/tlog-verify.py).
    ExportLog(OutArgs),
    /// Start a new log segment under a new key: its first leaf commits to
    /// the old key's last checkpoint (for a lost or retired key).
    RotateKey(RotateArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A checkpoint signed by this log (default: the latest in the checkpoint directory).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// A file of the log's public keys (one per line) to trust besides the configured key.
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct OutArgs {
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key (refused if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The log's name (checkpoint origin), e.g. shanzhi.example.gov.cn/log
    /// (default: the public URL's host and /log).
    #[arg(long)]
    pub origin: Option<String>,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Where to write the new private key (refused if it exists).
    #[arg(long, value_name = "FILE")]
    pub new_key: PathBuf,
    /// The old log's last checkpoint (default: with the configured key,
    /// a fresh one; without it, the latest in the checkpoint directory).
    #[arg(long, value_name = "FILE")]
    pub from_checkpoint: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum GridCommand {
    /// Generate Chengdu's grid inside the real district boundaries (deterministic
    /// for a seed) and import it, or write it as GeoJSON with --out.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Seed: the same seed gives the same grid.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 1 = Chengdu's scale (≈14,000 general, ≈126,000 micro-grids); 0.1 for a tenth.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Only these districts, comma-separated codes (e.g. 510104,510105).
    #[arg(long, value_delimiter = ',', value_parser = parse_division_code)]
    pub districts: Vec<shanzhi_domain::DivisionCode>,
    /// Which districts get micro-grids.
    #[arg(long, value_enum, default_value_t = MicroArg::All)]
    pub micro: MicroArg,
    /// Write a GeoJSON FeatureCollection (the import format) here instead of importing.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The day the grid comes into force when imported (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub valid_from: Option<jiff::civil::Date>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MicroArg {
    All,
    /// The five central districts (锦江, 青羊, 金牛, 武侯, 成华).
    Central,
    None,
}

fn parse_division_code(s: &str) -> Result<shanzhi_domain::DivisionCode, String> {
    shanzhi_domain::DivisionCode::parse(s).map_err(|e| e.message(s).to_string())
}

/// Where the data lives; the same on every command that touches the store,
/// so a command and a running server can share one store.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// Directory for the embedded SQLite database (default ./shanzhi-data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: postgres://… for PostgreSQL, sqlite://… for a SQLite file.
    /// Overrides --data-dir.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Load the Chengdu demo data on first start.
    #[arg(long, overrides_with = "no_demo")]
    pub demo: bool,
    /// Do not load demo data (the default).
    #[arg(long, overrides_with = "demo")]
    pub no_demo: bool,
    /// Drills and training only, with --demo: the server's clock reads the
    /// RFC 3339 instant in FILE (e.g. 2026-11-30T10:00:00+08:00) and runs on
    /// from it; write a new instant to move it (a notice period runs out).
    /// 仅用于演练和培训。
    #[arg(long, value_name = "FILE")]
    pub clock_file: Option<PathBuf>,
}

impl Cli {
    pub fn store_args(&self) -> StoreArgs {
        match &self.command {
            Command::Serve(a) => a.store.clone(),
            Command::Migrate(a) => a.clone(),
            Command::Import { what: ImportWhat::Divisions(a) } => a.store.clone(),
            Command::Import { what: ImportWhat::Grids(a) } => a.store.clone(),
            Command::Import { what: ImportWhat::Hotline(a) | ImportWhat::Calendar(a) } => a.store.clone(),
            Command::Sweep(a) => a.clone(),
            Command::Demo { what: DemoCommand::Matters(a) } => a.store.clone(),
            Command::Demo { what: DemoCommand::Register(a) } => a.store.clone(),
            Command::Import { what: ImportWhat::Register(a) } => a.store.clone(),
            Command::Grid { what: GridCommand::Generate(a) } => a.store.clone(),
            Command::User { what: UserCommand::Add(a) } => a.store.clone(),
            Command::User { what: UserCommand::Password(a) } => a.store.clone(),
            Command::User { what: UserCommand::Disable(a) | UserCommand::Enable(a) } => a.store.clone(),
            Command::Token { what: TokenCommand::Create(a) } => a.store.clone(),
            Command::Token { what: TokenCommand::List(a) } => a.store.clone(),
            Command::Token { what: TokenCommand::Revoke(a) } => a.store.clone(),
            Command::Audit { what: AuditCommand::Verify(a) } => a.store.clone(),
            Command::Audit { what: AuditCommand::Checkpoint(a) | AuditCommand::ExportLog(a) } => a.store.clone(),
            Command::Audit { what: AuditCommand::Keygen(_) } => StoreArgs::default(),
            Command::Audit { what: AuditCommand::RotateKey(a) } => a.store.clone(),
            Command::Backup(a) => a.store.clone(),
            Command::Restore(a) => a.store.clone(),
            Command::Export { what: ExportWhat::Timeline(a) } => a.store.clone(),
            Command::Export { what: ExportWhat::Matters(a) } => a.store.clone(),
            Command::Export { what: ExportWhat::HotlineResults(a) } => a.store.clone(),
            Command::Classify { what: ClassifyCommand::Retrain(a) } => a.clone(),
            Command::Classify { what: ClassifyCommand::Train(_) | ClassifyCommand::Eval(_) } => StoreArgs::default(),
        }
    }
}
