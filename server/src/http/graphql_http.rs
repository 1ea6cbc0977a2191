//! GraphQL over HTTP, as the GraphQL-over-HTTP specification has it (checked by
//! the `graphql-http` library's server audit in server/tests/e2e/graphql_http.rs):
//!
//! - **Requests.** `POST /graphql` with `Content-Type: application/json` (UTF-8;
//!   any other type or charset is 415) and a JSON object body: `query` (a
//!   string, required), `operationName` (string or null), `variables` and
//!   `extensions` (objects or null). `GET /graphql?query=…&operationName=…&
//!   variables=<JSON>&extensions=<JSON>` executes queries only: a mutation over
//!   GET is 405 with `Allow: POST` (a GET must be safe). Anything else malformed
//!   is 400. Batches (a JSON array) are not accepted.
//! - **Media types.** The answer is `application/graphql-response+json` when the
//!   `Accept` header asks for it at least as strongly as for `application/json`;
//!   `application/json` when it asks for that, for `*/*` or `application/*`, or
//!   sends no `Accept` at all; and 406 when it accepts neither.
//! - **Status codes.** `application/json`: 200 for every well-formed GraphQL
//!   request, errors or not. `application/graphql-response+json`: 400 for a
//!   request error (a document that does not parse or validate, variables that
//!   do not coerce, an unknown operation — errors raised before execution, which
//!   leave no `data` entry), 200 otherwise. A request error's answer has no
//!   `data` entry in either media type.
//!
//! Every refusal is GraphQL-shaped (`{"errors": [{"message", "extensions":
//! {"code"}}]}`), so clients read one format.

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_core::ErrorCode;
use serde_json::{Map, Value, json};

/// `application/graphql-response+json`, the specification's own media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The media type of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: status codes follow the outcome.
    GraphqlResponseJson,
    /// `application/json`: 200 for every well-formed request.
    Json,
}

impl MediaType {
    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// The media type to answer in, by the request's `Accept` headers; `None` when
/// they accept neither JSON type (406). A range's `q` of 0 refuses it;
/// `*/*` and `application/*` stand for `application/json` only (the
/// specification's default for clients that do not know the newer type).
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let ranges: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    if ranges.is_empty() {
        return Some(MediaType::Json);
    }
    // The weight of each type: its own range's q if listed, else (for
    // application/json) the best wildcard's.
    let (mut graphql, mut json, mut wildcard) = (None::<f32>, None::<f32>, None::<f32>);
    for range in ranges {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, v)| v.trim().parse::<f32>().unwrap_or(0.0));
        let slot = match essence.as_str() {
            GRAPHQL_RESPONSE_JSON => &mut graphql,
            "application/json" => &mut json,
            "*/*" | "application/*" => &mut wildcard,
            _ => continue,
        };
        *slot = Some(slot.map_or(q, |old| old.max(q)));
    }
    let graphql = graphql.unwrap_or(0.0);
    let json = json.or(wildcard).unwrap_or(0.0);
    if graphql <= 0.0 && json <= 0.0 {
        None
    } else if graphql >= json {
        Some(MediaType::GraphqlResponseJson)
    } else {
        Some(MediaType::Json)
    }
}

/// Whether a request asks for a web page rather than a GraphQL answer: it lists
/// `text/html` (a browser navigating to `/graphql`).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|r| {
            let mut parts = r.split(';');
            let html = parts
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/html"));
            let refused = parts.any(|p| {
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("q")
                        && v.trim().parse::<f32>().unwrap_or(0.0) <= 0.0
                })
            });
            html && !refused
        })
}

/// A request that is not a well-formed GraphQL request, as the answer it gets.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    message: String,
    allow: Option<&'static str>,
}

impl Refusal {
    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            allow: None,
        }
    }

    /// The answer, in `media` (`application/json` when none was acceptable).
    pub fn into_response(self, media: Option<MediaType>) -> Response {
        let mut response = error_response(
            self.status,
            media.unwrap_or(MediaType::Json),
            ErrorCode::InvalidInput,
            &self.message,
        );
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

/// A GraphQL-shaped error answer: `{"errors": [{message, extensions: {code}}]}`.
pub fn error_response(
    status: StatusCode,
    media: MediaType,
    code: ErrorCode,
    message: &str,
) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    response
}

/// 406: the `Accept` header names neither JSON type.
pub fn not_acceptable() -> Response {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        MediaType::Json,
        ErrorCode::InvalidInput,
        "GraphQL answers are application/graphql-response+json or application/json; \
         the Accept header allows neither",
    )
}

/// Checks a POST's `Content-Type`: `application/json`, with no charset or
/// UTF-8 (415 otherwise).
pub fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let unsupported = |what: &str| Refusal {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        message: format!(
            "{what}; a GraphQL request is POSTed as application/json (UTF-8), or sent as GET parameters"
        ),
        allow: None,
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(unsupported("the request has no Content-Type"));
    };
    let value = value
        .to_str()
        .map_err(|_| unsupported("the Content-Type is unreadable"))?;
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(unsupported(&format!(
            "Content-Type {essence} is not supported"
        )));
    }
    for param in parts {
        if let Some((key, charset)) = param.split_once('=')
            && key.trim().eq_ignore_ascii_case("charset")
        {
            let charset = charset.trim().trim_matches('"');
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
                return Err(unsupported(&format!("charset {charset} is not supported")));
            }
        }
    }
    Ok(())
}

