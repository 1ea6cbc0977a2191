//! A loopback SMTP server for the tests (shared by the server's unit tests
//! and its end-to-end tests): it speaks EHLO/HELO, MAIL, RCPT, DATA, RSET,
//! NOOP and QUIT without TLS or authentication, records every message it
//! accepts (envelope and raw data), and answers from a script: the next
//! replies to a command (`DATA` means the reply after the message's final
//! dot), or one reply to every such command. Everything else gets 250.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A message the server accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// Every `RCPT TO`.
    pub to: Vec<String>,
    /// The data, dot-unstuffed, CRLF line ends.
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Script {
    next: HashMap<String, VecDeque<(u16, String)>>,
    always: HashMap<String, (u16, String)>,
}

impl Script {
    fn reply(&mut self, verb: &str) -> Option<(u16, String)> {
        if let Some(reply) = self.next.get_mut(verb).and_then(VecDeque::pop_front) {
            return Some(reply);
        }
        self.always.get(verb).cloned()
    }
}

/// The running server.
#[derive(Clone)]
pub struct SmtpSink {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
    /// Counts commands answered with a refusal (4xx or 5xx), and messages.
    count: watch::Receiver<usize>,
    refused: Arc<Mutex<Vec<u16>>>,
}

impl SmtpSink {
    /// Listens on a free loopback port; runs until the runtime ends.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(Script::default()));
        let refused = Arc::new(Mutex::new(Vec::new()));
        let (count_tx, count) = watch::channel(0);
        let count_tx = Arc::new(count_tx);
        {
            let (received, script, refused) = (received.clone(), script.clone(), refused.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        return;
                    };
                    let (received, script, refused, count_tx) = (
                        received.clone(),
                        script.clone(),
                        refused.clone(),
                        count_tx.clone(),
                    );
                    tokio::spawn(async move {
                        let _ = session(socket, received, script, refused, count_tx).await;
                    });
                }
            });
        }
        Self {
            addr,
            received,
            script,
            count,
            refused,
        }
    }

    /// `host:port`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL berth sends through: plain, no credentials.
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    /// The next reply to `verb` (`MAIL`, `RCPT`, `DATA`…) is `code text`.
    pub fn then(&self, verb: &str, code: u16, text: &str) {
        let mut script = self.script.lock().unwrap();
        script
            .next
            .entry(verb.to_owned())
            .or_default()
            .push_back((code, text.to_owned()));
    }

    /// Every reply to `verb` is `code text` (after the scripted next ones).
    pub fn always(&self, verb: &str, code: u16, text: &str) {
        let mut script = self.script.lock().unwrap();
        script
            .always
            .insert(verb.to_owned(), (code, text.to_owned()));
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The refusal codes sent so far, in order.
    pub fn refusals(&self) -> Vec<u16> {
        self.refused.lock().unwrap().clone()
    }

    /// Waits (up to `secs` seconds) until `n` messages were accepted and
    /// refusals were sent in all; the messages.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let mut count = self.count.clone();
        let reached = tokio::time::timeout(
            std::time::Duration::from_secs(secs),
            count.wait_for(|_| self.received.lock().unwrap().len() >= n),
        )
        .await;
        let got = self.received();
        assert!(
            reached.is_ok(),
            "waited {secs} s for {n} messages, got {}",
            got.len()
        );
        got
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
    refused: Arc<Mutex<Vec<u16>>>,
    count: Arc<watch::Sender<usize>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let scripted = |verb: &str| script.lock().unwrap().reply(verb);
        let refusal = |code: u16| {
            if code >= 400 {
                refused.lock().unwrap().push(code);
                count.send_modify(|n| *n += 1);
            }
        };
        let (code, text) = match verb.as_str() {
            "EHLO" => {
                write
                    .write_all(b"250-sink.test greets you\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?;
                continue;
            }
            "HELO" | "NOOP" => (250, "OK".to_owned()),
            "RSET" => {
                from.clear();
                to.clear();
                (250, "OK".to_owned())
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            "MAIL" => match scripted("MAIL") {
                Some(reply) => reply,
                None => {
                    from = angle(&command);
                    (250, "OK".to_owned())
                }
            },
            "RCPT" => match scripted("RCPT") {
                Some(reply) => reply,
                None => {
                    to.push(angle(&command));
                    (250, "OK".to_owned())
                }
            },
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.extend_from_slice(unstuffed.as_bytes());
                }
                match scripted("DATA") {
                    Some(reply) => reply,
                    None => {
                        received.lock().unwrap().push(Received {
                            from: std::mem::take(&mut from),
                            to: std::mem::take(&mut to),
                            data,
                        });
                        count.send_modify(|n| *n += 1);
                        (250, "OK queued".to_owned())
                    }
                }
            }
            _ => (502, "command not implemented".to_owned()),
        };
        refusal(code);
        write
            .write_all(format!("{code} {text}\r\n").as_bytes())
            .await?;
        if code == 421 {
            // 421: the server closes the connection.
            return Ok(());
        }
    }
}

/// The address between angle brackets of `MAIL FROM:<a>` / `RCPT TO:<a>`.
fn angle(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}
