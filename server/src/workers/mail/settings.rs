//! The deployment's SMTP settings: `--smtp-url` (`BERTH_SMTP_URL`), the default
//! sender `--smtp-from` (`BERTH_SMTP_FROM`) and `--smtp-timeout`
//! (`BERTH_SMTP_TIMEOUT`). Without a URL nothing is sent (docs/decisions/0122).
//!
//! The URL names the server, how the connection is secured, and the
//! credentials:
//! - `smtps://user:pass@host[:465]` — implicit TLS (RFC 8314);
//! - `smtp://user:pass@host[:587]` — STARTTLS, required: a server that does not
//!   offer it gets nothing (not even the credentials);
//! - `smtp://host[:587]?tls=opportunistic` — STARTTLS when offered, else plain;
//! - `smtp://host[:25]?tls=none` — plain (a relay on the same host, a test sink).
//!
//! Credentials are sent over TLS only: a URL with a user and `tls=none` or
//! `tls=opportunistic` is refused at start. User and password are
//! percent-decoded; the password never reaches a log (`Debug` and `Display`
//! show `***`).

use std::fmt;
use std::time::Duration;

use berth_core::mail::EmailAddress;

/// SMTP settings of `berth serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct MailArgs {
    /// The SMTP server transactional e-mail is sent through:
    /// `smtps://USER:PASS@HOST[:465]` (implicit TLS),
    /// `smtp://USER:PASS@HOST[:587]` (STARTTLS required),
    /// `smtp://HOST[:587]?tls=opportunistic` (STARTTLS when offered) or
    /// `smtp://HOST[:25]?tls=none` (plain; no credentials). Unset or empty:
    /// no e-mail is sent.
    #[arg(
        long,
        value_name = "URL",
        env = "BERTH_SMTP_URL",
        value_parser = SmtpUrl::parse
    )]
    pub smtp_url: Option<SmtpUrl>,
    /// The address every message is sent from (`bookings@berth.example`),
    /// under each tenant's name, with the tenant's own e-mail as Reply-To.
    /// Required with --smtp-url.
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "BERTH_SMTP_FROM",
        value_parser = parse_from
    )]
    pub smtp_from: Option<FromAddress>,
    /// Seconds one attempt (connect, TLS, authentication, the message) may
    /// take before it counts as a temporary failure and is retried.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "BERTH_SMTP_TIMEOUT",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub smtp_timeout: u64,
}

/// `--smtp-from`: an address, or nothing (an empty value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromAddress(Option<EmailAddress>);

fn parse_from(value: &str) -> Result<FromAddress, String> {
    if value.trim().is_empty() {
        return Ok(FromAddress(None));
    }
    EmailAddress::parse(value)
        .map(|a| FromAddress(Some(a)))
        .map_err(|e| e.to_string())
}

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`).
    ImplicitTls,
    /// STARTTLS, refused when the server does not offer it (`smtp://`).
    StartTlsRequired,
    /// STARTTLS when the server offers it (`?tls=opportunistic`).
    StartTlsOpportunistic,
    /// No TLS (`?tls=none`).
    Plain,
}

impl Security {
    fn name(self) -> &'static str {
        match self {
            Self::ImplicitTls => "implicit TLS",
            Self::StartTlsRequired => "STARTTLS required",
            Self::StartTlsOpportunistic => "STARTTLS when offered",
            Self::Plain => "plain",
        }
    }
}

/// A password, never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The password itself, for the SMTP client only.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `--smtp-url`: a server, or nothing (an empty value, as a compose file's
/// `BERTH_SMTP_URL=` gives).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmtpUrl {
    /// No e-mail.
    Off,
    /// This server.
    Server(SmtpServer),
}

/// An SMTP server and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpServer {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS.
    pub security: Security,
    /// User and password, when the server wants authentication.
    pub credentials: Option<(String, Password)>,
    /// The name berth gives in EHLO (the URL's path), when set; else the
    /// sender's domain.
    pub hello_name: Option<String>,
}

