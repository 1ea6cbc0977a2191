//! What each unit offered over time: from each change on, its inventory and
//! whether it was archived. Every store writes a [`UnitVersion`] when a unit is
//! created and whenever its inventory or archived flag changes (in the same
//! transaction), so analytics reads a past date with the units as they stood
//! then: a unit added in March has no capacity in February, a hotel that
//! closed two of its rooms keeps their past nights, an archived unit counts
//! until the day it was archived.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::ids::UnitId;
use crate::quantity::Inventory;
use crate::unit::Unit;

/// A unit as it stood from `from` on (until its next version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitVersion {
    /// The unit.
    pub unit_id: UnitId,
    /// When this version began.
    pub from: DateTime<Utc>,
    /// Its inventory from then on.
    pub inventory: Inventory,
    /// Whether it was archived from then on.
    pub archived: bool,
}

impl UnitVersion {
    /// The version a unit's current state stands for, from `at` on.
    pub fn of(unit: &Unit, at: DateTime<Utc>) -> Self {
        Self {
            unit_id: unit.id,
            from: at,
            inventory: unit.inventory,
            archived: unit.archived,
        }
    }

    /// Whether `after` changes what the unit offers compared to `before`.
    pub fn changes(before: &Unit, after: &Unit) -> bool {
        before.inventory != after.inventory || before.archived != after.archived
    }
}

/// Every unit's versions, oldest first.
#[derive(Clone, Debug, Default)]
pub struct UnitHistory {
    by_unit: HashMap<UnitId, Vec<UnitVersion>>,
}

impl UnitHistory {
    /// The history of `units` from the stored `versions`. A unit without any
    /// (none should be: the migration gave every unit its first) counts as it
    /// is now, since its creation.
    pub fn new(units: &[Unit], versions: &[UnitVersion]) -> Self {
        let mut by_unit: HashMap<UnitId, Vec<UnitVersion>> = HashMap::new();
        for v in versions {
            by_unit.entry(v.unit_id).or_default().push(*v);
        }
        for unit in units {
            by_unit
                .entry(unit.id)
                .or_insert_with(|| vec![UnitVersion::of(unit, unit.created_at)]);
        }
        for list in by_unit.values_mut() {
            list.sort_by_key(|v| v.from);
        }
        Self { by_unit }
    }

    /// What the unit offered just before `at`: its inventory, or `None` when
    /// it did not exist yet or was archived.
    pub fn offered_before(&self, unit: UnitId, at: DateTime<Utc>) -> Option<Inventory> {
        let versions = self.by_unit.get(&unit)?;
        let version = versions.iter().rev().find(|v| v.from < at)?;
        (!version.archived).then_some(version.inventory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_unit_offers_what_its_latest_earlier_version_says() {
        let unit = UnitId::new();
        let version = |from: &str, inventory: i64, archived: bool| UnitVersion {
            unit_id: unit,
            from: at(from),
            inventory: Inventory::new(inventory).unwrap(),
            archived,
        };
        let history = UnitHistory::new(
            &[],
            &[
                version("2027-03-10T00:00:00Z", 2, false),
                version("2027-02-01T00:00:00Z", 5, false),
                version("2027-04-01T00:00:00Z", 2, true),
            ],
        );
        let offered = |s: &str| history.offered_before(unit, at(s)).map(|i| i.get());
        assert_eq!(offered("2027-02-01T00:00:00Z"), None, "not created yet");
        assert_eq!(offered("2027-02-01T00:00:01Z"), Some(5));
        assert_eq!(offered("2027-03-10T00:00:00Z"), Some(5), "strictly before");
        assert_eq!(offered("2027-03-11T00:00:00Z"), Some(2));
        assert_eq!(offered("2027-05-01T00:00:00Z"), None, "archived");
        assert_eq!(
            history.offered_before(UnitId::new(), at("2027-03-11T00:00:00Z")),
            None
        );
    }
}
