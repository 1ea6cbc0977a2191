//! Calling every root field of the schema, found by introspection: arguments are
//! generated from their types, ids from what the argument names (`unitId`, or
//! `id` of a field about units), so a field added later is swept without editing
//! the tests that use this.

use serde_json::{Map, Value, json};

use crate::support::{Answer, Api};

/// The kinds of entity an `ID` argument can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Unit,
    Client,
    Reservation,
    ApiKey,
    Lock,
    Webhook,
    User,
    CalendarSync,
    Block,
    Image,
    Mail,
}

/// Ids of one tenant's objects, by kind.
#[derive(Clone, Debug)]
pub struct Ids {
    pub unit: String,
    pub client: String,
    pub reservation: String,
    pub api_key: String,
    pub lock: String,
    pub webhook: String,
    pub user: String,
    pub calendar_sync: String,
    pub block: String,
    pub image: String,
    pub mail: String,
}

impl Ids {
    pub fn of(&self, kind: Kind) -> &str {
        match kind {
            Kind::Unit => &self.unit,
            Kind::Client => &self.client,
            Kind::Reservation => &self.reservation,
            Kind::ApiKey => &self.api_key,
            Kind::Lock => &self.lock,
            Kind::Webhook => &self.webhook,
            Kind::CalendarSync => &self.calendar_sync,
            Kind::User => &self.user,
            Kind::Block => &self.block,
            Kind::Image => &self.image,
            Kind::Mail => &self.mail,
        }
    }
}

/// A root field as introspection describes it.
#[derive(Clone, Debug)]
pub struct Field {
    /// `query` or `mutation`.
    pub operation: &'static str,
    pub name: String,
    pub args: Vec<InputValue>,
    /// The return type, to decide whether it needs a selection.
    pub returns: Value,
}

#[derive(Clone, Debug)]
pub struct InputValue {
    pub name: String,
    pub ty: Value,
    pub default: Option<String>,
}

impl InputValue {
    fn required(&self) -> bool {
        self.ty["kind"] == "NON_NULL" && self.default.is_none()
    }
}

const TYPE_REF: &str = "fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

/// Every query and mutation field, and the schema's input object types.
pub async fn fields(api: &Api) -> (Vec<Field>, Map<String, Value>) {
    let query = format!(
        "{{ __schema {{
            queryType {{ fields {{ name args {{ name defaultValue type {{ ...T }} }} type {{ ...T }} }} }}
            mutationType {{ fields {{ name args {{ name defaultValue type {{ ...T }} }} type {{ ...T }} }} }}
            types {{ name kind inputFields {{ name defaultValue type {{ ...T }} }} enumValues {{ name }}
                fields {{ name args {{ name defaultValue type {{ ...T }} }} type {{ ...T }} }} }}
        }} }} {TYPE_REF}"
    );
    let (data, errors) = api.run(&query, json!({})).await;
    assert!(errors.is_empty(), "{errors:?}");
    let schema = &data["__schema"];
    let mut out = Vec::new();
    for (operation, root) in [("query", "queryType"), ("mutation", "mutationType")] {
        for f in schema[root]["fields"].as_array().unwrap() {
            out.push(Field {
                operation,
                name: f["name"].as_str().unwrap().to_owned(),
                args: f["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(input_value)
                    .collect(),
                returns: f["type"].clone(),
            });
        }
    }
    let mut types = Map::new();
    for t in schema["types"].as_array().unwrap() {
        types.insert(t["name"].as_str().unwrap().to_owned(), t.clone());
    }
    (out, types)
}

