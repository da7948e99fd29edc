//! Finding files and directories by name (`search_files`); contents are `grep`'s job.
//!
//! A pattern without a `/` matches entry names at any depth (`*.rs`), as ripgrep's `-g` does;
//! one with a `/` matches the path relative to the search directory (`src/**/*.rs`).

use std::ops::ControlFlow;

use globset::GlobMatcher;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::FsResult;
use crate::open::kind_name;
use crate::sandbox::Location;
use crate::walk::{Stop, WalkOptions, glob, walk};

/// Which kinds of entries `search_files` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KindFilter {
    /// Files, directories and anything else.
    #[default]
    Any,
    /// Regular files only.
    File,
    /// Directories only.
    Directory,
}

/// A name pattern and how to apply it.
#[derive(Debug, Clone)]
pub struct NameQuery {
    /// The glob.
    pub pattern: String,
    /// Match letters regardless of case.
    pub case_insensitive: bool,
    /// Which kinds to report.
    pub kind: KindFilter,
    /// Skip this many matches (paging).
    pub offset: usize,
    /// Report at most this many.
    pub max_results: usize,
}

/// An entry found by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Found {
    /// The absolute path.
    pub path: String,
    /// `file`, `directory`, `symlink`, …
    pub kind: &'static str,
    /// Size in bytes, for files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// Entries found by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FoundPage {
    /// The matches in this page, in walk order.
    pub matches: Vec<Found>,
    /// How many entries were looked at.
    pub entries_scanned: usize,
    /// Whether more matches may follow (a limit was hit).
    pub truncated: bool,
    /// The `offset` for the next page, when more matches follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// What cut the search short: `max_results`, `max_depth` or `time_limit`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits_hit: Vec<&'static str>,
    /// Directories that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Searches the tree under `location` for names matching `query`.
pub fn search_files(
    location: &Location,
    query: &NameQuery,
    walk_options: &WalkOptions,
) -> FsResult<FoundPage> {
    let matcher: GlobMatcher = glob(&query.pattern, query.case_insensitive)?.compile_matcher();
    let by_name = !query.pattern.contains('/');
    let mut matched = 0usize;
    let mut scanned = 0usize;
    let mut found = Vec::new();
    let summary = walk(location, walk_options, |entry| {
        scanned += 1;
        let hit = if by_name {
            matcher.is_match(entry.name)
        } else {
            matcher.is_match(entry.relative)
        };
        let kind_ok = match query.kind {
            KindFilter::Any => true,
            KindFilter::File => entry.file_type.is_file(),
            KindFilter::Directory => entry.file_type.is_dir(),
        };
        if !(hit && kind_ok) {
            return ControlFlow::Continue(());
        }
        matched += 1;
        if matched <= query.offset {
            return ControlFlow::Continue(());
        }
        if found.len() == query.max_results {
            return ControlFlow::Break(());
        }
        found.push(Found {
            path: location.join(entry.relative).display(),
            kind: kind_name(&entry.file_type),
            size: entry
                .file_type
                .is_file()
                .then(|| entry.entry.metadata().ok().map(|metadata| metadata.len()))
                .flatten(),
        });
        ControlFlow::Continue(())
    })?;
    let mut limits_hit = Vec::new();
    if !summary.depth_limited.is_empty() {
        limits_hit.push("max_depth");
    }
    let next_offset = match summary.stopped {
        Some(Stop::Visitor) => {
            limits_hit.push("max_results");
            Some(query.offset + found.len())
        }
        Some(Stop::Deadline) => {
            limits_hit.push("time_limit");
            Some(query.offset + found.len())
        }
        None => None,
    };
    Ok(FoundPage {
        matches: found,
        entries_scanned: scanned,
        truncated: next_offset.is_some(),
        next_offset,
        limits_hit,
        errors: summary.errors,
    })
}
