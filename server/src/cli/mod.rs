//! Command-line arguments. Every option also reads an environment variable
//! (`BERTH_DATABASE_URL`, `BERTH_LISTEN`, `BERTH_TENANTS_DIR`, `BERTH_CORS_ORIGINS`,
//! `BERTH_PUBLIC_RATE_LIMIT`, `BERTH_SITE_HOSTS`, `BERTH_SMTP_URL`, ...), so containers can be configured without flags.

pub mod healthcheck;
pub mod plan;
pub mod policy;
pub mod versions;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use berth_core::accounts::{Accounts, Caller};
use clap::{Args, Parser, Subcommand};

/// The default database: a SQLite file under ./data, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/berth.db";

/// berth: a multi-tenant reservation platform.
#[derive(Debug, Parser)]
#[command(name = "berth", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database first).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Ask a running berth for /healthz (or --path /readyz); exit 0 on 200.
    Healthcheck(crate::cli::healthcheck::HealthcheckArgs),
    /// Check tenant policy files, or run their test cases.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print a generated contract.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Manage tenant directories.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user to a tenant (password from BERTH_PASSWORD, or the first line of stdin).
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// Sign-in e-mail.
        #[arg(long)]
        email: String,
        /// Role.
        #[arg(long, value_parser = ["owner", "admin", "staff", "viewer"])]
        role: String,
    },
    /// List a tenant's users: e-mail, role, active or disabled, created.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
    /// Set a user's password (from BERTH_PASSWORD, or the first line of stdin);
    /// their sessions end. For a user who is locked out.
    Password {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        user: UserRef,
    },
    /// Disable a user: no sign-in, sessions refused (a tenant keeps an active owner).
    Disable {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        user: UserRef,
    },
    /// Enable a disabled user again.
    Enable {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        user: UserRef,
    },
}

