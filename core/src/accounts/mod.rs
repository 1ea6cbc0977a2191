//! Accounts: who may sign in to a tenant's admin side and act on it — its
//! users and its integrators' API keys. Every write to them goes through
//! [`Accounts`] (reached as [`Engine::accounts`](crate::Engine::accounts), or
//! built over a store by a caller without an engine, such as the CLI), and
//! the rules live here:
//!
//! - **Nobody grants more than they have** ([`may_grant`]): a new user's
//!   role, a changed role, the role of the user being changed and an API
//!   key's scope are at most the caller's role (FORBIDDEN otherwise).
//! - **A tenant keeps an active owner**: a change that demotes or disables
//!   the last active owner is CONFLICT. The count must be taken inside the
//!   write's transaction (two concurrent demotions must not both pass), so
//!   the store checks it in `update_user` (`store/records.rs`,
//!   `keeps_an_owner`); nothing else re-implements it.
//! - **Passwords** ([`password`]): at least ten characters, stored only as
//!   argon2id hashes; a new password, a sign-out everywhere and disabling end
//!   the user's sessions (`crate::user::UserPatch::ends_sessions`).
//! - **Sign-ins** ([`Accounts::sign_in`]): throttled per account
//!   (`crate::login_throttle`), the same answer and work for unknown tenants,
//!   unknown e-mails, wrong passwords and disabled users, audited for known
//!   users.
//!
//! Session tokens are the API layer's (they are a transport's credential);
//! what a token or key is worth is checked against the user or key as stored.

mod api_keys;
pub mod password;
mod sessions;
mod users;

use std::sync::Arc;

use crate::audit::Actor;
use crate::clock::Clock;
use crate::error::EngineError;
use crate::store::{Store, StoreError};
use crate::user::Role;

pub use api_keys::CreatedApiKey;
pub use users::UserChange;

/// The accounts service: users, passwords, sign-ins and API keys. Cheap to
/// clone.
#[derive(Clone, Debug)]
pub struct Accounts {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
}

/// Who asks for an account change: the actor recorded in the audit log and
/// the role that bounds what they may grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Recorded as the change's actor.
    pub actor: Actor,
    /// The caller's role (a key's scope).
    pub role: Role,
}

impl Caller {
    /// The operator at the command line: the system actor, who may grant
    /// every role.
    pub fn operator() -> Self {
        Self {
            actor: Actor::System,
            role: Role::Owner,
        }
    }
}

/// Why an account command did not happen. Nothing was written when one is
/// returned (a refused sign-in is audited and counted all the same).
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The caller may not do this (a role above their own).
    #[error("{0}")]
    Forbidden(String),
    /// No such user, or wrong credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed password checks for the account.
    #[error("{message}")]
    RateLimited {
        /// The refusal in words.
        message: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A new password breaks the password rule; the API names its field.
    #[error("{0}")]
    WeakPassword(String),
    /// The current password given is not the user's; the API names its field.
    #[error("this is not the current password")]
    WrongPassword,
    /// A refusal or failure of the engine's kind (INVALID_INPUT, CONFLICT, …).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A refusal or failure of the store (NOT_FOUND, CONFLICT, …).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether a holder of `holder` may grant `role` (to a user, to a user being
/// changed, or as an API key's scope): nobody grants more than they have.
pub fn may_grant(holder: Role, role: Role) -> bool {
    holder.includes(role)
}

impl Accounts {
    /// The service over `store`, reading the time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }
}

/// Runs argon2 work on the blocking pool; a panicked task is an internal
/// error.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| EngineError::Crashed(e.to_string()).into())
}

