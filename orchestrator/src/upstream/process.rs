//! Stdio servers run in a process group of their own, so that shutting one down also ends
//! whatever it started (`npx` and `uvx` start the real server as a grandchild).

use std::process::Stdio;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use process_wrap::tokio::{CommandWrap, KillOnDrop, ProcessGroup};
use rmcp::transport::TokioChildProcess;
use tokio::process::{ChildStderr, Command};

use crate::config::TransportConfig;

/// Kills a server's whole process group when dropped, unless it is known to be gone.
#[derive(Debug)]
pub(crate) struct GroupGuard {
    pgid: Option<Pid>,
}

impl GroupGuard {
    /// The group leader's process id.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.pgid.and_then(|pid| u32::try_from(pid.as_raw()).ok())
    }

    /// Ends every process left in the group.
    pub(crate) fn kill(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            // ESRCH (the group is already gone) is the common, harmless case.
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A spawned server: the transport over its stdio, its stderr, and the guard of its group.
pub(crate) struct Spawned {
    pub transport: TokioChildProcess,
    pub stderr: Option<ChildStderr>,
    pub group: GroupGuard,
}

/// Starts a stdio server as the leader of a new process group.
pub(crate) fn spawn(transport: &TransportConfig) -> std::io::Result<Spawned> {
    let TransportConfig::Stdio {
        command,
        args,
        env,
        cwd,
    } = transport
    else {
        return Err(std::io::Error::other("not a stdio server"));
    };
    let mut cmd = Command::new(command);
    cmd.args(args).envs(env);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let mut wrapped = CommandWrap::from(cmd);
    wrapped.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
    let (transport, stderr) = TokioChildProcess::builder(wrapped)
        .stderr(Stdio::piped())
        .spawn()?;
    let pgid = transport
        .id()
        .and_then(|pid| i32::try_from(pid).ok())
        .map(Pid::from_raw);
    Ok(Spawned {
        transport,
        stderr,
        group: GroupGuard { pgid },
    })
}
