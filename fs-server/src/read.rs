//! Reading text files in windows of lines, with a byte cap, the encoding and a content hash.
//!
//! One pass over the file hashes it (sha256 of every byte, so the hash can be sent back as a
//! write's `expected_sha256`), counts its lines and notes where the wanted window of lines
//! starts and ends; one positioned read then takes the window, cut at `max_bytes` on a line
//! boundary where possible. Files over [`SCAN_LIMIT`] are not hashed or counted in full: a
//! forward window stops scanning once found, and a tail is found by reading backwards from the
//! end. Binary files (a NUL byte near the start, as ripgrep decides) are refused with a pointer
//! to `read_media_file`; UTF-16 files with a byte-order mark are decoded.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{FsError, FsResult};
use crate::open::{LastLink, open_regular};
use crate::sandbox::Location;

/// Files up to this size are hashed and counted in full.
pub const SCAN_LIMIT: u64 = 256 << 20;
/// The default cap on the bytes of content returned.
pub const DEFAULT_MAX_BYTES: u64 = 256 << 10;
/// The largest `max_bytes` a caller may ask for.
pub const MAX_MAX_BYTES: u64 = 16 << 20;
/// UTF-16 files are decoded whole, so they must fit this.
const UTF16_LIMIT: u64 = 64 << 20;
/// How much of the start is inspected for NUL bytes.
const BINARY_PROBE: usize = 8 << 10;
const CHUNK: usize = 64 << 10;

/// Which lines to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// `limit` lines (all, if `None`) from 1-based line `offset`.
    From {
        /// The first line, 1-based.
        offset: u64,
        /// How many lines at most.
        limit: Option<u64>,
    },
    /// The last `n` lines.
    Tail(u64),
}

/// A window of a text file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TextWindow {
    /// The absolute path.
    pub path: String,
    /// The text of the lines in the window (without a byte-order mark).
    pub content: String,
    /// The 1-based number of the first line returned (unknown only for the tail of a file too
    /// large to count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u64>,
    /// How many lines were returned (a partial line counts).
    pub lines_returned: u64,
    /// How many lines the file has, when it was small enough to count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_lines: Option<u64>,
    /// Whether lines that were asked for were left out because of `max_bytes`, or the window
    /// ends before the end of the file.
    pub truncated: bool,
    /// The `offset` to pass to read on from where this window stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u64>,
    /// Whether the last line returned was cut short because it alone exceeds `max_bytes`.
    pub partial_line: bool,
    /// `utf-8`, `utf-16le` or `utf-16be`.
    pub encoding: &'static str,
    /// Whether the file starts with a byte-order mark.
    pub bom: bool,
    /// Whether invalid bytes were replaced with U+FFFD.
    pub lossy: bool,
    /// `lf`, `crlf`, or `none` for a file without line breaks, from its first line.
    pub line_ending: &'static str,
    /// The file's size in bytes.
    pub size: u64,
    /// The sha256 of the whole file, hex; absent for files over 256 MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Reads `lines` of the text file at `location`, at most `max_bytes` of them.
pub fn read_text(location: &Location, lines: Lines, max_bytes: u64) -> FsResult<TextWindow> {
    let (mut file, metadata) = open_regular(location, LastLink::Follow)?;
    let display = location.display();
    let io = |error| FsError::io("read", &display, error);
    let size = metadata.len();
    let mut probe = vec![0u8; BINARY_PROBE.min(usize::try_from(size).unwrap_or(BINARY_PROBE))];
    file.read_exact(&mut probe).map_err(io)?;
    let encoding = Encoding::sniff(&probe);
    if encoding == Encoding::Utf8 && probe.contains(&0) {
        return Err(FsError::Binary { path: display });
    }
    if encoding != Encoding::Utf8 {
        return read_utf16(&mut file, &display, encoding, size, lines, max_bytes);
    }
    let bom_len = if probe.starts_with(UTF8_BOM) { 3 } else { 0 };
    let line_ending = line_ending(&probe);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let scan = if size <= SCAN_LIMIT || matches!(lines, Lines::From { .. }) {
        scan_forward(&mut file, bom_len, size, lines).map_err(io)?
    } else {
        scan_tail(&mut file, bom_len, size, lines).map_err(io)?
    };
    let window = match lines {
        Lines::From { .. } => head_of_window(&mut file, &scan, max_bytes),
        Lines::Tail(_) => tail_of_window(&mut file, &scan, max_bytes),
    }
    .map_err(io)?;
    let (content, lossy) = match String::from_utf8(window.bytes) {
        Ok(text) => (text, false),
        Err(error) => (String::from_utf8_lossy(error.as_bytes()).into_owned(), true),
    };
    let (start_line, next_offset) = match lines {
        Lines::From { offset, .. } => {
            let next = offset.max(1) + window.lines;
            (Some(offset.max(1)), (window.end < size).then_some(next))
        }
        Lines::Tail(_) => (
            scan.total_lines
                .map(|total| total.saturating_sub(window.lines) + 1),
            None,
        ),
    };
    Ok(TextWindow {
        path: display,
        content,
        start_line,
        lines_returned: window.lines,
        total_lines: scan.total_lines,
        truncated: window.cut || next_offset.is_some(),
        next_offset,
        partial_line: window.partial_line,
        encoding: "utf-8",
        bom: bom_len > 0,
        lossy,
        line_ending,
        size,
        sha256: scan.sha256,
    })
}

