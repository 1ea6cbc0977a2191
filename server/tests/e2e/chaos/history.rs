//! The client-side history: every request the load sent and what came back,
//! kept outside the processes that are killed. The checks hold the database
//! against it.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, Utc};

/// What one request got, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Acknowledged (for a booking: the reservation's id).
    Acked(String),
    /// Refused with this code: nothing may have been written.
    Refused(String),
    /// No definite answer: either outcome is allowed.
    Lost,
}

/// A stay as the checks compare it: dates and whether it was canceled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stay {
    pub(crate) check_in: String,
    pub(crate) check_out: String,
    pub(crate) canceled: bool,
}

/// One booking request (one idempotency key) and every answer to it: the first
/// send, a concurrent duplicate, and retries after a lost answer.
#[derive(Debug)]
pub(crate) struct Booking {
    pub(crate) stay: Stay,
    pub(crate) answers: Vec<Outcome>,
}

/// A reservation whose creation was acknowledged, with the stays it may be in
/// now: one after an acknowledged change, two after one whose answer was lost.
#[derive(Debug)]
pub(crate) struct Tracked {
    pub(crate) allowed: Vec<Stay>,
    /// Changes and cancellations acknowledged, and lost.
    pub(crate) acked: u32,
    pub(crate) lost: u32,
}

/// A lock acquired and not (knowingly) released.
#[derive(Clone, Debug)]
pub(crate) struct HeldLock {
    pub(crate) id: String,
    pub(crate) expires_at: DateTime<Utc>,
}

/// One answer for the "the other instance keeps serving" check.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Served {
    pub(crate) instance: usize,
    pub(crate) sent: Instant,
    pub(crate) lost: bool,
}

/// Operation counts by kind and outcome.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) by_op: BTreeMap<String, [u64; 3]>,
}

impl Counts {
    pub(crate) fn add(&mut self, op: &str, outcome: &Outcome) {
        let slot = match outcome {
            Outcome::Acked(_) => 0,
            Outcome::Refused(_) => 1,
            Outcome::Lost => 2,
        };
        self.by_op.entry(op.to_owned()).or_default()[slot] += 1;
    }

    /// All operations sent.
    pub(crate) fn total(&self) -> u64 {
        self.by_op.values().flatten().sum()
    }

    /// `op acked/refused/lost, …`.
    pub(crate) fn summary(&self) -> String {
        self.by_op
            .iter()
            .map(|(op, [a, r, l])| format!("{op} {a}/{r}/{l}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The whole history.
#[derive(Debug, Default)]
pub(crate) struct History {
    pub(crate) bookings: BTreeMap<String, Booking>,
    pub(crate) reservations: HashMap<String, Tracked>,
    pub(crate) held_locks: Vec<HeldLock>,
    pub(crate) served: Vec<Served>,
    pub(crate) counts: Counts,
}

impl History {
    /// Records an answer to booking `key` of `stay`.
    pub(crate) fn booked(&mut self, key: &str, stay: &Stay, outcome: Outcome) {
        self.counts.add("book", &outcome);
        if let Outcome::Acked(id) = &outcome {
            self.reservations
                .entry(id.clone())
                .or_insert_with(|| Tracked {
                    allowed: vec![stay.clone()],
                    acked: 0,
                    lost: 0,
                });
        }
        self.bookings
            .entry(key.to_owned())
            .or_insert_with(|| Booking {
                stay: stay.clone(),
                answers: Vec::new(),
            })
            .answers
            .push(outcome);
    }

    /// Records a change or cancellation of reservation `id` that would leave it
    /// in `after`.
    pub(crate) fn changed(&mut self, op: &str, id: &str, after: Stay, outcome: &Outcome) {
        self.counts.add(op, outcome);
        let tracked = self
            .reservations
            .get_mut(id)
            .expect("changes are made only to acknowledged reservations");
        match outcome {
            Outcome::Acked(_) => {
                tracked.acked += 1;
                tracked.allowed = vec![after];
            }
            Outcome::Lost => {
                tracked.lost += 1;
                tracked.allowed.push(after);
            }
            Outcome::Refused(_) => {}
        }
    }
}
