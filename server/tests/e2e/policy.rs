//! `berth policy test --accept` as a configurator uses it: on a copy of
//! alpine-cabins with `base_rate` raised, `policy test` fails on the pinned
//! totals; `--accept` rewrites only their figures, prints each, and exits 0;
//! `policy test` then passes. A case that the change makes refuse is named,
//! left as written, and keeps the exit status at 1.

use std::path::Path;
use std::process::Output;

use super::site::copy_dir;
use super::{berth, tenants_dir};

fn policy_test(tenant: &Path, extra: &[&str]) -> (bool, String) {
    let out: Output = berth()
        .args(["policy", "test"])
        .args(extra)
        .arg(tenant)
        .output()
        .expect("berth policy test");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `text` with every run of digits replaced by `#`.
fn without_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    out
}

#[test]
fn accepting_rewrites_the_pinned_figures_after_a_deliberate_change() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("policy-accept-{}", uuid::Uuid::new_v4()));
    let tenant = dir.join("alpine-cabins");
    copy_dir(&tenants_dir().join("alpine-cabins"), &tenant);
    let yaml_path = tenant.join("tenant.yaml");
    let yaml = std::fs::read_to_string(&yaml_path).unwrap();
    assert!(yaml.contains("  base_rate: 18000 "), "{yaml}");
    std::fs::write(
        &yaml_path,
        yaml.replace("  base_rate: 18000 ", "  base_rate: 19000 "),
    )
    .unwrap();
    let pricing = tenant.join("tests/pricing.yaml");
    let before = std::fs::read_to_string(&pricing).unwrap();

    let (ok, stdout) = policy_test(&tenant, &[]);
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains(
            "tests/pricing.yaml:143: FAILED the short night of the clock change is a full night: expected total 115605, got 117227"
        ),
        "{stdout}"
    );

    let (ok, stdout) = policy_test(&tenant, &["--accept"]);
    assert!(ok, "{stdout}");
    for printed in [
        "tests/pricing.yaml:145: total 115605 → 117227 (the short night of the clock change is a full night)\n",
        "tests/pricing.yaml:24: total 53288 → 55450 (two weekday nights in the low season)\n",
        "tests/pricing.yaml:26: nights line 36000 → 38000 (two weekday nights in the low season)\n",
        "tests/pricing.yaml:28: tax line 3888 → 4050 (two weekday nights in the low season)\n",
        "tests/rules.yaml:",
    ] {
        assert!(stdout.contains(printed), "{printed}: {stdout}");
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{stdout}");
    assert!(stdout.contains(" figures in 2 files\n"), "{stdout}");

    // Only figures changed: the same lines, comments and layout.
    let after = std::fs::read_to_string(&pricing).unwrap();
    assert_ne!(after, before);
    assert_eq!(without_digits(&after), without_digits(&before));
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(b, a)| b != a)
        .collect();
    assert!(
        changed
            .iter()
            .all(|(b, _)| !b.trim_start().starts_with('#'))
    );
    assert!(changed.contains(&(
        "    expect: { accepted: true, total: 115605 }",
        "    expect: { accepted: true, total: 117227 }"
    )));

    let (ok, stdout) = policy_test(&tenant, &[]);
    assert!(ok, "{stdout}");
    assert!(stdout.ends_with(" passed, 0 failed\n"), "{stdout}");

    // A case the rules now refuse is not accepted: named, unchanged, exit 1.
    let rules = tenant.join("tests/rules.yaml");
    let mut text = std::fs::read_to_string(&rules).unwrap();
    text.push_str(
        "\n  - name: a Sunday arrival pinned to a price\n    request: { check_in: 2026-11-15, check_out: 2026-11-17, guests: 2 }\n    expect: { total: 55450 }\n",
    );
    std::fs::write(&rules, &text).unwrap();
    let (ok, stdout) = policy_test(&tenant, &["--accept"]);
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains(
            "not accepted a Sunday arrival pinned to a price: it fails for another reason than its figures"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "FAILED a Sunday arrival pinned to a price: expected total 55450, got no price"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("accepted 0 figures in 0 files\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with(" passed, 1 failed\n"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), text);
    std::fs::remove_dir_all(&dir).unwrap();
}
