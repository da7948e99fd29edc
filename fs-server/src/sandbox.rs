//! The sandbox: the only way any tool reaches the filesystem.
//!
//! A [`Sandbox`] is a list of allowed [`Root`]s, each holding an open directory handle
//! ([`cap_std::fs::Dir`]). A path from a tool call is turned into a [`Location`] (a root and a
//! path relative to it) by plain text rules, and every operation then opens that relative path
//! *through the root's handle*. cap-std resolves each component itself, refusing any `..` or
//! symbolic link (absolute or relative, chained, or swapped in while the call runs) that would
//! leave the root. So escaping is not something we check for and might get wrong: the system
//! calls that could express it are never made.
//!
//! The text rules, which exist to give clear errors rather than to provide safety:
//! - an absolute path must lie under a root, compared component by component (`/srv/a` never
//!   admits `/srv/a-evil`), with `.` and `..` resolved lexically first, as `path.resolve` does;
//! - a relative path is taken against the first root in which it exists, else the first root;
//! - `~` and `~/…` expand to `$HOME`; the text is otherwise taken literally (no quote or space
//!   trimming, no percent-decoding, no `file://` URLs, no NUL bytes).

use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use serde::Serialize;

use crate::error::{FsError, FsResult};

/// Whether a root may be written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Every tool may change files under the root.
    ReadWrite,
    /// Only reading tools may use the root.
    ReadOnly,
}

/// Where a root came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RootSource {
    /// A directory given on the command line.
    CommandLine,
    /// A root the MCP client provided (`roots/list`).
    Client,
}

/// An allowed directory and an open handle to it.
#[derive(Debug)]
pub struct Root {
    path: PathBuf,
    alias: Option<PathBuf>,
    dir: Dir,
    access: Access,
    source: RootSource,
}

impl Root {
    /// Opens `path` as a root. The stored path is canonical (symlinks in it resolved, once, now);
    /// the spelling given is kept as an alias so that paths written either way are accepted.
    pub fn open(path: &Path, access: Access, source: RootSource) -> io::Result<Self> {
        let canonical = std::fs::canonicalize(path)?;
        let dir = Dir::open_ambient_dir(&canonical, ambient_authority())?;
        let alias = (path.is_absolute() && path != canonical).then(|| lexical_absolute(path));
        Ok(Self {
            path: canonical,
            alias,
            dir,
            access,
            source,
        })
    }

    /// The canonical absolute path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether tools may write under this root.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Where the root came from.
    pub fn source(&self) -> RootSource {
        self.source
    }

    /// The directory handle every operation under this root goes through.
    pub fn dir(&self) -> &Dir {
        &self.dir
    }

    /// The path relative to this root, if `absolute` (already lexically normalized) is under it.
    fn relative<'a>(&self, absolute: &'a Path) -> Option<&'a Path> {
        absolute.strip_prefix(&self.path).ok().or_else(|| {
            self.alias
                .as_deref()
                .and_then(|alias| absolute.strip_prefix(alias).ok())
        })
    }

    /// How many components the root path has: the longer, the more specific.
    fn depth(&self) -> usize {
        self.path.components().count()
    }
}

/// The allowed directories, as of one moment (client roots can replace them).
#[derive(Debug, Clone, Default)]
pub struct Sandbox {
    roots: Vec<Arc<Root>>,
}

impl Sandbox {
    /// A sandbox of `roots`; duplicates (by canonical path) are dropped, the first one kept.
    pub fn new(roots: Vec<Root>) -> Self {
        let mut unique: Vec<Arc<Root>> = Vec::with_capacity(roots.len());
        for root in roots {
            if !unique.iter().any(|kept| kept.path == root.path) {
                unique.push(Arc::new(root));
            }
        }
        Self { roots: unique }
    }

    /// The roots, in the order given.
    pub fn roots(&self) -> &[Arc<Root>] {
        &self.roots
    }

    /// Where `raw` points, for reading.
    pub fn resolve(&self, raw: &str) -> FsResult<Location> {
        if self.roots.is_empty() {
            return Err(FsError::NoRoots);
        }
        let path = parse(raw)?;
        if path.is_absolute() {
            let absolute = lexical_absolute(&path);
            let (root, relative) = self
                .roots
                .iter()
                .filter_map(|root| root.relative(&absolute).map(|relative| (root, relative)))
                .max_by_key(|(root, _)| root.depth())
                .ok_or_else(|| FsError::Outside {
                    path: raw.to_owned(),
                })?;
            return Ok(Location::new(root, relative.to_path_buf()));
        }
        let relative = lexical_relative(&path).ok_or_else(|| FsError::Outside {
            path: raw.to_owned(),
        })?;
        let root = self
            .roots
            .iter()
            .find(|root| root.dir.symlink_metadata(dot_if_empty(&relative)).is_ok())
            .unwrap_or(&self.roots[0]);
        Ok(Location::new(root, relative))
    }

