//! `berth policy plan DIR [--format json]`: what a candidate tenant directory
//! would change over the tenant's real data (`berth_core::plan`). The
//! candidate is checked and its tests run first, with the same library calls
//! and the same messages as `berth policy check` and `berth policy test`; a
//! candidate that fails them is refused (exit 1) before anything is read. The
//! live policy is the one `serve` would serve: the tenant's directory under
//! `--tenants`, loaded and tested by the same registry. The data comes from
//! `--database-url`. Exit 0 when the plan ran, whatever it shows.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use berth_core::Engine;
use berth_core::clock::SystemClock;
use berth_core::money::Money;
use berth_core::plan::PolicyPlan;
use berth_core::policy::{Policy, PolicyProvider};
use berth_core::tenant::Tenant;
use berth_policy::check::{check_dir, test_dir};
use berth_policy::registry::{PolicyChange, PolicyRegistry};
use berth_policy::sandbox::Limits;
use berth_policy::{Runtime, TenantPolicy};
use clap::Args;

use crate::cli::DatabaseArgs;

/// How many rows of each table the readable output shows without `--all`.
const SCREENFUL: usize = 12;

/// `berth policy plan`'s arguments.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The candidate tenant directory (named after the tenant's slug).
    pub dir: PathBuf,
    /// `table` (readable) or `json` (every field; see policies/README.md).
    #[arg(long, value_enum, default_value = "table")]
    pub format: PlanFormat,
    /// List every changed reservation and unit-month, not a screenful.
    #[arg(long)]
    pub all: bool,
    /// Directory holding one sub-directory per tenant: the live policies.
    #[arg(long, env = "BERTH_TENANTS_DIR", default_value = "tenants")]
    pub tenants: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// The output of `berth policy plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// Aligned columns, money with its currency, totals.
    Table,
    /// The plan as JSON.
    Json,
}

/// Runs `berth policy plan`: false (exit 1) when the candidate fails its
/// check or tests; an error when the live policy or the data cannot be read.
pub async fn plan(args: PlanArgs) -> anyhow::Result<bool> {
    let runtime = Runtime::new(Limits::default()).context("compiling the built-in models")?;
    let Some(candidate) = checked_and_tested(&runtime, &args.dir)? else {
        return Ok(false);
    };
    let slug = candidate.slug().to_owned();
    let registry = Arc::new(PolicyRegistry::new(
        runtime,
        &args.tenants,
        Arc::new(SystemClock),
    ));
    let live_dir = args.tenants.join(&slug);
    match registry.reload(&slug) {
        PolicyChange::Activated { .. } | PolicyChange::Unchanged { .. } => {}
        PolicyChange::Rejected { diagnostics, .. } => {
            let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            bail!(
                "the live policy in {} does not load or fails its tests, so there is nothing to plan against:\n{}",
                live_dir.display(),
                lines.join("\n")
            );
        }
        PolicyChange::Deactivated { .. } => bail!(
            "no live policy of `{slug}`: {} has no tenant.yaml (set --tenants or BERTH_TENANTS_DIR)",
            live_dir.display()
        ),
    }
    let live: Arc<dyn Policy> = registry
        .get(&slug)
        .with_context(|| format!("no live policy of `{slug}`"))?;
    let (store, tenant) = super::open_tenant(&args.database, &slug).await?;
    let provider: Arc<dyn PolicyProvider> = registry;
    let engine = Engine::new(store, provider, Arc::new(SystemClock));
    let plan = engine
        .plan_policy(tenant.id, live, Arc::new(candidate))
        .await
        .context("planning")?;
    match args.format {
        PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
        PlanFormat::Table => print!("{}", render(&plan, &tenant, &args.dir, &live_dir, args.all)),
    }
    Ok(true)
}

