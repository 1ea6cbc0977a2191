//! Locks: leases that administrators take on a unit's period (or a whole unit, or
//! a reservation) while they edit, so that two people never collide. A lock is
//! held by a session, expires unless renewed (heartbeat), and is released on
//! request, when its WebSocket session closes, or by the expiry worker. While a
//! lock lives, every reservation write that touches it from another session is
//! refused with LOCKED; the holder's own session may proceed. Locks live in the
//! database, so several instances agree on them, and every change is an event.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::ids::{LockId, ReservationId, TenantId, UnitId};
use crate::time_range::TimeRange;

/// How long a lock lives without a renewal, unless the caller asks otherwise.
pub const DEFAULT_LEASE: Duration = Duration::seconds(30);
/// The longest lease a caller may ask for.
pub const MAX_LEASE: Duration = Duration::minutes(10);

/// Identifies who holds locks: one WebSocket connection, one signed-in session
/// (a login), or one API key. Opaque, 1 to 128 printable ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(String);

impl SessionId {
    /// The session's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A session id that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session id is 1 to 128 printable ASCII characters")]
pub struct BadSessionId;

impl FromStr for SessionId {
    type Err = BadSessionId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(BadSessionId)
        }
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who holds a lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    /// The user or API key.
    pub actor: Actor,
    /// What other administrators see (the user's e-mail, the key's name).
    pub display_name: String,
    /// The holding session.
    pub session: SessionId,
}

/// A live (or just ended) lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Stable id.
    pub id: LockId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The unit the lock is on.
    pub unit_id: UnitId,
    /// The period locked (the occupied interval); `None` locks the whole unit.
    pub range: Option<TimeRange>,
    /// The reservation locked, for a lock on a reservation.
    pub reservation_id: Option<ReservationId>,
    /// Who holds it.
    pub holder: LockHolder,
    /// When it was taken.
    pub acquired_at: DateTime<Utc>,
    /// When it ends unless renewed.
    pub expires_at: DateTime<Utc>,
}

impl Lock {
    /// True when a write by `session` to `unit` over `range` (or to the
    /// reservation `reservation`) must wait for this lock at `now`.
    pub fn blocks(
        &self,
        session: Option<&SessionId>,
        unit: UnitId,
        range: Option<&TimeRange>,
        reservation: Option<ReservationId>,
        now: DateTime<Utc>,
    ) -> bool {
        if self.expires_at <= now || session == Some(&self.holder.session) {
            return false;
        }
        let same_reservation = reservation.is_some() && reservation == self.reservation_id;
        let same_period = self.unit_id == unit
            && match (&self.range, range) {
                (Some(a), Some(b)) => a.overlaps(b),
                _ => true,
            };
        same_reservation || same_period
    }
}

/// A lock to take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLock {
    /// The unit.
    pub unit_id: UnitId,
    /// The period, or `None` for the whole unit.
    pub range: Option<TimeRange>,
    /// The reservation, for a lock on a reservation.
    pub reservation_id: Option<ReservationId>,
    /// Who takes it.
    pub holder: LockHolder,
    /// When it ends unless renewed.
    pub expires_at: DateTime<Utc>,
    /// The instant of the write.
    pub now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(a: &str, b: &str) -> TimeRange {
        TimeRange::new(a.parse().unwrap(), b.parse().unwrap()).unwrap()
    }

    fn lock(range: Option<TimeRange>, reservation: Option<ReservationId>) -> Lock {
        Lock {
            id: LockId::new(),
            tenant_id: TenantId::new(),
            unit_id: UnitId::from_uuid(uuid::Uuid::nil()),
            range,
            reservation_id: reservation,
            holder: LockHolder {
                actor: Actor::System,
                display_name: "ada".into(),
                session: "s1".parse().unwrap(),
            },
            acquired_at: "2026-12-01T00:00:00Z".parse().unwrap(),
            expires_at: "2026-12-01T00:00:30Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_lock_blocks_other_sessions_on_overlaps_until_it_expires() {
        let unit = UnitId::from_uuid(uuid::Uuid::nil());
        let other_unit = UnitId::new();
        let now: DateTime<Utc> = "2026-12-01T00:00:10Z".parse().unwrap();
        let l = lock(
            Some(range("2026-12-10T15:00:00Z", "2026-12-12T10:00:00Z")),
            None,
        );
        let s2: SessionId = "s2".parse().unwrap();
        let s1: SessionId = "s1".parse().unwrap();
        let inside = range("2026-12-11T15:00:00Z", "2026-12-13T10:00:00Z");
        let after = range("2026-12-12T10:00:00Z", "2026-12-13T10:00:00Z");
        assert!(l.blocks(Some(&s2), unit, Some(&inside), None, now));
        assert!(
            l.blocks(None, unit, Some(&inside), None, now),
            "no session: blocked"
        );
        assert!(
            !l.blocks(Some(&s1), unit, Some(&inside), None, now),
            "the holder"
        );
        assert!(
            !l.blocks(Some(&s2), unit, Some(&after), None, now),
            "touching is free"
        );
        assert!(!l.blocks(Some(&s2), other_unit, Some(&inside), None, now));
        assert!(
            l.blocks(Some(&s2), unit, None, None, now),
            "a whole-unit request"
        );
        let later = "2026-12-01T00:00:30Z".parse().unwrap();
        assert!(
            !l.blocks(Some(&s2), unit, Some(&inside), None, later),
            "expired"
        );
        let r = ReservationId::new();
        let on_reservation = lock(None, Some(r));
        assert!(on_reservation.blocks(Some(&s2), other_unit, None, Some(r), now));
    }

    #[test]
    fn session_ids_are_bounded_printable_text() {
        assert!("ws:0b6f".parse::<SessionId>().is_ok());
        for bad in ["", "has space", &"x".repeat(129)] {
            assert!(bad.parse::<SessionId>().is_err(), "{bad}");
        }
    }
}
