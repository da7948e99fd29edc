//! A generated corpus for index tests and the benchmark: thousands of files of pseudo-prose,
//! code and HTML in nested directories, the same every run (a fixed-seed xorshift), with no word
//! that a test plants on purpose.

use std::path::Path;

/// Words the generated text is made of.
pub const WORDS: [&str; 64] = [
    "system",
    "index",
    "query",
    "search",
    "file",
    "directory",
    "server",
    "client",
    "token",
    "stream",
    "buffer",
    "socket",
    "thread",
    "async",
    "runtime",
    "memory",
    "cache",
    "vector",
    "string",
    "parser",
    "schema",
    "field",
    "record",
    "segment",
    "merge",
    "commit",
    "reader",
    "writer",
    "score",
    "rank",
    "document",
    "corpus",
    "network",
    "request",
    "response",
    "header",
    "payload",
    "config",
    "option",
    "value",
    "error",
    "result",
    "future",
    "task",
    "channel",
    "signal",
    "process",
    "kernel",
    "driver",
    "module",
    "crate",
    "trait",
    "struct",
    "enum",
    "match",
    "loop",
    "branch",
    "tree",
    "graph",
    "node",
    "edge",
    "path",
    "route",
    "table",
];

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generated {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Writes `files` files under `root` (in `d00/s0/…`), returning what was written. File `i`'s
/// path is [`path_of`]`(i)`.
pub fn generate(root: &Path, files: usize) -> std::io::Result<Generated> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut generated = Generated::default();
    for i in 0..files {
        let relative = path_of(i);
        let path = root.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let lines = 10 + rng.below(40);
        let mut text = String::new();
        let ext = relative.rsplit('.').next().unwrap_or_default();
        match ext {
            "md" => text.push_str(&format!(
                "# {} {}\n\n",
                WORDS[rng.below(64)],
                WORDS[rng.below(64)]
            )),
            "html" => text.push_str("<html><head><title>generated</title></head><body>\n"),
            _ => {}
        }
        for _ in 0..lines {
            let words = 6 + rng.below(10);
            let line: Vec<&str> = (0..words).map(|_| WORDS[rng.below(64)]).collect();
            match ext {
                "rs" => text.push_str(&format!(
                    "    let {} = {}; // {}\n",
                    line[0],
                    line[1],
                    line[2..].join(" ")
                )),
                "html" => text.push_str(&format!("<p>{}</p>\n", line.join(" "))),
                _ => text.push_str(&format!("{}.\n", line.join(" "))),
            }
        }
        if ext == "html" {
            text.push_str("</body></html>\n");
        }
        std::fs::write(&path, &text)?;
        generated.files += 1;
        generated.bytes += text.len() as u64;
    }
    Ok(generated)
}

/// The relative path of generated file `i`.
pub fn path_of(i: usize) -> String {
    let ext = ["md", "txt", "rs", "html", "py"][i % 5];
    format!("d{:02}/s{}/file{i:05}.{ext}", i % 25, (i / 25) % 4)
}
