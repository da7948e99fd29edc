//! The last lines a stdio server wrote to its stderr, kept for diagnostics.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncRead, AsyncReadExt};

/// Lines kept per server.
const KEPT_LINES: usize = 20;

/// Characters kept per line; the rest is cut and marked with `…`.
const LINE_CHARS: usize = 400;

/// A shared ring of a server's last stderr lines; it outlives restarts, so the lines from
/// before a crash are there to explain it.
#[derive(Debug, Clone, Default)]
pub(crate) struct StderrTail {
    lines: Arc<Mutex<VecDeque<String>>>,
}

impl StderrTail {
    /// The kept lines, oldest first.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// The kept lines as one string, for error messages; `None` when there are none.
    pub(crate) fn joined(&self) -> Option<String> {
        let lines = self.lines();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    fn push(&self, server: &str, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return;
        }
        tracing::debug!(server, "stderr: {text}");
        let mut line: String = text.chars().take(LINE_CHARS).collect();
        if line.len() < text.len() {
            line.push('…');
        }
        let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() == KEPT_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// Reads `stream` to its end, keeping its lines. A line longer than a few kilobytes is
    /// split rather than buffered without bound, and invalid UTF-8 is replaced.
    pub(crate) async fn capture(self, server: String, mut stream: impl AsyncRead + Unpin) {
        const MAX_PENDING: usize = 4 * LINE_CHARS;
        let mut pending = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let read = match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            pending.extend_from_slice(&chunk[..read]);
            while let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
                self.push(&server, &pending[..end]);
                pending.drain(..=end);
            }
            if pending.len() > MAX_PENDING {
                self.push(&server, &pending);
                pending.clear();
            }
        }
        self.push(&server, &pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_last_lines_and_cuts_long_ones() {
        let tail = StderrTail::default();
        let mut input = Vec::new();
        for i in 0..30 {
            input.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        input.extend_from_slice(&[b'x'; 5000]);
        input.extend_from_slice(b"\n\xff broken utf-8\nno newline at the end");
        tail.clone().capture("t".into(), &input[..]).await;
        let lines = tail.lines();
        assert_eq!(lines.len(), KEPT_LINES);
        assert_eq!(
            lines.last().map(String::as_str),
            Some("no newline at the end")
        );
        assert!(lines.iter().any(|l| l.starts_with('\u{fffd}')));
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with('…') && l.chars().count() == LINE_CHARS + 1)
        );
    }
}
