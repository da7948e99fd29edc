//! Which directories are allowed right now: the command line's, or the client's MCP roots.
//!
//! The rules, taken from the reference server's fixes (modelcontextprotocol/servers #3204,
//! #4992, #5094, #5097):
//! - a tool call waits until the first roots answer is in, so that nothing runs against the
//!   command-line directories the client is about to replace;
//! - a client without the roots capability, or one that does not answer in time, leaves the
//!   command-line directories in force;
//! - a roots answer with valid directories replaces the allowed set; invalid entries (not
//!   `file://`, missing, not a directory) are logged and skipped;
//! - an empty answer keeps the command-line directories if roots were never in force, and
//!   revokes everything once they were;
//! - answers are numbered when asked for, and one older than the answer already applied is
//!   ignored, so a slow stale answer cannot undo a newer revocation.
//!
//! The draft specification deprecates roots (SEP-2577), and rmcp marks them so; the clients in
//! use today (Claude Desktop, VS Code, Cursor) still send them, so they are honoured here.
#![allow(deprecated)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::Root as McpRoot;
use rmcp::service::Peer;
use tokio::sync::{Mutex, watch};

use crate::sandbox::{Access, Root, RootSource, Sandbox};

/// How long the server waits for the client to answer `roots/list`.
const ROOTS_ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a tool call waits for the first roots answer before using the command line's.
const FIRST_ANSWER_WAIT: Duration = Duration::from_secs(15);

/// The allowed directories as they change over a session.
#[derive(Debug)]
pub struct AllowedDirectories {
    command_line: Arc<Sandbox>,
    client_access: Access,
    follow_client_roots: bool,
    current: watch::Sender<Option<Arc<Sandbox>>>,
    next_generation: AtomicU64,
    applied: Mutex<Applied>,
}

#[derive(Debug, Default)]
struct Applied {
    generation: u64,
    client_roots_in_force: bool,
}

impl AllowedDirectories {
    /// Starts from the command line's directories. With `follow_client_roots`, tool calls wait
    /// for the client's roots (see [`Self::client_initialized`]); client roots get
    /// `client_access`.
    pub fn new(command_line: Sandbox, client_access: Access, follow_client_roots: bool) -> Self {
        let command_line = Arc::new(command_line);
        let initial = (!follow_client_roots).then(|| Arc::clone(&command_line));
        Self {
            command_line,
            client_access,
            follow_client_roots,
            current: watch::Sender::new(initial),
            next_generation: AtomicU64::new(1),
            applied: Mutex::new(Applied::default()),
        }
    }

    /// The directories allowed now; waits (boundedly) for the client's first roots answer.
    pub async fn current(&self) -> Arc<Sandbox> {
        let mut receiver = self.current.subscribe();
        let waited = tokio::time::timeout(
            FIRST_ANSWER_WAIT,
            receiver.wait_for(|current| current.is_some()),
        )
        .await;
        match waited {
            Ok(Ok(current)) => current
                .as_ref()
                .map_or_else(|| Arc::clone(&self.command_line), Arc::clone),
            _ => {
                tracing::warn!("no roots from the client yet; using the command-line directories");
                self.publish_if_unset(Arc::clone(&self.command_line));
                Arc::clone(&self.command_line)
            }
        }
    }

    /// The client finished its handshake: ask for its roots if it has any.
    pub async fn client_initialized(&self, peer: Peer<RoleServer>) {
        if !self.follow_client_roots {
            return;
        }
        let has_roots = peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if !has_roots {
            if self.command_line.roots().is_empty() {
                tracing::error!(
                    "no directories on the command line and the client does not provide roots: \
                     every call will fail"
                );
            }
            self.publish_if_unset(Arc::clone(&self.command_line));
            return;
        }
        self.refresh(peer).await;
    }

