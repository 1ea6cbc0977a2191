//! The demo data's analytics, against figures computed by hand from the four
//! `seed.yaml` files. The demo is seeded by the same code as `serve --demo`,
//! with a manual clock on Monday 2027-03-22 (the week of Europe's spring DST
//! change), and read back through `schema.execute` as a viewer. Revenue is
//! checked against the price snapshots the seed's bookings received.

use std::sync::Arc;

use async_graphql::{Request, Variables};
use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::clock::Clock;
use berth_core::store::Store;
use berth_core::user::{NewUser, Role};
use berth_graphql::auth::{Auth, BearerToken};
use serde_json::{Value, json};

const QUERY: &str = r#"query($from: Date!, $to: Date!, $day: Date!) {
  occupancy(from: $from, to: $to, byUnit: true) {
    measure occupied capacity
    days { date occupied capacity ratio units { unit { name } occupied capacity } }
  }
  stats(from: $from, to: $to) {
    measure occupied capacity nightsReserved hoursReserved revenue { amount currency }
    activeReservations canceledReservations absentReservations
    averageLengthOfStay averageLeadTimeDays
    previous { occupied capacity activeReservations revenue { amount } averageLengthOfStay previous { occupied } }
  }
  topUnits(from: $from, to: $to, limit: 3, by: NIGHTS) { rank unit { name } nights hours revenue { amount } reservations }
  day(date: $day) {
    occupancy { occupied capacity ratio }
    reservations { unit { name } client { name } guests state }
  }
  reservations(first: 50) { edges { node { state price { amount } start } } }
}"#;

struct Expected {
    slug: &'static str,
    from: &'static str,
    to: &'static str,
    measure: &'static str,
    /// Per date: (occupied, capacity) in nights or hours.
    days: &'static [(f64, f64)],
    /// (active, canceled, absent).
    counts: (u64, u64, u64),
    length: f64,
    lead: f64,
    /// (unit, nights or hours, reservations), best first.
    top: &'static [(&'static str, f64, u64)],
    day: &'static str,
    /// (unit, client) of the day's reservations, by start.
    day_reservations: &'static [(&'static str, &'static str)],
    day_load: (f64, f64),
}

const EXPECTED: &[Expected] = &[
    // Birch 24-27 (3 nights) and Summit Chalet 03-31 to 04-04 (4) as seeded;
    // Pine's 2 nights from 03-26 break the winter season's 3-night minimum
    // (to 03-31), Saturday's 7 and closed Sunday, so the seed's first accepted
    // day is 04-01. Birch 04-06 (held) and Pine 04-12 (canceled) arrive later.
    // 3 cabins.
    Expected {
        slug: "alpine-cabins",
        from: "2027-03-22",
        to: "2027-04-04",
        measure: "NIGHTS",
        days: &[
            (0.0, 3.0),
            (0.0, 3.0),
            (1.0, 3.0),
            (1.0, 3.0),
            (1.0, 3.0),
            (0.0, 3.0),
            (0.0, 3.0),
            (0.0, 3.0),
            (0.0, 3.0),
            (1.0, 3.0),
            (2.0, 3.0),
            (2.0, 3.0),
            (1.0, 3.0),
            (0.0, 3.0),
        ],
        counts: (3, 0, 0),
        length: 3.0,
        lead: 7.0,
        top: &[
            ("Summit Chalet", 4.0, 1),
            ("Birch Cabin", 3.0, 1),
            ("Pine Cabin", 2.0, 1),
        ],
        day: "2027-04-02",
        day_reservations: &[
            ("Summit Chalet", "Anna Zürcher"),
            ("Pine Cabin", "Luca Brunner"),
        ],
        day_load: (2.0, 3.0),
    },
    // Standard Queen 23-25 ×1 and 23-26 ×2, Deluxe King 28-29; the suite's
    // hold arrives 04-03. 20 rooms.
    Expected {
        slug: "harbor-hotel",
        from: "2027-03-22",
        to: "2027-03-28",
        measure: "NIGHTS",
        days: &[
            (0.0, 20.0),
            (3.0, 20.0),
            (3.0, 20.0),
            (2.0, 20.0),
            (0.0, 20.0),
            (0.0, 20.0),
            (1.0, 20.0),
        ],
        counts: (3, 0, 0),
        length: 2.0,
        lead: 2.6667,
        top: &[
            ("Standard Queen", 8.0, 2),
            ("Deluxe King", 1.0, 1),
            ("Harbor Suite", 0.0, 0),
        ],
        day: "2027-03-25",
        day_reservations: &[
            ("Standard Queen", "Grace Hopper"),
            ("Standard Queen", "Frances Allen"),
        ],
        day_load: (2.0, 20.0),
    },
    // Sunrise 03-24 06:00 ×2 and ×4, Jeep 03-27 13:00 ×3, 3 h each; the
    // canceled Jeep seat is on 03-30. 26 seats × 6 h (Sundays 3 h).
    Expected {
        slug: "summit-tours",
        from: "2027-03-22",
        to: "2027-03-31",
        measure: "SEAT_HOURS",
        days: &[
            (0.0, 156.0),
            (0.0, 156.0),
            (18.0, 156.0),
            (0.0, 156.0),
            (0.0, 156.0),
            (9.0, 156.0),
            (0.0, 78.0),
            (0.0, 156.0),
            (0.0, 156.0),
            (0.0, 156.0),
        ],
        counts: (3, 1, 0),
        length: 3.0,
        lead: 3.0,
        top: &[
            ("Sunrise Ridge Hike", 18.0, 2),
            ("Canyon Jeep Tour", 9.0, 1),
        ],
        day: "2027-03-24",
        day_reservations: &[
            ("Sunrise Ridge Hike", "Ansel Adams"),
            ("Sunrise Ridge Hike", "Isabella Bird"),
        ],
        day_load: (18.0, 156.0),
    },
    // Touring 03-23 10:00 3 h ×2, Tandem 03-25 09:30 8 h, board 03-26 14:00
    // 2 h (held). 18 boats; closed Monday, 10 h Tue-Fri, 12 h at weekends
    // (also on 03-28, the 23-hour DST day).
    Expected {
        slug: "river-gear",
        from: "2027-03-22",
        to: "2027-03-28",
        measure: "ITEM_HOURS",
        days: &[
            (0.0, 0.0),
            (6.0, 180.0),
            (0.0, 180.0),
            (8.0, 180.0),
            (2.0, 180.0),
            (0.0, 216.0),
            (0.0, 216.0),
        ],
        counts: (3, 0, 0),
        length: 4.3333,
        lead: 2.6667,
        top: &[
            ("Tandem Kayak", 8.0, 1),
            ("Touring Kayak", 6.0, 1),
            ("Stand-up Paddle Board", 2.0, 1),
        ],
        day: "2027-03-22",
        day_reservations: &[],
        day_load: (0.0, 0.0),
    },
];

