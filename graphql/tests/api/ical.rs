//! iCalendar through the schema: an admin turns a unit's feed on, reads its
//! path, rotates and disables it; imports an Airbnb-style calendar whose nights
//! the tenant's Rhai policy then quotes as unavailable; re-imports, lists
//! blocks, and meets INVALID_INPUT (with the line) for a bad file. On a timeslot
//! tenant an all-day block empties every slot of that local day and a timed
//! one only the slots it touches. Calendar syncs: added (refusals name the
//! field; one per unit and source), listed by admins only, hurried, removed.

use berth_core::user::Role;
use serde_json::{Value, json};

use crate::support::{api, code_of};

const IMPORT: &str = r#"mutation($unit: ID!, $ics: String!, $source: String) {
  importCalendar(unitId: $unit, ics: $ics, source: $source) {
    unitId source removed skipped
    blocks { id unitId source uid start end firstDay endDay importedAt }
    conflicts { reservationId blockUid start end }
  }
}"#;

const FEED: &str = "query($unit: ID!) { icalFeed(unitId: $unit) { unitId path token createdAt } }";

fn airbnb(events: &[(&str, &str, &str)]) -> String {
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nPRODID;X-RICAL-TZSOURCE=TZINFO:-//Airbnb Inc//Hosting Calendar 0.8.8//EN\r\nCALSCALE:GREGORIAN\r\nVERSION:2.0\r\n",
    );
    for (uid, first, end) in events {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nDTEND;VALUE=DATE:{end}\r\nDTSTART;VALUE=DATE:{first}\r\nUID:{uid}\r\nSUMMARY:Airbnb (Not available)\r\nEND:VEVENT\r\n"
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

async fn quote_available(api: &crate::support::Api, check_in: &str, check_out: &str) -> bool {
    let (data, errors) = api
        .run(
            "query($input: QuoteInput!) { quote(tenant: \"alpine-cabins\", input: $input) { available violations { code } } }",
            json!({ "input": { "unitId": api.cabin.id.to_string(), "guests": 2,
                "period": { "checkIn": check_in, "checkOut": check_out } } }),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(data["quote"]["violations"], json!([]), "{data}");
    data["quote"]["available"].as_bool().unwrap()
}

#[tokio::test]
async fn an_admin_manages_the_feed_and_imports_a_calendar() {
    let api = api().await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let unit = api.cabin.id.to_string();

    // The feed is off until turned on.
    let data = api.ok_as(&admin, FEED, json!({ "unit": unit })).await;
    assert_eq!(data["icalFeed"], Value::Null);
    let rotated = api
        .ok_as(
            &admin,
            "mutation($unit: ID!) { rotateIcalToken(unitId: $unit) { unitId path token createdAt } }",
            json!({ "unit": unit }),
        )
        .await["rotateIcalToken"]
        .clone();
    let token = rotated["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 43);
    assert_eq!(
        rotated["path"],
        format!("/ical/alpine-cabins/{unit}.ics?token={token}")
    );
    let data = api.ok_as(&admin, FEED, json!({ "unit": unit })).await;
    assert_eq!(data["icalFeed"], rotated);
    let again = api
        .ok_as(
            &admin,
            "mutation($unit: ID!) { rotateIcalToken(unitId: $unit) { token } }",
            json!({ "unit": unit }),
        )
        .await;
    assert_ne!(again["rotateIcalToken"]["token"].as_str().unwrap(), token);

    // Import: the nights become unavailable; the nights around them stay free.
    assert!(quote_available(&api, "2026-11-10", "2026-11-12").await);
    let ics = airbnb(&[("1418fb94e984-a@airbnb.com", "20261110", "20261112")]);
    let import = api
        .ok_as(
            &admin,
            IMPORT,
            json!({ "unit": unit, "ics": ics, "source": "airbnb" }),
        )
        .await["importCalendar"]
        .clone();
    assert_eq!(import["source"], "airbnb");
    assert_eq!(import["removed"], 0);
    assert_eq!(import["blocks"][0]["uid"], "1418fb94e984-a@airbnb.com");
    assert_eq!(import["blocks"][0]["firstDay"], "2026-11-10");
    assert_eq!(import["blocks"][0]["endDay"], "2026-11-12");
    assert_eq!(import["conflicts"], json!([]));
    assert!(!quote_available(&api, "2026-11-10", "2026-11-12").await);
    assert!(!quote_available(&api, "2026-11-11", "2026-11-13").await);
    assert!(quote_available(&api, "2026-11-12", "2026-11-14").await);

    // A reservation the next import overlaps is kept and reported.
    let booked = api
        .ok_as(
            &admin,
            r#"mutation($unit: ID!) { createReservation(input: { unitId: $unit, guests: 2,
                 period: { checkIn: "2026-11-16", checkOut: "2026-11-18" } }) { id } }"#,
            json!({ "unit": unit }),
        )
        .await["createReservation"]["id"]
        .clone();
    let ics = airbnb(&[("b@airbnb.com", "20261117", "20261119")]);
    let import = api
        .ok_as(
            &admin,
            IMPORT,
            json!({ "unit": unit, "ics": ics, "source": "airbnb" }),
        )
        .await["importCalendar"]
        .clone();
    assert_eq!(
        import["removed"], 1,
        "the source's earlier block is replaced"
    );
    assert_eq!(import["conflicts"][0]["reservationId"], booked);
    assert_eq!(import["conflicts"][0]["blockUid"], "b@airbnb.com");
    assert!(quote_available(&api, "2026-11-10", "2026-11-12").await);

    // The default source, and the list across sources.
    let ics = airbnb(&[("c@elsewhere", "20261120", "20261121")]);
    let import = api
        .ok_as(&admin, IMPORT, json!({ "unit": unit, "ics": ics }))
        .await;
    assert_eq!(import["importCalendar"]["source"], "import");
    let viewer = api.token("alpine-cabins", Role::Viewer);
    let blocks = api
        .ok_as(
            &viewer,
            "query($unit: ID!) { calendarBlocks(unitId: $unit) { source uid firstDay } }",
            json!({ "unit": unit }),
        )
        .await;
    assert_eq!(
        blocks["calendarBlocks"],
        json!([
            { "source": "airbnb", "uid": "b@airbnb.com", "firstDay": "2026-11-17" },
            { "source": "import", "uid": "c@elsewhere", "firstDay": "2026-11-20" },
        ])
    );

    // Bad files and sources are INVALID_INPUT, naming the line; nothing changes.
    let bad = ics.replace("DTSTART;VALUE=DATE:20261120", "DTSTART;VALUE=DATE:20261320");
    let answer = api
        .run_as(Some(&admin), IMPORT, json!({ "unit": unit, "ics": bad }))
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
    assert!(answer.1[0].0.contains("line 7"), "{answer:?}");
    let answer = api
        .run_as(
            Some(&admin),
            IMPORT,
            json!({ "unit": unit, "ics": airbnb(&[]), "source": "no spaces" }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
    let answer = api
        .run_as(
            Some(&admin),
            IMPORT,
            json!({ "unit": "nope", "ics": airbnb(&[]) }),
        )
        .await;
    assert_eq!(code_of(&answer), "INVALID_INPUT");
    assert_eq!(
        api.ok_as(
            &viewer,
            "query($unit: ID!) { calendarBlocks(unitId: $unit) { uid } }",
            json!({ "unit": unit }),
        )
        .await["calendarBlocks"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Disabling turns the feed off; a second time reports it was off.
    let disable = "mutation($unit: ID!) { disableIcalFeed(unitId: $unit) }";
    let data = api.ok_as(&admin, disable, json!({ "unit": unit })).await;
    assert_eq!(data["disableIcalFeed"], true);
    let data = api.ok_as(&admin, disable, json!({ "unit": unit })).await;
    assert_eq!(data["disableIcalFeed"], false);
    let data = api.ok_as(&admin, FEED, json!({ "unit": unit })).await;
    assert_eq!(data["icalFeed"], Value::Null);
}

#[tokio::test]
async fn blocks_empty_the_slots_of_a_timeslot_tenant() {
    let api = api().await;
    let admin = api.token("summit-tours", Role::Admin);
    let unit = api.tour.id.to_string();
    let slots = |date: &'static str| {
        let api = &api;
        let unit = unit.clone();
        async move {
            let (data, errors) = api
                .run(
                    "query($unit: ID!, $date: Date!) { slots(tenant: \"summit-tours\", unitId: $unit, date: $date) { start free } }",
                    json!({ "unit": unit, "date": date }),
                )
                .await;
            assert!(errors.is_empty(), "{errors:?}");
            data["slots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["free"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(slots("2026-11-18").await, [12, 12]);
    // A whole Denver day; and a timed event (UTC) over the 13:00 Denver slot
    // of the 19th only (20:00 UTC in November).
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
               BEGIN:VEVENT\r\nUID:day\r\nDTSTART;VALUE=DATE:20261118\r\nEND:VEVENT\r\n\
               BEGIN:VEVENT\r\nUID:afternoon\r\nDTSTART:20261119T203000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n\
               END:VCALENDAR\r\n";
    let import = api
        .ok_as(&admin, IMPORT, json!({ "unit": unit, "ics": ics }))
        .await;
    let blocks = &import["importCalendar"]["blocks"];
    assert_eq!(blocks[0]["start"], "2026-11-18T07:00:00+00:00");
    assert_eq!(blocks[0]["end"], "2026-11-19T07:00:00+00:00");
    assert_eq!(blocks[1]["firstDay"], Value::Null);
    assert_eq!(slots("2026-11-18").await, [0, 0]);
    assert_eq!(slots("2026-11-19").await, [12, 0]);
    assert_eq!(slots("2026-11-20").await, [12, 12]);
}

const ADD_SYNC: &str = r#"mutation($input: AddCalendarSyncInput!) {
  addCalendarSync(input: $input) {
    id unitId source url intervalMinutes createdAt nextFetchAt
    lastAttemptAt lastSuccessAt lastStatus lastError failures
  }
}"#;

#[tokio::test]
async fn an_admin_adds_lists_hurries_and_removes_calendar_syncs() {
    let api = api().await;
    let admin = api.token("alpine-cabins", Role::Admin);
    let unit = api.cabin.id.to_string();
    let input = |url: &str, source: &str, minutes: i64| json!({ "input": { "unitId": unit, "url": url, "source": source, "intervalMinutes": minutes } });
    let url = "https://www.airbnb.com/calendar/ical/4242.ics?s=5ecret";
    let data = api.ok_as(&admin, ADD_SYNC, input(url, "airbnb", 120)).await;
    let sync = &data["addCalendarSync"];
    assert_eq!(sync["url"], url);
    // A webcal:// address is the https:// one.
    let webcal = api
        .ok_as(
            &admin,
            ADD_SYNC,
            input("webcal://x.example.org/b.ics", "vrbo", 60),
        )
        .await;
    assert_eq!(
        webcal["addCalendarSync"]["url"],
        "https://x.example.org/b.ics"
    );
    api.ok_as(
        &admin,
        "mutation($id: ID!) { removeCalendarSync(id: $id) { id } }",
        json!({ "id": webcal["addCalendarSync"]["id"] }),
    )
    .await;
    assert_eq!(sync["source"], "airbnb");
    assert_eq!(sync["intervalMinutes"], 120);
    assert_eq!(sync["lastStatus"], Value::Null);
    assert_eq!(sync["failures"], 0);
    assert_eq!(sync["nextFetchAt"], sync["createdAt"], "due at once");
    let id = sync["id"].as_str().unwrap().to_owned();

    // Refusals name the field; a second sync of one source is a conflict.
    for (vars, code, says) in [
        (
            input("ftp://x.example.org/a.ics", "a", 60),
            "INVALID_INPUT",
            "input.url",
        ),
        (
            input("https://x.example.org/a.ics", "a b", 60),
            "INVALID_INPUT",
            "input.source",
        ),
        (
            input("https://x.example.org/a.ics", "a", 5),
            "INVALID_INPUT",
            "input.intervalMinutes",
        ),
        (
            input("https://x.example.org/a.ics", "airbnb", 60),
            "CONFLICT",
            "airbnb",
        ),
    ] {
        let answer = api.run_as(Some(&admin), ADD_SYNC, vars).await;
        assert_eq!(code_of(&answer), code, "{answer:?}");
        assert!(answer.1[0].0.contains(says), "{answer:?}");
    }
    let missing = json!({ "input": { "unitId": uuid::Uuid::new_v4().to_string(),
        "url": "https://x.example.org/a.ics", "source": "a" } });
    assert_eq!(
        code_of(&api.run_as(Some(&admin), ADD_SYNC, missing).await),
        "NOT_FOUND"
    );

    let list = "query($unit: ID) { calendarSyncs(unitId: $unit) { id source } }";
    let data = api.ok_as(&admin, list, json!({ "unit": unit })).await;
    assert_eq!(
        data["calendarSyncs"],
        json!([{ "id": id, "source": "airbnb" }])
    );
    let all = api.ok_as(&admin, list, json!({})).await;
    assert_eq!(all["calendarSyncs"].as_array().unwrap().len(), 1);
    // Staff may not read them: a sync's URL carries the other site's secret.
    let staff = api.token("alpine-cabins", Role::Staff);
    assert_eq!(
        code_of(&api.run_as(Some(&staff), list, json!({})).await),
        "FORBIDDEN"
    );

    let hurried = api
        .ok_as(
            &admin,
            "mutation($id: ID!) { requestCalendarSync(id: $id) { nextFetchAt createdAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        hurried["requestCalendarSync"]["nextFetchAt"],
        hurried["requestCalendarSync"]["createdAt"]
    );
    let remove = "mutation($id: ID!) { removeCalendarSync(id: $id, clearBlocks: true) { id } }";
    api.ok_as(&admin, remove, json!({ "id": id })).await;
    assert_eq!(
        code_of(&api.run_as(Some(&admin), remove, json!({ "id": id })).await),
        "NOT_FOUND"
    );
    let data = api.ok_as(&admin, list, json!({})).await;
    assert_eq!(data["calendarSyncs"], json!([]));
}
