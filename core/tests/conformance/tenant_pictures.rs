//! Tenant pictures (a profile's cover and gallery) on both stores, through the
//! engine: saved in every width and read back in order; the same set again
//! writes nothing (no rows, no audit entry, no event); a new set replaces the
//! old one and releases its blobs, but a blob a unit image also uses survives
//! until the last user goes; refused files and sets change nothing; each
//! tenant reads only its own, while the same picture is stored once across
//! tenants.

use berth_core::ErrorCode;
use berth_core::audit::Actor;
use berth_core::event::EventKind;
use berth_core::media::{
    MAX_GALLERY_PICTURES, MediaHash, NewTenantPicture, PictureFile, PictureRole,
};
use berth_core::tenant::Tenant;
use berth_core::test_pictures as pictures;

use crate::support::{self, Backend, World, world};

on_both_stores!(
    pictures_are_saved_and_read_back_in_every_width,
    an_unchanged_set_writes_nothing,
    a_new_set_replaces_the_old_and_releases_its_blobs,
    refused_files_and_sets_change_nothing,
    tenants_keep_their_own_pictures,
);

fn cover(seed: u32) -> PictureFile {
    PictureFile {
        role: PictureRole::Cover,
        alt: format!("Cover {seed}"),
        bytes: pictures::png(1800, 1000, seed),
    }
}

fn gallery(seed: u32) -> PictureFile {
    PictureFile {
        role: PictureRole::Gallery,
        alt: format!("Gallery {seed}"),
        bytes: pictures::png(800, 600, seed),
    }
}

impl World {
    async fn put(&self, tenant: &Tenant, files: Vec<PictureFile>) -> bool {
        self.engine
            .put_tenant_pictures(tenant.id, files, &Actor::System)
            .await
            .unwrap()
    }

    async fn entries(&self) -> usize {
        self.store
            .audit_entries(self.tenant.id, self.tenant.id.as_uuid())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "update_pictures")
            .count()
    }

    async fn blobs(&self) -> u64 {
        self.store.media_blob_count().await.unwrap()
    }
}

