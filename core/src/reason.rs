//! `Reason`: why a person did what the rules alone would not do — take a unit
//! out of service (a staff block), or book over a policy's refusal (an
//! override). Required and short: 1–500 characters once trimmed, without
//! control characters other than line breaks and tabs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The most characters a reason may have.
pub const REASON_MAX_CHARS: usize = 500;

/// A trimmed, non-empty reason of at most [`REASON_MAX_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

/// A string that is not a reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidReason {
    /// Nothing but whitespace.
    #[error("give a reason")]
    Empty,
    /// Over the limit.
    #[error("at most {REASON_MAX_CHARS} characters ({0} given)")]
    TooLong(usize),
    /// A control character (other than a line break or tab).
    #[error("control characters are not allowed")]
    Control,
}

impl Reason {
    /// The reason as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Reason {
    type Err = InvalidReason;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(InvalidReason::Empty);
        }
        let chars = s.chars().count();
        if chars > REASON_MAX_CHARS {
            return Err(InvalidReason::TooLong(chars));
        }
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(InvalidReason::Control);
        }
        Ok(Self(s.to_owned()))
    }
}

impl TryFrom<String> for Reason {
    type Error = InvalidReason;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Reason> for String {
    fn from(r: Reason) -> Self {
        r.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_required_and_bounded() {
        assert_eq!(
            "  owner's week \n".parse::<Reason>().unwrap().as_str(),
            "owner's week"
        );
        assert_eq!("".parse::<Reason>(), Err(InvalidReason::Empty));
        assert_eq!(" \t\n".parse::<Reason>(), Err(InvalidReason::Empty));
        let at_limit = "é".repeat(REASON_MAX_CHARS);
        assert!(
            at_limit.parse::<Reason>().is_ok(),
            "500 characters, not bytes"
        );
        assert_eq!(
            "x".repeat(REASON_MAX_CHARS + 1).parse::<Reason>(),
            Err(InvalidReason::TooLong(REASON_MAX_CHARS + 1))
        );
        assert_eq!("a\u{0}b".parse::<Reason>(), Err(InvalidReason::Control));
        assert!("line one\nline two".parse::<Reason>().is_ok());
    }
}
