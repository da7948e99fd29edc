//! Local index benchmark: indexing throughput and query latency on the generated corpus, side
//! by side with a linear scan by ripgrep's search engine (`grep-searcher`) answering the same
//! queries — what a server without an index (a grep tool) pays on every call.
//!
//! `cargo bench -p search-server --bench local_index -- [FILES]` (default 20000 files).

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

#[path = "../tests/support/corpus.rs"]
#[allow(unreachable_pub)]
mod corpus;

use std::time::{Duration, Instant};

use grep_regex::RegexMatcherBuilder;
use grep_searcher::Searcher;
use grep_searcher::sinks::UTF8;
use search_server::local::{IndexSettings, LocalIndex, SearchRequest};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Files whose text contains `word`, by scanning every file.
fn scan(files: &[std::path::PathBuf], word: &str) -> usize {
    let matcher = RegexMatcherBuilder::new()
        .case_insensitive(true)
        .word(true)
        .fixed_strings(true)
        .build(word)
        .unwrap();
    let mut searcher = Searcher::new();
    let mut matching = 0;
    for file in files {
        let mut found = false;
        searcher
            .search_path(
                &matcher,
                file,
                UTF8(|_, _| {
                    found = true;
                    Ok(false)
                }),
            )
            .unwrap();
        matching += usize::from(found);
    }
    matching
}

fn main() {
    let files: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(20_000);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("corpus");
    let generated = corpus::generate(&root, files).unwrap();
    let megabytes = generated.bytes as f64 / 1e6;

    let index = LocalIndex::open(&IndexSettings {
        roots: vec![root.clone()],
        index_dir: temp.path().join("index"),
        max_file_size: 4 << 20,
    })
    .unwrap();
    let started = Instant::now();
    let first = index.sync(false).unwrap();
    let indexing = started.elapsed();
    let started = Instant::now();
    let again = index.sync(false).unwrap();
    let noop = started.elapsed();
    assert_eq!(
        (first.added as usize, again.unchanged as usize),
        (files, files)
    );

    let queries: Vec<String> = corpus::WORDS
        .iter()
        .enumerate()
        .map(|(i, word)| match i % 3 {
            0 => (*word).to_owned(),
            1 => format!("{word} {}", corpus::WORDS[(i * 7) % 64]),
            _ => format!("\"{word} {}\"", corpus::WORDS[(i * 11) % 64]),
        })
        .collect();
    let mut index_times = Vec::new();
    for _ in 0..5 {
        for query in &queries {
            let started = Instant::now();
            let found = index
                .search(&SearchRequest {
                    text: query,
                    literal: false,
                    limit: 10,
                    cursor: None,
                    path_prefix: None,
                    extensions: &[],
                    snippet_lines: 3,
                })
                .unwrap();
            index_times.push(started.elapsed());
            assert!(found.total_hits > 0, "{query}");
        }
    }
    index_times.sort();

    let paths: Vec<std::path::PathBuf> =
        (0..files).map(|i| root.join(corpus::path_of(i))).collect();
    let mut scan_times = Vec::new();
    for word in corpus::WORDS.iter().take(16) {
        let started = Instant::now();
        assert!(scan(&paths, word) > 0);
        scan_times.push(started.elapsed());
    }
    scan_times.sort();

    let (index_median, index_p99) = (
        percentile(&index_times, 0.5),
        percentile(&index_times, 0.99),
    );
    let (scan_median, scan_p99) = (percentile(&scan_times, 0.5), percentile(&scan_times, 0.99));
    println!("corpus: {files} files, {megabytes:.1} MB");
    println!(
        "indexing: {:.2} s, {:.1} MB/s, {:.0} files/s; no-change pass: {:.0} ms",
        indexing.as_secs_f64(),
        megabytes / indexing.as_secs_f64(),
        files as f64 / indexing.as_secs_f64(),
        ms(noop)
    );
    println!(
        "| query latency ({} queries) | median ms | p99 ms |",
        index_times.len()
    );
    println!("|---|---|---|");
    println!(
        "| local_search (tantivy index, top 10 + snippets) | {:.2} | {:.2} |",
        ms(index_median),
        ms(index_p99)
    );
    println!(
        "| linear scan (grep-searcher, every file) | {:.1} | {:.1} |",
        ms(scan_median),
        ms(scan_p99)
    );
    println!(
        "ratio (scan / index): median {:.0}x, p99 {:.0}x",
        scan_median.as_secs_f64() / index_median.as_secs_f64(),
        scan_p99.as_secs_f64() / index_p99.as_secs_f64()
    );
}
