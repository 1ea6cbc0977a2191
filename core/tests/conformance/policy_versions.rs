//! Published policy versions on both stores, through core's service: numbered
//! 1, 2, 3 per tenant, each with its audit entry and `policy.published`
//! event; a tenant sees only its own; files identical to the live version's
//! store nothing; a rollback publishes an older version's files again as a
//! new number, and one to an unknown version is NOT_FOUND; files the policy
//! port refuses are never stored; two publishers at once get two numbers; a
//! save (`Planning::WhenProtected`) is planned only for a tenant protecting
//! its reservations (docs/decisions/0168); a publication that started from a
//! version no longer live is refused (CONFLICT naming who published since),
//! also when the race is lost inside the store; a file left out of the files
//! is gone from the version; authors are named (e-mail, key name) within
//! their own tenant only.

use std::sync::Arc;

use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::error::ErrorCode;
use berth_core::event::EventKind;
use berth_core::policy::{CandidateError, Policy, PolicyError, PolicyFile, PolicyProvider};
use berth_core::policy_versions::{Planning, PolicyFiles};
use berth_core::store::Store;
use berth_core::tenant::Tenant;

use crate::support::nightly::NightlyTestPolicy;
use crate::support::{self, Backend, SinglePolicy};

on_both_stores!(
    versions_are_numbered_per_tenant_and_isolated,
    identical_files_publish_nothing,
    a_rollback_publishes_an_older_version_again,
    refused_files_are_never_stored,
    concurrent_publishers_number_one_after_the_other,
    protected_reservations_refuse_a_version_unless_accepted,
    a_save_is_planned_only_when_the_tenant_protects_its_reservations,
    a_stale_base_is_refused_naming_who_published,
    a_file_left_out_is_gone_from_the_version,
    authors_are_named_within_their_tenant,
);

/// The nightly test policy, whose candidates load unless their `tenant.yaml`
/// says `broken` (refused as the registry would: a `file:line:col` line).
#[derive(Debug)]
struct Candidates(SinglePolicy);

impl PolicyProvider for Candidates {
    fn policy(&self, tenant: &Tenant) -> Result<Arc<dyn Policy>, PolicyError> {
        self.0.policy(tenant)
    }

    fn candidate(
        &self,
        tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<Arc<dyn Policy>, CandidateError> {
        let broken = files
            .iter()
            .any(|f| f.path == "tenant.yaml" && f.text.contains("broken"));
        if broken {
            return Err(CandidateError::Rejected(vec![
                "tenant.yaml:1:7: `broken` is not a booking model (at model)".into(),
            ]));
        }
        self.0
            .policy(tenant)
            .map_err(|e| CandidateError::Unsupported(e.to_string()))
    }
}

fn engine(store: Arc<dyn Store>) -> Engine {
    Engine::new(
        store,
        Arc::new(Candidates(SinglePolicy::nightly())),
        Arc::new(berth_core::clock::ManualClock::new(support::start_instant())),
    )
}

/// A tenant directory whose `tenant.yaml` says `rules`, with a test file.
fn files(rules: &str) -> Vec<PolicyFile> {
    vec![
        PolicyFile {
            path: "tenant.yaml".into(),
            text: format!("slug: lake-cabins\nmodel: nightly\n{rules}\n"),
        },
        PolicyFile {
            path: "tests/pricing.yaml".into(),
            text: "cases: []\n".into(),
        },
    ]
}

fn hash(files: Vec<PolicyFile>) -> String {
    PolicyFiles::new(files).unwrap().hash()
}

fn user() -> Actor {
    Actor::User(berth_core::ids::UserId::new())
}

async fn published_events(store: &dyn Store, tenant: &Tenant) -> Vec<serde_json::Value> {
    support::settled_events(store, tenant.id)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::PolicyPublished)
        .map(|e| e.payload)
        .collect()
}

