//! Web push (any signed-in user, for themselves): `vapidPublicKey` (public: the
//! `applicationServerKey` browsers subscribe with), `pushSubscriptions` (the
//! user's devices), `registerPushSubscription` / `unregisterPushSubscription`,
//! and `notificationSettings` / `updateNotificationSettings` (which kinds of
//! notification the user receives on their devices and by e-mail).
//!
//! Devices and settings belong to a user, so API keys (which are not users) are
//! FORBIDDEN here. Any role may register devices; the tenant's owners, admins
//! and staff are the ones notified (a viewer's devices receive nothing until the
//! user is promoted). The tenant is always the token's.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use berth_core::ids::UserId;
use berth_core::push::{
    NewPushSubscription, NotificationSettings as CoreSettings, NotificationSettingsPatch,
    PushEndpoint, PushError, PushKeys, PushSubscription as CoreSubscription,
};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::auth::{Principal, Viewer};
use crate::error::{OrGraphql, coded};

/// How this server does web push: set by the server when it builds the schema.
#[derive(Clone, Debug, Default)]
pub struct PushConfig {
    /// The VAPID public key, base64url of the uncompressed P-256 point (what
    /// `pushManager.subscribe({ applicationServerKey })` takes); `None` when
    /// push is not configured.
    pub vapid_public_key: Option<String>,
    /// Whether `http` endpoints are accepted (only when the operator lets the
    /// delivery workers call private addresses: local and test push services).
    pub allow_http_endpoints: bool,
}

/// A user's registered device.
#[derive(SimpleObject, Debug)]
pub struct PushSubscription {
    /// Stable id.
    pub id: ID,
    /// The push service endpoint the browser gave.
    pub endpoint: String,
    /// The push service's origin (`https://fcm.googleapis.com`).
    pub push_service: String,
    /// When it was first registered.
    pub created_at: DateTime<Utc>,
    /// When it was last registered.
    pub updated_at: DateTime<Utc>,
}

