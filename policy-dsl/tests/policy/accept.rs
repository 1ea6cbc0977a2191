//! `berth policy test --accept` over the fixture pairs of `accept/` (see its
//! README): each test file, written for `tenant.before.yaml`, is accepted under
//! `tenant.after.yaml` and must come out byte for byte as its `.after.yaml`,
//! printing its `.printed`; then only the cases named as not accepted fail, and
//! accepting again changes nothing.

use std::path::{Path, PathBuf};

use berth_policy::accept::{AcceptError, Acceptance, accept_dir};
use berth_policy::sandbox::Limits;
use berth_policy::{Runtime, TenantPolicy, loader, testcase};

use crate::support::Root;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policy/accept")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture names: every `NAME.before.yaml`.
fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".before.yaml")
                .filter(|n| *n != "tenant")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// Loads `tenant` (a fixture file) as the tenant.yaml of `dir`.
fn load(runtime: &Runtime, dir: &Path, tenant: &str) -> TenantPolicy {
    std::fs::copy(fixtures().join(tenant), dir.join(loader::TENANT_FILE)).unwrap();
    loader::load(runtime, dir, 1).unwrap_or_else(|e| panic!("{tenant}: {e:?}"))
}

/// What `berth policy test --accept` prints of `acceptance`, paths relative to
/// `dir`.
fn printed(acceptance: &Acceptance, dir: &Path) -> String {
    let mut lines: Vec<String> = acceptance
        .changes
        .iter()
        .map(ToString::to_string)
        .chain(acceptance.left_failing.iter().map(ToString::to_string))
        .collect();
    for e in &acceptance.errors {
        lines.push(e.to_string());
        if let AcceptError::Invalid { diagnostics, .. } = e {
            lines.extend(diagnostics.iter().map(ToString::to_string));
        }
    }
    let prefix = format!("{}/", dir.display());
    lines
        .iter()
        .map(|l| format!("{}\n", l.replace(&prefix, "")))
        .collect()
}

/// The names of the failing cases of `dir`, or `None` when a file does not read.
fn failing(policy: &TenantPolicy, dir: &Path) -> Option<Vec<String>> {
    let outcomes = testcase::run(policy, dir).ok()?;
    Some(
        outcomes
            .into_iter()
            .filter(|o| o.failure.is_some())
            .map(|o| o.name)
            .collect(),
    )
}

/// Runs fixture `name`; the differences from what it promises.
fn run_fixture(runtime: &Runtime, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let root = Root::new();
    let dir = root.0.join("lakeside");
    std::fs::create_dir_all(dir.join(loader::TESTS_DIR)).unwrap();
    let file = dir.join(loader::TESTS_DIR).join(format!("{name}.yaml"));
    let before = read(&fixtures().join(format!("{name}.before.yaml")));
    let after = read(&fixtures().join(format!("{name}.after.yaml")));
    std::fs::write(&file, &before).unwrap();

    // The cases were right for the rules they were written for.
    let old = load(runtime, &dir, "tenant.before.yaml");
    if let Some(failing) = failing(&old, &dir)
        && !failing.is_empty()
    {
        problems.push(format!("fails before the change: {failing:?}"));
    }

    let new = load(runtime, &dir, "tenant.after.yaml");
    let acceptance = accept_dir(&new, &dir);
    let expected = read(&fixtures().join(format!("{name}.printed")));
    let got = printed(&acceptance, &dir);
    if got != expected {
        problems.push(format!("printed\n{got}instead of\n{expected}"));
    }
    let rewritten = read(&file);
    if rewritten != after {
        problems.push(format!("the file became\n{rewritten}"));
    }
    let written = !acceptance.written.is_empty();
    if written != (before != after) {
        problems.push(format!("written: {:?}", acceptance.written));
    }

    // Exactly the cases not accepted still fail.
    if let Some(failing) = failing(&new, &dir) {
        let named: Vec<String> = acceptance
            .left_failing
            .iter()
            .map(|l| l.case.clone())
            .collect();
        if failing != named {
            problems.push(format!("failing after accepting: {failing:?}"));
        }
    }

    // Accepting again finds nothing to change.
    let again = accept_dir(&new, &dir);
    if !again.changes.is_empty() || !again.written.is_empty() || read(&file) != after {
        problems.push(format!("accepting again changed {:?}", again.changes));
    }
    problems
}

#[test]
fn accepting_rewrites_only_the_figures_of_failing_cases() {
    let runtime = Runtime::new(Limits::default()).unwrap();
    let names = names();
    for expected in [
        "comments", "flow", "in_place", "lines", "quoted", "refusal", "string",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    let failures: Vec<String> = names
        .iter()
        .flat_map(|name| {
            run_fixture(&runtime, name)
                .into_iter()
                .map(move |p| format!("{name}: {p}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_directory_without_failures_is_not_written() {
    let runtime = Runtime::new(Limits::default()).unwrap();
    let root = Root::new();
    let dir = root.0.join("lakeside");
    std::fs::create_dir_all(dir.join(loader::TESTS_DIR)).unwrap();
    let file = dir.join(loader::TESTS_DIR).join("cases.yaml");
    std::fs::copy(fixtures().join("comments.before.yaml"), &file).unwrap();
    let policy = load(&runtime, &dir, "tenant.before.yaml");
    let inode = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&file).unwrap());
    let was = inode();
    let acceptance = accept_dir(&policy, &dir);
    assert!(acceptance.changes.is_empty(), "{:?}", acceptance.changes);
    assert!(acceptance.written.is_empty() && acceptance.errors.is_empty());
    // A rename would have put another file in its place.
    assert_eq!(inode(), was, "the file was replaced");
    let names: Vec<_> = std::fs::read_dir(dir.join(loader::TESTS_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["cases.yaml"], "no temporary file is left");
}
