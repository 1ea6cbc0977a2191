//! `berth policy plan` on the demo data: a database seeded by `serve --demo`,
//! the live policies from `tenants/`, candidates written beside them — the
//! same rules (an empty plan), raised rates (every reservation and quote
//! repriced), a candidate whose tests fail and one that does not parse (both
//! refused with the messages of `policy test` and `policy check`).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::site::copy_dir;
use crate::{Server, berth, temp_sqlite_url, tenants_dir};

fn plan(url: &str, candidate: &Path, json: bool) -> Output {
    let mut cmd = berth();
    cmd.args(["policy", "plan"])
        .arg(candidate)
        .arg("--tenants")
        .arg(tenants_dir())
        .args(["--database-url", url]);
    if json {
        cmd.args(["--format", "json"]);
    }
    cmd.output().expect("berth policy plan")
}

/// A copy of the demo alpine-cabins with `edit` applied to its tenant.yaml.
fn candidate(root: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let dir = root
        .join(format!("{}", uuid::Uuid::new_v4()))
        .join("alpine-cabins");
    copy_dir(&tenants_dir().join("alpine-cabins"), &dir);
    let yaml = std::fs::read_to_string(dir.join("tenant.yaml")).unwrap();
    std::fs::write(dir.join("tenant.yaml"), edit(yaml)).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_plan_of_the_demo_data_shows_what_a_candidate_changes() {
    let (url, _) = temp_sqlite_url();
    Server::demo(&url, &tenants_dir(), &[]).stop();
    let root =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("plan-{}", uuid::Uuid::new_v4()));

    // The live rules unchanged: nothing to show.
    let same = candidate(&root, |y| y);
    let out = plan(&url, &same, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("The candidate changes nothing"), "{stdout}");
    let out = plan(&url, &same, true);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tenant"], "alpine-cabins");
    assert_eq!(json["currency"], "CHF");
    // The seed's stays (those its rules placed, the canceled one aside).
    let replayed = json["summary"]["reservations_replayed"].as_u64().unwrap();
    assert!(replayed >= 3, "{json}");
    assert_eq!(json["reservations"], serde_json::json!([]));
    assert_eq!(json["units"], serde_json::json!([]));
    // 90 dates × 4 lengths × the parties of the three cabins: 2 and 4
    // guests (Birch), 2 (Pine), 2 and 8 (Summit Chalet).
    assert_eq!(json["summary"]["quotes_sampled"], 90 * 4 * 5);

    // Every night dearer: its own tests pin the old totals, so they go.
    let dearer = candidate(&root, |y| {
        y.replace("base_rate: 18000", "base_rate: 20000")
            .replace("weekend_rate: 22000", "weekend_rate: 25000")
    });
    let refused = plan(&url, &dearer, false);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains(": FAILED "), "{stderr}");
    assert!(
        stderr.contains("does not pass `berth policy test`; nothing planned"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty());
    std::fs::remove_dir_all(dearer.join("tests")).unwrap();
    let out = plan(&url, &dearer, true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &json["summary"];
    assert_eq!(
        summary["reservations_repriced"], replayed,
        "every one: {json}"
    );
    assert_eq!(summary["reservations_newly_refused"], 0, "{json}");
    let rows = json["reservations"].as_array().unwrap();
    assert_eq!(rows.len() as u64, replayed);
    for r in rows {
        assert_eq!(r["change"], "repriced");
        let stored = r["stored_price"]["amount_minor"].as_i64().unwrap();
        let candidate = r["candidate_price"]["amount_minor"].as_i64().unwrap();
        assert!(candidate > stored, "{r}");
        assert_eq!(
            r["difference"]["amount_minor"].as_i64().unwrap(),
            candidate - stored
        );
    }
    assert!(
        summary["reservations_price_difference"]["amount_minor"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(summary["quotes_repriced"].as_u64().unwrap() > 0);
    assert!(
        summary["quoted_revenue_difference"]["amount_minor"]
            .as_i64()
            .unwrap()
            > 0
    );
    let out = plan(&url, &dearer, false);
    assert!(out.status.success());
    let table = text(&out.stdout);
    assert!(
        table.contains(&format!(
            "Reservations: 0 newly refused, 0 newly accepted, {replayed} repriced"
        )),
        "{table}"
    );
    assert!(
        table.contains("ARRIVAL") && table.contains("DIFFERENCE"),
        "{table}"
    );
    assert!(table.contains("+CHF "), "{table}");
    assert!(table.contains("Total (all units)"), "{table}");
    assert!(table.lines().count() <= 40, "a screenful: {table}");

    // A candidate that does not parse: the check's file:line:col.
    let broken = candidate(&root, |y| y.replace("min_nights: 2 ", "min_nights: two "));
    let out = plan(&url, &broken, false);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("tenant.yaml:"), "{stderr}");
    assert!(
        stderr.contains("does not pass `berth policy check`"),
        "{stderr}"
    );

    // No such tenant in the database: an error, not a plan.
    let (empty, path) = temp_sqlite_url();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let out = plan(&empty, &same, false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no tenant `alpine-cabins`"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(root);
}
