//! The event stream: `events(after, first)` for polling clients, and the
//! subscriptions `reservationEvents(after)`, `boardEvents(after)`, `lockEvents`
//! and `policyEvents`, all from the tenant's outbox through the live feed.
//! `reservationEvents` and `boardEvents` resume from a cursor: every event
//! after it exactly once, then live. `boardEvents` is what a board (tape chart)
//! follows besides `lockEvents`: the reservation events, staff blocks made and
//! lifted, and a unit's imported blocks replaced. Each stream is the
//! subscriber's tenant only; reservation and lock events need the viewer role,
//! policy events admin. A subscription outlives no change to its caller: when
//! the stream carries a change to the subscriber's own user (`user.updated`) or
//! the revocation of its API key, the credentials are checked again, and the
//! stream ends with UNAUTHENTICATED (session ended, user disabled, key revoked)
//! or FORBIDDEN (role now too low). This works across instances, since the
//! change reaches every instance through the outbox. A stream opened with a
//! session token ends with UNAUTHENTICATED when that token expires. With event
//! retention on, a cursor from before the tenant's deleted events is refused
//! (INVALID_INPUT on `after`; `berth_core::event_retention`). `lockEvents`
//! and `policyEvents` over WebSocket are rendered once per event for all their
//! subscribers of one tenant, role and operation (`fan_out.rs`); a request that
//! carries a [`RenderOne`] is such a rendering.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::futures_util::StreamExt;
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject, Subscription};
use berth_core::Engine;
use berth_core::event::{Event as CoreEvent, EventCursor};
use berth_core::feed::Feed;
use berth_core::store::StoreError;
use berth_core::user::Role;
use chrono::{DateTime, Utc};
use serde::Deserialize as _;

use crate::access::{authenticate, require};
use crate::auth::{Auth, BearerToken, Principal, Viewer};
use crate::decoded::LastDecoded;
use crate::error::{OrGraphql, coded, from_engine};
use crate::ical::CalendarBlock;
use crate::locks::Lock;
use crate::page::{Page, page_of, page_size};
use crate::reservations::Reservation;

fn cursor(after: Option<String>) -> Result<Option<EventCursor>> {
    after
        .map(|c| {
            c.parse().map_err(|_| {
                coded(
                    berth_core::ErrorCode::InvalidInput,
                    format!("after: `{c}` is not an event cursor"),
                )
            })
        })
        .transpose()
}

/// One event of the outbox.
#[derive(SimpleObject, Debug)]
pub struct Event {
    /// Its position: resume after it with `after`.
    pub cursor: String,
    /// Stable id (for deduplication).
    pub id: ID,
    /// What happened (`reservation.created`).
    pub kind: String,
    /// The entity it happened to.
    pub entity_id: ID,
    /// The entity after the change.
    pub payload: Json<serde_json::Value>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<&CoreEvent> for Event {
    fn from(e: &CoreEvent) -> Self {
        Self {
            cursor: e.cursor.to_string(),
            id: ID(e.id.to_string()),
            kind: e.kind.as_str().to_owned(),
            entity_id: ID(e.entity_id.to_string()),
            payload: Json(e.payload.clone()),
            at: e.at,
        }
    }
}

/// What happened to a reservation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReservationEventKind {
    /// Booked (or held).
    Created,
    /// Period, unit, party or price changed.
    Changed,
    /// Moved to another state (confirmed, checked in, finished, absent).
    StateChanged,
    /// Canceled.
    Canceled,
}

/// A reservation event, with the reservation as it was after it.
#[derive(SimpleObject, Debug)]
pub struct ReservationEvent {
    /// Resume after this with `reservationEvents(after:)`.
    pub cursor: String,
    /// Stable event id.
    pub id: ID,
    /// What happened.
    pub kind: ReservationEventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// The reservation after the event.
    pub reservation: Reservation,
}

/// What happened on a board.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardEventKind {
    /// A reservation was booked (or held).
    ReservationCreated,
    /// A reservation's period, unit, party, price or details changed.
    ReservationChanged,
    /// A reservation moved to another state (confirmed, checked in, finished,
    /// absent).
    ReservationStateChanged,
    /// A reservation was canceled.
    ReservationCanceled,
    /// Staff took a unit out of service (`blockUnit`).
    BlockCreated,
    /// A staff block was lifted (`unblockUnit`).
    BlockRemoved,
    /// A unit's imported blocks were replaced (an import or a sync's fetch)
    /// or cleared (a sync removed with its blocks): read the unit's blocks
    /// again.
    BlocksReplaced,
}

