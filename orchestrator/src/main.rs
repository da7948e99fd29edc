//! The `orchestrator` binary: parses the command line and hands it to [`orchestrator::cli`].

use std::process::ExitCode;

use clap::Parser;
use orchestrator::cli::{Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("orchestrator: {error:#}");
            ExitCode::from(2)
        }
    }
}
