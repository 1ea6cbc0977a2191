//! Render once, deliver to many: the subscriptions whose every message depends
//! only on the event, the subscriber's tenant and role, and the operation
//! (`lockEvents`, `policyEvents`) are executed once per event for all their
//! subscribers with the same tenant, role, query, operation name and variables
//! (a *group*), instead of once per subscriber (decision 0179). A group follows
//! the tenant's feed, runs the real schema on each event it carries (one
//! execution: the same resolvers, errors and extensions as an ordinary
//! subscription, so the same bytes) and broadcasts the response; each
//! subscriber's stream only hands the shared response on, and keeps what is
//! its own: the end of its session token, and a new check of its credentials
//! when the feed carries a change to its own user or the revocation of its own
//! key (what `events.rs` does for an ordinary subscription). A transport can
//! also hand a group the connection's outbox instead of asking for a stream
//! (`direct.rs`): the response is then serialised once and pushed to every such
//! subscriber's connection as it is. Everything else
//! (other fields, `after`, fragments or directives at the root, anonymous
//! callers, a role too low) is executed as before.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};

use async_graphql::futures_util::stream::{self, BoxStream};
use async_graphql::futures_util::{Stream, StreamExt};
use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use async_graphql::{Request, Response, ServerError, Value};
use berth_core::Engine;
use berth_core::event::{Event as CoreEvent, EventKind};
use berth_core::feed::Feed;
use berth_core::ids::TenantId;
use berth_core::store::StoreError;
use berth_core::user::Role;
use tokio::sync::broadcast;

use crate::BerthSchema;
use crate::access::authenticate;
use crate::auth::{Auth, BearerToken, Viewer};
use crate::error::coded;
use crate::events::{
    RenderOne, RenderSource, Watch, is_lock_kind, is_policy_kind, session_expired, session_left,
};
use crate::viewer_cache::ViewerCache;

mod direct;

pub use direct::{Outbox, Pushed, complete_message};

/// How many responses a subscriber may fall behind its group before its
/// stream ends (it subscribes again); the feed's own backlog is the same.
const BACKLOG: usize = 4096;

/// Which event kinds a shared field renders (others are not executed at all).
type Wants = fn(EventKind) -> bool;

/// The root fields served by groups: the role each needs, and its kinds.
const SHARED: [(&str, Role, Wants); 2] = [
    ("lockEvents", Role::Viewer, is_lock_kind),
    ("policyEvents", Role::Admin, is_policy_kind),
];

/// The per-process groups over one schema and its feed.
pub struct FanOut {
    schema: BerthSchema,
    feed: Arc<Feed>,
    engine: Engine,
    auth: Auth,
    groups: Mutex<HashMap<GroupKey, Weak<Group>>>,
}

impl std::fmt::Debug for FanOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FanOut").finish_non_exhaustive()
    }
}

/// Who shares a rendering: the same tenant and role (the audience: what the
/// fields may show depends on nothing else), the same operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GroupKey {
    tenant: TenantId,
    role: Role,
    query: String,
    operation: Option<String>,
    variables: String,
}