/// An event a board shows: a reservation's (with the reservation after it), a
/// staff block's (with the block), or a unit's imported blocks replaced.
#[derive(SimpleObject, Debug)]
pub struct BoardEvent {
    /// Resume after this with `boardEvents(after:)`.
    pub cursor: String,
    /// Stable event id.
    pub id: ID,
    /// What happened.
    pub kind: BoardEventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// The unit it happened on (a reservation's unit after the event).
    pub unit_id: ID,
    /// The reservation after the event (reservation kinds).
    pub reservation: Option<Reservation>,
    /// The block made or lifted (block kinds).
    pub block: Option<CalendarBlock>,
}

/// What happened to a lock.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockEventKind {
    /// Taken.
    Acquired,
    /// Lease extended.
    Renewed,
    /// Released by its holder (or its session ended).
    Released,
    /// Lease ran out.
    Expired,
}

/// A lock event.
#[derive(SimpleObject, Debug)]
pub struct LockEvent {
    /// What happened.
    pub kind: LockEventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// The lock.
    pub lock: Lock,
}

/// What happened to the tenant's policy.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyEventKind {
    /// A new version went live.
    Activated,
    /// An edit was refused; the live version kept serving.
    Rejected,
    /// A version was published (or an older one again, by a rollback); every
    /// instance makes it live.
    Published,
}

/// A policy event.
#[derive(SimpleObject, Debug)]
pub struct PolicyEvent {
    /// What happened.
    pub kind: PolicyEventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// The version that went live, or was published.
    pub version: Option<i64>,
    /// Why an edit was refused: `file:line:col: message` lines.
    pub errors: Vec<String>,
}

fn reservation_event(e: &CoreEvent) -> Option<Result<ReservationEvent>> {
    use berth_core::event::EventKind as K;
    let kind = match e.kind {
        K::ReservationCreated => ReservationEventKind::Created,
        K::ReservationChanged => ReservationEventKind::Changed,
        K::ReservationStateChanged => ReservationEventKind::StateChanged,
        K::ReservationCanceled => ReservationEventKind::Canceled,
        _ => return None,
    };
    // Decoded once per event for all subscribers, from the shared payload.
    static DECODED: LastDecoded<berth_core::reservation::Reservation> = LastDecoded::new();
    Some(
        DECODED
            .get_or(e.id, || {
                berth_core::reservation::Reservation::deserialize(&e.payload)
            })
            .map_err(crate::error::internal)
            .map(|r| ReservationEvent {
                cursor: e.cursor.to_string(),
                id: ID(e.id.to_string()),
                kind,
                at: e.at,
                reservation: Reservation::new(r),
            }),
    )
}

fn board_event(e: &CoreEvent) -> Option<Result<BoardEvent>> {
    use berth_core::event::EventKind as K;
    let event = |kind, unit_id: String, reservation, block| BoardEvent {
        cursor: e.cursor.to_string(),
        id: ID(e.id.to_string()),
        kind,
        at: e.at,
        unit_id: ID(unit_id),
        reservation,
        block,
    };
    match e.kind {
        K::ReservationCreated
        | K::ReservationChanged
        | K::ReservationStateChanged
        | K::ReservationCanceled => {
            let kind = match e.kind {
                K::ReservationCreated => BoardEventKind::ReservationCreated,
                K::ReservationChanged => BoardEventKind::ReservationChanged,
                K::ReservationStateChanged => BoardEventKind::ReservationStateChanged,
                _ => BoardEventKind::ReservationCanceled,
            };
            static DECODED: LastDecoded<berth_core::reservation::Reservation> = LastDecoded::new();
            Some(
                DECODED
                    .get_or(e.id, || {
                        berth_core::reservation::Reservation::deserialize(&e.payload)
                    })
                    .map_err(crate::error::internal)
                    .map(|r| {
                        let unit = r.unit_id.to_string();
                        event(kind, unit, Some(Reservation::new(r)), None)
                    }),
            )
        }
        K::BlockCreated | K::BlockRemoved => {
            let kind = if e.kind == K::BlockCreated {
                BoardEventKind::BlockCreated
            } else {
                BoardEventKind::BlockRemoved
            };
            static DECODED: LastDecoded<CalendarBlock> = LastDecoded::new();
            Some(
                DECODED
                    .get_or(e.id, || {
                        berth_core::ical::block::CalendarBlock::deserialize(&e.payload)
                            .map(CalendarBlock::from)
                    })
                    .map_err(crate::error::internal)
                    .map(|b| event(kind, b.unit_id.to_string(), None, Some(b))),
            )
        }
        K::CalendarImported => {
            unit_of(e).map(|unit| Ok(event(BoardEventKind::BlocksReplaced, unit, None, None)))
        }
        K::CalendarSyncRemoved if e.payload["blocks_removed"].as_u64().unwrap_or(0) > 0 => {
            unit_of(e).map(|unit| Ok(event(BoardEventKind::BlocksReplaced, unit, None, None)))
        }
        _ => None,
    }
}

