//! The `mcpServers` configuration: Claude Desktop's format, so existing files work, plus our
//! own optional keys per server.
//!
//! A file is read in two steps. Serde reads it into raw structs that reject unknown keys (with
//! the path of the offending key, through `serde_path_to_error`); then `validate` checks
//! values, expands `${VAR}` from the environment and derives each server's name prefix. Every
//! error names the file, the key and the reason.
//!
//! ```json
//! {
//!   "mcpServers": {
//!     "math": { "command": "math-server" },
//!     "docs": { "url": "http://127.0.0.1:8102/mcp", "headers": { "Authorization": "Bearer ${DOCS_TOKEN}" },
//!               "tools": { "deny": ["reindex"] }, "timeout": 30, "maxConcurrency": 4 }
//!   }
//! }
//! ```

mod expand;
mod raw;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::filter::ToolFilter;
use crate::names;

pub use expand::expand_env;

/// The servers the orchestrator connects to, in a stable order (sorted by id).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration came from, for messages.
    pub source: String,
    /// One entry per server, enabled or not.
    pub servers: Vec<ServerConfig>,
}

/// One upstream server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The key under `mcpServers`.
    pub id: String,
    /// What exposed tool names start with (`{prefix}__{tool}`); unique among servers.
    pub prefix: String,
    /// How to reach the server.
    pub transport: TransportConfig,
    /// A disabled server is listed by `doctor` and `explain` but never started.
    pub enabled: bool,
    /// Which of its tools are exposed (and callable).
    pub tools: ToolFilter,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Calls in flight at once on this server; more wait their turn.
    pub max_concurrency: usize,
    /// What to do when the server dies.
    pub restart: RestartPolicy,
}

/// How to reach a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportConfig {
    /// A child process speaking MCP on its stdin and stdout.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Variables added to the orchestrator's own environment.
        env: BTreeMap<String, String>,
        /// The working directory; the orchestrator's when absent.
        cwd: Option<PathBuf>,
    },
    /// A Streamable HTTP endpoint.
    Http {
        /// The MCP endpoint, `http://` or `https://`.
        url: String,
        /// Headers sent with every request (for example `Authorization`), checked when the
        /// configuration is read; values are marked sensitive.
        headers: HashMap<HeaderName, HeaderValue>,
    },
}

impl TransportConfig {
    /// A one-line description for tables: the command line or the URL.
    pub fn summary(&self) -> String {
        match self {
            Self::Stdio { command, args, .. } => std::iter::once(command.as_str())
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            Self::Http { url, .. } => url.clone(),
        }
    }
}

/// Time limits of one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Spawn (or connect) and complete the MCP handshake and the first tool listing.
    pub connect: Duration,
    /// A call fails after this long without an answer or a progress notification.
    pub call: Duration,
    /// A call fails after this long whatever its progress.
    pub call_max: Duration,
    /// How often a connected server is pinged.
    pub ping_interval: Duration,
    /// A ping unanswered for this long counts as a failure.
    pub ping_timeout: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(30),
            call: Duration::from_secs(60),
            call_max: Duration::from_secs(600),
            ping_interval: Duration::from_secs(15),
            ping_timeout: Duration::from_secs(5),
        }
    }
}

/// When and how fast a dead server is started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Whether a dead server is restarted at all.
    pub enabled: bool,
    /// Restarts in a row before the server is marked failed for good.
    pub max_restarts: u32,
    /// The first delay; each further one doubles, with jitter.
    pub initial_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// A server up this long has its restart count reset.
    pub stable_after: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            max_restarts: 10,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            stable_after: Duration::from_secs(60),
        }
    }
}

/// Calls in flight per server when the configuration does not say.
pub const DEFAULT_MAX_CONCURRENCY: usize = 16;

/// A configuration that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {}{reason}", key.as_deref().map(|k| format!("{k}: ")).unwrap_or_default())]
pub struct ConfigError {
    /// The file (or `built-in default`).
    pub source_name: String,
    /// The offending key as a dotted path (`mcpServers.math.timeout`), when there is one.
    pub key: Option<String>,
    /// What is wrong and, where it helps, how to fix it.
    pub reason: String,
}

