//! Unit images on both stores: every accepted format is stored in each width
//! (never wider than the original) as content-addressed JPEG blobs; refused
//! files (not an image, an unsupported type, too large, too many pixels) store
//! nothing; EXIF and its GPS tags are gone from every width; the same picture
//! is stored once however often it is uploaded (per unit, across units and
//! tenants) and its blobs go with the last image using them; alt text, order
//! and removal are audited on the unit and announced as `unit.updated`;
//! another tenant reaches none of it; concurrent uploads and removals of one
//! picture across units and tenants keep its blobs counted right.

use berth_core::audit::Actor;
use berth_core::event::EventKind;
use berth_core::ids::{ImageId, UserId};
use berth_core::media::{MAX_UPLOAD_BYTES, UnitImage};
use berth_core::store::Store;
use berth_core::tenant::Tenant;
use berth_core::test_pictures::{self as pictures, GPS_MARKER};
use berth_core::unit::Unit;
use berth_core::{Engine, EngineError, ErrorCode};

use crate::support::{self, Backend};

on_both_stores!(
    each_format_is_stored_in_every_width,
    refused_files_store_nothing,
    gps_metadata_is_gone_from_every_width,
    the_same_picture_is_stored_once,
    alt_text_order_and_removal,
    another_tenant_reaches_no_image,
    concurrent_uploads_and_removals_keep_blobs_counted,
);

struct World {
    engine: Engine,
    store: std::sync::Arc<dyn Store>,
    tenant: Tenant,
    unit: Unit,
    actor: Actor,
}

async fn world(backend: Backend) -> World {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    World {
        engine,
        store,
        tenant,
        unit,
        actor: Actor::User(UserId::new()),
    }
}

impl World {
    async fn upload(&self, file: Vec<u8>) -> Result<UnitImage, EngineError> {
        self.engine
            .upload_unit_image(self.tenant.id, self.unit.id, file, None, &self.actor)
            .await
            .map(|uploaded| uploaded.image)
    }

    async fn images(&self) -> Vec<UnitImage> {
        self.engine
            .unit_images(self.tenant.id, &[self.unit.id])
            .await
            .unwrap()
    }

    async fn blobs(&self) -> u64 {
        self.store.media_blob_count().await.unwrap()
    }

    /// Every variant's blob: there, a JPEG of the variant's size, named by
    /// the hash of its bytes.
    async fn check_blobs(&self, image: &UnitImage) {
        for v in &image.variants {
            let blob = self.engine.media_blob(&v.hash).await.unwrap().unwrap();
            assert_eq!(berth_core::media::MediaHash::of(&blob.bytes), v.hash);
            assert_eq!((blob.width, blob.height), (v.width, v.height));
            let decoded =
                image::load_from_memory_with_format(&blob.bytes, image::ImageFormat::Jpeg).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (v.width, v.height));
        }
    }
}

fn widths(image: &UnitImage) -> Vec<u32> {
    image.variants.iter().map(|v| v.width).collect()
}

