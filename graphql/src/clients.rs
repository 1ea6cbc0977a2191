//! Clients (guests, customers) of the signed-in tenant: `clients` (a searchable
//! connection), `client`, `clientRecord`, `createClient`, `updateClient`,
//! `archiveClient`, `eraseClient`. Reading needs viewer; changing needs staff;
//! a client's whole record (it holds the audit log's entries) and erasing its
//! personal data need admin.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::client::{Client as CoreClient, ClientFilter, ClientPatch, NewClient};
use berth_core::ids::ClientId;
use berth_core::user::Role;
use chrono::{DateTime, Utc};

use crate::access::require;
use crate::error::OrGraphql;
use crate::ids::{not_found, parse};
use crate::page::{Page, page_of, page_size};

/// A guest or customer.
#[derive(SimpleObject, Debug)]
pub struct Client {
    /// Stable id.
    pub id: ID,
    /// Full name.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Internal notes.
    pub notes: Option<String>,
    /// A blocked client cannot be booked for.
    pub blocked: bool,
    /// Archived clients are hidden from lists and cannot be booked for.
    pub archived: bool,
    /// When the client was created.
    pub created_at: DateTime<Utc>,
    /// When the client's personal data was erased (`eraseClient`); null if
    /// never. An erased client is archived and cannot be changed.
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<CoreClient> for Client {
    fn from(c: CoreClient) -> Self {
        Self {
            id: ID(c.id.to_string()),
            name: c.name,
            email: c.email,
            phone: c.phone,
            notes: c.notes,
            blocked: c.blocked,
            archived: c.archived,
            created_at: c.created_at,
            erased_at: c.erased_at,
        }
    }
}

/// What `eraseClient` did.
#[derive(SimpleObject, Debug)]
pub struct ClientErasure {
    /// The client as it stays: its id, named "(erased)", archived.
    pub client: Client,
    /// The client's reservations: kept (dates, unit, price, state), their
    /// notes cleared.
    pub reservations: u64,
    /// Audit entries (of the client and its reservations) whose personal
    /// values now read "(erased)".
    pub audit_entries: u64,
    /// Events (of the client and its reservations) whose personal values now
    /// read "(erased)".
    pub events: u64,
}

/// A client to create with a reservation.
#[derive(InputObject, Debug, Clone)]
pub struct ClientInput {
    /// Full name.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
}

impl From<ClientInput> for NewClient {
    fn from(c: ClientInput) -> Self {
        Self {
            name: c.name,
            email: c.email,
            phone: c.phone,
            notes: None,
            blocked: false,
        }
    }
}

/// A new client.
#[derive(InputObject, Debug)]
pub struct CreateClientInput {
    /// Full name.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Internal notes.
    pub notes: Option<String>,
    /// Start blocked.
    #[graphql(default)]
    pub blocked: bool,
}

/// Changes to a client: omitted fields stay; `null` clears an optional field.
#[derive(InputObject, Debug)]
pub struct UpdateClientInput {
    /// New name.
    pub name: Option<String>,
    /// New e-mail.
    pub email: MaybeUndefined<String>,
    /// New phone.
    pub phone: MaybeUndefined<String>,
    /// New notes.
    pub notes: MaybeUndefined<String>,
    /// Block or unblock.
    pub blocked: Option<bool>,
}

/// `MaybeUndefined` as a patch field: absent → keep, null → clear, value → set.
pub fn patch_field<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Client queries.
#[derive(Default, Debug)]
pub struct ClientsQuery;

#[Object]
impl ClientsQuery {
    /// The tenant's clients in creation order, optionally those whose name or
    /// e-mail contains `search`; archived ones only on request.
    #[graphql(complexity = "crate::cost::page(first, child_complexity)")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        #[graphql(default)] include_archived: bool,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Page<Client>> {
        let viewer = require(ctx, Role::Viewer).await?;
        let limit = page_size(first)?;
        let after = after
            .map(|c| parse::<ClientId>(&ID(c), "after"))
            .transpose()?;
        let filter = ClientFilter {
            search,
            include_archived,
            after,
            limit: Some(limit + 1),
        };
        let engine = ctx.data_unchecked::<Engine>();
        let found = engine
            .store()
            .clients(viewer.tenant_id, &filter)
            .await
            .gql()?;
        Ok(page_of(found, limit, after.is_some(), |c| {
            (c.id.to_string(), Client::from(c))
        }))
    }

