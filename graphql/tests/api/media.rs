//! Unit images through `schema.execute`: `Unit.images` lists the uploaded
//! images in order (alt text, sizes, `srcset`, variants) and then the images
//! given by URL (as before: `url`, with null id and sizes); the public catalog
//! shows them too, a list of units reads its images in one store call; and
//! `updateUnitImage`, `reorderUnitImages`, `removeUnitImage` with their
//! refusals. Roles, ids and audit entries are in roles.yaml, the sweep and
//! audited.yaml.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{Backend, api_on, on_both_stores};

on_both_stores!(unit_images_are_listed_changed_and_removed);

const IMAGES: &str = r#"query($id: ID!) { unit(id: $id) { images {
    id url alt width height position srcset uploaded variants { width height url } } } }"#;

fn ids(images: &Value) -> Vec<Value> {
    images
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect()
}

async fn unit_images_are_listed_changed_and_removed(backend: Backend) {
    let api = api_on(backend).await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let staff = api.token("alpine-cabins", Role::Staff);
    let cabin = api.cabin.id.to_string();
    let a = api
        .upload_image(&api.alpine, api.cabin.id, 1, "The lake")
        .await;
    let b = api
        .upload_image(&api.alpine, api.cabin.id, 2, "The sauna")
        .await;

    let data = api.ok_as(&admin, IMAGES, json!({ "id": cabin })).await;
    let images = &data["unit"]["images"];
    // Two uploaded images, then the URL the cabin was created with.
    assert_eq!(ids(images), vec![json!(a), json!(b), Value::Null]);
    let first = &images[0];
    assert_eq!(first["alt"], "The lake");
    assert_eq!(
        (first["width"].clone(), first["height"].clone()),
        (json!(400), json!(300))
    );
    assert_eq!(first["position"], 0);
    assert_eq!(first["uploaded"], true);
    let variants = first["variants"].as_array().unwrap();
    assert_eq!(
        variants
            .iter()
            .map(|v| v["width"].clone())
            .collect::<Vec<_>>(),
        vec![json!(320), json!(400)]
    );
    assert_eq!(first["url"], variants[1]["url"]);
    let url = variants[0]["url"].as_str().unwrap();
    assert!(
        url.starts_with("/media/") && url.ends_with("/320.jpg"),
        "{url}"
    );
    assert_eq!(
        first["srcset"],
        format!(
            "{} 320w, {} 400w",
            variants[0]["url"].as_str().unwrap(),
            variants[1]["url"].as_str().unwrap()
        )
    );
    let linked = &images[2];
    assert_eq!(linked["url"], "https://images.example.org/a.jpg");
    assert_eq!(linked["srcset"], "https://images.example.org/a.jpg");
    assert_eq!(linked["position"], 2);
    assert_eq!(linked["uploaded"], false);
    assert_eq!(linked["variants"], json!([]));
    assert_eq!(linked["width"], Value::Null);

    // The public catalog: the same images, one store call for the list's.
    api.store.take();
    let public = api
        .run(
            r#"{ units(tenant: "alpine-cabins") { id images { id alt srcset } } }"#,
            json!({}),
        )
        .await;
    assert!(public.1.is_empty(), "{:?}", public.1);
    let calls = api.store.take();
    assert_eq!(calls.get("unit_images"), Some(&1), "{calls:?}");
    let listed = public.0["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == json!(cabin))
        .unwrap()
        .clone();
    assert_eq!(
        ids(&listed["images"]),
        vec![json!(a), json!(b), Value::Null]
    );

    // Alt text: staff may not; blank clears; too long is refused.
    const ALT: &str =
        r#"mutation($id: ID!, $alt: String) { updateUnitImage(id: $id, alt: $alt) { id alt } }"#;
    let (_, errors) = api
        .run_as(Some(&staff), ALT, json!({ "id": a, "alt": "x" }))
        .await;
    assert_eq!(errors[0].1["code"], "FORBIDDEN");
    let named = api
        .ok_as(
            &admin,
            ALT,
            json!({ "id": a, "alt": " Dawn over the lake " }),
        )
        .await;
    assert_eq!(named["updateUnitImage"]["alt"], "Dawn over the lake");
    let cleared = api
        .ok_as(&admin, ALT, json!({ "id": b, "alt": null }))
        .await;
    assert_eq!(cleared["updateUnitImage"]["alt"], Value::Null);
    let (_, errors) = api
        .run_as(
            Some(&admin),
            ALT,
            json!({ "id": a, "alt": "x".repeat(501) }),
        )
        .await;
    assert_eq!(errors[0].1["code"], "INVALID_INPUT");
    let (_, errors) = api
        .run_as(Some(&admin), ALT, json!({ "id": "not-an-id", "alt": "x" }))
        .await;
    assert_eq!(errors[0].1["code"], "INVALID_INPUT");

    // Order.
    const ORDER: &str = r#"mutation($unit: ID!, $ids: [ID!]!) {
        reorderUnitImages(unitId: $unit, imageIds: $ids) { id position } }"#;
    let reordered = api
        .ok_as(&admin, ORDER, json!({ "unit": cabin, "ids": [b, a] }))
        .await;
    assert_eq!(
        reordered["reorderUnitImages"],
        json!([{ "id": b, "position": 0 }, { "id": a, "position": 1 }])
    );
    let (_, errors) = api
        .run_as(Some(&admin), ORDER, json!({ "unit": cabin, "ids": [b] }))
        .await;
    assert_eq!(errors[0].1["code"], "INVALID_INPUT");

    // Removal answers with the unit as it is now.
    let removed = api
        .ok_as(
            &admin,
            r#"mutation($id: ID!) { removeUnitImage(id: $id) { id images { id position } } }"#,
            json!({ "id": b }),
        )
        .await;
    assert_eq!(removed["removeUnitImage"]["id"], json!(cabin));
    assert_eq!(
        removed["removeUnitImage"]["images"],
        json!([{ "id": a, "position": 0 }, { "id": null, "position": 1 }])
    );
    let (_, errors) = api
        .run_as(
            Some(&admin),
            r#"mutation($id: ID!) { removeUnitImage(id: $id) { id } }"#,
            json!({ "id": b }),
        )
        .await;
    assert_eq!(errors[0].1["code"], "NOT_FOUND");
}
