//! The caller, verified once per request. Every admin field calls
//! `access::viewer`, which reads the session's user (or the API key) from the
//! store; this extension gives each request (an HTTP request, or one WebSocket
//! operation) an empty cache so that a query with several admin fields does that
//! read once. A transport that has verified the request's token already (the
//! server does, to decide whether the public rate limit applies) hands its
//! answer over with [`ViewerCache::verified`], and the read is not repeated.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Request, ServerResult};

use crate::auth::Viewer;

/// The verified caller of one request (`None`: the credentials were refused),
/// once computed.
#[derive(Debug, Default)]
pub struct ViewerCache(pub(crate) tokio::sync::OnceCell<Option<Viewer>>);

impl ViewerCache {
    /// A cache holding what `access::authenticate` answered for the request's
    /// bearer token, just now.
    pub fn verified(viewer: Option<Viewer>) -> Self {
        Self(tokio::sync::OnceCell::new_with(Some(viewer)))
    }
}

/// The extension factory to register on the schema.
#[derive(Debug, Default)]
pub struct ViewerCacheExtension;

impl ExtensionFactory for ViewerCacheExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ViewerCacheExtension)
    }
}

#[async_trait::async_trait]
impl Extension for ViewerCacheExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // One the transport filled in is kept.
        let request = if request
            .data
            .contains_key(&std::any::TypeId::of::<ViewerCache>())
        {
            request
        } else {
            request.data(ViewerCache::default())
        };
        next.run(ctx, request).await
    }
}
