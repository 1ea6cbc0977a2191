//! The worker against a push service on loopback (axum on port 0), on both
//! databases. Each test device is a browser of its own: a P-256 key pair and an
//! auth secret made here. The service checks every message the way a push
//! service and a browser would, independently of web-push-native: the RFC 8030
//! headers, the VAPID token (RFC 8292: its ES256 signature against the key in
//! the header, which must be the server's public key; its audience, subject and
//! expiry), and the payload, decrypted per RFC 8291 with the device's private
//! key (ECDH, HKDF, AES-128-GCM) into the JSON the service worker would show.
//! Time is a `ManualClock` moved to each retry's due instant.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use berth_core::audit::Actor;
use berth_core::clock::{Clock, ManualClock};
use berth_core::event::EventKind;
use berth_core::ids::{TenantId, UserId};
use berth_core::lock::{LockHolder, NewLock};
use berth_core::on_both_stores;
use berth_core::push::{
    DeliveryStatus, NewPushSubscription, NotificationSettingsPatch, PushEndpoint, PushKeys,
    PushSubscription,
};
use berth_core::reservation::Reservation;
use berth_core::state::ReservationState;
use berth_core::store::{ClientRef, NewEvent, Store};
use berth_core::testing::Backend;
use berth_core::unit::Unit;
use berth_core::user::{NewUser, Role};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::Notify;

use crate::workers::test_support::{december_stay, new_unit, tenant_store};

use super::{Config, Pass, VapidKey, Worker};

on_both_stores!(
    notifications_are_encrypted_signed_retried_and_cleaned_up,
    a_claimed_notification_survives_a_restart,
    the_running_worker_delivers_on_commit_and_stops_cleanly,
    a_no_show_reaches_a_subscribed_device,
);

const SUBJECT: &str = "mailto:ops@alpine-cabins.example.org";

/// A browser's push subscription: its key pair and auth secret.
struct Device {
    name: &'static str,
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Device {
    fn new(name: &'static str) -> Device {
        let random = || *uuid::Uuid::new_v4().as_bytes();
        let secret = loop {
            let bytes = [random(), random()].concat();
            if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
                break key;
            }
        };
        Device {
            name,
            secret,
            auth: random(),
        }
    }

    fn keys(&self) -> PushKeys {
        let point = self.secret.public_key().to_encoded_point(false);
        PushKeys::parse(
            &URL_SAFE_NO_PAD.encode(point.as_bytes()),
            &URL_SAFE_NO_PAD.encode(self.auth),
        )
        .unwrap()
    }

    /// Decrypts a message body per RFC 8291 (one aes128gcm record, RFC 8188).
    fn decrypt(&self, body: &[u8]) -> Value {
        self.try_decrypt(body)
            .expect("the payload decrypts with the device's key")
    }

    /// [`Self::decrypt`], or `None` when the body is not for this device.
    fn try_decrypt(&self, body: &[u8]) -> Option<Value> {
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
        let id_len = usize::from(body[20]);
        let sender = &body[21..21 + id_len];
        let ciphertext = &body[21 + id_len..];
        assert_eq!(id_len, 65, "the key id is the sender's public key");
        assert!(ciphertext.len() <= record_size, "one record");
        let sender_key = p256::PublicKey::from_sec1_bytes(sender).unwrap();
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender_key.as_affine());
        let mine = self.secret.public_key().to_encoded_point(false);
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(mine.as_bytes());
        info.extend_from_slice(sender);
        let (_, auth_hkdf) = Hkdf::<Sha256>::extract(Some(&self.auth), shared.raw_secret_bytes());
        let mut ikm = [0u8; 32];
        auth_hkdf.expand(&info, &mut ikm).unwrap();
        let hkdf = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let mut cek = [0u8; 16];
        hkdf.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        let mut nonce = [0u8; 12];
        hkdf.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let mut plain = Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(&Nonce::from(nonce), ciphertext)
            .ok()?;
        while plain.last() == Some(&0) {
            plain.pop();
        }
        assert_eq!(plain.pop(), Some(2), "the last record's delimiter");
        Some(serde_json::from_slice(&plain).unwrap())
    }
}

/// One message as the push service got it.
#[derive(Clone, Debug)]
struct Received {
    device: String,
    headers: HeaderMap,
    body: Bytes,
    /// The test clock when it arrived.
    at: DateTime<Utc>,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
            .to_owned()
    }
}

