//! The `orchestrator` binary: parses the command line and hands it to [`orchestrator::cli`].

use std::process::ExitCode;

use clap::Parser;
use orchestrator::cli::{Cli, Command, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One peer at the other end, one thread: the load generator, and the gateway over stdio.
    // Every hop of a call (read, route, forward, answer) then stays on one CPU instead of
    // waking a thread on the other (tens of microseconds each on a small machine); the stdio
    // gateway kept 15-40% more calls/s with 64 in flight this way (BENCHMARKS.md). A gateway
    // over HTTP may serve many clients at once, and everything else is light: a thread per core.
    let one_peer = match &cli.command {
        Command::Bench { .. } => true,
        Command::Serve { transport, .. } => *transport == shared::Transport::Stdio,
        _ => false,
    };
    let runtime = if one_peer {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
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
