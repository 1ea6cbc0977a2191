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
    /// Details: `before` and `after` snapshots, reasons.
    pub metadata: serde_json::Value,
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
}
