//! The file as written: serde structs that reject unknown keys and duplicate server ids. Values
//! are checked afterwards, in [`super::validate`].

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct File {
    pub(super) mcp_servers: UniqueMap<Server>,
}

/// One entry under `mcpServers`: Claude Desktop's keys, the `type` and `disabled` keys other
/// clients write, and ours.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Server {
    #[serde(rename = "type")]
    pub(super) kind: Option<String>,
    pub(super) command: Option<String>,
    #[serde(default)]
    pub(super) args: Vec<String>,
    pub(super) env: Option<BTreeMap<String, String>>,
    pub(super) cwd: Option<String>,
    pub(super) url: Option<String>,
    pub(super) headers: Option<BTreeMap<String, String>>,
    pub(super) enabled: Option<bool>,
    pub(super) disabled: Option<bool>,
    pub(super) prefix: Option<String>,
    pub(super) tools: Option<Tools>,
    pub(super) timeout: Option<f64>,
    pub(super) max_timeout: Option<f64>,
    pub(super) connect_timeout: Option<f64>,
    pub(super) ping_interval: Option<f64>,
    pub(super) ping_timeout: Option<f64>,
    pub(super) max_concurrency: Option<usize>,
    pub(super) restart: Option<Restart>,
}

/// `tools: {allow: [globs], deny: [globs]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Tools {
    #[serde(default)]
    pub(super) allow: Vec<String>,
    #[serde(default)]
    pub(super) deny: Vec<String>,
}

/// `restart: false`, `restart: true`, or a policy object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Restart {
    Enabled(bool),
    Policy(RestartPolicy),
}

/// The policy object; every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RestartPolicy {
    pub(super) enabled: Option<bool>,
    pub(super) max_restarts: Option<u32>,
    pub(super) initial_delay: Option<f64>,
    pub(super) max_delay: Option<f64>,
    pub(super) stable_after: Option<f64>,
}

/// A JSON object whose keys must be unique (serde's maps keep the last duplicate silently).
#[derive(Debug)]
pub(super) struct UniqueMap<T>(BTreeMap<String, T>);

impl<T> UniqueMap<T> {
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> IntoIterator for UniqueMap<T> {
    type Item = (String, T);
    type IntoIter = std::collections::btree_map::IntoIter<String, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for UniqueMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for UniqueVisitor<T> {
            type Value = UniqueMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of servers by id")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "the server id `{key}` appears twice"
                        )));
                    }
                    let value = map.next_value()?;
                    entries.insert(key, value);
                }
                Ok(UniqueMap(entries))
            }
        }
        deserializer.deserialize_map(UniqueVisitor(PhantomData))
    }
}

/// Reads the file; an error carries the dotted key path (when there is one) and the reason.
pub(super) fn parse(text: &str) -> Result<File, (Option<String>, String)> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let reason = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                return (None, format!("not valid JSON: {inner}"));
            }
            _ if inner.to_string().starts_with("data did not match any variant of untagged enum Restart") => format!(
                "must be true, false or an object with enabled, maxRestarts, initialDelay, maxDelay, stableAfter (line {} column {})",
                inner.line(),
                inner.column()
            ),
            _ => inner.to_string(),
        };
        let key = (path != ".").then_some(path);
        (key, reason)
    })
}
