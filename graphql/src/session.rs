//! Signing in and `me`. Two ways to sign in, with the same checks, throttle
//! (wrong passwords are counted per account, in the database:
//! `berth_core::login_throttle`) and audit entries: `login(tenant, email,
//! password)` returns a session token for integrators and scripts to send as
//! `Authorization: Bearer`; `signIn` (the admin app's) has the HTTP transport
//! keep the token in an HttpOnly cookie and never returns it, and `signOut`
//! clears that cookie. `me` is the signed-in user, with their tenant. The admin
//! tenant always comes from the token, never from an argument.

use async_graphql::{ComplexObject, Context, Enum, ID, Object, Result, SimpleObject};
use berth_core::ids::TenantId;
use berth_core::{Engine, ErrorCode};
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::auth::{Auth, BearerToken, CookieChange, Principal, SessionCookie};
use crate::error::{OrGraphql, coded};
use crate::types::Tenant;

/// A user's role.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Owner,
    /// Units, users, webhooks, keys, and everything staff can do.
    Admin,
    /// Reservations and clients.
    Staff,
    /// Reads.
    Viewer,
}

impl From<Role> for berth_core::user::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Staff => Self::Staff,
            Role::Viewer => Self::Viewer,
        }
    }
}

impl From<berth_core::user::Role> for Role {
    fn from(r: berth_core::user::Role) -> Self {
        use berth_core::user::Role as R;
        match r {
            R::Owner => Self::Owner,
            R::Admin => Self::Admin,
            R::Staff => Self::Staff,
            R::Viewer => Self::Viewer,
        }
    }
}

/// A user of the tenant: someone who signs in to its admin side.
#[derive(SimpleObject, Debug)]
#[graphql(complex)]
pub struct User {
    /// Stable id.
    pub id: ID,
    /// Sign-in address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// When the user was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the user was disabled (cannot sign in; sessions refused); null
    /// while active.
    pub disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The user's tenant (for `tenant`).
    #[graphql(skip)]
    pub tenant_id: TenantId,
}

#[ComplexObject]
impl User {
    /// The tenant the user belongs to: its name, slug, time zone, currency,
    /// locale and booking model, which the admin app reads after signing in.
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Tenant> {
        let engine = ctx.data_unchecked::<Engine>();
        let tenant = engine
            .store()
            .tenant(self.tenant_id)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?;
        tenant.map(Into::into).ok_or_else(|| {
            tracing::error!(tenant = %self.tenant_id, "a user's tenant is missing");
            coded(ErrorCode::Internal, "internal error")
        })
    }
}

impl From<berth_core::user::User> for User {
    fn from(u: berth_core::user::User) -> Self {
        Self {
            id: ID(u.id.to_string()),
            email: u.email.as_str().to_owned(),
            role: u.role.into(),
            created_at: u.created_at,
            disabled_at: u.disabled_at,
            tenant_id: u.tenant_id,
        }
    }
}

/// A session: the token to send as `Authorization: Bearer …`, and its user.
#[derive(SimpleObject, Debug)]
pub struct Session {
    /// The signed, expiring token.
    pub token: String,
    /// Who it is for.
    pub user: User,
}

/// A browser session (`signIn`): its user and when it ends. The token itself
/// is in the HttpOnly cookie the server set, out of reach of the page's scripts.
#[derive(SimpleObject, Debug)]
pub struct BrowserSession {
    /// Who signed in.
    pub user: User,
    /// When the session ends; the cookie expires then, and the app signs in
    /// again.
    pub expires_at: DateTime<Utc>,
}

/// The state of the tenant's policy.
#[derive(SimpleObject, Debug)]
pub struct PolicyStatus {
    /// The live version, if any.
    pub active_version: Option<i64>,
    /// When it went live.
    pub activated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the last edit was refused (the live version kept serving).
    pub rejected_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why: `file:line:col: message` lines.
    pub rejection: Vec<String>,
}

/// Session queries.
#[derive(Default, Debug)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The state of the signed-in user's tenant policy: live version and the last
    /// refused edit with its errors.
    async fn policy_status(&self, ctx: &Context<'_>) -> Result<PolicyStatus> {
        let viewer = require(ctx, berth_core::user::Role::Viewer).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let status = engine
            .policy_status(viewer.tenant_id)
            .await
            .map_err(crate::error::from_engine)?;
        let status = status.unwrap_or(berth_core::policy::PolicyStatus {
            active_version: None,
            activated_at: None,
            rejected_at: None,
            rejection: Vec::new(),
        });
        Ok(PolicyStatus {
            active_version: status.active_version.and_then(|v| i64::try_from(v).ok()),
            activated_at: status.activated_at,
            rejected_at: status.rejected_at,
            rejection: status.rejection,
        })
    }

    /// The tenant's published policy versions, newest first (the first is
    /// live), at most `first` (default and most 100); their files when asked.
    #[graphql(complexity = "crate::cost::history(first, child_complexity)")]
    async fn policy_versions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<crate::policy_versions::PolicyVersion>> {
        crate::policy_versions::history(ctx, first).await
    }

    /// One published version of the tenant's policy, with its files; null
    /// for a number it does not have.
    async fn policy_version(
        &self,
        ctx: &Context<'_>,
        number: i64,
    ) -> Result<Option<crate::policy_versions::PolicyVersion>> {
        crate::policy_versions::version(ctx, number).await
    }

    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let viewer = require(ctx, berth_core::user::Role::Viewer).await?;
        let Principal::User(user_id) = viewer.principal else {
            return Err(coded(
                ErrorCode::Forbidden,
                "an API key is not a user; `me` needs a signed-in user",
            ));
        };
        let engine = ctx.data_unchecked::<Engine>();
        let user = engine
            .store()
            .user(viewer.tenant_id, user_id)
            .await
            .map_err(|e| crate::error::from_engine(e.into()))?;
        user.map(Into::into)
            .ok_or_else(|| coded(ErrorCode::Unauthenticated, "sign in first"))
    }
}

