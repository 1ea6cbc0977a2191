//! The audit log: who did what to which entity, when, with before/after data.
//! Every write appends its entry in the same transaction as the change itself.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::ids::{AuditId, TenantId, UserId};

/// Who performed an action.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Actor {
    /// A signed-in user.
    User(UserId),
    /// An integrator's API key, by its public id.
    ApiKey(String),
    /// An anonymous visitor of the public site.
    Public,
    /// berth itself (workers, seeding, migrations).
    System,
}

/// A stored actor that could not be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown actor `{0}`")]
pub struct UnknownActor(pub String);

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{id}"),
            Self::ApiKey(key) => write!(f, "api_key:{key}"),
            Self::Public => f.write_str("public"),
            Self::System => f.write_str("system"),
        }
    }
}

impl FromStr for Actor {
    type Err = UnknownActor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "public" => Ok(Self::Public),
            None if s == "system" => Ok(Self::System),
            Some(("user", id)) => id
                .parse()
                .map(Self::User)
                .map_err(|_| UnknownActor(s.to_owned())),
            Some(("api_key", key)) => Ok(Self::ApiKey(key.to_owned())),
            _ => Err(UnknownActor(s.to_owned())),
        }
    }
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Stable id.
    pub id: AuditId,
    /// The tenant whose data changed.
    pub tenant_id: TenantId,
    /// Who did it.
    pub actor: Actor,
    /// The kind of entity (`reservation`, `unit`, `client`, `tenant`).
    pub entity_type: String,
    /// The entity's id.
    pub entity_id: Uuid,
    /// What was done (`create`, `change_period`, `check_in`, `cancel`).
    pub action: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The request that caused it (`x-request-id`); none for workers.
    pub request_id: Option<String>,
    /// Details: `before` and `after` snapshots, reasons.
    pub metadata: serde_json::Value,
}

impl AuditEntry {
    /// A new entry for `action` on `entity` (type, id) by `actor` at `at`,
    /// naming the request being served, if any.
    pub fn new(
        tenant_id: TenantId,
        actor: &Actor,
        entity: (&str, Uuid),
        action: &str,
        metadata: serde_json::Value,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AuditId::new(),
            tenant_id,
            actor: actor.clone(),
            entity_type: entity.0.to_owned(),
            entity_id: entity.1,
            action: action.to_owned(),
            at,
            request_id: crate::request::current(),
            metadata,
        }
    }
}

/// Which audit entries to list; every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor's entries.
    pub actor: Option<Actor>,
    /// Only entries about this kind of entity.
    pub entity_type: Option<String>,
    /// Only entries about this entity.
    pub entity_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// A position in the audit log, newest first: entries strictly older than the
/// entry it names (by time, then id) come after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditCursor {
    /// The entry's time.
    pub at: DateTime<Utc>,
    /// The entry's id.
    pub id: AuditId,
}

/// A cursor that is not one of ours.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an audit log cursor")]
pub struct BadAuditCursor(pub String);

impl AuditCursor {
    /// The cursor of `entry`.
    pub fn of(entry: &AuditEntry) -> Self {
        Self {
            at: entry.at,
            id: entry.id,
        }
    }
}

impl fmt::Display for AuditCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.at.timestamp_micros(), self.id)
    }
}

impl FromStr for AuditCursor {
    type Err = BadAuditCursor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadAuditCursor(s.to_owned());
        let (micros, id) = s.split_once('_').ok_or_else(bad)?;
        let at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(bad)?;
        let id = id.parse().map_err(|_| bad())?;
        Ok(Self { at, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip() {
        for actor in [
            Actor::User(UserId::new()),
            Actor::ApiKey("k_123".into()),
            Actor::Public,
            Actor::System,
        ] {
            assert_eq!(actor.to_string().parse::<Actor>().unwrap(), actor);
        }
        assert!("robot".parse::<Actor>().is_err());
        assert!("user:nope".parse::<Actor>().is_err());
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursor = AuditCursor {
            at: DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap(),
            id: AuditId::new(),
        };
        assert_eq!(cursor.to_string().parse::<AuditCursor>().unwrap(), cursor);
        for bad in [
            "",
            "_",
            "12",
            "x_y",
            "12_not-a-uuid",
            "9999999999999999999_",
        ] {
            assert!(bad.parse::<AuditCursor>().is_err(), "{bad}");
        }
    }
}
