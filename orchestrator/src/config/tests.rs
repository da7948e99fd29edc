use std::time::Duration;

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    let env = |name: &str| match name {
        "TOKEN" => Some("s3cret".to_owned()),
        "HOME" => Some("/home/me".to_owned()),
        _ => None,
    };
    let raw =
        raw::parse(text).map_err(|(key, reason)| ConfigError::new("test.json", key, reason))?;
    validate("test.json", raw, &env)
}

fn error(text: &str) -> String {
    parse(text)
        .expect_err("the configuration should be rejected")
        .to_string()
}

#[test]
fn claude_desktop_files_work() {
    let config = parse(
        r#"{"mcpServers": {
            "math": {"command": "math-server", "args": ["--log-level", "warn"], "env": {"HOME_DIR": "${HOME}"}},
            "remote": {"type": "http", "url": "https://example.com/mcp", "headers": {"Authorization": "Bearer ${TOKEN}"}}
        }}"#,
    )
    .unwrap();
    assert_eq!(config.servers.len(), 2);
    let math = &config.servers[0];
    assert_eq!(
        (math.id.as_str(), math.prefix.as_str(), math.enabled),
        ("math", "math", true)
    );
    assert_eq!(
        math.transport,
        TransportConfig::Stdio {
            command: "math-server".into(),
            args: vec!["--log-level".into(), "warn".into()],
            env: [("HOME_DIR".to_owned(), "/home/me".to_owned())].into(),
            cwd: None,
        }
    );
    assert_eq!(math.timeouts, Timeouts::default());
    let TransportConfig::Http { headers, .. } = &config.servers[1].transport else {
        panic!("not http")
    };
    assert_eq!(
        headers[&HeaderName::from_static("authorization")],
        "Bearer s3cret"
    );
    assert!(
        !format!("{headers:?}").contains("s3cret"),
        "secrets stay out of debug output"
    );
}

#[test]
fn our_keys_are_read() {
    let config = parse(
        r#"{"mcpServers": {"Fs_Server": {
            "command": "fs-server", "disabled": true, "prefix": "files", "timeout": 2.5, "maxTimeout": 10,
            "connectTimeout": 1, "pingInterval": 0.5, "pingTimeout": 0.25, "maxConcurrency": 1,
            "tools": {"allow": ["read_*"], "deny": ["read_media_*"]},
            "restart": {"maxRestarts": 3, "initialDelay": 0.1, "maxDelay": 1, "stableAfter": 5}
        }}}"#,
    )
    .unwrap();
    let fs = &config.servers[0];
    assert_eq!(
        (fs.prefix.as_str(), fs.enabled, fs.max_concurrency),
        ("files", false, 1)
    );
    assert_eq!(fs.timeouts.call, Duration::from_millis(2500));
    assert_eq!(fs.timeouts.ping_timeout, Duration::from_millis(250));
    assert_eq!(fs.restart.max_restarts, 3);
    assert!(fs.tools.check("read_file").is_none());
    assert!(fs.tools.check("read_media_file").is_some());
    assert!(fs.tools.check("write_file").is_some());
    assert!(
        !parse(r#"{"mcpServers": {"a": {"command": "x", "restart": false}}}"#)
            .unwrap()
            .servers[0]
            .restart
            .enabled
    );
}

#[test]
fn prefixes_are_derived_and_must_not_collide() {
    let config = parse(r#"{"mcpServers": {"My Server.v2": {"command": "x"}}}"#).unwrap();
    assert_eq!(config.servers[0].prefix, "my-server-v2");
    let message = error(r#"{"mcpServers": {"a_b": {"command": "x"}, "a-b": {"command": "y"}}}"#);
    assert!(
        message.contains("would both expose tools as `a-b__…`"),
        "{message}"
    );
    let message = error(r#"{"mcpServers": {"x": {"command": "x", "prefix": "Bad_Prefix"}}}"#);
    assert!(message.contains("mcpServers.x.prefix"), "{message}");
    assert!(error(r#"{"mcpServers": {"???": {"command": "x"}}}"#).contains("set \"prefix\""));
}

#[test]
fn bad_files_are_rejected_with_file_key_and_reason() {
    let cases = [
        (
            r#"{"mcpServers": {"a": {"command": "x",}}}"#,
            "test.json: not valid JSON",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "comand": "y"}}}"#,
            "test.json: mcpServers.a.comand: unknown field `comand`, expected one of `type`",
        ),
        (r#"{"servers": {}}"#, "unknown field `servers`"),
        (
            r#"{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}"#,
            "the server id `a` appears twice",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "timeout": -1}}}"#,
            "mcpServers.a.timeout: must be a positive number",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "timeout": "soon"}}}"#,
            "mcpServers.a.timeout: invalid type",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "timeout": 100000}}}"#,
            "at most 86400 seconds",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "timeout": 60, "maxTimeout": 5}}}"#,
            "mcpServers.a.maxTimeout",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "maxConcurrency": 0}}}"#,
            "mcpServers.a.maxConcurrency: must be at least 1",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "url": "http://h/mcp"}}}"#,
            "has both \"command\"",
        ),
        (r#"{"mcpServers": {"a": {}}}"#, "needs \"command\""),
        (
            r#"{"mcpServers": {"a": {"command": ""}}}"#,
            "mcpServers.a.command: is empty",
        ),
        (
            r#"{"mcpServers": {"a": {"url": "ftp://h"}}}"#,
            "mcpServers.a.url: `ftp://h` is not an http",
        ),
        (
            r#"{"mcpServers": {"a": {"url": "http://h/sse", "type": "sse"}}}"#,
            "legacy SSE",
        ),
        (
            r#"{"mcpServers": {"a": {"url": "http://h/mcp", "args": ["x"]}}}"#,
            "mcpServers.a.args: applies only to stdio",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "headers": {"A": "b"}}}}"#,
            "mcpServers.a.headers: applies only to HTTP",
        ),
        (
            r#"{"mcpServers": {"a": {"url": "http://h/mcp", "headers": {"Bad Name": "b"}}}}"#,
            "not a valid header name",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "${NOPE}"}}}"#,
            "mcpServers.a.command: the environment variable NOPE is not set",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "args": ["ok", "${NOPE}"]}}}"#,
            "mcpServers.a.args[1]",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "tools": {"allow": ["a[b"]}}}}"#,
            "mcpServers.a.tools.allow[0]: `a[b` is not a valid glob",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "restart": {"maxRestart": 1}}}}"#,
            "mcpServers.a.restart: must be true, false or an object",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "restart": {"initialDelay": 5, "maxDelay": 1}}}}"#,
            "mcpServers.a.restart.maxDelay",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "enabled": true, "disabled": true}}}"#,
            "contradicts",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "type": "http"}}}"#,
            "mcpServers.a.type",
        ),
    ];
    for (text, expected) in cases {
        let message = error(text);
        assert!(
            message.contains(expected),
            "{text}\n  gave: {message}\n  expected: {expected}"
        );
    }
}

#[test]
fn a_missing_file_is_named() {
    let message = Config::load(Path::new("/nonexistent/servers.json"))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("/nonexistent/servers.json: cannot read"),
        "{message}"
    );
}
