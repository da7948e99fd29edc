//! `local_search` cursors: opaque to the caller, they name the index snapshot the first page
//! came from, the offset of the next page, and a fingerprint of the query, so that a cursor is
//! never applied to another query or silently to a changed index.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The searcher generation the pages come from.
    #[serde(rename = "g")]
    pub generation: u64,
    /// The number of hits already returned.
    #[serde(rename = "o")]
    pub offset: usize,
    /// The query's fingerprint.
    #[serde(rename = "q")]
    pub fingerprint: u64,
}

impl Cursor {
    /// The cursor's text.
    pub fn encode(&self) -> String {
        // Serializing three integers cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor's text; `None` if it is not one this server made.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// A fingerprint of everything that decides a query's hits.
pub fn fingerprint(parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let cursor = Cursor {
            generation: 7,
            offset: 20,
            fingerprint: fingerprint(&["a", "b"]),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("not a cursor!"), None);
        assert_eq!(Cursor::decode(""), None);
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
    }
}
