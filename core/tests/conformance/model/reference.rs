//! The reference model: what berth should answer, written from DESIGN.md's
//! rules without looking at how the engine does it. Time is whole minutes
//! since tenant-local midnight of the first day; a unit's capacity is counted
//! per cell (a night for nightly units, an hour for tours); reservations move
//! through the state machine's table as written out here. It knows nothing of
//! SQL, instants or the engine's types beyond the error codes it predicts.

use std::collections::BTreeMap;

use berth_core::error::ErrorCode;

/// Minutes in a day.
pub const DAY: i64 = 1440;
/// Minutes in an hour.
pub const HOUR: i64 = 60;

/// A unit's booking model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Nights from 15:00 to 10:00, in tenant 0.
    Nightly,
    /// Three daily slots (09–12, 11–14, 14–17), in tenant 1.
    Tour,
}

/// A unit of the model world.
#[derive(Clone, Copy, Debug)]
pub struct UnitSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub inventory: u32,
    pub max_guests: u32,
}

/// The units every sequence runs over: two cabins and a room type in the
/// nightly tenant, two tours in the timeslot tenant.
pub const UNITS: [UnitSpec; 5] = [
    UnitSpec {
        name: "Cabin A",
        kind: Kind::Nightly,
        inventory: 1,
        max_guests: 3,
    },
    UnitSpec {
        name: "Cabin B",
        kind: Kind::Nightly,
        inventory: 1,
        max_guests: 3,
    },
    UnitSpec {
        name: "Family rooms",
        kind: Kind::Nightly,
        inventory: 2,
        max_guests: 3,
    },
    UnitSpec {
        name: "Harbour tour",
        kind: Kind::Tour,
        inventory: 5,
        max_guests: 2,
    },
    UnitSpec {
        name: "Glacier tour",
        kind: Kind::Tour,
        inventory: 3,
        max_guests: 2,
    },
];

/// The tenant a unit belongs to (0: nightly, 1: tours).
pub fn tenant_of(unit: usize) -> usize {
    match UNITS[unit].kind {
        Kind::Nightly => 0,
        Kind::Tour => 1,
    }
}

/// The units of a tenant.
pub fn units_of(tenant: usize) -> Vec<usize> {
    (0..UNITS.len())
        .filter(|&u| tenant_of(u) == tenant)
        .collect()
}

/// Local start hours of the tour slots, and their length.
pub const SLOT_HOURS: [i64; 3] = [9, 11, 14];
const SLOT_LENGTH: i64 = 3 * HOUR;

/// A period as asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Nightly: arrival day and nights (0 nights is malformed).
    Nights { day: i64, nights: i64 },
    /// Tour: a start minute (one not on a slot is malformed).
    Slot { start: i64 },
}

/// A period as the rules resolve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub start: i64,
    pub end: i64,
    /// Nights (nightly) or hours (tours) taken.
    pub cells: Vec<i64>,
    /// Nights, for the price and the nightly rules.
    pub nights: i64,
    pub arrival_day: i64,
}

/// A reservation's state, as DESIGN.md names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Held,
    Confirmed,
    CheckedIn,
    Finished,
    Canceled,
    Absent,
}

impl State {
    /// Held, confirmed and checked-in reservations take capacity.
    pub fn active(self) -> bool {
        matches!(self, State::Held | State::Confirmed | State::CheckedIn)
    }
}

/// A command that moves a reservation between states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Confirm,
    CheckIn,
    CheckOut,
    Cancel,
}

/// DESIGN.md's "Reservation states", as a table: held → confirmed →
/// checked_in → finished; held/confirmed → canceled; nothing else.
fn next_state(state: State, action: Action) -> Option<State> {
    match (state, action) {
        (State::Held, Action::Confirm) => Some(State::Confirmed),
        (State::Confirmed, Action::CheckIn) => Some(State::CheckedIn),
        (State::CheckedIn, Action::CheckOut) => Some(State::Finished),
        (State::Held | State::Confirmed, Action::Cancel) => Some(State::Canceled),
        _ => None,
    }
}