async fn each_format_is_stored_in_every_width(backend: Backend) {
    let w = world(backend).await;
    // (format, file, stored widths, widest size)
    type Case = (&'static str, Vec<u8>, Vec<u32>, (u32, u32));
    let cases: [Case; 4] = [
        (
            "JPEG",
            pictures::jpeg(1800, 1200, 1),
            vec![320, 800, 1600],
            (1600, 1067),
        ),
        (
            "PNG",
            pictures::png(1000, 700, 2),
            vec![320, 800, 1000],
            (1000, 700),
        ),
        (
            "WebP",
            pictures::webp(900, 600, 3),
            vec![320, 800, 900],
            (900, 600),
        ),
        (
            "small PNG",
            pictures::png(200, 100, 4),
            vec![200],
            (200, 100),
        ),
    ];
    for (position, (name, file, expected, size)) in cases.into_iter().enumerate() {
        let image = w.upload(file).await.unwrap();
        assert_eq!(widths(&image), expected, "{name}");
        assert_eq!((image.width, image.height), size, "{name}");
        assert_eq!(image.position as usize, position, "{name}");
        assert!(
            image
                .variants
                .iter()
                .all(|v| v.path().ends_with(&format!("/{}.jpg", v.width)))
        );
        w.check_blobs(&image).await;
        let srcset = image.srcset();
        assert_eq!(
            srcset.matches("w, ").count() + 1,
            expected.len(),
            "{srcset}"
        );
    }
    let stored = w.images().await;
    assert_eq!(stored.len(), 4);
    assert_eq!(
        stored.iter().map(|i| i.position).collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    assert_eq!(w.blobs().await, 3 + 3 + 3 + 1);
    let audit = w
        .store
        .audit_entries(w.tenant.id, w.unit.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(
        audit.iter().filter(|a| a.action == "add_image").count(),
        4,
        "{audit:?}"
    );
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::UnitUpdated)
            .count(),
        4
    );
}

async fn refused_files_store_nothing(backend: Backend) {
    let w = world(backend).await;
    let events_before = support::settled_events(&*w.store, w.tenant.id).await.len();
    let bomb = pictures::png_claiming(11_000, 11_000);
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("text", b"name,price\ncabin,120\n".to_vec(), "not an image"),
        (
            "gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec(),
            "GIF images are not supported",
        ),
        (
            "too large",
            vec![0xff; MAX_UPLOAD_BYTES + 1],
            "at most 10 MB",
        ),
        ("bomb", bomb, "too many pixels"),
        (
            "broken jpeg",
            pictures::jpeg(64, 64, 1)[..200].to_vec(),
            "could not be read",
        ),
    ];
    for (name, file, reason) in cases {
        let err = w.upload(file).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{name}: {err}");
        assert!(err.to_string().contains(reason), "{name}: {err}");
    }
    assert!(w.images().await.is_empty());
    assert_eq!(w.blobs().await, 0);
    let events_after = support::settled_events(&*w.store, w.tenant.id).await.len();
    assert_eq!(events_after, events_before);
}

async fn gps_metadata_is_gone_from_every_width(backend: Backend) {
    let w = world(backend).await;
    let file = pictures::jpeg_with_gps(1700, 1000, 7);
    assert!(pictures::jpeg_markers(&file).contains(&0xe1));
    assert!(pictures::contains(&file, b"Exif\0\0"));
    assert!(pictures::contains(&file, GPS_MARKER));
    let image = w.upload(file).await.unwrap();
    assert_eq!(widths(&image), vec![320, 800, 1600]);
    for v in &image.variants {
        let blob = w.engine.media_blob(&v.hash).await.unwrap().unwrap();
        let markers = pictures::jpeg_markers(&blob.bytes);
        assert!(
            !markers.contains(&0xe1),
            "APP1 in {}: {markers:x?}",
            v.width
        );
        assert!(!pictures::contains(&blob.bytes, b"Exif"), "{}", v.width);
        assert!(!pictures::contains(&blob.bytes, GPS_MARKER), "{}", v.width);
    }
}

