//! `berth policy check|test`, `berth schema policy` and `berth tenant init`: the
//! tools of tenant configurators. Errors print as `file:line:col: message`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use berth_policy::Runtime;
use berth_policy::check::{check_dir, tenant_dirs, test_dir};
use berth_policy::config::ModelKind;
use berth_policy::sandbox::Limits;

/// The directories to work on: the ones given, or every tenant under `root`.
fn dirs_or_all(dirs: Vec<PathBuf>, root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dirs = if dirs.is_empty() {
        tenant_dirs(root)
    } else {
        dirs
    };
    if dirs.is_empty() {
        bail!(
            "no tenant directories (with a tenant.yaml) under {}",
            root.display()
        );
    }
    Ok(dirs)
}

fn runtime() -> anyhow::Result<Runtime> {
    Runtime::new(Limits::default()).context("compiling the built-in models")
}

/// Checks every file of each tenant directory; false when anything is wrong.
pub fn check(dirs: Vec<PathBuf>, root: &Path) -> anyhow::Result<bool> {
    let runtime = runtime()?;
    let mut ok = true;
    for dir in dirs_or_all(dirs, root)? {
        let (_, diagnostics) = check_dir(&runtime, &dir);
        if diagnostics.is_empty() {
            println!("{}: ok", dir.display());
        }
        for d in &diagnostics {
            println!("{d}");
        }
        ok &= diagnostics.is_empty();
    }
    Ok(ok)
}

/// Runs each tenant's test cases and prints `N passed, N failed`; false on any
/// failure or any tenant that does not load.
pub fn test(dirs: Vec<PathBuf>, root: &Path) -> anyhow::Result<bool> {
    let runtime = runtime()?;
    let (mut passed, mut failed) = (0_usize, 0_usize);
    for dir in dirs_or_all(dirs, root)? {
        match test_dir(&runtime, &dir) {
            Err(diagnostics) => {
                for d in &diagnostics {
                    println!("{d}");
                }
                println!("{}: does not load; its tests were not run", dir.display());
                failed += 1;
            }
            Ok(outcomes) => {
                for o in &outcomes {
                    match &o.failure {
                        None => passed += 1,
                        Some(why) => {
                            failed += 1;
                            println!("{}:{}: FAILED {}: {why}", o.file.display(), o.line, o.name);
                        }
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// Which schema `berth schema policy` prints.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SchemaFile {
    /// `tenant.yaml`.
    Tenant,
    /// `tests/*.yaml`.
    Tests,
    /// `seed.yaml`.
    Seed,
}

/// Prints a JSON Schema of the tenant files.
pub fn print_schema(file: SchemaFile) -> anyhow::Result<()> {
    let wanted = match file {
        SchemaFile::Tenant => "tenant.schema.json",
        SchemaFile::Tests => "tests.schema.json",
        SchemaFile::Seed => "seed.schema.json",
    };
    let schema = berth_policy::schema::all()
        .into_iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, s)| s)
        .context("unknown schema")?;
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(())
}

/// Scaffolds `root/slug` for `model`: a commented tenant.yaml with the schema
/// modeline, a seed.yaml and one test case — valid and passing as created.
pub fn init(slug: &str, model: ModelKind, root: &Path) -> anyhow::Result<()> {
    let slug_ok: Result<berth_core::tenant::TenantSlug, _> = slug.parse();
    slug_ok.with_context(|| format!("`{slug}` cannot be a tenant slug"))?;
    let dir = root.join(slug);
    if dir.exists() {
        bail!("{} already exists", dir.display());
    }
    std::fs::create_dir_all(dir.join("tests"))?;
    let (tenant, seed, test) = scaffold(slug, model);
    std::fs::write(dir.join("tenant.yaml"), tenant)?;
    std::fs::write(dir.join("seed.yaml"), seed)?;
    std::fs::write(dir.join("tests/basics.yaml"), test)?;
    println!(
        "created {} ({} model); edit tenant.yaml, then run `berth policy test {}`",
        dir.display(),
        model.as_str(),
        dir.display()
    );
    Ok(())
}

fn scaffold(slug: &str, model: ModelKind) -> (String, String, String) {
    let head = format!(
        "# yaml-language-server: $schema=../../policies/schema/tenant.schema.json\n\
         # The rules and prices of {slug}. Amounts are in minor units (cents).\n\
         slug: {slug}\n\
         name: {slug}\n\
         timezone: Europe/Berlin\n\
         currency: EUR\n\
         locale: en-US\n\
         model: {}\n",
        model.as_str()
    );
    let seed_head = "# yaml-language-server: $schema=../../policies/schema/seed.schema.json\n";
    let test_head = "# yaml-language-server: $schema=../../../policies/schema/tests.schema.json\n\
                     # Each case is a request and what the policy must answer.\n\
                     now: 2030-01-07T09:00:00Z\n";
    match model {
        ModelKind::Nightly => (
            format!(
                "{head}nightly:\n  check_in_time: \"15:00\"   # arrival from\n  check_out_time: \"10:00\"  # departure by\n  min_nights: 1\npricing:\n  base_rate: 10000         # per night\n"
            ),
            format!("{seed_head}units:\n  - name: Room 1\n    inventory: 1\n    max_guests: 2\n"),
            format!(
                "{test_head}cases:\n  - name: two nights at the base rate\n    request: {{ check_in: 2030-02-04, check_out: 2030-02-06, guests: 2 }}\n    expect: {{ accepted: true, total: 20000 }}\n"
            ),
        ),
        ModelKind::Timeslot => (
            format!(
                "{head}timeslot:\n  duration_minutes: 60\n  schedule:             # start times per weekday\n    mon: [\"10:00\", \"14:00\"]\npricing:\n  base_rate: 2500         # per seat\n"
            ),
            format!("{seed_head}units:\n  - name: Tour\n    inventory: 10\n    max_guests: 1\n"),
            format!(
                "{test_head}unit: {{ inventory: 10, max_guests: 1 }}\ncases:\n  - name: two seats on a Monday slot\n    request: {{ start: \"2030-02-04T10:00\", guests: 2, quantity: 2 }}\n    expect: {{ accepted: true, total: 5000 }}\n"
            ),
        ),
        ModelKind::Interval => (
            format!(
                "{head}interval:\n  granularity_minutes: 30\n  min_duration_minutes: 60\n  opening_hours:\n    mon: {{ open: \"09:00\", close: \"18:00\" }}\npricing:\n  base_rate: 1500         # per started hour\n"
            ),
            format!("{seed_head}units:\n  - name: Bike\n    inventory: 4\n    max_guests: 1\n"),
            format!(
                "{test_head}cases:\n  - name: two hours on a Monday\n    request: {{ start: \"2030-02-04T10:00\", end: \"2030-02-04T12:00\", guests: 1 }}\n    expect: {{ accepted: true, total: 3000 }}\n"
            ),
        ),
    }
}