/// The `unit_id` of an event's payload.
fn unit_of(e: &CoreEvent) -> Option<String> {
    e.payload["unit_id"].as_str().map(str::to_owned)
}

/// Whether `lockEvents` carries events of `kind`.
pub(crate) fn is_lock_kind(kind: berth_core::event::EventKind) -> bool {
    use berth_core::event::EventKind as K;
    matches!(
        kind,
        K::LockAcquired | K::LockRenewed | K::LockReleased | K::LockExpired
    )
}

/// Whether `policyEvents` carries events of `kind`.
pub(crate) fn is_policy_kind(kind: berth_core::event::EventKind) -> bool {
    use berth_core::event::EventKind as K;
    matches!(
        kind,
        K::PolicyActivated | K::PolicyRejected | K::PolicyPublished
    )
}

fn lock_event(e: &CoreEvent) -> Option<Result<LockEvent>> {
    use berth_core::event::EventKind as K;
    let kind = match e.kind {
        K::LockAcquired => LockEventKind::Acquired,
        K::LockRenewed => LockEventKind::Renewed,
        K::LockReleased => LockEventKind::Released,
        K::LockExpired => LockEventKind::Expired,
        _ => return None,
    };
    // Decoded once per event for all subscribers.
    static DECODED: LastDecoded<Lock> = LastDecoded::new();
    Some(
        DECODED
            .get_or(e.id, || {
                berth_core::lock::Lock::deserialize(&e.payload).map(Lock::from)
            })
            .map_err(crate::error::internal)
            .map(|lock| LockEvent {
                kind,
                at: e.at,
                lock,
            }),
    )
}

fn policy_event(e: &CoreEvent) -> Option<Result<PolicyEvent>> {
    use berth_core::event::EventKind as K;
    let kind = match e.kind {
        K::PolicyActivated => PolicyEventKind::Activated,
        K::PolicyRejected => PolicyEventKind::Rejected,
        K::PolicyPublished => PolicyEventKind::Published,
        _ => return None,
    };
    let errors = e.payload["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Some(Ok(PolicyEvent {
        kind,
        at: e.at,
        // A publication names its number.
        version: e.payload["version"]
            .as_i64()
            .or_else(|| e.payload["number"].as_i64()),
        errors,
    }))
}

/// What one rendering of a shared subscription (`fan_out.rs`) is about: the
/// subscription's stream is this one item instead of the feed.
pub(crate) enum RenderSource {
    /// An event of the tenant's feed.
    Event(Arc<CoreEvent>),
    /// The feed failed.
    Failed(StoreError),
    /// The subscriber may no longer listen: the stream's last message.
    Refused(async_graphql::Error),
}

/// Request data marking a rendering of one item of a shared subscription.
pub(crate) struct RenderOne(Mutex<Option<RenderSource>>);

impl RenderOne {
    pub(crate) fn new(source: RenderSource) -> Self {
        Self(Mutex::new(Some(source)))
    }
}