async fn versions_are_numbered_per_tenant_and_isolated(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let river = support::tenant(&*store, "river-gear").await;
    let versions = engine(store.clone()).policy_versions();
    let author = user();
    assert_eq!(versions.live(lake.id).await.unwrap(), None);
    for (i, rules) in ["base_rate: 100", "base_rate: 110", "base_rate: 120"]
        .iter()
        .enumerate()
    {
        let published = versions
            .publish(lake.id, files(rules), None, false, &author)
            .await
            .unwrap();
        assert!(published.created);
        assert_eq!(published.version.summary.number, i as u64 + 1);
    }
    let river_first = versions
        .publish(river.id, files("base_rate: 5"), None, false, &Actor::System)
        .await
        .unwrap();
    assert_eq!(river_first.version.summary.number, 1);

    let history = versions.history(lake.id, 100).await.unwrap();
    let numbers: Vec<u64> = history.iter().map(|v| v.number).collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert!(history.iter().all(|v| {
        v.author == author
        && v.tenant_id == lake.id
        && v.published_at == support::start_instant()
        && v.restored_from.is_none()
        // Planned against the live policy: no reservation to replay.
        && v.plan.as_ref().is_some_and(|p| p["reservations_replayed"] == 0)
    }));
    assert_eq!(history[0].hash, hash(files("base_rate: 120")));
    assert_eq!(history[2].hash, hash(files("base_rate: 100")));
    assert_eq!(versions.history(lake.id, 2).await.unwrap().len(), 2);

    let live = versions.live(lake.id).await.unwrap().unwrap();
    assert_eq!(live.summary, history[0]);
    assert_eq!(live.files.to_list(), files("base_rate: 120"));
    let first = versions.version(lake.id, 1).await.unwrap().unwrap();
    assert_eq!(first.files.to_list(), files("base_rate: 100"));

    // Each tenant reads only its own versions.
    let river_history = versions.history(river.id, 100).await.unwrap();
    assert_eq!(river_history.len(), 1);
    assert_eq!(river_history[0].hash, hash(files("base_rate: 5")));
    assert_eq!(versions.version(river.id, 2).await.unwrap(), None);
    assert_eq!(
        versions.live(river.id).await.unwrap().unwrap().summary,
        river_first.version.summary
    );

    // Each publication is audited (on the tenant's policy) and announced.
    let audited = store
        .audit_entries(lake.id, lake.id.as_uuid())
        .await
        .unwrap();
    let publications: Vec<_> = audited.iter().filter(|a| a.action == "publish").collect();
    assert_eq!(publications.len(), 3);
    assert!(
        publications
            .iter()
            .all(|a| a.actor == author && a.entity_type == "policy")
    );
    assert_eq!(publications[1].metadata["before"]["number"], 1);
    assert_eq!(publications[1].metadata["after"]["number"], 2);
    assert_eq!(
        publications[1].metadata["files"],
        serde_json::json!(["tenant.yaml", "tests/pricing.yaml"])
    );
    let events = published_events(&*store, &lake).await;
    let numbers: Vec<_> = events.iter().map(|p| p["number"].as_u64()).collect();
    assert_eq!(numbers, [Some(1), Some(2), Some(3)]);
    assert_eq!(events[2]["hash"], history[0].hash);
    assert_eq!(published_events(&*store, &river).await.len(), 1);
}

async fn identical_files_publish_nothing(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let versions = engine(store.clone()).policy_versions();
    let first = versions
        .publish(
            lake.id,
            files("base_rate: 100"),
            None,
            false,
            &Actor::System,
        )
        .await
        .unwrap();
    let events = support::settled_events(&*store, lake.id).await.len();
    let audited = store
        .audit_entries(lake.id, lake.id.as_uuid())
        .await
        .unwrap()
        .len();

    // The same files in another order: the live version, nothing written.
    let mut again = files("base_rate: 100");
    again.reverse();
    let same = versions
        .publish(lake.id, again, None, false, &user())
        .await
        .unwrap();
    assert!(!same.created);
    assert_eq!(same.version, first.version);
    assert_eq!(
        support::settled_events(&*store, lake.id).await.len(),
        events
    );
    assert_eq!(
        store
            .audit_entries(lake.id, lake.id.as_uuid())
            .await
            .unwrap()
            .len(),
        audited
    );
    assert_eq!(versions.history(lake.id, 100).await.unwrap().len(), 1);

    // Files of an older version are not the live one's: a new number.
    versions
        .publish(
            lake.id,
            files("base_rate: 110"),
            None,
            false,
            &Actor::System,
        )
        .await
        .unwrap();
    let back = versions
        .publish(
            lake.id,
            files("base_rate: 100"),
            None,
            false,
            &Actor::System,
        )
        .await
        .unwrap();
    assert!(back.created);
    assert_eq!(back.version.summary.number, 3);
    assert_eq!(back.version.summary.hash, first.version.summary.hash);
}

