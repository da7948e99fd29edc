//! What a request says that can become an argument: quoted text, URLs, paths, a math
//! expression, numbers, a topic, and whether it refers back to an earlier result.

/// Words that point at the previous task's result ("is it prime").
const BACK_REFERENCES: [&str; 6] = ["it", "that", "this", "them", "result", "answer"];

/// Words after which the rest of the request is what to look for.
const TOPIC_MARKERS: [&str; 8] = [
    "for",
    "about",
    "named",
    "called",
    "containing",
    "mentioning",
    "matching",
    "regarding",
];

/// Words after which a path or a place follows.
const PLACE_MARKERS: [&str; 6] = ["in", "under", "inside", "from", "of", "at"];

/// Words that never are a place, a topic or a unit.
const FILLER: [&str; 16] = [
    "the",
    "a",
    "an",
    "my",
    "our",
    "your",
    "this",
    "that",
    "me",
    "us",
    "please",
    "all",
    "some",
    "folder",
    "directory",
    "dir",
];

/// Names the math tools understand inside an expression.
const MATH_WORDS: [&str; 29] = [
    "sqrt",
    "cbrt",
    "abs",
    "exp",
    "ln",
    "log",
    "log10",
    "log2",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "floor",
    "ceil",
    "round",
    "min",
    "max",
    "factorial",
    "gcd",
    "lcm",
    "pi",
    "e",
    "tau",
    "mod",
    "sinh",
    "cosh",
    "tanh",
];

/// The clues found in one task's text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Clues {
    /// The task's text.
    pub text: String,
    /// Lowercased words, punctuation trimmed.
    pub words: Vec<String>,
    /// Text in quotes ("...", '...', `...`, “...”).
    pub quoted: Vec<String>,
    /// `http(s)://` URLs.
    pub urls: Vec<String>,
    /// Things that look like paths (`docs`, `src/main.rs`, `README.md`).
    pub paths: Vec<String>,
    /// A math expression with at least one operator or function (`2^64 - 1`).
    pub expression: Option<String>,
    /// Number literals, in order, as written.
    pub numbers: Vec<String>,
    /// What to look for: the quoted text, or the words after "for"/"about"...
    pub topic: Option<String>,
    /// The task refers to an earlier result ("it", "that", "the result").
    pub refers_back: bool,
}

impl Clues {
    /// Reads the clues of `text`.
    pub(crate) fn of(text: &str) -> Self {
        let text = text.trim().to_owned();
        let quoted = quoted(&text);
        let unquoted = remove_quoted(&text);
        let tokens: Vec<&str> = unquoted.split_whitespace().collect();
        let words: Vec<String> = tokens.iter().map(|token| word(token)).collect();
        let urls: Vec<String> = tokens
            .iter()
            .map(|token| trim_punctuation(token))
            .filter(|token| token.starts_with("http://") || token.starts_with("https://"))
            .map(str::to_owned)
            .collect();
        let expression = expression(&tokens);
        let numbers = tokens
            .iter()
            .flat_map(|token| numbers_in(token))
            .collect::<Vec<_>>();
        let paths = paths(&tokens, &words, expression.as_deref());
        let topic = quoted.first().cloned().or_else(|| topic(&tokens, &words));
        let refers_back = numbers.is_empty()
            && expression.is_none()
            && words
                .iter()
                .any(|word| BACK_REFERENCES.contains(&word.as_str()));
        Self {
            text,
            words,
            quoted,
            urls,
            paths,
            expression,
            numbers,
            topic,
            refers_back,
        }
    }

    /// The words that say what to do, without those that are arguments (paths, URLs,
    /// numbers, the expression, quoted text): what tools are ranked by.
    pub(crate) fn intent(&self) -> Vec<String> {
        let is_argument = |word: &String| {
            parse_number(word).is_some()
                || self
                    .paths
                    .iter()
                    .any(|path| path.eq_ignore_ascii_case(word))
                || self.urls.iter().any(|url| url.eq_ignore_ascii_case(word))
                || self
                    .expression
                    .as_deref()
                    .is_some_and(|expression| expression.contains(word.as_str()))
        };
        self.words
            .iter()
            .filter(|word| !word.is_empty() && !is_argument(word))
            .map(|word| word.replace(['_', '-', '/'], " "))
            .collect()
    }

