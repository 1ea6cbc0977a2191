//! Access: who the caller is and what their role allows. Every admin field starts
//! with [`require`], the one place roles are enforced; the tenant of every admin
//! operation is the verified viewer's, never an argument.
//!
//! The matrix: viewer reads; staff also manages reservations and clients; admin
//! also units and API keys; owner everything.

use async_graphql::{Context, Result};
use berth_core::store::{Store, StoreError};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::auth::{
    Auth, BearerToken, ConnectionSession, Principal, Viewer, hash_key, hashes_equal, parse_api_key,
};
use crate::error::{coded, from_engine};
use crate::viewer_cache::ViewerCache;

fn unauthenticated() -> async_graphql::Error {
    coded(ErrorCode::Unauthenticated, "sign in first")
}

/// Who `token` (a session token or an API key) says the caller is, at `now`:
/// `None` when it is forged, expired, unknown or revoked. Session tokens are
/// checked by signature and expiry, then against their user as stored now: the
/// user must exist, be active and still be in the token's session epoch, and the
/// role is the user's current one (so a role change or a disabled user takes
/// effect on the next request). API keys are checked against their stored hash.
/// The transport calls this too (WebSocket handshake, rate-limit exemption), so
/// there is one definition of a valid credential.
pub async fn authenticate(
    store: &dyn Store,
    auth: &Auth,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Option<Viewer>, StoreError> {
    let Some((tenant_id, key_id)) = parse_api_key(token) else {
        let Ok((mut viewer, epoch)) = auth.verify(token, now) else {
            return Ok(None);
        };
        let Principal::User(user_id) = viewer.principal else {
            return Ok(None);
        };
        let user = store.user(viewer.tenant_id, user_id).await?;
        return Ok(user.and_then(|user| {
            (user.is_active() && user.session_epoch == epoch).then(|| {
                viewer.role = user.role;
                viewer
            })
        }));
    };
    let found = store.api_key_secret(tenant_id, key_id).await?;
    Ok(match found {
        Some((key, hash)) if key.revoked_at.is_none() && hashes_equal(&hash, &hash_key(token)) => {
            Some(Viewer {
                principal: Principal::ApiKey(key.id),
                tenant_id,
                role: key.role,
                session: format!("key:{}", key.id.as_uuid().simple())
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("api key id {}", key.id)))?,
                expires_at: None,
            })
        }
        _ => None,
    })
}

/// The verified caller of this request, or UNAUTHENTICATED. Verified once per
/// request (see `viewer_cache`), however many fields ask.
pub async fn viewer(ctx: &Context<'_>) -> Result<Viewer> {
    let token = ctx.data_opt::<BearerToken>().ok_or_else(unauthenticated)?;
    let engine = ctx.data_unchecked::<Engine>();
    let auth = ctx.data_unchecked::<Auth>();
    let verify = || async {
        authenticate(&**engine.store(), auth, engine.clock().now(), &token.0)
            .await
            .map_err(|e| from_engine(e.into()))
    };
    let found = match ctx.data_opt::<ViewerCache>() {
        Some(cache) => cache.0.get_or_try_init(verify).await?.clone(),
        None => verify().await?,
    };
    let mut viewer = found.ok_or_else(unauthenticated)?;
    if let Some(ConnectionSession(session)) = ctx.data_opt::<ConnectionSession>() {
        viewer.session = session.clone();
    }
    Ok(viewer)
}

/// The engine acting for the viewer's session (whose own locks do not block it).
pub fn engine_for(ctx: &Context<'_>, viewer: &Viewer) -> Engine {
    ctx.data_unchecked::<Engine>()
        .for_session(viewer.session.clone())
}

/// The verified caller, refused with FORBIDDEN unless their role includes `role`.
pub async fn require(ctx: &Context<'_>, role: Role) -> Result<Viewer> {
    let viewer = viewer(ctx).await?;
    permits(&viewer, role)?;
    Ok(viewer)
}

/// FORBIDDEN unless the viewer's role includes `role`: what [`require`]
/// decides, for the server's endpoints outside GraphQL (the image upload),
/// which authenticate with [`authenticate`] and then ask here.
pub fn permits(viewer: &Viewer, role: Role) -> Result<()> {
    if viewer.role.includes(role) {
        Ok(())
    } else {
        Err(coded(
            ErrorCode::Forbidden,
            format!("this needs the {role} role or higher"),
        ))
    }
}

/// The role that uploads, changes and removes unit images: `updateUnit`'s.
pub const IMAGES_ROLE: Role = Role::Admin;