async fn a_rollback_publishes_an_older_version_again(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let river = support::tenant(&*store, "river-gear").await;
    let versions = engine(store.clone()).policy_versions();
    for rules in ["base_rate: 100", "base_rate: 110", "base_rate: 120"] {
        versions
            .publish(lake.id, files(rules), None, false, &Actor::System)
            .await
            .unwrap();
    }
    let admin = user();
    let rolled = versions
        .rollback(lake.id, 1, None, false, &admin)
        .await
        .unwrap();
    assert!(rolled.created);
    let summary = &rolled.version.summary;
    assert_eq!(summary.number, 4);
    assert_eq!(summary.restored_from, Some(1));
    assert_eq!(summary.author, admin);
    assert_eq!(summary.hash, hash(files("base_rate: 100")));
    assert_eq!(rolled.version.files.to_list(), files("base_rate: 100"));
    assert_eq!(
        versions.live(lake.id).await.unwrap().unwrap(),
        rolled.version
    );
    // History is kept: 1 to 3 are still there, unchanged.
    let history = versions.history(lake.id, 100).await.unwrap();
    let numbers: Vec<u64> = history.iter().map(|v| v.number).collect();
    assert_eq!(numbers, [4, 3, 2, 1]);
    assert_eq!(history[1].hash, hash(files("base_rate: 120")));

    let audited = store
        .audit_entries(lake.id, lake.id.as_uuid())
        .await
        .unwrap();
    let last = audited.last().unwrap();
    assert_eq!(last.action, "rollback");
    assert_eq!(last.actor, admin);
    assert_eq!(last.metadata["restored_from"], 1);
    assert_eq!(last.metadata["before"]["number"], 3);
    let events = published_events(&*store, &lake).await;
    assert_eq!(events.last().unwrap()["restored_from"], 1);
    assert_eq!(events.last().unwrap()["number"], 4);

    // Rolling back to what is live already writes nothing.
    let again = versions
        .rollback(lake.id, 1, None, false, &admin)
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.version.summary.number, 4);
    assert_eq!(versions.history(lake.id, 100).await.unwrap().len(), 4);

    // A version the tenant does not have: NOT_FOUND, nothing written.
    for missing in [0, 5, 99, u64::MAX] {
        let e = versions
            .rollback(lake.id, missing, None, false, &admin)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound, "{missing}: {e}");
    }
    // Another tenant's numbers are not this one's.
    let e = versions
        .rollback(river.id, 2, None, false, &admin)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(versions.live(river.id).await.unwrap(), None);
    assert_eq!(versions.history(lake.id, 100).await.unwrap().len(), 4);
}

async fn refused_files_are_never_stored(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let versions = engine(store.clone()).policy_versions();
    let events = support::settled_events(&*store, lake.id).await.len();

    let e = versions
        .publish(lake.id, files("model: broken"), None, false, &user())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let berth_core::EngineError::CandidateRejected(lines) = e else {
        panic!("{e:?}");
    };
    assert_eq!(
        lines,
        ["tenant.yaml:1:7: `broken` is not a booking model (at model)"]
    );

    let outside = vec![
        files("").remove(0),
        PolicyFile {
            path: "../other/tenant.yaml".into(),
            text: String::new(),
        },
    ];
    let e = versions
        .publish(lake.id, outside, None, false, &user())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let no_tenant_file = files("").split_off(1);
    let e = versions
        .publish(lake.id, no_tenant_file, None, false, &user())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);

    let unknown = berth_core::ids::TenantId::new();
    let e = versions
        .publish(unknown, files(""), None, false, &user())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);

    assert_eq!(versions.live(lake.id).await.unwrap(), None);
    assert_eq!(
        support::settled_events(&*store, lake.id).await.len(),
        events
    );
}

