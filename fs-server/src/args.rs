//! The tools' arguments: what a model reads in each `inputSchema`, and the defaults and bounds
//! that apply when it leaves something out.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::edit::Edit;
use crate::find::KindFilter;
use crate::grep::CaseMode;
use crate::info::Algorithm;
use crate::listing::SortBy;

/// A single path.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathArgs {
    /// An absolute path inside an allowed directory, or a path relative to one.
    pub path: String,
}

/// Arguments of `read_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadFileArgs {
    /// The file to read.
    pub path: String,
    /// The first line to return, 1-based [default: 1]. Use a previous answer's `next_offset` to read on.
    #[serde(default)]
    pub offset: Option<u64>,
    /// How many lines to return at most [default: as many as fit `max_bytes`].
    #[serde(default)]
    pub limit: Option<u64>,
    /// Return the first N lines (instead of offset/limit).
    #[serde(default)]
    pub head: Option<u64>,
    /// Return the last N lines (instead of offset/limit).
    #[serde(default)]
    pub tail: Option<u64>,
    /// Return at most this many bytes of content [default: 262144, at most 16777216]; whole lines are kept where possible.
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// Arguments of `read_multiple_files`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadMultipleArgs {
    /// The files to read (1 to 50). A file that cannot be read gets an error entry; the others are still read.
    pub paths: Vec<String>,
    /// Return at most this many bytes of each file [default: 65536].
    #[serde(default)]
    pub max_bytes_per_file: Option<u64>,
}

/// Arguments of `read_media_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadMediaArgs {
    /// The image, audio or other binary file to read.
    pub path: String,
    /// Refuse files larger than this many bytes [default: 10485760, at most 52428800].
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// Arguments of `write_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteFileArgs {
    /// The file to create or replace.
    pub path: String,
    /// The complete new content (UTF-8 text).
    pub content: String,
    /// Only write if the file's current sha256 (from read_file) is this, so that a change made by someone else since is not lost.
    #[serde(default)]
    pub expected_sha256: Option<String>,
    /// Create missing parent directories [default: false].
    #[serde(default)]
    pub create_parents: bool,
}

/// Arguments of `append_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppendFileArgs {
    /// The file to append to; it is created if missing.
    pub path: String,
    /// The text to add at the end (include a trailing newline if you want one).
    pub content: String,
}

/// Arguments of `edit_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EditFileArgs {
    /// The text file to edit.
    pub path: String,
    /// Replacements, applied in order; each sees the result of the ones before. All apply or none do.
    pub edits: Vec<Edit>,
    /// Only return the diff; do not write [default: false].
    #[serde(default)]
    pub dry_run: bool,
    /// Only edit if the file's current sha256 (from read_file) is this.
    #[serde(default)]
    pub expected_sha256: Option<String>,
}

/// Arguments of `list_directory`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDirectoryArgs {
    /// The directory to list.
    pub path: String,
    /// Order: `name` (default), `size` (largest first) or `modified` (newest first).
    #[serde(default)]
    pub sort_by: SortBy,
    /// Include names starting with a dot [default: true].
    #[serde(default = "yes")]
    pub include_hidden: bool,
    /// Skip this many entries (use a previous answer's `next_offset`) [default: 0].
    #[serde(default)]
    pub offset: usize,
    /// Return at most this many entries [default: 500, at most 5000].
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `directory_tree`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryTreeArgs {
    /// The directory at the top of the tree.
    pub path: String,
    /// How many levels to descend (1 = only the directory's own entries) [default: 3, at most 32].
    #[serde(default)]
    pub max_depth: Option<usize>,
    /// Include at most this many entries [default: 500, at most 50000].
    #[serde(default)]
    pub max_entries: Option<usize>,
    /// Leave out entries whose name or relative path matches one of these globs, such as `node_modules` or `**/*.log`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Leave out what .gitignore files ignore, and .git directories [default: true].
    #[serde(default = "yes")]
    pub respect_gitignore: bool,
    /// Include names starting with a dot [default: true].
    #[serde(default = "yes")]
    pub include_hidden: bool,
}