/// The GraphQL request in a POST body (a JSON object).
pub fn request_from_body(body: &[u8]) -> Result<async_graphql::Request, Refusal> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::bad_request(format!("the body is not JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        let what = if value.is_array() {
            "a list (batched requests are not accepted)"
        } else {
            "not a JSON object"
        };
        return Err(Refusal::bad_request(format!(
            "the body is {what}; send {{\"query\": \"…\"}}"
        )));
    };
    let query = match fields.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) => {
            return Err(Refusal::bad_request("the request has no `query`"));
        }
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
    };
    let operation_name = match fields.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return Err(Refusal::bad_request(
                "`operationName` must be a string or null",
            ));
        }
    };
    let variables = object_or_null(fields.remove("variables"), "variables")?;
    let extensions = object_or_null(fields.remove("extensions"), "extensions")?;
    build(query, operation_name, variables, extensions)
}

/// The GraphQL request in a GET's query string; `Ok(None)` when it has no
/// `query` parameter at all.
pub fn request_from_query(raw: Option<&str>) -> Result<Option<async_graphql::Request>, Refusal> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|e| Refusal::bad_request(format!("the query string is malformed: {e}")))?;
    let one = |name: &str| -> Result<Option<String>, Refusal> {
        let mut found = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = found.next().cloned();
        if found.next().is_some() {
            return Err(Refusal::bad_request(format!(
                "the `{name}` parameter is given more than once"
            )));
        }
        Ok(first)
    };
    let Some(query) = one("query")? else {
        return Ok(None);
    };
    let operation_name = one("operationName")?.filter(|n| !n.is_empty());
    let json_parameter =
        |name: &str, text: Option<String>| -> Result<Option<Map<String, Value>>, Refusal> {
            let Some(text) = text.filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            let value: Value = serde_json::from_str(&text).map_err(|e| {
                Refusal::bad_request(format!("the `{name}` parameter is not JSON: {e}"))
            })?;
            object_or_null(Some(value), name)
        };
    let variables = json_parameter("variables", one("variables")?)?;
    let extensions = json_parameter("extensions", one("extensions")?)?;
    build(query, operation_name, variables, extensions).map(Some)
}

/// A JSON object, or nothing for null/absent; 400 naming `name` otherwise.
fn object_or_null(value: Option<Value>, name: &str) -> Result<Option<Map<String, Value>>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(Refusal::bad_request(format!(
            "`{name}` must be an object or null"
        ))),
    }
}

fn build(
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
    extensions: Option<Map<String, Value>>,
) -> Result<async_graphql::Request, Refusal> {
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = variables {
        request = request.variables(async_graphql::Variables::from_json(Value::Object(
            variables,
        )));
    }
    if let Some(extensions) = extensions {
        for (key, value) in extensions {
            let value = async_graphql::Value::from_json(value)
                .map_err(|e| Refusal::bad_request(format!("`extensions.{key}`: {e}")))?;
            request.extensions.0.insert(key, value);
        }
    }
    Ok(request)
}

/// Refuses a GET whose operation is a mutation (405, `Allow: POST`): a GET must
/// not change anything. A document that does not parse, or names no operation
/// it holds, passes: executing it reports the error.
pub fn refuse_mutation_over_get(request: &mut async_graphql::Request) -> Result<(), Refusal> {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return Ok(());
    };
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name.as_str()),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    };
    match operation.map(|op| op.node.ty) {
        Some(OperationType::Mutation) => Err(Refusal {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: "mutations are sent with POST, never GET".to_owned(),
            allow: Some("POST"),
        }),
        _ => Ok(()),
    }
}

