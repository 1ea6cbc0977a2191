//! GraphQL input scalars and input objects, and the parsers resolvers hand
//! their strings to: the bytes are read with `arbitrary` as a list of cases —
//! a `Date` or `DateTime` scalar from text, a GraphQL value (built as a tree,
//! with the field names berth's inputs use) parsed as each input object
//! (`QuoteInput`, `CreateReservationInput`, …) and then as a period and a
//! party, paging sizes, event and audit cursors, ids, and the texts that
//! become domain values (reasons, addresses, slugs, currencies, calendar and
//! push URLs, keys). Besides not panicking: what parses prints as text that
//! parses back to the same value.

use std::fmt::{Debug, Display};
use std::str::FromStr;

use arbitrary::{Arbitrary, Unstructured};
use async_graphql::{InputType, Name, Number, Value};
use berth_core::audit::AuditCursor;
use berth_core::event::EventCursor;
use berth_core::ids::{ClientId, ReservationId, TenantId, UnitId};
use berth_graphql::scalars::Date;
use berth_graphql::types::{PeriodInput, QuoteInput, party};
use chrono::{DateTime, Utc};

/// Field names of berth's input objects, so that built values reach past
/// "unknown field".
const FIELDS: &[&str] = &[
    "checkIn",
    "checkOut",
    "start",
    "end",
    "period",
    "unitId",
    "guests",
    "quantity",
    "clientId",
    "client",
    "name",
    "email",
    "phone",
    "notes",
    "reason",
    "state",
    "states",
    "from",
    "to",
    "first",
    "after",
    "url",
    "intervalMinutes",
    "seconds",
    "inventory",
    "maxGuests",
    "attributes",
    "kind",
    "description",
    "amenities",
    "path",
    "text",
    "p256dh",
    "auth",
    "endpoint",
    "role",
    "idempotencyKey",
    "action",
    "entity",
    "actor",
];

/// A GraphQL value as a tree.
#[derive(Arbitrary, Debug)]
enum Tree {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Date { year: i32, month: u8, day: u8 },
    Instant(i64),
    Bool(bool),
    Enum(String),
    List(Vec<Tree>),
    Object(Vec<(u8, Option<String>, Tree)>),
}

impl Tree {
    fn value(&self, depth: usize) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        match self {
            Self::Null => Value::Null,
            Self::Int(n) => Value::Number(Number::from(*n)),
            Self::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Self::Text(s) => Value::String(s.clone()),
            Self::Date { year, month, day } => {
                Value::String(format!("{year:04}-{month:02}-{day:02}"))
            }
            Self::Instant(secs) => Value::String(
                DateTime::<Utc>::from_timestamp(*secs, 0)
                    .map_or_else(String::new, |t| t.to_rfc3339()),
            ),
            Self::Bool(b) => Value::Boolean(*b),
            Self::Enum(s) => Value::Enum(Name::new(s)),
            Self::List(items) => Value::List(items.iter().map(|t| t.value(depth + 1)).collect()),
            Self::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(known, other, t)| {
                        let name = match other {
                            Some(name) if known % 8 == 0 => name.clone(),
                            _ => FIELDS[usize::from(*known) % FIELDS.len()].to_owned(),
                        };
                        (Name::new(name), t.value(depth + 1))
                    })
                    .collect(),
            ),
        }
    }
}

