//! Exact-text edits: applied in order, all or nothing, shown as a unified diff.
//!
//! Each edit replaces `old_text` with `new_text` literally (`$1` is just text). An edit whose
//! text occurs more than once is refused, naming the lines, unless it says `replace_all`; one
//! that does not occur is refused, with a hint when it would match but for whitespace. The
//! file's line endings and byte-order mark are kept: edits written with `\n` apply to a CRLF
//! file as if they had been written with `\r\n`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{FsError, FsResult};
use crate::open::{LastLink, open_regular};
use crate::read::hex;
use crate::sandbox::Location;
use crate::write::{existing_file, replace_entry};

/// Files larger than this are not edited (they would be held in memory twice, plus a diff).
pub const MAX_EDIT_BYTES: u64 = 16 << 20;
/// The diff returned is cut at this many characters.
pub const MAX_DIFF_CHARS: usize = 64 << 10;

/// One replacement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// The exact text to find, including indentation; it must occur exactly once unless
    /// `replace_all` is set.
    pub old_text: String,
    /// The text to put in its place (taken literally).
    pub new_text: String,
    /// Replace every occurrence instead of requiring exactly one.
    #[serde(default)]
    pub replace_all: bool,
}

/// What `edit_file` did, or would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Edited {
    /// The absolute path.
    pub path: String,
    /// Whether the file was written (false for a dry run).
    pub applied: bool,
    /// How many replacements each edit made, in order.
    pub replacements: Vec<usize>,
    /// The change as a unified diff.
    pub diff: String,
    /// Whether the diff was cut at 64 KiB.
    pub diff_truncated: bool,
    /// The sha256 of the content after the edits.
    pub sha256: String,
}

/// Whether the edits are written or only previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write the result.
    Apply,
    /// Return the diff only.
    DryRun,
}

/// Applies `edits` to the file at `location`.
pub fn edit_file(
    location: &Location,
    edits: &[Edit],
    expected_sha256: Option<&str>,
    mode: Mode,
) -> FsResult<Edited> {
    if edits.is_empty() {
        return Err(FsError::argument("edits", "no edits were given"));
    }
    let display = location.display();
    let (dir, name) = location.parent()?;
    let Some(metadata) = existing_file(&dir, &name, &display)? else {
        return Err(FsError::NotFound { path: display });
    };
    if metadata.len() > MAX_EDIT_BYTES {
        return Err(FsError::TooLarge {
            path: display,
            size: metadata.len(),
            limit: MAX_EDIT_BYTES,
        });
    }
    let (mut file, _) = open_regular(location, LastLink::Refuse)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes)
        .map_err(|error| FsError::io("read", &display, error))?;
    let before_hash = hex(&Sha256::digest(&bytes));
    if let Some(expected) = expected_sha256
        && !before_hash.eq_ignore_ascii_case(expected)
    {
        return Err(FsError::Changed {
            path: display,
            expected: expected.to_owned(),
            actual: before_hash,
        });
    }
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(body) => (true, body),
        None => (false, bytes.as_slice()),
    };
    let original = std::str::from_utf8(body).map_err(|_| FsError::Binary {
        path: display.clone(),
    })?;
    let (edited, replacements) = apply(original, edits)?;
    let diff = similar::TextDiff::from_lines(original, &edited)
        .unified_diff()
        .context_radius(3)
        .header(&display, &display)
        .to_string();
    let (diff, diff_truncated) = match diff.char_indices().nth(MAX_DIFF_CHARS) {
        Some((cut, _)) => (diff[..cut].to_owned(), true),
        None => (diff, false),
    };
    let mut new_bytes = Vec::with_capacity(edited.len() + 3);
    if bom {
        new_bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    new_bytes.extend_from_slice(edited.as_bytes());
    if mode == Mode::Apply {
        // Refuse if the file changed between our read and now, rather than lose that change.
        let (mut again, _) = open_regular(location, LastLink::Refuse)?;
        let mut current = Vec::new();
        std::io::Read::read_to_end(&mut again, &mut current)
            .map_err(|error| FsError::io("read", &display, error))?;
        if current != bytes {
            return Err(FsError::Changed {
                path: display,
                expected: before_hash,
                actual: hex(&Sha256::digest(&current)),
            });
        }
        replace_entry(
            &dir,
            &name,
            &new_bytes,
            Some(metadata.permissions()),
            &display,
        )?;
    }
    Ok(Edited {
        path: display,
        applied: mode == Mode::Apply,
        replacements,
        diff,
        diff_truncated,
        sha256: hex(&Sha256::digest(&new_bytes)),
    })
}

