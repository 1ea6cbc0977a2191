//! The caller, verified once per request. Every admin field calls
//! `access::viewer`, which reads the session's user (or the API key) from the
//! store; each request (an HTTP request, or one WebSocket operation) gets an
//! empty cache (`crate::run`) so that a query with several admin fields does
//! that read once. A transport that has verified the request's token already (the
//! server does, to decide whether the public rate limit applies) hands its
//! answer over with [`ViewerCache::verified`], and the read is not repeated.

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
