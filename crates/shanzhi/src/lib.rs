//! The `shanzhi` binary: CLI, configuration, logging, and the choice of
//! backend by database URL (the only place that knows both backends).

mod backup;
pub mod cli;
mod commands;
pub mod config;
pub mod database_url;
mod drill_clock;
mod progress;
mod store;
mod telemetry;

use cli::{
    AuditCommand, ClassifyCommand, Cli, Command, DemoCommand, ExportWhat, GridCommand, ImportWhat, TokenCommand,
    UserCommand,
};
use shanzhi_app::AppError;

pub use store::{log_setup, open_app, open_store};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::load(&cli)?;
    telemetry::init(&config);
    match &cli.command {
        Command::Serve(args) => commands::serve::run(&config, args.clock_file.as_deref()).await,
        Command::Migrate(_) => commands::migrate::run(&config).await,
        Command::Import { what } => match what {
            ImportWhat::Divisions(args) => commands::import::divisions(&config, args).await,
            ImportWhat::Grids(args) => commands::import::grids(&config, args).await,
            ImportWhat::Hotline(args) => commands::import::hotline(&config, args).await,
            ImportWhat::Calendar(args) => commands::timing::import_calendar(&config, args).await,
            ImportWhat::Register(args) => commands::import::register(&config, args).await,
        },
        Command::Sweep(_) => commands::timing::sweep(&config).await,
        Command::Demo { what: DemoCommand::Matters(args) } => commands::timing::demo_matters(&config, args).await,
        Command::Demo { what: DemoCommand::Register(args) } => commands::import::demo_register(&config, args).await,
        Command::Grid { what: GridCommand::Generate(args) } => commands::grid::generate(&config, args).await,
        Command::User { what } => match what {
            UserCommand::Add(args) => commands::people::user_add(&config, args).await,
            UserCommand::Password(args) => commands::accounts::user_password(&config, args).await,
            UserCommand::Disable(args) => commands::accounts::user_disabled(&config, args, true).await,
            UserCommand::Enable(args) => commands::accounts::user_disabled(&config, args, false).await,
        },
        Command::Token { what } => match what {
            TokenCommand::Create(args) => commands::people::token_create(&config, args).await,
            TokenCommand::List(args) => commands::accounts::token_list(&config, args).await,
            TokenCommand::Revoke(args) => commands::accounts::token_revoke(&config, args).await,
        },
        Command::Audit { what } => match what {
            AuditCommand::Verify(args) => commands::log::verify(&config, args).await,
            AuditCommand::Checkpoint(args) => commands::log::checkpoint(&config, args).await,
            AuditCommand::Keygen(args) => commands::log::keygen(&config, args),
            AuditCommand::ExportLog(args) => commands::log::export(&config, args).await,
            AuditCommand::RotateKey(args) => commands::log::rotate_key(&config, args).await,
        },
        Command::Backup(args) => commands::backup::backup(&config, args).await,
        Command::Restore(args) => commands::backup::restore(&config, args).await,
        Command::Export { what: ExportWhat::Timeline(args) } => commands::export::timeline(&config, args).await,
        Command::Export { what: ExportWhat::Matters(args) } => commands::export::matters(&config, args).await,
        Command::Export { what: ExportWhat::HotlineResults(args) } => {
            commands::export::hotline_results(&config, args).await
        }
        Command::Classify { what } => match what {
            ClassifyCommand::Train(args) => commands::classify::train(args),
            ClassifyCommand::Eval(args) => commands::classify::eval(args),
            ClassifyCommand::Retrain(_) => commands::classify::retrain(&config).await,
        },
    }
}

/// The message printed for a failed command: Chinese first, then English, and
/// for a refused import every bad row.
pub fn render_error(e: &anyhow::Error) -> String {
    match e.downcast_ref::<AppError>() {
        Some(AppError::ImportRejected(r)) => format!("错误 (error): {r}"),
        Some(AppError::GridImportRejected(r)) => format!("错误 (error): {r}"),
        // At the command line the operator may see what the database said.
        Some(AppError::Store(store)) => format!("错误 (error): {} ({store})", AppError::Store(copy(store)).message()),
        Some(app) => format!("错误 (error): {}", app.message()),
        None => format!("错误 (error): {e:#}"),
    }
}

fn copy(e: &shanzhi_store::StoreError) -> shanzhi_store::StoreError {
    shanzhi_store::StoreError::Database(e.to_string())
}
