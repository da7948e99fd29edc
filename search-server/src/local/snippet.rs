//! Snippets for a hit: the lines where the query's words occur, numbered as in the document and
//! with each matched word in `**bold**`, so a model can quote them and go to the line.
//!
//! The document is tokenized with the index's own analyzer, so exactly the words that matched
//! are marked (case-folded the same way), wherever they are in a long file.

use std::collections::{BTreeMap, HashSet};

use schemars::JsonSchema;
use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

/// Matches looked at per document, so a huge file cannot make one hit slow.
const MAX_MATCHES: usize = 10_000;
/// A snippet line longer than this is cut to a window around its first match.
const MAX_LINE_CHARS: usize = 240;

/// One line of a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SnippetLine {
    /// 1-based line number in the document's text.
    pub line: usize,
    /// The line, matched words in `**bold**`, cut with `…` when long.
    pub text: String,
}

/// The `max_lines` lines of `body` with the most distinct `terms` (ties: most matches, then
/// earliest), in document order. With no match in the body (the hit matched its title or
/// path), the first non-empty line.
pub fn snippet(
    body: &str,
    terms: &HashSet<String>,
    analyzer: &mut TextAnalyzer,
    max_lines: usize,
) -> Vec<SnippetLine> {
    let mut matches: Vec<(usize, usize, String)> = Vec::new();
    if !terms.is_empty() {
        let mut stream = analyzer.token_stream(body);
        while matches.len() < MAX_MATCHES && stream.advance() {
            let token = stream.token();
            if terms.contains(&token.text) {
                matches.push((token.offset_from, token.offset_to, token.text.clone()));
            }
        }
    }
    let starts = line_starts(body);
    let mut lines: BTreeMap<usize, LineMatches> = BTreeMap::new();
    for (from, to, term) in matches {
        let line = starts.partition_point(|&start| start <= from) - 1;
        let entry = lines.entry(line).or_default();
        entry.ranges.push((from, to));
        entry.terms.insert(term);
    }
    if lines.is_empty() {
        return first_line(body, &starts).into_iter().collect();
    }
    let mut ranked: Vec<(usize, usize, usize)> = lines
        .iter()
        .map(|(line, matches)| (*line, matches.terms.len(), matches.ranges.len()))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<usize> = ranked.iter().take(max_lines).map(|r| r.0).collect();
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|line| {
            let (start, end) = line_span(body, &starts, line);
            render(&body[start..end], start, &lines[&line].ranges, line + 1)
        })
        .collect()
}

/// The matches on one line.
#[derive(Default)]
struct LineMatches {
    /// Matched byte ranges in the document.
    ranges: Vec<(usize, usize)>,
    /// The distinct words matched.
    terms: HashSet<String>,
}

/// Byte offsets where each line starts.
fn line_starts(body: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', body.as_bytes()).map(|at| at + 1))
        .collect()
}

/// The byte span of line `line` without its line ending.
fn line_span(body: &str, starts: &[usize], line: usize) -> (usize, usize) {
    let start = starts[line];
    let end = starts.get(line + 1).map_or(body.len(), |next| next - 1);
    let end = if body[start..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    (start, end)
}

fn first_line(body: &str, starts: &[usize]) -> Option<SnippetLine> {
    (0..starts.len()).find_map(|line| {
        let (start, end) = line_span(body, starts, line);
        let text = &body[start..end];
        (!text.trim().is_empty()).then(|| render(text, start, &[], line + 1))
    })
}

/// A line with `ranges` (document byte offsets) in bold, cut to a window around the first.
fn render(text: &str, line_start: usize, ranges: &[(usize, usize)], number: usize) -> SnippetLine {
    let first = ranges.first().map_or(0, |(from, _)| from - line_start);
    let (window_start, window_end) = window(text, first);
    let mut out = String::new();
    if window_start > 0 {
        out.push('…');
    }
    let mut at = window_start;
    for &(from, to) in ranges {
        let (from, to) = (from - line_start, to - line_start);
        if from < at || to > window_end {
            continue;
        }
        out.push_str(&text[at..from]);
        out.push_str("**");
        out.push_str(&text[from..to]);
        out.push_str("**");
        at = to;
    }
    out.push_str(&text[at..window_end]);
    if window_end < text.len() {
        out.push('…');
    }
    SnippetLine {
        line: number,
        text: out.trim().to_owned(),
    }
}

/// A span of at most [`MAX_LINE_CHARS`] characters of `text` that contains byte `focus`,
/// starting a little before it, on character boundaries.
fn window(text: &str, focus: usize) -> (usize, usize) {
    if text.chars().count() <= MAX_LINE_CHARS {
        return (0, text.len());
    }
    let before: Vec<usize> = text[..focus].char_indices().map(|(at, _)| at).collect();
    let start = before
        .len()
        .checked_sub(MAX_LINE_CHARS / 4)
        .map_or(0, |i| before[i]);
    let end = text[start..]
        .char_indices()
        .nth(MAX_LINE_CHARS)
        .map_or(text.len(), |(at, _)| start + at);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    fn analyzer() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build()
    }

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_densest_lines_are_chosen_and_numbered() {
        let body = "intro\nTokio is fast\r\nnothing here\nasync Tokio runtime, tokio again\n";
        let lines = snippet(body, &terms(&["tokio", "runtime"]), &mut analyzer(), 1);
        assert_eq!(
            lines,
            vec![SnippetLine {
                line: 4,
                text: "async **Tokio** **runtime**, **tokio** again".to_owned()
            }]
        );
        let lines = snippet(body, &terms(&["tokio"]), &mut analyzer(), 2);
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(lines[0].text, "**Tokio** is fast");
    }

    #[test]
    fn long_lines_are_cut_around_the_match_on_char_boundaries() {
        let body = format!("{} needle {}", "é".repeat(500), "ü".repeat(500));
        let lines = snippet(&body, &terms(&["needle"]), &mut analyzer(), 3);
        let text = &lines[0].text;
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert!(text.contains("**needle**"));
        assert!(text.chars().count() <= MAX_LINE_CHARS + 6);
    }

    #[test]
    fn no_body_match_gives_the_first_line() {
        let lines = snippet(
            "\n\n  first words\nmore",
            &terms(&["absent"]),
            &mut analyzer(),
            3,
        );
        assert_eq!(lines[0].line, 3);
        assert_eq!(lines[0].text, "first words");
    }
}