impl fmt::Display for SmtpServer {
    /// `smtp://user:***@host:587 (STARTTLS required)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.security {
            Security::ImplicitTls => "smtps",
            _ => "smtp",
        };
        let user = match &self.credentials {
            Some((user, _)) => format!("{user}:***@"),
            None => String::new(),
        };
        write!(
            f,
            "{scheme}://{user}{}:{} ({})",
            self.host,
            self.port,
            self.security.name()
        )
    }
}

impl SmtpUrl {
    /// Parses `--smtp-url` (see the module's documentation).
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(Self::Off);
        }
        // The URL itself is never repeated in an error: it may hold a password.
        let url = url::Url::parse(value).map_err(|e| {
            format!("the SMTP URL does not parse ({e}); expected smtp://HOST or smtps://HOST")
        })?;
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        if let Some((k, _)) = url.query_pairs().find(|(k, _)| k != "tls") {
            return Err(format!(
                "the SMTP URL has an unknown parameter `{k}` (only `tls`)"
            ));
        }
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => Security::ImplicitTls,
            ("smtp", None | Some("required")) => Security::StartTlsRequired,
            ("smtp", Some("opportunistic")) => Security::StartTlsOpportunistic,
            ("smtp", Some("none")) => Security::Plain,
            ("smtps", Some(_)) => {
                return Err("`smtps://` is always TLS; `tls=` belongs to `smtp://` URLs".into());
            }
            ("smtp", Some(other)) => {
                return Err(format!(
                    "the SMTP URL's `tls={other}` is not one of required, opportunistic, none"
                ));
            }
            (scheme, _) => {
                return Err(format!(
                    "the SMTP URL's scheme `{scheme}` is not smtp or smtps"
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the SMTP URL names no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port().unwrap_or(match security {
            Security::ImplicitTls => 465,
            Security::Plain => 25,
            Security::StartTlsRequired | Security::StartTlsOpportunistic => 587,
        });
        let decode =
            |s: &str| percent_decode(s).ok_or("the SMTP URL's user or password is not valid UTF-8");
        let credentials = if url.username().is_empty() {
            None
        } else {
            let user = decode(url.username())?;
            let password = decode(url.password().unwrap_or(""))?;
            Some((user, Password(password)))
        };
        if credentials.is_some()
            && matches!(security, Security::Plain | Security::StartTlsOpportunistic)
        {
            return Err(
                "the SMTP URL has credentials but allows a plain connection (tls=none or \
                 tls=opportunistic), which could send them in clear; use smtps:// or smtp:// \
                 (STARTTLS required)"
                    .into(),
            );
        }
        let path = url.path().trim_matches('/');
        let hello_name = (!path.is_empty()).then(|| path.to_owned());
        Ok(Self::Server(SmtpServer {
            host,
            port,
            security,
            credentials,
            hello_name,
        }))
    }
}

/// `%41` → `A`; `None` when the bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A URL without a sender.
    #[error(
        "--smtp-url (BERTH_SMTP_URL) is set but --smtp-from (BERTH_SMTP_FROM) is not: \
         give the address messages are sent from, e.g. bookings@example.org"
    )]
    NoSender,
}

/// The settings of a deployment that sends e-mail.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// The server.
    pub server: SmtpServer,
    /// The default sender.
    pub from: EmailAddress,
    /// One attempt's limit.
    pub timeout: Duration,
}

impl SmtpConfig {
    /// The settings of `args`: `None` when no URL is set (no e-mail).
    pub fn from_args(args: &MailArgs) -> Result<Option<Self>, SettingsError> {
        let server = match &args.smtp_url {
            None | Some(SmtpUrl::Off) => return Ok(None),
            Some(SmtpUrl::Server(server)) => server.clone(),
        };
        let from = match &args.smtp_from {
            Some(FromAddress(Some(from))) => from.clone(),
            _ => return Err(SettingsError::NoSender),
        };
        Ok(Some(Self {
            server,
            from,
            timeout: Duration::from_secs(args.smtp_timeout),
        }))
    }

