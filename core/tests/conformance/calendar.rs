//! iCalendar behaviour on both stores: imported blocks refuse bookings, period
//! changes and quotes (same-day turnover with adjacent stays still works), an
//! import reports the reservations it overlaps and keeps them, re-importing a
//! source replaces only that source's blocks, a bad file changes nothing, other
//! tenants are untouched; a unit's feed is served only with its current token
//! and never shows guest data.

use berth_core::client::NewClient;
use berth_core::engine::{AvailabilityRequest, CreateReservation, QuoteRequest};
use berth_core::ical::block::BlockSource;
use berth_core::ical::read::read;
use berth_core::ical::span::Span;
use berth_core::ids::UnitId;
use berth_core::policy::Party;
use berth_core::reservation::{Channel, Reservation};
use berth_core::store::ClientRef;
use berth_core::tenant::Tenant;
use berth_core::{EngineError, ErrorCode};
use chrono::NaiveDate;

use crate::support::{self, Backend, World, date, nights, staff as admin, world};

on_both_stores!(
    blocks_refuse_bookings_changes_and_quotes,
    an_import_reports_and_keeps_overlapping_reservations,
    reimporting_replaces_only_that_sources_blocks,
    a_bad_file_changes_nothing,
    other_tenants_are_unaffected,
    the_feed_needs_the_current_token_and_shows_no_guest_data,
    a_feed_imported_into_another_unit_blocks_the_same_nights,
    recurring_events_import_as_one_block_per_occurrence,
);

/// One guest in `quantity` items.
fn party(quantity: i64) -> Party {
    support::party(1, quantity)
}

fn booking(unit: UnitId, check_in: &str, check_out: &str) -> CreateReservation {
    support::admin_booking(unit, nights(check_in, check_out), party(1))
}

impl World {
    /// Books `unit` for one guest, as an admin.
    async fn book_one(
        &self,
        unit: UnitId,
        check_in: &str,
        check_out: &str,
    ) -> Result<Reservation, EngineError> {
        self.engine
            .create_reservation(self.tenant.id, booking(unit, check_in, check_out), &admin())
            .await
    }

    async fn import(
        &self,
        unit: UnitId,
        source: &str,
        ics: &str,
    ) -> Result<berth_core::ical::block::CalendarImport, EngineError> {
        self.engine
            .import_calendar(self.tenant.id, unit, ics, source.parse().unwrap(), &admin())
            .await
    }
}