impl ConfigError {
    fn new(source_name: &str, key: Option<String>, reason: impl Into<String>) -> Self {
        Self {
            source_name: source_name.to_owned(),
            key,
            reason: reason.into(),
        }
    }
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::new(&name, None, format!("cannot read: {error}")))?;
        Self::parse(&name, &text)
    }

    /// Parses and validates configuration text; `source_name` is used in messages.
    pub fn parse(source_name: &str, text: &str) -> Result<Self, ConfigError> {
        let raw =
            raw::parse(text).map_err(|(key, reason)| ConfigError::new(source_name, key, reason))?;
        validate(source_name, raw, &|name| std::env::var(name).ok())
    }

    /// The built-in default: the workspace's servers, from the binaries next to the
    /// orchestrator's own executable. A server whose binary is not there is left out.
    pub fn workspace_default() -> Result<Self, ConfigError> {
        let source = "built-in default";
        let exe = std::env::current_exe().map_err(|error| {
            ConfigError::new(
                source,
                None,
                format!("cannot find the orchestrator's own executable: {error}"),
            )
        })?;
        let dir = exe.parent().unwrap_or_else(|| Path::new("."));
        let servers = WORKSPACE_SERVERS
            .iter()
            .filter_map(|(id, binary)| {
                let path = dir.join(binary);
                if !path.is_file() {
                    tracing::info!(server = id, path = %path.display(), "not built; left out of the default configuration");
                    return None;
                }
                Some(ServerConfig::stdio(id, path.display().to_string(), default_args(id)))
            })
            .collect();
        Ok(Self {
            source: source.to_owned(),
            servers,
        })
    }

    /// The enabled servers.
    pub fn enabled(&self) -> impl Iterator<Item = &ServerConfig> {
        self.servers.iter().filter(|server| server.enabled)
    }
}

/// The arguments a workspace server gets in the built-in default. The filesystem server is
/// given the current directory, read-only: a demo must not let a model change files unasked.
/// The search server indexes the current directory for local_search, which works offline.
fn default_args(id: &str) -> Vec<String> {
    let here = || {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("."))
            .display()
            .to_string()
    };
    match id {
        "fs" => vec!["--read-only".to_owned(), here()],
        "search" => vec![here()],
        _ => Vec::new(),
    }
}

/// The workspace's servers: id and binary name.
const WORKSPACE_SERVERS: [(&str, &str); 3] = [
    ("math", "math-server"),
    ("search", "search-server"),
    ("fs", "fs-server"),
];

impl ServerConfig {
    /// A stdio server with every optional setting at its default. `id` must be a valid prefix.
    pub fn stdio(id: &str, command: String, args: Vec<String>) -> Self {
        Self {
            id: id.to_owned(),
            prefix: id.to_owned(),
            transport: TransportConfig::Stdio {
                command,
                args,
                env: BTreeMap::new(),
                cwd: None,
            },
            enabled: true,
            tools: ToolFilter::default(),
            timeouts: Timeouts::default(),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            restart: RestartPolicy::default(),
        }
    }
}