async fn pictures_are_saved_and_read_back_in_every_width(backend: Backend) {
    let w = world(backend).await;
    assert!(
        w.engine
            .tenant_pictures(w.tenant.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        w.put(&w.tenant, vec![gallery(2), cover(1), gallery(3)])
            .await
    );
    let got = w.engine.tenant_pictures(w.tenant.id).await.unwrap();
    let c = got.cover.as_ref().unwrap();
    assert_eq!(
        (c.role, c.position, c.alt.as_str()),
        (PictureRole::Cover, 0, "Cover 1")
    );
    assert_eq!((c.width, c.height), (1600, 889));
    assert_eq!(
        c.variants.iter().map(|v| v.width).collect::<Vec<_>>(),
        vec![320, 800, 1600]
    );
    assert_eq!(c.source, MediaHash::of(&cover(1).bytes));
    assert!(c.srcset().ends_with("/1600.jpg 1600w"), "{}", c.srcset());
    assert_eq!(
        got.gallery
            .iter()
            .map(|p| (p.position, p.alt.as_str(), p.width))
            .collect::<Vec<_>>(),
        vec![(0, "Gallery 2", 800), (1, "Gallery 3", 800)]
    );
    for picture in got.all() {
        for v in &picture.variants {
            let blob = w.engine.media_blob(&v.hash).await.unwrap().unwrap();
            assert_eq!(MediaHash::of(&blob.bytes), v.hash);
            assert_eq!((blob.width, blob.height), (v.width, v.height));
        }
    }
    assert_eq!(w.blobs().await, 3 + 2 + 2);
    let entry = w
        .store
        .audit_entries(w.tenant.id, w.tenant.id.as_uuid())
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(entry.action, "update_pictures");
    assert_eq!(entry.metadata["before"], serde_json::json!([]));
    assert_eq!(entry.metadata["after"][0]["role"], "cover");
    assert_eq!(entry.metadata["after"][2]["alt"], "Gallery 3");
    let event = support::settled_events(&*w.store, w.tenant.id)
        .await
        .pop()
        .unwrap();
    assert_eq!(event.kind, EventKind::TenantUpdated);
    assert_eq!(event.payload["pictures"][0]["alt"], "Cover 1");
}

async fn an_unchanged_set_writes_nothing(backend: Backend) {
    let w = world(backend).await;
    assert!(w.put(&w.tenant, vec![cover(1), gallery(2)]).await);
    let before = w.engine.tenant_pictures(w.tenant.id).await.unwrap();
    let events = support::settled_events(&*w.store, w.tenant.id).await.len();
    assert!(!w.put(&w.tenant, vec![cover(1), gallery(2)]).await);
    // The store's own check: the same processed set again writes nothing.
    let mut again = Vec::new();
    for p in before.all() {
        let mut variants = Vec::new();
        for v in &p.variants {
            variants.push(w.engine.media_blob(&v.hash).await.unwrap().unwrap());
        }
        again.push(NewTenantPicture {
            role: p.role,
            alt: p.alt.clone(),
            source: p.source.clone(),
            variants,
        });
    }
    assert!(
        !w.store
            .replace_tenant_pictures(
                w.tenant.id,
                &again,
                &Actor::System,
                support::start_instant()
            )
            .await
            .unwrap()
    );
    assert_eq!(w.entries().await, 1);
    assert_eq!(
        support::settled_events(&*w.store, w.tenant.id).await.len(),
        events
    );
    assert_eq!(w.engine.tenant_pictures(w.tenant.id).await.unwrap(), before);

    // A new alt text alone is a change, made without processing anything new.
    let mut relabelled = cover(1);
    relabelled.alt = "The lake at dawn".into();
    assert!(w.put(&w.tenant, vec![relabelled, gallery(2)]).await);
    let after = w.engine.tenant_pictures(w.tenant.id).await.unwrap();
    assert_eq!(after.cover.as_ref().unwrap().alt, "The lake at dawn");
    assert_eq!(
        after.cover.as_ref().unwrap().variants,
        before.cover.as_ref().unwrap().variants
    );
    assert_eq!(w.entries().await, 2);
    assert_eq!(w.blobs().await, 3 + 2);
}

async fn a_new_set_replaces_the_old_and_releases_its_blobs(backend: Backend) {
    let w = world(backend).await;
    let unit = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    // The unit shows the picture that will be the second gallery picture.
    let shared = w
        .engine
        .upload_unit_image(w.tenant.id, unit.id, gallery(3).bytes, None, &Actor::System)
        .await
        .unwrap()
        .image;
    assert_eq!(w.blobs().await, 2);
    assert!(
        w.put(&w.tenant, vec![cover(1), gallery(2), gallery(3)])
            .await
    );
    assert_eq!(
        w.blobs().await,
        2 + 3 + 2,
        "the shared picture is stored once"
    );

    // Replaced by one gallery picture: the cover and the other gallery
    // pictures' blobs go, except what the unit image still uses.
    assert!(w.put(&w.tenant, vec![gallery(4)]).await);
    let got = w.engine.tenant_pictures(w.tenant.id).await.unwrap();
    assert!(got.cover.is_none());
    assert_eq!(got.gallery.len(), 1);
    assert_eq!(got.gallery[0].alt, "Gallery 4");
    assert_eq!(w.blobs().await, 2 + 2);
    for v in &shared.variants {
        assert!(w.engine.media_blob(&v.hash).await.unwrap().is_some());
    }
    // The unit image goes too: now its blobs are gone.
    w.engine
        .remove_unit_image(w.tenant.id, shared.id, &Actor::System)
        .await
        .unwrap();
    assert_eq!(w.blobs().await, 2);

    // And a picture used by both goes with its last user the other way round.
    let again = w
        .engine
        .upload_unit_image(w.tenant.id, unit.id, gallery(4).bytes, None, &Actor::System)
        .await
        .unwrap()
        .image;
    assert_eq!(w.blobs().await, 2);
    assert!(w.put(&w.tenant, Vec::new()).await);
    assert!(
        w.engine
            .tenant_pictures(w.tenant.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(w.blobs().await, 2);
    w.engine
        .remove_unit_image(w.tenant.id, again.id, &Actor::System)
        .await
        .unwrap();
    assert_eq!(w.blobs().await, 0);
}

async fn refused_files_and_sets_change_nothing(backend: Backend) {
    let w = world(backend).await;
    assert!(w.put(&w.tenant, vec![cover(1)]).await);
    let before = w.engine.tenant_pictures(w.tenant.id).await.unwrap();
    let blobs = w.blobs().await;
    let not_a_picture = PictureFile {
        role: PictureRole::Gallery,
        alt: "Notes".into(),
        bytes: b"hello, not a picture".to_vec(),
    };
    let no_alt = PictureFile {
        alt: "   ".into(),
        ..gallery(2)
    };
    let too_many: Vec<PictureFile> = (0..=MAX_GALLERY_PICTURES)
        .map(|i| PictureFile {
            bytes: pictures::png(40, 30, u32::try_from(i).unwrap()),
            ..gallery(0)
        })
        .collect();
    for (files, field) in [
        (vec![cover(1), not_a_picture], "file"),
        (vec![cover(1), no_alt], "alt"),
        (vec![cover(1), cover(2)], "pictures"),
        (too_many, "pictures"),
    ] {
        let err = w
            .engine
            .put_tenant_pictures(w.tenant.id, files, &Actor::System)
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        assert!(format!("{err:?}").contains(field), "{err:?}");
        assert_eq!(w.engine.tenant_pictures(w.tenant.id).await.unwrap(), before);
        assert_eq!(w.blobs().await, blobs);
    }
    assert_eq!(w.entries().await, 1);
    let unknown = berth_core::ids::TenantId::new();
    let err = w
        .engine
        .put_tenant_pictures(unknown, vec![cover(1)], &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
}

async fn tenants_keep_their_own_pictures(backend: Backend) {
    let w = world(backend).await;
    let other = support::tenant(&*w.store, "river-gear").await;
    assert!(w.put(&w.tenant, vec![cover(1), gallery(2)]).await);
    assert!(w.engine.tenant_pictures(other.id).await.unwrap().is_empty());
    // The same cover for the other tenant: its own rows over the same blobs.
    assert!(w.put(&other, vec![cover(1)]).await);
    assert_eq!(w.blobs().await, 3 + 2);
    let theirs = w.engine.tenant_pictures(other.id).await.unwrap();
    assert_eq!(theirs.cover.as_ref().unwrap().tenant_id, other.id);
    assert!(theirs.gallery.is_empty());
    // Removing it there leaves this tenant's cover and its blobs.
    assert!(w.put(&other, Vec::new()).await);
    let ours = w.engine.tenant_pictures(w.tenant.id).await.unwrap();
    assert_eq!(ours.cover.as_ref().unwrap().alt, "Cover 1");
    assert_eq!(ours.gallery.len(), 1);
    assert_eq!(w.blobs().await, 3 + 2);
}