/// Which user a command is about.
#[derive(Debug, Args)]
pub struct UserRef {
    /// The tenant's slug.
    #[arg(long)]
    pub tenant: String,
    /// The user's sign-in e-mail.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate tenant directories; errors print as file:line:col; exit 1 on any.
    Check(PolicyDirs),
    /// Run tenant test cases; prints "N passed, N failed"; exit 1 on failures.
    Test(PolicyTestArgs),
    /// What a candidate tenant directory would change over the tenant's real
    /// data (checked and tested first); exit 0 when the plan ran.
    Plan(crate::cli::plan::PlanArgs),
    /// Store a tenant directory as its next version (checked and tested
    /// first, as a reload is; exit 1 when refused); every instance follows.
    Publish {
        /// The tenant directory (its name is the tenant's slug).
        dir: PathBuf,
        /// Publish even though the new rules would refuse existing
        /// reservations (a tenant with `protect_reservations` refuses
        /// otherwise); see `berth policy plan`.
        #[arg(long)]
        accept_refusals: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List a tenant's published versions, newest first (`*` is live).
    History {
        /// The tenant.
        slug: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Publish an older version's files again, as a new version.
    Rollback {
        /// The tenant.
        slug: String,
        /// The version whose files go live again.
        #[arg(long)]
        to: u64,
        /// Roll back even though the rules would refuse existing reservations.
        #[arg(long)]
        accept_refusals: bool,
        /// Directory holding one sub-directory per tenant (the pictures a
        /// profile names are read there).
        #[arg(long, env = "BERTH_TENANTS_DIR", default_value = "tenants")]
        tenants: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    #[command(flatten)]
    pub dirs: PolicyDirs,
    /// After a deliberate change: rewrite the expected figures (total, price
    /// lines) of the failing cases in place and print each one changed; cases
    /// failing for another reason stay failing. Exit 1 if any case still fails.
    #[arg(long)]
    pub accept: bool,
}

#[derive(Debug, Args)]
pub struct PolicyDirs {
    /// Tenant directories (default: every tenant under --tenants).
    pub dirs: Vec<PathBuf>,
    /// Directory holding one sub-directory per tenant.
    #[arg(long, env = "BERTH_TENANTS_DIR", default_value = "tenants")]
    pub tenants: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// The GraphQL SDL.
    Graphql,
    /// The JSON Schema of tenant files.
    Policy {
        /// Which file's schema.
        #[arg(long, value_enum, default_value = "tenant")]
        file: crate::cli::policy::SchemaFile,
    },
    /// The HTTP route table as JSON: each path, its methods, whether it is
    /// public (and why) or needs a session, and its kind of answer.
    Routes,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Scaffold a valid, commented tenant directory.
    Init {
        /// The new tenant's slug.
        slug: String,
        /// Its booking model.
        #[arg(long, value_parser = ["nightly", "timeslot", "interval"])]
        model: String,
        /// Directory holding one sub-directory per tenant.
        #[arg(long, env = "BERTH_TENANTS_DIR", default_value = "tenants")]
        tenants: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite:PATH` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "BERTH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "BERTH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory holding one sub-directory per tenant.
    #[arg(long, env = "BERTH_TENANTS_DIR", default_value = "tenants")]
    pub tenants: PathBuf,
    /// Load every example tenant under the tenants directory, with its seed data,
    /// and print one admin login per newly seeded tenant. A tenant is seeded
    /// while it lacks its demo admin (admin@<slug>.example.org, created last),
    /// so a seed cut short is completed on the next start.
    #[arg(long)]
    pub demo: bool,
    /// File holding the token-signing secret (created on first start when absent,
    /// unless BERTH_JWT_SECRET gives the secret itself).
    #[arg(long, env = "BERTH_SECRET_FILE", default_value = "data/jwt-secret")]
    pub secret_file: PathBuf,
    /// File holding the key that seals webhook signing secrets in the database
    /// (created on first start when absent, unless BERTH_SECRETS_KEY gives the
    /// key itself: base64 of 32 bytes). Every instance must share it.
    #[arg(
        long,
        env = "BERTH_SECRETS_KEY_FILE",
        default_value = "data/secrets-key"
    )]
    pub secrets_key_file: PathBuf,
    /// Let web pages served from ORIGIN (`https://app.example`, scheme and host
    /// with an optional port) call the API from the browser (CORS). Repeat the
    /// flag for more origins, or separate them with commas in BERTH_CORS_ORIGINS;
    /// `*` allows any origin. Without it, no CORS headers are sent, so only pages
    /// of the server's own origin may call it.
    #[arg(
        long = "cors-origin",
        value_name = "ORIGIN",
        env = "BERTH_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = parse_cors_origin
    )]
    pub cors_origins: Vec<String>,
    /// Believe `X-Forwarded-Proto` and `X-Forwarded-Host` from this proxy
    /// (an address, or a network such as 172.16.0.0/12), which terminates TLS in
    /// front of berth: requests it marks `https` get `Secure` session cookies and
    /// are checked against the `https://` origin. Repeat the flag, or separate
    /// them with commas in BERTH_TRUSTED_PROXIES. Without it the headers are
    /// ignored and requests count as plain HTTP.
    #[arg(
        long = "trusted-proxy",
        value_name = "ADDRESS[/PREFIX]",
        env = "BERTH_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = parse_trusted_proxy
    )]
    pub trusted_proxies: Vec<String>,
    /// Directory of the web build (`npm run build --prefix web` writes
    /// web/dist): served at /admin/ (the admin app) and as GraphiQL at
    /// GET /graphql. Without a build the API is served and those pages say how
    /// to build it.
    #[arg(long, env = "BERTH_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,
    /// Public requests (to /graphql and /graphql/ws without a valid bearer
    /// token, and the public sites' pages) allowed per minute from one client
    /// address (IPv6: one /64), in bursts of up to N/6 (ten seconds' worth, at
    /// least 10); more get 429.
    /// Signed-in requests are not counted. 0 turns the limit off.
    #[arg(
        long,
        value_name = "N",
        env = "BERTH_PUBLIC_RATE_LIMIT",
        default_value_t = 600
    )]
    pub public_rate_limit: u32,
    /// Seconds a WebSocket client has to send `connection_init` after the
    /// upgrade; a socket that stays silent longer is closed with 4408.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "BERTH_WS_INIT_TIMEOUT",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub ws_init_timeout: u64,
    /// Seconds between the WebSocket Ping frames sent to every client (0: none).
    /// They keep proxies from closing quiet subscriptions, and a client that
    /// answers nothing (no Pong, no message) for a whole interval is
    /// disconnected, which ends its subscriptions and releases its locks.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "BERTH_WS_KEEPALIVE",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(0..=3600)
    )]
    pub ws_keepalive: u64,
    /// Days events (the outbox behind subscriptions, `events`, webhooks and
    /// push) are kept; older ones that every webhook and the push queue have
    /// passed are deleted hourly, and a client resuming from before them is
    /// refused. 0 keeps them forever. The audit log is never pruned.
    #[arg(
        long,
        value_name = "DAYS",
        env = "BERTH_EVENT_RETENTION_DAYS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=36_500)
    )]
    pub event_retention_days: u32,
    /// Days a client's personal data is kept after their last activity (a
    /// change to them, or the end of their last stay); then it is erased
    /// hourly, as `eraseClient` does, by the system. A client with an active
    /// reservation is kept. 0 keeps clients forever.
    #[arg(
        long,
        value_name = "DAYS",
        env = "BERTH_CLIENT_RETENTION_DAYS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=36_500)
    )]
    pub client_retention_days: u32,
    /// Serve a tenant's public site at the root of its own domain:
    /// `HOST=TENANT` (`alpine.example=alpine-cabins`), so that
    /// `https://alpine.example/` is its home page and `/units` its catalog;
    /// its canonical URLs then point there. Repeat the flag, or separate
    /// entries with commas in BERTH_SITE_HOSTS. The admin app and the API
    /// keep their paths on every host.
    #[arg(
        long = "site-host",
        value_name = "HOST=TENANT",
        env = "BERTH_SITE_HOSTS",
        value_delimiter = ',',
        value_parser = parse_site_host
    )]
    pub site_hosts: Vec<String>,
    /// Booking requests from the public site allowed per hour from one
    /// client address (IPv6: one /64), all at once after a quiet hour; more
    /// get a 429 page. 0 turns the limit off.
    #[arg(
        long,
        value_name = "N",
        env = "BERTH_SITE_REQUEST_LIMIT",
        default_value_t = 10
    )]
    pub site_request_limit: u32,
    #[command(flatten)]
    pub webhooks: crate::workers::webhooks::WebhookArgs,
    #[command(flatten)]
    pub push: crate::workers::push::PushArgs,
    #[command(flatten)]
    pub calendar_sync: crate::workers::calendar_sync::CalendarSyncArgs,
    #[command(flatten)]
    pub mail: crate::workers::mail::MailArgs,
}