impl From<CoreSubscription> for PushSubscription {
    fn from(s: CoreSubscription) -> Self {
        Self {
            id: ID(s.id.to_string()),
            push_service: s.endpoint.origin(),
            endpoint: s.endpoint.as_str().to_owned(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription's keys, as `PushSubscription.toJSON().keys` gives them.
#[derive(InputObject, Debug)]
pub struct PushSubscriptionKeysInput {
    /// The browser's P-256 public key (base64url, 65-byte uncompressed point).
    #[graphql(name = "p256dh")]
    pub p256dh: String,
    /// The browser's authentication secret (base64url, 16 bytes).
    pub auth: String,
}

/// Which notifications the user receives: on every device, and (owners, admins
/// and staff) by e-mail.
#[derive(SimpleObject, Debug)]
pub struct NotificationSettings {
    /// New reservations.
    pub reservation_created: bool,
    /// Changed reservations (period, unit, price).
    pub reservation_changed: bool,
    /// Canceled reservations.
    pub reservation_canceled: bool,
    /// No-shows: confirmed reservations not checked in by their deadline.
    pub no_show: bool,
    /// Lock conflicts: a change refused because someone holds a lock.
    pub lock_conflict: bool,
    /// An e-mail for each booking request a guest makes on the public site.
    pub email_new_request: bool,
    /// An e-mail for each canceled reservation.
    pub email_canceled: bool,
    /// An e-mail for each no-show.
    pub email_no_show: bool,
}

impl From<CoreSettings> for NotificationSettings {
    fn from(s: CoreSettings) -> Self {
        Self {
            reservation_created: s.reservation_created,
            reservation_changed: s.reservation_changed,
            reservation_canceled: s.reservation_canceled,
            no_show: s.no_show,
            lock_conflict: s.lock_conflict,
            email_new_request: s.email_new_request,
            email_canceled: s.email_canceled,
            email_no_show: s.email_no_show,
        }
    }
}

/// A change of settings: the kinds given are switched on or off; the others
/// stay as they are.
#[derive(InputObject, Debug, Default)]
pub struct NotificationSettingsInput {
    /// New reservations.
    pub reservation_created: Option<bool>,
    /// Changed reservations.
    pub reservation_changed: Option<bool>,
    /// Canceled reservations.
    pub reservation_canceled: Option<bool>,
    /// No-shows.
    pub no_show: Option<bool>,
    /// Lock conflicts.
    pub lock_conflict: Option<bool>,
    /// E-mail on booking requests from the public site.
    pub email_new_request: Option<bool>,
    /// E-mail on cancellations.
    pub email_canceled: Option<bool>,
    /// E-mail on no-shows.
    pub email_no_show: Option<bool>,
}

impl From<NotificationSettingsInput> for NotificationSettingsPatch {
    fn from(i: NotificationSettingsInput) -> Self {
        Self {
            reservation_created: i.reservation_created,
            reservation_changed: i.reservation_changed,
            reservation_canceled: i.reservation_canceled,
            no_show: i.no_show,
            lock_conflict: i.lock_conflict,
            email_new_request: i.email_new_request,
            email_canceled: i.email_canceled,
            email_no_show: i.email_no_show,
        }
    }
}

fn invalid(e: PushError) -> async_graphql::Error {
    coded(ErrorCode::InvalidInput, e.to_string())
}

/// The signed-in user (any role); an API key is FORBIDDEN: it has no devices.
async fn user(ctx: &Context<'_>) -> Result<(Viewer, UserId)> {
    let viewer = require(ctx, Role::Viewer).await?;
    match viewer.principal {
        Principal::User(id) => Ok((viewer, id)),
        Principal::ApiKey(_) => Err(coded(
            ErrorCode::Forbidden,
            "an API key is not a user: it has no devices or notification settings",
        )),
    }
}

fn config(ctx: &Context<'_>) -> PushConfig {
    ctx.data_opt::<PushConfig>().cloned().unwrap_or_default()
}

/// Web push queries.
#[derive(Default, Debug)]
pub struct PushQuery;

#[Object]
impl PushQuery {
    /// The VAPID public key to subscribe with: base64url of the uncompressed
    /// P-256 point, for `pushManager.subscribe({ userVisibleOnly: true,
    /// applicationServerKey })`. Null when this server does not send push
    /// notifications.
    async fn vapid_public_key(&self, ctx: &Context<'_>) -> Option<String> {
        config(ctx).vapid_public_key
    }

    /// The signed-in user's registered devices, oldest first.
    async fn push_subscriptions(&self, ctx: &Context<'_>) -> Result<Vec<PushSubscription>> {
        let (viewer, user) = user(ctx).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let found = engine
            .store()
            .push_subscriptions(viewer.tenant_id, user)
            .await
            .gql()?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    /// Which notifications the signed-in user receives (all, until changed).
    async fn notification_settings(&self, ctx: &Context<'_>) -> Result<NotificationSettings> {
        let (viewer, user) = user(ctx).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let settings = engine
            .store()
            .notification_settings(viewer.tenant_id, user)
            .await
            .gql()?;
        Ok(settings.into())
    }
}

/// Web push mutations.
#[derive(Default, Debug)]
pub struct PushMutation;

#[Object]
impl PushMutation {
    /// Registers this device of the signed-in user for push notifications, with
    /// what the browser's `PushSubscription` gives: its `endpoint` (https) and
    /// `keys`. Registering again (on every start of the app) is harmless; an
    /// endpoint registered by another user of the tenant moves to this one.
    async fn register_push_subscription(
        &self,
        ctx: &Context<'_>,
        endpoint: String,
        keys: PushSubscriptionKeysInput,
    ) -> Result<PushSubscription> {
        let (viewer, user) = user(ctx).await?;
        let endpoint =
            PushEndpoint::parse(&endpoint, config(ctx).allow_http_endpoints).map_err(invalid)?;
        let keys = PushKeys::parse(&keys.p256dh, &keys.auth).map_err(invalid)?;
        let engine = ctx.data_unchecked::<Engine>();
        let subscription = engine
            .integrations()
            .register_push_subscription(
                viewer.tenant_id,
                user,
                NewPushSubscription { endpoint, keys },
                &viewer.actor(),
            )
            .await
            .gql()?;
        Ok(subscription.into())
    }

    /// Removes the signed-in user's device with this endpoint (its queued
    /// notifications too). False when the user has no such device.
    async fn unregister_push_subscription(
        &self,
        ctx: &Context<'_>,
        endpoint: String,
    ) -> Result<bool> {
        let (viewer, user) = user(ctx).await?;
        // Whatever was accepted at registration (http too) can be removed.
        let endpoint = PushEndpoint::parse(&endpoint, true).map_err(invalid)?;
        let engine = ctx.data_unchecked::<Engine>();
        engine
            .integrations()
            .unregister_push_subscription(viewer.tenant_id, user, &endpoint, &viewer.actor())
            .await
            .gql()
    }

    /// Switches kinds of notification on or off for the signed-in user; the
    /// kinds not given stay as they are. Returns the settings after the change.
    async fn update_notification_settings(
        &self,
        ctx: &Context<'_>,
        input: NotificationSettingsInput,
    ) -> Result<NotificationSettings> {
        let (viewer, user) = user(ctx).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let settings = engine
            .integrations()
            .update_notification_settings(viewer.tenant_id, user, input.into(), &viewer.actor())
            .await
            .gql()?;
        Ok(settings.into())
    }
}