/// The candidate in `dir`, when it passes `berth policy check` and `berth
/// policy test`; otherwise their messages on stderr and `None`.
fn checked_and_tested(
    runtime: &Runtime,
    dir: &std::path::Path,
) -> anyhow::Result<Option<TenantPolicy>> {
    let (policy, mut diagnostics) = check_dir(runtime, dir);
    let lang = policy.as_ref().map_or(crate::locale::Lang::En, |p| {
        crate::locale::Lang::of_locale(&p.config().locale)
    });
    diagnostics.extend(crate::workers::mail::templates::check_dir(
        &dir.join(crate::workers::mail::templates::OVERRIDES_DIR),
        lang,
    ));
    if !diagnostics.is_empty() {
        for d in &diagnostics {
            eprintln!("{d}");
        }
        eprintln!(
            "{}: does not pass `berth policy check`; nothing planned",
            dir.display()
        );
        return Ok(None);
    }
    let outcomes = match test_dir(runtime, dir) {
        Ok(outcomes) => outcomes,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            eprintln!("{}: does not load; nothing planned", dir.display());
            return Ok(None);
        }
    };
    let failed: Vec<_> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
    if !failed.is_empty() {
        for o in &failed {
            let why = o.failure.as_deref().unwrap_or_default();
            eprintln!("{}:{}: FAILED {}: {why}", o.file.display(), o.line, o.name);
        }
        eprintln!(
            "{} passed, {} failed",
            outcomes.len() - failed.len(),
            failed.len()
        );
        eprintln!(
            "{}: does not pass `berth policy test`; nothing planned",
            dir.display()
        );
        return Ok(None);
    }
    let Some(policy) = policy else {
        bail!("{} did not load", dir.display());
    };
    Ok(Some(policy))
}

/// `CHF 1,234.50`, `-CHF 20.00`; with `signed`, `+CHF 20.00` too.
pub fn money(m: &Money, signed: bool) -> String {
    let code = m.currency.as_str();
    let digits = crate::locale::format::currency_digits(code);
    let abs = m.amount_minor.unsigned_abs();
    let scale = 10u64.pow(digits);
    let grouped = group(&(abs / scale).to_string());
    let number = if digits == 0 {
        grouped
    } else {
        format!("{grouped}.{:0w$}", abs % scale, w = digits as usize)
    };
    let sign = match (m.amount_minor.signum(), signed) {
        (-1, _) => "-",
        (1, true) => "+",
        _ => "",
    };
    format!("{sign}{code} {number}")
}

