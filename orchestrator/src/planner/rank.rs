//! Which tool does a task: BM25 over each tool's name, title and description (English
//! stemming and stop words, from the `bm25` crate), plus the evidence of the arguments the
//! request can fill ([`fill`]).

use bm25::{Document, Language, SearchEngine, SearchEngineBuilder};
use rmcp::model::{JsonObject, Tool};

use super::clues::Clues;
use super::fill::fill;

/// Words that ask for the open web; without one, tools that reach the open world
/// (`openWorldHint`) rank far behind local ones, which work offline.
const WEB_WORDS: [&str; 10] = [
    "web", "internet", "online", "url", "http", "https", "website", "site", "google", "page",
];

/// How much an open-world tool keeps of its score when the request does not ask for the web.
const OPEN_WORLD_FACTOR: f32 = 0.25;

/// Evidence from arguments alone that is enough to pick a tool no word of the request names
/// (a math expression, a URL).
const STRONG_EVIDENCE: f32 = 2.0;

/// How much a request naming a tool's own words counts ("read the file" for `read_file`).
const NAME_WEIGHT: f32 = 1.0;

/// The chosen tool for a task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Choice {
    /// The exposed tool name.
    pub tool: String,
    /// Its arguments.
    pub arguments: JsonObject,
    /// Relevance plus evidence.
    pub score: f32,
}

/// The tools on offer, indexed for ranking.
pub(crate) struct Ranker<'a> {
    tools: &'a [Tool],
    engine: SearchEngine<usize>,
}

impl<'a> Ranker<'a> {
    pub(crate) fn new(tools: &'a [Tool]) -> Self {
        let documents = tools.iter().enumerate().map(|(index, tool)| {
            // The name's words without the server prefix: every tool of a server shares it.
            let own = tool.name.rsplit("__").next().unwrap_or(&tool.name);
            let words = |text: &str| text.replace(['_', '-', '/'], " ");
            let contents = format!(
                "{} {} {}",
                words(own),
                tool.title.as_deref().unwrap_or_default(),
                tool.description.as_deref().unwrap_or_default()
            );
            Document::new(index, contents)
        });
        Self {
            tools,
            engine: SearchEngineBuilder::with_documents(Language::English, documents).build(),
        }
    }

    /// The best tool for the task described by `clues`, if any tool is relevant and can be
    /// given its required arguments. Ties go to the tool listed first.
    pub(crate) fn choose(&self, clues: &Clues, previous: Option<&str>) -> Option<Choice> {
        let intent = clues.intent();
        let query = intent.join(" ");
        let mut relevance = vec![0.0_f32; self.tools.len()];
        for result in self.engine.search(&query, self.tools.len()) {
            if let Some(slot) = relevance.get_mut(result.document.id) {
                *slot = result.score;
            }
        }
        let wants_web = clues
            .words
            .iter()
            .any(|word| WEB_WORDS.contains(&word.as_str()))
            || !clues.urls.is_empty();
        let mut best: Option<Choice> = None;
        for (tool, relevance) in self.tools.iter().zip(relevance) {
            let Some(filling) = fill(tool, clues, previous) else {
                continue;
            };
            if relevance <= 0.0 && filling.strength < STRONG_EVIDENCE {
                continue;
            }
            let open_world = tool
                .annotations
                .as_ref()
                .and_then(|annotations| annotations.open_world_hint)
                .unwrap_or(false);
            let mut score = relevance + filling.strength + name_coverage(&tool.name, &intent);
            if open_world && !wants_web {
                score *= OPEN_WORLD_FACTOR;
            }
            if best.as_ref().is_none_or(|best| score > best.score) {
                best = Some(Choice {
                    tool: tool.name.to_string(),
                    arguments: filling.arguments,
                    score,
                });
            }
        }
        best
    }
}

/// The share of the tool's own name words (after its server prefix) that the request uses,
/// weighted: "read the file" names all of `read_file` and two thirds of `read_media_file`.
fn name_coverage(name: &str, intent: &[String]) -> f32 {
    let own = name.rsplit("__").next().unwrap_or(name);
    let parts: Vec<&str> = own
        .split(['_', '-'])
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() {
        return 0.0;
    }
    let used = parts
        .iter()
        .filter(|part| intent.iter().any(|word| same_stem(word, part)))
        .count();
    NAME_WEIGHT * used as f32 / parts.len() as f32
}

/// Equal, or sharing all but a short ending ("files" and "file", "lists" and "list").
fn same_stem(word: &str, part: &str) -> bool {
    let shared = word
        .chars()
        .zip(part.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let longest = word.chars().count().max(part.chars().count());
    word == part || (shared >= 4 && longest - shared <= 2)
}