/// The bytes of a window that fit the cap, and where they end.
#[derive(Debug)]
struct Window {
    bytes: Vec<u8>,
    lines: u64,
    end: u64,
    cut: bool,
    partial_line: bool,
}

/// The start of the window: whole lines up to `max_bytes`, or the start of an overlong line.
fn head_of_window(file: &mut File, scan: &Scan, max_bytes: u64) -> std::io::Result<Window> {
    let window_len = scan.end.saturating_sub(scan.start);
    let take = window_len.min(max_bytes.saturating_add(4));
    let mut bytes = Vec::with_capacity(usize::try_from(take).unwrap_or(0));
    file.seek(SeekFrom::Start(scan.start))?;
    file.take(take).read_to_end(&mut bytes)?;
    let cut = cut_window(&bytes, max_bytes);
    bytes.truncate(cut.len);
    let mut lines = count_lines(&bytes);
    if cut.partial_line {
        // The overlong line counts as read: the next offset is the line after it.
        lines = lines.max(1);
    }
    Ok(Window {
        lines,
        end: scan.start + bytes.len() as u64,
        cut: (bytes.len() as u64) < window_len,
        partial_line: cut.partial_line,
        bytes,
    })
}

/// The end of the window: the last whole lines that fit `max_bytes`.
fn tail_of_window(file: &mut File, scan: &Scan, max_bytes: u64) -> std::io::Result<Window> {
    let window_len = scan.end.saturating_sub(scan.start);
    let take = window_len.min(max_bytes);
    let mut bytes = Vec::with_capacity(usize::try_from(take).unwrap_or(0));
    file.seek(SeekFrom::Start(scan.end - take))?;
    file.take(take).read_to_end(&mut bytes)?;
    let mut cut = false;
    let mut partial_line = false;
    if take < window_len {
        cut = true;
        // Drop the partial line at the front, unless that would leave nothing.
        match bytes.iter().position(|byte| *byte == b'\n') {
            Some(newline) if newline + 1 < bytes.len() => {
                bytes.drain(..=newline);
            }
            _ => {
                let mut start = 0;
                while start < bytes.len() && (bytes[start] & 0b1100_0000) == 0b1000_0000 {
                    start += 1;
                }
                bytes.drain(..start);
                partial_line = true;
            }
        }
    }
    Ok(Window {
        lines: count_lines(&bytes),
        end: scan.end,
        cut,
        partial_line,
        bytes,
    })
}

/// `crlf` or `lf` from the first line break in `head`, or `none`.
fn line_ending(head: &[u8]) -> &'static str {
    match memchr::memchr(b'\n', head) {
        None => "none",
        Some(index) if index > 0 && head[index - 1] == b'\r' => "crlf",
        Some(_) => "lf",
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    fn sniff(start: &[u8]) -> Self {
        match start {
            [0xFF, 0xFE, ..] => Self::Utf16Le,
            [0xFE, 0xFF, ..] => Self::Utf16Be,
            _ => Self::Utf8,
        }
    }
}

/// Where the window lies in the file, and what the scan learned on the way.
#[derive(Debug)]
struct Scan {
    start: u64,
    end: u64,
    total_lines: Option<u64>,
    sha256: Option<String>,
}