/// Checks the raw file's values, expands environment variables and assigns prefixes.
fn validate(
    source: &str,
    file: raw::File,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let mut servers = Vec::with_capacity(file.mcp_servers.len());
    // prefix -> server id, to refuse two servers whose names could collide.
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    for (id, server) in file.mcp_servers {
        let key = |field: &str| {
            Some(format!(
                "mcpServers.{id}{}{field}",
                if field.is_empty() { "" } else { "." }
            ))
        };
        let fail = |field: &str, reason: String| ConfigError::new(source, key(field), reason);
        let expand =
            |field: &str, value: &str| expand_env(value, env).map_err(|reason| fail(field, reason));

        let prefix = match &server.prefix {
            Some(prefix) => {
                names::validate_prefix(prefix).map_err(|reason| fail("prefix", reason))?;
                prefix.clone()
            }
            None => names::derive_prefix(&id).ok_or_else(|| {
                fail(
                    "",
                    format!(
                        "the server id `{id}` has no letters or digits to name its tools by; set \"prefix\" (lowercase letters, digits and '-', at most {} characters)",
                        names::MAX_PREFIX_LEN
                    ),
                )
            })?,
        };
        if let Some(other) = prefixes.insert(prefix.clone(), id.clone()) {
            return Err(fail(
                "",
                format!(
                    "servers `{other}` and `{id}` would both expose tools as `{prefix}__…`; set a different \"prefix\" on one of them"
                ),
            ));
        }

        let transport = match (&server.command, &server.url) {
            (Some(_), Some(_)) => {
                return Err(fail(
                    "",
                    "has both \"command\" (stdio) and \"url\" (HTTP); keep one".into(),
                ));
            }
            (None, None) => {
                return Err(fail(
                    "",
                    "needs \"command\" (a stdio server) or \"url\" (a Streamable HTTP server)"
                        .into(),
                ));
            }
            (Some(command), None) => {
                if let Some(kind) = &server.kind
                    && kind != "stdio"
                {
                    return Err(fail(
                        "type",
                        format!("is \"{kind}\" but the server has a \"command\"; use \"stdio\""),
                    ));
                }
                if server.headers.is_some() {
                    return Err(fail(
                        "headers",
                        "applies only to HTTP servers (\"url\")".into(),
                    ));
                }
                let command = expand("command", command)?;
                if command.trim().is_empty() {
                    return Err(fail("command", "is empty".into()));
                }
                let args = server
                    .args
                    .iter()
                    .enumerate()
                    .map(|(i, arg)| expand(&format!("args[{i}]"), arg))
                    .collect::<Result<_, _>>()?;
                let env = server
                    .env
                    .iter()
                    .flatten()
                    .map(|(name, value)| Ok((name.clone(), expand(&format!("env.{name}"), value)?)))
                    .collect::<Result<_, ConfigError>>()?;
                let cwd = server
                    .cwd
                    .as_deref()
                    .map(|cwd| expand("cwd", cwd).map(PathBuf::from))
                    .transpose()?;
                TransportConfig::Stdio {
                    command,
                    args,
                    env,
                    cwd,
                }
            }
            (None, Some(url)) => {
                match server.kind.as_deref() {
                    None | Some("http" | "streamable-http" | "streamableHttp") => {}
                    Some("sse") => {
                        return Err(fail(
                            "type",
                            "legacy SSE servers are not supported; most servers also serve Streamable HTTP (often at /mcp instead of /sse)".into(),
                        ));
                    }
                    Some(kind) => {
                        return Err(fail(
                            "type",
                            format!("is \"{kind}\"; a server with a \"url\" is \"http\""),
                        ));
                    }
                }
                let stdio_only = [
                    ("args", !server.args.is_empty()),
                    ("env", server.env.is_some()),
                    ("cwd", server.cwd.is_some()),
                ];
                if let Some((field, _)) = stdio_only.iter().find(|(_, present)| *present) {
                    return Err(fail(
                        field,
                        "applies only to stdio servers (\"command\")".into(),
                    ));
                }
                let url = expand("url", url)?;
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(fail(
                        "url",
                        format!("`{url}` is not an http:// or https:// URL"),
                    ));
                }
                let headers = server
                    .headers
                    .iter()
                    .flatten()
                    .map(|(name, value)| {
                        let key = format!("headers.{name}");
                        let value = expand(&key, value)?;
                        let name = HeaderName::from_bytes(name.as_bytes())
                            .map_err(|_| fail(&key, "is not a valid header name".into()))?;
                        let mut value = HeaderValue::from_str(&value)
                            .map_err(|_| fail(&key, "is not a valid header value".into()))?;
                        // Tokens stay out of debug output and logs.
                        value.set_sensitive(true);
                        Ok((name, value))
                    })
                    .collect::<Result<_, ConfigError>>()?;
                TransportConfig::Http { url, headers }
            }
        };

        let enabled = match (server.enabled, server.disabled) {
            (Some(enabled), Some(disabled)) if enabled == disabled => {
                return Err(fail(
                    "disabled",
                    "contradicts \"enabled\"; keep one of them".into(),
                ));
            }
            (Some(enabled), _) => enabled,
            (None, Some(disabled)) => !disabled,
            (None, None) => true,
        };

        let tools = match &server.tools {
            Some(tools) => ToolFilter::new(&tools.allow, &tools.deny)
                .map_err(|(field, reason)| fail(&format!("tools.{field}"), reason))?,
            None => ToolFilter::default(),
        };

        let defaults = Timeouts::default();
        let seconds = |field: &str, value: Option<f64>, default: Duration| {
            seconds_or(value, default).map_err(|reason| fail(field, reason))
        };
        let timeouts = Timeouts {
            connect: seconds("connectTimeout", server.connect_timeout, defaults.connect)?,
            call: seconds("timeout", server.timeout, defaults.call)?,
            call_max: seconds("maxTimeout", server.max_timeout, defaults.call_max)?,
            ping_interval: seconds("pingInterval", server.ping_interval, defaults.ping_interval)?,
            ping_timeout: seconds("pingTimeout", server.ping_timeout, defaults.ping_timeout)?,
        };
        if timeouts.call_max < timeouts.call {
            return Err(fail(
                "maxTimeout",
                format!(
                    "({} s) is shorter than \"timeout\" ({} s); the total limit must be at least the inactivity limit",
                    timeouts.call_max.as_secs_f64(),
                    timeouts.call.as_secs_f64()
                ),
            ));
        }

        let max_concurrency = match server.max_concurrency {
            None => DEFAULT_MAX_CONCURRENCY,
            Some(0) => return Err(fail("maxConcurrency", "must be at least 1".into())),
            Some(n) if n > MAX_CONCURRENCY_LIMIT => {
                return Err(fail(
                    "maxConcurrency",
                    format!("must be at most {MAX_CONCURRENCY_LIMIT}"),
                ));
            }
            Some(n) => n,
        };

        let restart = restart_policy(server.restart.as_ref())
            .map_err(|(field, reason)| fail(&format!("restart{field}"), reason))?;

        servers.push(ServerConfig {
            id,
            prefix,
            transport,
            enabled,
            tools,
            timeouts,
            max_concurrency,
            restart,
        });
    }
    Ok(Config {
        source: source.to_owned(),
        servers,
    })
}

