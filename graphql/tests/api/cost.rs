//! What a request costs (`cost.rs`, decision 0174), through `schema.execute`:
//! a page is priced by the size asked; `availability` is charged by the
//! tenant's size before it runs; a caller's budget pays the validated points
//! before anything runs, and the points charged while running as they are
//! spent.

use std::sync::{Arc, Mutex};

use async_graphql::{Request, Variables};
use berth_core::user::Role;
use berth_graphql::cost::{Budget, Payer, REQUEST_POINTS, RetryAfter};
use serde_json::{Value, json};

use crate::support::{Api, api};

/// A budget that records what it was charged, refusing every charge when
/// told to.
#[derive(Default)]
struct Ledger {
    refuse: Option<u64>,
    charged: Mutex<Vec<usize>>,
    debited: Mutex<Vec<usize>>,
}

impl Payer for Ledger {
    fn charge(&self, points: usize) -> Result<(), RetryAfter> {
        if let Some(secs) = self.refuse {
            return Err(RetryAfter(secs));
        }
        self.charged.lock().unwrap().push(points);
        Ok(())
    }

    fn debit(&self, points: usize) {
        self.debited.lock().unwrap().push(points);
    }
}

/// `query` run anonymously, paid by `ledger`: the data and the errors'
/// (message, extensions).
async fn paid(api: &Api, ledger: &Arc<Ledger>, query: &str) -> (Value, Vec<(String, Value)>) {
    let request = Request::new(query)
        .variables(Variables::from_json(json!({})))
        .data(Budget(ledger.clone()));
    crate::support::answer(api.schema.execute(request).await)
}

/// `n` aliased `availability` fields over alpine-cabins, each selecting only
/// `unitId` (101 points before running).
fn searches(n: usize) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"a{i}: availability(tenant: "alpine-cabins", input: {{ guests: 2,
                   period: {{ checkIn: "2026-11-10", checkOut: "2026-11-12" }} }}) {{ unitId }}"#
            )
        })
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

#[tokio::test]
async fn a_page_costs_its_selection_times_the_size_asked() {
    let api = api().await;
    let owner = api.token("alpine-cabins", Role::Owner);
    // `nodes` and ten scalars: 11 points an item.
    let page = |first: u32, alias: &str| {
        format!(
            "{alias}reservations(first: {first}) {{ nodes {{ id state start end guests quantity \
             createdAt version checkIn checkOut }} }}"
        )
    };
    let (_, errors) = api
        .run_as(Some(&owner), &format!("{{ {} }}", page(181, "")), json!({}))
        .await;
    assert!(errors.is_empty(), "1,991 points pass: {errors:?}");
    for (query, why) in [
        (format!("{{ {} }}", page(182, "")), "2,002 points"),
        (
            format!("{{ {} {} }}", page(100, "a: "), page(100, "b: ")),
            "two aliased pages of 100: 2,200 points",
        ),
    ] {
        let (data, errors) = api.run_as(Some(&owner), &query, json!({})).await;
        assert_eq!(data, Value::Null, "{why}: nothing ran");
        assert_eq!(errors.len(), 1, "{why}: {errors:?}");
        assert_eq!(errors[0].1["code"], "INVALID_INPUT", "{why}");
        assert!(errors[0].0.contains("too complex"), "{why}: {errors:?}");
    }
    // A variable's value is what is priced: 16 points an event.
    let events =
        "query($n: Int!) { events(first: $n) { nodes { id kind entityId at cursor payload }
        edges { cursor node { id kind entityId at cursor payload } } } }";
    let (_, errors) = api.run_as(Some(&owner), events, json!({ "n": 125 })).await;
    assert!(errors.is_empty(), "2,000 points pass: {errors:?}");
    let (_, errors) = api.run_as(Some(&owner), events, json!({ "n": 126 })).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.contains("too complex"), "{errors:?}");
}

#[tokio::test]
async fn availability_is_charged_by_the_tenants_size_before_it_runs() {
    let api = api().await;
    // 300 units: one search costs 101 points before running and 200 more
    // (one per unit past the first 100) when it starts.
    for i in 0..299 {
        api.new_cabin(format!("Cabin {i}")).await;
    }
    let ledger = Arc::new(Ledger::default());
    let (data, errors) = paid(&api, &ledger, &searches(3)).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["a0"].as_array().unwrap().len(), 300);
    // The transport paid the first 100; the validated rest before running.
    assert_eq!(*ledger.charged.lock().unwrap(), vec![303 - REQUEST_POINTS]);
    assert_eq!(*ledger.debited.lock().unwrap(), vec![200, 200, 200]);

    // Ten searches: 1,010 points validated; four fit with their 200 each
    // (1,810), the other six are refused before their policy runs.
    let ledger = Arc::new(Ledger::default());
    let (_, errors) = paid(&api, &ledger, &searches(10)).await;
    assert_eq!(errors.len(), 6, "{errors:?}");
    for (message, ext) in &errors {
        assert_eq!(ext["code"], "INVALID_INPUT");
        assert!(
            message.contains("availability over 300 units costs 200 points more"),
            "{message}"
        );
    }
    assert_eq!(*ledger.debited.lock().unwrap(), vec![200; 4]);

    // A signed-in search is held to the same limit, and pays nothing.
    let owner = api.token("alpine-cabins", Role::Owner);
    let (_, errors) = api.run_as(Some(&owner), &searches(10), json!({})).await;
    assert_eq!(errors.len(), 6, "{errors:?}");
}

#[tokio::test]
async fn a_request_over_its_callers_budget_is_refused_before_running() {
    let api = api().await;
    let ledger = Arc::new(Ledger {
        refuse: Some(7),
        ..Ledger::default()
    });
    let (data, errors) = paid(&api, &ledger, &searches(2)).await;
    assert_eq!(data, Value::Null);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].0,
        "too many requests from this address; retry in 7 s"
    );
    assert_eq!(errors[0].1["code"], "RATE_LIMITED");
    assert_eq!(errors[0].1["retryAfter"], 7);
    assert!(ledger.debited.lock().unwrap().is_empty(), "no field ran");
    // A small request costs the transport's request and nothing more.
    let ledger = Arc::new(Ledger::default());
    let (_, errors) = paid(
        &api,
        &ledger,
        r#"{ tenant(slug: "alpine-cabins") { name } }"#,
    )
    .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(*ledger.charged.lock().unwrap(), vec![0]);
}
