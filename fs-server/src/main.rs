//! `fs-server`: serves the filesystem tools over stdio (the default) or Streamable HTTP.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fs_server::{FsServer, Settings};
use shared::Transport;

/// An MCP filesystem server confined to the directories you allow.
#[derive(Debug, Parser)]
#[command(name = "fs-server", version, about)]
struct Cli {
    /// Directories the tools may read and change.
    #[arg(value_name = "DIR")]
    directories: Vec<PathBuf>,

    /// A directory the tools may only read; repeat for more.
    #[arg(long = "read-only-dir", value_name = "DIR")]
    read_only_directories: Vec<PathBuf>,

    /// Offer no tool that changes anything.
    #[arg(long)]
    read_only: bool,

    /// Leave out these tools (comma-separated names), for example `delete_path,move_file`.
    #[arg(long, value_name = "TOOLS", value_delimiter = ',')]
    disable_tools: Vec<String>,

    /// Keep the directories given here even when the client offers MCP roots.
    #[arg(long)]
    ignore_roots: bool,

    #[command(flatten)]
    serve: shared::ServeArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = Settings {
        directories: cli.directories,
        read_only_directories: cli.read_only_directories,
        read_only: cli.read_only,
        disabled_tools: cli.disable_tools,
        // Over HTTP one server answers many clients, so no one client's roots may rule.
        follow_client_roots: !cli.ignore_roots && cli.serve.transport == Transport::Stdio,
    };
    match FsServer::new(&settings) {
        Ok(server) => shared::run(cli.serve, server),
        Err(error) => {
            eprintln!("fs-server: {error}");
            ExitCode::from(2)
        }
    }
}
