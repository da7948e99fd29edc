//! The local full-text index: a persistent [tantivy] index (BM25) over the files of some
//! directories, kept current without reading unchanged files again.
//!
//! - [`schema`]: the fields; [`extract`]: a file's bytes to text;
//! - [`sync`](LocalIndex::sync): the incremental pass — walk the directories (honouring
//!   `.gitignore`), compare each file's modification time and size with the index's record,
//!   extract and index what changed, delete what disappeared, commit once;
//! - [`watch`]: run that pass whenever the directories change;
//! - [`query`], [`snippet`], [`cursor`]: searching, highlighting, paging.
//!
//! Invariant: one writer per index directory (tantivy's lock file enforces it across
//! processes; the writer mutex within one), and every commit is followed by a reader reload, so
//! a search sees a file's new text as soon as its pass finishes.

pub mod cursor;
pub mod extract;
pub mod query;
pub mod schema;
pub mod snippet;
pub mod watch;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value as _};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use cursor::Cursor;
use schema::{Fields, SCHEMA_VERSION};
use snippet::SnippetLine;

/// Searcher snapshots kept for cursors, newest last.
const SNAPSHOTS: usize = 8;
/// The deepest a cursor may page.
pub const MAX_OFFSET: usize = 10_000;
/// Errors kept in a sync report.
const MAX_REPORTED_ERRORS: usize = 20;

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The server was started without directories.
    #[error("no directories are indexed")]
    NoDirectories,
    /// A directory to index cannot be used.
    #[error("cannot index {path}: {source}")]
    Root {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another process holds the index.
    #[error("the index at {0} is in use by another search-server")]
    Busy(PathBuf),
    /// The query text or syntax is wrong.
    #[error("{message}")]
    InvalidQuery {
        /// What is wrong.
        message: String,
        /// The character at fault.
        position: Option<usize>,
    },
    /// The cursor is not one this server made.
    #[error("the cursor is not valid")]
    InvalidCursor,
    /// The cursor belongs to another query.
    #[error("the cursor belongs to a different query or filters")]
    CursorMismatch,
    /// The index snapshot the cursor pages has been replaced long ago.
    #[error("the index has changed several times since this cursor was made")]
    StaleCursor,
    /// A path is outside the indexed directories.
    #[error("{0} is not inside an indexed directory")]
    OutsideIndex(String),
    /// A path is malformed.
    #[error("the path `{0}` may not contain `..`")]
    InvalidPath(String),
    /// A path has no document.
    #[error("{0} is not in the index")]
    NotIndexed(String),
    /// tantivy failed.
    #[error("index failure: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Creating the index directory failed.
    #[error("cannot create the index directory {path}: {source}")]
    IndexDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Where and what to index.
#[derive(Debug, Clone)]
pub struct IndexSettings {
    /// The directories to index.
    pub roots: Vec<PathBuf>,
    /// Where the index lives; a versioned subdirectory is used.
    pub index_dir: PathBuf,
    /// Larger files are not indexed.
    pub max_file_size: u64,
}

/// A file's modification time and size: unchanged stamp, unchanged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    mtime: u64,
    size: u64,
}

/// What the index knows of a path.
#[derive(Debug, Clone, Copy)]
struct Entry {
    stamp: Stamp,
    /// False for a file that was looked at and skipped (binary), so it is not read again
    /// until it changes.
    indexed: bool,
}

struct Writer {
    writer: IndexWriter<TantivyDocument>,
    manifest: HashMap<String, Entry>,
}

/// What one pass changed.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct SyncReport {
    /// Whether the pass rebuilt the index from nothing.
    pub full: bool,
    /// When the pass finished (RFC 3339).
    pub finished_at: String,
    /// How long it took.
    pub duration_ms: u64,
    /// Files looked at.
    pub scanned: u64,
    /// Files indexed for the first time.
    pub added: u64,
    /// Files indexed again because they changed.
    pub updated: u64,
    /// Files removed from the index because they are gone (or now ignored).
    pub removed: u64,
    /// Files skipped because nothing changed.
    pub unchanged: u64,
    /// Binary files skipped.
    pub skipped_binary: u64,
    /// Files skipped for being larger than the limit.
    pub skipped_too_large: u64,
    /// Files and directories that could not be read.
    pub skipped_unreadable: u64,
    /// The first few read errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl SyncReport {
    fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0 || self.full
    }

    fn error(&mut self, message: String) {
        self.skipped_unreadable += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(message);
        }
    }
}

