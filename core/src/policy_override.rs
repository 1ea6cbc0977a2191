//! Booking anyway: an admin overriding the tenant's policy for one booking or
//! period change (a one-night goodwill stay inside a two-night minimum). Only
//! the policy's refusals give way — the violations of its `validate` and
//! `can_change` rules; never the rules every tenant shares (archived unit,
//! quantity over inventory, guests over the unit's capacity), capacity, a lock,
//! a final state or a stale version. Who may override is the API's concern
//! (admin and owner); the engine records what was overridden, by whom and why
//! on the reservation, so its audit entry and event carry it too.
//!
//! The price of an overridden request is the policy's price for it when the
//! policy still computes one, and none otherwise (see `Engine::settle`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::policy::Violation;
use crate::reason::Reason;

/// What a caller asks for when it books anyway: the reason, and the name to
/// show for them (a user's e-mail, an API key's name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideRequest {
    /// Why the rules are set aside.
    pub reason: Reason,
    /// Who asks, as others see them.
    pub by_name: String,
}

/// The record of an override, kept on the reservation: the policy's refusal
/// that was set aside, why, by whom and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOverride {
    /// Why.
    pub reason: Reason,
    /// The violations the policy reported and the override set aside.
    pub violations: Vec<Violation>,
    /// Who overrode.
    pub by: Actor,
    /// Who overrode, as others saw them then.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
}