/// Guests and items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    pub guests: u32,
    pub quantity: u32,
}

/// A reservation of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Res {
    pub tenant: usize,
    pub unit: usize,
    pub period: Resolved,
    pub party: Party,
    pub state: State,
    pub version: i64,
    pub hold_expires: Option<i64>,
    pub price: i64,
}

/// Which version a command names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// No version check.
    Any,
    /// The reservation's current version.
    Current,
    /// One behind it.
    Stale,
}

/// What the model says a command answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Accepted: the reservation (its index) as it is afterwards.
    Done(usize),
    /// Refused with this code (and these violation codes for VALIDATION).
    Refused(ErrorCode, Vec<String>),
    /// A lifecycle round: holds expired and no-shows marked (indexes).
    Swept {
        expired: Vec<usize>,
        absent: Vec<usize>,
    },
}

fn refused(code: ErrorCode) -> Answer {
    Answer::Refused(code, Vec::new())
}

/// The whole model world: the clock, the reservations and the keys.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub now: i64,
    pub reservations: Vec<Res>,
    /// (tenant, key) → reservation.
    pub keys: BTreeMap<(usize, String), usize>,
}

/// Where the clock starts: 10:00 local on day 0.
pub const START: i64 = 10 * HOUR;

impl Model {
    pub fn new() -> Self {
        Self {
            now: START,
            ..Self::default()
        }
    }

    fn today(&self) -> i64 {
        self.now.div_euclid(DAY)
    }

    fn hold_minutes(tenant: usize) -> i64 {
        if tenant == 0 { 15 } else { 10 }
    }

    fn no_show_minutes(tenant: usize) -> i64 {
        if tenant == 0 { 6 * HOUR } else { 30 }
    }

    /// Resolves a period for `unit`: INVALID_INPUT when it is malformed or in
    /// the wrong shape for the unit.
    pub fn resolve(unit: usize, ask: Ask) -> Option<Resolved> {
        match (UNITS[unit].kind, ask) {
            (Kind::Nightly, Ask::Nights { day, nights }) if nights > 0 => Some(Resolved {
                start: day * DAY + 15 * HOUR,
                end: (day + nights) * DAY + 10 * HOUR,
                cells: (day..day + nights).collect(),
                nights,
                arrival_day: day,
            }),
            (Kind::Tour, Ask::Slot { start }) => {
                let day = start.div_euclid(DAY);
                let on_slot = SLOT_HOURS.iter().any(|h| day * DAY + h * HOUR == start);
                on_slot.then(|| Resolved {
                    start,
                    end: start + SLOT_LENGTH,
                    cells: (start / HOUR..(start + SLOT_LENGTH) / HOUR).collect(),
                    nights: 0,
                    arrival_day: day,
                })
            }
            _ => None,
        }
    }

    /// Rules every booking meets, then the tenant's rules, in that order.
    fn violations(&self, unit: usize, party: Party, period: &Resolved) -> Vec<String> {
        let spec = UNITS[unit];
        let mut v = Vec::new();
        if party.quantity > spec.inventory {
            v.push("quantity_over_inventory".to_owned());
        }
        if party.guests > spec.max_guests * party.quantity {
            v.push("max_guests".to_owned());
        }
        match spec.kind {
            Kind::Nightly => {
                if period.arrival_day < self.today() {
                    v.push("in_past".to_owned());
                }
                if period.nights > 30 {
                    v.push("max_nights".to_owned());
                }
            }
            Kind::Tour => {
                if period.start < self.now {
                    v.push("in_past".to_owned());
                }
            }
        }
        v
    }

    /// The tenant's rule for changing `r` now.
    fn change_refusals(&self, r: &Res) -> Vec<String> {
        let too_late = match UNITS[r.unit].kind {
            Kind::Nightly => r.period.start - self.now < 48 * HOUR,
            Kind::Tour => r.period.start <= self.now,
        };
        if too_late {
            vec!["change_too_late".to_owned()]
        } else {
            Vec::new()
        }
    }

