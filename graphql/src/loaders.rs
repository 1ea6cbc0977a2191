//! DataLoaders: units and clients under reservation lists, the uploaded
//! images of unit lists, and the names of the people who published policy
//! versions, are fetched in one batched store query per tenant, however many
//! rows the list holds.
//! Keys carry the tenant, so a batch can never read across tenants; the loaders
//! do not cache across requests (a unit changed by one request is fresh in the
//! next).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use berth_core::actor_names::ActorName;
use berth_core::audit::Actor;
use berth_core::client::Client;
use berth_core::ids::{ClientId, TenantId, UnitId};
use berth_core::media::UnitImage;
use berth_core::store::{Store, StoreError};
use berth_core::unit::Unit;

/// Loads units by (tenant, id).
#[derive(Debug)]
pub struct UnitLoader(pub Arc<dyn Store>);

/// Loads the uploaded images of units by (tenant, unit), in their order.
#[derive(Debug)]
pub struct UnitImagesLoader(pub Arc<dyn Store>);

/// Loads clients by (tenant, id).
#[derive(Debug)]
pub struct ClientLoader(pub Arc<dyn Store>);

fn by_tenant<K: Copy>(keys: &[(TenantId, K)]) -> HashMap<TenantId, Vec<K>> {
    let mut groups: HashMap<TenantId, Vec<K>> = HashMap::new();
    for (tenant, id) in keys {
        groups.entry(*tenant).or_default().push(*id);
    }
    groups
}

impl Loader<(TenantId, UnitId)> for UnitLoader {
    type Value = Unit;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(TenantId, UnitId)],
    ) -> Result<HashMap<(TenantId, UnitId), Unit>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for unit in self.0.units_by_ids(tenant, &ids).await.map_err(Arc::new)? {
                found.insert((tenant, unit.id), unit);
            }
        }
        Ok(found)
    }
}

impl Loader<(TenantId, UnitId)> for UnitImagesLoader {
    type Value = Vec<UnitImage>;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(TenantId, UnitId)],
    ) -> Result<HashMap<(TenantId, UnitId), Vec<UnitImage>>, Self::Error> {
        let mut found: HashMap<(TenantId, UnitId), Vec<UnitImage>> = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for image in self.0.unit_images(tenant, &ids).await.map_err(Arc::new)? {
                found
                    .entry((tenant, image.unit_id))
                    .or_default()
                    .push(image);
            }
        }
        Ok(found)
    }
}

impl Loader<(TenantId, ClientId)> for ClientLoader {
    type Value = Client;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(TenantId, ClientId)],
    ) -> Result<HashMap<(TenantId, ClientId), Client>, Self::Error> {
        let mut found = HashMap::new();
        for (tenant, ids) in by_tenant(keys) {
            for client in self
                .0
                .clients_by_ids(tenant, &ids)
                .await
                .map_err(Arc::new)?
            {
                found.insert((tenant, client.id), client);
            }
        }
        Ok(found)
    }
}

/// Loads the names of actors (who published a policy version) by (tenant,
/// actor): one read of the tenant's users and one of its keys per batch
/// (`berth_core::actor_names`); another tenant's user or key has no name.
#[derive(Debug)]
pub struct ActorNameLoader(pub Arc<dyn Store>);

impl Loader<(TenantId, Actor)> for ActorNameLoader {
    type Value = ActorName;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(TenantId, Actor)],
    ) -> Result<HashMap<(TenantId, Actor), ActorName>, Self::Error> {
        let mut groups: HashMap<TenantId, Vec<Actor>> = HashMap::new();
        for (tenant, actor) in keys {
            groups.entry(*tenant).or_default().push(actor.clone());
        }
        let mut found = HashMap::new();
        for (tenant, actors) in groups {
            let named = berth_core::actor_names::names(&*self.0, tenant, &actors)
                .await
                .map_err(Arc::new)?;
            found.extend(named.into_iter().map(|(a, n)| ((tenant, a), n)));
        }
        Ok(found)
    }
}
