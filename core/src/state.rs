//! The reservation state machine. `held` (tentative, expires) → `confirmed` →
//! `checked_in` → `finished`; `confirmed` → `absent` when check-in has not happened
//! by the deadline; `held`/`confirmed` → `canceled`. `finished`, `canceled` and
//! `absent` are final. Every (state, action) pair not listed here is illegal, and
//! the engine reports it as CONFLICT.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a reservation is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationState {
    /// Tentative; takes capacity until it is confirmed or its hold expires.
    Held,
    /// Booked.
    Confirmed,
    /// The guest has arrived.
    CheckedIn,
    /// The guest has left. Final.
    Finished,
    /// Canceled by staff, the client, or hold expiry. Final.
    Canceled,
    /// The guest did not arrive by the no-show deadline. Final.
    Absent,
}

/// Something that moves a reservation between states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateAction {
    /// Turn a hold into a booking.
    Confirm,
    /// Record the guest's arrival.
    CheckIn,
    /// Record the guest's departure.
    CheckOut,
    /// Cancel a hold or a booking.
    Cancel,
    /// A hold ran past its deadline (system only).
    ExpireHold,
    /// The guest did not arrive by the deadline (system only).
    MarkAbsent,
    /// Change the period (or unit) of a reservation that has not ended.
    ChangePeriod,
}

/// An action that the current state does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {state} reservation cannot {action}")]
pub struct IllegalTransition {
    /// The reservation's state.
    pub state: ReservationState,
    /// The refused action.
    pub action: StateAction,
}

impl ReservationState {
    /// Every state, for table-driven tests and enumerations.
    pub const ALL: [ReservationState; 6] = [
        Self::Held,
        Self::Confirmed,
        Self::CheckedIn,
        Self::Finished,
        Self::Canceled,
        Self::Absent,
    ];

    /// The state's stored name (`checked_in`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Confirmed => "confirmed",
            Self::CheckedIn => "checked_in",
            Self::Finished => "finished",
            Self::Canceled => "canceled",
            Self::Absent => "absent",
        }
    }

    /// True for states that nothing changes any more.
    pub const fn is_final(&self) -> bool {
        matches!(self, Self::Finished | Self::Canceled | Self::Absent)
    }

    /// True for states whose reservation takes capacity.
    pub const fn takes_capacity(&self) -> bool {
        matches!(self, Self::Held | Self::Confirmed | Self::CheckedIn)
    }

    /// The state after `action`, or the refusal.
    pub fn apply(self, action: StateAction) -> Result<ReservationState, IllegalTransition> {
        use ReservationState as S;
        use StateAction as A;
        let next = match (self, action) {
            (S::Held, A::Confirm) => S::Confirmed,
            (S::Confirmed, A::CheckIn) => S::CheckedIn,
            (S::CheckedIn, A::CheckOut) => S::Finished,
            (S::Held | S::Confirmed, A::Cancel) => S::Canceled,
            (S::Held, A::ExpireHold) => S::Canceled,
            (S::Confirmed, A::MarkAbsent) => S::Absent,
            (S::Held | S::Confirmed | S::CheckedIn, A::ChangePeriod) => self,
            _ => {
                return Err(IllegalTransition {
                    state: self,
                    action,
                });
            }
        };
        Ok(next)
    }
}

impl StateAction {
    /// Every action, for table-driven tests.
    pub const ALL: [StateAction; 7] = [
        Self::Confirm,
        Self::CheckIn,
        Self::CheckOut,
        Self::Cancel,
        Self::ExpireHold,
        Self::MarkAbsent,
        Self::ChangePeriod,
    ];

    /// The action's name as used in audit entries (`check_in`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::CheckIn => "check_in",
            Self::CheckOut => "check_out",
            Self::Cancel => "cancel",
            Self::ExpireHold => "expire_hold",
            Self::MarkAbsent => "mark_absent",
            Self::ChangePeriod => "change_period",
        }
    }
}

impl fmt::Display for ReservationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for StateAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored state name that is not a state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown reservation state `{0}`")]
pub struct UnknownState(pub String);

impl FromStr for ReservationState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReservationState as S;
    use StateAction as A;

    /// The whole transition table: every (state, action) pair, and what it gives.
    /// `None` means illegal.
    const TABLE: &[(S, A, Option<S>)] = &[
        (S::Held, A::Confirm, Some(S::Confirmed)),
        (S::Held, A::CheckIn, None),
        (S::Held, A::CheckOut, None),
        (S::Held, A::Cancel, Some(S::Canceled)),
        (S::Held, A::ExpireHold, Some(S::Canceled)),
        (S::Held, A::MarkAbsent, None),
        (S::Held, A::ChangePeriod, Some(S::Held)),
        (S::Confirmed, A::Confirm, None),
        (S::Confirmed, A::CheckIn, Some(S::CheckedIn)),
        (S::Confirmed, A::CheckOut, None),
        (S::Confirmed, A::Cancel, Some(S::Canceled)),
        (S::Confirmed, A::ExpireHold, None),
        (S::Confirmed, A::MarkAbsent, Some(S::Absent)),
        (S::Confirmed, A::ChangePeriod, Some(S::Confirmed)),
        (S::CheckedIn, A::Confirm, None),
        (S::CheckedIn, A::CheckIn, None),
        (S::CheckedIn, A::CheckOut, Some(S::Finished)),
        (S::CheckedIn, A::Cancel, None),
        (S::CheckedIn, A::ExpireHold, None),
        (S::CheckedIn, A::MarkAbsent, None),
        (S::CheckedIn, A::ChangePeriod, Some(S::CheckedIn)),
    ];

    #[test]
    fn every_pair_follows_the_table() {
        for state in S::ALL {
            for action in A::ALL {
                let expected = if state.is_final() {
                    None
                } else {
                    TABLE
                        .iter()
                        .find(|(s, a, _)| *s == state && *a == action)
                        .map(|(_, _, next)| *next)
                        .unwrap_or_else(|| panic!("table misses ({state}, {action})"))
                };
                assert_eq!(state.apply(action).ok(), expected, "({state}, {action})");
            }
        }
    }

    #[test]
    fn final_states_never_change() {
        for state in S::ALL.into_iter().filter(S::is_final) {
            for action in A::ALL {
                assert_eq!(
                    state.apply(action),
                    Err(IllegalTransition { state, action })
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for state in S::ALL {
            assert_eq!(state.as_str().parse::<S>().unwrap(), state);
        }
        assert!("gone".parse::<S>().is_err());
    }
}