/// Session mutations.
#[derive(Default, Debug)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Signs in and returns a session token to send as `Authorization: Bearer`.
    /// Unknown tenants, unknown e-mails and wrong passwords all get the same
    /// UNAUTHENTICATED answer after the same work.
    async fn login(
        &self,
        ctx: &Context<'_>,
        tenant: String,
        email: String,
        password: String,
    ) -> Result<Session> {
        let signed_in = sign_in(ctx, tenant, email, password).await?;
        Ok(Session {
            token: signed_in.token,
            user: signed_in.user.into(),
        })
    }

    /// Signs in a browser: the same checks, throttle, audit entry and answers
    /// as `login`, but the server keeps the session token in an HttpOnly,
    /// SameSite=Strict cookie (`berth_session`) that page scripts cannot read,
    /// and the answer holds no token. Only over HTTP (`POST /graphql`); over a
    /// WebSocket it is refused with INVALID_INPUT.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        tenant: String,
        email: String,
        password: String,
    ) -> Result<BrowserSession> {
        let cookie = cookie_slot(ctx, "signIn")?;
        let signed_in = sign_in(ctx, tenant, email, password).await?;
        cookie.set(CookieChange::Set {
            token: signed_in.token,
            expires_at: signed_in.expires_at,
        });
        Ok(BrowserSession {
            user: signed_in.user.into(),
            expires_at: signed_in.expires_at,
        })
    }

    /// Signs a browser out: clears its session cookie (always true). A signed-in
    /// user's sign-out is audited (`sign_out`). The token itself stays valid
    /// until it expires, like every session token; `endUserSessions` ends them
    /// all at once. Only over HTTP, like `signIn`.
    async fn sign_out(&self, ctx: &Context<'_>) -> Result<bool> {
        let cookie = cookie_slot(ctx, "signOut")?;
        let viewer = match ctx.data_opt::<BearerToken>() {
            None => None,
            Some(_) => match crate::access::viewer(ctx).await {
                Ok(viewer) => Some(viewer),
                // An expired or ended session signs out all the same.
                Err(e) if has_code(&e, ErrorCode::Unauthenticated) => None,
                Err(e) => return Err(e),
            },
        };
        if let Some(viewer) = viewer
            && let Principal::User(user) = viewer.principal
        {
            let engine = ctx.data_unchecked::<Engine>();
            engine
                .accounts()
                .record_sign_out(viewer.tenant_id, user)
                .await
                .gql()?;
        }
        cookie.set(CookieChange::Clear);
        Ok(true)
    }
}

/// The request's cookie slot, or INVALID_INPUT naming `field` when the request
/// did not come over HTTP.
fn cookie_slot<'a>(ctx: &Context<'a>, field: &str) -> Result<&'a SessionCookie> {
    ctx.data_opt::<SessionCookie>().ok_or_else(|| {
        coded(
            ErrorCode::InvalidInput,
            format!(
                "{field} sets a browser cookie, so it is served only over HTTP (POST /graphql); \
                 elsewhere use login and send its token"
            ),
        )
    })
}

/// Whether `error` carries `extensions.code = code`.
fn has_code(error: &async_graphql::Error, code: ErrorCode) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .is_some_and(|v| *v == async_graphql::Value::from(code.as_str()))
}

/// A successful sign-in: the user, their new session token and its expiry.
struct SignedIn {
    user: berth_core::user::User,
    token: String,
    expires_at: DateTime<Utc>,
}

/// Checks a sign-in, for `login` and `signIn` alike, and issues its session
/// token. The check is core's (`Accounts::sign_in`): the throttle answers
/// first (RATE_LIMITED with `retryAfter` for an account with too many recent
/// failures); unknown tenants, unknown e-mails, wrong passwords and disabled
/// users all get the same UNAUTHENTICATED answer after the same work (one
/// argon2 verification). Sign-ins of known users are audited (`sign_in`, or
/// `sign_in_refused` by the public actor).
async fn sign_in(
    ctx: &Context<'_>,
    tenant: String,
    email: String,
    password: String,
) -> Result<SignedIn> {
    let engine = ctx.data_unchecked::<Engine>();
    let auth = ctx.data_unchecked::<Auth>();
    let user = engine
        .accounts()
        .sign_in(&tenant, &email, &password)
        .await
        .gql()?;
    let (token, expires_at) = auth.issue_until(&user, engine.clock().now()).map_err(|e| {
        tracing::error!(error = %e, "issuing a token");
        coded(ErrorCode::Internal, "internal error")
    })?;
    Ok(SignedIn {
        user,
        token,
        expires_at,
    })
}
