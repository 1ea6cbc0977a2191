//! The harness's GraphQL client: one request over HTTP/1.1 on loopback that never
//! panics, its answer sorted into what the history needs — acknowledged (data), refused
//! (a definite error code: nothing was written) or lost (the connection broke, timed
//! out, or the server answered INTERNAL: the write may or may not have committed).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a request got.
#[derive(Clone, Debug)]
pub(crate) enum Answer {
    /// The `data` of a successful answer.
    Ok(Value),
    /// A definite refusal: its `extensions.code`.
    Refused(String),
    /// No definite answer: why (shown when a check's read fails).
    Lost(#[allow(dead_code)] String),
}

/// The error codes that mean the request was refused before anything was written.
const REFUSALS: [&str; 6] = [
    "UNAVAILABLE",
    "CONFLICT",
    "LOCKED",
    "VALIDATION",
    "INVALID_INPUT",
    "NOT_FOUND",
];

/// One request's time limit: well beyond any answer of a healthy server.
const TIMEOUT: Duration = Duration::from_secs(15);

/// POSTs `query` with `variables` to `addr` as `token`.
pub(crate) async fn call(addr: &str, token: &str, query: &str, variables: Value) -> Answer {
    match tokio::time::timeout(TIMEOUT, post(addr, token, query, variables)).await {
        Err(_) => Answer::Lost("timed out".into()),
        Ok(Err(e)) => Answer::Lost(e),
        Ok(Ok(document)) => classify(document),
    }
}

/// Sorts a GraphQL response document.
fn classify(document: Value) -> Answer {
    let Some(error) = document["errors"].get(0) else {
        return Answer::Ok(document["data"].clone());
    };
    let code = error["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    if REFUSALS.contains(&code.as_str()) {
        Answer::Refused(code)
    } else {
        Answer::Lost(format!("{code}: {}", error["message"]))
    }
}

async fn post(addr: &str, token: &str, query: &str, variables: Value) -> Result<Value, String> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| format!("read: {e}"))?;
    let response = String::from_utf8_lossy(&raw);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no complete answer ({} bytes)", raw.len()))?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(head.lines().next().unwrap_or_default().to_owned());
    }
    // Chunked or not, the JSON document is the body's outermost braces.
    let (Some(open), Some(close)) = (body.find('{'), body.rfind('}')) else {
        return Err("no JSON in the answer".into());
    };
    serde_json::from_str(&body[open..=close]).map_err(|e| format!("JSON: {e}"))
}

/// A query that must succeed (the checks' reads): its data, or the reason.
pub(crate) async fn read(addr: &str, token: &str, query: &str, variables: Value) -> Value {
    match call(addr, token, query, variables).await {
        Answer::Ok(data) => data,
        other => panic!("{query}: {other:?}"),
    }
}

/// Like [`read`], retried while the server is not answering (just restarted, or its
/// database coming back), for up to `patience`.
pub(crate) async fn read_patiently(
    addr: &str,
    token: &str,
    query: &str,
    variables: Value,
    patience: Duration,
) -> Value {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match call(addr, token, query, variables.clone()).await {
            Answer::Ok(data) => return data,
            other if tokio::time::Instant::now() > deadline => {
                panic!("{query}: {other:?} for {patience:?}")
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