/// One rendering shared by its subscribers; lives while one listens.
struct Group {
    sender: broadcast::Sender<Arc<Delivery>>,
    direct: Arc<direct::Members>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Group {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a group sends its subscribers, in the feed's order.
enum Delivery {
    /// The response to one event, for every subscriber.
    Rendered(Rendered),
    /// A change to a user or a revoked key: the subscriber it concerns checks
    /// its credentials again.
    Caller(Arc<CoreEvent>),
}

/// A response's parts (a `Response` is not `Clone`).
struct Rendered {
    data: Value,
    errors: Vec<ServerError>,
    extensions: BTreeMap<String, Value>,
}

impl Rendered {
    fn of(response: Response) -> Self {
        Self {
            data: response.data,
            errors: response.errors,
            extensions: response.extensions,
        }
    }

    fn response(&self) -> Response {
        let mut response = Response::new(self.data.clone());
        response.errors.clone_from(&self.errors);
        response.extensions.clone_from(&self.extensions);
        response
    }
}

/// How one operation is executed for a group: the query and, for the checks
/// the resolvers make, a subscriber's token and verified viewer (only its
/// tenant and role matter to the shared fields: the key).
#[derive(Clone)]
struct Template {
    query: String,
    operation: Option<String>,
    variables: async_graphql::Variables,
    token: String,
    viewer: Viewer,
}

impl Template {
    /// Executes the operation about `source` alone: its response, if it has one.
    async fn render(&self, schema: &BerthSchema, source: RenderSource) -> Option<Response> {
        let mut request = Request::new(self.query.clone()).variables(self.variables.clone());
        if let Some(operation) = &self.operation {
            request = request.operation_name(operation.clone());
        }
        let request = request
            .data(BearerToken(self.token.clone()))
            .data(ViewerCache::verified(Some(self.viewer.clone())))
            .data(RenderOne::new(source));
        Box::pin(schema.execute_stream(request)).next().await
    }
}

impl FanOut {
    /// Groups over `schema`, whose feed is `feed`.
    pub fn new(schema: BerthSchema, feed: Arc<Feed>, engine: Engine, auth: Auth) -> Self {
        Self {
            schema,
            feed,
            engine,
            auth,
            groups: Mutex::new(HashMap::new()),
        }
    }

    /// The responses of `request`, a subscription sent with `token`, when a
    /// group serves it; `None` when it must be executed as usual (not one of
    /// the shared fields alone, or a caller the ordinary execution refuses).
    /// `verified` is what `authenticate` just answered for `token`, if the
    /// transport asked; otherwise it is asked here.
    pub async fn subscribe(
        &self,
        request: &Request,
        token: &str,
        verified: Option<Option<Viewer>>,
    ) -> Option<BoxStream<'static, Response>> {
        let joined = self.join(request, token, verified).await?;
        let receiver = joined.group.sender.subscribe();
        Some(
            member(Member {
                _group: joined.group,
                receiver,
                expiry: Box::pin(tokio::time::sleep(joined.expiry)),
                watch: joined.watch,
                template: joined.template,
                schema: self.schema.clone(),
            })
            .boxed(),
        )
    }

    /// Whether `request` asks for a shared field alone (a group may serve
    /// it; [`Self::subscribe_direct`] still checks the caller).
    pub fn shares(request: &Request) -> bool {
        shared_field(request).is_some()
    }

    /// Like [`Self::subscribe`], but the group pushes the responses of the
    /// operation `id` (graphql-transport-ws) straight into `out` as `next`
    /// messages, each serialised once for all such subscribers; the last one,
    /// when the subscriber may no longer listen or fell behind, is followed by
    /// `complete`. Deliveries stop when the returned subscription is dropped.
    pub async fn subscribe_direct(
        &self,
        request: &Request,
        token: &str,
        verified: Option<Option<Viewer>>,
        id: &str,
        out: Arc<dyn Outbox>,
    ) -> Option<DirectSubscription> {
        let joined = self.join(request, token, verified).await?;
        let id: Arc<str> = serde_json::to_string(id).ok()?.into();
        let (key, told) =
            joined
                .group
                .direct
                .insert(id.clone(), out.clone(), joined.watch.principal);
        let task = tokio::spawn(direct_member(DirectMember {
            members: joined.group.direct.clone(),
            key,
            told,
            expiry: joined.expiry,
            watch: joined.watch,
            template: joined.template,
            schema: self.schema.clone(),
            id,
            out,
        }));
        Some(DirectSubscription {
            group: joined.group,
            key,
            task,
        })
    }

    /// The group serving `request` for the caller of `token` (started if
    /// none is), with what the subscriber keeps of its own; `None` when the
    /// ordinary execution must serve it.
    async fn join(
        &self,
        request: &Request,
        token: &str,
        verified: Option<Option<Viewer>>,
    ) -> Option<Joined> {
        let (role, wants) = shared_field(request)?;
        let viewer = match verified {
            Some(viewer) => viewer?,
            None => authenticate(
                &**self.engine.store(),
                &self.auth,
                self.engine.clock().now(),
                token,
            )
            .await
            .ok()??,
        };
        if !viewer.role.includes(role) {
            return None;
        }
        let template = Template {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: request.variables.clone(),
            token: token.to_owned(),
            viewer: viewer.clone(),
        };
        let key = GroupKey {
            tenant: viewer.tenant_id,
            role: viewer.role,
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
        };
        let group = match self.live(&key) {
            Some(group) => group,
            None => self.start(key, template.clone(), wants).await?,
        };
        Some(Joined {
            group,
            watch: Watch {
                engine: self.engine.clone(),
                auth: self.auth.clone(),
                token: Some(token.to_owned()),
                principal: viewer.principal,
                role,
            },
            expiry: session_left(&self.engine, &viewer),
            template,
        })
    }

    /// How many groups are rendering now (for tests).
    pub fn groups(&self) -> usize {
        let groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        groups.values().filter(|g| g.strong_count() > 0).count()
    }

    fn live(&self, key: &GroupKey) -> Option<Arc<Group>> {
        let groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        groups.get(key).and_then(Weak::upgrade)
    }

    /// Starts the group of `key` (or joins the one another subscriber started
    /// meanwhile); `None` when the feed cannot be followed (the ordinary
    /// execution reports it).
    async fn start(&self, key: GroupKey, template: Template, wants: Wants) -> Option<Arc<Group>> {
        let events = self.feed.subscribe(key.tenant, None).await.ok()?;
        let mut groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(group) = groups.get(&key).and_then(Weak::upgrade) {
            return Some(group);
        }
        let (sender, _) = broadcast::channel(BACKLOG);
        let direct = Arc::new(direct::Members::default());
        let task = tokio::spawn(render(
            self.schema.clone(),
            template,
            events,
            Outlets {
                sender: sender.clone(),
                direct: direct.clone(),
            },
            wants,
        ));
        let group = Arc::new(Group {
            sender,
            direct,
            task,
        });
        groups.retain(|_, group| group.strong_count() > 0);
        groups.insert(key, Arc::downgrade(&group));
        Some(group)
    }
}

/// The shared field `request` asks for alone, if it does: its role and kinds.
fn shared_field(request: &Request) -> Option<(Role, Wants)> {
    if !request.extensions.is_empty() {
        return None;
    }
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
        (DocumentOperations::Multiple(_), None) => return None,
    };
    let operation = &operation.node;
    if operation.ty != OperationType::Subscription || !operation.directives.is_empty() {
        return None;
    }
    let [item] = operation.selection_set.node.items.as_slice() else {
        return None;
    };
    let Selection::Field(field) = &item.node else {
        return None;
    };
    let field = &field.node;
    if !field.arguments.is_empty() || !field.directives.is_empty() {
        return None;
    }
    SHARED
        .iter()
        .find(|(name, _, _)| field.name.node.as_str() == *name)
        .map(|&(_, role, wants)| (role, wants))
}

