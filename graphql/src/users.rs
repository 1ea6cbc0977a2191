//! Users (admin): `users`, `createUser`, `updateUser` (role, disabled, a new
//! password), `endUserSessions` (sign out everywhere), and, for any signed-in
//! user, `changePassword`. Nobody grants more than they have: a new or changed
//! role, and the role of a user being changed, are at most the caller's own. A
//! tenant always keeps an active owner (CONFLICT otherwise).
//!
//! Changes take effect on the next request: session tokens are checked against
//! their user as stored (`access::authenticate`), so a disabled user's sessions
//! are refused, a new role applies at once, and a new password or
//! `endUserSessions` ends every session issued before (and releases the locks
//! those sessions hold).

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result};
use berth_core::ids::UserId;
use berth_core::user::{NewUser, Role as CoreRole, UserPatch};
use berth_core::{Engine, ErrorCode};

use crate::access::require;
use crate::auth::{Auth, Principal, Viewer, check_password, hash_password};
use crate::error::{OrGraphql, coded, internal};
use crate::ids::{not_found, parse};
use crate::session::{Role, Session, User};

/// A change to a user; omitted fields stay as they are.
#[derive(InputObject, Debug, Default)]
pub struct UpdateUserInput {
    /// A new role, at most the caller's own.
    pub role: Option<Role>,
    /// Disable (true: no sign-in, sessions refused) or enable (false).
    pub disabled: Option<bool>,
    /// A new password (at least 10 characters); ends the user's sessions.
    pub password: Option<String>,
}

/// User queries.
#[derive(Default, Debug)]
pub struct UsersQuery;

#[Object]
impl UsersQuery {
    /// The tenant's users in creation order, disabled ones included.
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let users = engine.store().users(viewer.tenant_id).await.gql()?;
        Ok(users.into_iter().map(Into::into).collect())
    }
}

/// User mutations.
#[derive(Default, Debug)]
pub struct UsersMutation;

#[Object]
impl UsersMutation {
    /// Adds a user (viewer unless `role` says otherwise, at most the caller's
    /// role) with a first password, which they can change (`changePassword`).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        #[graphql(default_with = "Role::Viewer")] role: Role,
    ) -> Result<User> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let role = CoreRole::from(role);
        grantable(&viewer, role)?;
        let email = email
            .parse()
            .map_err(|e| coded(ErrorCode::InvalidInput, format!("email: {e}")))?;
        let password_hash = new_password_hash("password", password).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let user = engine
            .store()
            .create_user(
                viewer.tenant_id,
                NewUser {
                    email,
                    role,
                    password_hash,
                },
                &viewer.actor(),
                engine.clock().now(),
            )
            .await
            .gql()?;
        Ok(user.into())
    }

    /// Changes a user's role, disables or enables them, or sets a new password.
    /// The user's role, and the new one, must be at most the caller's.
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let target = manageable(ctx, &viewer, &id).await?;
        let role = input.role.map(CoreRole::from);
        if let Some(role) = role {
            grantable(&viewer, role)?;
        }
        let password_hash = match input.password {
            Some(password) => Some(new_password_hash("input.password", password).await?),
            None => None,
        };
        let patch = UserPatch {
            role,
            disabled: input.disabled,
            password_hash,
            revoke_sessions: false,
        };
        update(ctx, &viewer, target, patch).await
    }

    /// Signs a user out everywhere: every session token issued to them so far
    /// is refused from the next request on (their API-key-free sessions only;
    /// the user can sign in again).
    async fn end_user_sessions(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let target = manageable(ctx, &viewer, &id).await?;
        let patch = UserPatch {
            revoke_sessions: true,
            ..UserPatch::default()
        };
        update(ctx, &viewer, target, patch).await
    }

    /// Changes the signed-in user's own password, given the current one. Every
    /// session of the user ends, this one included; the answer is a new session.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<Session> {
        let viewer = require(ctx, CoreRole::Viewer).await?;
        let Principal::User(user_id) = viewer.principal else {
            return Err(coded(
                ErrorCode::Forbidden,
                "an API key is not a user; `changePassword` needs a signed-in user",
            ));
        };
        let engine = ctx.data_unchecked::<Engine>();
        let auth = ctx.data_unchecked::<Auth>();
        let store = engine.store();
        let user = store
            .user(viewer.tenant_id, user_id)
            .await
            .gql()?
            .ok_or_else(|| coded(ErrorCode::Unauthenticated, "sign in first"))?;
        let (_, hash) = store
            .user_credentials(viewer.tenant_id, &user.email)
            .await
            .gql()?
            .ok_or_else(|| coded(ErrorCode::Unauthenticated, "sign in first"))?;
        // Guesses of the current password count against the account like
        // sign-in failures (a stolen session must not be a way around them).
        let slug = store
            .tenant(viewer.tenant_id)
            .await
            .gql()?
            .map(|t| t.slug.to_string())
            .unwrap_or_default();
        if let Some(wait) = engine
            .login_refused_for(&slug, user.email.as_str())
            .await
            .gql()?
        {
            return Err(coded(
                ErrorCode::RateLimited,
                format!("too many failed password checks for this account; retry in {wait} s"),
            )
            .extend_with(|_, e| e.set("retryAfter", wait)));
        }
        if !verify(auth, current_password, hash).await? {
            engine
                .login_failed(&slug, user.email.as_str())
                .await
                .gql()?;
            // The caller is signed in; the argument is what is wrong.
            return Err(coded(
                ErrorCode::InvalidInput,
                "currentPassword: this is not the current password",
            ));
        }
        engine
            .login_succeeded(&slug, user.email.as_str())
            .await
            .gql()?;
        let password_hash = new_password_hash("newPassword", new_password).await?;
        let user = store
            .update_user(
                viewer.tenant_id,
                user_id,
                UserPatch {
                    password_hash: Some(password_hash),
                    ..UserPatch::default()
                },
                &viewer.actor(),
                engine.clock().now(),
            )
            .await
            .gql()?;
        let token = auth.issue(&user, engine.clock().now()).map_err(internal)?;
        Ok(Session {
            token,
            user: user.into(),
        })
    }
}

