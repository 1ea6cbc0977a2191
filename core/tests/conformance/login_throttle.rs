//! The sign-in throttle on both databases: failures counted per account in the
//! store, so two engines (two instances) over one database count them together;
//! the allowance is refused until its oldest failure leaves the window; a
//! success clears it; failures older than the window are deleted; the table
//! holds digests, not addresses.

use berth_core::login_throttle::{LoginAccount, MAX_FAILURES, WINDOW};
use chrono::Duration;

use crate::support::{self, Backend};

on_both_stores!(failed_sign_ins_are_counted_for_every_instance);

async fn failed_sign_ins_are_counted_for_every_instance(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let (first, first_clock) = support::engine(store.clone());
    let (second, second_clock) = support::engine(store.clone());
    let start = support::start_instant();
    let at = |seconds: i64| {
        let t = start + Duration::seconds(seconds);
        first_clock.set(t);
        second_clock.set(t);
    };
    // Ten wrong passwords, alternating between the two instances.
    for i in 0..i64::from(MAX_FAILURES) {
        at(i * 10);
        let engine = if i % 2 == 0 { &first } else { &second };
        assert_eq!(
            engine
                .login_refused_for("alpine-cabins", "ada@example.org")
                .await
                .unwrap(),
            None
        );
        engine
            .login_failed("alpine-cabins", "Ada@Example.org")
            .await
            .unwrap();
    }
    at(100);
    for engine in [&first, &second] {
        assert_eq!(
            engine
                .login_refused_for("alpine-cabins", "ada@example.org")
                .await
                .unwrap(),
            Some(800),
            "until the first failure is 15 minutes old"
        );
    }
    // Other accounts are not affected.
    assert_eq!(
        first
            .login_refused_for("harbor-hotel", "ada@example.org")
            .await
            .unwrap(),
        None
    );
    // The window moves on.
    at(WINDOW.num_seconds());
    assert_eq!(
        second
            .login_refused_for("alpine-cabins", "ada@example.org")
            .await
            .unwrap(),
        None
    );
    // A success clears the count.
    first
        .login_failed("alpine-cabins", "ada@example.org")
        .await
        .unwrap();
    second
        .login_succeeded("alpine-cabins", "ada@example.org")
        .await
        .unwrap();
    let account = LoginAccount::new("alpine-cabins", "ada@example.org");
    let all = store
        .recent_login_failures(&account, start - WINDOW, 100)
        .await
        .unwrap();
    assert!(all.is_empty(), "{all:?}");
    // A failure forgets every account's failures from before the window.
    let other = LoginAccount::new("harbor-hotel", "bob@example.org");
    store
        .record_login_failure(&other, start, start - WINDOW)
        .await
        .unwrap();
    let later = start + WINDOW + Duration::minutes(1);
    store
        .record_login_failure(&account, later, later - WINDOW)
        .await
        .unwrap();
    let kept = store
        .recent_login_failures(&other, start - WINDOW, 100)
        .await
        .unwrap();
    assert!(kept.is_empty(), "forgotten: {kept:?}");
    assert_eq!(
        store
            .recent_login_failures(&account, start, 100)
            .await
            .unwrap(),
        [later]
    );
}
