//! Candidate policies: a tenant directory loaded, checked and tested without
//! going live — what a reload does before it swaps (`load_and_test`), and what
//! a plan asks of files an editor sends (`from_files`: paths and texts, as
//! GraphQL `planPolicy` takes them).
//!
//! Files are loaded by the same loader as a directory on disk: they are
//! written to a private temporary directory named after the tenant (the slug
//! must equal the directory name), next to copies of the live directory's
//! other files — the pictures its profile names, which an editor does not send
//! — and the directory is removed afterwards. Diagnostics name files by their
//! paths inside the tenant directory (`tests/pricing.yaml:143:1: …`).

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use berth_core::policy::PolicyFile;
use berth_core::policy_candidate::{
    CandidateReport, FigureAcceptance, FigureChange, LeftFailing, PolicyCaseOutcome, PolicyProblem,
};

use crate::diagnostic::Diagnostic;
use crate::loader;
use crate::models::Runtime;
use crate::tenant_policy::TenantPolicy;
use crate::testcase;

/// The most files one candidate may have.
pub const MAX_FILES: usize = 200;
/// The most bytes of text one candidate may have, all files together.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Loads and compiles the tenant in `dir` as `version` and runs its test
/// cases: the policy when it loads and every case passes, else every problem
/// (a failing case as `file:line:1: test case `name` failed: why`).
pub fn load_and_test(
    runtime: &Runtime,
    dir: &Path,
    version: u64,
) -> Result<TenantPolicy, Vec<Diagnostic>> {
    load_and_test_with(runtime, dir, version, loader::PictureFiles::Required)
}

/// [`load_and_test`], the profile's pictures treated as `pictures` says.
fn load_and_test_with(
    runtime: &Runtime,
    dir: &Path,
    version: u64,
    pictures: loader::PictureFiles,
) -> Result<TenantPolicy, Vec<Diagnostic>> {
    let policy = loader::load_with(runtime, dir, version, pictures)?;
    let outcomes = testcase::run(&policy, dir)?;
    let failures: Vec<Diagnostic> = outcomes
        .into_iter()
        .filter_map(|o| {
            o.failure.map(|why| Diagnostic {
                file: o.file,
                line: o.line,
                column: 1,
                yaml_path: None,
                message: format!("test case `{}` failed: {why}", o.name),
            })
        })
        .collect();
    if failures.is_empty() {
        Ok(policy)
    } else {
        Err(failures)
    }
}

/// Loads `files` as the directory of tenant `slug` (version 0) and runs its
/// tests, as [`load_and_test`] does; the files of `live_dir` that are not
/// YAML or Rhai (pictures) are there too. Files sent through the API name
/// their pictures only: a picture missing from this instance's disk is not
/// refused, one present is checked (docs/decisions/0168).
pub fn from_files(
    runtime: &Runtime,
    live_dir: Option<&Path>,
    slug: &str,
    files: &[PolicyFile],
) -> Result<TenantPolicy, Vec<Diagnostic>> {
    in_scratch(live_dir, slug, files, |dir| {
        load_and_test_with(runtime, dir, 0, loader::PictureFiles::Named)
    })
}

/// [`from_files`] as published policy `version` (docs/decisions/0162): the
/// pictures its profile names need not be in `live_dir` (they were checked
/// where the version was published and are served from the database;
/// docs/decisions/0168).
pub fn from_files_as(
    runtime: &Runtime,
    live_dir: Option<&Path>,
    slug: &str,
    files: &[PolicyFile],
    version: u64,
) -> Result<TenantPolicy, Vec<Diagnostic>> {
    in_scratch(live_dir, slug, files, |dir| {
        load_and_test_with(runtime, dir, version, loader::PictureFiles::Named)
    })
}

/// Loads `files` as [`from_files`] does and runs every test case, reporting
/// what stopped it from loading or each case's outcome: a failing candidate
/// is the answer, not an error.
pub fn report_from_files(
    runtime: &Runtime,
    live_dir: Option<&Path>,
    slug: &str,
    files: &[PolicyFile],
) -> CandidateReport {
    let ran = in_scratch(live_dir, slug, files, |dir| {
        let policy = loader::load_with(runtime, dir, 0, loader::PictureFiles::Named)?;
        let outcomes = testcase::run(&policy, dir)?;
        Ok(outcomes
            .into_iter()
            .map(|o| PolicyCaseOutcome {
                file: inside(dir, &o.file).display().to_string(),
                line: o.line,
                name: o.name,
                failure: o.failure,
            })
            .collect())
    });
    match ran {
        Ok(cases) => CandidateReport {
            problems: Vec::new(),
            cases,
        },
        Err(diagnostics) => CandidateReport {
            problems: diagnostics.into_iter().map(problem).collect(),
            cases: Vec::new(),
        },
    }
}

