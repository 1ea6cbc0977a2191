//! What the outbound queues (webhooks, web push, e-mail) share about failed
//! attempts: the exponential back-off with jitter between them, and error texts
//! cut to the length a queue keeps. Each queue has its own [`Backoff`] (how many
//! attempts, how long the waits); the arithmetic is written once, here.

use chrono::Duration;

/// A retry schedule: [`Backoff::first`] after the first failure, each later
/// wait [`Backoff::factor`] times longer up to [`Backoff::max`], until
/// [`Backoff::max_attempts`] attempts were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts before the item is given up.
    pub max_attempts: u32,
    /// The wait after the first failed attempt.
    pub first: Duration,
    /// How much longer each wait is than the one before.
    pub factor: i32,
    /// The longest wait.
    pub max: Duration,
}

impl Backoff {
    /// The schedule of `max_attempts` attempts waiting `first` after the first
    /// failure, each later wait `factor` times longer, up to `max`.
    pub const fn new(max_attempts: u32, first: Duration, factor: i32, max: Duration) -> Self {
        Self {
            max_attempts,
            first,
            factor,
            max,
        }
    }

    /// The wait after the `attempts_made`-th failed attempt, or `None` when
    /// that was the last one: `first × factor^(attempts_made − 1)`, capped at
    /// `max`, then scaled by a jitter factor between 0.75 and 1.25 (`jitter`
    /// 0–1000 maps onto it linearly), so that a receiver recovering from an
    /// outage is not hit by every queued item at once.
    pub fn delay(&self, attempts_made: u32, jitter: u16) -> Option<Duration> {
        if attempts_made == 0 || attempts_made >= self.max_attempts {
            return None;
        }
        let mut base = self.first;
        for _ in 1..attempts_made {
            base = (base * self.factor).min(self.max);
        }
        let base = base.min(self.max);
        let permille = 750 + i64::from(jitter.min(1000)) / 2;
        Some(Duration::milliseconds(
            base.num_milliseconds() * permille / 1000,
        ))
    }
}

/// `s` cut to at most `max` bytes, never inside a character.
pub fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("añb".to_owned(), 2), "a");
        assert_eq!(truncate("añb".to_owned(), 3), "añ");
        assert_eq!(truncate("ab".to_owned(), 5), "ab");
    }
}
