//! The test harness: the real schema over a real store (SQLite, or PostgreSQL
//! when the test script provides one) holding two example tenants with their live
//! Rhai policies, one unit each and one user per role; every store call is
//! counted on the way through.

use std::path::PathBuf;
use std::sync::Arc;

use async_graphql::{Request, Variables};
use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::client::NewClient;
use berth_core::clock::{Clock, ManualClock};
use berth_core::quantity::{Guests, Inventory};
use berth_core::store::ClientStore;
use berth_core::store::Store;
use berth_core::store::UnitStore;
use berth_core::tenant::{NewTenant, Tenant};
use berth_core::unit::{NewUnit, Unit};
use berth_core::user::{NewUser, Role, User};
use berth_graphql::BerthSchema;
use berth_graphql::auth::{Auth, BearerToken};
use berth_policy::Runtime;
use berth_policy::registry::PolicyRegistry;
use berth_policy::sandbox::Limits;
use serde_json::{Value, json};

use crate::counting::CountingStore;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub use berth_core::testing::{Backend, available};

pub struct Api {
    pub schema: BerthSchema,
    /// The schema's shared subscriptions (what the WebSocket transport uses).
    pub fan_out: Arc<berth_graphql::fan_out::FanOut>,
    pub clock: Arc<ManualClock>,
    pub store: Arc<CountingStore>,
    pub auth: Auth,
    /// alpine-cabins (nightly) and its cabin.
    pub alpine: Tenant,
    pub cabin: Unit,
    /// summit-tours (timeslot) and its tour.
    pub summit: Tenant,
    pub tour: Unit,
    /// One user per role per tenant: (tenant slug, role) → user.
    pub users: Vec<(String, Role, User)>,
}

pub const PASSWORD: &str = "correct horse battery staple";

/// The VAPID public key the test schema announces (RFC 8292's example key).
pub const VAPID_PUBLIC_KEY: &str =
    "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";

/// The sender address the test schema's e-mail goes out from.
pub const MAIL_SENDER: &str = "bookings@berth.test";

/// A fresh, migrated database on `backend`.
async fn fresh_store(backend: Backend) -> Arc<dyn Store> {
    match backend {
        Backend::Sqlite => Arc::new(
            berth_core::testing::fresh_sqlite(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")))
                .await,
        ),
        Backend::Postgres => {
            let url = berth_core::testing::fresh_postgres_url().await;
            let store = berth_core::store::PostgresStore::connect(&url)
                .await
                .unwrap();
            store.migrate().await.unwrap();
            Arc::new(store)
        }
    }
}

/// The schema over SQLite.
pub async fn api() -> Api {
    api_on(Backend::Sqlite).await
}

/// The schema over a fresh database on `backend` holding alpine-cabins and
/// summit-tours (as their tenant.yaml says), one unit each, one user per role,
/// with the live example policies.
pub async fn api_on(backend: Backend) -> Api {
    let now = "2026-11-02T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let registry = Arc::new(PolicyRegistry::new(
        Runtime::new(Limits::default()).unwrap(),
        repo().join("tenants"),
        clock.clone(),
    ));
    registry.load_all();
    let store = fresh_store(backend).await;
    // One hash for every user: argon2 is slow in debug builds.
    let hash = berth_graphql::auth::hash_password(PASSWORD).unwrap();
    let mut tenants = Vec::new();
    let mut units = Vec::new();
    let mut users = Vec::new();
    for (slug, inventory, max_guests) in [("alpine-cabins", 1, 4), ("summit-tours", 12, 1)] {
        let config = registry.get(slug).unwrap().config().clone();
        let tenant = store
            .create_tenant(
                NewTenant {
                    slug: config.slug.parse().unwrap(),
                    name: config.name,
                    timezone: config.timezone.parse().unwrap(),
                    currency: config.currency.parse().unwrap(),
                    locale: config.locale,
                },
                &Actor::System,
                now,
            )
            .await
            .unwrap();
        let unit = NewUnit {
            name: format!("{slug} unit"),
            kind: None,
            inventory: Inventory::new(inventory).unwrap(),
            max_guests: Guests::new(max_guests).unwrap(),
            description: Some("A fine place".into()),
            amenities: vec!["sauna".into()],
            images: vec!["https://images.example.org/a.jpg".into()],
            attributes: json!({}),
        };
        units.push(
            store
                .create_unit(tenant.id, unit, &Actor::System, now)
                .await
                .unwrap(),
        );
        for role in [Role::Owner, Role::Admin, Role::Staff, Role::Viewer] {
            let new = NewUser {
                email: format!("{role}@{slug}.example.org").parse().unwrap(),
                role,
                password_hash: hash.clone(),
            };
            let user = store
                .create_user(tenant.id, new, &Actor::System, now)
                .await
                .unwrap();
            users.push((slug.to_owned(), role, user));
        }
        tenants.push(tenant);
    }
    let store = Arc::new(CountingStore::new(store));
    let engine = Engine::new(store.clone(), registry, clock.clone());
    let auth = Auth::new(
        b"a test secret of thirty-two bytes!",
        chrono::Duration::hours(12),
    )
    .unwrap();
    let tour = units.pop().unwrap();
    let cabin = units.pop().unwrap();
    let summit = tenants.pop().unwrap();
    let alpine = tenants.pop().unwrap();
    let (schema, fan_out) = berth_graphql::schema_and_fan_out(
        engine,
        auth.clone(),
        berth_graphql::Services {
            push: berth_graphql::push::PushConfig {
                vapid_public_key: Some(VAPID_PUBLIC_KEY.into()),
                allow_http_endpoints: false,
            },
            mail: berth_graphql::mail::MailConfig {
                sender: Some(MAIL_SENDER.into()),
            },
        },
    );
    Api {
        schema,
        fan_out,
        clock,
        store,
        auth,
        alpine,
        cabin,
        summit,
        tour,
        users,
    }
}