    /// One client of the tenant, or NOT_FOUND.
    async fn client(&self, ctx: &Context<'_>, id: ID) -> Result<Client> {
        let viewer = require(ctx, Role::Viewer).await?;
        let client_id: ClientId = parse(&id, "id")?;
        let engine = ctx.data_unchecked::<Engine>();
        let client = engine
            .store()
            .client(viewer.tenant_id, client_id)
            .await
            .gql()?;
        client
            .map(Into::into)
            .ok_or_else(|| not_found("client", &id))
    }

    /// Everything kept about one client, for a guest who asks for their data
    /// (the right of access): the client, every reservation made for it, and
    /// the audit entries about the client and those reservations. Needs admin.
    async fn client_record(&self, ctx: &Context<'_>, id: ID) -> Result<ClientRecord> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let record = engine
            .client_record(viewer.tenant_id, parse(&id, "id")?)
            .await
            .gql()?;
        Ok(ClientRecord {
            client: record.client.into(),
            reservations: record
                .reservations
                .into_iter()
                .map(crate::reservations::Reservation::new)
                .collect(),
            audit_entries: record.audit.into_iter().map(Into::into).collect(),
            generated_at: record.generated_at,
        })
    }
}

/// Everything kept about one client (`clientRecord`).
#[derive(SimpleObject, Debug)]
pub struct ClientRecord {
    /// The client.
    pub client: Client,
    /// Every reservation made for the client, oldest first.
    pub reservations: Vec<crate::reservations::Reservation>,
    /// The audit entries about the client and its reservations, oldest first
    /// (each entity's latest 1,000).
    pub audit_entries: Vec<crate::audit::AuditEntry>,
    /// When the record was read.
    pub generated_at: DateTime<Utc>,
}

/// Client mutations.
#[derive(Default, Debug)]
pub struct ClientsMutation;

#[Object]
impl ClientsMutation {
    /// Creates a client.
    async fn create_client(&self, ctx: &Context<'_>, input: CreateClientInput) -> Result<Client> {
        let viewer = require(ctx, Role::Staff).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let new = NewClient {
            name: input.name,
            email: input.email,
            phone: input.phone,
            notes: input.notes,
            blocked: input.blocked,
        };
        let client = engine
            .create_client(viewer.tenant_id, new, &viewer.actor())
            .await
            .gql()?;
        Ok(client.into())
    }

    /// Archives a client: hidden from `clients`, not bookable; its reservations
    /// and history stay.
    async fn archive_client(&self, ctx: &Context<'_>, id: ID) -> Result<Client> {
        let viewer = require(ctx, Role::Staff).await?;
        let patch = ClientPatch {
            archived: Some(true),
            ..ClientPatch::default()
        };
        let engine = ctx.data_unchecked::<Engine>();
        let client = engine
            .update_client(viewer.tenant_id, parse(&id, "id")?, patch, &viewer.actor())
            .await
            .gql()?;
        Ok(client.into())
    }

    /// Erases a client's personal data (the right to erasure): its name,
    /// e-mail, phone and notes, and its reservations' notes and cancellation
    /// reasons, from the client, the reservations, their events and their
    /// audit entries, in one transaction. The reservations themselves stay, as
    /// does who did what when; a `client.erased` event tells integrators to
    /// erase their copies. CONFLICT when the client has a held, confirmed or
    /// checked-in reservation, or was already erased. Needs admin.
    async fn erase_client(&self, ctx: &Context<'_>, id: ID) -> Result<ClientErasure> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let (client, report) = engine
            .erase_client(viewer.tenant_id, parse(&id, "id")?, &viewer.actor())
            .await
            .gql()?;
        Ok(ClientErasure {
            client: client.into(),
            reservations: report.reservations,
            audit_entries: report.audit_entries,
            events: report.events,
        })
    }

    /// Changes a client.
    async fn update_client(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateClientInput,
    ) -> Result<Client> {
        let viewer = require(ctx, Role::Staff).await?;
        let client_id: ClientId = parse(&id, "id")?;
        let patch = ClientPatch {
            name: input.name,
            email: patch_field(input.email),
            phone: patch_field(input.phone),
            notes: patch_field(input.notes),
            blocked: input.blocked,
            archived: None,
        };
        let engine = ctx.data_unchecked::<Engine>();
        let client = engine
            .update_client(viewer.tenant_id, client_id, patch, &viewer.actor())
            .await
            .gql()?;
        Ok(client.into())
    }
}
