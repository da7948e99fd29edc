//! The agent loop against a scripted Anthropic Messages endpoint on loopback (real HTTP),
//! over real tool servers.

mod support;

use anyhow::Result;
use orchestrator::agent::Outcome;
use serde_json::{Value, json};
use support::{agent_run, anthropic_model, fleet, model_error};
use tests::fake_llm::{FakeLlm, Scripted, anthropic};

#[tokio::test]
async fn parallel_tool_uses_and_errors_go_back_as_one_user_turn() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::json(anthropic::calls(&[
            ("t1", "math__add", json!({"a": 2, "b": 3})),
            ("t2", "math__evaluate", json!({"expression": "1/0"})),
            ("t3", "search__nothing", json!({})),
        ])),
        Scripted::json(anthropic::text("5; 1/0 is undefined; no such tool.")),
    ])
    .await?;
    let model = anthropic_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "three things", 10).await;
    assert_eq!(run.outcome, Outcome::Answered, "{}", run.to_text());
    let calls = &run.steps[0].calls;
    assert_eq!(
        calls.iter().map(|call| call.is_error).collect::<Vec<_>>(),
        [false, true, true]
    );

    let requests = fake.requests();
    let first = &requests[0];
    assert!(
        first["max_tokens"].as_u64().is_some(),
        "Anthropic requires max_tokens"
    );
    assert!(
        first["system"]
            .as_str()
            .is_some_and(|system| !system.is_empty())
    );
    let tools = first["tools"].as_array().cloned().unwrap_or_default();
    assert!(
        tools
            .iter()
            .any(|tool| tool["name"] == "math__add" && tool["input_schema"]["type"] == "object")
    );

    let messages = requests[1]["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let roles: Vec<&str> = messages.iter().filter_map(|m| m["role"].as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(messages[1]["content"][0]["input"], json!({"a": 2, "b": 3}));
    let results: Vec<&Value> = messages[2]["content"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(results.len(), 3, "every result in one user turn");
    assert_eq!(results[0]["type"], "tool_result");
    assert_eq!(results[0]["tool_use_id"], "t1");
    assert_eq!(results[0]["is_error"], false);
    assert_eq!(results[1]["is_error"], true);
    assert!(
        results[2]["content"]
            .as_str()
            .is_some_and(|text| text.contains("no tool named")),
        "{}",
        results[2]
    );
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_streamed_answer_with_tool_use_is_assembled() -> Result<()> {
    let toolbox = fleet().await?;
    let fake = FakeLlm::start(vec![
        Scripted::events(anthropic::events(
            &["Let me ", "multiply."],
            &[("t1", "math__multiply", r#"{"a": 6, "b": 7}"#)],
            true,
        )),
        Scripted::events(anthropic::events(&["It is ", "42."], &[], true)),
    ])
    .await?;
    let model = anthropic_model(&fake, true, 0)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "6 times 7", 10).await;
    assert_eq!(run.outcome, Outcome::Answered, "{}", run.to_text());
    assert_eq!(run.answer, "It is 42.");
    assert_eq!(run.steps[0].text, "Let me multiply.");
    assert_eq!(run.steps[0].calls[0].arguments, json!({"a": 6, "b": 7}));
    assert!(run.steps[0].calls[0].output.contains("\"42\""));
    assert_eq!(recorder.texts(), ["Let me ", "multiply.", "It is ", "42."]);
    assert_eq!(run.steps[1].usage.map(|usage| usage.output_tokens), Some(7));
    toolbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn truncated_streams_overload_and_bad_keys() -> Result<()> {
    let toolbox = fleet().await?;
    let cut = || Scripted::events(anthropic::events(&["half"], &[], false));
    let fake = FakeLlm::start(vec![cut(), cut()]).await?;
    let model = anthropic_model(&fake, true, 1)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(error.contains("before message_stop"), "{error}");
    assert_eq!(recorder.retries().len(), 1);

    let overloaded = format!(
        "event: error\ndata: {}\n\n",
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    let fake = FakeLlm::start(vec![
        Scripted::error(529, "Overloaded"),
        Scripted::events(overloaded),
        Scripted::events(anthropic::events(&["fine now"], &[], true)),
    ])
    .await?;
    let model = anthropic_model(&fake, true, 2)?;
    let (run, recorder) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    assert_eq!(run.outcome, Outcome::Answered);
    assert_eq!(run.answer, "fine now");
    assert_eq!(recorder.retries().len(), 2);
    assert!(recorder.retries()[1].contains("overloaded_error"));

    let fake = FakeLlm::start(vec![Scripted::error(401, "invalid x-api-key")]).await?;
    let model = anthropic_model(&fake, false, 2)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(
        error.contains("invalid x-api-key") && error.contains("FAKE_LLM_KEY"),
        "{error}"
    );
    let fake = FakeLlm::start(vec![Scripted::json(
        json!({"type": "message", "content": []}),
    )])
    .await?;
    let model = anthropic_model(&fake, false, 0)?;
    let (run, _) = agent_run(&toolbox, model.as_ref(), "hi", 10).await;
    let error = model_error(&run);
    assert!(error.contains("empty `content`"), "{error}");
    toolbox.shutdown().await;
    Ok(())
}
