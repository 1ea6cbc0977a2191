//! A short fuzzing round on stable Rust, the one CI runs (docs/decisions/
//! 0182): every target is fed inputs mutated from its committed corpus and
//! regressions (`mutate.rs`), with its libFuzzer dictionary, from one seed.
//! It has no coverage feedback — the long, coverage-guided runs are
//! `scripts/fuzz` on nightly, whose build alone takes longer than CI can
//! spare — but it runs the targets' properties on thousands of new inputs at
//! every commit, and a seed replays a round exactly.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::TARGETS;
use crate::mutate::{Mutator, parse_dictionary};

/// No input grows beyond this (the largest `-max_len` of `scripts/fuzz`).
pub const MAX_LEN: usize = 65_536;

/// An input that made a target panic.
#[derive(Debug)]
pub struct Finding {
    pub target: &'static str,
    pub input: Vec<u8>,
    pub message: String,
}

/// The files of a directory, sorted by name (none when it is absent).
pub fn inputs(dir: &Path) -> Vec<PathBuf> {
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

fn read_all(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display())))
        .collect()
}

/// Runs `runs(target)` mutated inputs through each target of `fuzz_dir`
/// (`corpus/`, `regressions/`, `dict/`), from `seed`. Stops at the first
/// input that panics; otherwise answers how many inputs each target ran,
/// and in how long.
pub fn round(
    fuzz_dir: &Path,
    seed: u64,
    runs: impl Fn(&str) -> usize,
) -> Result<Vec<(&'static str, usize, Duration)>, Finding> {
    let mut done = Vec::new();
    for (index, (name, target)) in TARGETS.iter().enumerate() {
        let mut seeds = read_all(&inputs(&fuzz_dir.join("corpus").join(name)));
        seeds.extend(read_all(&inputs(&fuzz_dir.join("regressions").join(name))));
        let dictionary =
            match std::fs::read_to_string(fuzz_dir.join("dict").join(format!("{name}.dict"))) {
                Ok(text) => {
                    parse_dictionary(&text).unwrap_or_else(|e| panic!("fuzz/dict/{name}.dict: {e}"))
                }
                Err(_) => Vec::new(),
            };
        // Each target its own stream, so adding a target leaves the others' rounds as they were.
        let mut mutator = Mutator::new(
            seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            &dictionary,
            &seeds,
            MAX_LEN,
        );
        let n = runs(name);
        let started = Instant::now();
        for _ in 0..n {
            let base = mutator.pick();
            let input = mutator.mutate(&base);
            if let Err(cause) = panic::catch_unwind(AssertUnwindSafe(|| target(&input))) {
                let message = cause
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| cause.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                return Err(Finding {
                    target: name,
                    input,
                    message,
                });
            }
        }
        done.push((*name, n, started.elapsed()));
    }
    Ok(done)
}