/// A push service: per device a script of statuses, then 201 Created.
struct PushService {
    scripts: Mutex<HashMap<String, VecDeque<u16>>>,
    got: Mutex<Vec<Received>>,
    arrived: Notify,
    clock: Arc<ManualClock>,
    base: Mutex<String>,
}

impl PushService {
    async fn start(clock: Arc<ManualClock>) -> Arc<PushService> {
        let service = Arc::new(PushService {
            scripts: Mutex::new(HashMap::new()),
            got: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            clock,
            base: Mutex::new(String::new()),
        });
        let app = axum::Router::new()
            .route("/push/{device}", post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        *service.base.lock().unwrap() = format!("http://{addr}");
        tokio::spawn(async move { axum::serve(listener, app).await });
        service
    }

    fn origin(&self) -> String {
        self.base.lock().unwrap().clone()
    }

    fn endpoint(&self, device: &Device) -> PushEndpoint {
        PushEndpoint::parse(&format!("{}/push/{}", self.origin(), device.name), true).unwrap()
    }

    fn script(&self, device: &Device, statuses: &[u16]) {
        self.scripts
            .lock()
            .unwrap()
            .insert(device.name.to_owned(), statuses.iter().copied().collect());
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn got_by(&self, device: &Device) -> Vec<Received> {
        self.got()
            .into_iter()
            .filter(|m| m.device == device.name)
            .collect()
    }
}

async fn receive(
    State(s): State<Arc<PushService>>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let status = s
        .scripts
        .lock()
        .unwrap()
        .get_mut(&device)
        .and_then(VecDeque::pop_front)
        .unwrap_or(201);
    s.got.lock().unwrap().push(Received {
        device,
        headers,
        body,
        at: s.clock.now(),
    });
    s.arrived.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

/// Checks a message's RFC 8030 headers and its VAPID token; returns the
/// token's claims.
fn verify_headers(m: &Received, vapid: &VapidKey, origin: &str) -> Value {
    assert_eq!(m.header("content-encoding"), "aes128gcm");
    assert_eq!(m.header("content-type"), "application/octet-stream");
    let authorization = m.header("authorization");
    let params = authorization
        .strip_prefix("vapid ")
        .expect("the vapid scheme");
    let (mut token, mut key) = (None, None);
    for param in params.split(", ") {
        match param.split_once('=') {
            Some(("t", v)) => token = Some(v.to_owned()),
            Some(("k", v)) => key = Some(v.to_owned()),
            _ => panic!("unexpected parameter {param}"),
        }
    }
    let (token, key) = (token.unwrap(), key.unwrap());
    assert_eq!(key, vapid.public_key(), "k is the server's public key");
    let verifying =
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(&key).unwrap()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    verifying
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the VAPID token's signature verifies against the server's public key");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(
        claims["aud"], origin,
        "the audience is the push service's origin"
    );
    assert_eq!(claims["sub"], SUBJECT);
    assert_eq!(
        claims["exp"].as_i64().unwrap(),
        (m.at + Duration::hours(12)).timestamp(),
        "twelve hours by the injected clock"
    );
    claims
}

struct Setup {
    url: String,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    tenant: TenantId,
    vapid: Arc<VapidKey>,
    service: Arc<PushService>,
}

async fn setup(backend: Backend) -> Setup {
    let (url, store, clock, tenant) =
        tenant_store(backend, "push", chrono_tz::Europe::Zurich, "CHF", "de-CH").await;
    let service = PushService::start(clock.clone()).await;
    Setup {
        url,
        store,
        clock,
        tenant,
        vapid: Arc::new(VapidKey::generate()),
        service,
    }
}

impl Setup {
    fn worker(&self, store: Arc<dyn Store>) -> Worker {
        let config = Config {
            allow_private_targets: true,
            subject: Some(SUBJECT.into()),
            ..Config::default()
        };
        Worker::new(store, self.clock.clone(), self.vapid.clone(), config)
    }

    async fn user(&self, role: Role) -> UserId {
        let new = NewUser {
            email: format!("{role}@alpine-cabins.example.org").parse().unwrap(),
            role,
            password_hash: "unused".into(),
        };
        self.store
            .create_user(self.tenant, new, &Actor::System, self.clock.now())
            .await
            .unwrap()
            .id
    }

    async fn register(&self, user: UserId, device: &Device) -> PushSubscription {
        let new = NewPushSubscription {
            endpoint: self.service.endpoint(device),
            keys: device.keys(),
        };
        self.store
            .register_push_subscription(
                self.tenant,
                user,
                new,
                &Actor::User(user),
                self.clock.now(),
            )
            .await
            .unwrap()
    }

    async fn unit(&self, name: &str) -> Unit {
        let unit = new_unit(name, 1, 4);
        self.store
            .create_unit(self.tenant, unit, &Actor::System, self.clock.now())
            .await
            .unwrap()
    }

    /// Books `unit` for two nights in December (as the engine would, with the
    /// policy's instants: 15:00 to 10:00 in Zurich).
    async fn book(&self, unit: &Unit) -> Reservation {
        let new = december_stay(unit.id, ClientRef::None, self.clock.now());
        self.store
            .insert_reservation(self.tenant, new, &Actor::System)
            .await
            .unwrap()
            .reservation
    }
}

/// Every event of the tenant, once none is still held back by an older open
/// transaction (PostgreSQL).
async fn settled_events(store: &dyn Store, tenant: TenantId) -> Vec<berth_core::event::Event> {
    loop {
        let committed = store.event_count(tenant).await.unwrap();
        let events = store
            .events_after(tenant, berth_core::event::EventCursor::START, 100_000)
            .await
            .unwrap();
        if events.len() as u64 == committed {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}

/// Runs passes until the service has `n` messages in all. On PostgreSQL a new
/// event is queued only once no older transaction of the cluster is open (other
/// tests run alongside), so the first passes may find nothing yet.
async fn until_received(worker: &Worker, service: &PushService, n: usize) -> Pass {
    let mut total = Pass::default();
    for _ in 0..2_500 {
        let pass = worker.run_once().await.unwrap();
        total.queued += pass.queued;
        total.attempted += pass.attempted;
        total.delivered += pass.delivered;
        total.gone += pass.gone;
        total.retrying += pass.retrying;
        total.failed += pass.failed;
        if service.got().len() >= n {
            return total;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("{} of {n} messages arrived", service.got().len());
}

async fn notifications_are_encrypted_signed_retried_and_cleaned_up(backend: Backend) {
    let s = setup(backend).await;
    let admin = s.user(Role::Admin).await;
    let staff = s.user(Role::Staff).await;
    let viewer = s.user(Role::Viewer).await;
    let (steady, gone, flaky, quiet, watcher) = (
        Device::new("steady"),
        Device::new("gone"),
        Device::new("flaky"),
        Device::new("quiet"),
        Device::new("watcher"),
    );
    s.service.script(&gone, &[410]);
    s.service.script(&flaky, &[500]);
    for device in [&steady, &gone, &flaky] {
        s.register(admin, device).await;
    }
    s.register(staff, &quiet).await;
    s.register(viewer, &watcher).await;
    // The staff member does not want to hear of new reservations.
    s.store
        .update_notification_settings(
            s.tenant,
            staff,
            NotificationSettingsPatch {
                reservation_created: Some(false),
                ..Default::default()
            },
            &Actor::User(staff),
            s.clock.now(),
        )
        .await
        .unwrap();
    let unit = s.unit("Birch").await;
    let booked = s.book(&unit).await;
    let worker = s.worker(s.store.clone());
    let origin = s.service.origin();

    // New reservation: the admin's three devices; not the staff member's (off),
    // not the viewer's (viewers are not notified).
    let first = until_received(&worker, &s.service, 3).await;
    assert_eq!(
        (
            first.queued,
            first.attempted,
            first.delivered,
            first.gone,
            first.retrying
        ),
        (3, 3, 1, 1, 1)
    );
    for (device, m) in [
        (&steady, &s.service.got_by(&steady)[0]),
        (&gone, &s.service.got_by(&gone)[0]),
        (&flaky, &s.service.got_by(&flaky)[0]),
    ] {
        verify_headers(m, &s.vapid, &origin);
        assert_eq!(m.header("ttl"), "86400");
        assert_eq!(m.header("urgency"), "normal");
        let n = device.decrypt(&m.body);
        assert_eq!(n["kind"], "reservation_created", "{n}");
        assert_eq!(n["tenant"], "alpine-cabins");
        assert_eq!(n["title"], "New reservation");
        assert_eq!(n["body"], "Birch, 10 Dec – 12 Dec 2026, 2 guests");
        assert_eq!(n["reservation_id"], booked.id.to_string());
        assert_eq!(n["url"], format!("/reservations/{}", booked.id));
    }
    // Each device's message is encrypted for that device alone.
    let for_steady = &s.service.got_by(&steady)[0];
    assert_eq!(
        flaky.try_decrypt(&for_steady.body),
        None,
        "another device's key does not decrypt it"
    );

    // 410: the push service dropped the subscription; so does berth.
    let devices: Vec<String> = s
        .store
        .push_subscriptions(s.tenant, admin)
        .await
        .unwrap()
        .iter()
        .map(|d| d.endpoint.as_str().rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(devices, vec!["steady", "flaky"]);
    let events = settled_events(&*s.store, s.tenant).await;
    let removed: Vec<&Value> = events
        .iter()
        .filter(|e| e.kind == EventKind::PushSubscriptionUnregistered)
        .map(|e| &e.payload)
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["reason"], "gone");
    assert_eq!(removed[0]["push_service"], origin);
    let audit = s
        .store
        .audit_entries(
            s.tenant,
            uuid::Uuid::parse_str(removed[0]["id"].as_str().unwrap()).unwrap(),
        )
        .await
        .unwrap();
    let actions: Vec<(&str, String)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.to_string()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("register", format!("user:{admin}")),
            ("unregister", "system".to_owned())
        ]
    );
    assert_eq!(audit[1].metadata["details"]["response_status"], 410);
    let written = format!("{audit:?} {events:?}");
    for device in [&steady, &gone, &flaky] {
        assert!(
            !written.contains(&device.keys().auth()),
            "an auth secret leaked"
        );
        assert!(!written.contains(&device.keys().p256dh()), "a key leaked");
    }

    // 500: retried on the schedule, not a moment early.
    let flaky_id = s.store.push_subscriptions(s.tenant, admin).await.unwrap()[1].id;
    let queued = s.store.push_deliveries(s.tenant, flaky_id).await.unwrap();
    assert_eq!(
        (queued[0].status, queued[0].attempts, queued[0].last_status),
        (DeliveryStatus::Pending, 1, Some(500))
    );
    let due = queued[0].next_attempt_at.unwrap();
    let wait = due - s.service.got_by(&flaky)[0].at;
    let (shortest, longest) = (
        berth_core::push::retry_delay(1, 0).unwrap(),
        berth_core::push::retry_delay(1, 1000).unwrap(),
    );
    assert!(shortest <= wait && wait <= longest, "{wait}");
    s.clock.set(due - Duration::milliseconds(1));
    assert_eq!(worker.run_once().await.unwrap().attempted, 0);
    s.clock.set(due);
    let retry = worker.run_once().await.unwrap();
    assert_eq!((retry.attempted, retry.delivered), (1, 1));
    let flaky_got = s.service.got_by(&flaky);
    assert_eq!(flaky_got.len(), 2);
    verify_headers(&flaky_got[1], &s.vapid, &origin);
    assert_eq!(
        flaky.decrypt(&flaky_got[1].body),
        flaky.decrypt(&flaky_got[0].body),
        "the same notification, encrypted afresh"
    );
    assert_ne!(flaky_got[1].body, flaky_got[0].body);
    let settled = s.store.push_deliveries(s.tenant, flaky_id).await.unwrap();
    assert_eq!(
        (
            settled[0].status,
            settled[0].attempts,
            settled[0].next_attempt_at
        ),
        (DeliveryStatus::Delivered, 2, None)
    );

    // A no-show: urgent, to everyone who wants it (the staff member too). The
    // event as the no-show worker's transition records it: the reservation,
    // now absent.
    let mut absent = serde_json::to_value(&booked).unwrap();
    absent["state"] = json!("absent");
    absent["version"] = json!(booked.version + 1);
    s.store
        .record_event(
            s.tenant,
            NewEvent {
                kind: EventKind::ReservationStateChanged,
                entity_type: "reservation".into(),
                entity_id: booked.id.as_uuid(),
                action: "mark_absent".into(),
                payload: absent,
                at: s.clock.now(),
            },
            &Actor::System,
        )
        .await
        .unwrap();
    let before = s.service.got().len();
    until_received(&worker, &s.service, before + 3).await;
    for device in [&steady, &flaky, &quiet] {
        let m = s.service.got_by(device).pop().unwrap();
        verify_headers(&m, &s.vapid, &origin);
        assert_eq!(m.header("urgency"), "high");
        let n = device.decrypt(&m.body);
        assert_eq!(n["kind"], "no_show", "{}", device.name);
        assert_eq!(n["title"], "No-show");
        assert_eq!(n["reservation_id"], booked.id.to_string());
    }

    // A lock conflict, as the engine records it: short-lived.
    let lock = s
        .store
        .acquire_lock(
            s.tenant,
            NewLock {
                unit_id: unit.id,
                range: None,
                reservation_id: None,
                holder: LockHolder {
                    actor: Actor::User(staff),
                    display_name: "staff@alpine-cabins.example.org".into(),
                    session: "ws:1".parse().unwrap(),
                },
                expires_at: s.clock.now() + Duration::minutes(5),
                now: s.clock.now(),
            },
            &Actor::User(staff),
        )
        .await
        .unwrap();
    s.store
        .record_event(
            s.tenant,
            NewEvent {
                kind: EventKind::LockConflict,
                entity_type: "lock".into(),
                entity_id: lock.id.as_uuid(),
                action: "conflict".into(),
                payload: json!({ "lock": lock, "attempted_by": format!("user:{admin}") }),
                at: s.clock.now(),
            },
            &Actor::User(admin),
        )
        .await
        .unwrap();
    let before = s.service.got().len();
    until_received(&worker, &s.service, before + 3).await;
    for device in [&steady, &flaky, &quiet] {
        let m = s.service.got_by(device).pop().unwrap();
        assert_eq!(m.header("ttl"), "900");
        let n = device.decrypt(&m.body);
        assert_eq!(n["kind"], "lock_conflict");
        assert_eq!(n["lock_id"], lock.id.to_string());
        assert_eq!(
            n["body"],
            "Birch: a change was refused, staff@alpine-cabins.example.org holds it until 10:05"
        );
        assert_eq!(n["url"], format!("/units/{}", unit.id));
    }
    assert!(
        s.service.got_by(&watcher).is_empty(),
        "viewers hear nothing"
    );
    assert_eq!(
        s.service.got_by(&quiet).len(),
        2,
        "no-show and lock conflict"
    );
    assert_eq!(s.service.got_by(&gone).len(), 1);
    assert_eq!(worker.run_once().await.unwrap(), Pass::default());
}

async fn a_claimed_notification_survives_a_restart(backend: Backend) {
    let s = setup(backend).await;
    let admin = s.user(Role::Owner).await;
    let device = Device::new("steady");
    let subscription = s.register(admin, &device).await;
    let unit = s.unit("Birch").await;
    let booked = s.book(&unit).await;
    // The first process claims the notification and dies before sending it.
    let now = s.clock.now();
    let mut orphaned = Vec::new();
    for _ in 0..2_500 {
        s.store.enqueue_pushes(s.tenant, now, 100).await.unwrap();
        orphaned = s
            .store
            .claim_pushes(s.tenant, now, Duration::seconds(60), 10)
            .await
            .unwrap();
        if !orphaned.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(orphaned.len(), 1);
    // A new process on the same database (its own store and pool), and a
    // worker: nothing until the lease lapses, then the notification goes out.
    let reopened = berth_core::store::open(&s.url).await.unwrap();
    let worker = s.worker(reopened);
    s.clock.advance(Duration::seconds(59));
    assert_eq!(worker.run_once().await.unwrap().attempted, 0);
    s.clock.advance(Duration::seconds(1));
    let pass = worker.run_once().await.unwrap();
    assert_eq!((pass.attempted, pass.delivered), (1, 1));
    let got = s.service.got_by(&device);
    assert_eq!(got.len(), 1);
    assert_eq!(
        device.decrypt(&got[0].body)["reservation_id"],
        booked.id.to_string()
    );
    let log = s
        .store
        .push_deliveries(s.tenant, subscription.id)
        .await
        .unwrap();
    assert_eq!(
        (log[0].status, log[0].attempts),
        (DeliveryStatus::Delivered, 2)
    );
}

async fn the_running_worker_delivers_on_commit_and_stops_cleanly(backend: Backend) {
    let s = setup(backend).await;
    let admin = s.user(Role::Staff).await;
    let device = Device::new("steady");
    s.register(admin, &device).await;
    let unit = s.unit("Birch").await;
    let handle = crate::workers::spawn(s.worker(s.store.clone()));
    let arrived = s.service.arrived.notified();
    s.book(&unit).await;
    tokio::time::timeout(std::time::Duration::from_secs(30), arrived)
        .await
        .expect("the commit woke the worker and the notification arrived");
    tokio::time::timeout(std::time::Duration::from_secs(15), handle.stop())
        .await
        .expect("the worker stops");
    let got = s.service.got();
    assert_eq!(got.len(), 1);
    assert_eq!(device.decrypt(&got[0].body)["kind"], "reservation_created");
}

#[tokio::test]
async fn private_push_services_are_refused_unless_allowed() {
    let s = setup(Backend::Sqlite).await;
    let admin = s.user(Role::Admin).await;
    let device = Device::new("steady");
    let subscription = s.register(admin, &device).await;
    let unit = s.unit("Birch").await;
    s.book(&unit).await;
    let config = Config {
        subject: Some(SUBJECT.into()),
        ..Config::default()
    };
    let worker = Worker::new(s.store.clone(), s.clock.clone(), s.vapid.clone(), config);
    let pass = worker.run_once().await.unwrap();
    assert_eq!((pass.attempted, pass.retrying), (1, 1));
    assert!(s.service.got().is_empty());
    let d = &s
        .store
        .push_deliveries(s.tenant, subscription.id)
        .await
        .unwrap()[0];
    let error = d.last_error.as_deref().unwrap();
    assert!(
        error.contains("non-public") && error.contains("127.0.0.1"),
        "{error}"
    );
}

#[test]
fn the_vapid_subject_is_a_contact_url() {
    assert!(super::parse_subject("mailto:ops@example.org").is_ok());
    assert!(super::parse_subject("https://example.org/contact").is_ok());
    for bad in [
        "ops@example.org",
        "mailto:nobody",
        "http://example.org",
        "mailto:a b@c.d",
    ] {
        assert!(super::parse_subject(bad).is_err(), "{bad}");
    }
}

/// The whole path of a no-show: the clock passes the tenant policy's deadline,
/// the lifecycle round marks the confirmed stay without check-in absent (audit
/// entry and event by the system), and a subscribed device receives it
/// encrypted, with high urgency.
async fn a_no_show_reaches_a_subscribed_device(backend: Backend) {
    use berth_policy::Runtime;
    use berth_policy::registry::PolicyRegistry;
    use berth_policy::sandbox::Limits;

    let s = setup(backend).await;
    let staff = s.user(Role::Staff).await;
    let phone = Device::new("phone");
    s.register(staff, &phone).await;
    let unit = s.unit("Birch").await;
    let booked = s.book(&unit).await;
    let worker = s.worker(s.store.clone());
    until_received(&worker, &s.service, 1).await;

    // alpine-cabins' live policy (the repository's tenant files): absent a day
    // after check-in time, the nightly model's default.
    let tenants = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    let registry = PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        tenants,
        s.clock.clone(),
    );
    registry.load_all();
    let engine = berth_core::Engine::new(s.store.clone(), Arc::new(registry), s.clock.clone());
    s.clock.set("2026-12-11T13:59:00Z".parse().unwrap());
    assert_eq!(
        crate::workers::lifecycle::run_once(&engine).await,
        (0, 0),
        "not yet"
    );
    s.clock.set("2026-12-11T14:00:00Z".parse().unwrap());
    assert_eq!(crate::workers::lifecycle::run_once(&engine).await, (0, 1));

    let absent = s
        .store
        .reservation(s.tenant, booked.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(absent.state, ReservationState::Absent);
    let audit = s
        .store
        .audit_entries(s.tenant, booked.id.as_uuid())
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action.as_str(), &last.actor),
        ("mark_absent", &Actor::System)
    );
    let events = settled_events(&*s.store, s.tenant).await;
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::ReservationStateChanged
                && e.entity_id == booked.id.as_uuid()
                && e.payload["state"] == "absent")
    );

    until_received(&worker, &s.service, 2).await;
    let got = s.service.got_by(&phone);
    let message = got.last().unwrap();
    assert_eq!(message.header("urgency"), "high");
    let payload = phone.decrypt(&message.body);
    assert_eq!(payload["kind"], "no_show", "{payload}");
    assert_eq!(
        payload["reservation_id"],
        booked.id.to_string(),
        "{payload}"
    );
}
