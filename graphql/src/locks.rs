//! Locks for administrators working at the same time: `locks` (viewer), and
//! `acquireLock`, `renewLock`, `releaseLock` (staff). A lock is held by the
//! caller's session — the WebSocket connection when the request comes over one,
//! else the sign-in — and shown to others with the holder's display name.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::lock::Lock as CoreLock;
use berth_core::lock_commands::LockTarget;
use berth_core::user::Role;
use chrono::{DateTime, Duration, Utc};

use crate::access::{engine_for, require};
use crate::auth::{Principal, Viewer};
use crate::error::{OrGraphql, coded};
use crate::ids::parse;
use crate::types::PeriodInput;

/// Who holds a lock.
#[derive(SimpleObject, Debug, Clone)]
pub struct LockHolder {
    /// The holding user, when a user holds it.
    pub user_id: Option<ID>,
    /// The holding API key, when a key holds it.
    pub api_key_id: Option<ID>,
    /// What to show other administrators.
    pub display_name: String,
    /// The holding session.
    pub session: String,
}

/// A lease on a unit's period (or a whole unit, or a reservation).
#[derive(SimpleObject, Debug, Clone)]
pub struct Lock {
    /// Stable id.
    pub id: ID,
    /// The unit.
    pub unit_id: ID,
    /// The reservation, for a lock on one.
    pub reservation_id: Option<ID>,
    /// Start of the locked (occupied) interval; none for a whole-unit lock.
    pub start: Option<DateTime<Utc>>,
    /// End of the locked interval.
    pub end: Option<DateTime<Utc>>,
    /// Who holds it.
    pub holder: LockHolder,
    /// When it was taken.
    pub acquired_at: DateTime<Utc>,
    /// When it ends unless renewed.
    pub expires_at: DateTime<Utc>,
}

impl From<CoreLock> for Lock {
    fn from(l: CoreLock) -> Self {
        let (user_id, api_key_id) = match &l.holder.actor {
            berth_core::audit::Actor::User(id) => (Some(ID(id.to_string())), None),
            berth_core::audit::Actor::ApiKey(id) => (None, Some(ID(id.clone()))),
            _ => (None, None),
        };
        Self {
            id: ID(l.id.to_string()),
            unit_id: ID(l.unit_id.to_string()),
            reservation_id: l.reservation_id.map(|r| ID(r.to_string())),
            start: l.range.map(|r| r.start()),
            end: l.range.map(|r| r.end()),
            holder: LockHolder {
                user_id,
                api_key_id,
                display_name: l.holder.display_name,
                session: l.holder.session.to_string(),
            },
            acquired_at: l.acquired_at,
            expires_at: l.expires_at,
        }
    }
}

/// What to lock: a unit over a period (the tenant's model shape, as for a
/// booking), a whole unit (no period), or a reservation.
#[derive(InputObject, Debug)]
pub struct LockInput {
    /// The unit.
    pub unit_id: Option<ID>,
    /// The period on that unit; omit to lock the whole unit.
    pub period: Option<PeriodInput>,
    /// A reservation (instead of a unit).
    pub reservation_id: Option<ID>,
}

fn lease(seconds: i32) -> Duration {
    Duration::seconds(i64::from(seconds))
}

/// What other administrators see of `viewer`.
pub(crate) async fn display_name(engine: &Engine, viewer: &Viewer) -> Result<String> {
    Ok(match viewer.principal {
        Principal::User(id) => engine
            .store()
            .user(viewer.tenant_id, id)
            .await
            .gql()?
            .map_or_else(
                || "unknown user".to_owned(),
                |u| u.email.as_str().to_owned(),
            ),
        Principal::ApiKey(id) => engine
            .store()
            .api_key_secret(viewer.tenant_id, id)
            .await
            .gql()?
            .map_or_else(
                || "API key".to_owned(),
                |(k, _)| format!("API key {}", k.name),
            ),
    })
}

/// Lock queries.
#[derive(Default, Debug)]
pub struct LocksQuery;

#[Object]
impl LocksQuery {
    /// The tenant's live locks.
    async fn locks(&self, ctx: &Context<'_>) -> Result<Vec<Lock>> {
        let viewer = require(ctx, Role::Viewer).await?;
        let locks = ctx
            .data_unchecked::<Engine>()
            .locks(viewer.tenant_id)
            .await
            .gql()?;
        Ok(locks.into_iter().map(Into::into).collect())
    }
}

/// Lock mutations.
#[derive(Default, Debug)]
pub struct LocksMutation;

#[Object]
impl LocksMutation {
    /// Takes a lock for `ttlSeconds` (renew it before then). Another session's
    /// overlapping lock is LOCKED with `extensions.holder`.
    async fn acquire_lock(
        &self,
        ctx: &Context<'_>,
        input: LockInput,
        #[graphql(default = 30)] ttl_seconds: i32,
    ) -> Result<Lock> {
        let viewer = require(ctx, Role::Staff).await?;
        let target = match (&input.unit_id, &input.period, &input.reservation_id) {
            (Some(unit), period, None) => LockTarget::Unit {
                unit_id: parse(unit, "input.unitId")?,
                period: period.as_ref().map(PeriodInput::parse).transpose()?,
            },
            (None, None, Some(id)) => LockTarget::Reservation(parse(id, "input.reservationId")?),
            _ => {
                return Err(coded(
                    berth_core::ErrorCode::InvalidInput,
                    "input: give unitId (and a period, or none for the whole unit), or reservationId",
                ));
            }
        };
        let engine = engine_for(ctx, &viewer);
        let name = display_name(&engine, &viewer).await?;
        let lock = engine
            .acquire_lock(
                viewer.tenant_id,
                target,
                &viewer.actor(),
                &name,
                lease(ttl_seconds),
            )
            .await
            .gql()?;
        Ok(lock.into())
    }

    /// Extends a lock of the caller's session by `ttlSeconds` from now (the
    /// heartbeat).
    async fn renew_lock(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = 30)] ttl_seconds: i32,
    ) -> Result<Lock> {
        let viewer = require(ctx, Role::Staff).await?;
        let lock = engine_for(ctx, &viewer)
            .renew_lock(
                viewer.tenant_id,
                parse(&id, "id")?,
                lease(ttl_seconds),
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(lock.into())
    }

    /// Releases a lock of the caller's session.
    async fn release_lock(&self, ctx: &Context<'_>, id: ID) -> Result<Lock> {
        let viewer = require(ctx, Role::Staff).await?;
        let lock = engine_for(ctx, &viewer)
            .release_lock(viewer.tenant_id, parse(&id, "id")?, &viewer.actor())
            .await
            .gql()?;
        Ok(lock.into())
    }
}
