//! The token-signing secret: `BERTH_JWT_SECRET` when set, otherwise a file
//! (default `data/jwt-secret`) created with 256 random bits on first start and
//! readable only by its owner. Every instance sharing a database must share it.

use std::path::Path;

use anyhow::{Context, bail};
use berth_graphql::auth::Auth;

/// How long a session token is valid.
const SESSION_HOURS: i64 = 12;

/// The session issuer with the configured or persisted secret.
pub fn auth(file: &Path) -> anyhow::Result<Auth> {
    let secret = match std::env::var("BERTH_JWT_SECRET") {
        Ok(s) => s,
        Err(_) => read_or_create(file)?,
    };
    if secret.len() < 32 {
        bail!("the token-signing secret must have at least 32 characters");
    }
    Auth::new(secret.as_bytes(), chrono::Duration::hours(SESSION_HOURS))
        .context("setting up sessions")
}

fn read_or_create(file: &Path) -> anyhow::Result<String> {
    if file.exists() {
        return Ok(std::fs::read_to_string(file)
            .with_context(|| format!("reading {}", file.display()))?
            .trim()
            .to_owned());
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Two v4 UUIDs: 244 bits from the operating system's random source.
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    write_private(file, &secret).with_context(|| format!("writing {}", file.display()))?;
    tracing::info!(file = %file.display(), "generated a new token-signing secret");
    Ok(secret)
}

#[cfg(unix)]
fn write_private(file: &Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?;
    f.write_all(secret.as_bytes())
}

#[cfg(not(unix))]
fn write_private(file: &Path, secret: &str) -> std::io::Result<()> {
    std::fs::write(file, secret)
}
