//! The client-side history: every request the load sent and what came back,
//! kept outside the processes that are killed. The checks hold the database
//! against it.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::client::Loss;

/// What one request got, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Acknowledged (for a booking: the reservation's id).
    Acked(String),
    /// Refused with this code: nothing may have been written.
    Refused(String),
    /// No definite answer (and why): either outcome is allowed.
    Lost(Loss),
}

impl Outcome {
    pub(crate) fn is_lost(&self) -> bool {
        matches!(self, Outcome::Lost(_))
    }
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
    /// The unit asked for.
    pub(crate) unit: String,
    pub(crate) answers: Vec<Outcome>,
    /// When each attempt (in the order of `answers`) was sent and answered.
    pub(crate) windows: Vec<Window>,
}

/// When a request was sent and when its answer (or its loss) came back, by the
/// wall clock the server's event times are comparable with (one machine).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub(crate) sent: DateTime<Utc>,
    pub(crate) answered: DateTime<Utc>,
}

/// A reservation whose creation was acknowledged, with the stays it may be in
/// now: one after an acknowledged change, two after one whose answer was lost.
#[derive(Debug)]
pub(crate) struct Tracked {
    pub(crate) allowed: Vec<Stay>,
    /// Changes and cancellations acknowledged, and lost.
    pub(crate) acked: u32,
    pub(crate) lost: u32,
    /// When each acknowledged change or cancellation was answered, in order: its
    /// commit was no later.
    pub(crate) acked_at: Vec<DateTime<Utc>>,
}

/// A lock acquired and not (knowingly) released.
#[derive(Clone, Debug)]
pub(crate) struct HeldLock {
    pub(crate) id: String,
    pub(crate) expires_at: DateTime<Utc>,
    /// How it was held: over HTTP, or over a WebSocket closed or broken.
    pub(crate) via: &'static str,
}

/// One request the load sent: for the "the other instance keeps serving"
/// check and the count of losses by reason.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub(crate) op: &'static str,
    pub(crate) instance: usize,
    pub(crate) round: u64,
    pub(crate) sent: Instant,
    pub(crate) answered: Instant,
    /// Why it got no definite answer; `None` when acknowledged or refused.
    pub(crate) loss: Option<Loss>,
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
            Outcome::Lost(_) => 2,
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
    pub(crate) requests: Vec<Request>,
    pub(crate) counts: Counts,
}

impl History {
    /// Records an answer to booking `key` of `stay` on `unit`.
    pub(crate) fn booked(
        &mut self,
        key: &str,
        unit: &str,
        stay: &Stay,
        outcome: Outcome,
        window: Window,
    ) {
        self.counts.add("book", &outcome);
        if let Outcome::Acked(id) = &outcome {
            self.reservations
                .entry(id.clone())
                .or_insert_with(|| Tracked {
                    allowed: vec![stay.clone()],
                    acked: 0,
                    lost: 0,
                    acked_at: Vec::new(),
                });
        }
        let booking = self
            .bookings
            .entry(key.to_owned())
            .or_insert_with(|| Booking {
                stay: stay.clone(),
                unit: unit.to_owned(),
                answers: Vec::new(),
                windows: Vec::new(),
            });
        booking.answers.push(outcome);
        booking.windows.push(window);
    }

    /// The requests' losses by reason (of `round`, or of the whole run):
    /// `reason ×n (instance i ×m, …)`, most frequent first; "none" without any.
    pub(crate) fn losses(&self, round: Option<u64>) -> String {
        let mut by_reason: BTreeMap<String, BTreeMap<usize, u64>> = BTreeMap::new();
        for request in &self.requests {
            if let Some(loss) = &request.loss
                && round.is_none_or(|r| r == request.round)
            {
                *by_reason
                    .entry(loss.kind())
                    .or_default()
                    .entry(request.instance)
                    .or_default() += 1;
            }
        }
        if by_reason.is_empty() {
            return "none".into();
        }
        let mut lines: Vec<(u64, String)> = by_reason
            .into_iter()
            .map(|(reason, per_instance)| {
                let total = per_instance.values().sum::<u64>();
                let instances = per_instance
                    .iter()
                    .map(|(i, n)| format!("instance {i} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (total, format!("{reason} ×{total} ({instances})"))
            })
            .collect();
        lines.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        lines
            .into_iter()
            .map(|(_, line)| line)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Records a change or cancellation of reservation `id` that would leave it
    /// in `after`.
    pub(crate) fn changed(
        &mut self,
        op: &str,
        id: &str,
        after: Stay,
        outcome: &Outcome,
        answered: DateTime<Utc>,
    ) {
        self.counts.add(op, outcome);
        let tracked = self
            .reservations
            .get_mut(id)
            .expect("changes are made only to acknowledged reservations");
        match outcome {
            Outcome::Acked(_) => {
                tracked.acked += 1;
                tracked.acked_at.push(answered);
                tracked.allowed = vec![after];
            }
            Outcome::Lost(_) => {
                tracked.lost += 1;
                tracked.allowed.push(after);
            }
            Outcome::Refused(_) => {}
        }
    }
}
