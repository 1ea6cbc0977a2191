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

on_both_stores!(user_changes_are_audited_end_sessions_and_keep_an_owner);

async fn user_changes_are_audited_end_sessions_and_keep_an_owner(backend: Backend) {
    use berth_core::user::UserPatch;

    let store = support::fresh_store(backend).await;
    let alpine = support::tenant(&*store, "alpine-cabins").await;
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let now = support::start_instant();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
    let create = |email: &str, role: Role| NewUser {
        email: email.parse().unwrap(),
        role,
        password_hash: hash.into(),
    };
    let owner = store
        .create_user(
            alpine.id,
            create("owner@example.org", Role::Owner),
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    let staff = store
        .create_user(
            alpine.id,
            create("staff@example.org", Role::Staff),
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    assert_eq!((owner.session_epoch, owner.disabled_at), (0, None));
    assert_eq!(
        store.users(alpine.id).await.unwrap(),
        vec![owner.clone(), staff.clone()],
        "creation order"
    );
    assert!(store.users(harbor.id).await.unwrap().is_empty());

    let by = Actor::User(owner.id);
    let patch = |f: fn(&mut UserPatch)| {
        let mut p = UserPatch::default();
        f(&mut p);
        p
    };
    // A role change keeps the sessions.
    let promoted = store
        .update_user(
            alpine.id,
            staff.id,
            patch(|p| p.role = Some(Role::Admin)),
            &by,
            now,
        )
        .await
        .unwrap();
    assert_eq!((promoted.role, promoted.session_epoch), (Role::Admin, 0));
    // Disabling ends them (and releases the locks they hold), enabling does
    // not bring them back.
    let cabin = support::unit(&*store, &alpine, "Birch", 1, 2).await;
    let lock = store
        .acquire_lock(
            alpine.id,
            berth_core::lock::NewLock {
                unit_id: cabin.id,
                range: None,
                reservation_id: None,
                holder: berth_core::lock::LockHolder {
                    actor: Actor::User(staff.id),
                    display_name: "staff@example.org".into(),
                    session: "login:staff".parse().unwrap(),
                },
                expires_at: now + chrono::Duration::minutes(10),
                now,
            },
            &Actor::User(staff.id),
        )
        .await
        .unwrap();
    let disabled = store
        .update_user(
            alpine.id,
            staff.id,
            patch(|p| p.disabled = Some(true)),
            &by,
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (disabled.disabled_at, disabled.session_epoch),
        (Some(now), 1)
    );
    assert!(
        store.locks(alpine.id, now).await.unwrap().is_empty(),
        "released"
    );
    let lock_audit = store
        .audit_entries(alpine.id, lock.id.as_uuid())
        .await
        .unwrap();
    let last = lock_audit.last().unwrap();
    assert_eq!((last.action.as_str(), &last.actor), ("release", &by));
    let enabled = store
        .update_user(
            alpine.id,
            staff.id,
            patch(|p| p.disabled = Some(false)),
            &by,
            now,
        )
        .await
        .unwrap();
    assert_eq!((enabled.disabled_at, enabled.session_epoch), (None, 1));
    // A new password is stored and ends the sessions; so does a sign-out everywhere.
    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA";
    let changed = store
        .update_user(
            alpine.id,
            staff.id,
            UserPatch {
                password_hash: Some(new_hash.into()),
                ..UserPatch::default()
            },
            &by,
            now,
        )
        .await
        .unwrap();
    assert_eq!(changed.session_epoch, 2);
    let (_, stored) = store
        .user_credentials(alpine.id, &changed.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, new_hash);
    let signed_out = store
        .update_user(
            alpine.id,
            staff.id,
            patch(|p| p.revoke_sessions = true),
            &by,
            now,
        )
        .await
        .unwrap();
    assert_eq!(signed_out.session_epoch, 3);
    assert_eq!(
        store.user(alpine.id, staff.id).await.unwrap(),
        Some(signed_out)
    );

    // The last active owner can be neither demoted nor disabled...
    for p in [
        patch(|p| p.role = Some(Role::Admin)),
        patch(|p| p.disabled = Some(true)),
    ] {
        let err = store
            .update_user(alpine.id, owner.id, p, &by, now)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    }
    // ...until there is another one.
    store
        .update_user(
            alpine.id,
            staff.id,
            patch(|p| p.role = Some(Role::Owner)),
            &by,
            now,
        )
        .await
        .unwrap();
    let demoted = store
        .update_user(
            alpine.id,
            owner.id,
            patch(|p| p.role = Some(Role::Admin)),
            &by,
            now,
        )
        .await
        .unwrap();
    assert_eq!(demoted.role, Role::Admin);

    // Another tenant's user is NOT_FOUND.
    let err = store
        .update_user(
            harbor.id,
            staff.id,
            patch(|p| p.disabled = Some(true)),
            &by,
            now,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");

    // Each change is audited with what it was, never with a hash.
    let audit = store
        .audit_entries(alpine.id, staff.id.as_uuid())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "update",
            "disable",
            "enable",
            "change_password",
            "revoke_sessions",
            "update"
        ]
    );
    for entry in &audit {
        assert!(
            !entry.metadata.to_string().contains("argon2"),
            "no hash in the audit log: {}",
            entry.metadata
        );
    }
    let password_entry = audit
        .iter()
        .find(|e| e.action == "change_password")
        .unwrap();
    assert_eq!(password_entry.metadata["after"]["password"], "changed");
}

on_both_stores!(two_concurrent_demotions_leave_an_owner);

/// Two owners demoted at the same time, each by the other: one change wins,
/// the other is CONFLICT, and the tenant keeps an active owner. (On PostgreSQL
/// each change locks the tenant's active owners first; without that, both
/// would count the other as the owner that remains.)
async fn two_concurrent_demotions_leave_an_owner(backend: Backend) {
    use berth_core::user::UserPatch;

    let store = support::fresh_store(backend).await;
    let now = support::start_instant();
    for round in 0..8 {
        let tenant = support::tenant(&*store, &format!("race-{round}")).await;
        let owner = |email: &str| NewUser {
            email: email.parse().unwrap(),
            role: Role::Owner,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        };
        let a = store
            .create_user(tenant.id, owner("a@example.org"), &Actor::System, now)
            .await
            .unwrap();
        let b = store
            .create_user(tenant.id, owner("b@example.org"), &Actor::System, now)
            .await
            .unwrap();
        let demote = |id| {
            let store = store.clone();
            let by = Actor::User(if id == a.id { b.id } else { a.id });
            async move {
                store
                    .update_user(
                        tenant.id,
                        id,
                        UserPatch {
                            role: Some(Role::Admin),
                            ..UserPatch::default()
                        },
                        &by,
                        now,
                    )
                    .await
            }
        };
        let (first, second) = tokio::join!(tokio::spawn(demote(a.id)), tokio::spawn(demote(b.id)));
        let results = [first.unwrap(), second.unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "round {round}: {results:?}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(StoreError::Conflict(_)))),
            "round {round}: {results:?}"
        );
        let owners = store
            .users(tenant.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.is_active_owner())
            .count();
        assert_eq!(owners, 1, "round {round}");
    }
}