/// One forward pass: hash (if small enough), count, and find the window's byte range.
fn scan_forward(file: &mut File, bom_len: u64, size: u64, lines: Lines) -> std::io::Result<Scan> {
    let full = size <= SCAN_LIMIT;
    let mut hasher = full.then(Sha256::new);
    let mut buffer = vec![0u8; CHUNK];
    let (first_wanted, stop_line, tail) = match lines {
        Lines::From { offset, limit } => (
            offset.max(1),
            limit.map(|limit| offset.max(1).saturating_add(limit)),
            0,
        ),
        Lines::Tail(n) => (u64::MAX, None, n),
    };
    // Line `line` (1-based) starts at the byte after the previous newline.
    let mut line = 1u64;
    let mut start = (first_wanted == 1).then_some(bom_len);
    let mut end = None;
    // The start offsets of the last `tail` lines seen.
    let mut tail_starts: VecDeque<u64> = VecDeque::new();
    if tail > 0 {
        tail_starts.push_back(bom_len);
    }
    let mut position = 0u64;
    let mut last_byte = None;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        let chunk = &buffer[..read];
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(chunk);
        }
        last_byte = chunk.last().copied();
        for index in memchr::memchr_iter(b'\n', chunk) {
            let next_start = position + index as u64 + 1;
            line += 1;
            if line == first_wanted {
                start = Some(next_start);
            }
            if Some(line) == stop_line {
                end = Some(next_start);
            }
            if tail > 0 && next_start < size {
                tail_starts.push_back(next_start);
                if tail_starts.len() as u64 > tail {
                    tail_starts.pop_front();
                }
            }
        }
        position += read as u64;
        if !full && end.is_some() {
            break;
        }
    }
    // A last line without a newline still counts; an empty file has no lines.
    let total_lines = if position <= bom_len {
        0
    } else if last_byte == Some(b'\n') {
        line - 1
    } else {
        line
    };
    let start = if tail > 0 {
        tail_starts.front().copied().unwrap_or(size)
    } else if matches!(lines, Lines::Tail(_)) {
        size
    } else {
        start.unwrap_or(size)
    };
    Ok(Scan {
        start,
        end: end.unwrap_or(size),
        total_lines: full.then_some(total_lines),
        sha256: hasher.map(|hasher| hex(&hasher.finalize())),
    })
}

/// The tail of a file too large to scan: read backwards from the end until `n` lines are found.
fn scan_tail(file: &mut File, bom_len: u64, size: u64, lines: Lines) -> std::io::Result<Scan> {
    let n = match lines {
        Lines::Tail(n) => n,
        Lines::From { .. } => 0,
    };
    let mut buffer = vec![0u8; CHUNK];
    let mut chunk_end = size;
    let mut found = 0u64;
    let mut start = if n == 0 { size } else { bom_len };
    // A newline as the very last byte ends the last line; it does not start another.
    let mut at_end = true;
    'chunks: while chunk_end > bom_len && n > 0 {
        let chunk_start = chunk_end.saturating_sub(CHUNK as u64).max(bom_len);
        let length = usize::try_from(chunk_end - chunk_start).unwrap_or(CHUNK);
        file.seek(SeekFrom::Start(chunk_start))?;
        file.read_exact(&mut buffer[..length])?;
        for index in memchr::memrchr_iter(b'\n', &buffer[..length]) {
            let next_start = chunk_start + index as u64 + 1;
            if at_end && next_start == size {
                continue;
            }
            at_end = false;
            found += 1;
            if found == n {
                start = next_start;
                break 'chunks;
            }
        }
        at_end = false;
        chunk_end = chunk_start;
    }
    Ok(Scan {
        start,
        end: size,
        total_lines: None,
        sha256: None,
    })
}

