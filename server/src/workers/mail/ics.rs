//! The stay as an iCalendar attachment (`stay.ics`, `text/calendar;
//! method=PUBLISH`) on the messages that confirm or change it: one event from
//! arrival to departure (instants in UTC, so every calendar shows the
//! guest's own local times), at the business's address and coordinates, with
//! the reference and the contact. Its UID is the reservation's, and its
//! SEQUENCE the reservation's version, so a later message updates the event
//! a calendar already holds.

use berth_core::ical::span::Span;
use berth_core::ical::write::{StayEvent, write_stay};
use berth_core::profile::TenantProfile;
use berth_core::reservation::Reservation;
use berth_core::state::ReservationState;
use chrono::{DateTime, Utc};

use super::context::MailContext;
use crate::locale::Lang;

/// The attachment's file name.
pub const FILE_NAME: &str = "stay.ics";
/// Its content type.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

/// The stay of `reservation` as a calendar document, written at `now`;
/// `domain` (the sender's) makes its UID globally unique.
pub fn stay(
    reservation: &Reservation,
    profile: &TenantProfile,
    context: &MailContext,
    domain: &str,
    now: DateTime<Utc>,
) -> String {
    let lang = if context.lang == "es" {
        Lang::Es
    } else {
        Lang::En
    };
    let b = &context.business;
    let r = &context.reservation;
    let mut description = vec![match lang {
        Lang::En => format!("Reference {} · {} guests", r.reference, r.guests),
        Lang::Es => format!("Referencia {} · {} personas", r.reference, r.guests),
    }];
    if let Some(time) = &b.check_in.time
        && r.model == "nightly"
    {
        description.push(match lang {
            Lang::En => format!("Check-in from {time}"),
            Lang::Es => format!("Entrada a partir de las {time}"),
        });
    }
    let contact: Vec<&str> = [b.phone.as_deref(), b.email.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !contact.is_empty() {
        description.push(format!("{}: {}", b.name, contact.join(" · ")));
    }
    write_stay(&StayEvent {
        uid: format!("{}@{domain}", reservation.id),
        sequence: reservation.version,
        stamp: now,
        span: Span::Instants(reservation.period),
        summary: format!("{} · {}", r.unit, b.name),
        location: b.address.as_ref().map(|a| a.formatted.clone()),
        geo: profile.coordinates.map(|c| (c.lat, c.lng)),
        description: Some(description.join("\n")),
        confirmed: reservation.state == ReservationState::Confirmed,
    })
}
