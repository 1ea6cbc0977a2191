//! Positive counts: `Quantity` (items or seats one reservation takes),
//! `Inventory` (identical items a unit has) and `Guests` (people on a booking).

use serde::{Deserialize, Serialize};

/// A count that must be at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be at least 1 (got {value})")]
pub struct NotPositive {
    /// Which count was wrong (`quantity`, `inventory`, `guests`).
    pub what: &'static str,
    /// The value given.
    pub value: i64,
}

macro_rules! positive_count {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(u32);

        impl $name {
            /// Parses a count, refusing zero, negatives and values beyond `u32`.
            pub fn new(value: i64) -> Result<Self, NotPositive> {
                match u32::try_from(value) {
                    Ok(v) if v >= 1 => Ok(Self(v)),
                    _ => Err(NotPositive { what: $what, value }),
                }
            }

            /// The count.
            pub const fn get(&self) -> u32 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = NotPositive;
            fn try_from(v: i64) -> Result<Self, Self::Error> {
                Self::new(v)
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                i64::from(v.0)
            }
        }
    };
}

positive_count!(
    /// How many of a unit's items (rooms of a room type, seats on a tour,
    /// kayaks of a fleet) one reservation takes.
    Quantity,
    "quantity"
);
positive_count!(
    /// How many identical items a unit has: a cabin is 1, a tour slot 20.
    Inventory,
    "inventory"
);
positive_count!(
    /// How many people a booking is for.
    Guests,
    "guests"
);

impl Quantity {
    /// One item: the default for most bookings.
    pub const ONE: Quantity = Quantity(1);
}

impl Inventory {
    /// The whole inventory as a quantity, for comparisons with requests.
    pub const fn as_quantity(&self) -> Quantity {
        Quantity(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_negative_counts_are_refused() {
        assert_eq!(Quantity::new(0).unwrap_err().what, "quantity");
        assert!(Inventory::new(-3).is_err());
        assert!(Guests::new(i64::from(u32::MAX) + 1).is_err());
        assert_eq!(Quantity::new(3).unwrap().get(), 3);
    }

    #[test]
    fn deserializing_checks_the_invariant() {
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert_eq!(serde_json::from_str::<Inventory>("8").unwrap().get(), 8);
    }
}
