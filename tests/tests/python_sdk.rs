//! The official Python SDK (PyPI `mcp`) drives math-server over stdio: interoperability with
//! the reference client, on both the `initialize` and the `server/discover` protocol paths.

use anyhow::{Context, Result, bail};
use tests::{binary, python_with_mcp_sdk, workspace_root};

#[tokio::test]
async fn python_sdk_lists_and_calls_tools() -> Result<()> {
    let python = python_with_mcp_sdk()?;
    let script = workspace_root().join("tests/peers/python_sdk_client.py");
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        tokio::process::Command::new(python)
            .arg(script)
            .arg(binary("math-server")?)
            .args(["--log-level", "warn"])
            .stdin(std::process::Stdio::null())
            .output(),
    )
    .await
    .context("the Python client did not finish in 120 s")??;
    if !output.status.success() {
        bail!(
            "the Python client failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("not JSON: {}", String::from_utf8_lossy(&output.stdout)))?;
    let session = &report["low_level"];
    assert_eq!(session["server"], "math-server");
    assert_eq!(
        session["tools"].as_array().map(Vec::len),
        Some(6),
        "{session}"
    );
    // 10**30 + 1, exactly.
    assert_eq!(
        session["add"]["structured"]["result"],
        "1000000000000000000000000000001"
    );
    // A 31-digit JSON integer keeps every digit.
    assert_eq!(
        session["add_huge"]["structured"]["result"],
        "1000000000000000000000000000008"
    );
    assert_eq!(
        session["evaluate"]["structured"]["value"],
        "18446744073709551615"
    );
    assert_eq!(session["failing"]["isError"], true);
    assert_eq!(
        session["failing"]["structured"]["error"]["code"],
        "division_by_zero"
    );
    assert!(report.get("high_level_error").is_none(), "{report}");
    assert_eq!(
        report["high_level"]["evaluate"]["structured"]["value"],
        "0.3"
    );
    Ok(())
}
