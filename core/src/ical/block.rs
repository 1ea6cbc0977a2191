//! Calendar blocks: busy periods imported from another calendar (a channel
//! manager's or an Airbnb-style site's `.ics` feed). A block takes the whole
//! inventory of its unit for its range, so availability, quotes, slots and the
//! capacity check of every booking and period change treat it as fully booked.
//! Blocks belong to a source (`airbnb`, `booking.com`; `import` by default), and
//! importing a source again replaces exactly that source's blocks. Staff take a
//! unit out of service with blocks of the reserved source `@staff`
//! (`crate::ical::staff`), which no import can name; those keep a reason and
//! who made them.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::token::FeedToken;
use crate::audit::Actor;
use crate::ids::{CalendarBlockId, ReservationId, TenantId, UnitId};
use crate::reason::Reason;
use crate::time_range::TimeRange;

/// Where a unit's blocks came from: 1–64 characters of letters, digits and
/// `. _ - :`, case kept, or the reserved [`BlockSource::staff`], which no
/// parsed source can equal. Each import replaces the blocks of its source only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct BlockSource(String);

/// The stored name of the staff source: `@` is no character of a parsed one.
const STAFF: &str = "@staff";

/// A string that is not a block source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a calendar source (1-64 characters of letters, digits, '.', '_', '-' and ':')"
)]
pub struct InvalidSource(pub String);

impl BlockSource {
    /// The source of imports that name none.
    pub fn default_import() -> Self {
        Self("import".to_owned())
    }

    /// The source of blocks staff make (`blockUnit`): reserved, so imports and
    /// syncs, whose sources are parsed, never replace or clear them.
    pub fn staff() -> Self {
        Self(STAFF.to_owned())
    }

    /// Whether this is the staff source.
    pub fn is_staff(&self) -> bool {
        self.0 == STAFF
    }

    /// The source as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored source read back: a parsed source, or the staff source.
    pub fn from_stored(text: String) -> Result<Self, InvalidSource> {
        if text == STAFF {
            Ok(Self(text))
        } else {
            text.parse()
        }
    }
}

impl From<BlockSource> for String {
    fn from(s: BlockSource) -> Self {
        s.0
    }
}

impl TryFrom<String> for BlockSource {
    type Error = InvalidSource;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::from_stored(s)
    }
}

impl std::str::FromStr for BlockSource {
    type Err = InvalidSource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidSource(s.chars().take(80).collect()))
        }
    }
}

impl fmt::Display for BlockSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarBlock {
    /// Its id.
    pub id: CalendarBlockId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The unit it blocks.
    pub unit_id: UnitId,
    /// The calendar it came from.
    pub source: BlockSource,
    /// The event's UID in that calendar.
    pub uid: String,
    /// The instants it blocks (for all-day events: what a stay of those nights
    /// would occupy).
    pub range: TimeRange,
    /// For all-day events: the first day (check-in).
    pub first_day: Option<NaiveDate>,
    /// For all-day events: the day after the last (check-out).
    pub end_day: Option<NaiveDate>,
    /// When it was imported (for a staff block: made).
    pub imported_at: DateTime<Utc>,
    /// Why staff blocked the unit (staff blocks only).
    #[serde(default)]
    pub reason: Option<Reason>,
    /// Who made it (staff blocks only).
    #[serde(default)]
    pub created_by: Option<Actor>,
    /// Who made it, as others saw them then (staff blocks only).
    #[serde(default)]
    pub created_by_name: Option<String>,
}

impl CalendarBlock {
    /// Whether staff made it (`blockUnit`), rather than an import or a sync.
    pub fn is_manual(&self) -> bool {
        self.source.is_staff()
    }
}

/// A block about to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBlock {
    /// The event's UID.
    pub uid: String,
    /// The instants it blocks.
    pub range: TimeRange,
    /// For all-day events: the first day.
    pub first_day: Option<NaiveDate>,
    /// For all-day events: the day after the last.
    pub end_day: Option<NaiveDate>,
}

/// What an import writes: the new blocks of one unit and source, replacing that
/// source's old ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockReplacement {
    /// The unit.
    pub unit_id: UnitId,
    /// The source whose blocks are replaced.
    pub source: BlockSource,
    /// The new blocks (possibly none: the source is cleared).
    pub blocks: Vec<NewBlock>,
    /// Events of the file that block nothing (for the audit entry).
    pub skipped: u32,
    /// When.
    pub now: DateTime<Utc>,
}

/// A reservation that overlaps an imported block. The block is kept and the
/// reservation too: the double booking is for a person to resolve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportConflict {
    /// The reservation.
    pub reservation_id: ReservationId,
    /// The UID of the block it overlaps.
    pub block_uid: String,
    /// Where they overlap.
    pub overlap: TimeRange,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarImport {
    /// The unit.
    pub unit_id: UnitId,
    /// The source.
    pub source: BlockSource,
    /// The source's blocks now, in time order.
    pub blocks: Vec<CalendarBlock>,
    /// How many of the source's blocks were replaced.
    pub removed: u32,
    /// Events of the file that block nothing (canceled, free, of no length, or
    /// over before now).
    pub skipped: u32,
    /// Capacity-taking reservations that overlap the new blocks.
    pub conflicts: Vec<ImportConflict>,
}

/// A unit's feed: on while it has a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcalFeed {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The unit.
    pub unit_id: UnitId,
    /// The secret in its URL.
    pub token: FeedToken,
    /// When this token was made.
    pub created_at: DateTime<Utc>,
}

/// A capacity-taking reservation as a feed shows it: no guest, no price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusyReservation {
    /// The reservation.
    pub id: ReservationId,
    /// Its occupied interval.
    pub occupied: TimeRange,
    /// Check-in date (nightly).
    pub check_in: Option<NaiveDate>,
    /// Check-out date (nightly).
    pub check_out: Option<NaiveDate>,
    /// Items taken.
    pub quantity: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_short_names() {
        for ok in ["import", "airbnb", "booking.com", "vrbo:cabin-2", "A_B"] {
            assert_eq!(ok.parse::<BlockSource>().unwrap().as_str(), ok);
        }
        for bad in ["", " airbnb", "a b", "ä", &"x".repeat(65), "a/b", "@staff"] {
            assert!(bad.parse::<BlockSource>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_staff_source_is_reserved() {
        let staff = BlockSource::staff();
        assert!(staff.is_staff());
        assert!(
            staff.as_str().parse::<BlockSource>().is_err(),
            "no import names it"
        );
        assert_eq!(
            BlockSource::from_stored(staff.as_str().to_owned()).unwrap(),
            staff
        );
        assert!(!BlockSource::default_import().is_staff());
        assert!(!"staff".parse::<BlockSource>().unwrap().is_staff());
    }
}
