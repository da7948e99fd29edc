//! A reader that passes newline-delimited JSON-RPC through [`crate::arguments::rewrite`].
//!
//! It sits between a stdio (or in-process) byte stream and rmcp's line codec. Lines are handed
//! on whole and unchanged unless they need rewriting; a line longer than [`MAX_SCANNED_LINE`]
//! is passed through as it arrives, without buffering it, and rmcp's own line limit applies.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};

/// Lines longer than this are not inspected (rmcp drops lines over 16 MiB anyway).
const MAX_SCANNED_LINE: usize = 16 << 20;
const READ_CHUNK: usize = 16 << 10;

/// Wraps the server's input so that malformed `tools/call` arguments get a proper answer.
#[derive(Debug)]
pub struct GuardedLines<R> {
    inner: R,
    /// Where reads land; allocated (and zeroed) once, not per read.
    chunk: Box<[u8]>,
    /// Bytes read; those before `start` have been staged already.
    pending: Vec<u8>,
    start: usize,
    /// Up to where `pending` is known to hold no newline.
    scanned: usize,
    /// Bytes ready to hand out, and how many of them were handed out already.
    ready: Vec<u8>,
    ready_pos: usize,
    /// Inside an over-long line that is being passed through unread.
    passing_through: bool,
    eof: bool,
}

impl<R> GuardedLines<R> {
    /// Guards `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            chunk: vec![0; READ_CHUNK].into_boxed_slice(),
            pending: Vec::new(),
            start: 0,
            scanned: 0,
            ready: Vec::new(),
            ready_pos: 0,
            passing_through: false,
            eof: false,
        }
    }

    /// Moves the next complete line (or pass-through chunk) from `pending` to `ready`.
    /// Returns false when more input is needed.
    fn stage_next(&mut self) -> bool {
        if let Some(offset) = self.pending[self.scanned..]
            .iter()
            .position(|&byte| byte == b'\n')
        {
            let end = self.scanned + offset + 1;
            let line = &self.pending[self.start..end];
            self.ready.clear();
            // The end of an over-long line passes as it is.
            let passed_through = std::mem::take(&mut self.passing_through);
            match if passed_through {
                None
            } else {
                rewritten(line)
            } {
                Some(rewritten) => self.ready = rewritten,
                None => self.ready.extend_from_slice(line),
            }
            self.start = end;
            self.scanned = end;
            return true;
        }
        self.scanned = self.pending.len();
        let unconsumed = self.pending.len() - self.start;
        if unconsumed > MAX_SCANNED_LINE || (self.eof && unconsumed > 0) {
            self.passing_through = !self.eof;
            self.ready.clear();
            self.ready.extend_from_slice(&self.pending[self.start..]);
            self.start = self.pending.len();
            self.scanned = self.start;
            return true;
        }
        // More input is needed: first drop what was consumed (usually all of it, for free).
        self.pending.drain(..self.start);
        self.scanned -= self.start;
        self.start = 0;
        false
    }
}

/// The line rewritten, when it needs to be; `None` to pass it on as it is.
fn rewritten(line: &[u8]) -> Option<Vec<u8>> {
    let mut rewritten = crate::arguments::rewrite(line.trim_ascii_end())?;
    rewritten.push(b'\n');
    Some(rewritten)
}

impl<R: AsyncRead + Unpin> AsyncRead for GuardedLines<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready_pos < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.ready_pos);
                buf.put_slice(&this.ready[this.ready_pos..this.ready_pos + n]);
                this.ready_pos += n;
                if this.ready_pos == this.ready.len() {
                    this.ready.clear();
                    this.ready_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.stage_next() {
                continue;
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk_buf = ReadBuf::new(&mut this.chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut chunk_buf))?;
            if chunk_buf.filled().is_empty() {
                this.eof = true;
            } else {
                this.pending.extend_from_slice(chunk_buf.filled());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn pass(input: &[u8]) -> Vec<u8> {
        let mut output = Vec::new();
        GuardedLines::new(input)
            .read_to_end(&mut output)
            .await
            .expect("read");
        output
    }

    #[tokio::test]
    async fn ordinary_lines_pass_byte_for_byte() {
        let input = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n\n{\"id\":2}\ntrailing without newline";
        assert_eq!(pass(input).await, input.to_vec());
    }

    #[tokio::test]
    async fn non_object_arguments_are_rewritten_in_place() {
        let input = b"{\"id\":1,\"method\":\"ping\"}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":\"{}\"}}\n{\"id\":3}\n";
        let output = String::from_utf8(pass(input).await).expect("utf8");
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "{\"id\":1,\"method\":\"ping\"}");
        assert!(
            lines[1].contains(crate::arguments::META_KEY),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "{\"id\":3}");
    }

    #[tokio::test]
    async fn over_long_lines_pass_through_unbuffered() {
        let mut input = vec![b'x'; MAX_SCANNED_LINE + READ_CHUNK * 3];
        input.extend_from_slice(b"\n{\"id\":1}\n");
        assert_eq!(pass(&input).await, input);
    }
}