/// Arguments of `move_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveArgs {
    /// The file or directory to move.
    pub source: String,
    /// Its new path (including the name).
    pub destination: String,
    /// Replace an existing file at the destination [default: false: fail if it exists].
    #[serde(default)]
    pub overwrite: bool,
}

/// Arguments of `copy_file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyArgs {
    /// The file (or, with `recursive`, directory) to copy.
    pub source: String,
    /// The path of the copy (including the name).
    pub destination: String,
    /// Replace an existing file at the destination [default: false: fail if it exists].
    #[serde(default)]
    pub overwrite: bool,
    /// Copy a directory with everything in it; the destination must not exist [default: false].
    #[serde(default)]
    pub recursive: bool,
}

/// Arguments of `delete_path`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteArgs {
    /// The file, link or directory to delete. A link is deleted, not what it points to.
    pub path: String,
    /// Delete a directory with everything in it [default: false: only empty directories].
    #[serde(default)]
    pub recursive: bool,
}

/// Arguments of `file_hash`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileHashArgs {
    /// The file to hash.
    pub path: String,
    /// `sha256` (default), `sha512`, `sha1` or `md5`.
    #[serde(default)]
    pub algorithm: Algorithm,
}

/// Arguments of `search_files`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchFilesArgs {
    /// The directory to search under.
    pub path: String,
    /// A glob. Without a `/` it matches names at any depth (`*.rs`, `README*`); with one it matches the path relative to `path` (`src/**/*.rs`).
    pub pattern: String,
    /// Leave out entries (and everything under them) whose name or relative path matches one of these globs.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Match letter case exactly [default: true].
    #[serde(default = "yes")]
    pub case_sensitive: bool,
    /// Report `any` (default), `file` or `directory` entries.
    #[serde(default)]
    pub kind: KindFilter,
    /// Leave out what .gitignore files ignore, and .git directories [default: true].
    #[serde(default = "yes")]
    pub respect_gitignore: bool,
    /// Include names starting with a dot [default: true].
    #[serde(default = "yes")]
    pub include_hidden: bool,
    /// How many levels to descend [default and most: 64].
    #[serde(default)]
    pub max_depth: Option<usize>,
    /// Skip this many matches (use a previous answer's `next_offset`) [default: 0].
    #[serde(default)]
    pub offset: usize,
    /// Return at most this many matches [default: 200, at most 5000].
    #[serde(default)]
    pub max_results: Option<usize>,
}

/// Arguments of `grep`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrepArgs {
    /// The directory (or single file) to search.
    pub path: String,
    /// The text to find; a regular expression if `regex` is true.
    pub query: String,
    /// Treat `query` as a regular expression (Rust syntax) instead of literal text [default: false].
    #[serde(default)]
    pub regex: bool,
    /// `smart` (default: case-insensitive unless the query has an uppercase letter), `sensitive` or `insensitive`.
    #[serde(default)]
    pub case: CaseMode,
    /// Lines of context before and after each match [default: 0, at most 10].
    #[serde(default)]
    pub context_lines: usize,
    /// Only search files whose name or relative path matches one of these globs, such as `*.rs`.
    #[serde(default)]
    pub include: Vec<String>,
    /// Leave out entries (and everything under them) whose name or relative path matches one of these globs.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Leave out what .gitignore files ignore, and .git directories [default: true].
    #[serde(default = "yes")]
    pub respect_gitignore: bool,
    /// Include names starting with a dot [default: true].
    #[serde(default = "yes")]
    pub include_hidden: bool,
    /// Skip files larger than this many bytes [default: 10485760].
    #[serde(default)]
    pub max_file_bytes: Option<u64>,
    /// Skip this many matches (use a previous answer's `next_offset`) [default: 0].
    #[serde(default)]
    pub offset: usize,
    /// Return at most this many matches [default: 100, at most 2000].
    #[serde(default)]
    pub max_results: Option<usize>,
    /// Return at most this many matches per file [default: 20].
    #[serde(default)]
    pub max_matches_per_file: Option<usize>,
}

fn yes() -> bool {
    true
}