/// What a request answered: its data, and (message, extensions) per error.
pub type Answer = (Value, Vec<(String, Value)>);

impl Api {
    /// Uploads a picture (seeded by `seed`) to `unit` of `tenant` with `alt`,
    /// as the upload endpoint does (through the engine's processing and the
    /// store): the image's id.
    pub async fn upload_image(
        &self,
        tenant: &Tenant,
        unit: berth_core::ids::UnitId,
        seed: u32,
        alt: &str,
    ) -> String {
        let processed =
            berth_core::media::process(&berth_core::test_pictures::png(400, 300, seed)).unwrap();
        let image = berth_core::store::MediaStore::add_unit_image(
            &*self.store,
            tenant.id,
            berth_core::media::NewUnitImage {
                unit_id: unit,
                alt: Some(alt.to_owned()),
                variants: processed.variants,
                now: self.clock.now(),
            },
            &Actor::System,
        )
        .await
        .unwrap();
        image.image.id.to_string()
    }

    /// A new user of alpine-cabins, created by `owner` with `role` and the
    /// password `PASSWORD`, signed in: their id and session token.
    pub async fn signed_in_user(&self, owner: &str, email: &str, role: &str) -> (String, String) {
        let id = self
            .ok_as(
                owner,
                r#"mutation($e: String!, $p: String!, $r: Role!) { createUser(email: $e, password: $p, role: $r) { id } }"#,
                serde_json::json!({ "e": email, "p": PASSWORD, "r": role }),
            )
            .await["createUser"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let session = self
            .run_as(
                None,
                r#"mutation($e: String!, $p: String!) { login(tenant: "alpine-cabins", email: $e, password: $p) { token } }"#,
                serde_json::json!({ "e": email, "p": PASSWORD }),
            )
            .await;
        let token = session.0["login"]["token"].as_str().unwrap().to_owned();
        (id, token)
    }

    /// The tenant's mail worker, without SMTP: queues the messages of the
    /// events since its last pass (the first pass only marks the end of the
    /// stream, as a worker's first visit does), then claims every due message
    /// and reports it sent (250). The ids of the messages sent, oldest first.
    pub async fn mail_pass(&self, tenant: berth_core::ids::TenantId) -> Vec<String> {
        use berth_core::mail::{MailReport, MailResult, MailSettings};
        use berth_core::store::MailStore as _;
        let now = self.clock.now();
        self.store
            .enqueue_mail(tenant, now, MailSettings::default(), 1_000)
            .await
            .unwrap();
        let claimed = self
            .store
            .claim_mail(tenant, now, chrono::Duration::seconds(60), 100)
            .await
            .unwrap();
        let mut sent = Vec::new();
        for mail in claimed {
            let report = MailReport::new(
                &mail,
                now,
                Some(format!("{} subject", mail.kind)),
                MailResult::Sent(250),
                0,
            );
            assert!(self.store.finish_mail(tenant, &report).await.unwrap());
            sent.push(mail.id.to_string());
        }
        sent
    }

    /// A new one-item cabin of alpine-cabins for up to four guests, named `name`.
    pub async fn new_cabin(&self, name: String) -> Unit {
        let unit = NewUnit {
            name,
            kind: None,
            inventory: Inventory::new(1).unwrap(),
            max_guests: Guests::new(4).unwrap(),
            description: None,
            amenities: vec![],
            images: vec![],
            attributes: json!({}),
        };
        self.store
            .create_unit(self.alpine.id, unit, &Actor::System, self.clock.now())
            .await
            .unwrap()
    }

    /// Books two guests for two nights (11-10 to 11-12) as staff on each of
    /// `n` new cabins (named `name(i)`), each for a new client ("Guest i").
    pub async fn stays_on_new_cabins(&self, n: usize, name: impl Fn(usize) -> String) {
        let staff = self.token("alpine-cabins", Role::Staff);
        for i in 0..n {
            let unit = self.new_cabin(name(i)).await;
            let client = NewClient {
                name: format!("Guest {i}"),
                email: None,
                phone: None,
                notes: None,
                blocked: false,
            };
            let client = self
                .store
                .create_client(self.alpine.id, client, &Actor::System, self.clock.now())
                .await
                .unwrap();
            self.ok_as(
                &staff,
                r#"mutation($input: CreateReservationInput!) { createReservation(input: $input) { id } }"#,
                json!({ "input": { "unitId": unit.id.to_string(), "clientId": client.id.to_string(),
                    "guests": 2, "period": { "checkIn": "2026-11-10", "checkOut": "2026-11-12" } } }),
            )
            .await;
        }
    }

    pub async fn run(&self, query: &str, variables: Value) -> Answer {
        self.run_as(None, query, variables).await
    }

    /// A session token for the user with `role` in tenant `slug`.
    pub fn token(&self, slug: &str, role: Role) -> String {
        let (_, _, user) = self
            .users
            .iter()
            .find(|(s, r, _)| s == slug && *r == role)
            .unwrap();
        self.auth.issue(user, self.clock.now()).unwrap()
    }

    pub async fn run_as(&self, token: Option<&str>, query: &str, variables: Value) -> Answer {
        // As the HTTP transport runs a request: with a slot for the session
        // cookie that `signIn` and `signOut` set.
        let mut request = Request::new(query)
            .variables(Variables::from_json(variables))
            .data(berth_graphql::auth::SessionCookie::default());
        if let Some(token) = token {
            request = request.data(BearerToken(token.to_owned()));
        }
        answer(self.schema.execute(request).await)
    }

    /// Runs and insists on success; returns the data.
    pub async fn ok_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let (data, errors) = self.run_as(Some(token), query, variables).await;
        assert!(errors.is_empty(), "{query}: {errors:?}");
        data
    }

    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let (_, errors) = self.run(query, variables).await;
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].1["code"].as_str().unwrap_or("none").to_owned()
    }
}

/// The one error code of an answer ("none" when it succeeded).
/// The code of a response's first error (`none` without one).
pub fn response_code(response: &async_graphql::Response) -> String {
    response.errors.first().map_or_else(
        || "none".into(),
        |e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map(|c| c.to_string().trim_matches('"').to_owned())
                .unwrap_or_else(|| "no code".into())
        },
    )
}

pub fn code_of(answer: &Answer) -> String {
    match answer.1.as_slice() {
        [] => "none".into(),
        [(_, ext), ..] => ext["code"].as_str().unwrap_or("no code").to_owned(),
    }
}

/// Declares `$name` as a module with one test per backend.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use crate::support::{available, Backend};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if available(Backend::Postgres, stringify!($name)) {
                        super::$name(Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_stores;

/// A response as (data, [(message, extensions)]).
pub fn answer(response: async_graphql::Response) -> (Value, Vec<(String, Value)>) {
    let errors = response
        .errors
        .iter()
        .map(|e| {
            let ext = e
                .extensions
                .as_ref()
                .map(|x| serde_json::to_value(x).unwrap())
                .unwrap_or(Value::Null);
            (e.message.clone(), ext)
        })
        .collect();
    (response.data.into_json().unwrap(), errors)
}