    fn price(unit: usize, party: Party, period: &Resolved) -> i64 {
        let q = i64::from(party.quantity);
        match UNITS[unit].kind {
            Kind::Nightly => period.nights * 100_000 * q + 25_000,
            Kind::Tour => 5_000 * q,
        }
    }

    /// Whether `quantity` more fits on `unit` over `cells`, not counting
    /// reservation `except`.
    fn fits(&self, unit: usize, cells: &[i64], quantity: u32, except: Option<usize>) -> bool {
        cells.iter().all(|cell| {
            let taken: u32 = self
                .reservations
                .iter()
                .enumerate()
                .filter(|(i, r)| {
                    Some(*i) != except
                        && r.unit == unit
                        && r.state.active()
                        && r.period.cells.contains(cell)
                })
                .map(|(_, r)| r.party.quantity)
                .sum();
            taken + quantity <= UNITS[unit].inventory
        })
    }

    /// The tenant's holds past their deadline expire (what a refused write
    /// does before it tries once more, per decision 0133); returns them.
    fn expire_holds(&mut self, tenant: usize) -> Vec<usize> {
        let now = self.now;
        let mut expired = Vec::new();
        for (i, r) in self.reservations.iter_mut().enumerate() {
            if r.tenant == tenant
                && r.state == State::Held
                && r.hold_expires.is_some_and(|at| at <= now)
            {
                r.state = State::Canceled;
                r.hold_expires = None;
                r.version += 1;
                expired.push(i);
            }
        }
        expired
    }

    /// Confirmed reservations whose guest has not arrived by the deadline.
    fn mark_no_shows(&mut self, tenant: usize) -> Vec<usize> {
        let now = self.now;
        let mut absent = Vec::new();
        for (i, r) in self.reservations.iter_mut().enumerate() {
            if r.tenant == tenant
                && r.state == State::Confirmed
                && now >= r.period.start + Self::no_show_minutes(tenant)
            {
                r.state = State::Absent;
                r.version += 1;
                absent.push(i);
            }
        }
        absent
    }

    /// One lifecycle round over both tenants.
    pub fn lifecycle(&mut self) -> Answer {
        let mut expired = Vec::new();
        let mut absent = Vec::new();
        for tenant in 0..2 {
            expired.extend(self.expire_holds(tenant));
            absent.extend(self.mark_no_shows(tenant));
        }
        Answer::Swept { expired, absent }
    }

    /// The clock moves; nothing else happens by itself.
    pub fn advance(&mut self, minutes: i64) {
        self.now += minutes;
    }

    /// Books (or holds) `unit`; a known key answers with its reservation when
    /// the request is the same, CONFLICT when it is not.
    pub fn book(
        &mut self,
        unit: usize,
        ask: Ask,
        party: Party,
        hold: bool,
        key: Option<&str>,
    ) -> Answer {
        let first = self.try_book(unit, ask, party, hold, key);
        self.after_refusal(tenant_of(unit), first, |m| {
            m.try_book(unit, ask, party, hold, key)
        })
    }

    /// When `first` is UNAVAILABLE and overdue holds of the tenant expire,
    /// the command is tried once more.
    fn after_refusal(
        &mut self,
        tenant: usize,
        first: Answer,
        again: impl FnOnce(&mut Self) -> Answer,
    ) -> Answer {
        if matches!(first, Answer::Refused(ErrorCode::Unavailable, _))
            && !self.expire_holds(tenant).is_empty()
        {
            again(self)
        } else {
            first
        }
    }

