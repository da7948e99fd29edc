//! Bounded output: cut long text at a character boundary and say how to continue.
//!
//! Clients cap what they show a model (Claude Code stops at about 25,000 tokens), so every tool
//! that can produce unbounded text returns a window of it, says whether it was `truncated`, and
//! gives the offset to ask for next.

use schemars::JsonSchema;
use serde::Serialize;

/// A window of a longer text.
///
/// ```
/// let page = shared::TextPage::window("héllo wörld", 3, 4);
/// assert_eq!(page.text, "lo w");
/// assert!(page.truncated);
/// assert_eq!(page.next_offset, Some(7));
/// assert_eq!(page.total_chars, 11);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TextPage {
    /// The characters in the window.
    pub text: String,
    /// Whether characters follow the window.
    pub truncated: bool,
    /// The character offset to pass to get the next window, when `truncated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// How many characters the whole text has.
    pub total_chars: usize,
}

impl TextPage {
    /// The characters of `text` from character `offset`, at most `max_chars` of them.
    /// Offsets count Unicode scalar values, so a window never splits a character.
    pub fn window(text: &str, offset: usize, max_chars: usize) -> Self {
        let total_chars = text.chars().count();
        let start = offset.min(total_chars);
        let end = start.saturating_add(max_chars).min(total_chars);
        let window: String = text.chars().skip(start).take(end - start).collect();
        let truncated = end < total_chars;
        Self {
            text: window,
            truncated,
            next_offset: truncated.then_some(end),
            total_chars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_whole() {
        let page = TextPage::window("abc", 0, 10);
        assert_eq!(page.text, "abc");
        assert!(!page.truncated);
        assert_eq!(page.next_offset, None);
    }

    #[test]
    fn windows_cover_the_text_exactly_once() {
        let text = "αβγδεζηθικλμ";
        let mut offset = 0;
        let mut rebuilt = String::new();
        for _ in 0..10 {
            let page = TextPage::window(text, offset, 5);
            rebuilt.push_str(&page.text);
            match page.next_offset {
                Some(next) => offset = next,
                None => break,
            }
        }
        assert_eq!(rebuilt, text);
    }

    #[test]
    fn an_offset_past_the_end_is_empty_not_an_error() {
        let page = TextPage::window("abc", 99, 5);
        assert_eq!(page.text, "");
        assert!(!page.truncated);
    }
}