    /// The word after the first number, and the word after "to"/"into"/"in" that follows it:
    /// the units of "convert 5 km to miles".
    pub(crate) fn units(&self) -> Option<(String, String)> {
        let first_number = self
            .words
            .iter()
            .position(|word| parse_number(word).is_some())?;
        let from = self.words.get(first_number + 1)?.clone();
        let to_marker = self.words[first_number + 1..]
            .iter()
            .position(|word| matches!(word.as_str(), "to" | "into" | "in"))?
            + first_number
            + 1;
        let to = self.words.get(to_marker + 1)?.clone();
        Some((from, to))
    }
}

fn quoted(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, close) in [('"', '"'), ('\'', '\''), ('`', '`'), ('“', '”'), ('‘', '’')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            // An apostrophe inside a word ("don't") does not open a quote.
            let before = rest[..start].chars().last();
            let after = &rest[start + open.len_utf8()..];
            if open == '\'' && before.is_some_and(char::is_alphanumeric) {
                rest = after;
                continue;
            }
            let Some(end) = after.find(close) else { break };
            let inner = after[..end].trim();
            if !inner.is_empty() {
                found.push(inner.to_owned());
            }
            rest = &after[end + close.len_utf8()..];
        }
    }
    found
}

fn remove_quoted(text: &str) -> String {
    let mut result = text.to_owned();
    for inner in quoted(text) {
        result = result.replace(&inner, " ");
    }
    result
}

fn trim_punctuation(token: &str) -> &str {
    token
        .trim_start_matches(['(', '[', '{', '"', '\''])
        .trim_end_matches(['?', '.', ',', ';', ':', '!', ')', ']', '}', '"', '\''])
}

/// A token as a lowercase word, punctuation trimmed.
fn word(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '/' | '.' | '_' | '-' | '*'))
        .trim_end_matches('.')
        .to_lowercase()
}

/// The longest run of tokens that reads as math and has an operator or a function.
fn expression(tokens: &[&str]) -> Option<String> {
    let mathy = |token: &str| {
        let token = token
            .trim_end_matches(['?', ',', ';'])
            .trim_end_matches('.');
        let symbolic = token
            .chars()
            .all(|c| c.is_ascii_digit() || "+-*/^%!().".contains(c));
        let named = MATH_WORDS
            .iter()
            .any(|name| token == *name || token.starts_with(&format!("{name}(")));
        !token.is_empty() && (symbolic || named)
    };
    let mut best: Option<String> = None;
    let mut start = 0;
    while start < tokens.len() {
        if !mathy(tokens[start]) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < tokens.len() && mathy(tokens[end]) {
            end += 1;
        }
        let run = tokens[start..end]
            .join(" ")
            .trim_end_matches(['?', ',', ';', '.'])
            .to_owned();
        let has_digit = run.chars().any(|c| c.is_ascii_digit());
        let has_operator =
            run.chars().any(|c| "+*/^%!(".contains(c)) || run.trim_start_matches('-').contains('-');
        if has_digit && has_operator && best.as_ref().is_none_or(|best| run.len() > best.len()) {
            best = Some(run);
        }
        start = end;
    }
    best
}

/// Number literals in a token: `-2.5`, `1e9`, `18446744073709551615`, `1,000`.
fn numbers_in(token: &str) -> Vec<String> {
    let cleaned = token.replace(',', "");
    if let Some(number) = parse_number(trim_punctuation(&cleaned)) {
        return vec![number];
    }
    // Inside an expression or a unit (`2^64`, `5km`): the digit runs.
    let mut found = Vec::new();
    let mut current = String::new();
    for c in cleaned.chars() {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            found.push(current.trim_end_matches('.').to_owned());
            current.clear();
        }
    }
    if !current.is_empty() {
        found.push(current.trim_end_matches('.').to_owned());
    }
    found
}

/// The token as a number literal, if it is one.
pub(crate) fn parse_number(token: &str) -> Option<String> {
    let token = token.trim_end_matches(['?', '.', ',', ';', ':', '!']);
    let digits = token.strip_prefix(['-', '+']).unwrap_or(token);
    let valid = !digits.is_empty()
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && digits.parse::<f64>().is_ok()
        && !digits.contains(['i', 'n', 'I', 'N']);
    valid.then(|| token.trim_start_matches('+').to_owned())
}

