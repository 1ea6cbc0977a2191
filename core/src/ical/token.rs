//! `FeedToken`: the secret in a unit's feed URL. 256 bits from the operating
//! system's random source, base64url without padding (43 characters), compared
//! in constant time. It is stored as is (see docs/decisions/0138-icalendar.md:
//! the URL must stay readable for the next channel an admin connects)
//! and never enters an audit entry, an event or a log line.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;
/// Characters of a token's text form.
pub const TOKEN_CHARS: usize = 43;

/// A feed token. Its `Debug` form hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

/// The operating system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct NoRandomness(String);

/// A string that is not a feed token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a feed token")]
pub struct NotAToken;

impl FeedToken {
    /// A fresh token from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, NoRandomness> {
        let mut bytes = [0_u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| NoRandomness(e.to_string()))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The token's text, for the feed URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this token, in time that does not depend on where
    /// they first differ (only on the candidate's length, which is public).
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::str::FromStr for FeedToken {
    type Err = NotAToken;
    /// Reads a stored token: 43 base64url characters.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() == TOKEN_CHARS
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(NotAToken)
        }
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = FeedToken::generate().unwrap();
        let b = FeedToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), TOKEN_CHARS);
        assert_eq!(a.as_str().parse::<FeedToken>().unwrap(), a);
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn matching_is_exact() {
        let a = FeedToken::generate().unwrap();
        assert!(a.matches(a.as_str()));
        let mut other = a.as_str().to_owned();
        let last = other.pop().unwrap();
        other.push(if last == 'A' { 'B' } else { 'A' });
        assert!(!a.matches(&other));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.as_str()[1..]));
        assert!("short".parse::<FeedToken>().is_err());
        assert!("a".repeat(42).parse::<FeedToken>().is_err());
        assert!(format!("{}=", "a".repeat(42)).parse::<FeedToken>().is_err());
    }
}
