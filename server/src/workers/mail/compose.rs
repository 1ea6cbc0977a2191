//! From facts to a message ready to send: the context, the two parts from the
//! tenant's templates (its overrides, else the defaults; an override that
//! fails at render falls back to the default of the same kind), the stay's
//! `.ics` for the kinds that carry it, and the envelope (the tenant's name on
//! the default sender, its profile's address as Reply-To).

use berth_core::ids::MailId;
use berth_core::mail::EmailAddress;
use chrono::{DateTime, Utc};

use super::context::{self, Facts};
use super::send::Outgoing;
use super::templates::{RenderError, Rendered, Templates};

/// The message of `facts` as `id`, at `now`, sent from `from`.
pub fn compose(
    templates: &Templates,
    facts: &Facts<'_>,
    id: MailId,
    from: &EmailAddress,
    now: DateTime<Utc>,
) -> Result<Outgoing, RenderError> {
    let lang = context::lang_of(facts.tenant);
    let ctx = context::build(facts);
    let set = templates.for_tenant(facts.tenant.slug.as_str(), lang);
    let Rendered {
        subject,
        text,
        html,
    } = match set.render(facts.kind, &ctx) {
        Ok(rendered) => rendered,
        Err(e) => {
            tracing::warn!(
                tenant = %facts.tenant.slug, kind = %facts.kind, error = %e,
                "a tenant's e-mail template failed; the default is sent instead"
            );
            templates.defaults(lang).render(facts.kind, &ctx)?
        }
    };
    let ics = facts
        .kind
        .carries_stay()
        .then(|| super::ics::stay(facts.reservation, facts.profile, &ctx, from.domain(), now));
    Ok(Outgoing {
        id,
        from_name: ctx.business.name.clone(),
        reply_to: facts
            .profile
            .email
            .as_deref()
            .and_then(|e| EmailAddress::parse(e).ok()),
        to: facts.recipient.clone(),
        to_name: ctx.recipient.name.clone(),
        date: now,
        subject,
        text,
        html,
        ics,
    })
}