fn round4(v: &Value) -> f64 {
    (v.as_f64().unwrap_or(f64::NAN) * 10_000.0).round() / 10_000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_figures_match_hand_computation() {
    // Monday 2027-03-22, before 05:00 in every demo time zone.
    let (registry, clock) = super::demo_registry();
    let store: Arc<dyn Store> =
        Arc::new(berth_core::testing::fresh_sqlite(&std::env::temp_dir()).await);
    let auth = Auth::new(
        b"a test secret of thirty-two bytes!",
        chrono::Duration::hours(1),
    )
    .unwrap();
    let hash = berth_graphql::auth::hash_password("viewer password").unwrap();
    let schema = berth_graphql::schema(
        Engine::new(store.clone(), registry.clone(), clock.clone()),
        auth.clone(),
    );
    for expected in EXPECTED {
        let policy = registry.get(expected.slug).unwrap();
        let (tenant, created) = super::sync(&*store, &policy, registry.clock().now())
            .await
            .unwrap();
        assert!(created);
        let dir = registry.root().join(expected.slug);
        super::seed(&store, &registry, &tenant, &dir, clock.clone())
            .await
            .unwrap();
        let viewer = store
            .create_user(
                tenant.id,
                NewUser {
                    email: format!("viewer@{}.example.org", tenant.slug)
                        .parse()
                        .unwrap(),
                    role: Role::Viewer,
                    password_hash: hash.clone(),
                },
                &Actor::System,
                clock.now(),
            )
            .await
            .unwrap();
        let token = auth.issue(&viewer, clock.now()).unwrap();
        let vars = json!({ "from": expected.from, "to": expected.to, "day": expected.day });
        let response = schema
            .execute(
                Request::new(QUERY)
                    .variables(Variables::from_json(vars))
                    .data(BearerToken(token)),
            )
            .await;
        assert!(
            response.errors.is_empty(),
            "{}: {:?}",
            expected.slug,
            response.errors
        );
        let data = response.data.into_json().unwrap();
        check(expected, &data);
    }
}

fn check(e: &Expected, data: &Value) {
    let slug = e.slug;
    let occupancy = &data["occupancy"];
    assert_eq!(occupancy["measure"], e.measure, "{slug}");
    let days: Vec<(f64, f64)> = occupancy["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (round4(&d["occupied"]), round4(&d["capacity"])))
        .collect();
    assert_eq!(days, e.days, "{slug}: occupancy per date");
    let occupied: f64 = e.days.iter().map(|d| d.0).sum();
    let capacity: f64 = e.days.iter().map(|d| d.1).sum();
    assert_eq!(round4(&occupancy["occupied"]), occupied, "{slug}");
    assert_eq!(round4(&occupancy["capacity"]), capacity, "{slug}");
    // Per unit, the dates add up to the totals.
    for day in occupancy["days"].as_array().unwrap() {
        let units = day["units"].as_array().unwrap();
        assert!(!units.is_empty(), "{slug}: byUnit");
        let sum: f64 = units.iter().map(|u| u["occupied"].as_f64().unwrap()).sum();
        assert_eq!(
            (sum * 1e4).round() / 1e4,
            round4(&day["occupied"]),
            "{slug}"
        );
    }

    let stats = &data["stats"];
    assert_eq!(round4(&stats["occupied"]), occupied, "{slug}");
    assert_eq!(round4(&stats["capacity"]), capacity, "{slug}");
    let reserved = if e.measure == "NIGHTS" {
        assert_eq!(stats["hoursReserved"], Value::Null);
        round4(&stats["nightsReserved"])
    } else {
        assert_eq!(stats["nightsReserved"], Value::Null);
        round4(&stats["hoursReserved"])
    };
    assert_eq!(
        reserved, occupied,
        "{slug}: every booking lies in open hours"
    );
    let counts = (
        stats["activeReservations"].as_u64().unwrap(),
        stats["canceledReservations"].as_u64().unwrap(),
        stats["absentReservations"].as_u64().unwrap(),
    );
    assert_eq!(counts, e.counts, "{slug}: active, canceled, absent");
    assert_eq!(round4(&stats["averageLengthOfStay"]), e.length, "{slug}");
    assert_eq!(round4(&stats["averageLeadTimeDays"]), e.lead, "{slug}");
    // Revenue: the snapshots of the counted reservations starting in the range
    // (each lies wholly inside it).
    let (from, to) = (e.from.to_owned(), format!("{}T99", e.to));
    let revenue: i64 = data["reservations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| &edge["node"])
        .filter(|r| r["state"] != "CANCELED" && r["state"] != "ABSENT")
        .filter(|r| {
            let start = r["start"].as_str().unwrap();
            start >= from.as_str() && start < to.as_str()
        })
        .map(|r| r["price"]["amount"].as_i64().unwrap())
        .sum();
    assert!(revenue > 0, "{slug}");
    assert_eq!(stats["revenue"]["amount"], revenue, "{slug}: revenue");
    let previous = &stats["previous"];
    assert_eq!(previous["occupied"], 0.0, "{slug}");
    // The span before: the demo's units were created on its first day
    // (2027-03-22 08:00 UTC), so they offered nothing before it.
    assert_eq!(previous["capacity"], 0.0, "{slug}");
    assert_eq!(previous["activeReservations"], 0, "{slug}");
    assert_eq!(previous["revenue"]["amount"], 0, "{slug}");
    assert_eq!(previous["averageLengthOfStay"], Value::Null, "{slug}");
    assert_eq!(previous["previous"], Value::Null, "{slug}");

    let top: Vec<(String, f64, u64)> = data["topUnits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let amount = if e.measure == "NIGHTS" {
                &t["nights"]
            } else {
                &t["hours"]
            };
            (
                t["unit"]["name"].as_str().unwrap().to_owned(),
                round4(amount),
                t["reservations"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected_top: Vec<(String, f64, u64)> = e
        .top
        .iter()
        .map(|(n, v, r)| ((*n).to_owned(), *v, *r))
        .collect();
    assert_eq!(top, expected_top, "{slug}: top units");

    let day = &data["day"];
    let listed: Vec<(String, String)> = day["reservations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit"]["name"].as_str().unwrap().to_owned(),
                r["client"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected_listed: Vec<(String, String)> = e
        .day_reservations
        .iter()
        .map(|(u, c)| ((*u).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(listed, expected_listed, "{slug}: day");
    let load = (
        round4(&day["occupancy"]["occupied"]),
        round4(&day["occupancy"]["capacity"]),
    );
    assert_eq!(load, e.day_load, "{slug}: day occupancy");
    if e.day_load.1 == 0.0 {
        assert_eq!(day["occupancy"]["ratio"], Value::Null, "{slug}: closed");
    }
}