/// Applies `edits` in order to `text`; returns the new text and the replacements per edit.
pub fn apply(text: &str, edits: &[Edit]) -> FsResult<(String, Vec<usize>)> {
    let crlf = text.contains("\r\n");
    let mut current = text.to_owned();
    let mut replacements = Vec::with_capacity(edits.len());
    for (index, edit) in edits.iter().enumerate() {
        let fail = |code, message: String, hint: &str| FsError::Edit {
            index,
            code,
            message,
            hint: hint.to_owned(),
        };
        if edit.old_text.is_empty() {
            return Err(fail(
                "empty_old_text",
                "old_text is empty".to_owned(),
                "quote the exact text to replace; use write_file or append_file to add to a file",
            ));
        }
        if edit.old_text == edit.new_text {
            return Err(fail(
                "no_change",
                "old_text and new_text are the same".to_owned(),
                "leave this edit out, or change new_text",
            ));
        }
        let old = with_line_endings(&edit.old_text, crlf);
        let new = with_line_endings(&edit.new_text, crlf);
        let starts: Vec<usize> = current
            .match_indices(old.as_str())
            .map(|(at, _)| at)
            .collect();
        match starts.len() {
            0 => {
                let hint = match whitespace_near_miss(&current, &old) {
                    Some(line) => format!(
                        "the text matches at line {line} if whitespace is ignored: copy it exactly, \
                         with its indentation, from read_file"
                    ),
                    None => "read the file again and copy old_text exactly; earlier edits in this \
                             call have already been applied"
                        .to_owned(),
                };
                return Err(fail("no_match", "old_text was not found".to_owned(), &hint));
            }
            1 => {}
            n if !edit.replace_all => {
                let lines: Vec<String> = starts
                    .iter()
                    .take(10)
                    .map(|start| line_of(&current, *start).to_string())
                    .collect();
                return Err(fail(
                    "ambiguous_match",
                    format!(
                        "old_text occurs {n} times (at lines {}{})",
                        lines.join(", "),
                        if n > 10 { ", …" } else { "" }
                    ),
                    "add surrounding lines to old_text so it occurs once, or set replace_all",
                ));
            }
            _ => {}
        }
        replacements.push(starts.len());
        current = current.replace(old.as_str(), &new);
    }
    Ok((current, replacements))
}

/// `text` with its line breaks made CRLF (if the file uses them) or left as they are.
fn with_line_endings(text: &str, crlf: bool) -> String {
    if crlf {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text.to_owned()
    }
}

/// The 1-based line at byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The 1-based line where `needle`'s lines match, ignoring leading and trailing whitespace.
fn whitespace_near_miss(text: &str, needle: &str) -> Option<usize> {
    let wanted: Vec<&str> = needle.lines().map(str::trim).collect();
    if wanted.iter().all(|line| line.is_empty()) {
        return None;
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(wanted.len())
        .position(|window| window == wanted.as_slice())
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(old: &str, new: &str) -> Edit {
        Edit {
            old_text: old.to_owned(),
            new_text: new.to_owned(),
            replace_all: false,
        }
    }

    fn code(error: FsError) -> &'static str {
        error.code()
    }

    #[test]
    fn edits_apply_in_order_and_literally() {
        let (text, counts) = apply(
            "let a = 1;\nlet b = 2;\n",
            &[edit("a = 1", "a = $1"), edit("a = $1", "a = $&")],
        )
        .unwrap();
        assert_eq!(text, "let a = $&;\nlet b = 2;\n");
        assert_eq!(counts, [1, 1]);
    }

    #[test]
    fn ambiguity_is_refused_unless_replace_all() {
        let text = "x\ny\nx\n";
        let error = apply(text, &[edit("x", "z")]).unwrap_err();
        assert_eq!(code(error), "ambiguous_match");
        let message = apply(text, &[edit("x", "z")]).unwrap_err().to_string();
        assert!(message.contains("lines 1, 3"), "{message}");
        let all = Edit {
            replace_all: true,
            ..edit("x", "z")
        };
        assert_eq!(
            apply(text, &[all]).unwrap(),
            ("z\ny\nz\n".to_owned(), vec![2])
        );
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let (text, _) = apply("a\r\nb\r\nc\r\n", &[edit("a\nb", "A\nB")]).unwrap();
        assert_eq!(text, "A\r\nB\r\nc\r\n");
    }

    #[test]
    fn bad_edits_say_why() {
        assert_eq!(
            code(apply("abc", &[edit("", "x")]).unwrap_err()),
            "empty_old_text"
        );
        assert_eq!(
            code(apply("abc", &[edit("b", "b")]).unwrap_err()),
            "no_change"
        );
        let missing = apply("    fn main() {}\n", &[edit("fn  main() {}", "x")]).unwrap_err();
        assert_eq!(code(missing), "no_match");
        let near = apply("    fn main() {}\n", &[edit("fn main() {}  ", "x")]);
        let FsError::Edit { hint, .. } = near.unwrap_err() else {
            panic!("not an edit error")
        };
        assert!(hint.contains("line 1"), "{hint}");
    }

    #[test]
    fn a_later_edit_sees_earlier_ones_and_a_failure_changes_nothing() {
        let error = apply("one two", &[edit("one", "1"), edit("one", "uno")]).unwrap_err();
        assert_eq!(code(error), "no_match");
    }
}