/// Rows as aligned columns (two spaces apart, indented by two); the columns
/// in `right` are aligned right.
fn columns(rows: &[Vec<String>], right: &[usize]) -> String {
    let width = |col: usize| {
        rows.iter()
            .filter_map(|r| r.get(col))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count).map(width).collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (col, cell) in row.iter().enumerate() {
            let pad = widths[col].saturating_sub(cell.chars().count());
            line.push(' ');
            if right.contains(&col) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Digits grouped by three: `1,234,567`.
fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn thousands(n: u32) -> String {
    group(&n.to_string())
}

/// A cell shortened to `max` characters.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The readable plan.
pub fn render(
    plan: &PolicyPlan,
    tenant: &Tenant,
    candidate: &std::path::Path,
    live: &std::path::Path,
    all: bool,
) -> String {
    use std::fmt::Write as _;
    let s = &plan.summary;
    let dash = || "—".to_owned();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan of {}: {} against the live policy in {}",
        plan.tenant,
        candidate.display(),
        live.display()
    );
    let _ = writeln!(
        out,
        "Planned at {}: {} active reservations from then on, and {} sample quotes over the {} dates from {}.",
        plan.planned_at.format("%Y-%m-%d %H:%M UTC"),
        thousands(s.reservations_replayed),
        thousands(s.quotes_sampled),
        plan.sample_days,
        plan.sample_from
    );
    if plan.is_empty() {
        let _ = writeln!(
            out,
            "\nThe candidate changes nothing: every reservation and every sample quote is answered alike."
        );
        return out;
    }

    let _ = writeln!(
        out,
        "\nReservations: {} newly refused, {} newly accepted, {} repriced, {} refused differently",
        s.reservations_newly_refused,
        s.reservations_newly_accepted,
        s.reservations_repriced,
        s.reservations_refused_differently
    );
    if !plan.reservations.is_empty() {
        let mut rows = vec![
            [
                "ARRIVAL",
                "UNIT",
                "GUESTS",
                "CHANGE",
                "STORED",
                "CANDIDATE",
                "DIFFERENCE",
                "WHY",
            ]
            .map(str::to_owned)
            .to_vec(),
        ];
        let shown = if all {
            plan.reservations.len()
        } else {
            SCREENFUL
        };
        for r in plan.reservations.iter().take(shown) {
            let arrival = r.check_in.map_or_else(
                || {
                    r.start
                        .with_timezone(&tenant.timezone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                },
                |d| d.to_string(),
            );
            let why = r
                .violations
                .iter()
                .map(|v| v.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            rows.push(vec![
                arrival,
                clip(&r.unit_name, 24),
                r.guests.to_string(),
                r.change.as_str().replace('_', " "),
                r.stored_price.map_or_else(dash, |m| money(&m, false)),
                r.candidate_price.map_or_else(dash, |m| money(&m, false)),
                r.difference.map_or_else(dash, |m| money(&m, true)),
                clip(&why, 48),
            ]);
        }
        let mut total = vec![String::new(); 8];
        total[0] = "Total".into();
        total[6] = money(&s.reservations_price_difference, true);
        rows.push(total);
        out.push('\n');
        out.push_str(&columns(&rows, &[2, 4, 5, 6]));
        if plan.reservations.len() > shown {
            let _ = writeln!(
                out,
                "  … and {} more (--all or --format json lists every one)",
                plan.reservations.len() - shown
            );
        }
        let _ = writeln!(
            out,
            "  Existing reservations keep their stored price; the difference is information."
        );
    }

    let _ = writeln!(
        out,
        "\nQuote sample: {} newly refused, {} newly accepted, {} repriced; {} unit-dates newly closed, {} newly opened",
        thousands(s.quotes_newly_refused),
        thousands(s.quotes_newly_accepted),
        thousands(s.quotes_repriced),
        s.dates_newly_closed,
        s.dates_newly_opened
    );
    // One row per unit and month of arrival that changes.
    let mut rows = vec![
        [
            "UNIT",
            "MONTH",
            "LIVE",
            "CANDIDATE",
            "DIFFERENCE",
            "CLOSED",
            "OPENED",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let mut listed = 0_usize;
    let mut hidden = 0_usize;
    for unit in &plan.units {
        let mut months: BTreeMap<String, (Option<&berth_core::plan::MonthRevenue>, u32, u32)> =
            BTreeMap::new();
        for m in &unit.months {
            months.entry(m.month.clone()).or_default().0 = Some(m);
        }
        for d in &unit.dates_newly_closed {
            months.entry(d.format("%Y-%m").to_string()).or_default().1 += 1;
        }
        for d in &unit.dates_newly_opened {
            months.entry(d.format("%Y-%m").to_string()).or_default().2 += 1;
        }
        for (month, (revenue, closed, opened)) in months {
            if !all && listed >= SCREENFUL {
                hidden += 1;
                continue;
            }
            listed += 1;
            rows.push(vec![
                clip(&unit.unit_name, 24),
                month,
                revenue.map_or_else(dash, |m| money(&m.live, false)),
                revenue.map_or_else(dash, |m| money(&m.candidate, false)),
                revenue.map_or_else(dash, |m| money(&m.difference, true)),
                closed.to_string(),
                opened.to_string(),
            ]);
        }
    }
    rows.push(vec![
        "Total (all units)".into(),
        String::new(),
        money(&s.quoted_revenue_live, false),
        money(&s.quoted_revenue_candidate, false),
        money(&s.quoted_revenue_difference, true),
        s.dates_newly_closed.to_string(),
        s.dates_newly_opened.to_string(),
    ]);
    out.push('\n');
    out.push_str(&columns(&rows, &[2, 3, 4, 5, 6]));
    if hidden > 0 {
        let _ = writeln!(
            out,
            "  … and {hidden} more unit-months (--all or --format json lists every one)"
        );
    }
    let _ = writeln!(
        out,
        "  Quoted revenue: the totals of the sample requests each version accepts, by month of arrival."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_its_code_grouped_and_signed() {
        let chf = "CHF".parse().unwrap();
        let jpy = "JPY".parse().unwrap();
        assert_eq!(money(&Money::new(12_345_678, chf), false), "CHF 123,456.78");
        assert_eq!(money(&Money::new(-2_000, chf), true), "-CHF 20.00");
        assert_eq!(money(&Money::new(5, chf), true), "+CHF 0.05");
        assert_eq!(money(&Money::new(0, chf), true), "CHF 0.00");
        assert_eq!(money(&Money::new(1_234_567, jpy), false), "JPY 1,234,567");
        assert_eq!(thousands(1_440), "1,440");
    }

    #[test]
    fn columns_are_aligned_and_right_columns_right() {
        let rows = vec![
            vec!["A".to_owned(), "10".to_owned()],
            vec!["long".to_owned(), "2".to_owned()],
        ];
        assert_eq!(columns(&rows, &[1]), "  A     10\n  long   2\n");
    }
}