    /// The name berth gives in EHLO: the URL's path, else the sender's domain.
    pub fn hello_name(&self) -> String {
        self.server
            .hello_name
            .clone()
            .unwrap_or_else(|| self.from.domain().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn server(url: &str) -> SmtpServer {
        match SmtpUrl::parse(url) {
            Ok(SmtpUrl::Server(s)) => s,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn urls_name_the_server_its_tls_and_credentials() {
        let s = server("smtps://ann%40mail:p%40ss%3Aword@mail.example.org");
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("mail.example.org", 465, Security::ImplicitTls)
        );
        let (user, password) = s.credentials.clone().unwrap();
        assert_eq!(
            (user.as_str(), password.reveal()),
            ("ann@mail", "p@ss:word")
        );
        let s = server("smtp://u:p@mail.example.org");
        assert_eq!((s.port, s.security), (587, Security::StartTlsRequired));
        let s = server("smtp://mail.example.org:2525?tls=required");
        assert_eq!((s.port, s.security), (2525, Security::StartTlsRequired));
        let s = server("smtp://relay.internal?tls=opportunistic");
        assert_eq!((s.port, s.security), (587, Security::StartTlsOpportunistic));
        let s = server("smtp://127.0.0.1:2525/berth.test?tls=none");
        assert_eq!((s.port, s.security), (2525, Security::Plain));
        assert_eq!(s.hello_name.as_deref(), Some("berth.test"));
        let s = server("smtp://[::1]:25?tls=none");
        assert_eq!(s.host, "::1");
        assert_eq!(SmtpUrl::parse(" "), Ok(SmtpUrl::Off));
    }

    #[test]
    fn bad_urls_are_refused_without_repeating_the_password() {
        for bad in [
            "http://u:secret@mail.example.org",
            "smtp://u:secret@mail.example.org?tls=none",
            "smtp://u:secret@mail.example.org?tls=opportunistic",
            "smtp://u:secret@mail.example.org?tls=maybe",
            "smtps://u:secret@mail.example.org?tls=none",
            "smtp://u:secret@mail.example.org?pool=1",
            "smtp://",
            "mail.example.org",
        ] {
            let e = SmtpUrl::parse(bad).expect_err(bad);
            assert!(!e.contains("secret"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_password_never_shows() {
        let s = server("smtps://ann:hunter2@mail.example.org");
        assert!(!format!("{s:?}").contains("hunter2"), "{s:?}");
        assert_eq!(
            s.to_string(),
            "smtps://ann:***@mail.example.org:465 (implicit TLS)"
        );
    }

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        mail: MailArgs,
    }

    #[test]
    fn a_url_needs_a_sender_and_no_url_sends_nothing() {
        let args = |argv: &[&str]| {
            let mut all = vec!["berth"];
            all.extend_from_slice(argv);
            Cli::try_parse_from(all).map(|c| c.mail).unwrap()
        };
        let none = args(&[]);
        assert!(matches!(SmtpConfig::from_args(&none), Ok(None)));
        let no_from = args(&["--smtp-url", "smtp://127.0.0.1:25?tls=none"]);
        assert!(matches!(
            SmtpConfig::from_args(&no_from),
            Err(SettingsError::NoSender)
        ));
        let ok = args(&[
            "--smtp-url",
            "smtp://127.0.0.1:2525?tls=none",
            "--smtp-from",
            "bookings@berth.test",
            "--smtp-timeout",
            "5",
        ]);
        let config = SmtpConfig::from_args(&ok).unwrap().unwrap();
        assert_eq!(config.from.as_str(), "bookings@berth.test");
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.hello_name(), "berth.test");
        assert!(Cli::try_parse_from(["berth", "--smtp-from", "not an address"]).is_err());
    }
}
