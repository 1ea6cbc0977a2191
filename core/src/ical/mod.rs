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
//! - `commands` — the engine's commands: rotate or disable a feed, serve it,
//!   import a calendar, list blocks.

pub mod block;
pub mod busy;
pub mod commands;
pub mod read;
mod recur;
pub mod span;
pub mod token;
pub mod windows_zones;
pub mod write;

#[cfg(test)]
mod tests;