/// Checks one `--cors-origin`: `*`, or `scheme://host[:port]` exactly as a browser
/// sends it in the `Origin` header (no path, no trailing slash), lower-cased. An
/// empty value (`BERTH_CORS_ORIGINS=`, a trailing comma) stays empty and is
/// ignored, so an unset variable in a compose file means "no CORS".
fn parse_cors_origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value == "*" {
        return Ok(value.to_owned());
    }
    let Some((scheme, authority)) = value.split_once("://") else {
        return Err(format!(
            "`{value}` is not an origin; expected scheme://host[:port], e.g. https://app.example"
        ));
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority_ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '?' | '#' | '@' | ','));
    if !scheme_ok || !authority_ok {
        return Err(format!(
            "`{value}` is not an origin; expected scheme://host[:port] with no path or trailing slash"
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// Checks one `--trusted-proxy` (an IP address or `ADDRESS/PREFIX`). An empty
/// value (`BERTH_TRUSTED_PROXIES=`, a trailing comma) stays empty and is
/// ignored, so an unset variable in a compose file means "no proxy".
fn parse_trusted_proxy(value: &str) -> Result<String, String> {
    let value = value.trim();
    if !value.is_empty() {
        value.parse::<crate::http::browser::Cidr>()?;
    }
    Ok(value.to_owned())
}

/// Checks one `--site-host` (`HOST=TENANT`); an empty value is ignored.
fn parse_site_host(value: &str) -> Result<String, String> {
    crate::http::site::hosts::parse_entry(value)?;
    Ok(value.trim().to_owned())
}

impl ServeArgs {
    /// The trusted proxies' networks (empty values left out).
    pub fn trusted_proxy_networks(&self) -> Vec<crate::http::browser::Cidr> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect()
    }
}

/// `berth migrate`: applies the migrations of the database the URL names.
pub async fn migrate(args: DatabaseArgs) -> anyhow::Result<()> {
    berth_core::store::open_and_migrate(&args.database_url)
        .await
        .with_context(|| format!("migrating {}", redact(&args.database_url)))?;
    tracing::info!(database = %redact(&args.database_url), "migrations applied");
    println!("migrations applied to {}", redact(&args.database_url));
    Ok(())
}

/// A new password: BERTH_PASSWORD, or the first line of stdin; checked.
fn read_password() -> anyhow::Result<String> {
    let password = match std::env::var("BERTH_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from stdin")?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    berth_core::accounts::password::check_password(&password).map_err(anyhow::Error::msg)?;
    Ok(password)
}

/// The store at `database` and its tenant `tenant`.
async fn open_tenant(
    database: &DatabaseArgs,
    tenant: &str,
) -> anyhow::Result<(
    std::sync::Arc<dyn berth_core::store::Store>,
    berth_core::tenant::Tenant,
)> {
    let store = berth_core::store::open_and_migrate(&database.database_url).await?;
    let slug = tenant
        .parse()
        .with_context(|| format!("`{tenant}` is not a tenant slug"))?;
    let tenant = store
        .tenant_by_slug(&slug)
        .await?
        .with_context(|| format!("no tenant `{slug}` in {}", redact(&database.database_url)))?;
    Ok((store, tenant))
}

/// The accounts service over `store`, on the system clock: every user write
/// of the CLI goes through it, by the operator (the system actor, who may
/// grant every role).
fn accounts(store: std::sync::Arc<dyn berth_core::store::Store>) -> Accounts {
    Accounts::new(store, std::sync::Arc::new(berth_core::clock::SystemClock))
}

/// `berth user add`.
pub async fn add_user(
    database: DatabaseArgs,
    tenant: &str,
    email: &str,
    role: &str,
) -> anyhow::Result<()> {
    let password = read_password()?;
    let (store, tenant) = open_tenant(&database, tenant).await?;
    let email: berth_core::user::Email = email.parse()?;
    let role = role.parse()?;
    let user = accounts(store)
        .create_user(
            tenant.id,
            &Caller::operator(),
            email.as_str(),
            password,
            role,
        )
        .await?;
    println!(
        "user {} added to {} as {}",
        user.email.as_str(),
        tenant.slug,
        user.role
    );
    Ok(())
}

/// `berth user list`: one line per user.
pub async fn list_users(database: DatabaseArgs, tenant: &str) -> anyhow::Result<()> {
    let (store, tenant) = open_tenant(&database, tenant).await?;
    for user in store.users(tenant.id).await? {
        let state = match user.disabled_at {
            Some(at) => format!("disabled since {}", at.to_rfc3339()),
            None => "active".to_owned(),
        };
        println!(
            "{}\t{}\t{state}\tcreated {}",
            user.email.as_str(),
            user.role,
            user.created_at.to_rfc3339()
        );
    }
    Ok(())
}

/// What `berth user password|disable|enable` changes.
#[derive(Clone, Copy, Debug)]
pub enum UserChange {
    /// A new password (read like `user add`'s).
    Password,
    /// Disable.
    Disable,
    /// Enable.
    Enable,
}

/// `berth user password|disable|enable`: the change, by the system actor, in
/// one audited transaction.
pub async fn change_user(
    database: DatabaseArgs,
    user: UserRef,
    change: UserChange,
) -> anyhow::Result<()> {
    let password = match change {
        UserChange::Password => Some(read_password()?),
        UserChange::Disable | UserChange::Enable => None,
    };
    let (store, tenant) = open_tenant(&database, &user.tenant).await?;
    let email: berth_core::user::Email = user.email.parse()?;
    let (found, _) = store
        .user_credentials(tenant.id, &email)
        .await?
        .with_context(|| format!("no user {} in tenant {}", email.as_str(), tenant.slug))?;
    let wanted = berth_core::accounts::UserChange {
        disabled: match change {
            UserChange::Disable => Some(true),
            UserChange::Enable => Some(false),
            UserChange::Password => None,
        },
        password,
        ..berth_core::accounts::UserChange::default()
    };
    let changed = accounts(store)
        .update_user(&Caller::operator(), &found, wanted)
        .await?;
    let what = match change {
        UserChange::Password => "has a new password; their sessions have ended",
        UserChange::Disable => "is disabled; their sessions have ended",
        UserChange::Enable => "is enabled",
    };
    println!("user {} of {} {what}", changed.email.as_str(), tenant.slug);
    Ok(())
}

/// The URL with any password replaced, for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origins_are_checked_and_normalised() {
        assert_eq!(
            parse_cors_origin(" https://App.Example:8443 "),
            Ok("https://app.example:8443".to_owned())
        );
        assert_eq!(parse_cors_origin("*"), Ok("*".to_owned()));
        assert_eq!(parse_cors_origin(" "), Ok(String::new()));
        for bad in [
            "app.example",
            "https://app.example/",
            "https://",
            "https://app.example/path",
            "://app.example",
        ] {
            assert!(parse_cors_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cors_origins_and_the_rate_limit_come_from_flags_or_the_environment() {
        let cli = Cli::try_parse_from([
            "berth",
            "serve",
            "--cors-origin",
            "http://a.example",
            "--cors-origin",
            "http://b.example",
            "--public-rate-limit",
            "0",
        ])
        .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Serve(args),
        }) = cli
        else {
            panic!("{cli:?}");
        };
        assert_eq!(args.cors_origins, ["http://a.example", "http://b.example"]);
        assert_eq!(args.public_rate_limit, 0);
    }

    #[test]
    fn trusted_proxies_are_networks_and_empty_values_are_ignored() {
        let cli = Cli::try_parse_from([
            "berth",
            "serve",
            "--trusted-proxy",
            "10.0.0.0/8, ,172.18.0.1",
            "--web-dir",
            "/srv/web",
        ]);
        let Ok(Cli {
            command: Command::Serve(args),
        }) = cli
        else {
            panic!("{cli:?}");
        };
        assert_eq!(args.trusted_proxy_networks().len(), 2, "{args:?}");
        assert_eq!(args.web_dir, PathBuf::from("/srv/web"));
        let bad = Cli::try_parse_from(["berth", "serve", "--trusted-proxy", "proxy.example"]);
        assert!(bad.is_err());
        let defaults = Cli::try_parse_from(["berth", "serve"]);
        let Ok(Cli {
            command: Command::Serve(args),
        }) = defaults
        else {
            panic!("{defaults:?}");
        };
        assert_eq!(args.web_dir, PathBuf::from("web/dist"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://berth:s3cret@db:5432/berth"),
            "postgres://berth:***@db:5432/berth"
        );
        assert_eq!(
            redact("postgres://berth@db/berth"),
            "postgres://berth@db/berth"
        );
        assert_eq!(redact("sqlite:data/berth.db"), "sqlite:data/berth.db");
    }
}
