//! An MCP filesystem server whose sandbox cannot be escaped.
//!
//! Every path a tool receives is resolved by the [`sandbox`] into an allowed root and a path
//! relative to it, and every file operation opens that relative path *through the root's open
//! directory handle* with [`cap_std`], which refuses any `..` or symbolic link that would leave
//! the root, including one swapped in while the call runs. The reference server's escapes
//! (CVE-2025-53109, CVE-2025-53110, the parent-swap races) have no system call to go through.
//!
//! The modules, one concern each:
//! - [`sandbox`]: roots, path text rules, [`sandbox::Location`]; [`roots`]: MCP roots;
//! - [`open`]: opening files so that FIFOs never block and links are followed only on purpose;
//! - [`read`], [`media`]: text windows with hashes; images, audio and other binary content;
//! - [`write`], [`edit`]: atomic replacement, appends, exact-text edits with diffs;
//! - [`listing`], [`info`]: directory pages and trees; metadata and digests;
//! - [`walk`], [`find`], [`grep`]: the sandboxed, gitignore-aware walk; search by name and by
//!   content (ripgrep's crates);
//! - [`manage`]: create, move (no-clobber by `RENAME_NOREPLACE`), copy, delete;
//! - [`FsServer`]: the MCP tools over all of the above.
//!
//! ```
//! use fs_server::sandbox::{Access, Root, RootSource, Sandbox};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("notes.md"), "# Notes\nhello\n")?;
//! let sandbox = Sandbox::new(vec![Root::open(dir.path(), Access::ReadWrite, RootSource::CommandLine)?]);
//!
//! let notes = sandbox.resolve("notes.md").map_err(|e| e.to_string())?;
//! let window = fs_server::read::read_text(&notes, fs_server::read::Lines::Tail(1), 1024)
//!     .map_err(|e| e.to_string())?;
//! assert_eq!(window.content, "hello\n");
//! assert_eq!(window.start_line, Some(2));
//!
//! // Nothing outside the root resolves, whatever the spelling.
//! assert!(sandbox.resolve("../etc/passwd").is_err());
//! assert!(sandbox.resolve(&format!("{}-evil/x", dir.path().display())).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod args;
pub mod edit;
pub mod error;
pub mod find;
pub mod grep;
pub mod info;
pub mod listing;
pub mod manage;
pub mod media;
pub mod open;
pub mod read;
pub mod roots;
pub mod sandbox;
mod server;
pub mod walk;
pub mod write;

pub use server::{FsServer, Settings, StartError, WRITE_TOOLS};
