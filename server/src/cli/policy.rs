//! `berth policy check|test`, `berth schema policy` and `berth tenant init`: the
//! tools of tenant configurators. Errors print as `file:line:col: message`.
//! `check` also checks the tenant's e-mail templates (`emails/`, see
//! `mail::templates`); `test --accept` rewrites the expected figures of failing
//! cases (`berth_policy::accept`) before running them.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use berth_policy::Runtime;
use berth_policy::accept::{AcceptError, accept_dir};
use berth_policy::check::{check_dir, tenant_dirs};
use berth_policy::config::ModelKind;
use berth_policy::sandbox::Limits;
use berth_policy::{loader, testcase};

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
        let (policy, mut diagnostics) = check_dir(&runtime, &dir);
        // Overrides are checked in the tenant's language (English when its
        // tenant.yaml does not load).
        let lang = policy.as_ref().map_or(crate::locale::Lang::En, |p| {
            crate::locale::Lang::of_locale(&p.config().locale)
        });
        diagnostics.extend(crate::workers::mail::templates::check_dir(
            &dir.join(crate::workers::mail::templates::OVERRIDES_DIR),
            lang,
        ));
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
/// failure or any tenant that does not load. With `accept`, the expected figures
/// of failing cases are first rewritten to what the policy computes, each change
/// printed, and the cases that fail for another reason named.
pub fn test(dirs: Vec<PathBuf>, root: &Path, accept: bool) -> anyhow::Result<bool> {
    let runtime = runtime()?;
    let (mut passed, mut failed) = (0_usize, 0_usize);
    let (mut accepted, mut written) = (0_usize, 0_usize);
    for dir in dirs_or_all(dirs, root)? {
        let outcomes = loader::load(&runtime, &dir, 0).and_then(|policy| {
            if accept {
                let acceptance = accept_dir(&policy, &dir);
                for change in &acceptance.changes {
                    println!("{change}");
                }
                for case in &acceptance.left_failing {
                    println!("{case}");
                }
                // A file that does not read is reported by the run below.
                for e in &acceptance.errors {
                    if !matches!(e, AcceptError::Invalid { .. }) {
                        println!("{e}");
                    }
                }
                accepted += acceptance.changes.len();
                written += acceptance.written.len();
            }
            testcase::run(&policy, &dir)
        });
        match outcomes {
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
    if accept {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        println!(
            "accepted {} in {}",
            plural(accepted, "figure", "figures"),
            plural(written, "file", "files")
        );
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
    berth_policy::scaffold::write(&dir, slug, model)
        .with_context(|| format!("writing {}", dir.display()))?;
    println!(
        "created {} ({} model); edit tenant.yaml, then run `berth policy test {}`",
        dir.display(),
        model.as_str(),
        dir.display()
    );
    Ok(())
}
