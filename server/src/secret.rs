//! The token-signing secret: `BERTH_JWT_SECRET` when set, otherwise a file
//! (default `data/jwt-secret`) created with 256 random bits on first start and
//! readable only by its owner. Every instance sharing a database must share it.
//!
//! The secrets key (webhook signing secrets sealed at rest, `secret_box`):
//! `BERTH_SECRETS_KEY` (base64 of 32 bytes) when set, otherwise a file (default
//! `data/secrets-key`) created the same way. Every instance sharing a database
//! must share it too; without it, sealed secrets do not open.

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

/// The box that seals webhook signing secrets, with the configured or
/// persisted key (an empty `BERTH_SECRETS_KEY` counts as unset).
pub fn secrets_box(file: &Path) -> anyhow::Result<berth_core::secret_box::SecretBox> {
    use base64::Engine as _;
    let encoded = match std::env::var("BERTH_SECRETS_KEY") {
        Ok(key) if !key.trim().is_empty() => key,
        _ => read_or_create_shared(file, "secrets key", || {
            base64::engine::general_purpose::STANDARD
                .encode(berth_core::secret_box::SecretBox::generate_key())
        })?,
    };
    let key: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .context("the secrets key must be base64 of 32 bytes")?;
    Ok(berth_core::secret_box::SecretBox::new(&key))
}

fn read_or_create(file: &Path) -> anyhow::Result<String> {
    // Two v4 UUIDs: 244 bits from the operating system's random source.
    let secret = read_or_create_shared(file, "token-signing secret", || {
        format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        )
    })?;
    Ok(secret.trim().to_owned())
}

/// The contents of `file`, or, when there is none, `make()` written to it,
/// readable only by its owner. Creation is atomic (the complete file is linked
/// into place, which fails if one is there already), so instances starting
/// together on shared storage end up with the same contents.
pub(crate) fn read_or_create_shared(
    file: &Path,
    what: &str,
    make: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    let read =
        || std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()));
    if file.exists() {
        return read();
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let contents = make();
    let staged = file.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    write_private(&staged, &contents).with_context(|| format!("writing {}", staged.display()))?;
    let linked = std::fs::hard_link(&staged, file);
    let _ = std::fs::remove_file(&staged);
    match linked {
        Ok(()) => {
            tracing::info!(file = %file.display(), "generated a new {what}");
            Ok(contents)
        }
        // Another instance created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(),
        Err(e) => Err(e).with_context(|| format!("writing {}", file.display())),
    }
}

#[cfg(unix)]
fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(file, text)
}