/// The index and the state around it.
pub struct LocalIndex {
    roots: Vec<PathBuf>,
    dir: PathBuf,
    max_file_size: u64,
    index: Index,
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<Writer>,
    snapshots: Mutex<VecDeque<Searcher>>,
    syncing: AtomicBool,
    last_sync: Mutex<Option<SyncReport>>,
    watch: Mutex<watch::WatchState>,
}

impl std::fmt::Debug for LocalIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIndex")
            .field("roots", &self.roots)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl LocalIndex {
    /// Opens (or creates) the index for `settings`, reading what it already holds. Nothing is
    /// scanned yet: call [`Self::sync`], or [`watch::start`] to keep it current.
    pub fn open(settings: &IndexSettings) -> Result<Arc<Self>, IndexError> {
        if settings.roots.is_empty() {
            return Err(IndexError::NoDirectories);
        }
        let mut roots = Vec::new();
        for root in &settings.roots {
            let canonical = std::fs::canonicalize(root).map_err(|source| IndexError::Root {
                path: root.clone(),
                source,
            })?;
            if !canonical.is_dir() {
                return Err(IndexError::Root {
                    path: root.clone(),
                    source: std::io::Error::other("not a directory"),
                });
            }
            roots.push(canonical);
        }
        let dir = settings.index_dir.join(format!("v{SCHEMA_VERSION}"));
        std::fs::create_dir_all(&dir).map_err(|source| IndexError::IndexDir {
            path: dir.clone(),
            source,
        })?;
        let (schema, fields) = Fields::schema();
        let directory =
            tantivy::directory::MmapDirectory::open(&dir).map_err(tantivy::TantivyError::from)?;
        let index = Index::open_or_create(directory, schema)?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let writer = index
            .writer_with_num_threads(threads, 32_000_000 * threads)
            .map_err(|error| match error {
                tantivy::TantivyError::LockFailure(..) => IndexError::Busy(dir.clone()),
                other => IndexError::Tantivy(other),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let manifest = read_manifest(&reader.searcher())?;
        let local = Self {
            roots,
            dir,
            max_file_size: settings.max_file_size,
            index,
            fields,
            reader,
            writer: Mutex::new(Writer { writer, manifest }),
            snapshots: Mutex::new(VecDeque::new()),
            syncing: AtomicBool::new(false),
            last_sync: Mutex::new(None),
            watch: Mutex::new(watch::WatchState::default()),
        };
        local.remember(local.reader.searcher());
        Ok(Arc::new(local))
    }

    /// The indexed directories, canonical.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Brings the index up to date with the directories: files whose modification time or size
    /// changed are read again, files that disappeared are removed. With `full`, everything is
    /// read again. Blocks; one pass runs at a time.
    pub fn sync(&self, full: bool) -> Result<SyncReport, IndexError> {
        let mut writer = lock(&self.writer);
        self.syncing.store(true, Ordering::SeqCst);
        let outcome = self.sync_locked(&mut writer, full);
        self.syncing.store(false, Ordering::SeqCst);
        if let Ok(report) = &outcome {
            *lock(&self.last_sync) = Some(report.clone());
        }
        outcome
    }

    /// Runs a pass now unless one has finished since the index was opened, so that a search
    /// right after a start sees every file, not the part the first pass has reached. While
    /// the first pass runs this waits for it (one pass at a time), then finds nothing to do.
    pub fn ensure_synced(&self) {
        if lock(&self.last_sync).is_some() {
            return;
        }
        if let Err(error) = self.sync(false) {
            tracing::warn!(%error, "an indexing pass before a search failed; searching what is indexed");
        }
    }

    fn sync_locked(&self, writer: &mut Writer, full: bool) -> Result<SyncReport, IndexError> {
        let started = Instant::now();
        let mut report = SyncReport {
            full,
            ..SyncReport::default()
        };
        if full {
            writer.writer.delete_all_documents()?;
            writer.manifest.clear();
        }
        let mut seen: HashSet<String> = HashSet::new();
        for root in &self.roots {
            let walk = ignore::WalkBuilder::new(root)
                .hidden(true)
                .git_ignore(true)
                .git_exclude(true)
                .git_global(false)
                .require_git(false)
                .follow_links(false)
                .filter_entry({
                    let dir = self.dir.clone();
                    move |entry| !entry.path().starts_with(&dir)
                })
                .build();
            for entry in walk {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(error) => {
                        report.error(error.to_string());
                        continue;
                    }
                };
                if !entry.file_type().is_some_and(|kind| kind.is_file()) {
                    continue;
                }
                report.scanned += 1;
                self.sync_file(writer, entry.path(), &mut seen, &mut report);
            }
        }
        let gone: Vec<String> = writer
            .manifest
            .keys()
            .filter(|path| !seen.contains(*path))
            .cloned()
            .collect();
        for path in gone {
            if writer
                .manifest
                .remove(&path)
                .is_some_and(|entry| entry.indexed)
            {
                report.removed += 1;
            }
            writer
                .writer
                .delete_term(Term::from_field_text(self.fields.id, &path));
        }
        if report.changed() {
            writer.writer.commit()?;
            self.reader.reload()?;
            self.remember(self.reader.searcher());
        }
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report.finished_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        tracing::info!(
            added = report.added,
            updated = report.updated,
            removed = report.removed,
            unchanged = report.unchanged,
            ms = report.duration_ms,
            "index pass finished"
        );
        Ok(report)
    }

    fn sync_file(
        &self,
        writer: &mut Writer,
        path: &Path,
        seen: &mut HashSet<String>,
        report: &mut SyncReport,
    ) {
        let Some(id) = path.to_str().map(str::to_owned) else {
            report.error(format!("{}: the path is not UTF-8", path.display()));
            return;
        };
        let stamp = match std::fs::symlink_metadata(path) {
            Ok(metadata) => stamp(&metadata),
            Err(error) => {
                report.error(format!("{id}: {error}"));
                return;
            }
        };
        seen.insert(id.clone());
        let previous = writer.manifest.get(&id).copied();
        if previous.is_some_and(|entry| entry.stamp == stamp) {
            report.unchanged += 1;
            return;
        }
        let was_indexed = previous.is_some_and(|entry| entry.indexed);
        if was_indexed {
            writer
                .writer
                .delete_term(Term::from_field_text(self.fields.id, &id));
        }
        let mut skip = |report: &mut SyncReport| {
            writer.manifest.insert(
                id.clone(),
                Entry {
                    stamp,
                    indexed: false,
                },
            );
            if was_indexed {
                report.removed += 1;
            }
        };
        if stamp.size > self.max_file_size {
            report.skipped_too_large += 1;
            return skip(report);
        }
        let bytes = match read_at_most(path, self.max_file_size) {
            Ok(bytes) => bytes,
            Err(error) => {
                report.error(format!("{id}: {error}"));
                seen.remove(&id);
                return;
            }
        };
        let Some(extracted) = extract::extract(path, &bytes) else {
            report.skipped_binary += 1;
            return skip(report);
        };
        let mut doc = TantivyDocument::default();
        doc.add_text(self.fields.id, &id);
        doc.add_text(self.fields.path, &id);
        doc.add_facet(self.fields.location, facet(path));
        doc.add_text(self.fields.ext, extract::extension(path));
        doc.add_text(self.fields.kind, extracted.kind.as_str());
        if let Some(title) = &extracted.title {
            doc.add_text(self.fields.title, title);
        }
        doc.add_text(self.fields.body, &extracted.body);
        doc.add_u64(self.fields.mtime, stamp.mtime);
        doc.add_u64(self.fields.size, stamp.size);
        if let Err(error) = writer.writer.add_document(doc) {
            report.error(format!("{id}: {error}"));
            return;
        }
        writer.manifest.insert(
            id,
            Entry {
                stamp,
                indexed: true,
            },
        );
        if was_indexed {
            report.updated += 1;
        } else {
            report.added += 1;
        }
    }

    /// Keeps `searcher` for cursors that page it later.
    fn remember(&self, searcher: Searcher) {
        let mut snapshots = lock(&self.snapshots);
        if snapshots.back().is_some_and(|last| {
            last.generation().generation_id() == searcher.generation().generation_id()
        }) {
            return;
        }
        snapshots.push_back(searcher);
        while snapshots.len() > SNAPSHOTS {
            snapshots.pop_front();
        }
    }

    /// The searcher for `generation`, if still kept.
    fn snapshot(&self, generation: u64) -> Option<Searcher> {
        lock(&self.snapshots)
            .iter()
            .find(|searcher| searcher.generation().generation_id() == generation)
            .cloned()
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest<'_>) -> Result<SearchHits, IndexError> {
        let locations = match request.path_prefix {
            Some(prefix) => self
                .locations(prefix)?
                .iter()
                .map(|path| facet(path))
                .collect(),
            None => Vec::new(),
        };
        let extensions: Vec<String> = request
            .extensions
            .iter()
            .map(|ext| ext.trim().trim_start_matches('.').to_ascii_lowercase())
            .collect();
        let parsed = query::build(
            &self.index,
            &self.fields,
            request.text,
            request.literal,
            &locations,
            &extensions,
        )?;
        let fingerprint = cursor::fingerprint(&[
            request.text.trim(),
            if request.literal { "literal" } else { "syntax" },
            request.path_prefix.unwrap_or_default(),
            &extensions.join(","),
            &request.limit.to_string(),
        ]);
        let (searcher, offset) = match request.cursor {
            Some(text) => {
                let cursor = Cursor::decode(text).ok_or(IndexError::InvalidCursor)?;
                if cursor.fingerprint != fingerprint {
                    return Err(IndexError::CursorMismatch);
                }
                let searcher = self
                    .snapshot(cursor.generation)
                    .ok_or(IndexError::StaleCursor)?;
                (searcher, cursor.offset.min(MAX_OFFSET))
            }
            None => (self.reader.searcher(), 0),
        };
        let limit = request.limit.min(MAX_OFFSET - offset).max(1);
        let collector = (
            TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score(),
            Count,
        );
        let (top, total) = searcher.search(&parsed.query, &collector)?;
        let mut analyzer = query::analyzer(&self.index, self.fields.body)?;
        let mut hits = Vec::with_capacity(top.len());
        for (rank, (score, address)) in top.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let body = text_of(&doc, self.fields.body);
            hits.push(Hit {
                rank: offset + rank + 1,
                path: text_of(&doc, self.fields.id).to_owned(),
                score,
                kind: text_of(&doc, self.fields.kind).to_owned(),
                title: Some(text_of(&doc, self.fields.title).to_owned()).filter(|t| !t.is_empty()),
                lines: snippet::snippet(body, &parsed.terms, &mut analyzer, request.snippet_lines),
            });
        }
        let next = offset + hits.len();
        let generation = searcher.generation().generation_id();
        let next_cursor = (next < total && next < MAX_OFFSET).then(|| {
            Cursor {
                generation,
                offset: next,
                fingerprint,
            }
            .encode()
        });
        Ok(SearchHits {
            total_hits: total as u64,
            hits,
            next_cursor,
            index_generation: generation,
            indexing: self.syncing.load(Ordering::SeqCst),
        })
    }

    /// The paths a path given by a caller may mean: itself if absolute, else itself under
    /// each indexed directory; only those inside an indexed directory.
    fn locations(&self, prefix: &str) -> Result<Vec<PathBuf>, IndexError> {
        let path = Path::new(prefix.trim());
        if path.components().any(|c| c == Component::ParentDir) {
            return Err(IndexError::InvalidPath(prefix.to_owned()));
        }
        let candidates: Vec<PathBuf> = if path.is_absolute() {
            vec![path.components().collect()]
        } else {
            self.roots
                .iter()
                .map(|root| root.join(path).components().collect())
                .collect()
        };
        let inside: Vec<PathBuf> = candidates
            .into_iter()
            .filter(|candidate| self.roots.iter().any(|root| candidate.starts_with(root)))
            .collect();
        if inside.is_empty() {
            return Err(IndexError::OutsideIndex(prefix.to_owned()));
        }
        Ok(inside)
    }

    /// The indexed text of the document at `path` (absolute, or relative to an indexed
    /// directory).
    pub fn document(&self, path: &str) -> Result<StoredDocument, IndexError> {
        let searcher = self.reader.searcher();
        for candidate in self.locations(path)?.iter().filter_map(|p| p.to_str()) {
            let term = Term::from_field_text(self.fields.id, candidate);
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
            let Some((_, address)) = top.first() else {
                continue;
            };
            let doc: TantivyDocument = searcher.doc(*address)?;
            let stored = Stamp {
                mtime: doc
                    .get_first(self.fields.mtime)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default(),
                size: doc
                    .get_first(self.fields.size)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default(),
            };
            let on_disk = match std::fs::symlink_metadata(candidate) {
                Ok(metadata) if stamp(&metadata) == stored => DiskState::Unchanged,
                Ok(_) => DiskState::Changed,
                Err(_) => DiskState::Deleted,
            };
            return Ok(StoredDocument {
                path: candidate.to_owned(),
                kind: text_of(&doc, self.fields.kind).to_owned(),
                title: Some(text_of(&doc, self.fields.title).to_owned()).filter(|t| !t.is_empty()),
                size: stored.size,
                on_disk,
                text: text_of(&doc, self.fields.body).to_owned(),
            });
        }
        Err(IndexError::NotIndexed(path.to_owned()))
    }

    /// The index's state.
    pub fn status(&self) -> IndexStatus {
        let searcher = self.reader.searcher();
        let indexed_bytes = lock(&self.writer)
            .manifest
            .values()
            .filter(|entry| entry.indexed)
            .map(|entry| entry.stamp.size)
            .sum();
        let watch = lock(&self.watch).clone();
        let last_sync = lock(&self.last_sync).clone();
        IndexStatus {
            roots: self
                .roots
                .iter()
                .map(|root| root.display().to_string())
                .collect(),
            index_dir: self.dir.display().to_string(),
            documents: searcher.num_docs(),
            indexed_bytes,
            state: if self.syncing.load(Ordering::SeqCst) {
                "indexing"
            } else if last_sync.is_some() {
                "ready"
            } else {
                "not_scanned_yet"
            },
            generation: searcher.generation().generation_id(),
            watching: watch.watching,
            watch_error: watch.error,
            last_sync,
        }
    }
}

