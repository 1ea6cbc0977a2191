//! Money: an amount in integer minor units (cents, øre, yen) and an ISO 4217
//! currency code. Never floats: every price, fee and tax is computed in minor units.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code: three ASCII upper-case letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// A currency code that is not three upper-case ASCII letters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 4217 currency code (three upper-case letters)")]
pub struct InvalidCurrency(pub String);

impl Currency {
    /// The code as text, e.g. `"EUR"`.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl FromStr for Currency {
    type Err = InvalidCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(InvalidCurrency(s.to_owned())),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidCurrency;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in minor units of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units (e.g. cents). May be negative for discounts and refunds.
    pub amount_minor: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

/// Two amounts in different currencies were combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {left} with {right}")]
pub struct CurrencyMismatch {
    /// The currency of the left operand.
    pub left: Currency,
    /// The currency of the right operand.
    pub right: Currency,
}

impl Money {
    /// An amount of `amount_minor` minor units of `currency`.
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// The sum, refusing different currencies; saturates instead of overflowing.
    pub fn checked_add(self, other: Money) -> Result<Money, CurrencyMismatch> {
        if self.currency != other.currency {
            return Err(CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        Ok(Money::new(
            self.amount_minor.saturating_add(other.amount_minor),
            self.currency,
        ))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_minor, self.currency)
    }
}

/// One line of a price breakdown ("3 nights × 120.00", "Cleaning fee", "VAT").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLine {
    /// Stable machine-readable kind of the line (`nights`, `fee`, `tax`, `discount`).
    pub kind: String,
    /// Human-readable label.
    pub label: String,
    /// The line's amount (negative for discounts).
    pub amount: Money,
}

/// A priced booking: the lines and their total, as snapshotted on a reservation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// The breakdown, in display order.
    pub lines: Vec<PriceLine>,
    /// The total to pay.
    pub total: Money,
}

impl Price {
    /// Builds a price whose total is the sum of its lines, refusing mixed currencies.
    pub fn from_lines(currency: Currency, lines: Vec<PriceLine>) -> Result<Self, CurrencyMismatch> {
        let total = lines.iter().try_fold(Money::zero(currency), |acc, line| {
            acc.checked_add(line.amount)
        })?;
        Ok(Self { lines, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        "EUR".parse().unwrap()
    }

    #[test]
    fn currency_codes_are_parsed() {
        assert_eq!(eur().as_str(), "EUR");
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
    }

    #[test]
    fn totals_are_sums_of_lines_in_one_currency() {
        let line = |amount| PriceLine {
            kind: "x".into(),
            label: "x".into(),
            amount: Money::new(amount, eur()),
        };
        let p = Price::from_lines(eur(), vec![line(12_000), line(3_500), line(-1_000)]).unwrap();
        assert_eq!(p.total, Money::new(14_500, eur()));
        let usd: Currency = "USD".parse().unwrap();
        let mixed = vec![
            line(1),
            PriceLine {
                amount: Money::new(1, usd),
                ..line(0)
            },
        ];
        assert!(Price::from_lines(eur(), mixed).is_err());
    }

    #[test]
    fn money_serializes_with_a_code() {
        let json = serde_json::to_string(&Money::new(100, eur())).unwrap();
        assert_eq!(json, r#"{"amount_minor":100,"currency":"EUR"}"#);
    }
}
