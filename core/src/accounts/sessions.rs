//! Sign-in and sign-out: the credential check and its audit entries. The
//! session token a successful sign-in earns is the API layer's to issue.

use crate::audit::{Actor, AuditEntry};
use crate::ids::{TenantId, UserId};
use crate::user::User;

use super::{AccountError, Accounts, password};

impl Accounts {
    /// Checks a sign-in to tenant `tenant` (its slug) as `email` (both as
    /// typed). The throttle answers first (RATE_LIMITED with the seconds to
    /// wait for an account with too many recent failures); unknown tenants,
    /// unknown e-mails, wrong passwords and disabled users all get the same
    /// UNAUTHENTICATED answer after the same work (one argon2 verification, on
    /// the caller's task). Sign-ins of known users are audited (`sign_in`, or
    /// `sign_in_refused` by the public actor); failures count against the
    /// account, a success clears its count.
    pub async fn sign_in(
        &self,
        tenant: &str,
        email: &str,
        password: &str,
    ) -> Result<User, AccountError> {
        if let Some(wait) = self.login_refused_for(tenant, email).await? {
            return Err(AccountError::RateLimited {
                message: format!("too many failed sign-ins for this account; retry in {wait} s"),
                retry_after: wait,
            });
        }
        let wrong = || AccountError::Unauthenticated("wrong tenant, e-mail or password".into());
        let found_tenant = match tenant.parse() {
            Ok(slug) => self.store.tenant_by_slug(&slug).await?,
            Err(_) => None,
        };
        let found = match (&found_tenant, email.parse()) {
            (Some(t), Ok(email)) => self.store.user_credentials(t.id, &email).await?,
            _ => None,
        };
        let hash = found.as_ref().map(|(_, h)| h.as_str());
        // A disabled user is refused like a wrong password, after the same work.
        let active = found.as_ref().is_some_and(|(user, _)| user.is_active());
        let verified = password::verify_password(password, hash) && active;
        // Sign-ins of known users are audited, refused ones too (a run of them
        // is what an operator looks for); unknown e-mails name no entity.
        if let Some((user, _)) = &found {
            let (actor, action) = if verified {
                (Actor::User(user.id), "sign_in")
            } else {
                (Actor::Public, "sign_in_refused")
            };
            let entry = AuditEntry::new(
                user.tenant_id,
                &actor,
                ("user", user.id.as_uuid()),
                action,
                serde_json::json!({}),
                self.clock.now(),
            );
            self.store.record_audit(entry).await?;
        }
        if !verified {
            self.login_failed(tenant, email).await?;
            return Err(wrong());
        }
        self.login_succeeded(tenant, email).await?;
        let (user, _) = found.ok_or_else(wrong)?;
        Ok(user)
    }

    /// Records a signed-in user's sign-out (`sign_out`). Their tokens stay
    /// valid until they expire; [`Accounts::update_user`] with
    /// `revoke_sessions` ends them all.
    pub async fn record_sign_out(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<(), AccountError> {
        let entry = AuditEntry::new(
            tenant,
            &Actor::User(user),
            ("user", user.as_uuid()),
            "sign_out",
            serde_json::json!({}),
            self.clock.now(),
        );
        Ok(self.store.record_audit(entry).await?)
    }
}
