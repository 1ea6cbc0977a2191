//! Users: created with an audit entry that never holds the password hash, unique
//! per tenant by e-mail, invisible to other tenants.

use berth_core::audit::Actor;
use berth_core::store::StoreError;
use berth_core::user::{NewUser, Role};

use crate::support::{self, Backend};

on_both_stores!(users_are_per_tenant_and_keep_their_hash_private);

async fn users_are_per_tenant_and_keep_their_hash_private(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let alpine = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let new = NewUser {
        email: "Ada@Example.org".parse().unwrap(),
        role: Role::Admin,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    };
    let user = store
        .create_user(
            alpine.id,
            new.clone(),
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    assert_eq!(user.email.as_str(), "ada@example.org");

    let (found, hash) = store
        .user_credentials(alpine.id, &"ada@example.org".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.clone(), hash),
        (user.clone(), new.password_hash.clone())
    );
    assert_eq!(
        store.user(alpine.id, user.id).await.unwrap(),
        Some(user.clone())
    );

    // Another tenant neither sees the user nor is blocked from the same address.
    assert!(store.user(harbor.id, user.id).await.unwrap().is_none());
    assert!(
        store
            .user_credentials(harbor.id, &user.email)
            .await
            .unwrap()
            .is_none()
    );
    store
        .create_user(
            harbor.id,
            new.clone(),
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();

    let err = store
        .create_user(alpine.id, new, &Actor::System, support::start_instant())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    let audit = store
        .audit_entries(alpine.id, user.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        !audit[0].metadata.to_string().contains("argon2"),
        "no hash in the audit log"
    );
}
