//! User writes: create, change (role, disabled, password, sign out
//! everywhere) and a user's own password change.

use crate::audit::Actor;
use crate::error::EngineError;
use crate::ids::{TenantId, UserId};
use crate::user::{NewUser, Role, User, UserPatch};

use super::{AccountError, Accounts, Caller, blocking, may_grant, new_password_hash, password};

/// A change to a user; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserChange {
    /// A new role, at most the caller's.
    pub role: Option<Role>,
    /// Disable (true) or enable (false).
    pub disabled: Option<bool>,
    /// A new password (checked, then hashed); ends the user's sessions.
    pub password: Option<String>,
    /// End every session of the user.
    pub revoke_sessions: bool,
}

/// FORBIDDEN unless `caller` may grant `role`.
fn grantable(caller: &Caller, role: Role) -> Result<(), AccountError> {
    if may_grant(caller.role, role) {
        Ok(())
    } else {
        Err(AccountError::Forbidden(format!(
            "nobody can grant more than they have ({}); this needs {role}",
            caller.role
        )))
    }
}

impl Accounts {
    /// Adds a user with `role` (at most the caller's) and a first password.
    /// FORBIDDEN for a role above the caller's; INVALID_INPUT (`email`) for an
    /// address that is not one; [`AccountError::WeakPassword`]; CONFLICT for an
    /// address the tenant has already.
    pub async fn create_user(
        &self,
        tenant: TenantId,
        caller: &Caller,
        email: &str,
        password: String,
        role: Role,
    ) -> Result<User, AccountError> {
        grantable(caller, role)?;
        let email = email.parse().map_err(|e| EngineError::InvalidInput {
            field: "email",
            message: format!("{e}"),
        })?;
        let password_hash = new_password_hash(password).await?;
        let new = NewUser {
            email,
            role,
            password_hash,
        };
        Ok(self
            .store
            .create_user(tenant, new, &caller.actor, self.clock.now())
            .await?)
    }

    /// Changes `target` (a user the caller has read): FORBIDDEN when the
    /// user's role, or the new one, is above the caller's;
    /// [`AccountError::WeakPassword`]; CONFLICT when it would leave the tenant
    /// without an active owner (checked by the store in the write's
    /// transaction). A change that ends sessions releases the user's locks.
    pub async fn update_user(
        &self,
        caller: &Caller,
        target: &User,
        change: UserChange,
    ) -> Result<User, AccountError> {
        if !may_grant(caller.role, target.role) {
            return Err(AccountError::Forbidden(format!(
                "changing a user with the {} role needs that role or higher (yours: {})",
                target.role, caller.role
            )));
        }
        if let Some(role) = change.role {
            grantable(caller, role)?;
        }
        let password_hash = match change.password {
            Some(password) => Some(new_password_hash(password).await?),
            None => None,
        };
        let patch = UserPatch {
            role: change.role,
            disabled: change.disabled,
            password_hash,
            revoke_sessions: change.revoke_sessions,
        };
        Ok(self
            .store
            .update_user(
                target.tenant_id,
                target.id,
                patch,
                &caller.actor,
                self.clock.now(),
            )
            .await?)
    }

    /// A signed-in user's own password change, given the current one.
    /// Guesses of the current password count against the account like
    /// sign-in failures (a stolen session must not be a way around them):
    /// RATE_LIMITED while it is throttled, [`AccountError::WrongPassword`] for
    /// a wrong one; UNAUTHENTICATED when the user is gone;
    /// [`AccountError::WeakPassword`] for a new one that breaks the rule.
    /// Every session of the user ends.
    pub async fn change_password(
        &self,
        tenant: TenantId,
        user_id: UserId,
        current_password: String,
        new_password: String,
    ) -> Result<User, AccountError> {
        let gone = || AccountError::Unauthenticated("sign in first".into());
        let user = self.store.user(tenant, user_id).await?.ok_or_else(gone)?;
        let (_, hash) = self
            .store
            .user_credentials(tenant, &user.email)
            .await?
            .ok_or_else(gone)?;
        let slug = self
            .store
            .tenant(tenant)
            .await?
            .map(|t| t.slug.to_string())
            .unwrap_or_default();
        if let Some(wait) = self.login_refused_for(&slug, user.email.as_str()).await? {
            return Err(AccountError::RateLimited {
                message: format!(
                    "too many failed password checks for this account; retry in {wait} s"
                ),
                retry_after: wait,
            });
        }
        let verified =
            blocking(move || password::verify_password(&current_password, Some(&hash))).await?;
        if !verified {
            self.login_failed(&slug, user.email.as_str()).await?;
            return Err(AccountError::WrongPassword);
        }
        self.login_succeeded(&slug, user.email.as_str()).await?;
        let password_hash = new_password_hash(new_password).await?;
        Ok(self
            .store
            .update_user(
                tenant,
                user_id,
                UserPatch {
                    password_hash: Some(password_hash),
                    ..UserPatch::default()
                },
                &Actor::User(user_id),
                self.clock.now(),
            )
            .await?)
    }
}
