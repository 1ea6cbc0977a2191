//! The typed form of `tenant.yaml`: identity, booking model, the model's rules and
//! the pricing. These types are the source of the JSON Schema that editors and
//! `berth policy check` validate against (`policies/schema/tenant.schema.json` is
//! generated from them, and a test fails when the committed file is stale), so
//! every field's doc comment is also its hover text in an editor.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A tenant's `tenant.yaml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "berth tenant",
    example = example_tenant(),
)]
pub struct TenantConfig {
    /// URL-safe name of the tenant; must equal its directory name.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,61}[a-z0-9]$"), example = &"alpine-cabins")]
    pub slug: String,
    /// Display name.
    #[schemars(length(min = 1, max = 200), example = &"Alpine Cabins")]
    pub name: String,
    /// IANA timezone in which dates and times of this file are read.
    #[schemars(example = &"Europe/Zurich")]
    pub timezone: String,
    /// ISO 4217 currency of every amount in this file (amounts are in minor units).
    #[schemars(regex(pattern = r"^[A-Z]{3}$"), example = &"CHF")]
    pub currency: String,
    /// BCP 47 locale for texts shown to clients.
    #[serde(default = "default_locale")]
    #[schemars(example = &"de-CH")]
    pub locale: String,
    /// Public profile shown on the tenant's site.
    #[serde(default)]
    pub profile: Profile,
    /// The booking model: how a request's period is read.
    pub model: ModelKind,
    /// Rules of the nightly model (required when `model: nightly`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nightly: Option<NightlyRules>,
    /// Rules of the timeslot model (required when `model: timeslot`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeslot: Option<TimeslotRules>,
    /// Rules of the interval model (required when `model: interval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<IntervalRules>,
    /// How bookings are priced.
    pub pricing: Pricing,
    /// How long a `held` reservation keeps its place before it expires unless
    /// confirmed, in minutes (1 minute to 14 days): a guest's booking request
    /// from the public site, or a tentative hold staff take.
    #[serde(default = "default_hold_minutes")]
    #[schemars(range(min = 1, max = 20160), example = &1440)]
    pub hold_minutes: u32,
    /// How many days before arrival the guest's reminder e-mail goes out
    /// (check-in time, address, map), 0 to 60; 0 sends none. 2 when absent.
    #[serde(default = "default_reminder_days")]
    #[schemars(range(max = 60), example = &3)]
    pub reminder_days: u32,
    /// Whether publishing a new version of these rules refuses one that would
    /// refuse reservations already taken (active, not yet begun), unless the
    /// publisher accepts them explicitly (`berth policy publish
    /// --accept-refusals`, `publishPolicy(acceptRefusals: true)`). The live
    /// version's setting applies. False when absent.
    #[serde(default)]
    pub protect_reservations: bool,
}

fn default_hold_minutes() -> u32 {
    15
}

fn default_reminder_days() -> u32 {
    berth_core::mail::DEFAULT_REMINDER_DAYS
}

fn default_locale() -> String {
    "en-US".into()
}

fn example_tenant() -> serde_json::Value {
    serde_json::json!({
        "slug": "alpine-cabins",
        "name": "Alpine Cabins",
        "timezone": "Europe/Zurich",
        "currency": "CHF",
        "model": "nightly",
        "nightly": { "check_in_time": "15:00", "check_out_time": "10:00", "min_nights": 2 },
        "pricing": { "base_rate": 18000, "fees": [{ "name": "Cleaning", "amount": 9000 }] }
    })
}

/// The built-in booking models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Stays by check-in and check-out date (cabins, hotels).
    Nightly,
    /// Seats in time slots generated from a weekly schedule (tours, classes).
    Timeslot,
    /// Arbitrary start and end aligned to a granularity (rentals).
    Interval,
}

impl ModelKind {
    /// The model's name, also the file name of its script.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Nightly => "nightly",
            Self::Timeslot => "timeslot",
            Self::Interval => "interval",
        }
    }
}