/// The text of a stored field, or empty.
fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> &str {
    doc.get_first(field)
        .and_then(|value| value.as_str())
        .unwrap_or_default()
}

fn stamp(metadata: &std::fs::Metadata) -> Stamp {
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| {
            u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
        });
    Stamp {
        mtime,
        size: metadata.len(),
    }
}

/// The facet of a path: one level per component.
fn facet(path: &Path) -> Facet {
    Facet::from_path(path.components().filter_map(|component| match component {
        Component::Normal(part) => part.to_str(),
        _ => None,
    }))
}

/// Reads at most `max` bytes (a file may grow between its stat and its read).
fn read_at_most(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What the index holds: path, stamp, for every live document.
fn read_manifest(searcher: &Searcher) -> Result<HashMap<String, Entry>, IndexError> {
    let mut manifest = HashMap::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(ids) = fast.str("id")? else { continue };
        let mtimes = fast.u64("mtime")?;
        let sizes = fast.u64("size")?;
        let mut id = String::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            id.clear();
            if !ids
                .ord_to_str(ord, &mut id)
                .map_err(tantivy::TantivyError::from)?
            {
                continue;
            }
            let stamp = Stamp {
                mtime: mtimes.first(doc).unwrap_or_default(),
                size: sizes.first(doc).unwrap_or_default(),
            };
            manifest.insert(
                id.clone(),
                Entry {
                    stamp,
                    indexed: true,
                },
            );
        }
    }
    Ok(manifest)
}

