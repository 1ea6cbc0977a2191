//! The VAPID key (RFC 8292): one P-256 key pair per deployment, generated on
//! first start and kept in a file readable only by its owner (beside the
//! token-signing secret: `data/vapid-key`), or given whole in
//! `BERTH_VAPID_PRIVATE_KEY`. Browsers subscribe with its public key, so every
//! instance must share it, and replacing it silences every registered device
//! until it registers again.
//!
//! The file holds the private scalar as unpadded base64url (what web push tools
//! print as the "private key"); a PEM key (SEC1 or PKCS#8) is accepted too.
//!
//! Each message carries `Authorization: vapid t=<JWT>, k=<public key>`: an
//! ES256 JWT with `aud` the push service's origin, `exp` twelve hours ahead
//! (RFC 8292 allows at most 24) by the injected clock, and `sub` the operator's
//! contact. The JWT is built here rather than by web-push-native's builder,
//! whose `aud` leaves out a non-default port and whose `exp` comes from the
//! system clock and equals the message's TTL.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;
use web_push_native::jwt_simple::prelude::{Duration as JwtDuration, UnixTimeStamp};

/// How long a VAPID token is valid (RFC 8292: at most 24 hours).
pub const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::hours(12);

/// The environment variable that gives the key itself.
pub const KEY_ENV: &str = "BERTH_VAPID_PRIVATE_KEY";

/// The deployment's VAPID key pair.
pub struct VapidKey {
    pair: ES256KeyPair,
    public: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    fn from_pair(pair: ES256KeyPair) -> Self {
        let public = URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed());
        Self { pair, public }
    }

    /// A fresh key pair from the operating system's random source.
    pub fn generate() -> Self {
        Self::from_pair(ES256KeyPair::generate())
    }

    /// A key from its text: unpadded base64url of the 32-byte private scalar,
    /// or PEM.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        let pair = if text.starts_with("-----BEGIN") {
            ES256KeyPair::from_pem(text).map_err(|e| anyhow::anyhow!("not a P-256 PEM key: {e}"))?
        } else {
            let raw = URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .context("not base64url")?;
            if raw.len() != 32 {
                bail!("a VAPID private key is 32 bytes, this is {}", raw.len());
            }
            ES256KeyPair::from_bytes(&raw)
                .map_err(|e| anyhow::anyhow!("not a P-256 private key: {e}"))?
        };
        Ok(Self::from_pair(pair))
    }

    /// The private key as the file keeps it.
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.to_bytes())
    }

    /// The public key: unpadded base64url of the uncompressed point, as
    /// `pushManager.subscribe({ applicationServerKey })` takes it.
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The `Authorization` header for a message to a push service at
    /// `audience` (its origin), signed at `now`.
    pub fn authorization(
        &self,
        audience: &str,
        subject: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let exp = u64::try_from((now + TOKEN_LIFETIME).timestamp())
            .map_err(|_| "the clock is before 1970".to_owned())?;
        let mut claims = Claims::create(JwtDuration::from_secs(0)).with_audience(audience);
        if let Some(subject) = subject {
            claims = claims.with_subject(subject);
        }
        claims.issued_at = None;
        claims.invalid_before = None;
        claims.expires_at = Some(UnixTimeStamp::from_secs(exp));
        let token = self
            .pair
            .sign(claims)
            .map_err(|e| format!("signing the VAPID token failed: {e}"))?;
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

/// Where the key file is: `--vapid-key-file`, or `vapid-key` beside the
/// token-signing secret's file.
pub fn key_file(explicit: Option<&Path>, secret_file: &Path) -> PathBuf {
    match explicit {
        Some(file) => file.to_owned(),
        None => secret_file
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join("vapid-key"),
    }
}

/// The deployment's key: `BERTH_VAPID_PRIVATE_KEY` when set, otherwise `file`,
/// created with a fresh key on first start.
pub fn load(file: &Path) -> anyhow::Result<VapidKey> {
    if let Ok(text) = std::env::var(KEY_ENV) {
        return VapidKey::parse(&text).with_context(|| format!("reading {KEY_ENV}"));
    }
    read_or_create(file)
}

/// Reads the key file, or creates it (atomically: instances starting together
/// on shared storage end up with the same key).
fn read_or_create(file: &Path) -> anyhow::Result<VapidKey> {
    let text = crate::secret::read_or_create_shared(file, "VAPID key for web push", || {
        VapidKey::generate().to_text()
    })?;
    VapidKey::parse(&text).with_context(|| format!("reading the VAPID key in {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_through_its_text_and_its_public_key_is_an_uncompressed_point() {
        let key = VapidKey::generate();
        let again = VapidKey::parse(&key.to_text()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let point = URL_SAFE_NO_PAD.decode(key.public_key()).unwrap();
        assert_eq!((point.len(), point[0]), (65, 0x04));
        assert!(VapidKey::parse("c2hvcnQ").is_err());
        assert!(VapidKey::parse("not base64!").is_err());
        let pem = key.pair.to_pem().unwrap();
        assert_eq!(
            VapidKey::parse(&pem).unwrap().public_key(),
            key.public_key()
        );
        assert!(!format!("{key:?}").contains(&key.to_text()));
    }

    #[test]
    fn the_file_is_created_once_private_and_then_reused() {
        let dir = std::env::temp_dir().join(format!("berth-vapid-{}", uuid::Uuid::new_v4()));
        let file = key_file(None, &dir.join("jwt-secret"));
        assert_eq!(file, dir.join("vapid-key"));
        let first = read_or_create(&file).unwrap();
        let second = read_or_create(&file).unwrap();
        assert_eq!(first.public_key(), second.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Only the key file is left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("vapid-key")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
