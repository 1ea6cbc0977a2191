//! Users (admin): `users`, `createUser`, `updateUser` (role, disabled, a new
//! password), `endUserSessions` (sign out everywhere), and, for any signed-in
//! user, `changePassword`. The writes and their rules are core's accounts
//! service (`berth_core::accounts`): nobody grants more than they have (a new
//! or changed role, and the role of a user being changed, are at most the
//! caller's own); a tenant always keeps an active owner (CONFLICT otherwise).
//!
//! Changes take effect on the next request: session tokens are checked against
//! their user as stored (`access::authenticate`), so a disabled user's sessions
//! are refused, a new role applies at once, and a new password or
//! `endUserSessions` ends every session issued before (and releases the locks
//! those sessions hold).

use async_graphql::{Context, ID, InputObject, Object, Result};
use berth_core::accounts::{AccountError, UserChange};
use berth_core::ids::UserId;
use berth_core::user::Role as CoreRole;
use berth_core::{Engine, ErrorCode};

use crate::access::require;
use crate::auth::{Auth, Principal, Viewer};
use crate::error::{OrGraphql, coded, internal, password_field};
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
        let engine = ctx.data_unchecked::<Engine>();
        let user = engine
            .accounts()
            .create_user(
                viewer.tenant_id,
                &viewer.caller(),
                &email,
                password,
                role.into(),
            )
            .await
            .map_err(password_field("password"))?;
        Ok(user.into())
    }

    /// Changes a user's role, disables or enables them, or sets a new password.
    /// The user's role, and the new one, must be at most the caller's.
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let change = UserChange {
            role: input.role.map(CoreRole::from),
            disabled: input.disabled,
            password: input.password,
            revoke_sessions: false,
        };
        update(ctx, &viewer, &id, change, "input.password").await
    }

    /// Signs a user out everywhere: every session token issued to them so far
    /// is refused from the next request on (their API-key-free sessions only;
    /// the user can sign in again).
    async fn end_user_sessions(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let viewer = require(ctx, CoreRole::Admin).await?;
        let change = UserChange {
            revoke_sessions: true,
            ..UserChange::default()
        };
        update(ctx, &viewer, &id, change, "input.password").await
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
        let user = engine
            .accounts()
            .change_password(viewer.tenant_id, user_id, current_password, new_password)
            .await
            .map_err(|e| match e {
                AccountError::WrongPassword => password_field("currentPassword")(e),
                other => password_field("newPassword")(other),
            })?;
        let token = auth.issue(&user, engine.clock().now()).map_err(internal)?;
        Ok(Session {
            token,
            user: user.into(),
        })
    }
}

/// Changes the user `id` of the caller's tenant (NOT_FOUND for none); a weak
/// new password is INVALID_INPUT naming `password_arg`.
async fn update(
    ctx: &Context<'_>,
    viewer: &Viewer,
    id: &ID,
    change: UserChange,
    password_arg: &'static str,
) -> Result<User> {
    let user_id: UserId = parse(id, "id")?;
    let engine = ctx.data_unchecked::<Engine>();
    let target = engine
        .store()
        .user(viewer.tenant_id, user_id)
        .await
        .gql()?
        .ok_or_else(|| not_found("user", id))?;
    let user = engine
        .accounts()
        .update_user(&viewer.caller(), &target, change)
        .await
        .map_err(password_field(password_arg))?;
    Ok(user.into())
}
