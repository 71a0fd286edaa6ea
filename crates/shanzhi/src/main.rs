use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = shanzhi::cli::Cli::parse();
    match shanzhi::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", shanzhi::render_error(&e));
            ExitCode::FAILURE
        }
    }
}
