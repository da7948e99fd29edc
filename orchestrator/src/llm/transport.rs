//! HTTP for the LLM providers: one POST with retries, the mapping of statuses to
//! [`ModelError`]s, and server-sent events read with an idle timeout.

use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use futures::StreamExt;
use futures::stream::BoxStream;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sse_stream::{Sse, SseStream};

use super::{ModelError, Reply, Request, StreamSink};

/// The most of an error body we read to find its message.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How failed requests are retried: only transient failures (429, 5xx, timeouts, refused
/// connections, cut streams), with jittered exponential backoff, or after the wait the
/// provider asks for in `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// The first backoff delay.
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` we sleep for; a longer one ends the retries with
    /// [`ModelError::RateLimited`], saying how long.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// One provider endpoint: where to POST, with which headers, and how patiently.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub client: reqwest::Client,
    pub url: String,
    pub headers: HeaderMap,
    /// The longest silence allowed: for the response headers, and between pieces of the body.
    pub idle_timeout: Duration,
    pub retry: RetryPolicy,
    /// The model asked for (named in 404 errors).
    pub model: String,
    /// Where the key comes from (named in 401 errors).
    pub key_variable: String,
    /// The API's name (named in errors about malformed answers).
    pub api: &'static str,
}

impl Endpoint {
    /// POSTs `body` and hands the response to `read`, retrying the whole exchange (reading
    /// included, so a cut stream is retried too) while the failure is transient.
    pub(crate) async fn exchange<T, F, Fut>(
        &self,
        body: &Value,
        sink: &dyn StreamSink,
        read: F,
    ) -> Result<T, ModelError>
    where
        F: Fn(Response) -> Fut,
        Fut: Future<Output = Result<T, ModelError>>,
    {
        let body = serde_json::to_vec(body)
            .map_err(|error| ModelError::Settings(format!("cannot encode the request: {error}")))?;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(self.retry.max_delay)
            .with_max_times(self.retry.max_retries)
            .with_jitter();
        let max_retry_after = self.retry.max_retry_after;
        (|| async { read(self.post(&body).await?).await })
            .retry(backoff)
            .when(ModelError::is_transient)
            .adjust(move |error, delay| match error.retry_after() {
                Some(asked) if asked > max_retry_after => None,
                Some(asked) => delay.map(|_| asked),
                None => delay,
            })
            .notify(|error, wait| {
                tracing::warn!(%error, wait_ms = wait.as_millis() as u64, "retrying the model request");
                sink.retrying(&error.to_string(), wait);
            })
            .await
    }

    /// One POST; any status but 2xx becomes an error.
    async fn post(&self, body: &[u8]) -> Result<Response, ModelError> {
        let request = self
            .client
            .post(&self.url)
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send();
        let response = match tokio::time::timeout(self.idle_timeout, request).await {
            Err(_) => return Err(self.timeout()),
            Ok(Err(error)) => return Err(self.request_error(&error)),
            Ok(Ok(response)) => response,
        };
        if response.status().is_success() {
            return Ok(response);
        }
        Err(self.status_error(response).await)
    }

    /// Reads a whole JSON body.
    pub(crate) async fn json(&self, response: Response) -> Result<Value, ModelError> {
        let bytes = match tokio::time::timeout(self.idle_timeout, response.bytes()).await {
            Err(_) => return Err(self.timeout()),
            Ok(Err(error)) => return Err(self.truncated(format!("the body broke off: {error}"))),
            Ok(Ok(bytes)) => bytes,
        };
        serde_json::from_slice(&bytes)
            .map_err(|error| self.malformed(format!("the body is not JSON ({error})")))
    }

    /// The body as server-sent events.
    pub(crate) fn events(&self, response: Response) -> Events<'_> {
        Events {
            endpoint: self,
            stream: SseStream::from_bytes_stream(response.bytes_stream()).boxed(),
        }
    }

    pub(crate) fn malformed(&self, detail: impl Into<String>) -> ModelError {
        ModelError::Malformed {
            endpoint: self.url.clone(),
            api: self.api,
            detail: detail.into(),
        }
    }

    pub(crate) fn truncated(&self, detail: impl Into<String>) -> ModelError {
        ModelError::Truncated {
            endpoint: self.url.clone(),
            detail: detail.into(),
        }
    }

    pub(crate) fn empty(&self, field: &'static str) -> ModelError {
        ModelError::Empty {
            endpoint: self.url.clone(),
            field,
        }
    }

    fn timeout(&self) -> ModelError {
        ModelError::Timeout {
            endpoint: self.url.clone(),
            after: self.idle_timeout,
        }
    }

    fn request_error(&self, error: &reqwest::Error) -> ModelError {
        if error.is_timeout() {
            return self.timeout();
        }
        ModelError::Unreachable {
            endpoint: self.url.clone(),
            detail: error_chain(error),
        }
    }

    async fn status_error(&self, response: Response) -> ModelError {
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let message = error_message(response, self.idle_timeout).await;
        let endpoint = self.url.clone();
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ModelError::Unauthorized {
                endpoint,
                status: status.as_u16(),
                message,
                key_variable: self.key_variable.clone(),
            },
            StatusCode::NOT_FOUND => ModelError::NotFound {
                endpoint,
                model: self.model.clone(),
                message,
            },
            StatusCode::TOO_MANY_REQUESTS => ModelError::RateLimited {
                endpoint,
                retry_after,
                message,
            },
            status if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT => {
                ModelError::Server {
                    endpoint,
                    status: status.as_u16(),
                    message,
                    retry_after,
                }
            }
            status => ModelError::Rejected {
                endpoint,
                status: status.as_u16(),
                message,
            },
        }
    }
}

/// What differs between the HTTP APIs: the request's body and the reading of an answer.
/// [`complete`] does the rest, the same for all.
pub(crate) trait Wire: Sync {
    /// Where and how to send.
    fn endpoint(&self) -> &Endpoint;
    /// Whether answers are streamed.
    fn streams(&self) -> bool;
    /// The request body for this API.
    fn body(&self, request: &Request<'_>) -> Value;
    /// A whole (not streamed) answer.
    fn parse(&self, body: &Value) -> Result<Reply, ModelError>;
    /// A streamed answer, its text passed to `sink` as it arrives.
    fn read_stream(
        &self,
        response: Response,
        sink: &dyn StreamSink,
    ) -> impl Future<Output = Result<Reply, ModelError>> + Send;
}

/// One model request over `wire`: sent, retried while the failure is transient, and read
/// whole or streamed.
pub(crate) async fn complete<W: Wire>(wire: &W, request: Request<'_>) -> Result<Reply, ModelError> {
    let body = wire.body(&request);
    let endpoint = wire.endpoint();
    endpoint
        .exchange(&body, request.sink, |response| async move {
            if wire.streams() {
                return wire.read_stream(response, request.sink).await;
            }
            let body = endpoint.json(response).await?;
            let reply = wire.parse(&body)?;
            request.sink.text(&reply.text);
            Ok(reply)
        })
        .await
}

/// Server-sent events, each awaited for at most the endpoint's idle timeout.
pub(crate) struct Events<'a> {
    endpoint: &'a Endpoint,
    stream: BoxStream<'static, Result<Sse, sse_stream::Error>>,
}

impl Events<'_> {
    /// The next event with data, or `None` at the end of the body.
    pub(crate) async fn next(&mut self) -> Result<Option<Sse>, ModelError> {
        loop {
            let event = tokio::time::timeout(self.endpoint.idle_timeout, self.stream.next())
                .await
                .map_err(|_| self.endpoint.timeout())?;
            match event {
                None => return Ok(None),
                Some(Err(error)) => {
                    return Err(self
                        .endpoint
                        .truncated(format!("the event stream broke off: {error}")));
                }
                Some(Ok(event)) if event.data.is_some() => return Ok(Some(event)),
                Some(Ok(_)) => {}
            }
        }
    }
}

/// A non-empty string field of a JSON answer.
pub(crate) fn string(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// `Retry-After` in seconds or as an HTTP date, or OpenAI's `retry-after-ms`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(millis) = header("retry-after-ms").and_then(|text| text.trim().parse::<f64>().ok())
        && millis.is_finite()
        && millis >= 0.0
    {
        return Some(Duration::from_secs_f64(millis / 1e3));
    }
    let text = header(RETRY_AFTER.as_str())?.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The message of an error body: `error.message` (OpenAI, Anthropic), `error` as a string
/// (Ollama), `message`, or the start of the body.
async fn error_message(response: Response, limit: Duration) -> String {
    let status = response.status();
    let body = tokio::time::timeout(limit, async {
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(Ok(chunk)) = stream.next().await {
            body.extend_from_slice(&chunk);
            if body.len() >= ERROR_BODY_LIMIT {
                break;
            }
        }
        body
    })
    .await
    .unwrap_or_default();
    let from_json = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| {
            let text = |value: &Value| value.as_str().map(str::to_owned);
            value
                .pointer("/error/message")
                .and_then(text)
                .or_else(|| value.get("error").and_then(text))
                .or_else(|| value.get("message").and_then(text))
                .or_else(|| value.get("detail").and_then(text))
        });
    let message = from_json.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&body);
        text.trim().chars().take(300).collect()
    });
    if message.is_empty() {
        status.canonical_reason().unwrap_or("no message").to_owned()
    } else {
        message
    }
}

/// An error and its sources on one line ("error sending request: connection refused").
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1.5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(1500)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(250)));
    }
}
