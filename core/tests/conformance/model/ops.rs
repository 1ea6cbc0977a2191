//! The operations a sequence is made of, and how proptest draws them. Every
//! field is a small number that proptest shrinks towards 0, and every
//! sequence is meaningful whatever was removed from it: reservations are
//! named by their order of creation (modulo how many exist), so a shrunk
//! sequence still runs and reads as a short story.

use std::fmt;

use proptest::prelude::*;

use super::reference::{Action, Ask, DAY, HOUR, Kind, Party, SLOT_HOURS, UNITS, Version};

/// A period as drawn: a day (0–4 from the first day) and a shape, read per
/// unit: nights 1, 2, 3, 4, 31 or 0 (malformed) for nightly units; slot
/// 0, 1, 2 or a start off the slots (10:00) for tours.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub day: u8,
    pub shape: u8,
}

impl When {
    /// The period as asked for `unit`.
    pub fn ask(self, unit: usize) -> Ask {
        let day = i64::from(self.day);
        match UNITS[unit].kind {
            Kind::Nightly => Ask::Nights {
                day,
                nights: [1, 2, 3, 4, 31, 0][usize::from(self.shape) % 6],
            },
            Kind::Tour => Ask::Slot {
                start: match usize::from(self.shape) % 4 {
                    3 => day * DAY + 10 * HOUR,
                    slot => day * DAY + SLOT_HOURS[slot] * HOUR,
                },
            },
        }
    }
}

impl fmt::Debug for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "day {} shape {}", self.day, self.shape)
    }
}

/// One step of a sequence.
#[derive(Clone, PartialEq, Eq)]
pub enum Op {
    /// Book (or hold) a unit, maybe with an idempotency key `k0`–`k3`.
    Book {
        unit: usize,
        when: When,
        party: Party,
        hold: bool,
        key: Option<u8>,
    },
    /// Send an earlier `Book` of this sequence again, exactly (the n-th one,
    /// modulo how many there were).
    Retry { nth: usize },
    /// Change a reservation's period, maybe its unit (the n-th of its
    /// tenant) and party.
    Change {
        res: usize,
        to_unit: Option<usize>,
        when: When,
        party: Option<Party>,
        version: Version,
    },
    /// Confirm, check in, check out or cancel a reservation.
    Act {
        res: usize,
        action: Action,
        version: Version,
    },
    /// Cancel a reservation through the other tenant: NOT_FOUND.
    Foreign { res: usize },
    /// Move the clock (the lifecycle worker does not run).
    Advance { minutes: i64 },
    /// One round of the lifecycle worker: hold expiry and no-shows.
    Lifecycle,
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Book {
                unit,
                when,
                party,
                hold,
                key,
            } => {
                let what = if *hold { "hold" } else { "book" };
                write!(
                    f,
                    "{what} {} ({}), {when:?}, {} guest(s) × {}",
                    unit, UNITS[*unit].name, party.guests, party.quantity
                )?;
                if let Some(k) = key {
                    write!(f, ", key k{k}")?;
                }
                Ok(())
            }
            Op::Retry { nth } => write!(f, "retry book #{nth}"),
            Op::Change {
                res,
                to_unit,
                when,
                party,
                version,
            } => {
                write!(f, "change r{res} to {when:?}")?;
                if let Some(u) = to_unit {
                    write!(f, ", unit #{u} of its tenant")?;
                }
                if let Some(p) = party {
                    write!(f, ", {} guest(s) × {}", p.guests, p.quantity)?;
                }
                write!(f, ", version {version:?}")
            }
            Op::Act {
                res,
                action,
                version,
            } => write!(f, "{action:?} r{res}, version {version:?}"),
            Op::Foreign { res } => write!(f, "cancel r{res} through the other tenant"),
            Op::Advance { minutes } => write!(f, "advance the clock {minutes} min"),
            Op::Lifecycle => write!(f, "lifecycle round"),
        }
    }
}

fn when() -> impl Strategy<Value = When> {
    (0..5_u8, 0..6_u8).prop_map(|(day, shape)| When { day, shape })
}

fn party() -> impl Strategy<Value = Party> {
    (
        prop_oneof![8 => Just(1_u32), 4 => Just(2), 1 => Just(3), 1 => Just(4)],
        prop_oneof![8 => Just(1_u32), 3 => Just(2), 1 => Just(3), 1 => Just(4)],
    )
        .prop_map(|(q, g)| Party {
            // Mostly within the unit's guests per item; sometimes over.
            guests: q * g.min(2) + u32::from(g > 2) * 3,
            quantity: q,
        })
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![6 => Just(Version::Any), 3 => Just(Version::Current), 1 => Just(Version::Stale)]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Confirm),
        Just(Action::CheckIn),
        Just(Action::CheckOut),
        Just(Action::Cancel),
    ]
}

/// Clock moves: within a hold, just past one, past a no-show deadline, days.
fn minutes() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(5_i64),
        Just(11),
        Just(16),
        Just(2 * 60),
        Just(7 * 60),
        Just(24 * 60),
    ]
}

/// A reservation reference: its index in creation order (modulo how many
/// exist); 11 names one that does not exist.
fn res() -> impl Strategy<Value = usize> {
    0..12_usize
}

/// One operation, weighted towards bookings and state actions.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..UNITS.len(), when(), party(), any::<bool>(), prop::option::weighted(0.4, 0..4_u8))
            .prop_map(|(unit, when, party, hold, key)| Op::Book { unit, when, party, hold, key }),
        2 => (0..4_usize).prop_map(|nth| Op::Retry { nth }),
        4 => (
            res(),
            prop::option::weighted(0.3, 0..3_usize),
            when(),
            prop::option::weighted(0.3, party()),
            version()
        )
            .prop_map(|(res, to_unit, when, party, version)| Op::Change {
                res,
                to_unit,
                when,
                party,
                version
            }),
        8 => (res(), action(), version()).prop_map(|(res, action, version)| Op::Act {
            res,
            action,
            version
        }),
        1 => res().prop_map(|res| Op::Foreign { res }),
        4 => minutes().prop_map(|minutes| Op::Advance { minutes }),
        3 => Just(Op::Lifecycle),
    ]
}

/// A sequence of 1 to 40 operations.
pub fn sequence() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..40)
}