/// A day of the week.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// The config weekday of a chrono weekday.
    pub const fn from_chrono(d: chrono::Weekday) -> Self {
        match d {
            chrono::Weekday::Mon => Self::Mon,
            chrono::Weekday::Tue => Self::Tue,
            chrono::Weekday::Wed => Self::Wed,
            chrono::Weekday::Thu => Self::Thu,
            chrono::Weekday::Fri => Self::Fri,
            chrono::Weekday::Sat => Self::Sat,
            chrono::Weekday::Sun => Self::Sun,
        }
    }

    /// The three-letter name (`mon`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Mon => "mon",
            Self::Tue => "tue",
            Self::Wed => "wed",
            Self::Thu => "thu",
            Self::Fri => "fri",
            Self::Sat => "sat",
            Self::Sun => "sun",
        }
    }
}

/// A tenant-local wall-clock time, `HH:MM` (24 h).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct LocalTime(
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), example = &"15:00")] pub String,
);

impl LocalTime {
    /// The parsed time (the schema guarantees the format).
    pub fn time(&self) -> Option<chrono::NaiveTime> {
        chrono::NaiveTime::parse_from_str(&self.0, "%H:%M").ok()
    }
}

/// An inclusive range of tenant-local dates, `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First date.
    pub from: chrono::NaiveDate,
    /// Last date (inclusive).
    pub to: chrono::NaiveDate,
}

/// Public profile of the tenant: what its public site shows about the
/// business. Stored with the tenant each time this file goes live and served
/// as `Tenant.profile` by the API, to anyone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short description of the business for the public site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2000))]
    pub description: Option<String>,
    /// Public contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        length(max = 254),
        example = &"hello@alpine-cabins.example.ch"
    )]
    pub email: Option<String>,
    /// Public contact phone number, international form (`+41 33 555 01 00`):
    /// a `+`, then digits, spaces, `(`, `)`, `-`, `.` or `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^\+[0-9][0-9 ()./-]{3,30}$"),
        example = &"+41 33 555 01 00"
    )]
    pub phone: Option<String>,
    /// Postal address, in parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Map coordinates (WGS 84 degrees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
    /// Arrival information for guests (key handover, late arrival). The
    /// check-in time itself comes from the model's rules (`nightly.check_in_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in: Option<Handover>,
    /// Departure information for guests. The check-out time itself comes from
    /// the model's rules (`nightly.check_out_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_out: Option<Handover>,
    /// Labelled links (at most 20), shown in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20))]
    pub links: Vec<Link>,
    /// Brand colour of the public site, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^#[0-9a-fA-F]{6}$"), example = &"#2f6b4f")]
    pub theme_color: Option<String>,
    /// The picture at the top of the public site (and its sharing image): a
    /// JPEG, PNG or WebP file of the tenant directory, e.g. 1600 × 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<Picture>,
    /// More pictures of the place (at most 12), shown in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 12))]
    pub gallery: Vec<Picture>,
    /// An interactive map on the public site, from the tile server named here
    /// (none by default: the site then shows the address, the coordinates and
    /// a link to OpenStreetMap). Needs `coordinates` to place its marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<MapTiles>,
}

/// The tile server of the public site's interactive map, and the attribution
/// its terms ask for. Check the server's usage policy before naming it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MapTiles {
    /// The tile URL template: `https://`, a host of letters, digits, dots and
    /// dashes (and a port), then a path with `{z}`, `{x}` and `{y}` (no other
    /// placeholder).
    #[schemars(
        regex(pattern = r#"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[^\s\\"'<>`]*$"#),
        length(max = 500),
        example = &"https://tile.example.org/{z}/{x}/{y}.png"
    )]
    pub tiles: String,
    /// The attribution shown on the map, as the tile server's terms ask.
    #[schemars(length(min = 1, max = 200), example = &"© OpenStreetMap contributors")]
    pub attribution: String,
}

