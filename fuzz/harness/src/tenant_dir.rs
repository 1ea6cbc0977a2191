//! Loading a tenant directory: the bytes are the files an editor sends
//! (GraphQL `planPolicy`, `testPolicyCandidate`): `tenant.yaml` first, then
//! any further files, each after a line `#%% <path>` (a YAML comment, so a
//! real `tenant.yaml` is an input as it is). They go through
//! `berth_policy::candidate::report_from_files` — path and size limits,
//! strict YAML, the JSON Schema, the typed configuration, the checks a schema
//! cannot make, the hooks compiled over the model, the test cases run — and
//! `seed.yaml` and test files through the schema checks of `berth policy
//! check`. A directory that loads is then asked for a few requests (see
//! `policy_calls`), so that whatever numbers and dates the rules hold reach
//! the calendar, the pricing and the model scripts.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use berth_core::policy::PolicyFile;
use berth_policy::candidate::report_from_files;
use berth_policy::loader::{self, parse_checked};
use berth_policy::models::Runtime;
use berth_policy::sandbox::Limits;
use berth_policy::seed::{SeedFile, seed_schema};
use berth_policy::testcase::{TestFile, tests_schema};

use crate::policy_calls::{self, Request};

/// The line that starts another file.
const FILE_MARK: &str = "#%% ";

/// The most files an input is read as.
const MAX_FILES: usize = 8;

/// The model scripts and the engine, compiled once per process.
pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(Limits::default())
            .unwrap_or_else(|e| panic!("the built-in scripts compile: {e}"))
    })
}

/// The files of an input: `tenant.yaml`, then one per `#%% <path>` line.
pub fn files(text: &str) -> Vec<PolicyFile> {
    let mut files = vec![PolicyFile {
        path: loader::TENANT_FILE.into(),
        text: String::new(),
    }];
    for line in text.split_inclusive('\n') {
        match line.strip_prefix(FILE_MARK) {
            Some(path) if files.len() < MAX_FILES => files.push(PolicyFile {
                path: path.trim_end_matches(['\r', '\n']).to_owned(),
                text: String::new(),
            }),
            _ => {
                if let Some(last) = files.last_mut() {
                    last.text.push_str(line);
                }
            }
        }
    }
    files
}

/// The tenant's slug as `tenant.yaml` states it (the directory must be named
/// so), when it could be one; else a fixed name.
fn slug(tenant_yaml: &str) -> String {
    tenant_yaml
        .lines()
        .find_map(|l| l.strip_prefix("slug:"))
        .map(|s| s.trim().trim_matches(['"', '\'']).to_owned())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 63
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .unwrap_or_else(|| "fuzz-tenant".into())
}

/// The requests a loaded directory is asked (arrivals tomorrow, in a month
/// and in a year; stays of one, two, seven and forty nights; the matching
/// minutes and slots for the other models).
const REQUESTS: [Request; 4] = [
    request(1, 2, 600, 2),
    request(30, 7, 540, 1),
    request(365, 1, 0, 4),
    request(3, 40, 720, 3),
];

const fn request(start_day: i32, length: i16, minute: u16, guests: u8) -> Request {
    Request {
        start_day,
        length,
        minute,
        guests,
        quantity: 1,
        base_rate: None,
    }
}

/// Loads `data` as a tenant directory (see the module's comment).
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = files(text);
    let slug = slug(&files[0].text);
    let report = report_from_files(runtime(), None, &slug, &files);
    for f in &files {
        let path = Path::new(&f.path);
        if f.path == loader::SEED_FILE {
            let _ = parse_checked::<SeedFile>(path, &f.text, &seed_schema());
        } else if f.path.starts_with(loader::TESTS_DIR) {
            let _ = parse_checked::<TestFile>(path, &f.text, &tests_schema());
        }
    }
    if !report.problems.is_empty() {
        return;
    }
    // It loads: load it again where this process can keep it, and ask it.
    let Some(dir) = write_dir(&slug, &files) else {
        return;
    };
    let policy = loader::load(runtime(), &dir, 1)
        .unwrap_or_else(|d| panic!("loaded as a candidate, not from a directory: {d:?}"));
    for request in REQUESTS {
        policy_calls::ask(&policy, request);
    }
}

/// Writes `files` into this process's directory named `slug` (emptied first).
fn write_dir(slug: &str, files: &[PolicyFile]) -> Option<PathBuf> {
    let root = std::env::temp_dir().join(format!("berth-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join(slug);
    for f in files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent()?).ok()?;
        std::fs::write(&path, &f.text).ok()?;
    }
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}
