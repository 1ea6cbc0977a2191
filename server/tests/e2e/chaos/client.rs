//! The harness's GraphQL client: one request over HTTP/1.1 on loopback that never
//! panics, its answer sorted into what the history needs — acknowledged (data), refused
//! (a definite error code: nothing was written) or lost (the connection broke, timed
//! out, or the server answered INTERNAL: the write may or may not have committed),
//! with why it was lost ([`Loss`]), which the runs count and a failed check shows.

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
    /// No definite answer, and why.
    Lost(Loss),
}

impl Answer {
    /// Why it was lost; `None` for a definite answer.
    pub(crate) fn loss(&self) -> Option<Loss> {
        match self {
            Answer::Lost(loss) => Some(loss.clone()),
            _ => None,
        }
    }
}

/// Why a request got no definite answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Loss {
    /// Nothing came back within [`TIMEOUT`].
    TimedOut,
    /// No connection (the process is down: refused).
    Connect(String),
    /// The connection broke while the request was sent or its answer read
    /// (reset, closed before a whole answer).
    Broken(String),
    /// An HTTP status other than 200 (its status line).
    Status(String),
    /// INTERNAL with `extensions.retryable` (decision 0173): "the service is
    /// temporarily unavailable, try again" — the database failed, or no
    /// connection of the pool came within 5 s. Nothing may be assumed about a
    /// write (the connection may have died with its COMMIT), but the server
    /// answered, at once and clearly.
    Retryable(String),
    /// Any other error: INTERNAL "internal error", an unexpected code.
    Error(String),
}

impl Loss {
    /// A short label to count losses by: the kind, without details that
    /// differ between requests.
    pub(crate) fn kind(&self) -> String {
        match self {
            Loss::TimedOut => "timed out".into(),
            Loss::Connect(e) => format!("connect: {e}"),
            Loss::Broken(e) => e.clone(),
            Loss::Status(line) => line.clone(),
            Loss::Retryable(_) => "INTERNAL retryable (temporarily unavailable)".into(),
            Loss::Error(e) => e.clone(),
        }
    }
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loss::Retryable(message) => write!(f, "INTERNAL retryable: {message}"),
            other => f.write_str(&other.kind()),
        }
    }
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
        Err(_) => Answer::Lost(Loss::TimedOut),
        Ok(Err(loss)) => Answer::Lost(loss),
        Ok(Ok(document)) => classify(document),
    }
}

/// Sorts a GraphQL response document (over HTTP, or a WebSocket's `next` payload).
pub(crate) fn classify(document: Value) -> Answer {
    let Some(error) = document["errors"].get(0) else {
        return Answer::Ok(document["data"].clone());
    };
    let code = error["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    if REFUSALS.contains(&code.as_str()) {
        Answer::Refused(code)
    } else if code == "INTERNAL" && error["extensions"]["retryable"] == true {
        Answer::Lost(Loss::Retryable(
            error["message"].as_str().unwrap_or_default().to_owned(),
        ))
    } else {
        Answer::Lost(Loss::Error(format!("{code}: {}", error["message"])))
    }
}

/// An I/O error as a short label: its kind (`ConnectionRefused`,
/// `ConnectionReset`), not its wording.
fn io(step: &str, e: &std::io::Error) -> String {
    format!("{step}: {:?}", e.kind())
}

async fn post(addr: &str, token: &str, query: &str, variables: Value) -> Result<Value, Loss> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| Loss::Connect(format!("{:?}", e.kind())))?;
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| Loss::Broken(io("send", &e)))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| Loss::Broken(io("read", &e)))?;
    let response = String::from_utf8_lossy(&raw);
    let (head, body) = response.split_once("\r\n\r\n").ok_or_else(|| {
        Loss::Broken(if raw.is_empty() {
            "closed before any answer".into()
        } else {
            "closed in the answer's head".into()
        })
    })?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(Loss::Status(
            head.lines().next().unwrap_or_default().to_owned(),
        ));
    }
    // Chunked or not, the JSON document is the body's outermost braces.
    let (Some(open), Some(close)) = (body.find('{'), body.rfind('}')) else {
        return Err(Loss::Broken("closed in the answer's body".into()));
    };
    serde_json::from_str(&body[open..=close])
        .map_err(|_| Loss::Broken("closed in the answer's body (JSON cut)".into()))
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
