//! The official MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.16, on Node
//! 22, both installed by `scripts/install-peers.sh conformance`) against our fixture server
//! (`src/bin/conformance-fixture.rs`) over Streamable HTTP: every server scenario, pending
//! ones included, must pass, directly and through `orchestrator serve --pass-through` fronting
//! the fixture. The orchestrator, as a client, must pass the client scenarios it implements.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use tests::{Server, binary, conformance_suite};

/// How long the whole suite may take (it runs in seconds; one hung scenario waits 60 s).
const SUITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// The scenario lines of the suite's summary (`✓ name: 1 passed, 0 failed`) and its total.
fn summary(output: &str) -> (Vec<&str>, Option<&str>) {
    let scenarios = output
        .lines()
        .filter(|line| line.starts_with('✓') || line.starts_with('✗'))
        .collect();
    let total = output.lines().find(|line| line.starts_with("Total:"));
    (scenarios, total)
}

/// What one run of the server suite against `url` printed, and the scenarios that passed.
struct SuiteRun {
    output: String,
    passed: BTreeSet<String>,
    failed: Vec<String>,
    total: Option<String>,
}

/// Runs every server scenario, pending ones included, against the server at `url`.
async fn server_suite(url: &str) -> Result<SuiteRun> {
    let results = tempfile::tempdir()?;
    let mut suite = conformance_suite()?;
    suite
        .args(["server", "--url", url, "--suite", "all", "-o"])
        .arg(results.path());
    let output = tokio::time::timeout(SUITE_TIMEOUT, tokio::process::Command::from(suite).output())
        .await
        .context("the conformance suite did not finish in time")??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (scenarios, total) = summary(&stdout);
    let name = |line: &str| {
        line.trim_start_matches(['✓', '✗', ' '])
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let passed = scenarios
        .iter()
        .filter(|line| line.starts_with('✓'))
        .map(|line| name(line))
        .collect();
    let failed = scenarios
        .iter()
        .filter(|line| line.starts_with('✗'))
        .map(|line| (*line).to_owned())
        .collect();
    let total = total.map(str::to_owned);
    Ok(SuiteRun {
        output: format!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr)),
        passed,
        failed,
        total,
    })
}

#[tokio::test]
async fn the_fixture_passes_every_server_scenario_directly_and_through_the_gateway() -> Result<()> {
    let fixture = Server::http(&binary("conformance-fixture")?, &[]).await?;
    let url = fixture.url.clone().context("no URL")?;
    let direct = server_suite(&url).await?;
    assert!(
        direct.failed.is_empty(),
        "failed scenarios: {:#?}\n{}",
        direct.failed,
        direct.output
    );
    assert!(
        direct.passed.len() >= 32,
        "the suite ran only {} scenarios:\n{}",
        direct.passed.len(),
        direct.output
    );
    // Scenarios that pass only on a real fixture (an unknown-tool error satisfies some others).
    for name in [
        "server-initialize",
        "tools-call-with-progress",
        "tools-call-sampling",
        "tools-call-elicitation",
        "elicitation-sep1330-enums",
        "resources-templates-read",
        "resources-subscribe",
        "prompts-get-embedded-resource",
        "completion-complete",
        "json-schema-2020-12",
        "dns-rebinding-protection",
    ] {
        assert!(
            direct.passed.contains(name),
            "{name} did not pass:\n{}",
            direct.output
        );
    }
    assert!(
        direct
            .total
            .as_deref()
            .is_some_and(|total| total.ends_with(", 0 failed")),
        "{:?}",
        direct.total
    );

    // The same suite through the gateway fronting the fixture: nothing may be lost.
    let mut command = tokio::process::Command::new(binary("orchestrator")?);
    command
        .args([
            "--url",
            &url,
            "--log-level",
            "info",
            "serve",
            "--pass-through",
        ])
        .args(["--transport", "http", "--bind", "127.0.0.1:0"]);
    let gateway = Server::listening(command).await?;
    let through = server_suite(&gateway.url.clone().context("no URL")?).await?;
    let lost: Vec<_> = direct.passed.difference(&through.passed).collect();
    assert!(
        lost.is_empty(),
        "passed directly but not through the gateway: {lost:?}\n{}",
        through.output
    );
    assert!(through.failed.is_empty(), "{:#?}", through.failed);
    Ok(())
}

/// Runs one client scenario with `command` (the suite appends the URL of its own scenario
/// server), and returns the suite's output when it passed.
async fn client_scenario(scenario: &str, command: &str) -> Result<String> {
    let results = tempfile::tempdir()?;
    let mut suite = conformance_suite()?;
    suite
        .args(["client", "--command", command, "--scenario", scenario, "-o"])
        .arg(results.path());
    let output = tokio::time::timeout(SUITE_TIMEOUT, tokio::process::Command::from(suite).output())
        .await
        .context("the conformance suite did not finish in time")??;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    anyhow::ensure!(
        output.status.success(),
        "scenario {scenario} failed:\n{text}"
    );
    Ok(text)
}

#[tokio::test]
async fn the_orchestrator_passes_the_client_scenarios() -> Result<()> {
    let orchestrator = binary("orchestrator")?;
    let orchestrator = orchestrator.to_str().context("a path without spaces")?;
    anyhow::ensure!(
        !orchestrator.contains(' '),
        "the suite splits its command at spaces"
    );
    let initialize = client_scenario("initialize", &format!("{orchestrator} tools --url")).await?;
    assert!(!initialize.contains("FAILED"), "{initialize}");
    let call = client_scenario(
        "tools_call",
        &format!("{orchestrator} call server__add_numbers '{{\"a\":5,\"b\":3}}' --url"),
    )
    .await?;
    assert!(!call.contains("FAILED"), "{call}");
    Ok(())
}
