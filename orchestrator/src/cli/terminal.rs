//! A run shown live on the terminal: the model's text as it streams, each tool call as it is
//! answered, retries on stderr.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::agent::{CallRecord, Observer, Run};
use crate::llm::StreamSink;

/// Prints a run as it happens; [`LiveTranscript::finish`] adds the closing line.
#[derive(Debug, Default)]
pub(super) struct LiveTranscript {
    /// Text was printed without a newline after it.
    mid_line: AtomicBool,
}

impl LiveTranscript {
    /// Starts a transcript with who answers and the request.
    pub(super) fn start(model: &str, prompt: &str) -> Self {
        write_out(&format!("model: {model}\n> {prompt}\n"));
        Self::default()
    }

    /// The run's outcome and counts, after its last output.
    pub(super) fn finish(&self, run: &Run) {
        self.end_line();
        write_out(&format!(
            "({}; {} steps, {} tool calls, {:.1} ms)\n",
            run.outcome.describe(),
            run.steps.len(),
            run.steps.iter().map(|step| step.calls.len()).sum::<usize>(),
            run.elapsed_ms
        ));
    }

    fn end_line(&self) {
        if self.mid_line.swap(false, Ordering::Relaxed) {
            write_out("\n");
        }
    }
}

impl StreamSink for LiveTranscript {
    fn text(&self, delta: &str) {
        if delta.is_empty() {
            return;
        }
        write_out(delta);
        self.mid_line
            .store(!delta.ends_with('\n'), Ordering::Relaxed);
    }

    fn retrying(&self, reason: &str, wait: Duration) {
        self.end_line();
        eprintln!(
            "[retrying in {:.1} s: {reason}; any text above from this attempt is void]",
            wait.as_secs_f64()
        );
    }
}

impl Observer for LiveTranscript {
    fn called(&self, record: &CallRecord) {
        self.end_line();
        show_call(record, 3);
    }
}

/// A call on two lines or more: what was called, where, how long it took, and the first
/// `lines` lines of the answer.
pub(super) fn show_call(record: &CallRecord, lines: usize) {
    let mark = if record.is_error { "✗" } else { "←" };
    write_out(&format!(
        "  → {}\n  {mark} {}\n",
        record.headline(),
        crate::agent::first_lines(&record.output, lines)
    ));
}

/// Writes to stdout and flushes, so streamed text shows at once. A closed stdout (a pipe
/// whose reader left) is not worth failing a run for.
pub(super) fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