/// A calendar of all-day events, one per `(uid, first, end)`.
fn all_day(events: &[(&str, &str, &str)]) -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for (uid, first, end) in events {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\nSUMMARY:Not available\r\nEND:VEVENT\r\n",
            first.replace('-', ""),
            end.replace('-', "")
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

fn code(r: Result<impl std::fmt::Debug, EngineError>) -> ErrorCode {
    r.expect_err("refused").code()
}

async fn blocks_refuse_bookings_changes_and_quotes(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let rooms = support::unit(&*w.store, &w.tenant, "Rooms", 3, 2).await;
    let before = w.event_count().await;
    let import = w
        .import(
            cabin.id,
            "airbnb",
            &all_day(&[("a1@airbnb", "2026-12-10", "2026-12-15")]),
        )
        .await
        .expect("import");
    assert_eq!(import.blocks.len(), 1);
    assert_eq!(import.removed, 0);
    assert!(import.conflicts.is_empty());
    // The block occupies what a stay of those nights would: 15:00 to 10:00 Oslo.
    let block = &import.blocks[0];
    assert_eq!(
        block.range.start(),
        "2026-12-10T14:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(
        block.range.end(),
        "2026-12-15T09:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(
        (block.first_day, block.end_day),
        (Some(date("2026-12-10")), Some(date("2026-12-15")))
    );
    assert_eq!(block.uid, "a1@airbnb");
    assert_eq!(block.source.as_str(), "airbnb");

    // One audit entry and one event, on the unit.
    assert_eq!(w.event_count().await, before + 1);
    let audit = w
        .store
        .audit_entries(w.tenant.id, cabin.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().expect("audit entry");
    assert_eq!(last.action, "import_calendar");
    assert_eq!(last.metadata["blocks"], 1);
    assert_eq!(last.metadata["source"], "airbnb");
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    assert_eq!(events.last().unwrap().kind.as_str(), "calendar.imported");

    // Any night inside is refused; the stays touching it on either side fit
    // (same-day turnover: out at 10:00, in at 15:00).
    for (a, b) in [
        ("2026-12-09", "2026-12-11"),
        ("2026-12-12", "2026-12-13"),
        ("2026-12-14", "2026-12-16"),
    ] {
        assert_eq!(
            code(w.book_one(cabin.id, a, b).await),
            ErrorCode::Unavailable,
            "{a}..{b}"
        );
    }
    let before_stay = w
        .book(cabin.id, "2026-12-08", "2026-12-10")
        .await
        .expect("ends on arrival day");
    w.book_one(cabin.id, "2026-12-15", "2026-12-17")
        .await
        .expect("starts on departure day");

    // Moving a stay into the block is refused too.
    let moved = w
        .engine
        .change_period(
            w.tenant.id,
            support::change_period(before_stay.id, nights("2026-12-08", "2026-12-11")),
            &admin(),
        )
        .await;
    assert_eq!(code(moved), ErrorCode::Unavailable);

    // A block takes every item of a unit with several.
    w.import(
        rooms.id,
        "import",
        &all_day(&[("r@x", "2026-12-20", "2026-12-21")]),
    )
    .await
    .expect("import rooms");
    assert_eq!(
        code(w.book_one(rooms.id, "2026-12-20", "2026-12-21").await),
        ErrorCode::Unavailable
    );

    // Quotes and availability see blocks.
    let quote = w
        .engine
        .quote(
            w.tenant.id,
            QuoteRequest {
                unit_id: cabin.id,
                period: nights("2026-12-11", "2026-12-12"),
                party: party(1),
            },
        )
        .await
        .unwrap();
    assert!(!quote.available && quote.violations.is_empty(), "{quote:?}");
    let found = w
        .engine
        .availability(
            w.tenant.id,
            AvailabilityRequest {
                period: nights("2026-12-20", "2026-12-21"),
                party: party(1),
            },
        )
        .await
        .unwrap();
    let free: Vec<(UnitId, bool)> = found.iter().map(|q| (q.unit_id, q.available)).collect();
    assert_eq!(free, vec![(cabin.id, true), (rooms.id, false)]);

    let listed = w
        .engine
        .calendar_blocks(w.tenant.id, cabin.id)
        .await
        .unwrap();
    assert_eq!(listed, import.blocks);
}

async fn an_import_reports_and_keeps_overlapping_reservations(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let stay = w
        .book_one(cabin.id, "2026-12-12", "2026-12-14")
        .await
        .unwrap();
    let neighbour = w
        .book_one(cabin.id, "2026-12-14", "2026-12-16")
        .await
        .unwrap();
    let import = w
        .import(
            cabin.id,
            "booking.com",
            &all_day(&[
                ("b1", "2026-12-10", "2026-12-13"),
                ("b2", "2026-12-16", "2026-12-18"),
            ]),
        )
        .await
        .expect("an overlap does not refuse the import");
    assert_eq!(import.blocks.len(), 2);
    let conflicts: Vec<_> = import
        .conflicts
        .iter()
        .map(|c| (c.reservation_id, c.block_uid.as_str()))
        .collect();
    // The stay overlaps b1; the neighbour leaves on b2's arrival day: no conflict.
    assert_eq!(conflicts, vec![(stay.id, "b1")]);
    assert_eq!(import.conflicts[0].overlap.start(), stay.period.start());
    let kept = w.engine.reservation(w.tenant.id, stay.id).await.unwrap();
    assert_eq!(kept.state, stay.state);
    let audit = w
        .store
        .audit_entries(w.tenant.id, cabin.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(
        audit.last().unwrap().metadata["conflicts"],
        serde_json::json!([stay.id])
    );
    assert_eq!(
        w.engine
            .reservation(w.tenant.id, neighbour.id)
            .await
            .unwrap()
            .version,
        1
    );
}

async fn reimporting_replaces_only_that_sources_blocks(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let other = support::unit(&*w.store, &w.tenant, "Pine", 1, 4).await;
    w.import(
        cabin.id,
        "airbnb",
        &all_day(&[
            ("a1", "2026-12-10", "2026-12-12"),
            ("a2", "2026-12-20", "2026-12-22"),
        ]),
    )
    .await
    .unwrap();
    w.import(
        cabin.id,
        "vrbo",
        &all_day(&[("v1", "2026-12-24", "2026-12-26")]),
    )
    .await
    .unwrap();
    w.import(
        other.id,
        "airbnb",
        &all_day(&[("o1", "2026-12-10", "2026-12-12")]),
    )
    .await
    .unwrap();
    let again = w
        .import(
            cabin.id,
            "airbnb",
            &all_day(&[("a3", "2026-12-15", "2026-12-16")]),
        )
        .await
        .unwrap();
    assert_eq!(again.removed, 2);
    let uids = |blocks: Vec<berth_core::ical::block::CalendarBlock>| -> Vec<(String, String)> {
        blocks
            .into_iter()
            .map(|b| (b.source.to_string(), b.uid))
            .collect()
    };
    let listed = w
        .engine
        .calendar_blocks(w.tenant.id, cabin.id)
        .await
        .unwrap();
    assert_eq!(
        uids(listed),
        vec![("airbnb".into(), "a3".into()), ("vrbo".into(), "v1".into())]
    );
    // The freed nights can be booked; the other unit keeps its block.
    w.book_one(cabin.id, "2026-12-10", "2026-12-12")
        .await
        .expect("freed");
    assert_eq!(
        code(w.book_one(other.id, "2026-12-10", "2026-12-12").await),
        ErrorCode::Unavailable
    );
    // An empty calendar clears the source.
    let cleared = w.import(cabin.id, "airbnb", &all_day(&[])).await.unwrap();
    assert_eq!((cleared.removed, cleared.blocks.len()), (1, 0));
    let listed = w
        .engine
        .calendar_blocks(w.tenant.id, cabin.id)
        .await
        .unwrap();
    assert_eq!(uids(listed), vec![("vrbo".into(), "v1".into())]);
    // The default source is `import`.
    assert_eq!(BlockSource::default_import().as_str(), "import");
}

async fn a_bad_file_changes_nothing(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    w.import(
        cabin.id,
        "airbnb",
        &all_day(&[("a1", "2026-12-10", "2026-12-12")]),
    )
    .await
    .unwrap();
    let before = w.event_count().await;
    let bad = all_day(&[("a2", "2026-12-20", "2026-12-22")]).replace(
        "DTSTART;VALUE=DATE:20261220",
        "DTSTART;VALUE=DATE:2026-12-20",
    );
    let err = w.import(cabin.id, "airbnb", &bad).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("line 6: DTSTART"), "{err}");
    let recurring = all_day(&[("a2", "2026-12-20", "2026-12-22")]).replace(
        "SUMMARY",
        "RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,FR\r\nSUMMARY",
    );
    let err = w.import(cabin.id, "airbnb", &recurring).await.unwrap_err();
    assert!(
        err.to_string().contains("RRULE: BYSETPOS is not supported"),
        "{err}"
    );
    assert_eq!(w.event_count().await, before);
    assert_eq!(
        w.engine
            .calendar_blocks(w.tenant.id, cabin.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // Past events and canceled ones are skipped, not stored.
    let mut ics = all_day(&[
        ("old", "2026-01-10", "2026-01-12"),
        ("new", "2026-12-24", "2026-12-26"),
    ]);
    ics = ics.replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:gone\r\nDTSTART;VALUE=DATE:20261227\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    let import = w.import(cabin.id, "airbnb", &ics).await.unwrap();
    assert_eq!((import.blocks.len(), import.skipped), (1, 2));
    // Unknown units are NOT_FOUND.
    assert_eq!(
        code(w.import(UnitId::new(), "airbnb", &all_day(&[])).await),
        ErrorCode::NotFound
    );
}

async fn other_tenants_are_unaffected(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let harbor = support::tenant(&*w.store, "harbor-hotel").await;
    let room = support::unit(&*w.store, &harbor, "Room", 1, 2).await;
    w.import(
        cabin.id,
        "airbnb",
        &all_day(&[("a1", "2026-12-10", "2026-12-12")]),
    )
    .await
    .unwrap();
    w.engine
        .rotate_ical_token(w.tenant.id, cabin.id, &admin())
        .await
        .unwrap();
    let harbor_events = support::settled_events(&*w.store, harbor.id).await.len();
    // The other tenant books the same nights, sees no blocks, and cannot reach
    // this tenant's unit.
    w.engine
        .create_reservation(
            harbor.id,
            booking(room.id, "2026-12-10", "2026-12-12"),
            &admin(),
        )
        .await
        .expect("other tenant books");
    assert!(
        w.engine
            .calendar_blocks(harbor.id, room.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(w.engine.calendar_blocks(harbor.id, cabin.id).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(w.engine.ical_feed(harbor.id, cabin.id).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            w.engine
                .import_calendar(
                    harbor.id,
                    cabin.id,
                    &all_day(&[]),
                    BlockSource::default_import(),
                    &admin()
                )
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            w.engine
                .rotate_ical_token(harbor.id, cabin.id, &admin())
                .await
        ),
        ErrorCode::NotFound
    );
    assert!(
        w.store
            .calendar_blocks(harbor.id, cabin.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        w.store
            .ical_feed(harbor.id, cabin.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        support::settled_events(&*w.store, harbor.id).await.len(),
        harbor_events + 1
    );
    // This tenant's feed token does not open the unit under the other slug.
    let feed = w
        .engine
        .ical_feed(w.tenant.id, cabin.id)
        .await
        .unwrap()
        .unwrap();
    let err = w
        .engine
        .published_feed(
            "harbor-hotel",
            &cabin.id.to_string(),
            Some(feed.token.as_str()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

async fn the_feed_needs_the_current_token_and_shows_no_guest_data(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch Cabin", 1, 4).await;
    let rooms = support::unit(&*w.store, &w.tenant, "Twin Rooms", 2, 2).await;
    let slug = w.tenant.slug.as_str().to_owned();
    let id = cabin.id.to_string();
    // Off until an admin turns it on.
    assert!(
        w.engine
            .ical_feed(w.tenant.id, cabin.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        code(w.engine.published_feed(&slug, &id, Some("x")).await),
        ErrorCode::NotFound
    );

    let guest = CreateReservation {
        client: ClientRef::New(NewClient {
            name: "Ingrid Secretsen".into(),
            email: Some("ingrid@example.org".into()),
            phone: Some("+47 99 88 77 66".into()),
            notes: Some("allergic to cats".into()),
            blocked: false,
        }),
        notes: Some("late arrival, door code 4711".into()),
        channel: Channel::Public,
        ..booking(cabin.id, "2026-12-10", "2026-12-13")
    };
    let stay = w
        .engine
        .create_reservation(w.tenant.id, guest, &admin())
        .await
        .unwrap();
    let canceled = w
        .book_one(cabin.id, "2026-12-20", "2026-12-22")
        .await
        .unwrap();
    w.engine
        .cancel(w.tenant.id, canceled.id, None, None, &admin())
        .await
        .unwrap();
    // Rooms: one of two booked on the 10th, both on the 11th.
    w.book_one(rooms.id, "2026-12-10", "2026-12-12")
        .await
        .unwrap();
    w.book_one(rooms.id, "2026-12-11", "2026-12-12")
        .await
        .unwrap();

    let before = w.event_count().await;
    let feed = w
        .engine
        .rotate_ical_token(w.tenant.id, cabin.id, &admin())
        .await
        .unwrap();
    assert_eq!(w.event_count().await, before + 1);
    let audit = w
        .store
        .audit_entries(w.tenant.id, cabin.id.as_uuid())
        .await
        .unwrap();
    let entry = audit.last().unwrap();
    assert_eq!(entry.action, "rotate_ical_token");
    let events = support::settled_events(&*w.store, w.tenant.id).await;
    let event = events.last().unwrap();
    assert_eq!(event.kind.as_str(), "ical_feed.rotated");
    for text in [entry.metadata.to_string(), event.payload.to_string()] {
        assert!(
            !text.contains(feed.token.as_str()),
            "the token leaked: {text}"
        );
    }
    assert_eq!(
        berth_core::ical::commands::feed_path(&w.tenant.slug, cabin.id, &feed.token),
        format!("/ical/alpine-cabins/{id}.ics?token={}", feed.token.as_str())
    );

    let ics = w
        .engine
        .published_feed(&slug, &id, Some(feed.token.as_str()))
        .await
        .unwrap();
    for secret in [
        "Ingrid",
        "ingrid@example.org",
        "99 88",
        "cats",
        "4711",
        "Secretsen",
    ] {
        assert!(!ics.contains(secret), "{secret} in {ics}");
    }
    assert!(ics.contains("X-WR-CALNAME:Birch Cabin\r\n"), "{ics}");
    let read = read(&ics, w.tenant.timezone, any_time()).unwrap();
    let events: Vec<(String, Span)> = read.events.into_iter().map(|e| (e.uid, e.span)).collect();
    assert_eq!(
        events,
        vec![(
            format!("{}@berth", stay.id),
            Span::Days {
                first: date("2026-12-10"),
                end: date("2026-12-13")
            }
        )],
        "the canceled stay is not busy"
    );
    let rooms_feed = w
        .engine
        .rotate_ical_token(w.tenant.id, rooms.id, &admin())
        .await
        .unwrap();
    let ics = w
        .engine
        .published_feed(
            &slug,
            &rooms.id.to_string(),
            Some(rooms_feed.token.as_str()),
        )
        .await
        .unwrap();
    let spans: Vec<Span> = read_spans(&ics, &w.tenant);
    assert_eq!(
        spans,
        vec![Span::Days {
            first: date("2026-12-11"),
            end: date("2026-12-12")
        }]
    );

    // Wrong, missing, old tokens and a disabled feed are all the same NOT_FOUND.
    let no_feed_message = w
        .engine
        .published_feed("nobody-here", &id, None)
        .await
        .unwrap_err()
        .to_string();
    let rotated = w
        .engine
        .rotate_ical_token(w.tenant.id, cabin.id, &admin())
        .await
        .unwrap();
    assert_ne!(rotated.token, feed.token);
    for token in [
        Some(feed.token.as_str()),
        None,
        Some(""),
        Some("not-a-token"),
    ] {
        let err = w
            .engine
            .published_feed(&slug, &id, token)
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
        assert_eq!(
            err.to_string(),
            no_feed_message,
            "every refusal reads the same"
        );
    }
    assert_eq!(
        code(
            w.engine
                .published_feed(&slug, "not-a-uuid", Some(rotated.token.as_str()))
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            w.engine
                .published_feed("nobody-here", &id, Some(rotated.token.as_str()))
                .await
        ),
        ErrorCode::NotFound
    );
    w.engine
        .published_feed(&slug, &id, Some(rotated.token.as_str()))
        .await
        .expect("the new token works");
    assert!(
        w.engine
            .disable_ical_feed(w.tenant.id, cabin.id, &admin())
            .await
            .unwrap()
    );
    assert!(
        !w.engine
            .disable_ical_feed(w.tenant.id, cabin.id, &admin())
            .await
            .unwrap(),
        "already off"
    );
    assert_eq!(
        code(
            w.engine
                .published_feed(&slug, &id, Some(rotated.token.as_str()))
                .await
        ),
        ErrorCode::NotFound
    );
    let audit = w
        .store
        .audit_entries(w.tenant.id, cabin.id.as_uuid())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "rotate_ical_token",
            "rotate_ical_token",
            "disable_ical_feed"
        ]
    );
}

/// A window wide enough for any recurring event of these tests (the feeds
/// read back have none).
fn any_time() -> berth_core::time_range::TimeRange {
    berth_core::time_range::TimeRange::new(
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2100-01-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap()
}

fn read_spans(ics: &str, tenant: &Tenant) -> Vec<Span> {
    read(ics, tenant.timezone, any_time())
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.span)
        .collect()
}

async fn a_feed_imported_into_another_unit_blocks_the_same_nights(backend: Backend) {
    let w = world(backend).await;
    let birch = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let pine = support::unit(&*w.store, &w.tenant, "Pine", 1, 4).await;
    w.book_one(birch.id, "2026-12-10", "2026-12-13")
        .await
        .unwrap();
    w.book_one(birch.id, "2026-12-13", "2026-12-15")
        .await
        .unwrap();
    let feed = w
        .engine
        .rotate_ical_token(w.tenant.id, birch.id, &admin())
        .await
        .unwrap();
    let ics = w
        .engine
        .published_feed(
            w.tenant.slug.as_str(),
            &birch.id.to_string(),
            Some(feed.token.as_str()),
        )
        .await
        .unwrap();
    let import = w.import(pine.id, "birch", &ics).await.unwrap();
    assert_eq!(import.blocks.len(), 2);
    // Exactly Birch's nights: 10-15 refused, the days around them free.
    for (a, b) in [
        ("2026-12-10", "2026-12-11"),
        ("2026-12-12", "2026-12-14"),
        ("2026-12-14", "2026-12-15"),
    ] {
        assert_eq!(
            code(w.book_one(pine.id, a, b).await),
            ErrorCode::Unavailable,
            "{a}..{b}"
        );
    }
    w.book_one(pine.id, "2026-12-08", "2026-12-10")
        .await
        .expect("before");
    w.book_one(pine.id, "2026-12-15", "2026-12-16")
        .await
        .expect("after");
}

/// An owner's recurring block (every other weekend, three times) becomes three
/// blocks, each with its occurrence's UID.
async fn recurring_events_import_as_one_block_per_occurrence(backend: Backend) {
    let w = world(backend).await;
    let cabin = support::unit(&*w.store, &w.tenant, "Birch", 1, 4).await;
    let ics = all_day(&[("owner-weekends", "2026-12-05", "2026-12-07")])
        .replace("SUMMARY", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3\r\nSUMMARY");
    let imported = w.import(cabin.id, "google", &ics).await.unwrap();
    let blocks: Vec<(String, Option<NaiveDate>)> = imported
        .blocks
        .iter()
        .map(|b| (b.uid.clone(), b.first_day))
        .collect();
    assert_eq!(
        blocks,
        vec![
            (
                "owner-weekends#20261205T000000".into(),
                Some(date("2026-12-05"))
            ),
            (
                "owner-weekends#20261219T000000".into(),
                Some(date("2026-12-19"))
            ),
            (
                "owner-weekends#20270102T000000".into(),
                Some(date("2027-01-02"))
            ),
        ]
    );
}
