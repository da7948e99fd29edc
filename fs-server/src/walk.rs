//! Walking a directory tree through the sandbox: iterative, sorted, gitignore-aware, bounded.
//!
//! The `ignore` crate's walker opens paths by name, so a directory swapped for a symlink while
//! it runs would lead it outside the root. This walker instead holds a directory handle per
//! level and opens each subdirectory through its parent's handle without following links
//! (`open_dir_nofollow`): a link met on the way is reported as a link and never entered. The
//! gitignore matching itself is the `ignore` crate's ([`Gitignore`]), fed with `.gitignore`
//! files read through the same handles.
//!
//! Entries come in a stable order (each directory's entries sorted by name, then its
//! subdirectories in turn), so a caller can page through results by skipping a count.

use std::ffi::OsString;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, DirEntry, FileType};
use globset::GlobSet;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{FsError, FsResult};
use crate::sandbox::Location;

/// The largest `.gitignore` read; a bigger one is skipped with a note.
const MAX_GITIGNORE_BYTES: u64 = 1 << 20;
/// How many unreadable directories are reported by name.
const MAX_REPORTED_ERRORS: usize = 20;

/// What to walk and what to leave out.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Directories deeper than this (1 = the start's own entries) are not entered.
    pub max_depth: usize,
    /// Leave out what `.gitignore` files ignore, and `.git` directories.
    pub respect_gitignore: bool,
    /// Include names that start with a dot.
    pub include_hidden: bool,
    /// Leave out entries (and their subtrees) whose path relative to the start, or whose name,
    /// matches.
    pub exclude: GlobSet,
    /// Stop when this instant passes.
    pub deadline: Instant,
}

/// One entry met on the walk.
#[derive(Debug)]
pub struct WalkEntry<'a> {
    /// The directory that holds the entry; open the entry through it.
    pub parent: &'a Dir,
    /// The entry itself.
    pub entry: &'a DirEntry,
    /// The entry's name.
    pub name: &'a OsString,
    /// The path relative to the walk's start.
    pub relative: &'a Path,
    /// 1 for the start's own entries.
    pub depth: usize,
    /// The entry's type; links are not followed.
    pub file_type: FileType,
}

/// Why a walk ended before visiting everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The visitor had enough.
    Visitor,
    /// The deadline passed.
    Deadline,
}

/// How a walk went.
#[derive(Debug, Default)]
pub struct WalkSummary {
    /// Why it stopped early, if it did.
    pub stopped: Option<Stop>,
    /// Directories that were not entered because of `max_depth`, relative to the start.
    pub depth_limited: Vec<PathBuf>,
    /// Directories that were queued but not entered because the walk stopped.
    pub not_entered: Vec<PathBuf>,
    /// The directory whose listing the walk stopped in the middle of, if it did.
    pub partly_listed: Option<PathBuf>,
    /// Directories that could not be read, with why (the first few).
    pub errors: Vec<String>,
}

struct Frame {
    dir: Dir,
    relative: PathBuf,
    depth: usize,
    ignores: Arc<Vec<Gitignore>>,
}

