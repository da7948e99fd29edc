//! Keeping the index current while the server runs: a debounced watcher on the indexed
//! directories runs an incremental pass after each burst of changes. A pass on an unchanged
//! tree only stats files, so a spurious event costs little; the watcher thread holds only a weak
//! reference, so dropping the index stops it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use super::{LocalIndex, lock};

/// How long the directories must be quiet before a pass runs.
const QUIET: Duration = Duration::from_millis(300);

/// Whether the index is being kept current, and the watcher doing it.
#[derive(Clone, Default)]
pub(super) struct WatchState {
    pub(super) watching: bool,
    pub(super) error: Option<String>,
    watcher: Option<Arc<Debouncer<RecommendedWatcher>>>,
}

/// Indexes the directories in the background now, and again whenever they change (if `watch`).
/// A watcher that cannot start (too many directories for the inotify limit, say) is reported
/// by `index_status`; the index still serves, current as of its last pass.
pub fn start(index: &Arc<LocalIndex>, watch: bool) {
    let first = Arc::clone(index);
    std::thread::Builder::new()
        .name("index-first-pass".to_owned())
        .spawn(move || {
            if let Err(error) = first.sync(false) {
                tracing::error!(%error, "the first indexing pass failed");
            }
        })
        .map_err(|error| tracing::error!(%error, "cannot start the first indexing pass"))
        .ok();
    if !watch {
        return;
    }
    let outcome = watcher(Arc::downgrade(index), index);
    let mut state = lock(&index.watch);
    match outcome {
        Ok(watcher) => {
            state.watching = true;
            state.watcher = Some(Arc::new(watcher));
        }
        Err(error) => {
            tracing::warn!(%error, "cannot watch the indexed directories; reindex to pick up changes");
            state.error = Some(error.to_string());
        }
    }
}

fn watcher(
    weak: Weak<LocalIndex>,
    index: &LocalIndex,
) -> notify::Result<Debouncer<RecommendedWatcher>> {
    let index_dir = index.dir.clone();
    let mut debouncer = new_debouncer(QUIET, move |events: DebounceEventResult| {
        let Some(index) = weak.upgrade() else { return };
        match events {
            // Changes inside the index directory itself are our own writes.
            Ok(events)
                if events
                    .iter()
                    .all(|event| event.path.starts_with(&index_dir)) => {}
            Ok(_) => {
                if let Err(error) = index.sync(false) {
                    tracing::error!(%error, "an indexing pass failed");
                }
            }
            Err(error) => tracing::warn!(%error, "watch error"),
        }
    })?;
    for root in &index.roots {
        debouncer.watcher().watch(root, RecursiveMode::Recursive)?;
    }
    Ok(debouncer)
}