/// One case.
#[derive(Arbitrary, Debug)]
enum Case<'a> {
    Date(&'a str),
    DateTime(&'a str),
    Input(u8, Tree),
    Party(i32, i32),
    PageSize(i32),
    Text(u8, &'a str),
    PushKeys(&'a str, &'a str),
}

/// Runs every case of `data` (see the module's comment).
pub fn run(data: &[u8]) {
    let Ok(cases) = Vec::<Case<'_>>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    for case in cases {
        match case {
            Case::Date(s) => date(s),
            Case::DateTime(s) => {
                let value = Value::String(s.to_owned());
                if let Ok(t) = <DateTime<Utc> as InputType>::parse(Some(value)) {
                    let again = <DateTime<Utc> as InputType>::parse(Some(t.to_value()));
                    assert_eq!(again.ok(), Some(t), "a DateTime prints as itself");
                }
            }
            Case::Input(which, tree) => input(which, &tree.value(0)),
            Case::Party(guests, quantity) => {
                let _ = party(guests, quantity);
            }
            Case::PageSize(first) => {
                let size = berth_graphql::page::page_size(first);
                assert_eq!(
                    size.is_ok(),
                    (1..=berth_graphql::page::MAX_PAGE).contains(&first),
                    "page size {first}"
                );
            }
            Case::Text(which, s) => text(which, s),
            Case::PushKeys(p256dh, auth) => {
                let _ = berth_core::push::PushKeys::parse(p256dh, auth);
            }
        }
    }
}

fn date(s: &str) {
    let value = Value::String(s.to_owned());
    if let Ok(d) = <Date as InputType>::parse(Some(value)) {
        let again = <Date as InputType>::parse(Some(InputType::to_value(&d)));
        assert_eq!(again.ok(), Some(d), "a Date prints as itself");
    }
}

/// Parses `value` as one of the input objects, and what resolvers make of it.
fn input(which: u8, value: &Value) {
    use berth_graphql::{
        audit, blocks, booking_requests, calendar_sync, clients, locks, policy_plan, push,
        reservations, types, units, users,
    };
    fn parse<T: InputType>(value: &Value) -> Option<T> {
        let parsed = T::parse(Some(value.clone())).ok()?;
        // What parsed prints as a value that parses again.
        let again = T::parse(Some(parsed.to_value()));
        assert!(
            again.is_ok(),
            "{} prints as a value it refuses",
            T::type_name()
        );
        Some(parsed)
    }
    match which % 21 {
        0 => {
            if let Some(p) = parse::<PeriodInput>(value) {
                let _ = p.parse();
            }
        }
        1 => {
            if let Some(q) = parse::<QuoteInput>(value) {
                let _ = (q.period.parse(), party(q.guests, q.quantity));
                let _ = berth_graphql::ids::parse::<UnitId>(&q.unit_id, "unitId");
            }
        }
        2 => {
            if let Some(a) = parse::<types::AvailabilityInput>(value) {
                let _ = (a.period.parse(), party(a.guests, a.quantity));
            }
        }
        3 => drop(parse::<audit::AuditLogFilter>(value)),
        4 => drop(parse::<blocks::BlockUnitInput>(value)),
        5 => drop(parse::<booking_requests::BookingRequestInput>(value)),
        6 => drop(parse::<booking_requests::GuestInput>(value)),
        7 => drop(parse::<calendar_sync::AddCalendarSyncInput>(value)),
        8 => drop(parse::<clients::ClientInput>(value)),
        9 => drop(parse::<clients::CreateClientInput>(value)),
        10 => drop(parse::<clients::UpdateClientInput>(value)),
        11 => drop(parse::<locks::LockInput>(value)),
        12 => drop(parse::<policy_plan::PolicyFileInput>(value)),
        13 => drop(parse::<push::PushSubscriptionKeysInput>(value)),
        14 => drop(parse::<push::NotificationSettingsInput>(value)),
        15 => drop(parse::<reservations::ReservationFilterInput>(value)),
        16 => drop(parse::<reservations::CreateReservationInput>(value)),
        17 => drop(parse::<reservations::UpdateReservationInput>(value)),
        18 => drop(parse::<units::CreateUnitInput>(value)),
        19 => drop(parse::<units::UpdateUnitInput>(value)),
        _ => drop(parse::<users::UpdateUserInput>(value)),
    }
}

/// Parses `s` as `T`; what parses prints as text that parses to the same.
fn round_trip<T>(s: &str)
where
    T: FromStr + Display + PartialEq + Debug,
{
    if let Ok(v) = s.parse::<T>() {
        let printed = v.to_string();
        assert_eq!(
            printed.parse::<T>().ok().as_ref(),
            Some(&v),
            "`{s}` parses, but its text `{printed}` does not parse back"
        );
    }
}

/// The text parsers resolvers call on arguments.
fn text(which: u8, s: &str) {
    use berth_core::{mail, push, reason, reservation, state, tenant, user};
    match which % 20 {
        0 => round_trip::<EventCursor>(s),
        1 => round_trip::<AuditCursor>(s),
        2 => round_trip::<ReservationId>(s),
        3 => round_trip::<ClientId>(s),
        4 => round_trip::<TenantId>(s),
        5 => round_trip::<tenant::TenantSlug>(s),
        6 => round_trip::<berth_core::money::Currency>(s),
        7 => drop(s.parse::<reason::Reason>()),
        8 => drop(s.parse::<user::Email>()),
        9 => drop(mail::EmailAddress::parse(s)),
        10 => drop(s.parse::<reservation::IdempotencyKey>()),
        11 => drop(s.parse::<reservation::Channel>()),
        12 => drop(s.parse::<state::ReservationState>()),
        13 => drop(s.parse::<user::Role>()),
        14 => drop(push::PushEndpoint::parse(s, false)),
        15 => drop(s.parse::<push::NotificationKind>()),
        16 => {
            if let Ok(url) = s.parse::<berth_core::ical::sync::SyncUrl>() {
                let again = url.as_str().parse::<berth_core::ical::sync::SyncUrl>();
                assert_eq!(
                    again.as_ref().ok(),
                    Some(&url),
                    "a calendar URL reads as itself"
                );
            }
        }
        17 => drop(berth_core::api_key::parse_api_key(s)),
        18 => drop(s.parse::<mail::MailKind>()),
        _ => drop(s.parse::<berth_core::lock::SessionId>()),
    }
}