/// A picture of the profile: a file of the tenant directory, processed and
/// served by berth like a unit photo each time this file goes live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Picture {
    /// The file, relative to the tenant directory and inside it (no `..`, not
    /// absolute): a JPEG, PNG or WebP picture of at most 10 MB.
    #[schemars(length(min = 1, max = 255), example = &"images/cover.png")]
    pub file: String,
    /// What the picture shows, for people who cannot see it (required).
    #[schemars(length(min = 1, max = 500), example = &"Three cabins in a meadow below snowy peaks")]
    pub alt: String,
}

/// A postal address in parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    #[schemars(length(min = 1, max = 200), example = &"Lärchenweg 12")]
    pub street: String,
    /// Postal code, where the country has them (quote it: `"3818"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 20), example = &"3818")]
    pub postal_code: Option<String>,
    /// Town or city.
    #[schemars(length(min = 1, max = 100), example = &"Grindelwald")]
    pub locality: String,
    /// Region, state or canton.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 100), example = &"Bern")]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    #[schemars(regex(pattern = r"^[A-Z]{2}$"), example = &"CH")]
    pub country: String,
}

/// Arrival or departure information.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    /// Free text for guests: where the key is, what to do when late.
    #[schemars(length(min = 1, max = 1000))]
    pub notes: String,
}

/// A labelled link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// What the link is.
    #[schemars(length(min = 1, max = 80), example = &"Winter timetable")]
    pub label: String,
    /// Where it goes: an `https://` URL.
    #[schemars(
        regex(pattern = r"^https://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$"),
        length(max = 500),
        example = &"https://www.example.org/timetable"
    )]
    pub url: String,
}

/// A picture the profile names, as the load path reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfilePicture {
    /// Cover or gallery.
    pub role: berth_core::media::PictureRole,
    /// The file, relative to the tenant directory (checked when loading).
    pub file: String,
    /// Its alt text, trimmed.
    pub alt: String,
}

impl TenantConfig {
    /// The pictures the profile names: the cover first, then the gallery in
    /// its order.
    pub fn profile_pictures(&self) -> Vec<ProfilePicture> {
        use berth_core::media::PictureRole;
        let p = &self.profile;
        p.cover
            .iter()
            .map(|c| (PictureRole::Cover, c))
            .chain(p.gallery.iter().map(|g| (PictureRole::Gallery, g)))
            .map(|(role, picture)| ProfilePicture {
                role,
                file: picture.file.clone(),
                alt: picture.alt.trim().to_owned(),
            })
            .collect()
    }

    /// The profile as stored and served: this file's `profile:` block plus the
    /// check-in and check-out times of the nightly model's rules; the theme
    /// colour in lower case.
    pub fn public_profile(&self) -> berth_core::profile::TenantProfile {
        use berth_core::profile as core;
        let p = &self.profile;
        let handover = |info: &Option<Handover>, time: Option<&LocalTime>| core::Handover {
            time: time.and_then(LocalTime::time),
            notes: info.as_ref().map(|h| h.notes.clone()),
        };
        core::TenantProfile {
            description: p.description.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            address: p.address.as_ref().map(|a| core::Address {
                street: a.street.clone(),
                postal_code: a.postal_code.clone(),
                locality: a.locality.clone(),
                region: a.region.clone(),
                country: a.country.clone(),
            }),
            coordinates: p.coordinates.as_ref().map(|c| core::Coordinates {
                lat: c.lat,
                lng: c.lng,
            }),
            check_in: handover(&p.check_in, self.nightly.as_ref().map(|n| &n.check_in_time)),
            check_out: handover(
                &p.check_out,
                self.nightly.as_ref().map(|n| &n.check_out_time),
            ),
            links: p
                .links
                .iter()
                .map(|l| core::Link {
                    label: l.label.clone(),
                    url: l.url.clone(),
                })
                .collect(),
            theme_color: p.theme_color.as_ref().map(|c| c.to_ascii_lowercase()),
            map: p.map.as_ref().map(|m| core::MapTiles {
                tiles: m.tiles.clone(),
                attribution: m.attribution.trim().to_owned(),
            }),
        }
    }
}