    /// Where `raw` points, for a tool that changes it: its root must be writable.
    pub fn resolve_writable(&self, raw: &str) -> FsResult<Location> {
        let location = self.resolve(raw)?;
        if location.root.access == Access::ReadOnly {
            return Err(FsError::ReadOnly {
                path: raw.to_owned(),
            });
        }
        Ok(location)
    }
}

/// A path inside one root: the root's handle and a normalized relative path (no `.` or `..`).
#[derive(Debug, Clone)]
pub struct Location {
    root: Arc<Root>,
    relative: PathBuf,
}

impl Location {
    fn new(root: &Arc<Root>, relative: PathBuf) -> Self {
        Self {
            root: Arc::clone(root),
            relative,
        }
    }

    /// The root this location is in.
    pub fn root(&self) -> &Arc<Root> {
        &self.root
    }

    /// The path relative to the root, `.` for the root itself; what cap-std is given.
    pub fn relative(&self) -> &Path {
        dot_if_empty(&self.relative)
    }

    /// Whether this is the root itself.
    pub fn is_root(&self) -> bool {
        self.relative.as_os_str().is_empty()
    }

    /// The absolute path, for output.
    pub fn absolute(&self) -> PathBuf {
        if self.is_root() {
            self.root.path.clone()
        } else {
            self.root.path.join(&self.relative)
        }
    }

    /// The absolute path as text, with any invalid UTF-8 replaced, for output.
    pub fn display(&self) -> String {
        self.absolute().to_string_lossy().into_owned()
    }

    /// The root's directory handle.
    pub fn root_dir(&self) -> &Dir {
        &self.root.dir
    }

    /// The location of `relative` (a path below this one).
    pub fn join(&self, relative: &Path) -> Self {
        Self {
            root: Arc::clone(&self.root),
            relative: self.relative.join(relative),
        }
    }

    /// The directory that holds this entry, opened through the root, and the entry's name; what
    /// an operation that creates, replaces or removes the entry itself works on.
    pub fn parent(&self) -> FsResult<(Dir, OsString)> {
        let name = match self.relative.file_name() {
            Some(name) => name.to_owned(),
            None => {
                return Err(FsError::IsRoot {
                    path: self.display(),
                });
            }
        };
        let parent = self.relative.parent().unwrap_or(Path::new(""));
        let dir = self
            .root
            .dir
            .open_dir(dot_if_empty(parent))
            .map_err(|error| FsError::io("open the parent directory of", &self.display(), error))?;
        Ok((dir, name))
    }
}

fn dot_if_empty(path: &Path) -> &Path {
    if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    }
}

/// The text rules: what a raw path means before any filesystem access.
fn parse(raw: &str) -> FsResult<PathBuf> {
    let invalid = |reason: &str| FsError::InvalidPath {
        path: raw.to_owned(),
        reason: reason.to_owned(),
    };
    if raw.is_empty() {
        return Err(invalid("the path is empty"));
    }
    if raw.contains('\0') {
        return Err(invalid("the path contains a NUL byte"));
    }
    if raw.len() >= 4 && raw[..4].eq_ignore_ascii_case("file") && raw[4..].starts_with(':') {
        return Err(invalid("the path is a URL; pass the plain path"));
    }
    if let Some(rest) = raw.strip_prefix('~') {
        if !(rest.is_empty() || rest.starts_with('/')) {
            return Err(invalid("only `~` and `~/…` are expanded, not `~user`"));
        }
        let home = std::env::var_os("HOME")
            .filter(|home| !home.is_empty())
            .ok_or_else(|| invalid("`~` cannot be expanded: HOME is not set"))?;
        return Ok(PathBuf::from(home).join(rest.trim_start_matches('/')));
    }
    Ok(PathBuf::from(raw))
}