/// Decodes a UTF-16 file whole and windows its lines.
fn read_utf16(
    file: &mut File,
    display: &str,
    encoding: Encoding,
    size: u64,
    lines: Lines,
    max_bytes: u64,
) -> FsResult<TextWindow> {
    if size > UTF16_LIMIT {
        return Err(FsError::TooLarge {
            path: display.to_owned(),
            size,
            limit: UTF16_LIMIT,
        });
    }
    let io = |error| FsError::io("read", display, error);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let decoder = match encoding {
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        _ => encoding_rs::UTF_16LE,
    };
    let (text, lossy) = decoder.decode_with_bom_removal(&bytes);
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    let total = all.len() as u64;
    let (first, count) = match lines {
        Lines::From { offset, limit } => (offset.max(1), limit.unwrap_or(u64::MAX)),
        Lines::Tail(n) => (total.saturating_sub(n) + 1, n),
    };
    let mut content = String::new();
    let mut taken = 0u64;
    let mut truncated = false;
    for line in all
        .iter()
        .skip(usize::try_from(first - 1).unwrap_or(usize::MAX))
    {
        if taken == count {
            truncated = true;
            break;
        }
        if (content.len() + line.len()) as u64 > max_bytes && taken > 0 {
            truncated = true;
            break;
        }
        content.push_str(line);
        taken += 1;
    }
    let end_line = first + taken;
    let more = end_line <= total;
    Ok(TextWindow {
        path: display.to_owned(),
        line_ending: if content.contains("\r\n") {
            "crlf"
        } else if text.contains('\n') {
            "lf"
        } else {
            "none"
        },
        content,
        start_line: Some(first),
        lines_returned: taken,
        total_lines: Some(total),
        truncated: truncated && more,
        next_offset: more.then_some(end_line),
        partial_line: false,
        encoding: if encoding == Encoding::Utf16Be {
            "utf-16be"
        } else {
            "utf-16le"
        },
        bom: true,
        lossy,
        size,
        sha256: Some(sha256),
    })
}

/// How much of a window to keep under `max_bytes`.
#[derive(Debug, PartialEq, Eq)]
struct Cut {
    len: usize,
    partial_line: bool,
}

/// Keeps whole lines within `max_bytes`; a first line longer than that is cut at a character
/// boundary instead.
fn cut_window(bytes: &[u8], max_bytes: u64) -> Cut {
    let max = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    if bytes.len() <= max {
        return Cut {
            len: bytes.len(),
            partial_line: false,
        };
    }
    if let Some(newline) = bytes[..max].iter().rposition(|byte| *byte == b'\n') {
        return Cut {
            len: newline + 1,
            partial_line: false,
        };
    }
    // No whole line fits: cut inside the first one, never inside a UTF-8 sequence.
    let mut len = max;
    while len > 0 && (bytes[len] & 0b1100_0000) == 0b1000_0000 {
        len -= 1;
    }
    Cut {
        len,
        partial_line: true,
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    match bytes.last() {
        None => 0,
        Some(b'\n') => newlines,
        Some(_) => newlines + 1,
    }
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(content: &[u8]) -> (tempfile::NamedTempFile, File) {
        let mut named = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut named, content).unwrap();
        let file = named.reopen().unwrap();
        (named, file)
    }

    /// The backward tail scan (used for files too large to count) agrees with the forward one.
    #[test]
    fn tail_scans_agree_in_both_directions() {
        let mut content = Vec::new();
        for line in 0..20_000 {
            content.extend_from_slice(format!("line {line}\n").as_bytes());
        }
        for (text, n) in [
            (content.as_slice(), 3u64),
            (b"a\nb\nc".as_slice(), 2),
            (b"a\nb\nc\n".as_slice(), 5),
            (b"only".as_slice(), 1),
            (b"\n\n\n".as_slice(), 2),
        ] {
            let (_keep, mut file) = file_with(text);
            let size = text.len() as u64;
            let forward = scan_forward(&mut file, 0, size, Lines::Tail(n)).unwrap();
            let backward = scan_tail(&mut file, 0, size, Lines::Tail(n)).unwrap();
            assert_eq!(
                forward.start,
                backward.start,
                "{n} of {:?}",
                String::from_utf8_lossy(&text[..text.len().min(20)])
            );
        }
    }

    #[test]
    fn windows_keep_whole_lines_or_cut_on_a_character() {
        assert_eq!(
            cut_window(b"ab\ncd\nef", 7),
            Cut {
                len: 6,
                partial_line: false
            }
        );
        assert_eq!(
            cut_window("ééé".as_bytes(), 3),
            Cut {
                len: 2,
                partial_line: true
            }
        );
        assert_eq!(
            cut_window(b"short", 99),
            Cut {
                len: 5,
                partial_line: false
            }
        );
    }

    #[test]
    fn lines_are_counted_with_or_without_a_final_newline() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a"), 1);
        assert_eq!(count_lines(b"a\n"), 1);
        assert_eq!(count_lines(b"a\nb"), 2);
    }
}
