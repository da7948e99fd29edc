//! Listing directories: one level with metadata and paging, or a bounded tree.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{FsError, FsResult};
use crate::info::rfc3339;
use crate::open::kind_name;
use crate::sandbox::Location;
use crate::walk::{Stop, WalkOptions, walk};

/// How `list_directory` orders entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// By name (byte order), directories and files mixed.
    #[default]
    Name,
    /// Largest first.
    Size,
    /// Most recently modified first.
    Modified,
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Entry {
    /// The entry's name (invalid UTF-8 replaced with U+FFFD).
    pub name: String,
    /// `file`, `directory`, `symlink`, `fifo`, `socket`, `device` or `other`; links are not
    /// followed.
    pub kind: &'static str,
    /// Size in bytes (of the link itself for a symlink).
    pub size: u64,
    /// Last modification, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Set when the name is not valid UTF-8, so `name` is not its exact spelling.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invalid_utf8: bool,
}

/// A page of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Listing {
    /// The absolute path of the directory.
    pub path: String,
    /// The entries in this page.
    pub entries: Vec<Entry>,
    /// How many entries the directory has (after the hidden filter).
    pub total: usize,
    /// Whether entries follow this page.
    pub truncated: bool,
    /// The `offset` of the next page, when `truncated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// One page of the directory at `location`.
pub fn list_directory(
    location: &Location,
    sort_by: SortBy,
    include_hidden: bool,
    offset: usize,
    limit: usize,
) -> FsResult<Listing> {
    let display = location.display();
    let dir = location
        .root_dir()
        .open_dir(location.relative())
        .map_err(|error| FsError::io("open the directory", &display, error))?;
    let mut entries = Vec::new();
    let mut modified_times = Vec::new();
    for entry in dir
        .entries()
        .map_err(|error| FsError::io("list", &display, error))?
    {
        let entry = entry.map_err(|error| FsError::io("list", &display, error))?;
        let name = entry.file_name();
        if !include_hidden && name.as_encoded_bytes().first() == Some(&b'.') {
            continue;
        }
        // DirEntry::metadata does not follow a link: a link out of the sandbox leaks nothing.
        let metadata = entry.metadata().ok();
        let kind = entry
            .file_type()
            .map_or("other", |file_type| kind_name(&file_type));
        let modified = metadata
            .as_ref()
            .and_then(|metadata| metadata.modified().ok())
            .map(|time| time.into_std());
        let text = name.to_string_lossy();
        entries.push(Entry {
            invalid_utf8: matches!(text, std::borrow::Cow::Owned(_)),
            name: text.into_owned(),
            kind,
            size: metadata.as_ref().map_or(0, cap_std::fs::Metadata::len),
            modified: modified.map(rfc3339),
        });
        modified_times.push(modified);
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    match sort_by {
        SortBy::Name => order.sort_by(|a, b| entries[*a].name.cmp(&entries[*b].name)),
        SortBy::Size => order.sort_by(|a, b| {
            entries[*b]
                .size
                .cmp(&entries[*a].size)
                .then_with(|| entries[*a].name.cmp(&entries[*b].name))
        }),
        SortBy::Modified => order.sort_by(|a, b| {
            modified_times[*b]
                .cmp(&modified_times[*a])
                .then_with(|| entries[*a].name.cmp(&entries[*b].name))
        }),
    }
    let total = entries.len();
    let end = offset.saturating_add(limit).min(total);
    let page: Vec<Entry> = order
        .get(offset.min(total)..end)
        .unwrap_or_default()
        .iter()
        .map(|index| entries[*index].clone())
        .collect();
    Ok(Listing {
        path: display,
        entries: page,
        total,
        truncated: end < total,
        next_offset: (end < total).then_some(end),
    })
}

/// A node of a directory tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TreeNode {
    /// The entry's name.
    pub name: String,
    /// `file`, `directory`, `symlink`, …; links are not followed.
    pub kind: &'static str,
    /// Size in bytes, for files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// A directory's entries, when it was entered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<TreeNode>>,
    /// Set on a directory whose entries were left out, all or some (depth, entry or time
    /// limit): call `directory_tree` on it to see them.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// A bounded directory tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Tree {
    /// The absolute path of the tree's top.
    pub path: String,
    /// The top's entries.
    pub tree: Vec<TreeNode>,
    /// How many entries the tree holds.
    pub entries: usize,
    /// Whether anything was left out; the directories left unexpanded say `truncated`.
    pub truncated: bool,
    /// What cut the tree short: `max_depth`, `max_entries` or `time_limit`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits_hit: Vec<&'static str>,
    /// Directories that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// What bounds a tree.
#[derive(Debug, Clone)]
pub struct TreeLimits {
    /// The walk's filters and depth.
    pub walk: WalkOptions,
    /// The most entries to include.
    pub max_entries: usize,
}

/// The tree under `location`.
pub fn directory_tree(location: &Location, limits: &TreeLimits) -> FsResult<Tree> {
    struct Flat {
        relative: PathBuf,
        node: TreeNode,
    }
    let mut flat: Vec<Flat> = Vec::new();
    let summary = walk(location, &limits.walk, |entry| {
        if flat.len() >= limits.max_entries {
            return ControlFlow::Break(());
        }
        let is_dir = entry.file_type.is_dir();
        let size = (entry.file_type.is_file())
            .then(|| entry.entry.metadata().map(|metadata| metadata.len()).ok())
            .flatten();
        flat.push(Flat {
            relative: entry.relative.to_path_buf(),
            node: TreeNode {
                name: entry.name.to_string_lossy().into_owned(),
                kind: kind_name(&entry.file_type),
                size,
                children: is_dir.then(Vec::new),
                truncated: false,
            },
        });
        ControlFlow::Continue(())
    })?;
    let mut unexpanded: Vec<&Path> = summary
        .depth_limited
        .iter()
        .chain(&summary.not_entered)
        .map(PathBuf::as_path)
        .collect();
    unexpanded.sort();
    let mut limits_hit = Vec::new();
    if !summary.depth_limited.is_empty() {
        limits_hit.push("max_depth");
    }
    match summary.stopped {
        Some(Stop::Visitor) => limits_hit.push("max_entries"),
        Some(Stop::Deadline) => limits_hit.push("time_limit"),
        None => {}
    }
    for item in &mut flat {
        if unexpanded.binary_search(&item.relative.as_path()).is_ok() {
            item.node.children = None;
            item.node.truncated = true;
        } else if summary.partly_listed.as_ref() == Some(&item.relative) {
            // Entered, but the entry limit struck while listing it: its children are partial.
            item.node.truncated = true;
        }
    }
    let entries = flat.len();
    // Assemble bottom-up: children were visited after their parents, so walk backwards.
    let mut children_of: HashMap<PathBuf, Vec<TreeNode>> = HashMap::new();
    let mut top = Vec::new();
    for item in flat.into_iter().rev() {
        let mut node = item.node;
        if let Some(children) = node.children.as_mut()
            && let Some(mut found) = children_of.remove(&item.relative)
        {
            found.reverse();
            *children = found;
        }
        match item
            .relative
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            Some(parent) => children_of
                .entry(parent.to_path_buf())
                .or_default()
                .push(node),
            None => top.push(node),
        }
    }
    top.reverse();
    Ok(Tree {
        path: location.display(),
        tree: top,
        entries,
        truncated: !limits_hit.is_empty(),
        limits_hit,
        errors: summary.errors,
    })
}
