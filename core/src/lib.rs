//! berth-core: the reservation engine and everything it stands on — domain types,
//! the reservation state machine, the capacity rule, the policy port and the
//! stores (SQLite and PostgreSQL). It knows nothing of GraphQL, HTTP or Rhai: the
//! API layer and the policy runtime depend on it, never the other way round.

pub mod accounts;
pub mod actor_names;
pub mod analytics;
pub mod api_key;
pub mod audit;
pub mod backoff;
#[cfg(feature = "testing")]
pub mod bench;
pub mod board;
pub mod booking_request;
pub mod capacity;
pub mod client;
pub mod client_record;
pub mod clock;
pub mod engine;
pub mod erasure;
pub mod error;
pub mod event;
pub mod event_retention;
pub mod feed;
pub mod ical;
pub mod ids;
pub mod integrations;
pub mod lifecycle;
pub mod local_time;
pub mod lock;
pub mod lock_commands;
pub mod login_throttle;
pub mod mail;
pub mod mail_commands;
pub mod media;
pub mod money;
pub mod plan;
pub mod policy;
pub mod policy_candidate;
pub mod policy_override;
pub mod policy_versions;
pub mod profile;
pub mod push;
pub mod quantity;
pub mod reason;
pub mod request;
pub mod reservation;
pub mod reservation_details;
pub mod secret_box;
pub mod state;
pub mod store;
pub mod tenant;
#[cfg(feature = "testing")]
pub mod test_pictures;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time_range;
pub mod unit;
pub mod unit_calendar;
pub mod unit_history;
pub mod user;
pub mod webhook;

pub use engine::Engine;
pub use error::{EngineError, ErrorCode};
