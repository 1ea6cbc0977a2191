//! iCalendar (RFC 5545): each unit's feed of busy periods, which channel
//! managers and Airbnb-style sites poll (`GET /ical/{tenant}/{unit}.ics?token=…`),
//! and the import of their feeds as blocks that availability respects.
//!
//! - `span` — what an event covers: whole days or instants.
//! - `read` — the reader (unfolding, parameters, dates, zones, durations).
//! - `write` — the writer (CRLF, folding, escaping).
//! - `busy` — which periods a unit's feed shows (no guest data ever).
//! - `token` — the feed URL's secret.
//! - `windows_zones` — Windows time zone names (Outlook's `TZID`s) to IANA zones.
//! - `block` — blocks, sources, imports, feeds: the domain types.
//! - `sync` — calendar syncs: another calendar's URL fetched on a schedule and
//!   imported as one source's blocks (the fetching is the server's).
//! - `commands` — the engine's commands: rotate or disable a feed, serve it,
//!   import a calendar, list blocks.
//! - `sync_commands` — add, list, remove and hurry syncs; the worker's claim
//!   and its record of a fetch (importing what it brought).
//! - `staff` — staff blocks (a unit out of service, with a reason): the
//!   command, the stored input, the reservation in the way.
//! - `staff_commands` — the engine's `block_unit`, `unblock_unit` and the
//!   tenant's blocks of a range.

pub mod block;
pub mod busy;
pub mod commands;
pub mod read;
mod recur;
pub mod span;
pub mod staff;
pub mod staff_commands;
pub mod sync;
pub mod sync_commands;
pub mod token;
pub mod windows_zones;
pub mod write;

#[cfg(test)]
mod tests;
