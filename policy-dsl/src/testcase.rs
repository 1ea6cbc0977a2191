//! Policy test cases: `tenants/<slug>/tests/*.yaml`, each a list of requests with
//! the decision and price the tenant expects. They run through exactly the
//! evaluation the engine runs for a quote (`berth_core::engine::evaluate`), so a
//! passing case is a promise about production behaviour. A candidate policy goes
//! live only if all its cases pass. A case runs in two halves: `observe` (what
//! the request comes to) and `judge` (whether that is what the case expects),
//! so that `accept` can try a case's expectation with new figures.

use std::path::{Path, PathBuf};

use berth_core::engine::evaluate;
use berth_core::ids::{TenantId, UnitId};
use berth_core::money::Price;
use berth_core::policy::{Party, PeriodRequest, PolicyContext};
use berth_core::quantity::{Guests, Inventory, Quantity};
use berth_core::tenant::Tenant;
use berth_core::unit::Unit;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::ModelKind;
use crate::diagnostic::Diagnostic;
use crate::loader::{TESTS_DIR, read_checked};
use crate::tenant_policy::{TenantPolicy, local_to_utc};

/// A file of test cases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "berth policy tests")]
pub struct TestFile {
    /// The instant every case is evaluated at, unless a case sets its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"2026-11-02T09:00:00Z")]
    pub now: Option<DateTime<Utc>>,
    /// The unit every case books, unless a case sets its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<TestUnit>,
    /// The cases.
    #[schemars(length(min = 1))]
    pub cases: Vec<TestCase>,
}

/// The unit a case books.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestUnit {
    /// Name.
    #[serde(default = "default_unit_name")]
    pub name: String,
    /// Identical items.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub inventory: u32,
    /// Most guests per item.
    #[serde(default = "default_max_guests")]
    #[schemars(range(min = 1))]
    pub max_guests: u32,
    /// Attributes (e.g. `base_rate`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

fn default_unit_name() -> String {
    "Test unit".into()
}
fn one() -> u32 {
    1
}
fn default_max_guests() -> u32 {
    10
}

/// One case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the case shows.
    pub name: String,
    /// Evaluation instant for this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<DateTime<Utc>>,
    /// Unit for this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<TestUnit>,
    /// The request.
    pub request: TestRequest,
    /// What must come out.
    pub expect: Expectation,
}

/// A request: dates for nightly, `start` for timeslot, `start` + `end` for interval.
/// Times are tenant-local (`2026-12-10T09:00`) or RFC 3339 with an offset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// Nightly: arrival date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in: Option<NaiveDate>,
    /// Nightly: departure date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_out: Option<NaiveDate>,
    /// Timeslot or interval: the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"2026-12-10T09:00")]
    pub start: Option<String>,
    /// Interval: the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// People.
    #[schemars(range(min = 1))]
    pub guests: u32,
    /// Items or seats.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub quantity: u32,
}

/// The expected outcome. Only the fields given are checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Whether the rules accept the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// The violation codes, exactly (order does not matter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<String>>,
    /// The total in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// The price lines' kinds and amounts, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<ExpectedLine>>,
    /// An error code instead of a decision (`INVALID_INPUT`, `POLICY_ERROR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An expected price line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedLine {
    /// Line kind (`nights`, `fee`, `tax`, `discount`, `extra_guests`, …).
    pub kind: String,
    /// Amount in minor units.
    pub amount: i64,
}

