//! Units ranked by the capacity reserved in a span (nights, or seat-/item-hours)
//! or by revenue, best first; ties by name, then id. Every unit is ranked,
//! archived ones too (their reservations still happened); a unit's capacity
//! counts only the dates on which it was offered.

use std::collections::HashMap;

use super::dataset::Dataset;
use super::occupancy::{Grid, Load};
use super::share::share;
use super::span::{DateSpan, InvalidSpan};
use crate::ids::UnitId;
use crate::money::Money;

/// What to rank by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RankBy {
    /// Reserved nights (nightly) or seat-/item-hours.
    Reserved,
    /// Revenue.
    Revenue,
}

/// One unit's figures in a span.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRanking {
    /// The unit.
    pub unit_id: UnitId,
    /// Nights × quantity, or seconds × quantity, reserved inside the span.
    pub reserved: i64,
    /// The price snapshots' parts inside the span.
    pub revenue: Money,
    /// Counted reservations with a part inside the span.
    pub reservations: u32,
    /// Occupied and available capacity (none on dates it was not offered).
    pub occupancy: Load,
}

/// The `limit` best units of `span` by `by`.
pub fn top_units(
    data: &Dataset<'_>,
    span: DateSpan,
    by: RankBy,
    limit: usize,
) -> Result<Vec<UnitRanking>, InvalidSpan> {
    let instants = span.instants(data.timezone)?;
    let loads = Grid::compute(data, span).per_unit();
    let mut rows: HashMap<UnitId, UnitRanking> = data
        .units
        .iter()
        .map(|u| {
            let ranking = UnitRanking {
                unit_id: u.id,
                reserved: 0,
                revenue: Money::zero(data.currency),
                reservations: 0,
                occupancy: loads.get(&u.id).copied().unwrap_or_default(),
            };
            (u.id, ranking)
        })
        .collect();
    for b in data.bookings.iter().filter(|b| b.counts()) {
        let part = share(b, data, &span, &instants);
        if let Some(row) = rows.get_mut(&b.unit_id)
            && part.reserved > 0
        {
            row.reserved += part.reserved;
            row.revenue.amount_minor += part.revenue;
            row.reservations += 1;
        }
    }
    let mut ranked: Vec<(&str, UnitRanking)> = data
        .units
        .iter()
        .filter_map(|u| rows.remove(&u.id).map(|r| (u.name.as_str(), r)))
        .collect();
    ranked.sort_by(|(name_a, a), (name_b, b)| {
        let key = |r: &UnitRanking| match by {
            RankBy::Reserved => (r.reserved, r.revenue.amount_minor),
            RankBy::Revenue => (r.revenue.amount_minor, r.reserved),
        };
        key(b)
            .cmp(&key(a))
            .then_with(|| name_a.cmp(name_b))
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    Ok(ranked.into_iter().take(limit).map(|(_, r)| r).collect())
}
