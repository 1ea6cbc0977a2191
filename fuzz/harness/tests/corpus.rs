//! Replays every committed fuzzing input on stable Rust: each file of
//! `fuzz/corpus/<target>/` (what the fuzzers kept for coverage) and
//! `fuzz/regressions/<target>/` (inputs that once crashed, kept whatever a
//! corpus minimisation drops) through its target. A target panics only on a
//! bug, so this fails when a fixed crash comes back or a change breaks a
//! target's property on an input fuzzing already reached. Then a short round
//! of inputs mutated from those files (`berth_fuzz::round`, decision 0182).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use berth_fuzz::round::{inputs, round};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_committed_input_runs_clean() {
    let fuzz = fuzz_dir();
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

/// Inputs per target in one round: about two seconds each on CI's machine
/// (most mutated inputs are refused early, so even the Rhai hooks and tenant
/// directories run about a thousand a second); `BERTH_FUZZ_ROUND=N` runs N
/// times as many.
fn runs_of(target: &str) -> usize {
    let base = match target {
        "rhai_hooks" | "tenant_dir" => 1_000,
        "image_upload" => 10_000,
        "ical_import" => 30_000,
        _ => 200_000,
    };
    let scale = std::env::var("BERTH_FUZZ_ROUND")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1);
    base * scale
}

/// A new seed each run (`BERTH_FUZZ_SEED` replays one), so CI explores a
/// little further at every commit; a panicking input is kept under the
/// target directory with the seed that made it.
#[test]
fn a_short_round_of_mutated_inputs_runs_clean() {
    let seed = std::env::var("BERTH_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("fuzz round: seed {seed} (BERTH_FUZZ_SEED={seed} replays it)");
    match round(&fuzz_dir(), seed, runs_of) {
        Ok(done) => {
            for (name, runs, took) in done {
                eprintln!("{name}: {runs} mutated inputs in {took:.1?}, no panic");
            }
        }
        Err(finding) => {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-round");
            std::fs::create_dir_all(&dir).expect("a directory for the finding");
            let file = dir.join(format!("{}-{seed}", finding.target));
            std::fs::write(&file, &finding.input).expect("the finding written");
            panic!(
                "fuzz round (BERTH_FUZZ_SEED={seed}): {} panicked: {}\n\
                 the input is in {}; once the cause is fixed, copy it into \
                 fuzz/regressions/{}/ so it is replayed for good",
                finding.target,
                finding.message,
                file.display(),
                finding.target,
            );
        }
    }
}
