//! Replays every committed fuzzing input on stable Rust: each file of
//! `fuzz/corpus/<target>/` (what the fuzzers kept for coverage) and
//! `fuzz/regressions/<target>/` (inputs that once crashed, kept whatever a
//! corpus minimisation drops) through its target. A target panics only on a
//! bug, so this fails when a fixed crash comes back or a change breaks a
//! target's property on an input fuzzing already reached.

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_committed_input_runs_clean() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut failures = Vec::new();
    for (name, run) in berth_fuzz::TARGETS {
        let corpus = inputs(&fuzz.join("corpus").join(name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{name} is empty: every target has a committed corpus"
        );
        let regressions = inputs(&fuzz.join("regressions").join(name));
        for file in corpus.iter().chain(&regressions) {
            let bytes = std::fs::read(file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            if std::panic::catch_unwind(|| run(&bytes)).is_err() {
                failures.push(file.display().to_string());
            }
        }
        eprintln!(
            "{name}: {} corpus inputs, {} regressions",
            corpus.len(),
            regressions.len()
        );
    }
    assert!(failures.is_empty(), "inputs that panic: {failures:#?}");
}
