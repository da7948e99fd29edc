//! The `orchestrator` binary: parses the command line and hands it to [`orchestrator::cli`].

use std::process::ExitCode;

use clap::Parser;
use orchestrator::cli::{Cli, Command, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The load generator runs on one thread: every hop of a call (caller, connection, pipe)
    // stays on one CPU, so it measures the servers rather than cross-CPU wake-ups of its own.
    // Everything else (the gateway above all, which parses and writes every message twice)
    // gets a thread per core.
    let runtime = match cli.command {
        Command::Bench { .. } => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    };
    let outcome = match runtime {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(error) => Err(error.into()),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("orchestrator: {error:#}");
            ExitCode::from(2)
        }
    }
}