/// A point on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    /// Latitude in degrees.
    #[schemars(range(min = -90.0, max = 90.0))]
    pub lat: f64,
    /// Longitude in degrees.
    #[schemars(range(min = -180.0, max = 180.0))]
    pub lng: f64,
}

/// Rules of the nightly model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NightlyRules {
    /// Earliest arrival time on the check-in date.
    pub check_in_time: LocalTime,
    /// Latest departure time on the check-out date.
    pub check_out_time: LocalTime,
    /// Fewest nights a stay may have.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub min_nights: u32,
    /// Most nights a stay may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_nights: Option<u32>,
    /// Minimum nights for stays arriving on a given weekday (`sat: 7`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub min_nights_by_arrival: BTreeMap<Weekday, u32>,
    /// Weekdays on which no stay may start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_to_arrival: Vec<Weekday>,
    /// Weekdays on which no stay may end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_to_departure: Vec<Weekday>,
    /// Dates whose nights are not sold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sell: Vec<DateRange>,
    /// Hours between booking and check-in at least.
    #[serde(default)]
    pub lead_time_hours: u32,
    /// How many days ahead a stay may start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
    /// A guest who has not checked in this many hours after the check-in time is absent.
    #[serde(default = "default_no_show_hours")]
    pub no_show_after_hours: u32,
}

fn one() -> u32 {
    1
}

fn default_no_show_hours() -> u32 {
    24
}

/// Rules of the timeslot model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeslotRules {
    /// Length of every slot in minutes.
    #[schemars(range(min = 5, max = 1440))]
    pub duration_minutes: u32,
    /// Slot start times per weekday.
    pub schedule: BTreeMap<Weekday, Vec<LocalTime>>,
    /// Dates that differ from the weekly schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<SlotException>,
    /// Minutes between booking and the slot's start at least.
    #[serde(default)]
    pub lead_time_minutes: u32,
    /// How many days ahead a slot may be booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
    /// A guest who has not checked in this many minutes after the start is absent.
    #[serde(default = "default_no_show_minutes")]
    pub no_show_after_minutes: u32,
}

fn default_no_show_minutes() -> u32 {
    15
}

/// A date whose slots differ from the weekly schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotException {
    /// The date.
    pub date: chrono::NaiveDate,
    /// No slots at all that day.
    #[serde(default)]
    pub closed: bool,
    /// These start times instead of the weekday's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<Vec<LocalTime>>,
}

/// Rules of the interval model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntervalRules {
    /// Starts and ends fall on multiples of this many minutes.
    #[schemars(range(min = 1, max = 1440))]
    pub granularity_minutes: u32,
    /// Shortest rental in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_duration_minutes: Option<u32>,
    /// Longest rental in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration_minutes: Option<u32>,
    /// Opening hours per weekday; a rental must start and end within them on one
    /// day unless it spans whole days. Weekdays not listed are closed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub opening_hours: BTreeMap<Weekday, OpeningHours>,
    /// Minutes kept free before each rental (preparation).
    #[serde(default)]
    pub buffer_before_minutes: u32,
    /// Minutes kept free after each rental (cleaning, inspection).
    #[serde(default)]
    pub buffer_after_minutes: u32,
    /// Minutes between booking and the start at least.
    #[serde(default)]
    pub lead_time_minutes: u32,
    /// How many days ahead a rental may start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
    /// A renter who has not picked up this many minutes after the start is absent.
    #[serde(default = "default_no_show_minutes")]
    pub no_show_after_minutes: u32,
}

