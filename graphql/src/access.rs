//! Access: who the caller is and what their role allows. Every admin field starts
//! with [`require`], the one place roles are enforced; the tenant of every admin
//! operation is the verified viewer's, never an argument.
//!
//! The matrix: viewer reads; staff also manages reservations and clients; admin
//! also units and API keys; owner everything.

use async_graphql::{Context, Result};
use berth_core::user::Role;
use berth_core::{Engine, ErrorCode};

use crate::auth::{Auth, BearerToken, Principal, Viewer, hash_key, hashes_equal, parse_api_key};
use crate::error::{coded, from_engine};

fn unauthenticated() -> async_graphql::Error {
    coded(ErrorCode::Unauthenticated, "sign in first")
}

/// The verified caller of this request, or UNAUTHENTICATED. Session tokens are
/// checked against the engine's clock; API keys against their stored hash (a
/// revoked or unknown key is UNAUTHENTICATED, like a forged token).
pub async fn viewer(ctx: &Context<'_>) -> Result<Viewer> {
    let token = ctx.data_opt::<BearerToken>().ok_or_else(unauthenticated)?;
    let engine = ctx.data_unchecked::<Engine>();
    if let Some((tenant_id, key_id)) = parse_api_key(&token.0) {
        let found = engine
            .store()
            .api_key_secret(tenant_id, key_id)
            .await
            .map_err(|e| from_engine(e.into()))?;
        return match found {
            Some((key, hash))
                if key.revoked_at.is_none() && hashes_equal(&hash, &hash_key(&token.0)) =>
            {
                Ok(Viewer {
                    principal: Principal::ApiKey(key.id),
                    tenant_id,
                    role: key.role,
                })
            }
            _ => Err(unauthenticated()),
        };
    }
    let auth = ctx.data_unchecked::<Auth>();
    auth.verify(&token.0, engine.clock().now())
        .map_err(|_| unauthenticated())
}

/// The verified caller, refused with FORBIDDEN unless their role includes `role`.
pub async fn require(ctx: &Context<'_>, role: Role) -> Result<Viewer> {
    let viewer = viewer(ctx).await?;
    if viewer.role.includes(role) {
        Ok(viewer)
    } else {
        Err(coded(
            ErrorCode::Forbidden,
            format!("this needs the {role} role or higher"),
        ))
    }
}