    /// Asks the client for its roots and applies the answer, unless a newer one came first.
    pub async fn refresh(&self, peer: Peer<RoleServer>) {
        if !self.follow_client_roots {
            return;
        }
        let generation = self.next_generation.fetch_add(1, Ordering::SeqCst);
        let answer = tokio::time::timeout(ROOTS_ANSWER_TIMEOUT, peer.list_roots()).await;
        let roots = match answer {
            Ok(Ok(result)) => result.roots,
            Ok(Err(error)) => {
                tracing::warn!(%error, "roots/list failed; keeping the allowed directories");
                self.publish_if_unset(Arc::clone(&self.command_line));
                return;
            }
            Err(_) => {
                tracing::warn!("roots/list was not answered; keeping the allowed directories");
                self.publish_if_unset(Arc::clone(&self.command_line));
                return;
            }
        };
        // Opening directories is blocking I/O; a handful of roots is cheap enough to do inline.
        let opened = open_client_roots(&roots, self.client_access);
        let mut applied = self.applied.lock().await;
        if generation < applied.generation {
            tracing::debug!(generation, "ignoring a stale roots answer");
            return;
        }
        applied.generation = generation;
        let next = if opened.is_empty() && !applied.client_roots_in_force {
            tracing::info!("the client gave no usable roots; using the command-line directories");
            Arc::clone(&self.command_line)
        } else {
            if opened.is_empty() {
                tracing::warn!("the client's roots are now empty: access revoked");
            }
            applied.client_roots_in_force = true;
            Arc::new(Sandbox::new(opened))
        };
        let paths: Vec<_> = next
            .roots()
            .iter()
            .map(|root| root.path().to_owned())
            .collect();
        tracing::info!(?paths, "allowed directories updated from client roots");
        self.current.send_replace(Some(next));
    }

    fn publish_if_unset(&self, sandbox: Arc<Sandbox>) {
        self.current.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(sandbox);
            true
        });
    }
}

/// The client's roots that are usable directories; the others are logged and skipped.
fn open_client_roots(roots: &[McpRoot], access: Access) -> Vec<Root> {
    roots
        .iter()
        .filter_map(|root| match root_path(&root.uri) {
            Ok(path) => match Root::open(&path, access, RootSource::Client) {
                Ok(opened) => Some(opened),
                Err(error) => {
                    tracing::warn!(uri = %root.uri, %error, "skipping a root that cannot be opened");
                    None
                }
            },
            Err(reason) => {
                tracing::warn!(uri = %root.uri, reason, "skipping a root");
                None
            }
        })
        .collect()
}

/// The directory a root URI names: a `file://` URL, or (leniently) a plain absolute path.
fn root_path(uri: &str) -> Result<PathBuf, &'static str> {
    if uri.starts_with('/') {
        return Ok(PathBuf::from(uri));
    }
    let url = url::Url::parse(uri).map_err(|_| "not a URL or an absolute path")?;
    if url.scheme() != "file" {
        return Err("not a file:// URL");
    }
    let path = url.to_file_path().map_err(|()| "not a local file path")?;
    if path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err("contains a NUL byte");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_uris_are_file_urls_or_absolute_paths() {
        assert_eq!(
            root_path("file:///srv/a%20b"),
            Ok(PathBuf::from("/srv/a b"))
        );
        assert_eq!(root_path("/srv/x"), Ok(PathBuf::from("/srv/x")));
        assert!(root_path("https://example.com/x").is_err());
        assert!(root_path("relative/dir").is_err());
        assert!(root_path("file:///srv/a%00b").is_err());
    }

    #[test]
    fn unusable_roots_are_skipped() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("file.txt");
        std::fs::write(&file, "x").unwrap();
        let uri = |path: &std::path::Path| url::Url::from_file_path(path).unwrap().to_string();
        let roots = [
            McpRoot::new(uri(temp.path())),
            McpRoot::new(uri(&file)),
            McpRoot::new(uri(&temp.path().join("missing"))),
            McpRoot::new("https://example.com/"),
        ];
        let opened = open_client_roots(&roots, Access::ReadWrite);
        assert_eq!(opened.len(), 1);
        assert_eq!(opened[0].source(), RootSource::Client);
    }

    #[tokio::test]
    async fn without_client_roots_the_command_line_is_in_force_at_once() {
        let temp = tempfile::tempdir().unwrap();
        let root = Root::open(temp.path(), Access::ReadWrite, RootSource::CommandLine).unwrap();
        let allowed = AllowedDirectories::new(Sandbox::new(vec![root]), Access::ReadWrite, false);
        assert_eq!(allowed.current().await.roots().len(), 1);
    }
}