/// The names of the subscription root's fields.
pub async fn subscription_fields(api: &Api) -> Vec<String> {
    let (data, errors) = api
        .run(
            "{ __schema { subscriptionType { fields { name } } } }",
            json!({}),
        )
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    data["__schema"]["subscriptionType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A selection of the type `ty` refers to, `depth` levels deep: every field
/// without required arguments — scalars and enums by name, objects with their
/// own selection one level less deep, interfaces and unions by
/// `__typename`; nothing for a scalar. So an answer carries the data a field
/// can reach, for the isolation sweep to look through.
pub fn selection(ty: &Value, types: &Map<String, Value>, depth: usize) -> String {
    let base = named(ty);
    match base["kind"].as_str().unwrap() {
        "OBJECT" => {
            let t = &types[base["name"].as_str().unwrap()];
            let mut parts = vec!["__typename".to_owned()];
            for f in t["fields"].as_array().into_iter().flatten() {
                let takes_required = f["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| input_value(a).required());
                if takes_required || depth == 0 {
                    continue;
                }
                let name = f["name"].as_str().unwrap();
                match named(&f["type"])["kind"].as_str().unwrap() {
                    "SCALAR" | "ENUM" => parts.push(name.to_owned()),
                    "OBJECT" if depth > 1 => {
                        parts.push(format!(
                            "{name} {}",
                            selection(&f["type"], types, depth - 1)
                        ));
                    }
                    "INTERFACE" | "UNION" => parts.push(format!("{name} {{ __typename }}")),
                    _ => {}
                }
            }
            format!(" {{ {} }}", parts.join(" "))
        }
        "INTERFACE" | "UNION" => " { __typename }".to_owned(),
        _ => String::new(),
    }
}

/// [`selection`] of the type called `name`.
pub fn selection_of_type(name: &str, types: &Map<String, Value>, depth: usize) -> String {
    let ty = json!({ "kind": types[name]["kind"], "name": name, "ofType": null });
    selection(&ty, types, depth)
}

/// The name of the type a reference ends in (`Int` for `Int!`).
pub fn type_name(ty: &Value) -> &str {
    named(ty)["name"].as_str().unwrap_or_default()
}

fn input_value(v: &Value) -> InputValue {
    InputValue {
        name: v["name"].as_str().unwrap().to_owned(),
        ty: v["type"].clone(),
        default: v["defaultValue"].as_str().map(str::to_owned),
    }
}

/// The SDL spelling of a type reference (`[ID!]!`).
fn render(ty: &Value) -> String {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", render(&ty["ofType"])),
        "LIST" => format!("[{}]", render(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap().to_owned(),
    }
}

fn named(ty: &Value) -> &Value {
    if ty["ofType"].is_null() {
        ty
    } else {
        named(&ty["ofType"])
    }
}

/// What an `ID` argument or input field named `name` of root field `field` names.
pub fn kind_of(field: &str, name: &str) -> Kind {
    let by_name = match name {
        "unitId" => Some(Kind::Unit),
        "clientId" => Some(Kind::Client),
        "reservationId" => Some(Kind::Reservation),
        "apiKeyId" => Some(Kind::ApiKey),
        "webhookId" => Some(Kind::Webhook),
        "lockId" => Some(Kind::Lock),
        "userId" => Some(Kind::User),
        // The audit log's filter takes any entity's id.
        "entityId" => Some(Kind::Reservation),
        _ => None,
    };
    if let Some(kind) = by_name {
        return kind;
    }
    assert_eq!(
        name, "id",
        "{field}: cannot tell what the ID argument `{name}` names; call it unitId, clientId, reservationId, apiKeyId or lockId"
    );
    let lower = field.to_lowercase();
    if lower.contains("email") {
        Kind::Mail
    } else if lower.contains("calendarsync") {
        Kind::CalendarSync
    } else if lower.contains("apikey") {
        Kind::ApiKey
    } else if lower.contains("webhook") {
        Kind::Webhook
    } else if lower.contains("user") {
        Kind::User
    } else if lower.contains("unitimage") {
        Kind::Image
    } else if lower.contains("unblock") {
        Kind::Block
    } else if lower.contains("lock") {
        Kind::Lock
    } else if lower.contains("unit") {
        Kind::Unit
    } else if lower.contains("client") {
        Kind::Client
    } else if lower.contains("reservation")
        || matches!(lower.as_str(), "checkin" | "checkout" | "quotechange")
    {
        Kind::Reservation
    } else {
        panic!("{field}: cannot tell what its `id` argument names; teach sweep::kind_of")
    }
}

/// Where `ID` values go in a field's arguments: paths like `["input", "unitId"]`.
pub fn id_positions(field: &Field, types: &Map<String, Value>) -> Vec<(Vec<String>, Kind)> {
    let mut out = Vec::new();
    for arg in &field.args {
        collect_ids(
            &field.name,
            &arg.name,
            &arg.ty,
            types,
            vec![arg.name.clone()],
            &mut out,
        );
    }
    out
}

fn collect_ids(
    field: &str,
    name: &str,
    ty: &Value,
    types: &Map<String, Value>,
    path: Vec<String>,
    out: &mut Vec<(Vec<String>, Kind)>,
) {
    let base = named(ty);
    // Ids in a list (`reorderUnitImages`' `imageIds`) are swept through the
    // field's other id: lists are given empty.
    let is_list =
        ty["kind"] == "LIST" || (ty["kind"] == "NON_NULL" && ty["ofType"]["kind"] == "LIST");
    match base["kind"].as_str().unwrap() {
        _ if is_list => {}
        "SCALAR" if base["name"] == "ID" => out.push((path, kind_of(field, name))),
        "INPUT_OBJECT" => {
            let t = &types[base["name"].as_str().unwrap()];
            for f in t["inputFields"].as_array().unwrap() {
                let mut p = path.clone();
                let n = f["name"].as_str().unwrap();
                p.push(n.to_owned());
                collect_ids(field, n, &f["type"], types, p, out);
            }
        }
        _ => {}
    }
}

/// The values a call is made with.
pub struct Values<'a> {
    /// Tenant slug for `tenant` arguments.
    pub tenant: &'a str,
    /// E-mail and password for `login`.
    pub email: &'a str,
    pub password: &'a str,
    /// Ids by kind.
    pub ids: &'a Ids,
}

/// Arguments for `field`: every required argument, plus every argument at an
/// id position in `ids_at` (so optional ids are swept too); the id at
/// `override_at` replaced by `override_id`.
pub fn arguments(
    field: &Field,
    types: &Map<String, Value>,
    values: &Values<'_>,
    include: Option<&[String]>,
    override_id: Option<(&[String], &str)>,
) -> Map<String, Value> {
    let mut args = Map::new();
    for arg in &field.args {
        let wanted = arg.required() || include.is_some_and(|p| p[0] == arg.name);
        if wanted {
            let path = vec![arg.name.clone()];
            args.insert(
                arg.name.clone(),
                value(
                    field,
                    &arg.name,
                    &arg.ty,
                    types,
                    values,
                    &path,
                    include,
                    override_id,
                ),
            );
        }
    }
    args
}

#[allow(clippy::too_many_arguments)]
fn value(
    field: &Field,
    name: &str,
    ty: &Value,
    types: &Map<String, Value>,
    values: &Values<'_>,
    path: &[String],
    include: Option<&[String]>,
    override_id: Option<(&[String], &str)>,
) -> Value {
    let base = named(ty);
    let type_name = base["name"].as_str().unwrap_or_default();
    let is_list =
        ty["kind"] == "LIST" || (ty["kind"] == "NON_NULL" && ty["ofType"]["kind"] == "LIST");
    if is_list {
        return json!([]);
    }
    match (base["kind"].as_str().unwrap(), type_name) {
        ("SCALAR", "ID") => match override_id {
            Some((p, id)) if p == path => json!(id),
            _ => json!(values.ids.of(kind_of(&field.name, name))),
        },
        ("SCALAR", "String") => match name {
            "tenant" => json!(values.tenant),
            "email" => json!(values.email),
            "password" => json!(values.password),
            "url" => json!("https://swept.example.org/swept.ics"),
            _ => json!("swept"),
        },
        ("SCALAR", "Int") => json!(1),
        ("SCALAR", "Boolean") => json!(false),
        ("SCALAR", "Date") => json!("2026-11-10"),
        ("SCALAR", "DateTime") => json!("2026-11-10T10:00:00Z"),
        ("SCALAR", _) => json!({}),
        ("ENUM", _) => types[type_name]["enumValues"][0]["name"].clone(),
        ("INPUT_OBJECT", "PeriodInput") => {
            json!({ "checkIn": "2026-11-10", "checkOut": "2026-11-12" })
        }
        ("INPUT_OBJECT", _) => {
            let mut obj = Map::new();
            for f in types[type_name]["inputFields"].as_array().unwrap() {
                let iv = input_value(f);
                let mut p = path.to_vec();
                p.push(iv.name.clone());
                let on_path = include.is_some_and(|inc| inc.starts_with(&p));
                if iv.required() || on_path {
                    obj.insert(
                        iv.name.clone(),
                        value(
                            field,
                            &iv.name,
                            &iv.ty,
                            types,
                            values,
                            &p,
                            include,
                            override_id,
                        ),
                    );
                }
            }
            Value::Object(obj)
        }
        other => panic!("{}: no value for {other:?}", field.name),
    }
}

/// Calls `field` with `args` as the holder of `token`.
pub async fn call(
    api: &Api,
    token: Option<&str>,
    field: &Field,
    args: Map<String, Value>,
) -> Answer {
    let selection = match named(&field.returns)["kind"].as_str().unwrap() {
        "OBJECT" | "INTERFACE" | "UNION" => " { __typename }".to_owned(),
        _ => String::new(),
    };
    call_selecting(api, token, field, args, &selection).await
}

/// [`call`] selecting `selection` of the field's answer.
pub async fn call_selecting(
    api: &Api,
    token: Option<&str>,
    field: &Field,
    args: Map<String, Value>,
    selection: &str,
) -> Answer {
    let mut decls = Vec::new();
    let mut uses = Vec::new();
    for arg in &field.args {
        if args.contains_key(&arg.name) {
            decls.push(format!("${}: {}", arg.name, render(&arg.ty)));
            uses.push(format!("{0}: ${0}", arg.name));
        }
    }
    let decls = if decls.is_empty() {
        String::new()
    } else {
        format!("({})", decls.join(", "))
    };
    let uses = if uses.is_empty() {
        String::new()
    } else {
        format!("({})", uses.join(", "))
    };
    let query = format!(
        "{} {decls} {{ {}{uses}{selection} }}",
        field.operation, field.name
    );
    api.run_as(token, &query, Value::Object(args)).await
}