async fn the_same_picture_is_stored_once(backend: Backend) {
    let w = world(backend).await;
    let file = pictures::png(900, 600, 11);
    let first = w.upload(file.clone()).await.unwrap();
    let events = support::settled_events(&*w.store, w.tenant.id).await.len();
    let again = w
        .engine
        .upload_unit_image(w.tenant.id, w.unit.id, file.clone(), None, &w.actor)
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.image, first, "the unit keeps one image");
    assert_eq!(w.images().await.len(), 1);
    assert_eq!(w.blobs().await, 3);
    assert_eq!(
        support::settled_events(&*w.store, w.tenant.id).await.len(),
        events,
        "nothing written"
    );

    // Another unit, and another tenant: their own images, the same blobs.
    let other_unit = support::unit(&*w.store, &w.tenant, "Aspen", 1, 2).await;
    let second = w
        .engine
        .upload_unit_image(w.tenant.id, other_unit.id, file.clone(), None, &w.actor)
        .await
        .unwrap();
    assert!(second.created);
    let second = second.image;
    assert_ne!(second.id, first.id);
    assert_eq!(second.variants, first.variants);
    let harbor = support::tenant(&*w.store, "harbor-hotel").await;
    let room = support::unit(&*w.store, &harbor, "Suite", 1, 2).await;
    let third = w
        .engine
        .upload_unit_image(harbor.id, room.id, file, None, &Actor::System)
        .await
        .unwrap()
        .image;
    assert_eq!(third.variants, first.variants);
    assert_eq!(w.blobs().await, 3);

    // The blobs go with the last image that uses them.
    w.engine
        .remove_unit_image(w.tenant.id, first.id, &w.actor)
        .await
        .unwrap();
    w.engine
        .remove_unit_image(w.tenant.id, second.id, &w.actor)
        .await
        .unwrap();
    assert_eq!(w.blobs().await, 3);
    w.check_blobs(&third).await;
    w.engine
        .remove_unit_image(harbor.id, third.id, &Actor::System)
        .await
        .unwrap();
    assert_eq!(w.blobs().await, 0);
    assert!(
        w.engine
            .media_blob(&first.variants[0].hash)
            .await
            .unwrap()
            .is_none()
    );
}

async fn alt_text_order_and_removal(backend: Backend) {
    let w = world(backend).await;
    let mut ids = Vec::new();
    for seed in 1..=3 {
        ids.push(w.upload(pictures::png(400, 300, seed)).await.unwrap().id);
    }
    let (a, b, c) = (ids[0], ids[1], ids[2]);

    let named = w
        .engine
        .update_unit_image(w.tenant.id, a, Some("  The sauna by the lake "), &w.actor)
        .await
        .unwrap();
    assert_eq!(named.alt.as_deref(), Some("The sauna by the lake"));
    let too_long = "x".repeat(501);
    let err = w
        .engine
        .update_unit_image(w.tenant.id, a, Some(&too_long), &w.actor)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    w.engine
        .update_unit_image(w.tenant.id, b, Some("The porch"), &w.actor)
        .await
        .unwrap();
    let cleared = w
        .engine
        .update_unit_image(w.tenant.id, b, Some(""), &w.actor)
        .await
        .unwrap();
    assert_eq!(cleared.alt, None);

    let reordered = w
        .engine
        .reorder_unit_images(w.tenant.id, w.unit.id, &[c, a, b], &w.actor)
        .await
        .unwrap();
    assert_eq!(
        reordered.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![c, a, b]
    );
    assert_eq!(
        reordered.iter().map(|i| i.position).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert_eq!(reordered[1].alt.as_deref(), Some("The sauna by the lake"));
    for bad in [vec![c, a], vec![c, a, a], vec![c, a, b, ImageId::new()]] {
        let err = w
            .engine
            .reorder_unit_images(w.tenant.id, w.unit.id, &bad, &w.actor)
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad:?}: {err}");
    }

    let removed = w
        .engine
        .remove_unit_image(w.tenant.id, a, &w.actor)
        .await
        .unwrap();
    assert_eq!(removed.id, a);
    let left = w.images().await;
    assert_eq!(
        left.iter().map(|i| (i.id, i.position)).collect::<Vec<_>>(),
        vec![(c, 0), (b, 1)]
    );
    let err = w
        .engine
        .remove_unit_image(w.tenant.id, a, &w.actor)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    let audit = w
        .store
        .audit_entries(w.tenant.id, w.unit.id.as_uuid())
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| a.contains("image"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "add_image",
            "add_image",
            "add_image",
            "update_image",
            "update_image",
            "update_image",
            "reorder_images",
            "remove_image"
        ]
    );
    assert!(
        audit
            .iter()
            .filter(|e| e.action.contains("image"))
            .all(|e| e.actor == w.actor)
    );
}

