//! Operations over one graphql-transport-ws connection: the connection is its
//! own lock session (`ws:<uuid>`, decisions 0050 and 0135), so a lock taken by
//! a mutation sent over it is released when it closes — or, when the process
//! holding it is killed, ends with its lease. Answers are sorted as over HTTP
//! ([`classify`]); a broken connection is a loss.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::client::{Answer, Loss, classify};

/// One operation's time limit, as over HTTP.
const TIMEOUT: Duration = Duration::from_secs(15);

/// A signed-in graphql-transport-ws connection.
pub(crate) struct Socket {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The id of the last operation sent.
    sent: u64,
}

fn broken(step: &str, e: impl std::fmt::Display) -> Loss {
    Loss::Broken(format!("ws {step}: {e}"))
}

impl Socket {
    /// Connects to `addr` and signs in with `token` (`connection_init`, waiting
    /// for `connection_ack`).
    pub(crate) async fn open(addr: &str, token: &str) -> Result<Socket, Loss> {
        let opened = async {
            let mut request = format!("ws://{addr}/graphql/ws")
                .into_client_request()
                .map_err(|e| broken("request", e))?;
            request.headers_mut().insert(
                "sec-websocket-protocol",
                "graphql-transport-ws".parse().unwrap(),
            );
            let (socket, _) =
                tokio_tungstenite::connect_async(request)
                    .await
                    .map_err(|e| match e {
                        tokio_tungstenite::tungstenite::Error::Io(e) => {
                            Loss::Connect(format!("{:?}", e.kind()))
                        }
                        other => broken("connect", other),
                    })?;
            let mut socket = Socket { socket, sent: 0 };
            socket
                .send(json!({ "type": "connection_init",
                    "payload": { "authorization": format!("Bearer {token}") } }))
                .await?;
            loop {
                let message = socket.next_message().await?;
                match message["type"].as_str() {
                    Some("connection_ack") => return Ok(socket),
                    Some("ping") => socket.send(json!({ "type": "pong" })).await?,
                    _ => return Err(broken("init", message)),
                }
            }
        };
        tokio::time::timeout(TIMEOUT, opened)
            .await
            .unwrap_or(Err(Loss::TimedOut))
    }

    async fn send(&mut self, message: Value) -> Result<(), Loss> {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .map_err(|e| broken("send", e))
    }

    /// The next protocol message (WebSocket pings are answered by the library).
    async fn next_message(&mut self) -> Result<Value, Loss> {
        loop {
            let frame = self
                .socket
                .next()
                .await
                .ok_or_else(|| broken("read", "closed"))?
                .map_err(|e| broken("read", e))?;
            match frame {
                Message::Text(body) => {
                    return serde_json::from_str(body.as_str()).map_err(|e| broken("JSON", e));
                }
                Message::Close(frame) => return Err(broken("read", format!("closed {frame:?}"))),
                _ => {}
            }
        }
    }

    /// Runs `query` (a mutation) over the connection.
    pub(crate) async fn call(&mut self, query: &str, variables: Value) -> Answer {
        self.sent += 1;
        let id = self.sent.to_string();
        let run = async {
            self.send(json!({ "id": id, "type": "subscribe",
                "payload": { "query": query, "variables": variables } }))
                .await?;
            loop {
                let message = self.next_message().await?;
                match message["type"].as_str() {
                    Some("next") if message["id"] == id.as_str() => {
                        return Ok(classify(message["payload"].clone()));
                    }
                    Some("error") if message["id"] == id.as_str() => {
                        return Ok(classify(json!({ "errors": message["payload"] })));
                    }
                    Some("ping") => self.send(json!({ "type": "pong" })).await?,
                    _ => {}
                }
            }
        };
        match tokio::time::timeout(TIMEOUT, run).await {
            Err(_) => Answer::Lost(Loss::TimedOut),
            Ok(Err(loss)) => Answer::Lost(loss),
            Ok(Ok(answer)) => answer,
        }
    }

    /// Closes the connection normally (a close frame, then the server's).
    pub(crate) async fn close(mut self) {
        let _ = tokio::time::timeout(TIMEOUT, async {
            let _ = self.socket.close(None).await;
            while let Some(Ok(_)) = self.socket.next().await {}
        })
        .await;
    }
}