/// The JSON Schema of test files.
pub fn tests_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(TestFile)).unwrap_or_default()
}

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOutcome {
    /// Where the case is written.
    pub file: PathBuf,
    /// Its line.
    pub line: u64,
    /// Its name.
    pub name: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

/// The test files of a tenant directory, sorted.
pub fn test_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(TESTS_DIR))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs every case of every test file of `dir` against `policy`. Files that do
/// not parse or validate are reported as diagnostics.
pub fn run(policy: &TenantPolicy, dir: &Path) -> Result<Vec<CaseOutcome>, Vec<Diagnostic>> {
    let schema = tests_schema();
    let mut outcomes = Vec::new();
    let mut errors = Vec::new();
    for file in test_files(dir) {
        match read_checked::<TestFile>(&file, &schema) {
            Err(mut e) => errors.append(&mut e),
            Ok((tests, doc)) => {
                for (i, case) in tests.cases.iter().enumerate() {
                    let (line, _) = doc.position(&format!("/cases/{i}"));
                    let failure = run_case(policy, &tests, case).err();
                    outcomes.push(CaseOutcome {
                        file: file.clone(),
                        line,
                        name: case.name.clone(),
                        failure,
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(outcomes)
    } else {
        Err(errors)
    }
}

fn parse_instant(tz: chrono_tz::Tz, text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|local| local_to_utc(tz, local))
        .ok_or_else(|| format!("`{text}` is not a date-time (2026-12-10T09:00)"))
}

fn run_case(policy: &TenantPolicy, file: &TestFile, case: &TestCase) -> Result<(), String> {
    judge(&case.expect, &observe(policy, file, case)?)
}

/// What a case's request came to under a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// A decision: accepted when no rule is broken, and the price when one was
    /// computed.
    Decision {
        /// The codes of the rules broken.
        violations: Vec<String>,
        /// The price.
        price: Option<Price>,
    },
    /// An error instead of a decision.
    Error {
        /// Its code (`VALIDATION`, `INVALID_INPUT`, `POLICY_ERROR`, …).
        code: String,
        /// What it says.
        detail: String,
        /// For a refusal while resolving the period, the codes of the rules
        /// broken: it counts as a decision unless the case expects an error.
        violations: Option<Vec<String>>,
    },
}

/// Evaluates `case` of `file` under `policy` as the engine would for a quote;
/// `Err` when the case itself cannot be run (no `now`, a request that does not
/// fit the model).
pub fn observe(
    policy: &TenantPolicy,
    file: &TestFile,
    case: &TestCase,
) -> Result<Observed, String> {
    let config = policy.config();
    let tz: chrono_tz::Tz = config
        .timezone
        .parse()
        .map_err(|_| "bad timezone".to_owned())?;
    let now = case
        .now
        .or(file.now)
        .ok_or("no `now`: set it in the file or the case")?;
    let tenant = Tenant {
        id: TenantId::new(),
        slug: config.slug.parse().map_err(|e| format!("{e}"))?,
        name: config.name.clone(),
        timezone: tz,
        currency: config.currency.parse().map_err(|e| format!("{e}"))?,
        locale: config.locale.clone(),
        created_at: now,
    };
    let spec = case
        .unit
        .clone()
        .or_else(|| file.unit.clone())
        .unwrap_or(TestUnit {
            name: default_unit_name(),
            inventory: 1,
            max_guests: default_max_guests(),
            attributes: serde_json::Map::new(),
        });
    let unit = Unit {
        id: UnitId::new(),
        tenant_id: tenant.id,
        name: spec.name,
        kind: None,
        inventory: Inventory::new(i64::from(spec.inventory)).map_err(|e| e.to_string())?,
        max_guests: Guests::new(i64::from(spec.max_guests)).map_err(|e| e.to_string())?,
        description: None,
        amenities: vec![],
        images: vec![],
        attributes: serde_json::Value::Object(spec.attributes),
        archived: false,
        created_at: now,
    };
    let r = &case.request;
    let period = match config.model {
        ModelKind::Nightly => PeriodRequest::Nights {
            check_in: r.check_in.ok_or("a nightly request needs `check_in`")?,
            check_out: r.check_out.ok_or("a nightly request needs `check_out`")?,
        },
        ModelKind::Timeslot => PeriodRequest::Slot {
            start: parse_instant(
                tz,
                r.start
                    .as_deref()
                    .ok_or("a timeslot request needs `start`")?,
            )?,
        },
        ModelKind::Interval => PeriodRequest::Interval {
            start: parse_instant(
                tz,
                r.start
                    .as_deref()
                    .ok_or("an interval request needs `start`")?,
            )?,
            end: parse_instant(
                tz,
                r.end.as_deref().ok_or("an interval request needs `end`")?,
            )?,
        },
    };
    let party = Party {
        guests: Guests::new(i64::from(r.guests)).map_err(|e| e.to_string())?,
        quantity: Quantity::new(i64::from(r.quantity)).map_err(|e| e.to_string())?,
    };
    let ctx = PolicyContext {
        tenant: &tenant,
        unit: &unit,
        now,
    };
    Ok(match evaluate(policy, &ctx, &period, &party) {
        Err(e) => {
            let code = e.code().as_str().to_owned();
            match &e {
                berth_core::EngineError::Validation(v) => Observed::Error {
                    code,
                    detail: v
                        .iter()
                        .map(|v| v.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    violations: Some(v.iter().map(|v| v.code.clone()).collect()),
                },
                other => Observed::Error {
                    code,
                    detail: other.to_string(),
                    violations: None,
                },
            }
        }
        Ok(evaluation) => Observed::Decision {
            violations: evaluation
                .violations
                .iter()
                .map(|v| v.code.clone())
                .collect(),
            price: evaluation.price,
        },
    })
}

/// Whether `observed` is what `expect` asks for; `Err` says every difference.
pub fn judge(expect: &Expectation, observed: &Observed) -> Result<(), String> {
    match observed {
        // A refusal while resolving the period counts as a decision.
        Observed::Error {
            violations: Some(codes),
            ..
        } if expect.error.is_none() => check_decision(expect, false, codes, None),
        Observed::Error { code, detail, .. } => match &expect.error {
            Some(expected) if expected == code => Ok(()),
            Some(expected) => Err(format!("expected error {expected}, got {code}: {detail}")),
            None => Err(format!("unexpected error {code}: {detail}")),
        },
        Observed::Decision { violations, price } => match &expect.error {
            Some(expected) => Err(format!("expected error {expected}, got a decision")),
            None => check_decision(expect, violations.is_empty(), violations, price.as_ref()),
        },
    }
}

fn check_decision(
    expect: &Expectation,
    accepted: bool,
    codes: &[String],
    price: Option<&Price>,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Some(want) = expect.accepted
        && want != accepted
    {
        problems.push(format!(
            "expected {}, got {}{}",
            if want { "accepted" } else { "refused" },
            if accepted { "accepted" } else { "refused" },
            if codes.is_empty() {
                String::new()
            } else {
                format!(" ({})", codes.join(", "))
            }
        ));
    }
    if let Some(want) = &expect.violations {
        let (mut a, mut b) = (want.clone(), codes.to_vec());
        a.sort();
        b.sort();
        if a != b {
            problems.push(format!(
                "expected violations [{}], got [{}]",
                a.join(", "),
                b.join(", ")
            ));
        }
    }
    if let Some(want) = expect.total {
        match price {
            Some(p) if p.total.amount_minor == want => {}
            Some(p) => problems.push(format!(
                "expected total {want}, got {} ({})",
                p.total.amount_minor,
                p.lines
                    .iter()
                    .map(|l| format!("{} {}", l.kind, l.amount.amount_minor))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => problems.push(format!("expected total {want}, got no price")),
        }
    }
    if let Some(want) = &expect.lines {
        let got: Vec<ExpectedLine> = price
            .map(|p| {
                p.lines
                    .iter()
                    .map(|l| ExpectedLine {
                        kind: l.kind.clone(),
                        amount: l.amount.amount_minor,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if &got != want {
            let show = |v: &[ExpectedLine]| {
                v.iter()
                    .map(|l| format!("{} {}", l.kind, l.amount))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            problems.push(format!(
                "expected lines [{}], got [{}]",
                show(want),
                show(&got)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