/// Where a group's renderings go: its streamed subscribers and its direct ones.
struct Outlets {
    sender: broadcast::Sender<Arc<Delivery>>,
    direct: Arc<direct::Members>,
}

/// A group's task: every event of the tenant's feed, in order, rendered once
/// when the field carries its kind; changes to users and keys passed on.
async fn render(
    schema: BerthSchema,
    template: Template,
    events: impl Stream<Item = Result<Arc<CoreEvent>, StoreError>> + Send + 'static,
    outlets: Outlets,
    wants: Wants,
) {
    let Outlets { sender, direct } = outlets;
    let mut events = Box::pin(events);
    while let Some(item) = events.next().await {
        let source = match item {
            Ok(event) => {
                if matches!(
                    event.kind,
                    EventKind::UserUpdated | EventKind::ApiKeyRevoked
                ) {
                    direct.caller(&event);
                    // No subscriber right now is fine: the group is being dropped.
                    let _ = sender.send(Arc::new(Delivery::Caller(event.clone())));
                }
                if !wants(event.kind) {
                    continue;
                }
                RenderSource::Event(event)
            }
            Err(e) => RenderSource::Failed(e),
        };
        if let Some(response) = template.render(&schema, source).await {
            if !direct.is_empty() {
                match serde_json::to_string(&response) {
                    Ok(payload) => direct.deliver(&payload),
                    Err(e) => tracing::error!(error = %e, "serialising a shared response"),
                }
            }
            let _ = sender.send(Arc::new(Delivery::Rendered(Rendered::of(response))));
        }
    }
}