/// Walks the directory at `start`, calling `visit` for every entry that is not left out.
pub fn walk(
    start: &Location,
    options: &WalkOptions,
    mut visit: impl FnMut(&WalkEntry<'_>) -> ControlFlow<()>,
) -> FsResult<WalkSummary> {
    let display = start.display();
    let dir = start
        .root_dir()
        .open_dir(start.relative())
        .map_err(|error| FsError::io("open the directory", &display, error))?;
    let mut summary = WalkSummary::default();
    let mut stack = vec![Frame {
        dir,
        relative: PathBuf::new(),
        depth: 0,
        ignores: Arc::new(Vec::new()),
    }];
    while let Some(frame) = stack.pop() {
        if Instant::now() >= options.deadline {
            summary.stopped = Some(Stop::Deadline);
            summary.not_entered.push(frame.relative);
            break;
        }
        let ignores = if options.respect_gitignore {
            with_gitignore(&frame, &mut summary)
        } else {
            Arc::clone(&frame.ignores)
        };
        let mut entries = match read_sorted(&frame.dir) {
            Ok(entries) => entries,
            Err(error) => {
                note_error(&mut summary, &frame.relative, &error);
                continue;
            }
        };
        let mut subdirectories = Vec::new();
        for (name, entry) in entries.drain(..) {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let relative = frame.relative.join(&name);
            let is_dir = file_type.is_dir();
            if left_out(options, &ignores, &name, &relative, is_dir) {
                continue;
            }
            let depth = frame.depth + 1;
            let walk_entry = WalkEntry {
                parent: &frame.dir,
                entry: &entry,
                name: &name,
                relative: &relative,
                depth,
                file_type,
            };
            if visit(&walk_entry).is_break() {
                summary.stopped = Some(Stop::Visitor);
                summary.partly_listed = Some(frame.relative.clone());
                break;
            }
            if is_dir {
                if depth >= options.max_depth {
                    summary.depth_limited.push(relative);
                } else {
                    subdirectories.push((name, relative));
                }
            }
        }
        if summary.stopped.is_some() {
            summary
                .not_entered
                .extend(subdirectories.into_iter().map(|(_, relative)| relative));
            summary
                .not_entered
                .extend(stack.drain(..).map(|frame| frame.relative));
            break;
        }
        for (name, relative) in subdirectories.into_iter().rev() {
            match frame.dir.open_dir_nofollow(&name) {
                Ok(dir) => stack.push(Frame {
                    dir,
                    relative,
                    depth: frame.depth + 1,
                    ignores: Arc::clone(&ignores),
                }),
                Err(error) => note_error(&mut summary, &relative, &error),
            }
        }
    }
    // Directories still queued when the deadline passed were never entered.
    summary
        .not_entered
        .extend(stack.into_iter().map(|frame| frame.relative));
    Ok(summary)
}

fn read_sorted(dir: &Dir) -> std::io::Result<Vec<(OsString, DirEntry)>> {
    let mut entries: Vec<(OsString, DirEntry)> = dir
        .entries()?
        .filter_map(Result::ok)
        .map(|entry| (entry.file_name(), entry))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

fn left_out(
    options: &WalkOptions,
    ignores: &[Gitignore],
    name: &OsString,
    relative: &Path,
    is_dir: bool,
) -> bool {
    let hidden = name.as_encoded_bytes().first() == Some(&b'.');
    if hidden && !options.include_hidden {
        return true;
    }
    if options.respect_gitignore && is_dir && name == ".git" {
        return true;
    }
    if options.exclude.is_match(relative) || options.exclude.is_match(name) {
        return true;
    }
    // The deepest .gitignore with an opinion decides.
    ignores
        .iter()
        .rev()
        .map(|gitignore| gitignore.matched(relative, is_dir))
        .find(|matched| !matched.is_none())
        .is_some_and(|matched| matches!(matched, Match::Ignore(_)))
}

/// The frame's gitignore chain, plus its own `.gitignore` if it has one.
fn with_gitignore(frame: &Frame, summary: &mut WalkSummary) -> Arc<Vec<Gitignore>> {
    let Some(text) = read_gitignore(&frame.dir) else {
        return Arc::clone(&frame.ignores);
    };
    let root = if frame.relative.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        frame.relative.clone()
    };
    let mut builder = GitignoreBuilder::new(&root);
    for line in text.lines() {
        // A bad line is skipped, as git does; the rest still apply.
        let _ = builder.add_line(None, line);
    }
    match builder.build() {
        Ok(gitignore) => {
            let mut chain = frame.ignores.as_ref().clone();
            chain.push(gitignore);
            Arc::new(chain)
        }
        Err(error) => {
            summary.errors.push(format!(
                "{}: .gitignore not used: {error}",
                frame.relative.display()
            ));
            Arc::clone(&frame.ignores)
        }
    }
}

fn read_gitignore(dir: &Dir) -> Option<String> {
    use cap_fs_ext::OpenOptionsFollowExt;
    let mut options = cap_std::fs::OpenOptions::new();
    options.read(true).follow(cap_fs_ext::FollowSymlinks::No);
    let file = dir.open_with(".gitignore", &options).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() > MAX_GITIGNORE_BYTES {
        return None;
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file.into_std(), &mut text).ok()?;
    Some(text)
}

fn note_error(summary: &mut WalkSummary, relative: &Path, error: &std::io::Error) {
    if summary.errors.len() < MAX_REPORTED_ERRORS {
        let shown = if relative.as_os_str().is_empty() {
            Path::new(".")
        } else {
            relative
        };
        summary.errors.push(format!("{}: {error}", shown.display()));
    }
}

/// Compiles glob patterns into one set, naming the first one that does not compile.
pub fn glob_set(patterns: &[String], case_insensitive: bool) -> FsResult<GlobSet> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(glob(pattern, case_insensitive)?);
    }
    builder.build().map_err(|error| FsError::InvalidPattern {
        kind: "glob",
        pattern: patterns.join(", "),
        reason: error.to_string(),
    })
}

/// One glob: `*` stays within a path component, `**` crosses them.
pub fn glob(pattern: &str, case_insensitive: bool) -> FsResult<globset::Glob> {
    if pattern.is_empty() {
        return Err(FsError::InvalidPattern {
            kind: "glob",
            pattern: String::new(),
            reason: "the pattern is empty".to_owned(),
        });
    }
    if pattern.starts_with('/') {
        return Err(FsError::InvalidPattern {
            kind: "glob",
            pattern: pattern.to_owned(),
            reason: "patterns are relative to the search path; drop the leading `/`".to_owned(),
        });
    }
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .case_insensitive(case_insensitive)
        .backslash_escape(true)
        .build()
        .map_err(|error| FsError::InvalidPattern {
            kind: "glob",
            pattern: pattern.to_owned(),
            reason: error.kind().to_string(),
        })
}
