//! Users: the people who sign in to a tenant's admin side, each with a role.
//! Roles are ordered: owner > admin > staff > viewer. Passwords are stored only as
//! hashes (argon2id, computed by `crate::accounts::password`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::{TenantId, UserId};

/// What a user may do; each role includes the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything of the tenant.
    Viewer,
    /// Also manages reservations and clients.
    Staff,
    /// Also manages units, users, webhooks and API keys.
    Admin,
    /// Everything.
    Owner,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Self::Viewer, Self::Staff, Self::Admin, Self::Owner];

    /// The stored name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Staff => "staff",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    /// True when this role includes `other`'s rights.
    pub fn includes(&self, other: Role) -> bool {
        *self >= other
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a role.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role (owner, admin, staff, viewer)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// An e-mail address used to sign in: trimmed, lower-cased, with one `@` between
/// non-empty parts and no whitespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

/// A string that is not a usable e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an e-mail address")]
pub struct InvalidEmail(pub String);

impl Email {
    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = InvalidEmail;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let e = s.trim().to_lowercase();
        let ok = match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && e.len() <= 254
                    && !e.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if ok {
            Ok(Self(e))
        } else {
            Err(InvalidEmail(s.to_owned()))
        }
    }
}

/// A user as stored (without the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// The tenant the user belongs to.
    pub tenant_id: TenantId,
    /// Sign-in address, unique within the tenant.
    pub email: Email,
    /// What the user may do.
    pub role: Role,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user was disabled: a disabled user cannot sign in, and their
    /// session tokens are refused.
    pub disabled_at: Option<DateTime<Utc>>,
    /// The generation of the user's sessions: tokens carry the epoch they were
    /// issued in, and one from an older epoch is refused. A new password and
    /// "sign out everywhere" move it on.
    pub session_epoch: i64,
}

impl User {
    /// Whether the user may sign in and use their sessions.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    /// Whether the user is an owner who can act: the role a tenant must keep.
    pub fn is_active_owner(&self) -> bool {
        self.role == Role::Owner && self.is_active()
    }

    /// The user after `patch` at `now` (the password hash is stored apart).
    pub fn patched(&self, patch: &UserPatch, now: DateTime<Utc>) -> User {
        let mut after = self.clone();
        if let Some(role) = patch.role {
            after.role = role;
        }
        match patch.disabled {
            Some(true) if self.disabled_at.is_none() => after.disabled_at = Some(now),
            Some(false) => after.disabled_at = None,
            _ => {}
        }
        if patch.ends_sessions() && (patch.disabled != Some(true) || self.disabled_at.is_none()) {
            after.session_epoch = self.session_epoch + 1;
        }
        after
    }
}

/// A change to a user; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// A new role.
    pub role: Option<Role>,
    /// Disable (true) or enable (false) the user.
    pub disabled: Option<bool>,
    /// A new password hash (PHC string); ends the user's other sessions.
    pub password_hash: Option<String>,
    /// End every session of the user (their tokens stop working).
    pub revoke_sessions: bool,
}

impl UserPatch {
    /// Whether the change ends the user's sessions: a new password, a sign-out
    /// everywhere, or disabling (enabling later does not bring them back).
    pub fn ends_sessions(&self) -> bool {
        self.revoke_sessions || self.password_hash.is_some() || self.disabled == Some(true)
    }
}

/// What is needed to create a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// Sign-in address.
    pub email: Email,
    /// Role.
    pub role: Role,
    /// The password hash (PHC string).
    pub password_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_move_the_session_epoch_only_when_sessions_end() {
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let user = User {
            id: UserId::new(),
            tenant_id: TenantId::new(),
            email: "a@example.org".parse().unwrap(),
            role: Role::Owner,
            created_at: now,
            disabled_at: None,
            session_epoch: 3,
        };
        let role = user.patched(
            &UserPatch {
                role: Some(Role::Staff),
                ..UserPatch::default()
            },
            now,
        );
        assert_eq!((role.role, role.session_epoch), (Role::Staff, 3));
        assert!(user.is_active_owner() && !role.is_active_owner());
        let disabled = user.patched(
            &UserPatch {
                disabled: Some(true),
                ..UserPatch::default()
            },
            now,
        );
        assert_eq!(
            (disabled.disabled_at, disabled.session_epoch),
            (Some(now), 4)
        );
        // Disabling again changes nothing; enabling keeps the ended sessions ended.
        assert_eq!(
            disabled.patched(
                &UserPatch {
                    disabled: Some(true),
                    ..UserPatch::default()
                },
                now
            ),
            disabled
        );
        let enabled = disabled.patched(
            &UserPatch {
                disabled: Some(false),
                ..UserPatch::default()
            },
            now,
        );
        assert_eq!((enabled.disabled_at, enabled.session_epoch), (None, 4));
        for patch in [
            UserPatch {
                password_hash: Some("h".into()),
                ..UserPatch::default()
            },
            UserPatch {
                revoke_sessions: true,
                ..UserPatch::default()
            },
        ] {
            assert_eq!(user.patched(&patch, now).session_epoch, 4);
        }
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Owner.includes(Role::Viewer));
        assert!(Role::Staff.includes(Role::Staff));
        assert!(!Role::Staff.includes(Role::Admin));
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            " Ada@Example.ORG ".parse::<Email>().unwrap().as_str(),
            "ada@example.org"
        );
        for bad in [
            "",
            "ada",
            "@example.org",
            "ada@",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
    }
}
