//! Searching file contents (`grep`) with ripgrep's own engine: `grep-regex` compiles the
//! pattern (literal by default, with size limits so a hostile regex cannot exhaust memory) and
//! `grep-searcher` scans each file, with context lines and binary detection. Files are found by
//! the sandboxed [`walk`] and opened through their directory's handle.

use std::ops::ControlFlow;
use std::path::Path;

use cap_std::fs::Dir;
use globset::GlobSet;
use grep_matcher::Matcher;
use grep_regex::{RegexMatcher, RegexMatcherBuilder};
use grep_searcher::{
    BinaryDetection, Searcher, SearcherBuilder, Sink, SinkContext, SinkContextKind, SinkMatch,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{FsError, FsResult};
use crate::open::open_entry;
use crate::sandbox::Location;
use crate::walk::{Stop, WalkOptions, WalkSummary, walk};

/// The longest line text returned; longer lines are cut around the match.
const MAX_LINE_CHARS: usize = 300;
/// The compiled-regex size limit.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// The lazy DFA's cache limit.
const DFA_SIZE_LIMIT: usize = 10 << 20;

/// How letter case is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseMode {
    /// Insensitive unless the query has an uppercase letter (ripgrep's `--smart-case`).
    #[default]
    Smart,
    /// Exact case.
    Sensitive,
    /// Any case.
    Insensitive,
}

/// What to search for and how much to return.
#[derive(Debug, Clone)]
pub struct ContentQuery {
    /// The text or regular expression.
    pub query: String,
    /// Whether `query` is a regular expression (otherwise literal text).
    pub regex: bool,
    /// Case handling.
    pub case: CaseMode,
    /// Lines of context before and after each match.
    pub context_lines: usize,
    /// Only files whose name or relative path matches one of these globs (all, if empty).
    pub include: Option<GlobSet>,
    /// Skip files larger than this.
    pub max_file_bytes: u64,
    /// Skip this many matches (paging).
    pub offset: usize,
    /// Return at most this many matches.
    pub max_results: usize,
    /// Return at most this many matches per file.
    pub max_matches_per_file: usize,
}

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct LineMatch {
    /// The file's absolute path.
    pub path: String,
    /// 1-based line number.
    pub line: u64,
    /// 1-based character column of the first match in the line.
    pub column: usize,
    /// The line (without its line break; long lines are cut around the match).
    pub text: String,
    /// Lines before the match, when context was asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<String>,
    /// Lines after the match, when context was asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
}

/// The result of a content search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ContentMatches {
    /// The matches in this page, in walk order.
    pub matches: Vec<LineMatch>,
    /// Files searched.
    pub files_searched: usize,
    /// Files with at least one match.
    pub files_matched: usize,
    /// Files skipped because they hold binary data.
    pub binary_files_skipped: usize,
    /// Files skipped because they exceed `max_file_bytes`.
    pub large_files_skipped: usize,
    /// Whether more matches may follow (a limit was hit).
    pub truncated: bool,
    /// The `offset` for the next page, when more matches follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// What cut the search short: `max_results`, `max_matches_per_file`, `max_depth`,
    /// `time_limit`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits_hit: Vec<&'static str>,
    /// Files and directories that could not be read (the first few).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Compiles the query, refusing bad and oversized regular expressions with a clear message.
pub fn matcher(query: &ContentQuery) -> FsResult<RegexMatcher> {
    if query.query.is_empty() {
        return Err(FsError::argument("query", "query is empty"));
    }
    let mut builder = RegexMatcherBuilder::new();
    builder
        .fixed_strings(!query.regex)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .line_terminator(Some(b'\n'));
    match query.case {
        CaseMode::Smart => builder.case_smart(true),
        CaseMode::Sensitive => builder.case_insensitive(false),
        CaseMode::Insensitive => builder.case_insensitive(true),
    };
    builder
        .build(&query.query)
        .map_err(|error| FsError::InvalidPattern {
            kind: "regex",
            pattern: query.query.clone(),
            reason: error.to_string(),
        })
}

/// Searches the file at `location`, or the files under it, for `query`.
pub fn grep(
    location: &Location,
    query: &ContentQuery,
    walk_options: &WalkOptions,
) -> FsResult<ContentMatches> {
    let matcher = matcher(query)?;
    let mut search = Search::new(query, &matcher);
    let metadata = location
        .root_dir()
        .metadata(location.relative())
        .map_err(|error| FsError::io("search", &location.display(), error))?;
    let summary = if metadata.is_file() {
        let (dir, name) = location.parent()?;
        let _ = search.file(&dir, Path::new(&name), location.display());
        WalkSummary::default()
    } else {
        walk(location, walk_options, |entry| {
            if !entry.file_type.is_file() {
                return ControlFlow::Continue(());
            }
            if let Some(include) = &query.include
                && !(include.is_match(entry.relative) || include.is_match(entry.name))
            {
                return ControlFlow::Continue(());
            }
            let size = entry.entry.metadata().map_or(0, |metadata| metadata.len());
            if size > query.max_file_bytes {
                search.result.large_files_skipped += 1;
                return ControlFlow::Continue(());
            }
            let display = location.join(entry.relative).display();
            search.file(entry.parent, Path::new(entry.name), display)
        })?
    };
    Ok(search.finish(summary))
}

/// One content search in progress: the engine, the page being filled and how far it got.
struct Search<'a> {
    query: &'a ContentQuery,
    matcher: &'a RegexMatcher,
    searcher: Searcher,
    result: ContentMatches,
    /// Matches met so far, including the ones skipped by `offset`.
    seen: usize,
    per_file_capped: bool,
    page_full: bool,
}