/// A subscriber's share of a group it joined.
struct Joined {
    group: Arc<Group>,
    watch: Watch,
    expiry: std::time::Duration,
    template: Template,
}

/// A direct subscriber (`direct.rs`): the group pushes to its connection
/// while this lives.
pub struct DirectSubscription {
    group: Arc<Group>,
    key: u64,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for DirectSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectSubscription")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Drop for DirectSubscription {
    fn drop(&mut self) {
        self.group.direct.remove(self.key);
        self.task.abort();
    }
}

/// What a direct subscriber's own task watches.
struct DirectMember {
    members: Arc<direct::Members>,
    key: u64,
    told: tokio::sync::mpsc::UnboundedReceiver<direct::Control>,
    expiry: std::time::Duration,
    watch: Watch,
    template: Template,
    schema: BerthSchema,
    id: Arc<str>,
    out: Arc<dyn Outbox>,
}

/// A direct subscriber's task: sleeps until its session ends, its user or
/// key changes, or the group dropped it for falling behind; then ends its
/// operation with the refusal (rendered for it alone) and `complete`. What
/// runs rarely is boxed: a task takes the room of its largest state for as
/// long as it lives, and there is one per subscriber.
async fn direct_member(mut member: DirectMember) {
    let expiry = tokio::time::sleep(member.expiry);
    tokio::pin!(expiry);
    let refused = loop {
        tokio::select! {
            () = &mut expiry => break session_expired(),
            told = member.told.recv() => match told {
                Some(direct::Control::Caller) => {
                    if let Some(refused) = Box::pin(member.watch.recheck()).await {
                        break refused;
                    }
                }
                Some(direct::Control::Lagged) => break coded(
                    berth_core::ErrorCode::Internal,
                    "this subscription fell behind its deliveries and was ended; subscribe again",
                ),
                // Dropped because its connection is gone.
                None => return,
            },
        }
    };
    member.members.remove(member.key);
    Box::pin(end_direct(member, refused)).await;
}

/// Ends a direct subscriber's operation: its refusal, then `complete`.
async fn end_direct(member: DirectMember, refused: async_graphql::Error) {
    if let Some(response) = member
        .template
        .render(&member.schema, RenderSource::Refused(refused))
        .await
        && let Ok(payload) = serde_json::to_string(&response)
    {
        member
            .out
            .push(direct::next_message(&member.id, &payload))
            .await;
    }
    member.out.push(complete_message(&member.id)).await;
}

/// One subscriber of a group.
struct Member {
    /// Keeps the group rendering while this subscriber listens.
    _group: Arc<Group>,
    receiver: broadcast::Receiver<Arc<Delivery>>,
    expiry: std::pin::Pin<Box<tokio::time::Sleep>>,
    watch: Watch,
    template: Template,
    schema: BerthSchema,
}

/// A subscriber's stream: the group's responses, until the subscriber may no
/// longer listen (its refusal, rendered for it alone, is the last message) or
/// falls too far behind.
fn member(member: Member) -> impl Stream<Item = Response> + Send + 'static {
    stream::unfold(Some(member), |state| async move {
        let mut member = state?;
        loop {
            // Biased: a response that is ready goes out without polling the
            // expiry timer (see `events.rs`).
            let refused = tokio::select! {
                biased;
                delivery = member.receiver.recv() => match delivery {
                    Ok(delivery) => match &*delivery {
                        Delivery::Rendered(rendered) => {
                            return Some((rendered.response(), Some(member)));
                        }
                        Delivery::Caller(event) => {
                            if member.watch.concerns_caller(event) {
                                member.watch.recheck().await
                            } else {
                                None
                            }
                        }
                    },
                    Err(broadcast::error::RecvError::Lagged(missed)) => Some(coded(
                        berth_core::ErrorCode::Internal,
                        format!(
                            "this subscription fell {missed} events behind and was ended; subscribe again"
                        ),
                    )),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                () = &mut member.expiry => Some(session_expired()),
            };
            if let Some(refused) = refused {
                let response = member
                    .template
                    .render(&member.schema, RenderSource::Refused(refused))
                    .await?;
                return Some((response, None));
            }
        }
    })
}