/// Accepts the figures of the failing price cases of the test files among
/// `files` under the candidate they make (see [`crate::accept::accept_text`]),
/// returning the new texts; the candidate's problems when it does not load.
pub fn accept_from_files(
    runtime: &Runtime,
    live_dir: Option<&Path>,
    slug: &str,
    files: &[PolicyFile],
) -> Result<FigureAcceptance, Vec<Diagnostic>> {
    let policy = in_scratch(live_dir, slug, files, |dir| {
        loader::load_with(runtime, dir, 0, loader::PictureFiles::Named)
    })?;
    let mut acceptance = FigureAcceptance::default();
    let mut problems = Vec::new();
    for file in files.iter().filter(|f| is_test_file(&f.path)) {
        match crate::accept::accept_text(&policy, Path::new(&file.path), &file.text) {
            Ok(accepted) => {
                acceptance
                    .changes
                    .extend(accepted.changes.into_iter().map(|c| FigureChange {
                        file: c.file.display().to_string(),
                        line: c.line,
                        case: c.case,
                        figure: c.figure.to_string(),
                        was: c.was,
                        now: c.now,
                    }));
                acceptance
                    .left_failing
                    .extend(accepted.left_failing.into_iter().map(|l| LeftFailing {
                        file: l.file.display().to_string(),
                        line: l.line,
                        case: l.case,
                        reason: l.reason.to_string(),
                    }));
                if let Some(text) = accepted.text {
                    acceptance.files.push(PolicyFile {
                        path: file.path.clone(),
                        text,
                    });
                }
            }
            Err(crate::accept::AcceptError::Invalid { diagnostics, .. }) => {
                problems.extend(diagnostics);
            }
            Err(other) => problems.push(Diagnostic::file(&file.path, other.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(acceptance)
    } else {
        Err(problems)
    }
}

/// Whether `path` names a test file of a tenant directory (`tests/*.yaml`).
fn is_test_file(path: &str) -> bool {
    path.starts_with("tests/")
        && Path::new(path)
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml")
}

/// A diagnostic as core's [`PolicyProblem`].
fn problem(d: Diagnostic) -> PolicyProblem {
    PolicyProblem {
        file: d.file.display().to_string(),
        line: d.line,
        column: d.column,
        message: d.message,
        yaml_path: d.yaml_path,
    }
}

/// Writes `files` into a private directory named after `slug`, with the
/// files of `live_dir` that are not YAML or Rhai, and runs `work` on it;
/// diagnostics name files relative to the directory. Files that cannot be
/// a tenant directory's (too many, too large, a path outside it) are
/// refused before anything is written.
fn in_scratch<T>(
    live_dir: Option<&Path>,
    slug: &str,
    files: &[PolicyFile],
    work: impl FnOnce(&Path) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    if files.len() > MAX_FILES {
        problems.push(Diagnostic::file(
            ".",
            format!(
                "a tenant directory has at most {MAX_FILES} files; {} given",
                files.len()
            ),
        ));
    }
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    if bytes > MAX_BYTES {
        problems.push(Diagnostic::file(
            ".",
            format!("a tenant directory's files hold at most {MAX_BYTES} bytes; {bytes} given"),
        ));
    }
    for f in files {
        if relative_inside(&f.path).is_none() {
            problems.push(Diagnostic::file(
                &f.path,
                "must be a relative path inside the tenant directory (no `..`, no leading `/`)",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let scratch = Scratch::new(slug).map_err(|e| {
        vec![Diagnostic::file(
            ".",
            format!("cannot prepare the candidate: {e}"),
        )]
    })?;
    let dir = scratch.dir();
    let written = (|| -> std::io::Result<()> {
        if let Some(live) = live_dir {
            copy_other_files(live, &dir, 0)?;
        }
        for f in files {
            let Some(relative) = relative_inside(&f.path) else {
                continue;
            };
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, &f.text)?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        return Err(vec![Diagnostic::file(
            ".",
            format!("cannot prepare the candidate: {e}"),
        )]);
    }
    work(&dir).map_err(|diagnostics| {
        diagnostics
            .into_iter()
            .map(|mut d| {
                d.file = inside(&dir, &d.file).to_path_buf();
                d
            })
            .collect()
    })
}

/// `path` relative to `dir` when it is inside it, else as it is.
fn inside<'p>(dir: &Path, path: &'p Path) -> &'p Path {
    path.strip_prefix(dir).unwrap_or(path)
}

/// `path` as a relative path of normal components, or `None`.
fn relative_inside(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let normal = !path.is_empty()
        && !path.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    normal.then(|| p.to_path_buf())
}

/// Copies the files of `from` that are neither YAML nor Rhai (pictures, other
/// assets) into `to`, a few levels deep, leaving symbolic links out, and the
/// e-mail templates out: a candidate's templates are its files'.
fn copy_other_files(from: &Path, to: &Path, depth: usize) -> std::io::Result<()> {
    if depth > 3 {
        return Ok(());
    }
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let kind = entry.file_type()?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if depth == 0 && entry.file_name() == loader::EMAILS_DIR {
            continue;
        }
        if kind.is_dir() {
            copy_other_files(&path, &target, depth + 1)?;
        } else if kind.is_file() {
            let policy_text = path
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "rhai");
            if !policy_text {
                std::fs::create_dir_all(to)?;
                std::fs::copy(&path, &target)?;
            }
        }
    }
    Ok(())
}

/// A private temporary directory holding `<slug>/`, removed on drop.
struct Scratch {
    root: PathBuf,
    slug: String,
}

impl Scratch {
    fn new(slug: &str) -> std::io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let root = std::env::temp_dir().join(format!(
            "berth-candidate-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&root)?;
        let scratch = Self {
            root,
            slug: slug.to_owned(),
        };
        std::fs::create_dir(scratch.dir())?;
        Ok(scratch)
    }

    fn dir(&self) -> PathBuf {
        self.root.join(&self.slug)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            tracing::warn!(dir = %self.root.display(), "cannot remove a candidate's files: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_paths_inside_the_directory_are_files_of_it() {
        assert!(relative_inside("tenant.yaml").is_some());
        assert!(relative_inside("tests/pricing.yaml").is_some());
        for bad in [
            "",
            "/etc/passwd",
            "../x.yaml",
            "tests/../../x",
            "./tenant.yaml",
            "a\\b",
        ] {
            assert!(relative_inside(bad).is_none(), "{bad}");
        }
    }
}
