//! A small least-recently-used cache whose entries expire: repeated web searches and the pages
//! of one long fetched document are answered without asking the network again.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// At most `capacity` entries, each for at most `ttl`.
///
/// ```
/// use std::time::Duration;
/// use search_server::cache::TtlCache;
///
/// let cache = TtlCache::new(2, Duration::from_secs(60));
/// cache.insert("a", 1);
/// assert_eq!(cache.get(&"a"), Some(1));
/// assert_eq!(cache.get(&"b"), None);
/// ```
#[derive(Debug)]
pub struct TtlCache<K: Hash + Eq, V> {
    entries: Mutex<LruCache<K, (Instant, V)>>,
    ttl: Duration,
}

impl<K: Hash + Eq, V: Clone> TtlCache<K, V> {
    /// A cache of `capacity` entries (at least one) that each live `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
            ttl,
        }
    }

    /// The live value for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((stored, value)) if stored.elapsed() < self.ttl => Some(value.clone()),
            Some(_) => {
                entries.pop(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` for `key`, evicting the least recently used entry when full.
    pub fn insert(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.put(key, (Instant::now(), value));
    }
}