/// Opening hours of one day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// Opening time.
    pub open: LocalTime,
    /// Closing time.
    pub close: LocalTime,
}

/// Pricing, in minor units of the tenant's currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// Rate per item: per night (nightly), per seat (timeslot), per started hour
    /// (interval). A unit's `base_rate` attribute overrides it on regular days;
    /// `weekend_rate` and a season's fixed `rate` apply to every unit.
    #[schemars(range(min = 0), example = 18000)]
    pub base_rate: i64,
    /// Rate per item on weekend nights or days, instead of `base_rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub weekend_rate: Option<i64>,
    /// Which days count as the weekend (for nights: the night starting that day).
    #[serde(default = "default_weekend")]
    pub weekend_days: Vec<Weekday>,
    /// Interval model: the most a rental costs per started day, per item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub daily_rate: Option<i64>,
    /// Seasons: date ranges (month-day, may wrap the year end) with their own rate
    /// or a multiplier of the regular one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasons: Vec<Season>,
    /// Nightly model: a fee per extra guest above a base occupancy per item, per night.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_guest: Option<ExtraGuest>,
    /// Length-of-stay discounts; the largest applicable one applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub length_of_stay: Vec<LengthOfStay>,
    /// Fees added to every booking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    /// Taxes, applied after fees and discounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
}

fn default_weekend() -> Vec<Weekday> {
    vec![Weekday::Fri, Weekday::Sat]
}

/// A season: an inclusive range of month-days, e.g. `12-20` to `03-31`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Season {
    /// Name shown in price lines.
    pub name: String,
    /// First day, `MM-DD`.
    #[schemars(regex(pattern = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub from: String,
    /// Last day (inclusive), `MM-DD`; before `from` means the season wraps the year end.
    #[schemars(regex(pattern = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub to: String,
    /// Rate per item in the season, instead of the regular one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub rate: Option<i64>,
    /// Percentage of the regular rate (`125` = +25 %), when no `rate` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000))]
    pub multiplier_percent: Option<u32>,
    /// Minimum nights for stays arriving in the season.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub min_nights: Option<u32>,
}

/// The extra-guest fee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraGuest {
    /// Guests per item included in the rate.
    #[schemars(range(min = 1))]
    pub base_occupancy: u32,
    /// Fee per extra guest (per night for nightly stays).
    #[schemars(range(min = 0))]
    pub fee: i64,
}

/// A length-of-stay discount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LengthOfStay {
    /// Nights (nightly), seats (timeslot: a group discount) or started hours
    /// (interval) at least.
    #[schemars(range(min = 1))]
    pub min_length: u32,
    /// Discount on the rate lines in percent.
    #[schemars(range(min = 0, max = 100))]
    pub percent: u32,
}

/// A fee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Name shown in price lines.
    pub name: String,
    /// Amount in minor units.
    #[schemars(range(min = 0))]
    pub amount: i64,
    /// What the amount is multiplied by.
    #[serde(default)]
    pub per: FeeBasis,
}

/// What a fee is charged per.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// Once per booking.
    #[default]
    Stay,
    /// Per night (nightly) or per started day (interval); once for a timeslot.
    /// Not multiplied by the quantity: use `item` for per-item fees.
    Night,
    /// Per guest.
    Guest,
    /// Per item booked.
    Item,
}

/// A tax: a percentage of the taxable total, or an amount per person per night
/// (city tax), or both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tax {
    /// Name shown in price lines.
    pub name: String,
    /// Percentage in basis points (`810` = 8.10 %) of rates, discounts and fees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 10000))]
    pub percent_bp: Option<u32>,
    /// Amount per guest per night (nightly), per guest per started day (interval),
    /// or per guest per booking (timeslot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub per_person_per_night: Option<i64>,
}

/// The JSON Schema of `tenant.yaml`, as a JSON value.
pub fn tenant_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(TenantConfig)).unwrap_or_default()
}
