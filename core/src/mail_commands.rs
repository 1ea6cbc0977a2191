//! The engine's e-mail commands: what a mail worker and the API call. The
//! worker takes each tenant's [`MailSettings`] from its live policy; an
//! operator resends a message through [`Engine::resend_mail`] (the store
//! records the audit entry). Queueing, claiming and reporting are the store's
//! ([`crate::store::MailStore`]), called by the worker with the engine's clock.

use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::{MailId, TenantId};
use crate::mail::{MailMessage, MailSettings};
use crate::tenant::Tenant;

impl Engine {
    /// The e-mail settings of `tenant`'s live policy (its reminder's lead
    /// time). POLICY_ERROR when the tenant has no live policy.
    pub fn mail_settings(&self, tenant: &Tenant) -> Result<MailSettings, EngineError> {
        Ok(MailSettings {
            reminder_days: self.policies.policy(tenant)?.reminder_days(),
        })
    }

    /// The e-mail settings of the tenant with this id (NOT_FOUND for none).
    pub async fn mail_settings_of(&self, tenant_id: TenantId) -> Result<MailSettings, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        self.mail_settings(&tenant)
    }

    /// Sends a sent or failed message again, due now, with an audit entry
    /// (see [`crate::store::MailStore::resend_mail`]): the message as it
    /// stands then.
    pub async fn resend_mail(
        &self,
        tenant_id: TenantId,
        id: MailId,
        actor: &Actor,
    ) -> Result<MailMessage, EngineError> {
        Ok(self
            .store
            .resend_mail(tenant_id, id, actor, self.clock.now())
            .await?)
    }
}