/// An absolute path with `.` and `..` resolved lexically (`/..` stays `/`).
fn lexical_absolute(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(name) => normalized.push(name),
            Component::ParentDir => {
                normalized.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    normalized
}

/// A relative path with `.` and `..` resolved lexically; `None` if it climbs above its start.
fn lexical_relative(path: &Path) -> Option<PathBuf> {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(name) => normalized.push(name),
            Component::ParentDir => {
                if !normalized.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox(dirs: &[&Path]) -> Sandbox {
        Sandbox::new(
            dirs.iter()
                .map(|dir| Root::open(dir, Access::ReadWrite, RootSource::CommandLine).unwrap())
                .collect(),
        )
    }

    #[test]
    fn absolute_paths_resolve_component_wise() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::create_dir(temp.path().join("root-evil")).unwrap();
        let sandbox = sandbox(&[&root]);
        let canonical = std::fs::canonicalize(&root).unwrap();
        let inside = sandbox
            .resolve(&format!("{}/a/./b/../c", root.display()))
            .unwrap();
        assert_eq!(inside.absolute(), canonical.join("a/c"));
        for outside in [
            format!("{}-evil/x", root.display()),
            format!("{}evil", root.display()),
            format!("{}/../root-evil", root.display()),
            format!("{}/a/../../..", root.display()),
            format!("{} ", root.display()),
            format!("{}\"", root.display()),
            "/etc/passwd".to_owned(),
            "/".to_owned(),
        ] {
            let error = sandbox.resolve(&outside).unwrap_err();
            assert_eq!(error.code(), "outside_allowed_directories", "{outside}");
        }
    }

    #[test]
    fn relative_paths_stay_below_their_root() {
        let temp = tempfile::tempdir().unwrap();
        let sandbox = sandbox(&[temp.path()]);
        assert!(sandbox.resolve("").is_err());
        assert!(sandbox.resolve(".").unwrap().is_root());
        assert_eq!(
            sandbox.resolve("a/../b").unwrap().relative(),
            Path::new("b")
        );
        for escaping in ["..", "../x", "a/../../x", "%2e%2e/../.."] {
            assert_eq!(
                sandbox.resolve(escaping).unwrap_err().code(),
                "outside_allowed_directories",
                "{escaping}"
            );
        }
        // Percent-encoding and backslashes are literal names on Unix.
        assert_eq!(
            sandbox.resolve("%2e%2e/etc").unwrap().relative(),
            Path::new("%2e%2e/etc")
        );
        assert_eq!(
            sandbox.resolve("\\..\\..\\").unwrap().relative(),
            Path::new("\\..\\..\\")
        );
    }

    #[test]
    fn relative_paths_prefer_the_root_that_has_them() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        std::fs::write(second.path().join("only-here.txt"), "x").unwrap();
        let sandbox = sandbox(&[first.path(), second.path()]);
        let found = sandbox.resolve("only-here.txt").unwrap();
        assert_eq!(
            found.root().path(),
            std::fs::canonicalize(second.path()).unwrap()
        );
        let missing = sandbox.resolve("new.txt").unwrap();
        assert_eq!(
            missing.root().path(),
            std::fs::canonicalize(first.path()).unwrap()
        );
    }

    #[test]
    fn text_that_is_not_a_path_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        let sandbox = sandbox(&[temp.path()]);
        for raw in ["", "a\0b", "file:///etc/passwd", "FILE:x", "~root/.ssh"] {
            assert_eq!(
                sandbox.resolve(raw).unwrap_err().code(),
                "invalid_path",
                "{raw:?}"
            );
        }
    }

    #[test]
    fn nested_roots_pick_the_most_specific() {
        let temp = tempfile::tempdir().unwrap();
        let inner = temp.path().join("inner");
        std::fs::create_dir(&inner).unwrap();
        let sandbox = Sandbox::new(vec![
            Root::open(temp.path(), Access::ReadWrite, RootSource::CommandLine).unwrap(),
            Root::open(&inner, Access::ReadOnly, RootSource::CommandLine).unwrap(),
        ]);
        let path = format!("{}/x", inner.display());
        assert_eq!(
            sandbox.resolve_writable(&path).unwrap_err().code(),
            "read_only"
        );
        assert!(
            sandbox
                .resolve_writable(&format!("{}/x", temp.path().display()))
                .is_ok()
        );
    }

    #[test]
    fn an_empty_sandbox_allows_nothing() {
        assert_eq!(
            Sandbox::default().resolve("/tmp").unwrap_err().code(),
            "no_allowed_directories"
        );
    }
}
