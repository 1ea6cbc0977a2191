//! The store conformance suite: one set of behaviours, run unchanged against
//! SQLite and PostgreSQL through the engine. Each test gets a fresh database.
//! PostgreSQL tests need `BERTH_TEST_POSTGRES_URL` (scripts/test starts a
//! throwaway server and sets it); without it they are skipped loudly.

// Test code: a panic on an unexpected Err is exactly the failure report we want.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

/// Declares `$name` as a module with one test per backend, each calling
/// `$body(backend)`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use crate::support::{available, Backend};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if available(Backend::Postgres, stringify!($name)) {
                        super::$name(Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

mod analytics;
mod board;
mod booking_capacity;
mod calendar;
mod calendar_sync;
mod catalog;
mod client_record;
mod concurrency;
mod erasure;
mod event_retention;
mod events;
mod feed;
mod isolation;
mod lifecycle;
mod locks;
mod login_throttle;
mod mail;
mod media;
mod model;
mod overrides;
mod plan;
mod policy_versions;
mod postgres_guards;
mod profiles;
mod public_requests;
mod push;
mod reservation_details;
mod reservations;
mod staff_blocks;
mod tenant_pictures;
mod tenants;
mod upgrade;
mod users;
mod webhooks;