/// A `local_search` request, validated by the tool layer.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// The query text.
    pub text: &'a str,
    /// Search the text as written instead of as query syntax.
    pub literal: bool,
    /// Hits per page.
    pub limit: usize,
    /// The cursor of a previous page.
    pub cursor: Option<&'a str>,
    /// Only documents under this path.
    pub path_prefix: Option<&'a str>,
    /// Only documents with these extensions.
    pub extensions: &'a [String],
    /// Snippet lines per hit.
    pub snippet_lines: usize,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Hit {
    /// 1-based rank over all pages.
    pub rank: usize,
    /// Absolute path of the file.
    pub path: String,
    /// BM25 score.
    pub score: f32,
    /// `text`, `markdown`, `code` or `html`.
    pub kind: String,
    /// The document's title, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The lines where the query matched, with line numbers.
    pub lines: Vec<SnippetLine>,
}

/// A page of hits.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchHits {
    /// How many documents match in all.
    pub total_hits: u64,
    /// This page's hits, best first.
    pub hits: Vec<Hit>,
    /// Pass as `cursor` (with the same query and filters) for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The index snapshot the hits come from.
    pub index_generation: u64,
    /// Whether an indexing pass is running (results may be incomplete).
    pub indexing: bool,
}

/// How a document's file compares with what was indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiskState {
    /// The file is as indexed.
    Unchanged,
    /// The file changed since; the next pass picks it up.
    Changed,
    /// The file is gone; the next pass removes it.
    Deleted,
}

/// A document as indexed.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    /// Absolute path.
    pub path: String,
    /// Document kind.
    pub kind: String,
    /// Title, if any.
    pub title: Option<String>,
    /// Size of the file when indexed.
    pub size: u64,
    /// The file now, against the index.
    pub on_disk: DiskState,
    /// The indexed text.
    pub text: String,
}

/// The index's state, for `index_status`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexStatus {
    /// The indexed directories.
    pub roots: Vec<String>,
    /// Where the index is stored.
    pub index_dir: String,
    /// Documents in the index.
    pub documents: u64,
    /// Total size of the indexed files.
    pub indexed_bytes: u64,
    /// `indexing`, `ready`, or `not_scanned_yet`.
    pub state: &'static str,
    /// The current snapshot's generation.
    pub generation: u64,
    /// Whether changes in the directories are picked up as they happen.
    pub watching: bool,
    /// Why watching failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch_error: Option<String>,
    /// The last indexing pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<SyncReport>,
}