/// The most calls in flight a server may be given.
const MAX_CONCURRENCY_LIMIT: usize = 1024;

/// The longest time limit a configuration may set (a day).
const MAX_SECONDS: f64 = 86_400.0;

/// An optional number of seconds from the file, or `default` when absent.
fn seconds_or(value: Option<f64>, default: Duration) -> Result<Duration, String> {
    value.map_or(Ok(default), duration)
}

/// A positive, finite number of seconds, at most a day.
fn duration(seconds: f64) -> Result<Duration, String> {
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(format!(
            "must be a positive number of seconds, not {seconds}"
        ));
    }
    if seconds > MAX_SECONDS {
        return Err(format!(
            "must be at most {MAX_SECONDS} seconds (a day), not {seconds}"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn restart_policy(raw: Option<&raw::Restart>) -> Result<RestartPolicy, (String, String)> {
    let defaults = RestartPolicy::default();
    let policy = match raw {
        None | Some(raw::Restart::Enabled(true)) => return Ok(defaults),
        Some(raw::Restart::Enabled(false)) => {
            return Ok(RestartPolicy {
                enabled: false,
                ..defaults
            });
        }
        Some(raw::Restart::Policy(policy)) => policy,
    };
    let seconds = |field: &str, value: Option<f64>, default: Duration| {
        seconds_or(value, default).map_err(|reason| (format!(".{field}"), reason))
    };
    let policy = RestartPolicy {
        enabled: policy.enabled.unwrap_or(true),
        max_restarts: policy.max_restarts.unwrap_or(defaults.max_restarts),
        initial_delay: seconds("initialDelay", policy.initial_delay, defaults.initial_delay)?,
        max_delay: seconds("maxDelay", policy.max_delay, defaults.max_delay)?,
        stable_after: seconds("stableAfter", policy.stable_after, defaults.stable_after)?,
    };
    if policy.max_delay < policy.initial_delay {
        return Err((
            ".maxDelay".into(),
            "is shorter than \"initialDelay\"".into(),
        ));
    }
    Ok(policy)
}

#[cfg(test)]
mod tests;
