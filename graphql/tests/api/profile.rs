//! `Tenant.profile`: public (no token), as stored when the tenant's policy
//! went live, with the cover and gallery pictures it names; empty before
//! that; an unknown tenant is null.

use std::sync::Arc;

use berth_core::audit::Actor;
use berth_core::clock::Clock as _;
use berth_core::store::ProfileStore as _;
use berth_policy::Runtime;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;
use serde_json::{Value, json};

use crate::support::{api, repo};

const PROFILE: &str = r#"query($slug: String!) {
  tenant(slug: $slug) {
    slug
    profile {
      description email phone
      address { street postalCode locality region country formatted }
      coordinates { lat lng }
      checkIn { time notes }
      checkOut { time notes }
      links { label url }
      themeColor
      cover { id url srcset alt width height position uploaded variants { width height url } }
      gallery { url srcset alt width height position }
      map { tiles attribution }
    }
  }
}"#;

#[tokio::test]
async fn the_profile_is_public_and_as_the_tenant_file_says() {
    let api = api().await;
    // Before the policy's profile is stored: an empty profile, the lists empty.
    let (data, errors) = api.run(PROFILE, json!({ "slug": "alpine-cabins" })).await;
    assert!(errors.is_empty(), "{errors:?}");
    let empty = &data["tenant"]["profile"];
    assert_eq!(empty["description"], Value::Null);
    assert_eq!(empty["links"], json!([]));
    assert_eq!(empty["checkIn"], json!({ "time": null, "notes": null }));
    assert_eq!(empty["cover"], Value::Null);
    assert_eq!(empty["gallery"], json!([]));

    // What the load path stores: the live policy's profile.
    let registry = Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        repo().join("tenants"),
        api.clock.clone(),
    ));
    registry.load_all();
    for tenant in [&api.alpine, &api.summit] {
        let profile = registry
            .get(tenant.slug.as_str())
            .unwrap()
            .config()
            .public_profile();
        api.store
            .save_tenant_profile(tenant.id, &profile, &Actor::System, api.clock.now())
            .await
            .unwrap();
    }

    // And its pictures, as the load path stores them: the files it names.
    let engine = berth_core::Engine::new(api.store.clone(), registry.clone(), api.clock.clone());
    let dir = repo().join("tenants").join("alpine-cabins");
    let files = registry
        .get("alpine-cabins")
        .unwrap()
        .config()
        .profile_pictures()
        .into_iter()
        .map(|p| berth_core::media::PictureFile {
            role: p.role,
            alt: p.alt,
            bytes: std::fs::read(dir.join(&p.file)).unwrap(),
        })
        .collect();
    assert!(
        engine
            .put_tenant_pictures(api.alpine.id, files, &Actor::System)
            .await
            .unwrap()
    );

    // No token: the public side.
    let (data, errors) = api.run(PROFILE, json!({ "slug": "alpine-cabins" })).await;
    assert!(errors.is_empty(), "{errors:?}");
    let profile = &data["tenant"]["profile"];
    assert_eq!(profile["email"], "hallo@alpine-cabins.example.ch");
    assert_eq!(profile["phone"], "+41 33 555 01 00");
    assert_eq!(
        profile["address"],
        json!({ "street": "Lärchenweg 12", "postalCode": "3818", "locality": "Grindelwald",
                "region": "Bern", "country": "CH",
                "formatted": "Lärchenweg 12, 3818 Grindelwald, Bern, CH" })
    );
    assert_eq!(
        profile["coordinates"],
        json!({ "lat": 46.624, "lng": 8.041 })
    );
    // The times are the nightly model's; the notes the profile's.
    assert_eq!(profile["checkIn"]["time"], "15:00");
    assert_eq!(profile["checkOut"]["time"], "10:00");
    assert!(
        profile["checkIn"]["notes"]
            .as_str()
            .unwrap()
            .contains("lockbox")
    );
    assert_eq!(profile["links"][0]["label"], "Grindelwald tourist office");
    assert!(
        profile["links"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(profile["themeColor"], "#2f6b4f");
    // The demo tenants name no tile server: no map is assumed.
    assert_eq!(profile["map"], Value::Null);
    // The cover in three widths, like an uploaded unit image (no id).
    let cover = &profile["cover"];
    assert_eq!(cover["id"], Value::Null);
    assert_eq!(
        (cover["width"].as_i64(), cover["height"].as_i64()),
        (Some(1600), Some(900))
    );
    assert_eq!(cover["position"], 0);
    assert_eq!(cover["uploaded"], true);
    assert!(
        cover["alt"]
            .as_str()
            .unwrap()
            .starts_with("Three log cabins")
    );
    let widths: Vec<i64> = cover["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, vec![320, 800, 1600]);
    let url = cover["url"].as_str().unwrap();
    assert!(
        url.starts_with("/media/") && url.ends_with("/1600.jpg"),
        "{url}"
    );
    assert_eq!(
        cover["srcset"].as_str().unwrap().split(", ").count(),
        3,
        "{}",
        cover["srcset"]
    );
    // The gallery in the file's order.
    let gallery = profile["gallery"].as_array().unwrap();
    assert_eq!(gallery.len(), 2);
    assert_eq!(gallery[0]["position"], 0);
    assert!(gallery[0]["alt"].as_str().unwrap().contains("jetty"));
    assert_eq!(gallery[1]["position"], 1);
    assert!(
        gallery[1]["alt"]
            .as_str()
            .unwrap()
            .starts_with("Summit Chalet")
    );
    assert_eq!(gallery[1]["width"], 960);

    // Each tenant its own; a timeslot tenant has no check-in time.
    let (data, errors) = api.run(PROFILE, json!({ "slug": "summit-tours" })).await;
    assert!(errors.is_empty(), "{errors:?}");
    let profile = &data["tenant"]["profile"];
    assert_eq!(profile["address"]["locality"], "Boulder");
    assert_eq!(profile["checkIn"]["time"], Value::Null);
    assert!(profile["checkIn"]["notes"].is_string());
    // Another tenant's pictures are not this one's (none stored for it yet).
    assert_eq!(profile["cover"], Value::Null);
    assert_eq!(profile["gallery"], json!([]));

    // A tile server the tenant names, as stored.
    let mut with_map = registry
        .get("summit-tours")
        .unwrap()
        .config()
        .public_profile();
    with_map.map = Some(berth_core::profile::MapTiles {
        tiles: "https://tile.example.org/{z}/{x}/{y}.png".into(),
        attribution: "© OpenStreetMap contributors".into(),
    });
    api.store
        .save_tenant_profile(api.summit.id, &with_map, &Actor::System, api.clock.now())
        .await
        .unwrap();
    let (data, errors) = api.run(PROFILE, json!({ "slug": "summit-tours" })).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        data["tenant"]["profile"]["map"],
        json!({ "tiles": "https://tile.example.org/{z}/{x}/{y}.png",
                "attribution": "© OpenStreetMap contributors" })
    );

    // An unknown tenant (or no slug at all) is null, not an error.
    for slug in ["nobody", "Not A Slug"] {
        let (data, errors) = api.run(PROFILE, json!({ "slug": slug })).await;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(data["tenant"], Value::Null);
    }
}