impl<'a> Search<'a> {
    fn new(query: &'a ContentQuery, matcher: &'a RegexMatcher) -> Self {
        let searcher = SearcherBuilder::new()
            .line_number(true)
            .before_context(query.context_lines)
            .after_context(query.context_lines)
            .binary_detection(BinaryDetection::quit(0))
            .build();
        Self {
            query,
            matcher,
            searcher,
            result: ContentMatches {
                matches: Vec::new(),
                files_searched: 0,
                files_matched: 0,
                binary_files_skipped: 0,
                large_files_skipped: 0,
                truncated: false,
                next_offset: None,
                limits_hit: Vec::new(),
                errors: Vec::new(),
            },
            seen: 0,
            per_file_capped: false,
            page_full: false,
        }
    }

    /// Searches the file `name` in `dir`; breaks once the page is full.
    fn file(&mut self, dir: &Dir, name: &Path, display: String) -> ControlFlow<()> {
        let file = match open_entry(dir, name, &display) {
            Ok((file, _)) => file,
            Err(error) => {
                self.note_error(error.to_string());
                return ControlFlow::Continue(());
            }
        };
        self.result.files_searched += 1;
        let mut sink = FileSink::new(self.matcher, &display, self.query);
        if let Err(error) = self.searcher.search_file(self.matcher, &file, &mut sink) {
            self.note_error(format!("{display}: {error}"));
            return ControlFlow::Continue(());
        }
        if sink.binary {
            self.result.binary_files_skipped += 1;
            return ControlFlow::Continue(());
        }
        if sink.matches.len() >= self.query.max_matches_per_file {
            self.per_file_capped = true;
        }
        if !sink.matches.is_empty() {
            self.result.files_matched += 1;
        }
        for found in sink.matches {
            self.seen += 1;
            if self.seen <= self.query.offset {
                continue;
            }
            if self.result.matches.len() == self.query.max_results {
                self.page_full = true;
                return ControlFlow::Break(());
            }
            self.result.matches.push(found);
        }
        ControlFlow::Continue(())
    }

    fn note_error(&mut self, error: String) {
        if self.result.errors.len() < 20 {
            self.result.errors.push(error);
        }
    }

    fn finish(mut self, summary: WalkSummary) -> ContentMatches {
        let next_offset = self.query.offset + self.result.matches.len();
        if self.page_full {
            self.result.limits_hit.push("max_results");
            self.result.next_offset = Some(next_offset);
        }
        if self.per_file_capped {
            self.result.limits_hit.push("max_matches_per_file");
        }
        if !summary.depth_limited.is_empty() {
            self.result.limits_hit.push("max_depth");
        }
        if summary.stopped == Some(Stop::Deadline) {
            self.result.limits_hit.push("time_limit");
            self.result.next_offset = Some(next_offset);
        }
        self.result.truncated = self.result.next_offset.is_some();
        self.result.errors.extend(summary.errors);
        self.result
    }
}

/// Collects one file's matches with their context.
struct FileSink<'a> {
    matcher: &'a RegexMatcher,
    path: &'a str,
    context_lines: usize,
    max_matches: usize,
    matches: Vec<LineMatch>,
    pending_before: Vec<String>,
    binary: bool,
}

impl<'a> FileSink<'a> {
    fn new(matcher: &'a RegexMatcher, path: &'a str, query: &ContentQuery) -> Self {
        Self {
            matcher,
            path,
            context_lines: query.context_lines,
            max_matches: query.max_matches_per_file,
            matches: Vec::new(),
            pending_before: Vec::new(),
            binary: false,
        }
    }
}

impl Sink for FileSink<'_> {
    type Error = std::io::Error;

    fn matched(
        &mut self,
        _searcher: &Searcher,
        found: &SinkMatch<'_>,
    ) -> Result<bool, Self::Error> {
        let line = found.bytes();
        let start = self
            .matcher
            .find(line)
            .ok()
            .flatten()
            .map_or(0, |range| range.start());
        let (text, column) = line_text(line, start);
        self.matches.push(LineMatch {
            path: self.path.to_owned(),
            line: found.line_number().unwrap_or(0),
            column,
            text,
            before: std::mem::take(&mut self.pending_before),
            after: Vec::new(),
        });
        Ok(self.matches.len() < self.max_matches)
    }

    fn context(
        &mut self,
        _searcher: &Searcher,
        context: &SinkContext<'_>,
    ) -> Result<bool, Self::Error> {
        let (text, _) = line_text(context.bytes(), 0);
        match context.kind() {
            SinkContextKind::After => {
                if let Some(last) = self.matches.last_mut()
                    && last.after.len() < self.context_lines
                {
                    last.after.push(text);
                }
            }
            SinkContextKind::Before | SinkContextKind::Other => self.pending_before.push(text),
        }
        Ok(true)
    }

    fn binary_data(&mut self, _searcher: &Searcher, _offset: u64) -> Result<bool, Self::Error> {
        self.binary = true;
        Ok(false)
    }
}

/// A line as text without its break, cut to [`MAX_LINE_CHARS`] around byte `match_start`, and
/// the 1-based character column of that byte.
fn line_text(bytes: &[u8], match_start: usize) -> (String, usize) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end_matches(['\n', '\r']);
    let start = match_start.min(text.len());
    let column = text
        .char_indices()
        .take_while(|(index, _)| *index < start)
        .count()
        + 1;
    let total = text.chars().count();
    if total <= MAX_LINE_CHARS {
        return (text.to_owned(), column);
    }
    let from = column.saturating_sub(MAX_LINE_CHARS / 4 + 1);
    let window: String = text.chars().skip(from).take(MAX_LINE_CHARS).collect();
    (window, column)
}
