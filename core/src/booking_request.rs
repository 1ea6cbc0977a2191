//! A guest's booking request from a public site: a `held` reservation on the
//! public channel, for a client created with it in the same transaction, made by
//! the anonymous public actor. Staff confirm it (or let it expire under the
//! policy's hold rules) from the admin app.
//!
//! The rules a request adds to a booking: the guest gives a name and an e-mail
//! address (how staff answer), a phone is optional, the message is the
//! reservation's notes; the request is always a hold, never overrides a rule and
//! never consumes a lock. It is idempotent by the `request_key` the request form
//! carries: a double submit answers the reservation the first one made.
//!
//! A refusal never tells a visitor about other guests: a stay in the way is
//! reported as plainly unavailable (staff see which one; a visitor must not),
//! and a lock is reported without its holder.

use crate::audit::Actor;
use crate::client::NewClient;
use crate::engine::{CreateReservation, Engine};
use crate::error::EngineError;
use crate::ids::{TenantId, UnitId};
use crate::policy::{Party, PeriodRequest};
use crate::reservation::{Channel, IdempotencyKey, Reservation};
use crate::store::ClientRef;

/// The longest guest name, e-mail address or phone number accepted.
pub const MAX_CONTACT_CHARS: usize = 200;

/// What a guest asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct BookingRequest {
    /// The unit.
    pub unit_id: UnitId,
    /// The period, as the tenant's model reads it.
    pub period: PeriodRequest,
    /// Guests and quantity.
    pub party: Party,
    /// Who asks: name and e-mail required, phone optional (notes and the
    /// blocked flag are staff's and are ignored).
    pub guest: NewClient,
    /// The guest's message to the business.
    pub message: Option<String>,
    /// The request form's own key (1–128 printable ASCII characters): the same
    /// key answers the same reservation.
    pub request_key: String,
}

/// Trims `value`, `None` when blank; INVALID_INPUT naming `field` when longer than
/// [`MAX_CONTACT_CHARS`].
fn contact(field: &'static str, value: Option<&str>) -> Result<Option<String>, EngineError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_CONTACT_CHARS {
        return Err(EngineError::InvalidInput {
            field,
            message: format!("at most {MAX_CONTACT_CHARS} characters"),
        });
    }
    Ok(Some(value.to_owned()))
}

/// An address of the form `local@domain.tld` without spaces: enough to catch
/// a typing slip; whether it reaches anyone only a message can tell.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// The guest as a new client, checked.
fn guest(guest: &NewClient) -> Result<NewClient, EngineError> {
    let name = contact("name", Some(&guest.name))?.ok_or(EngineError::InvalidInput {
        field: "name",
        message: "please give your name".into(),
    })?;
    let email = contact("email", guest.email.as_deref())?.ok_or(EngineError::InvalidInput {
        field: "email",
        message: "please give an e-mail address so that the business can answer".into(),
    })?;
    if !plausible_email(&email) {
        return Err(EngineError::InvalidInput {
            field: "email",
            message: "this does not look like an e-mail address".into(),
        });
    }
    Ok(NewClient {
        name,
        email: Some(email),
        phone: contact("phone", guest.phone.as_deref())?,
        notes: None,
        blocked: false,
    })
}

/// The idempotency key of a request key: its own namespace, so a public form
/// can never answer with a reservation staff or an integrator made.
fn idempotency_key(request_key: &str) -> Result<IdempotencyKey, EngineError> {
    let invalid = || EngineError::InvalidInput {
        field: "requestKey",
        message: "the request form is damaged; please reload the page".into(),
    };
    if request_key.is_empty() || request_key.len() > 128 {
        return Err(invalid());
    }
    format!("public:{request_key}")
        .parse()
        .map_err(|_| invalid())
}

impl Engine {
    /// Records a guest's booking request as a `held` reservation (channel
    /// public) with a new client, in one transaction; the same `request_key`
    /// answers the same reservation. Refusals are those of a booking, except
    /// that another guest's stay in the way is plain UNAVAILABLE.
    pub async fn request_booking(
        &self,
        tenant_id: TenantId,
        req: BookingRequest,
    ) -> Result<Reservation, EngineError> {
        // Which unit comes before who asks: a unit of another tenant is
        // NOT_FOUND whatever else the request holds.
        self.tenant_and_unit(tenant_id, req.unit_id).await?;
        let client = guest(&req.guest)?;
        let message = req
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        let cmd = CreateReservation {
            unit_id: req.unit_id,
            period: req.period,
            party: req.party,
            client: ClientRef::New(client),
            idempotency_key: Some(idempotency_key(&req.request_key)?),
            notes: message,
            hold: true,
            channel: Channel::Public,
            consume_lock: None,
            policy_override: None,
        };
        // A visitor acts in no session: every lock refuses it.
        let engine = Engine {
            session: None,
            ..self.clone()
        };
        match engine
            .create_reservation(tenant_id, cmd, &Actor::Public)
            .await
        {
            Err(EngineError::Occupied { unit_id, .. }) => Err(EngineError::Unavailable { unit_id }),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(name: &str, email: Option<&str>, phone: Option<&str>) -> NewClient {
        NewClient {
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            notes: Some("staff only".into()),
            blocked: true,
        }
    }

    fn field(e: EngineError) -> &'static str {
        match e {
            EngineError::InvalidInput { field, .. } => field,
            other => panic!("expected INVALID_INPUT, got {other:?}"),
        }
    }

    #[test]
    fn a_guest_gives_a_name_and_a_plausible_email() {
        let ok = guest(&client(" Ana ", Some(" ana@example.org "), Some(" "))).unwrap();
        assert_eq!(ok.name, "Ana");
        assert_eq!(ok.email.as_deref(), Some("ana@example.org"));
        assert_eq!(ok.phone, None, "a blank phone is none");
        assert_eq!(ok.notes, None, "notes are staff's");
        assert!(!ok.blocked, "a guest cannot block or unblock itself");
        assert_eq!(
            field(guest(&client("  ", Some("a@b.c"), None)).unwrap_err()),
            "name"
        );
        assert_eq!(
            field(guest(&client("Ana", None, None)).unwrap_err()),
            "email"
        );
        for bad in [
            "ana", "ana@", "@b.c", "ana@b", "an a@b.c", "ana@.c", "ana@b.",
        ] {
            assert_eq!(
                field(guest(&client("Ana", Some(bad), None)).unwrap_err()),
                "email",
                "{bad}"
            );
        }
        let long = "x".repeat(MAX_CONTACT_CHARS + 1);
        assert_eq!(
            field(guest(&client(&long, Some("a@b.c"), None)).unwrap_err()),
            "name"
        );
        assert_eq!(
            field(guest(&client("Ana", Some("a@b.c"), Some(&long))).unwrap_err()),
            "phone"
        );
    }

    #[test]
    fn request_keys_live_in_their_own_namespace() {
        assert_eq!(idempotency_key("abc").unwrap().as_str(), "public:abc");
        assert_eq!(field(idempotency_key("").unwrap_err()), "requestKey");
        assert_eq!(
            field(idempotency_key(&"k".repeat(129)).unwrap_err()),
            "requestKey"
        );
        assert_eq!(
            field(idempotency_key("tab\tkey").unwrap_err()),
            "requestKey"
        );
    }
}
