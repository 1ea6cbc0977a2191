//! What a message's templates read: the business (name, contact, address, map
//! link, arrival and departure times), the recipient, the guest and the stay —
//! every date, time and amount already written the tenant's way (its
//! language, timezone, currency and locale; `crate::locale`). Built from the
//! claimed message, the unit, the tenant, its profile and the client; the
//! variables are documented in docs/emails.md and [`sample`] holds one of
//! each, which `berth policy check` renders every template against.
//!
//! Every text is one line where a line is expected (a name with a line break
//! would otherwise start a new line of the plain part or the subject).

use berth_core::client::Client;
use berth_core::mail::{EmailAddress, MailKind};
use berth_core::money::Money;
use berth_core::policy::OccupancyBasis;
use berth_core::profile::{Handover, TenantProfile};
use berth_core::reservation::Reservation;
use berth_core::tenant::Tenant;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::locale::{Lang, LocaleFormat};

/// Everything a template sees.
#[derive(Clone, Debug, Serialize)]
pub struct MailContext {
    /// The message kind (`confirmed`).
    pub kind: &'static str,
    /// The language (`en`, `es`).
    pub lang: &'static str,
    /// The business.
    pub business: Business,
    /// Who the message is to.
    pub recipient: Recipient,
    /// The guest the reservation is for.
    pub guest: Guest,
    /// The reservation.
    pub reservation: Stay,
}

/// The business, as its profile describes it.
#[derive(Clone, Debug, Serialize)]
pub struct Business {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    /// An OpenStreetMap link to the profile's coordinates.
    pub map_url: Option<String>,
    pub check_in: HandoverView,
    pub check_out: HandoverView,
}

/// An address in lines.
#[derive(Clone, Debug, Serialize)]
pub struct Address {
    pub street: String,
    /// `3920 Zermatt`.
    pub locality_line: String,
    pub region: Option<String>,
    pub country: String,
    /// Everything on one line.
    pub formatted: String,
}

/// Arrival or departure as the business handles it.
#[derive(Clone, Debug, Serialize)]
pub struct HandoverView {
    /// `15:00` / `3:00 PM`.
    pub time: Option<String>,
    /// What to know (key box, parking…).
    pub notes: Option<String>,
}

/// The recipient.
#[derive(Clone, Debug, Serialize)]
pub struct Recipient {
    pub name: Option<String>,
    pub email: String,
}

/// The guest.
#[derive(Clone, Debug, Serialize)]
pub struct Guest {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// An instant as the tenant's calendar and clock show it.
#[derive(Clone, Debug, Serialize)]
pub struct Moment {
    /// `Sat 12 Dec 2026` / `sáb, 12 dic 2026`.
    pub date: String,
    /// `15:00` / `3:00 PM`.
    pub time: String,
    /// `Saturday` / `sábado`.
    pub weekday: String,
}

/// One line of the price.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    pub label: String,
    pub amount: String,
}

/// The reservation.
#[derive(Clone, Debug, Serialize)]
pub struct Stay {
    /// What the guest quotes: `099A-8057`.
    pub reference: String,
    /// The reservation's id.
    pub id: String,
    /// `held`, `confirmed`, `canceled`…
    pub state: &'static str,
    /// The unit's name.
    pub unit: String,
    /// `nightly`, `timeslot` or `interval`.
    pub model: &'static str,
    /// The period in words: `Sat 12 Dec 2026 – Tue 15 Dec 2026 (3 nights)`.
    pub when: String,
    /// Its start.
    pub arrival: Moment,
    /// Its end.
    pub departure: Moment,
    /// Nights (nightly only).
    pub nights: Option<u32>,
    pub guests: u32,
    pub quantity: u32,
    /// The total, in the tenant's currency.
    pub total: Option<String>,
    /// The price's lines.
    pub lines: Vec<Line>,
    /// The refund the cancellation gave, when above zero.
    pub refund: Option<String>,
    /// Until when a request is held (held only).
    pub hold_until: Option<String>,
    /// The guest's message with the request.
    pub message: Option<String>,
    /// Whether a reminder will follow before arrival (the tenant sends
    /// reminders and its day is still ahead).
    pub reminder_coming: bool,
}