/// The hash of a new password, on the blocking pool; [`AccountError::WeakPassword`]
/// when it breaks the rule.
async fn new_password_hash(password: String) -> Result<String, AccountError> {
    password::check_password(&password).map_err(AccountError::WeakPassword)?;
    blocking(move || password::hash_password(&password))
        .await?
        .map_err(|e| EngineError::Crashed(e.to_string()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_grants_more_than_they_have() {
        for holder in Role::ALL {
            for role in Role::ALL {
                assert_eq!(may_grant(holder, role), role <= holder, "{holder} → {role}");
            }
        }
        assert!(may_grant(Caller::operator().role, Role::Owner));
        assert!(!may_grant(Role::Admin, Role::Owner));
        assert!(may_grant(Role::Admin, Role::Admin));
    }

    /// The service over a fresh SQLite store with one tenant, at a fixed time.
    async fn service() -> (Accounts, crate::ids::TenantId) {
        use crate::tenant::NewTenant;
        let store = crate::testing::fresh_sqlite(&std::env::temp_dir()).await;
        let now = "2026-11-25T10:00:00Z".parse().unwrap();
        let tenant = crate::store::TenantStore::create_tenant(
            &store,
            NewTenant {
                slug: "alpine-cabins".parse().unwrap(),
                name: "Alpine Cabins".into(),
                timezone: chrono_tz::Europe::Oslo,
                currency: "NOK".parse().unwrap(),
                locale: "nb-NO".into(),
            },
            &Actor::System,
            now,
        )
        .await
        .unwrap();
        let clock = Arc::new(crate::clock::ManualClock::new(now));
        (Accounts::new(Arc::new(store), clock), tenant.id)
    }

    #[tokio::test]
    async fn grants_are_bounded_and_a_tenant_keeps_an_active_owner() {
        let (accounts, tenant) = service().await;
        let operator = Caller::operator();
        let password = || "a long enough password".to_owned();
        let owner = accounts
            .create_user(
                tenant,
                &operator,
                "owner@example.org",
                password(),
                Role::Owner,
            )
            .await
            .unwrap();
        let admin = accounts
            .create_user(
                tenant,
                &operator,
                "admin@example.org",
                password(),
                Role::Admin,
            )
            .await
            .unwrap();
        let as_admin = Caller {
            actor: Actor::User(admin.id),
            role: Role::Admin,
        };

        // An admin grants at most admin, and cannot change an owner.
        let refused = accounts
            .create_user(
                tenant,
                &as_admin,
                "new@example.org",
                password(),
                Role::Owner,
            )
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "nobody can grant more than they have (admin); this needs owner"
        );
        assert!(matches!(refused, AccountError::Forbidden(_)));
        let refused = accounts
            .update_user(&as_admin, &owner, UserChange::default())
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "changing a user with the owner role needs that role or higher (yours: admin)"
        );
        let refused = accounts
            .create_api_key(tenant, &as_admin, "channel manager", Role::Owner)
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "a key cannot have more rights than its creator (admin)"
        );
        assert!(matches!(
            accounts
                .create_user(
                    tenant,
                    &as_admin,
                    "short@example.org",
                    "short".into(),
                    Role::Staff
                )
                .await,
            Err(AccountError::WeakPassword(_))
        ));

        // The last active owner can be neither demoted nor disabled (the
        // store's check, in the write's transaction) …
        for change in [
            UserChange {
                role: Some(Role::Admin),
                ..UserChange::default()
            },
            UserChange {
                disabled: Some(true),
                ..UserChange::default()
            },
        ] {
            let refused = accounts
                .update_user(&operator, &owner, change)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    &refused,
                    AccountError::Store(crate::store::StoreError::Conflict(_))
                ),
                "{refused:?}"
            );
            assert_eq!(
                refused.to_string(),
                "the tenant's last active owner cannot be demoted or disabled"
            );
        }
        // … until another owner is there.
        accounts
            .update_user(
                &operator,
                &admin,
                UserChange {
                    role: Some(Role::Owner),
                    ..UserChange::default()
                },
            )
            .await
            .unwrap();
        let demoted = accounts
            .update_user(
                &operator,
                &owner,
                UserChange {
                    role: Some(Role::Admin),
                    ..UserChange::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(demoted.role, Role::Admin);
    }

    #[tokio::test]
    async fn sign_ins_check_the_password_and_changing_it_ends_sessions() {
        let (accounts, tenant) = service().await;
        let user = accounts
            .create_user(
                tenant,
                &Caller::operator(),
                "ada@example.org",
                "first password".into(),
                Role::Staff,
            )
            .await
            .unwrap();
        let signed_in = accounts
            .sign_in("alpine-cabins", "Ada@Example.org", "first password")
            .await
            .unwrap();
        assert_eq!(signed_in.id, user.id);
        assert!(matches!(
            accounts
                .sign_in("alpine-cabins", "ada@example.org", "wrong password")
                .await,
            Err(AccountError::Unauthenticated(_))
        ));
        assert!(matches!(
            accounts
                .change_password(
                    tenant,
                    user.id,
                    "wrong password".into(),
                    "second password".into()
                )
                .await,
            Err(AccountError::WrongPassword)
        ));
        let changed = accounts
            .change_password(
                tenant,
                user.id,
                "first password".into(),
                "second password".into(),
            )
            .await
            .unwrap();
        assert_eq!(changed.session_epoch, user.session_epoch + 1);
        assert!(
            accounts
                .sign_in("alpine-cabins", "ada@example.org", "second password")
                .await
                .is_ok()
        );
    }
}
