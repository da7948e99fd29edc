//! Support for black-box tests: build the workspace's binaries, start them as child
//! processes, and install third-party peers.
//!
//! Cargo gives a test the path of a binary only for binaries of its own package, so
//! [`binary`] builds the one asked for with the same cargo and profile and asks cargo where it
//! put it. [`Server`] owns a child process and ends it (by its PID, never by name) when dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use shared::testing::RawSession;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a test waits for a server to start or to stop.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Builds the binary `name` of package `name` (once per test process) and returns its path.
pub fn binary(name: &str) -> Result<PathBuf> {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built
        .lock()
        .map_err(|_| anyhow::anyhow!("binary cache poisoned"))?;
    if let Some(path) = built.get(name) {
        return Ok(path.clone());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "-p",
            name,
            "--bin",
            name,
        ])
        .current_dir(workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running cargo build for {name}"))?;
    if !output.status.success() {
        bail!("cargo build -p {name} failed with {}", output.status);
    }
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == name
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo did not report an executable for {name}"))?;
    built.insert(name.to_owned(), path.clone());
    Ok(path)
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
        let mut child = Command::new(binary)
            .args(["--transport", "http", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
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
    INSTALLED
        .get_or_init(|| {
            let root = workspace_root();
            let python = root.join(".peers/venv-mcp/bin/python");
            if python.exists() {
                return Ok(python);
            }
            let status = std::process::Command::new("bash")
                .arg(root.join("scripts/install-peers.sh"))
                .arg("python-sdk")
                .current_dir(&root)
                .stdin(Stdio::null())
                .status()
                .map_err(|error| format!("cannot run scripts/install-peers.sh: {error}"))?;
            if !status.success() || !python.exists() {
                return Err(format!(
                    "scripts/install-peers.sh python-sdk failed ({status}); the Python SDK interop test needs PyPI access"
                ));
            }
            Ok(python)
        })
        .clone()
        .map_err(anyhow::Error::msg)
}
