//! berth-graphql: the GraphQL API, the only crate that knows GraphQL. One root
//! object per feature, merged; DTOs mapped from core types; engine errors mapped
//! to the stable codes of DESIGN.md in `extensions.code`. The transport (HTTP,
//! WebSocket) lives in the server.

pub mod access;
pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod blocks;
pub mod board;
pub mod booking_requests;
pub mod calendar_sync;
pub mod clients;
pub mod codes;
pub mod cost;
pub mod decoded;
pub mod error;
pub mod events;
pub mod fan_out;
pub mod ical;
pub mod ids;
pub mod loaders;
pub mod locks;
pub mod mail;
pub mod media;
pub mod page;
pub mod policy_plan;
pub mod policy_tests;
pub mod policy_versions;
pub mod profile;
pub mod public;
pub mod push;
pub mod reservations;
pub mod scalars;
pub mod session;
pub mod types;
pub mod unit_calendar;
pub mod units;
pub mod users;
pub mod viewer_cache;
pub mod webhooks;

use async_graphql::dataloader::DataLoader;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{MergedObject, Schema};
use berth_core::Engine;

/// The query root: every feature's queries.
#[derive(MergedObject, Default, Debug)]
pub struct Query(
    public::PublicQuery,
    session::SessionQuery,
    reservations::ReservationsQuery,
    clients::ClientsQuery,
    api_keys::ApiKeysQuery,
    locks::LocksQuery,
    events::EventsQuery,
    audit::AuditQuery,
    webhooks::WebhooksQuery,
    MessagingQuery,
    ical::IcalQuery,
    calendar_sync::CalendarSyncQuery,
    analytics::AnalyticsQuery,
    users::UsersQuery,
    board::BoardQuery,
    CalendarAndPlanQuery,
);

/// The mutation root: every feature's mutations.
#[derive(MergedObject, Default, Debug)]
pub struct Mutation(
    SessionAndPolicyMutation,
    units::UnitsMutation,
    clients::ClientsMutation,
    reservations::ReservationsMutation,
    api_keys::ApiKeysMutation,
    locks::LocksMutation,
    webhooks::WebhooksMutation,
    MessagingMutation,
    ical::IcalMutation,
    calendar_sync::CalendarSyncMutation,
    users::UsersMutation,
    blocks::BlocksMutation,
    media::MediaMutation,
    booking_requests::BookingRequestsMutation,
);

/// Web push and e-mail, how the tenant's people hear of bookings, as one
/// member of the roots: each member of a merged root deepens the compiler's
/// layout recursion, which the query root had nearly used up.
#[derive(MergedObject, Default, Debug)]
pub struct MessagingQuery(push::PushQuery, mail::MailQuery);

/// A unit's public calendar, the policy plan and the policy editor's tests,
/// as one member of the query root (see [`MessagingQuery`]).
#[derive(MergedObject, Default, Debug)]
pub struct CalendarAndPlanQuery(
    unit_calendar::UnitCalendarQuery,
    policy_plan::PolicyPlanQuery,
    policy_tests::PolicyTestsQuery,
);

/// The session's mutations and the policy's versions (`publishPolicy`,
/// `rollbackPolicy`), as one member of the mutation root (see
/// [`MessagingQuery`]).
#[derive(MergedObject, Default, Debug)]
pub struct SessionAndPolicyMutation(
    session::SessionMutation,
    policy_versions::PolicyVersionsMutation,
);

/// The mutations of [`MessagingQuery`]'s features.
#[derive(MergedObject, Default, Debug)]
pub struct MessagingMutation(push::PushMutation, mail::MailMutation);

/// The schema type.
pub type BerthSchema = Schema<Query, Mutation, events::Subscription>;

/// Deepest query accepted.
pub const MAX_DEPTH: usize = 12;
/// Most points one request may cost (`cost.rs`: fields, pages times their
/// size, expensive fields and what they charge while running).
pub const MAX_COMPLEXITY: usize = 2_000;

/// How often a tenant's live feed looks for events written by other instances
/// (this instance's own commits wake it at once).
pub const FEED_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What the server configured besides the store and the sessions' key: web
/// push and e-mail. The default is neither.
#[derive(Clone, Debug, Default)]
pub struct Services {
    /// Web push (`vapidPublicKey`, which endpoints are accepted).
    pub push: push::PushConfig,
    /// E-mail (`emailSettings.configured`, the sender address).
    pub mail: mail::MailConfig,
}

/// The schema over `engine`, signing sessions with `auth`, with depth and
/// complexity limits, the DataLoaders and the live event feed; without web push
/// (`vapidPublicKey` is null) or e-mail.
pub fn schema(engine: Engine, auth: auth::Auth) -> BerthSchema {
    schema_with(engine, auth, Services::default())
}

/// [`schema`] with web push configured as `push` says (and no e-mail).
pub fn schema_with_push(engine: Engine, auth: auth::Auth, push: push::PushConfig) -> BerthSchema {
    schema_with(
        engine,
        auth,
        Services {
            push,
            ..Services::default()
        },
    )
}

/// [`schema`] with web push and e-mail configured as `services` says.
pub fn schema_with(engine: Engine, auth: auth::Auth, services: Services) -> BerthSchema {
    schema_and_fan_out(engine, auth, services).0
}

/// [`schema_with`], and the groups that render its shared subscriptions once
/// for all their subscribers (`fan_out.rs`), over the same feed.
pub fn schema_and_fan_out(
    engine: Engine,
    auth: auth::Auth,
    services: Services,
) -> (BerthSchema, Arc<fan_out::FanOut>) {
    let units = DataLoader::new(loaders::UnitLoader(engine.store().clone()), tokio::spawn);
    let clients = DataLoader::new(loaders::ClientLoader(engine.store().clone()), tokio::spawn);
    let images = DataLoader::new(
        loaders::UnitImagesLoader(engine.store().clone()),
        tokio::spawn,
    );
    let actor_names = DataLoader::new(
        loaders::ActorNameLoader(engine.store().clone()),
        tokio::spawn,
    );
    let feed = Arc::new(berth_core::feed::Feed::new(
        engine.store().clone(),
        FEED_POLL_INTERVAL,
    ));
    let schema = Schema::build(Query::default(), Mutation::default(), events::Subscription)
        .data(engine.clone())
        .data(feed.clone())
        .data(auth.clone())
        .data(units)
        .data(clients)
        .data(images)
        .data(actor_names)
        .data(services.push)
        .data(services.mail)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(codes::ErrorCodes)
        .extension(viewer_cache::ViewerCacheExtension)
        .extension(cost::CostExtension)
        .finish();
    let fan_out = fan_out::FanOut::new(schema.clone(), feed, engine, auth);
    (schema, Arc::new(fan_out))
}

/// The schema's SDL (what `graphql/schema.graphql` holds).
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), events::Subscription)
        .finish()
        .sdl()
}