/// Whether `response` reports a request error: errors raised before execution
/// (parsing, validation, variable coercion, an unknown operation), which carry
/// no path and leave no data. Field errors always carry their path.
pub fn is_request_error(response: &async_graphql::Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The HTTP answer to an executed request, in `media`.
pub fn graphql_response(response: async_graphql::Response, media: MediaType) -> Response {
    let request_error = is_request_error(&response);
    let status = match media {
        MediaType::GraphqlResponseJson if request_error => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let mut body = Map::new();
    if !request_error {
        body.insert(
            "data".to_owned(),
            serde_json::to_value(&response.data).unwrap_or(Value::Null),
        );
    }
    if !response.errors.is_empty() {
        body.insert(
            "errors".to_owned(),
            serde_json::to_value(&response.errors).unwrap_or(Value::Null),
        );
    }
    if !response.extensions.is_empty() {
        body.insert(
            "extensions".to_owned(),
            serde_json::to_value(&response.extensions).unwrap_or(Value::Null),
        );
    }
    let mut answer = Response::new(Body::from(Value::Object(body).to_string()));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    if response.is_ok()
        && let Some(value) = response.cache_control.value()
        && let Ok(value) = HeaderValue::from_str(&value)
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.extend(response.http_headers);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn the_media_type_follows_the_accept_header() {
        use MediaType::{GraphqlResponseJson as Gql, Json};
        let cases: [(&[&str], Option<MediaType>); 14] = [
            (&[], Some(Json)),
            (&["*/*"], Some(Json)),
            (&["application/*"], Some(Json)),
            (&["application/json"], Some(Json)),
            (&["application/graphql-response+json"], Some(Gql)),
            (
                &["application/graphql-response+json, application/json;q=0.9"],
                Some(Gql),
            ),
            (
                &["application/json, application/graphql-response+json;q=0.5"],
                Some(Json),
            ),
            (
                &["application/graphql-response+json;charset=utf-8"],
                Some(Gql),
            ),
            (&["text/html,application/xhtml+xml,*/*;q=0.8"], Some(Json)),
            (&["text/html"], None),
            (&["application/json;q=0"], None),
            (&["application/json;q=0, */*"], None),
            (
                &["text/plain", "application/graphql-response+json"],
                Some(Gql),
            ),
            (&["*/*;q=0.1, application/graphql-response+json"], Some(Gql)),
        ];
        for (values, expected) in cases {
            assert_eq!(negotiate(&accept(values)), expected, "{values:?}");
        }
    }

    #[test]
    fn a_browser_navigation_wants_html() {
        assert!(wants_html(&accept(&[
            "text/html,application/xhtml+xml,*/*;q=0.8"
        ])));
        assert!(!wants_html(&accept(&["*/*"])));
        assert!(!wants_html(&accept(&["application/json"])));
        assert!(!wants_html(&accept(&["text/html;q=0, */*"])));
        assert!(!wants_html(&accept(&[])));
    }

    #[test]
    fn post_bodies_are_checked_field_by_field() {
        let ok = request_from_body(
            br#"{"query":"{ a }","operationName":null,"variables":{"x":1},"extensions":{"e":true}}"#,
        );
        let ok = ok.unwrap();
        assert_eq!(ok.query, "{ a }");
        assert_eq!(ok.extensions.0.len(), 1);
        for bad in [
            "{ not json",
            "[]",
            "0",
            r#"{"qeury":"{ a }"}"#,
            r#"{"query":0}"#,
            r#"{"query":"{ a }","operationName":false}"#,
            r#"{"query":"{ a }","variables":"x"}"#,
            r#"{"query":"{ a }","variables":["x"]}"#,
            r#"{"query":"{ a }","extensions":0}"#,
        ] {
            let refused = request_from_body(bad.as_bytes());
            assert!(
                matches!(&refused, Err(r) if r.status == StatusCode::BAD_REQUEST),
                "{bad}: {refused:?}"
            );
        }
    }

    #[test]
    fn get_parameters_carry_the_request() {
        let request = request_from_query(Some(
            "query=query%20Q%28%24n%3AString%21%29%7B__type%28name%3A%24n%29%7Bname%7D%7D&variables=%7B%22n%22%3A%22x%22%7D&operationName=Q",
        ));
        let request = request.unwrap().unwrap();
        assert_eq!(request.operation_name.as_deref(), Some("Q"));
        assert!(matches!(request_from_query(None), Ok(None)));
        assert!(matches!(
            request_from_query(Some("variables=%7B%7D")),
            Ok(None)
        ));
        for bad in [
            "query=a&query=b",
            "query=a&variables=nope",
            "query=a&variables=%5B%5D",
        ] {
            assert!(request_from_query(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_mutations_are_refused_over_get() {
        let verdict = |query: &str, name: Option<&str>| {
            let mut request = async_graphql::Request::new(query);
            if let Some(name) = name {
                request = request.operation_name(name);
            }
            refuse_mutation_over_get(&mut request).map_err(|r| (r.status, r.allow))
        };
        let refused = Err((StatusCode::METHOD_NOT_ALLOWED, Some("POST")));
        assert_eq!(verdict("mutation { a }", None), refused);
        assert_eq!(
            verdict("query A { a } mutation B { b }", Some("B")),
            refused
        );
        assert_eq!(verdict("query A { a } mutation B { b }", Some("A")), Ok(()));
        assert_eq!(verdict("{ a }", None), Ok(()));
        assert_eq!(verdict("{", None), Ok(()), "execution reports it");
        assert_eq!(verdict("query A { a } mutation B { b }", None), Ok(()));
    }

    #[test]
    fn content_types_other_than_json_are_unsupported() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            check_content_type(&h).is_ok()
        };
        assert!(with("application/json"));
        assert!(with("application/json; charset=utf-8"));
        assert!(with("Application/JSON;charset=\"UTF-8\""));
        assert!(!with("application/json; charset=latin1"));
        assert!(!with("text/plain;charset=UTF-8"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!with("multipart/form-data; boundary=x"));
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }
}
