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
//! key (what `events.rs` does for an ordinary subscription). Everything else
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
        let receiver = group.sender.subscribe();
        let watch = Watch {
            engine: self.engine.clone(),
            auth: self.auth.clone(),
            token: Some(token.to_owned()),
            principal: viewer.principal,
            role,
        };
        let expiry = Box::pin(tokio::time::sleep(session_left(&self.engine, &viewer)));
        Some(
            member(Member {
                _group: group,
                receiver,
                expiry,
                watch,
                template,
                schema: self.schema.clone(),
            })
            .boxed(),
        )
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
        let task = tokio::spawn(render(
            self.schema.clone(),
            template,
            events,
            sender.clone(),
            wants,
        ));
        let group = Arc::new(Group { sender, task });
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

/// A group's task: every event of the tenant's feed, in order, rendered once
/// when the field carries its kind; changes to users and keys passed on.
async fn render(
    schema: BerthSchema,
    template: Template,
    events: impl Stream<Item = Result<Arc<CoreEvent>, StoreError>> + Send + 'static,
    sender: broadcast::Sender<Arc<Delivery>>,
    wants: Wants,
) {
    let mut events = Box::pin(events);
    while let Some(item) = events.next().await {
        let source = match item {
            Ok(event) => {
                if matches!(
                    event.kind,
                    EventKind::UserUpdated | EventKind::ApiKeyRevoked
                ) {
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
            let _ = sender.send(Arc::new(Delivery::Rendered(Rendered::of(response))));
        }
    }
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
