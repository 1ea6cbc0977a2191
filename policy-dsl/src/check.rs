//! `berth policy check` and `berth policy test` as library functions: everything
//! wrong with a tenant directory (its `tenant.yaml`, hooks, `seed.yaml` and test
//! files), and the outcome of its test cases.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::loader::{self, SEED_FILE};
use crate::models::Runtime;
use crate::seed::{SeedFile, seed_schema};
use crate::tenant_policy::TenantPolicy;
use crate::testcase::{self, CaseOutcome, TestFile, tests_schema};

/// Every problem in the tenant directory `dir`; empty when it is valid. A valid
/// directory also yields its compiled policy.
pub fn check_dir(runtime: &Runtime, dir: &Path) -> (Option<TenantPolicy>, Vec<Diagnostic>) {
    let (policy, mut diagnostics) = match loader::load(runtime, dir, 0) {
        Ok(policy) => (Some(policy), Vec::new()),
        Err(errors) => (None, errors),
    };
    let seed = dir.join(SEED_FILE);
    if seed.exists()
        && let Err(mut errors) = loader::read_checked::<SeedFile>(&seed, &seed_schema())
    {
        diagnostics.append(&mut errors);
    }
    for file in testcase::test_files(dir) {
        if let Err(mut errors) = loader::read_checked::<TestFile>(&file, &tests_schema()) {
            diagnostics.append(&mut errors);
        }
    }
    (policy, diagnostics)
}

/// Loads the tenant in `dir` and runs its test cases.
pub fn test_dir(runtime: &Runtime, dir: &Path) -> Result<Vec<CaseOutcome>, Vec<Diagnostic>> {
    let policy = loader::load(runtime, dir, 0)?;
    testcase::run(&policy, dir)
}

/// The tenant directories under `root` (those with a `tenant.yaml`), sorted.
pub fn tenant_dirs(root: &Path) -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join(loader::TENANT_FILE).is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}