/// The viewer's tenant's feed from `after`, each event mapped by `pick` (None:
/// skipped), for as long as the viewer may listen with `role` (see `Watch`).
/// In a rendering (`RenderOne`), the one item it is about instead.
async fn follow<T, F>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    role: Role,
    after: Option<EventCursor>,
    pick: F,
) -> Result<BoxStream<'static, Result<T>>>
where
    T: Send + 'static,
    F: Fn(&CoreEvent) -> Option<Result<T>> + Send + Sync + 'static,
{
    if let Some(RenderOne(source)) = ctx.data_opt::<RenderOne>() {
        let source = source.lock().unwrap_or_else(|p| p.into_inner()).take();
        let item = match source {
            Some(RenderSource::Event(event)) => pick(&event),
            Some(RenderSource::Failed(e)) => Some(Err(from_engine(e.into()))),
            Some(RenderSource::Refused(refused)) => Some(Err(refused)),
            None => None,
        };
        return Ok(async_graphql::futures_util::stream::iter(item).boxed());
    }
    let feed = ctx.data_unchecked::<Arc<Feed>>();
    if let Some(after) = after {
        ctx.data_unchecked::<Engine>()
            .check_resumable(viewer.tenant_id, after)
            .await
            .map_err(from_engine)?;
    }
    let stream = feed.subscribe(viewer.tenant_id, after).await.gql()?;
    let engine = ctx.data_unchecked::<Engine>();
    let watch = Watch {
        engine: engine.clone(),
        auth: ctx.data_unchecked::<Auth>().clone(),
        token: ctx.data_opt::<BearerToken>().map(|t| t.0.clone()),
        principal: viewer.principal,
        role,
    };
    let expiry = Box::pin(tokio::time::sleep(session_left(engine, viewer)));
    // One state machine per subscriber: most events are picked synchronously;
    // only a change to the caller (rare) awaits a re-check. The refusal is the
    // stream's last message: it ends at once.
    Ok(async_graphql::futures_util::stream::unfold(
        Some((Box::pin(stream), expiry, watch, pick)),
        |state| async move {
            let (mut events, mut expiry, watch, pick) = state?;
            loop {
                // Biased: an event that is ready goes out without polling the
                // expiry timer (polling it registers a waker, per subscriber,
                // per event: measurable at 1,000 subscribers).
                let refused = tokio::select! {
                    biased;
                    item = events.next() => match item? {
                        Ok(event) => {
                            if watch.concerns_caller(&event) && let Some(refused) = watch.recheck().await {
                                Some(refused)
                            } else {
                                match pick(&event) {
                                    Some(item) => return Some((item, Some((events, expiry, watch, pick)))),
                                    None => None,
                                }
                            }
                        }
                        Err(e) => {
                            let err = from_engine(e.into());
                            return Some((Err(err), Some((events, expiry, watch, pick))));
                        }
                    },
                    () = &mut expiry => Some(session_expired()),
                };
                if let Some(refused) = refused {
                    return Some((Err(refused), None));
                }
            }
        },
    )
    .boxed())
}

/// How long until `viewer`'s session token expires: a subscription ends then
/// (an API key has no expiry).
pub(crate) fn session_left(engine: &Engine, viewer: &Viewer) -> Duration {
    viewer.expires_at.map_or(Duration::MAX, |at| {
        (at - engine.clock().now())
            .to_std()
            .unwrap_or(Duration::ZERO)
    })
}

/// The refusal that ends a subscription whose session token expired.
pub(crate) fn session_expired() -> async_graphql::Error {
    coded(
        berth_core::ErrorCode::Unauthenticated,
        "the session has expired; sign in again",
    )
}

/// Whether `event` changes `principal`'s own user or key.
pub(crate) fn concerns(principal: Principal, event: &CoreEvent) -> bool {
    use berth_core::event::EventKind as K;
    match principal {
        Principal::User(id) => event.kind == K::UserUpdated && event.entity_id == id.as_uuid(),
        Principal::ApiKey(id) => event.kind == K::ApiKeyRevoked && event.entity_id == id.as_uuid(),
    }
}

/// What a subscription needs to check its caller again.
pub(crate) struct Watch {
    pub(crate) engine: Engine,
    pub(crate) auth: Auth,
    pub(crate) token: Option<String>,
    pub(crate) principal: Principal,
    pub(crate) role: Role,
}

impl Watch {
    /// Whether `event` changes the subscriber's own user or key.
    pub(crate) fn concerns_caller(&self, event: &CoreEvent) -> bool {
        concerns(self.principal, event)
    }