    fn try_book(
        &mut self,
        unit: usize,
        ask: Ask,
        party: Party,
        hold: bool,
        key: Option<&str>,
    ) -> Answer {
        let tenant = tenant_of(unit);
        let Some(period) = Self::resolve(unit, ask) else {
            return refused(ErrorCode::InvalidInput);
        };
        if let Some(key) = key
            && let Some(&i) = self.keys.get(&(tenant, key.to_owned()))
        {
            let r = &self.reservations[i];
            let same = r.unit == unit
                && r.period.start == period.start
                && r.period.end == period.end
                && r.party == party;
            return if same {
                Answer::Done(i)
            } else {
                refused(ErrorCode::Conflict)
            };
        }
        let violations = self.violations(unit, party, &period);
        if !violations.is_empty() {
            return Answer::Refused(ErrorCode::Validation, violations);
        }
        if !self.fits(unit, &period.cells, party.quantity, None) {
            return refused(ErrorCode::Unavailable);
        }
        let i = self.reservations.len();
        self.reservations.push(Res {
            tenant,
            unit,
            price: Self::price(unit, party, &period),
            period,
            party,
            state: if hold { State::Held } else { State::Confirmed },
            version: 1,
            hold_expires: hold.then(|| self.now + Self::hold_minutes(tenant)),
        });
        if let Some(key) = key {
            self.keys.insert((tenant, key.to_owned()), i);
        }
        Answer::Done(i)
    }

    /// A stale version never matches; the current one (or none) always does.
    fn version_ok(version: Version) -> bool {
        version != Version::Stale
    }

    /// Moves reservation `i` (of `tenant`; another tenant's is NOT_FOUND) to
    /// another period, maybe another unit of its tenant and another party.
    pub fn change(
        &mut self,
        i: Option<usize>,
        to_unit: Option<usize>,
        ask: Ask,
        party: Option<Party>,
        version: Version,
    ) -> Answer {
        let Some(i) = i else {
            return refused(ErrorCode::NotFound);
        };
        let tenant = self.reservations[i].tenant;
        let first = self.try_change(i, to_unit, ask, party, version);
        self.after_refusal(tenant, first, |m| {
            m.try_change(i, to_unit, ask, party, version)
        })
    }

    fn try_change(
        &mut self,
        i: usize,
        to_unit: Option<usize>,
        ask: Ask,
        party: Option<Party>,
        version: Version,
    ) -> Answer {
        let r = &self.reservations[i];
        if !r.state.active() {
            return refused(ErrorCode::Conflict);
        }
        if !Self::version_ok(version) {
            return refused(ErrorCode::Conflict);
        }
        let unit = to_unit.unwrap_or(r.unit);
        let party = party.unwrap_or(r.party);
        let Some(period) = Self::resolve(unit, ask) else {
            return refused(ErrorCode::InvalidInput);
        };
        let mut violations = self.violations(unit, party, &period);
        violations.extend(self.change_refusals(r));
        if !violations.is_empty() {
            return Answer::Refused(ErrorCode::Validation, violations);
        }
        if !self.fits(unit, &period.cells, party.quantity, Some(i)) {
            return refused(ErrorCode::Unavailable);
        }
        let r = &mut self.reservations[i];
        r.price = Self::price(unit, party, &period);
        r.unit = unit;
        r.period = period;
        r.party = party;
        r.version += 1;
        Answer::Done(i)
    }

    /// Applies a state action to reservation `i` (`None`: one that does not
    /// exist in the tenant asked).
    pub fn act(&mut self, i: Option<usize>, action: Action, version: Version) -> Answer {
        let Some(i) = i else {
            return refused(ErrorCode::NotFound);
        };
        let r = &mut self.reservations[i];
        if !Self::version_ok(version) {
            return refused(ErrorCode::Conflict);
        }
        let Some(next) = next_state(r.state, action) else {
            return refused(ErrorCode::Conflict);
        };
        r.state = next;
        if next != State::Held {
            r.hold_expires = None;
        }
        r.version += 1;
        Answer::Done(i)
    }

    /// The taken capacity of `unit` per cell, for the model's own invariant.
    pub fn load(&self, unit: usize) -> BTreeMap<i64, u32> {
        let mut load = BTreeMap::new();
        for r in &self.reservations {
            if r.unit == unit && r.state.active() {
                for cell in &r.period.cells {
                    *load.entry(*cell).or_insert(0) += r.party.quantity;
                }
            }
        }
        load
    }
}