/// What a context is built from.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub kind: MailKind,
    pub tenant: &'a Tenant,
    pub profile: &'a TenantProfile,
    pub basis: OccupancyBasis,
    pub unit_name: &'a str,
    pub reservation: &'a Reservation,
    pub recipient: &'a EmailAddress,
    pub recipient_name: Option<&'a str>,
    /// The reservation's client (`None`: none, or no longer readable).
    pub client: Option<&'a Client>,
    /// Whether a reminder will follow before arrival.
    pub reminder_coming: bool,
}

/// The language of `tenant`'s messages.
pub fn lang_of(tenant: &Tenant) -> Lang {
    Lang::of_locale(&tenant.locale)
}

/// Builds the context.
pub fn build(f: &Facts<'_>) -> MailContext {
    let lang = lang_of(f.tenant);
    let fmt = LocaleFormat::new(&f.tenant.locale, lang);
    let tz = f.tenant.timezone;
    let r = f.reservation;
    let p = f.profile;
    let moment = |at: DateTime<Utc>| {
        let local = at.with_timezone(&tz);
        Moment {
            date: fmt.date_long(local.date_naive()),
            time: fmt.time(local.time()),
            weekday: lang
                .weekday_long(chrono::Datelike::weekday(&local.date_naive()))
                .to_owned(),
        }
    };
    let (model, nights) = match f.basis {
        OccupancyBasis::Nights => {
            let nights = match (r.check_in, r.check_out) {
                (Some(a), Some(b)) => u32::try_from((b - a).num_days()).ok(),
                _ => None,
            };
            ("nightly", nights)
        }
        OccupancyBasis::SeatHours => ("timeslot", None),
        OccupancyBasis::ItemHours => ("interval", None),
    };
    let arrival = moment(r.period.start());
    let departure = moment(r.period.end());
    let when = when(lang, f, nights, &arrival, &departure);
    let money = |m: &Money| fmt.money(m);
    let client = f.client.filter(|c| c.erased_at.is_none());
    MailContext {
        kind: f.kind.as_str(),
        lang: lang.code(),
        business: Business {
            name: one_line(&f.tenant.name),
            email: p.email.as_deref().map(one_line),
            phone: p.phone.as_deref().map(one_line),
            address: p.address.as_ref().map(|a| Address {
                street: one_line(&a.street),
                locality_line: one_line(&match &a.postal_code {
                    Some(code) => format!("{code} {}", a.locality),
                    None => a.locality.clone(),
                }),
                region: a.region.as_deref().map(one_line),
                country: one_line(&a.country),
                formatted: one_line(&a.formatted()),
            }),
            map_url: p.coordinates.map(|c| {
                format!(
                    "https://www.openstreetmap.org/?mlat={:.5}&mlon={:.5}#map=16/{:.5}/{:.5}",
                    c.lat, c.lng, c.lat, c.lng
                )
            }),
            check_in: handover(&p.check_in, &fmt),
            check_out: handover(&p.check_out, &fmt),
        },
        recipient: Recipient {
            // Staff are named by their address: no name then.
            name: f
                .recipient_name
                .map(one_line)
                .filter(|n| !n.is_empty() && n != f.recipient.as_str()),
            email: f.recipient.as_str().to_owned(),
        },
        guest: Guest {
            name: client.map(|c| one_line(&c.name)).unwrap_or_default(),
            email: client.and_then(|c| c.email.as_deref().map(one_line)),
            phone: client.and_then(|c| c.phone.as_deref().map(one_line)),
        },
        reservation: Stay {
            reference: crate::http::site::reference_of(&r.id.to_string()),
            id: r.id.to_string(),
            state: r.state.as_str(),
            unit: one_line(f.unit_name),
            model,
            when,
            arrival,
            departure,
            nights,
            guests: r.guests.get(),
            quantity: r.quantity.get(),
            total: r.price.as_ref().map(|p| money(&p.total)),
            lines: r
                .price
                .as_ref()
                .map(|p| {
                    p.lines
                        .iter()
                        .map(|l| Line {
                            label: one_line(&l.label),
                            amount: money(&l.amount),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            refund: r.refund.as_ref().filter(|m| m.amount_minor > 0).map(money),
            hold_until: r
                .hold_expires_at
                .filter(|_| r.state == berth_core::state::ReservationState::Held)
                .map(|at| {
                    let m = moment(at);
                    format!("{}, {}", m.date, m.time)
                }),
            message: r.notes.clone().filter(|n| !n.trim().is_empty()),
            reminder_coming: f.reminder_coming,
        },
    }
}

fn handover(h: &Handover, fmt: &LocaleFormat) -> HandoverView {
    HandoverView {
        time: h.time.map(|t| fmt.time(t)),
        notes: h.notes.clone(),
    }
}

/// The period in words, in the message's language.
fn when(
    lang: Lang,
    f: &Facts<'_>,
    nights: Option<u32>,
    arrival: &Moment,
    departure: &Moment,
) -> String {
    let same_day = arrival.date == departure.date;
    match (f.basis, lang) {
        (OccupancyBasis::Nights, _) => {
            let n = nights.unwrap_or(0);
            let count = match (lang, n) {
                (Lang::En, 1) => "1 night".to_owned(),
                (Lang::En, n) => format!("{n} nights"),
                (Lang::Es, 1) => "1 noche".to_owned(),
                (Lang::Es, n) => format!("{n} noches"),
            };
            format!("{} – {} ({count})", arrival.date, departure.date)
        }
        _ if same_day => format!("{}, {}–{}", arrival.date, arrival.time, departure.time),
        _ => format!(
            "{}, {} – {}, {}",
            arrival.date, arrival.time, departure.date, departure.time
        ),
    }
}

/// `s` on one line: line breaks and other control characters become spaces.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A context with every variable set, for checking templates: a guest
/// named `<b>Ana</b> & "co"`, a confirmed three-night stay with a price, a
/// refund, a hold and a message, and a business with every contact.
pub fn sample(kind: MailKind, lang: Lang) -> MailContext {
    let s = |v: &str| v.to_owned();
    let (date_a, date_b, weekday_a, weekday_b) = match lang {
        Lang::En => ("Sat 12 Dec 2026", "Tue 15 Dec 2026", "Saturday", "Tuesday"),
        Lang::Es => ("sáb, 12 dic 2026", "mar, 15 dic 2026", "sábado", "martes"),
    };
    MailContext {
        kind: kind.as_str(),
        lang: lang.code(),
        business: Business {
            name: s("Alpine Cabins"),
            email: Some(s("hello@alpine.example")),
            phone: Some(s("+41 27 555 01 00")),
            address: Some(Address {
                street: s("Riedweg 12"),
                locality_line: s("3920 Zermatt"),
                region: Some(s("Valais")),
                country: s("CH"),
                formatted: s("Riedweg 12, 3920 Zermatt, Valais, CH"),
            }),
            map_url: Some(s(
                "https://www.openstreetmap.org/?mlat=46.02000&mlon=7.74900#map=16/46.02000/7.74900",
            )),
            check_in: HandoverView {
                time: Some(s("15:00")),
                notes: Some(s("The key box is left of the door; the code comes by SMS.")),
            },
            check_out: HandoverView {
                time: Some(s("10:00")),
                notes: Some(s("Leave the key in the box.")),
            },
        },
        recipient: Recipient {
            name: Some(s("<b>Ana</b> & \"co\"")),
            email: s("ana@example.com"),
        },
        guest: Guest {
            name: s("<b>Ana</b> & \"co\""),
            email: Some(s("ana@example.com")),
            phone: Some(s("+34 600 000 000")),
        },
        reservation: Stay {
            reference: s("099A-8057"),
            id: s("01890a5d-ac96-774b-bcce-b302099a8057"),
            state: "confirmed",
            unit: s("Larch Cabin"),
            model: "nightly",
            when: match lang {
                Lang::En => format!("{date_a} – {date_b} (3 nights)"),
                Lang::Es => format!("{date_a} – {date_b} (3 noches)"),
            },
            arrival: Moment {
                date: s(date_a),
                time: s("15:00"),
                weekday: s(weekday_a),
            },
            departure: Moment {
                date: s(date_b),
                time: s("10:00"),
                weekday: s(weekday_b),
            },
            nights: Some(3),
            guests: 2,
            quantity: 1,
            total: Some(s("CHF 690.00")),
            lines: vec![
                Line {
                    label: s("3 nights"),
                    amount: s("CHF 660.00"),
                },
                Line {
                    label: s("Cleaning"),
                    amount: s("CHF 30.00"),
                },
            ],
            refund: Some(s("CHF 345.00")),
            hold_until: Some(format!("{date_a}, 09:00")),
            message: Some(s("We arrive late, around 21:00.")),
            reminder_coming: true,
        },
    }
}