    /// After a change to the subscriber's own user or key: the refusal to end
    /// the stream with, if the credentials no longer allow it.
    pub(crate) async fn recheck(&self) -> Option<async_graphql::Error> {
        let token = self.token.as_deref()?;
        let now = self.engine.clock().now();
        match authenticate(&**self.engine.store(), &self.auth, now, token).await {
            Ok(Some(viewer)) if viewer.role.includes(self.role) => None,
            Ok(Some(_)) => Some(coded(
                berth_core::ErrorCode::Forbidden,
                format!("this subscription needs the {} role or higher", self.role),
            )),
            Ok(None) => Some(coded(
                berth_core::ErrorCode::Unauthenticated,
                "the session has ended; sign in again",
            )),
            Err(e) => Some(from_engine(e.into())),
        }
    }
}

/// Event queries.
#[derive(Default, Debug)]
pub struct EventsQuery;

#[Object]
impl EventsQuery {
    /// The tenant's events after `after` (from the start without it), oldest
    /// first: the same stream as the subscriptions, for polling clients. With
    /// `kinds` (as webhooks filter: `reservation.created`, `reservation.*`,
    /// `*`), only those events — a page holds `first` of them whenever there
    /// are that many, and its cursors resume the same filtered stream.
    #[graphql(complexity = "crate::cost::page(first, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        #[graphql(default = 100)] first: i32,
        kinds: Option<Vec<String>>,
    ) -> Result<Page<Event>> {
        let viewer = require(ctx, Role::Viewer).await?;
        let limit = page_size(first)?;
        let from = cursor(after)?;
        let kinds = kinds
            .map(|k| {
                berth_core::webhook::EventFilters::parse(&k)
                    .map(|f| {
                        berth_core::event::EventKind::all()
                            .iter()
                            .copied()
                            .filter(|kind| f.matches(*kind))
                            .collect::<Vec<_>>()
                    })
                    .map_err(|e| coded(berth_core::ErrorCode::InvalidInput, format!("kinds: {e}")))
            })
            .transpose()?;
        let engine = ctx.data_unchecked::<Engine>();
        if let Some(from) = from {
            engine
                .check_resumable(viewer.tenant_id, from)
                .await
                .map_err(from_engine)?;
        }
        let start = from.unwrap_or(EventCursor::START);
        let store = engine.store();
        let found = match &kinds {
            Some(kinds) => {
                store
                    .events_of_kinds_after(viewer.tenant_id, start, kinds, limit + 1)
                    .await
            }
            None => store.events_after(viewer.tenant_id, start, limit + 1).await,
        }
        .gql()?;
        Ok(page_of(found, limit, from.is_some(), |e| {
            (e.cursor.to_string(), Event::from(&e))
        }))
    }
}

/// The subscription root.
#[derive(Default, Debug)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Reservations created, changed, moved through states or canceled. With
    /// `after`, every such event after that cursor first, then live ones.
    async fn reservation_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<BoxStream<'static, Result<ReservationEvent>>> {
        let viewer = require(ctx, Role::Viewer).await?;
        follow(
            ctx,
            &viewer,
            Role::Viewer,
            cursor(after)?,
            reservation_event,
        )
        .await
    }

    /// What a board (tape chart) redraws, besides locks (`lockEvents`):
    /// reservations created, changed, moved through states or canceled, staff
    /// blocks made and lifted, and a unit's imported blocks replaced. With
    /// `after`, every such event after that cursor first, then live ones.
    async fn board_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<BoxStream<'static, Result<BoardEvent>>> {
        let viewer = require(ctx, Role::Viewer).await?;
        follow(ctx, &viewer, Role::Viewer, cursor(after)?, board_event).await
    }

    /// Locks taken, renewed, released and expired, live.
    async fn lock_events(
        &self,
        ctx: &Context<'_>,
    ) -> Result<BoxStream<'static, Result<LockEvent>>> {
        let viewer = require(ctx, Role::Viewer).await?;
        follow(ctx, &viewer, Role::Viewer, None, lock_event).await
    }

    /// Policy versions activated and edits refused, live.
    async fn policy_events(
        &self,
        ctx: &Context<'_>,
    ) -> Result<BoxStream<'static, Result<PolicyEvent>>> {
        let viewer = require(ctx, Role::Admin).await?;
        follow(ctx, &viewer, Role::Admin, None, policy_event).await
    }
}