/// FORBIDDEN unless the caller's role includes `role`.
fn grantable(viewer: &Viewer, role: CoreRole) -> Result<()> {
    if viewer.role.includes(role) {
        Ok(())
    } else {
        Err(coded(
            ErrorCode::Forbidden,
            format!(
                "nobody can grant more than they have ({}); this needs {role}",
                viewer.role
            ),
        ))
    }
}

/// The user `id` of the caller's tenant, if the caller's role includes theirs.
async fn manageable(ctx: &Context<'_>, viewer: &Viewer, id: &ID) -> Result<berth_core::user::User> {
    let user_id: UserId = parse(id, "id")?;
    let engine = ctx.data_unchecked::<Engine>();
    let user = engine
        .store()
        .user(viewer.tenant_id, user_id)
        .await
        .gql()?
        .ok_or_else(|| not_found("user", id))?;
    if !viewer.role.includes(user.role) {
        return Err(coded(
            ErrorCode::Forbidden,
            format!(
                "changing a user with the {} role needs that role or higher (yours: {})",
                user.role, viewer.role
            ),
        ));
    }
    Ok(user)
}

async fn update(
    ctx: &Context<'_>,
    viewer: &Viewer,
    target: berth_core::user::User,
    patch: UserPatch,
) -> Result<User> {
    let engine = ctx.data_unchecked::<Engine>();
    let user = engine
        .store()
        .update_user(
            viewer.tenant_id,
            target.id,
            patch,
            &viewer.actor(),
            engine.clock().now(),
        )
        .await
        .gql()?;
    Ok(user.into())
}

/// The hash of a new password, computed on the blocking pool (Argon2 takes tens
/// of milliseconds of CPU); INVALID_INPUT naming `field` when it is too weak.
async fn new_password_hash(field: &str, password: String) -> Result<String> {
    check_password(&password)
        .map_err(|e| coded(ErrorCode::InvalidInput, format!("{field}: {e}")))?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(internal)?
        .map_err(internal)
}

/// Whether `password` matches `hash`, on the blocking pool.
async fn verify(auth: &Auth, password: String, hash: String) -> Result<bool> {
    let auth = auth.clone();
    tokio::task::spawn_blocking(move || auth.verify_password(&password, Some(&hash)))
        .await
        .map_err(internal)
}