/// Paths: tokens with a slash or a file extension, `.`, and the word after "in"/"under"...
fn paths(tokens: &[&str], words: &[String], expression: Option<&str>) -> Vec<String> {
    let mut found = Vec::new();
    for token in tokens {
        let token = trim_punctuation(token);
        if token.contains("://") || token.is_empty() || parse_number(token).is_some() {
            continue;
        }
        if expression.is_some_and(|expression| expression.contains(token)) {
            continue;
        }
        let has_extension = token.rsplit_once('.').is_some_and(|(stem, extension)| {
            !stem.is_empty()
                && (1..=5).contains(&extension.len())
                && extension.chars().all(|c| c.is_ascii_alphanumeric())
                && extension.chars().any(|c| c.is_ascii_alphabetic())
        });
        if token.contains('/') || has_extension || token == "." {
            found.push(token.to_owned());
        }
    }
    for (index, word) in words.iter().enumerate() {
        if !PLACE_MARKERS.contains(&word.as_str()) {
            continue;
        }
        let place = words[index + 1..]
            .iter()
            .find(|word| !FILLER.contains(&word.as_str()));
        if let Some(place) = place
            && !place.is_empty()
            && place
                .chars()
                .all(|c| c.is_alphanumeric() || "/._-".contains(c))
            && parse_number(place).is_none()
            && !found.iter().any(|path| path.eq_ignore_ascii_case(place))
        {
            // Keep the spelling of the request (paths are case-sensitive).
            let spelled = tokens
                .iter()
                .map(|token| trim_punctuation(token))
                .find(|token| token.eq_ignore_ascii_case(place))
                .unwrap_or(place);
            found.push(spelled.to_owned());
        }
    }
    found
}

/// The words after the last topic marker ("search my notes for tokio" → "tokio").
fn topic(tokens: &[&str], words: &[String]) -> Option<String> {
    let marker = words
        .iter()
        .rposition(|word| TOPIC_MARKERS.contains(&word.as_str()))?;
    let rest: Vec<&str> = tokens[marker + 1..]
        .iter()
        .map(|token| trim_punctuation(token))
        .skip_while(|token| FILLER.contains(&token.to_lowercase().as_str()))
        .filter(|token| !token.is_empty())
        .collect();
    (!rest.is_empty()).then(|| rest.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expression_and_its_numbers() {
        let clues = Clues::of("what is 2^64 - 1?");
        assert_eq!(clues.expression.as_deref(), Some("2^64 - 1"));
        assert_eq!(clues.numbers, ["2", "64", "1"]);
        assert!(clues.paths.is_empty());
        assert!(!clues.refers_back);
        let functions = Clues::of("compute sqrt(2) * pi please");
        assert_eq!(functions.expression.as_deref(), Some("sqrt(2) * pi"));
    }

    #[test]
    fn a_topic_after_for() {
        let clues = Clues::of("search my notes for tokio");
        assert_eq!(clues.topic.as_deref(), Some("tokio"));
        assert_eq!(clues.expression, None);
        let quoted = Clues::of("grep for \"fn main\" in src");
        assert_eq!(quoted.topic.as_deref(), Some("fn main"));
        assert_eq!(quoted.paths, ["src"]);
    }

    #[test]
    fn paths_by_shape_and_by_place() {
        assert_eq!(Clues::of("list the files in docs").paths, ["docs"]);
        assert_eq!(
            Clues::of("list the files in the docs folder").paths,
            ["docs"]
        );
        assert_eq!(Clues::of("read README.md").paths, ["README.md"]);
        assert_eq!(
            Clues::of("show orchestrator/src/lib.rs, please").paths,
            ["orchestrator/src/lib.rs"]
        );
        assert!(
            Clues::of("fetch https://example.com/a.html")
                .paths
                .is_empty()
        );
        assert_eq!(
            Clues::of("fetch https://example.com/a.html").urls,
            ["https://example.com/a.html"]
        );
    }

    #[test]
    fn back_references_and_units() {
        assert!(Clues::of("is it prime").refers_back);
        assert!(!Clues::of("is 97 prime").refers_back);
        assert_eq!(
            Clues::of("convert 5 km to mi").units(),
            Some(("km".to_owned(), "mi".to_owned()))
        );
        assert_eq!(Clues::of("add 1,000 and 2.5").numbers, ["1000", "2.5"]);
    }
}