async fn concurrent_publishers_number_one_after_the_other(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let versions = engine(store.clone()).policy_versions();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let versions = versions.clone();
            tokio::spawn(async move {
                versions
                    .publish(
                        lake.id,
                        files(&format!("base_rate: {i}")),
                        None,
                        false,
                        &Actor::System,
                    )
                    .await
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap().unwrap().version.summary.number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}

/// The nightly test policy, whose tenant protects its reservations
/// (`refusing`: and which refuses every stay).
#[derive(Debug, Default)]
struct Guarded {
    inner: NightlyTestPolicy,
    refusing: bool,
}

impl Policy for Guarded {
    fn resolve_period(
        &self,
        ctx: &berth_core::policy::PolicyContext<'_>,
        period: &berth_core::policy::PeriodRequest,
    ) -> Result<berth_core::policy::ResolvedPeriod, PolicyError> {
        self.inner.resolve_period(ctx, period)
    }

    fn validate(
        &self,
        ctx: &berth_core::policy::PolicyContext<'_>,
        party: &berth_core::policy::Party,
        resolved: &berth_core::policy::ResolvedPeriod,
    ) -> Result<Vec<berth_core::policy::Violation>, PolicyError> {
        if self.refusing {
            return Ok(vec![berth_core::policy::Violation::new(
                "closed",
                "closed for the season",
            )]);
        }
        self.inner.validate(ctx, party, resolved)
    }

    fn price(
        &self,
        ctx: &berth_core::policy::PolicyContext<'_>,
        party: &berth_core::policy::Party,
        resolved: &berth_core::policy::ResolvedPeriod,
    ) -> Result<berth_core::money::Price, PolicyError> {
        self.inner.price(ctx, party, resolved)
    }

    fn protects_reservations(&self) -> bool {
        true
    }
}

/// Live: [`Guarded`]; candidates whose `tenant.yaml` says `closed` refuse
/// every stay.
#[derive(Debug)]
struct Guarding;

impl PolicyProvider for Guarding {
    fn policy(&self, _tenant: &Tenant) -> Result<Arc<dyn Policy>, PolicyError> {
        Ok(Arc::new(Guarded::default()))
    }

    fn candidate(
        &self,
        _tenant: &Tenant,
        files: &[PolicyFile],
    ) -> Result<Arc<dyn Policy>, CandidateError> {
        let refusing = files
            .iter()
            .any(|f| f.path == "tenant.yaml" && f.text.contains("closed"));
        Ok(Arc::new(Guarded {
            refusing,
            ..Guarded::default()
        }))
    }
}

async fn protected_reservations_refuse_a_version_unless_accepted(backend: Backend) {
    let world = support::world(backend).await;
    let unit = support::unit(&*world.store, &world.tenant, "Birch", 1, 4).await;
    world
        .book(unit.id, "2026-12-10", "2026-12-12")
        .await
        .unwrap();
    let versions =
        Engine::new(world.store.clone(), Arc::new(Guarding), world.clock.clone()).policy_versions();
    let tenant = world.tenant.id;

    // Rules that keep the stay: published, with their plan.
    let first = versions
        .publish(tenant, files("base_rate: 100"), None, false, &user())
        .await
        .unwrap();
    let plan = first.version.summary.plan.clone().unwrap();
    assert_eq!(plan["reservations_replayed"], 1, "{plan}");
    assert_eq!(plan["reservations_newly_refused"], 0, "{plan}");

    // Rules that would refuse it: refused, nothing written.
    let events = support::settled_events(&*world.store, tenant).await.len();
    let e = versions
        .publish(tenant, files("closed: true"), None, false, &user())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert!(
        e.to_string().contains("refuse 1 existing reservation"),
        "{e}"
    );
    assert_eq!(versions.history(tenant, 100).await.unwrap().len(), 1);
    assert_eq!(
        support::settled_events(&*world.store, tenant).await.len(),
        events
    );

    // Accepted explicitly: published, the plan kept with the version.
    let accepted = versions
        .publish(tenant, files("closed: true"), None, true, &user())
        .await
        .unwrap();
    assert!(accepted.created);
    let stored = versions.version(tenant, 2).await.unwrap().unwrap();
    let plan = stored.summary.plan.unwrap();
    assert_eq!(plan["reservations_newly_refused"], 1, "{plan}");
    // A rollback is planned and guarded the same way.
    let e = versions.rollback(tenant, 2, None, false, &user()).await;
    assert!(matches!(e, Ok(ref p) if !p.created), "{e:?}");
}

async fn a_save_is_planned_only_when_the_tenant_protects_its_reservations(backend: Backend) {
    let world = support::world(backend).await;
    let unit = support::unit(&*world.store, &world.tenant, "Birch", 1, 4).await;
    world
        .book(unit.id, "2026-12-10", "2026-12-12")
        .await
        .unwrap();
    let tenant = world.tenant.id;

    // A tenant that does not protect its reservations: a save is published
    // without a plan; an explicit publication keeps one.
    let open = engine(world.store.clone()).policy_versions();
    let first = open
        .publish_with_planning(
            tenant,
            files("base_rate: 100"),
            false,
            Planning::WhenProtected,
            &user(),
        )
        .await
        .unwrap();
    assert_eq!(first.version.summary.number, 1);
    let saved = open
        .publish_with_planning(
            tenant,
            files("base_rate: 110"),
            false,
            Planning::WhenProtected,
            &user(),
        )
        .await
        .unwrap();
    assert!(saved.created);
    assert_eq!(saved.version.summary.plan, None);
    let explicit = open
        .publish_with_planning(
            tenant,
            files("base_rate: 120"),
            false,
            Planning::Always,
            &user(),
        )
        .await
        .unwrap();
    let plan = explicit.version.summary.plan.unwrap();
    assert_eq!(plan["reservations_replayed"], 1, "{plan}");

    // A tenant that protects them: a save is planned, and refused when the
    // plan finds a reservation the new rules would refuse.
    let guarded =
        Engine::new(world.store.clone(), Arc::new(Guarding), world.clock.clone()).policy_versions();
    let kept = guarded
        .publish_with_planning(
            tenant,
            files("base_rate: 130"),
            false,
            Planning::WhenProtected,
            &user(),
        )
        .await
        .unwrap();
    let plan = kept.version.summary.plan.unwrap();
    assert_eq!(plan["reservations_replayed"], 1, "{plan}");
    let e = guarded
        .publish_with_planning(
            tenant,
            files("closed: true"),
            false,
            Planning::WhenProtected,
            &user(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    assert_eq!(guarded.history(tenant, 100).await.unwrap().len(), 4);
}

async fn a_stale_base_is_refused_naming_who_published(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let versions = engine(store.clone()).policy_versions();
    let anna = support::user(&*store, lake.id, berth_core::user::Role::Admin, "anna").await;
    let ben =
        Actor::User(support::user(&*store, lake.id, berth_core::user::Role::Owner, "ben").await);

    // The first version, over nothing live (base 0).
    let first = versions
        .publish(lake.id, files("base_rate: 100"), Some(0), false, &ben)
        .await
        .unwrap();
    assert_eq!(first.version.summary.number, 1);
    // Anna publishes while Ben edits version 1.
    versions
        .publish(
            lake.id,
            files("base_rate: 110"),
            Some(1),
            false,
            &Actor::User(anna),
        )
        .await
        .unwrap();
    let events = support::settled_events(&*store, lake.id).await.len();
    let e = versions
        .publish(lake.id, files("base_rate: 120"), Some(1), false, &ben)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e}");
    let message = e.to_string();
    assert!(
        message.starts_with("version 2 was published by anna@example.org at ")
            && message.contains("while you were editing version 1"),
        "{message}"
    );
    // Also when Ben's files are Anna's, and for a rollback.
    let e = versions
        .publish(lake.id, files("base_rate: 110"), Some(1), false, &ben)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    let e = versions
        .rollback(lake.id, 1, Some(1), false, &ben)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert_eq!(versions.history(lake.id, 100).await.unwrap().len(), 2);
    assert_eq!(
        support::settled_events(&*store, lake.id).await.len(),
        events
    );

    // From the live version, or without a base: published.
    let third = versions
        .publish(lake.id, files("base_rate: 120"), Some(2), false, &ben)
        .await
        .unwrap();
    assert_eq!(third.version.summary.number, 3);
    let back = versions
        .rollback(lake.id, 1, Some(3), false, &ben)
        .await
        .unwrap();
    assert_eq!(back.version.summary.number, 4);
    versions
        .publish(lake.id, files("base_rate: 130"), None, false, &ben)
        .await
        .unwrap();

    // The store checks it in the publication's transaction: a race lost
    // after the service's own check is refused there.
    let raced = berth_core::policy_versions::NewPolicyVersion {
        files: PolicyFiles::new(files("base_rate: 140")).unwrap(),
        restored_from: None,
        plan: None,
        base: Some(4),
    };
    let e = store
        .publish_policy_version(lake.id, &raced, &ben, support::start_instant())
        .await
        .unwrap_err();
    let berth_core::store::StoreError::StalePolicyBase(stale) = e else {
        panic!("{e:?}");
    };
    assert_eq!((stale.base, stale.live.number), (4, 5));
    assert_eq!(versions.history(lake.id, 100).await.unwrap().len(), 5);
}

async fn a_file_left_out_is_gone_from_the_version(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let versions = engine(store.clone()).policy_versions();
    let mut with_hook = files("base_rate: 100");
    with_hook.push(PolicyFile {
        path: "arrivals.rhai".into(),
        text: "fn validate(ctx) { [] }\n".into(),
    });
    with_hook.push(PolicyFile {
        path: "tests/extra.yml".into(),
        text: "cases: []\n".into(),
    });
    let first = versions
        .publish(lake.id, with_hook, None, false, &user())
        .await
        .unwrap();
    assert!(first.version.files.as_map().contains_key("arrivals.rhai"));
    // The editor deletes the hook and the test file: the next version is
    // the files sent, nothing of the old one kept.
    let second = versions
        .publish(lake.id, files("base_rate: 100"), Some(1), false, &user())
        .await
        .unwrap();
    assert!(second.created);
    let live = versions.live(lake.id).await.unwrap().unwrap();
    assert_eq!(live.files.to_list(), files("base_rate: 100"));
    let audited = store
        .audit_entries(lake.id, lake.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(
        audited.last().unwrap().metadata["files"],
        serde_json::json!(["tenant.yaml", "tests/pricing.yaml"])
    );

    // Files the loader would never read are refused, with the place named.
    for bad in [
        "hooks/arrivals.rhai",
        "seed.yaml",
        "tests/a/b.yaml",
        "tests/.yaml",
        ".rhai",
        "x.RHAI",
    ] {
        let mut sent = files("base_rate: 100");
        sent.push(PolicyFile {
            path: bad.into(),
            text: String::new(),
        });
        let e = versions
            .publish(lake.id, sent, None, false, &user())
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad}: {e}");
        assert!(e.to_string().contains(&format!("`{bad}`")), "{bad}: {e}");
    }
}

async fn authors_are_named_within_their_tenant(backend: Backend) {
    use berth_core::actor_names::{ActorName, names};
    let store = support::fresh_store(backend).await;
    let lake = support::tenant(&*store, "lake-cabins").await;
    let river = support::tenant(&*store, "river-gear").await;
    let anna =
        Actor::User(support::user(&*store, lake.id, berth_core::user::Role::Admin, "anna").await);
    let other =
        Actor::User(support::user(&*store, river.id, berth_core::user::Role::Admin, "rita").await);
    let key = store
        .create_api_key(
            lake.id,
            berth_core::api_key::NewApiKey {
                id: berth_core::ids::ApiKeyId::new(),
                name: "channel manager".into(),
                role: berth_core::user::Role::Admin,
                secret_hash: "unused".into(),
            },
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    let key = Actor::ApiKey(key.id.to_string());
    let asked = [anna.clone(), other.clone(), key.clone(), Actor::System];
    let found = names(&*store, lake.id, &asked).await.unwrap();
    assert_eq!(
        found[&anna],
        ActorName::User(Some("anna@example.org".into()))
    );
    // Another tenant's user is nobody here.
    assert_eq!(found[&other], ActorName::User(None));
    assert_eq!(
        found[&key],
        ActorName::ApiKey(Some("channel manager".into()))
    );
    assert_eq!(found[&Actor::System], ActorName::System);
    assert_eq!(
        names(&*store, river.id, std::slice::from_ref(&key))
            .await
            .unwrap()[&key],
        ActorName::ApiKey(None)
    );
}