async fn another_tenant_reaches_no_image(backend: Backend) {
    let w = world(backend).await;
    let image = w.upload(pictures::png(400, 300, 5)).await.unwrap();
    let harbor = support::tenant(&*w.store, "harbor-hotel").await;
    let events_before = support::settled_events(&*w.store, w.tenant.id).await.len();
    let intruder = Actor::User(UserId::new());

    let upload = w
        .engine
        .upload_unit_image(
            harbor.id,
            w.unit.id,
            pictures::png(300, 200, 6),
            None,
            &intruder,
        )
        .await;
    let alt = w
        .engine
        .update_unit_image(harbor.id, image.id, Some("mine"), &intruder)
        .await;
    let order = w
        .engine
        .reorder_unit_images(harbor.id, w.unit.id, &[image.id], &intruder)
        .await;
    let remove = w
        .engine
        .remove_unit_image(harbor.id, image.id, &intruder)
        .await;
    let read = w.engine.unit_image(harbor.id, image.id).await;
    for (name, code) in [
        ("upload", upload.map(|_| ()).unwrap_err().code()),
        ("alt", alt.map(|_| ()).unwrap_err().code()),
        ("order", order.map(|_| ()).unwrap_err().code()),
        ("remove", remove.map(|_| ()).unwrap_err().code()),
        ("read", read.map(|_| ()).unwrap_err().code()),
    ] {
        assert_eq!(code, ErrorCode::NotFound, "{name}");
    }
    assert!(
        w.engine
            .unit_images(harbor.id, &[w.unit.id])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(w.images().await, vec![image]);
    assert_eq!(
        support::settled_events(&*w.store, w.tenant.id).await.len(),
        events_before
    );
}

async fn concurrent_uploads_and_removals_keep_blobs_counted(backend: Backend) {
    let w = world(backend).await;
    let harbor = support::tenant(&*w.store, "harbor-hotel").await;
    let aspen = support::unit(&*w.store, &w.tenant, "Aspen", 1, 2).await;
    let suite = support::unit(&*w.store, &harbor, "Suite", 1, 2).await;
    let file = pictures::png(900, 600, 41);
    let targets = [
        (w.tenant.id, w.unit.id),
        (w.tenant.id, w.unit.id),
        (w.tenant.id, aspen.id),
        (w.tenant.id, aspen.id),
        (harbor.id, suite.id),
        (harbor.id, suite.id),
    ];
    let uploads: Vec<_> = targets
        .into_iter()
        .map(|(tenant, unit)| {
            let engine = w.engine.clone();
            let file = file.clone();
            tokio::spawn(async move {
                engine
                    .upload_unit_image(tenant, unit, file, None, &Actor::System)
                    .await
            })
        })
        .collect();
    let mut images = Vec::new();
    for upload in uploads {
        images.push(upload.await.unwrap().unwrap().image);
    }
    // One image per unit (the second upload to each found the first), three
    // widths stored once.
    let mut distinct: Vec<_> = images.iter().map(|i| (i.tenant_id, i.id)).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{images:?}");
    assert_eq!(w.blobs().await, 3);

    // Removing all three while a fourth unit uploads the picture again: the
    // blobs stay for the fourth, then go with it.
    let birch = support::unit(&*w.store, &w.tenant, "Birch Two", 1, 2).await;
    let mut tasks = Vec::new();
    for (tenant, id) in distinct {
        let engine = w.engine.clone();
        tasks.push(tokio::spawn(async move {
            engine
                .remove_unit_image(tenant, id, &Actor::System)
                .await
                .map(|_| ())
        }));
    }
    let engine = w.engine.clone();
    let (tenant, unit) = (w.tenant.id, birch.id);
    let late = tokio::spawn(async move {
        engine
            .upload_unit_image(tenant, unit, file, None, &Actor::System)
            .await
    });
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let late = late.await.unwrap().unwrap().image;
    assert_eq!(w.blobs().await, 3);
    w.check_blobs(&late).await;
    w.engine
        .remove_unit_image(w.tenant.id, late.id, &Actor::System)
        .await
        .unwrap();
    assert_eq!(w.blobs().await, 0);
}
