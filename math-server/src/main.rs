//! `math-server`: serves the math tools over stdio (the default) or Streamable HTTP.

use std::process::ExitCode;

use clap::Parser;

/// An MCP server for exact arithmetic, expressions, statistics, number theory and units.
#[derive(Debug, Parser)]
#[command(name = "math-server", version, about)]
struct Cli {
    #[command(flatten)]
    serve: shared::ServeArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    shared::run(cli.serve, math_server::MathServer::new())
}
