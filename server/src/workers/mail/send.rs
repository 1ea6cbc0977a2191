//! Sending one message over SMTP (lettre, async on tokio, TLS by rustls): the
//! MIME message — `From: "<tenant>" <default sender>`, `Reply-To` the
//! tenant's own address, `To`, a `Message-ID` made of the message's id (the
//! same on every attempt, so a receiving server or client can recognise a
//! repeat), `Date` the attempt's time, a plain and an HTML part and, for the
//! kinds that carry the stay, `stay.ics` — and what the server answered, as a
//! [`MailResult`]: accepted (2xx), refused for now (4xx, no answer, a
//! timeout, a TLS or authentication problem — retried) or refused for good
//! (5xx — the message fails).

use std::time::Duration;

use berth_core::ids::MailId;
use berth_core::mail::{EmailAddress, MailResult};
use chrono::{DateTime, Utc};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::settings::{Security, SmtpConfig};

/// A message ready to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Its id (its `Message-ID`).
    pub id: MailId,
    /// The tenant's name, shown as the sender's.
    pub from_name: String,
    /// Where replies go: the tenant's own address.
    pub reply_to: Option<EmailAddress>,
    /// The recipient.
    pub to: EmailAddress,
    /// The recipient's name.
    pub to_name: Option<String>,
    /// The attempt's time.
    pub date: DateTime<Utc>,
    /// The subject.
    pub subject: String,
    /// The plain part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The stay as iCalendar, when the kind carries it.
    pub ics: Option<String>,
}

/// Why a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// An address lettre does not accept.
    #[error("the address …@{domain} cannot be written in a message: {reason}")]
    Address {
        /// The address's domain (addresses are personal data).
        domain: String,
        /// lettre's reason.
        reason: String,
    },
    /// The message itself.
    #[error("the message cannot be built: {0}")]
    Message(String),
}

/// The `Auto-Submitted: auto-generated` header (RFC 3834): auto-responders
/// leave berth's messages unanswered.
#[derive(Clone, Debug)]
struct AutoSubmitted;

impl header::Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

fn address(a: &EmailAddress) -> Result<lettre::Address, BuildError> {
    a.as_str()
        .parse()
        .map_err(|e: lettre::address::AddressError| BuildError::Address {
            domain: a.domain().to_owned(),
            reason: e.to_string(),
        })
}

/// The MIME message of `mail`, sent from `from`.
pub fn build(mail: &Outgoing, from: &EmailAddress) -> Result<Message, BuildError> {
    let mut builder = Message::builder()
        .message_id(Some(format!("<{}@{}>", mail.id, from.domain())))
        .date(std::time::SystemTime::from(mail.date))
        .from(Mailbox::new(Some(mail.from_name.clone()), address(from)?))
        .to(Mailbox::new(mail.to_name.clone(), address(&mail.to)?))
        .subject(mail.subject.clone())
        .header(AutoSubmitted);
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(Mailbox::new(
            Some(mail.from_name.clone()),
            address(reply_to)?,
        ));
    }
    let parts = MultiPart::alternative()
        .singlepart(SinglePart::plain(mail.text.clone()))
        .singlepart(SinglePart::html(mail.html.clone()));
    let body = match &mail.ics {
        None => parts,
        Some(ics) => {
            let content_type = ContentType::parse(super::ics::CONTENT_TYPE)
                .map_err(|e| BuildError::Message(e.to_string()))?;
            MultiPart::mixed().multipart(parts).singlepart(
                Attachment::new(super::ics::FILE_NAME.to_owned()).body(ics.clone(), content_type),
            )
        }
    };
    builder
        .multipart(body)
        .map_err(|e| BuildError::Message(e.to_string()))
}

/// Sends messages through the configured server.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: EmailAddress,
    timeout: Duration,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why the sender cannot be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up TLS for {host}: {reason}")]
pub struct SetupError {
    host: String,
    reason: String,
}

impl SmtpSender {
    /// A sender through `config`'s server.
    pub fn new(config: &SmtpConfig) -> Result<Self, SetupError> {
        let server = &config.server;
        let tls_parameters = || {
            TlsParameters::new(server.host.clone()).map_err(|e| SetupError {
                host: server.host.clone(),
                reason: e.to_string(),
            })
        };
        let tls = match server.security {
            Security::ImplicitTls => Tls::Wrapper(tls_parameters()?),
            Security::StartTlsRequired => Tls::Required(tls_parameters()?),
            Security::StartTlsOpportunistic => Tls::Opportunistic(tls_parameters()?),
            Security::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host)
            .port(server.port)
            .tls(tls)
            .hello_name(ClientId::Domain(config.hello_name()))
            .timeout(Some(config.timeout));
        if let Some((user, password)) = &server.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.reveal().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from: config.from.clone(),
            timeout: config.timeout,
        })
    }

    /// The default sender.
    pub fn from(&self) -> &EmailAddress {
        &self.from
    }

    /// Sends `mail`: what the server answered, within the attempt's time.
    pub async fn send(&self, mail: &Outgoing) -> MailResult {
        let message = match build(mail, &self.from) {
            Ok(message) => message,
            Err(e) => {
                return MailResult::Permanent {
                    code: None,
                    error: e.to_string(),
                };
            }
        };
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Err(_) => MailResult::Temporary {
                code: None,
                error: format!(
                    "the SMTP server did not finish within {} s",
                    self.timeout.as_secs()
                ),
            },
            Ok(Ok(response)) => MailResult::Sent(u16::from(response.code())),
            Ok(Err(e)) => classify(&e),
        }
    }
}

/// What an SMTP error means for the message. A permanent refusal (5xx) fails
/// it — except the refusals of berth's own credentials or of TLS (530, 534,
/// 535, 538), which are the deployment's to fix and so are retried; every
/// other failure (4xx, the connection, TLS, a timeout) is retried.
pub fn classify(e: &lettre::transport::smtp::Error) -> MailResult {
    let code = e.status().map(u16::from);
    let error = describe(e);
    match code {
        Some(530 | 534 | 535 | 538) => MailResult::Temporary {
            code,
            error: format!(
                "{error} (the server refused berth's credentials or TLS: check --smtp-url)"
            ),
        },
        Some(_) if e.is_permanent() => MailResult::Permanent { code, error },
        _ => MailResult::Temporary { code, error },
    }
}

/// The error and its causes, in one line.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace(['\r', '\n'], " ")
}
