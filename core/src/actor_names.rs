//! Who did something, in words a person recognises: the audit log keeps an
//! [`Actor`] (`user:<id>`, `api_key:<id>`, `system`), which says nothing to
//! the administrator reading a policy version's history or told that someone
//! published while they were editing. [`names`] resolves actors of one tenant
//! to a user's e-mail address or an API key's name, with at most one read of
//! the tenant's users and one of its keys however many actors are asked —
//! and only the tenant's own: another tenant's user or key resolves to no
//! name.

use std::collections::HashMap;
use std::fmt;

use crate::audit::Actor;
use crate::ids::{ApiKeyId, TenantId};
use crate::store::{Store, StoreError};

/// An actor with the name to show for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActorName {
    /// A user: their sign-in address, or none when the tenant has no such
    /// user.
    User(Option<String>),
    /// An API key: its name, or none when the tenant has no such key.
    ApiKey(Option<String>),
    /// An anonymous visitor of the public site.
    Public,
    /// berth itself: the command line, the watcher, the start of a server.
    System,
}

impl ActorName {
    /// The name alone: the e-mail address or the key's name, when known.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::User(name) | Self::ApiKey(name) => name.as_deref(),
            Self::Public | Self::System => None,
        }
    }
}

impl fmt::Display for ActorName {
    /// In English, for messages: `anna@example.org`, `API key channel
    /// manager`, `berth itself`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(Some(email)) => f.write_str(email),
            Self::User(None) => f.write_str("an unknown user"),
            Self::ApiKey(Some(name)) => write!(f, "API key {name}"),
            Self::ApiKey(None) => f.write_str("an unknown API key"),
            Self::Public => f.write_str("a visitor of the public site"),
            Self::System => f.write_str("berth itself (command line or server)"),
        }
    }
}

/// The names of `actors` in `tenant`: one read of its users when a user is
/// among them, one of its API keys when a key is.
pub async fn names(
    store: &dyn Store,
    tenant: TenantId,
    actors: &[Actor],
) -> Result<HashMap<Actor, ActorName>, StoreError> {
    let users: HashMap<crate::ids::UserId, String> =
        if actors.iter().any(|a| matches!(a, Actor::User(_))) {
            store
                .users(tenant)
                .await?
                .into_iter()
                .map(|u| (u.id, u.email.as_str().to_owned()))
                .collect()
        } else {
            HashMap::new()
        };
    let keys: HashMap<ApiKeyId, String> = if actors.iter().any(|a| matches!(a, Actor::ApiKey(_))) {
        store
            .api_keys(tenant)
            .await?
            .into_iter()
            .map(|k| (k.id, k.name))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(actors
        .iter()
        .map(|actor| (actor.clone(), named(actor, &users, &keys)))
        .collect())
}

fn named(
    actor: &Actor,
    users: &HashMap<crate::ids::UserId, String>,
    keys: &HashMap<ApiKeyId, String>,
) -> ActorName {
    match actor {
        Actor::User(id) => ActorName::User(users.get(id).cloned()),
        Actor::ApiKey(id) => ActorName::ApiKey(
            id.parse::<ApiKeyId>()
                .ok()
                .and_then(|id| keys.get(&id).cloned()),
        ),
        Actor::Public => ActorName::Public,
        Actor::System => ActorName::System,
    }
}

/// The name of one actor in `tenant` (see [`names`]).
pub async fn name(
    store: &dyn Store,
    tenant: TenantId,
    actor: &Actor,
) -> Result<ActorName, StoreError> {
    let mut found = names(store, tenant, std::slice::from_ref(actor)).await?;
    Ok(found
        .remove(actor)
        .unwrap_or_else(|| named(actor, &HashMap::new(), &HashMap::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_people_say_them() {
        assert_eq!(
            ActorName::User(Some("anna@example.org".into())).to_string(),
            "anna@example.org"
        );
        assert_eq!(
            ActorName::ApiKey(Some("channel manager".into())).to_string(),
            "API key channel manager"
        );
        assert_eq!(ActorName::User(None).to_string(), "an unknown user");
        assert_eq!(ActorName::System.name(), None);
        assert_eq!(ActorName::ApiKey(Some("pos".into())).name(), Some("pos"));
    }
}
