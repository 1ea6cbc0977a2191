//! The `profile:` block of tenant.yaml: the data-driven cases of
//! `profile_cases.yaml` (each bad value reported at its file:line:col and YAML
//! path; good profiles stored as `TenantConfig::public_profile` says).

use berth_policy::config::ModelKind;
use berth_policy::loader;
use serde::Deserialize;

use crate::support::Root;

#[derive(Deserialize)]
struct Cases {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    profile: String,
    #[serde(default)]
    errors: Vec<Expected>,
    #[serde(default)]
    stored: Option<serde_json::Value>,
    /// Files put into the tenant directory first: `png WxH` is a picture of
    /// that size, anything else the file's text.
    #[serde(default)]
    files: std::collections::BTreeMap<String, String>,
    /// The pictures the profile names, as the load path reads them.
    #[serde(default)]
    pictures: Option<serde_json::Value>,
}

fn write_file(dir: &std::path::Path, name: &str, content: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let bytes = match content.strip_prefix("png ").and_then(|s| s.split_once('x')) {
        Some((w, h)) => berth_core::test_pictures::png(w.parse().unwrap(), h.parse().unwrap(), 1),
        None => content.as_bytes().to_vec(),
    };
    std::fs::write(path, bytes).unwrap();
}

#[derive(Deserialize)]
struct Expected {
    line: u64,
    column: u64,
    at: String,
    message: String,
}

#[test]
fn profile_cases() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policy/profile_cases.yaml"),
    )
    .unwrap();
    let cases: Cases = serde_saphyr::from_str(&text).unwrap();
    assert!(cases.cases.len() >= 10);
    let runtime = berth_policy::Runtime::new(berth_policy::sandbox::Limits::default()).unwrap();
    let mut failures = Vec::new();
    for case in &cases.cases {
        let root = Root::new();
        let dir = root.tenant("lake-cabins", ModelKind::Nightly);
        for (name, content) in &case.files {
            write_file(&dir, name, content);
        }
        let file = dir.join(loader::TENANT_FILE);
        let mut yaml = std::fs::read_to_string(&file).unwrap();
        // The block's first line is the line after `profile:`.
        let base = yaml.lines().count() as u64 + 1;
        yaml.push_str("profile:\n");
        for line in case.profile.lines() {
            yaml.push_str("  ");
            yaml.push_str(line);
            yaml.push('\n');
        }
        std::fs::write(&file, &yaml).unwrap();
        match loader::load(&runtime, &dir, 1) {
            Ok(policy) => {
                if !case.errors.is_empty() {
                    failures.push(format!("{}: loaded, expected errors", case.name));
                }
                if let Some(pictures) = &case.pictures {
                    let got: serde_json::Value = policy
                        .config()
                        .profile_pictures()
                        .iter()
                        .map(|p| {
                            serde_json::json!({
                                "role": p.role.as_str(), "file": p.file, "alt": p.alt,
                            })
                        })
                        .collect();
                    if &got != pictures {
                        failures.push(format!(
                            "{}: pictures {got}, expected {pictures}",
                            case.name
                        ));
                    }
                }
                if let Some(stored) = &case.stored {
                    let got = serde_json::to_value(policy.config().public_profile()).unwrap();
                    if &got != stored {
                        failures.push(format!("{}: stored {got}, expected {stored}", case.name));
                    }
                }
            }
            Err(diagnostics) => {
                let got: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
                let matches = diagnostics.len() == case.errors.len()
                    && case.errors.iter().zip(&diagnostics).all(|(e, d)| {
                        d.file == file
                            && d.line == base + e.line
                            // The block is indented by two columns.
                            && d.column == e.column + 2
                            && d.yaml_path.as_deref() == Some(e.at.as_str())
                            && d.message.contains(&e.message)
                    });
                if !matches {
                    failures.push(format!(
                        "{}: got {got:#?} (profile from line {})",
                        case.name,
                        base + 1
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A symbolic link inside the tenant directory that leads out of it is
/// refused like a `..` path, at its key.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_tenant_directory_is_refused() {
    let runtime = berth_policy::Runtime::new(berth_policy::sandbox::Limits::default()).unwrap();
    let root = Root::new();
    let dir = root.tenant("lake-cabins", ModelKind::Nightly);
    let outside = dir.parent().unwrap().join("outside.png");
    std::fs::write(&outside, berth_core::test_pictures::png(40, 30, 1)).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("cover.png")).unwrap();
    let file = dir.join(loader::TENANT_FILE);
    let mut yaml = std::fs::read_to_string(&file).unwrap();
    yaml.push_str("profile:\n  cover: { file: cover.png, alt: The lake }\n");
    std::fs::write(&file, yaml).unwrap();
    let errors = loader::load(&runtime, &dir, 1).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].yaml_path.as_deref(), Some("profile.cover.file"));
    assert!(
        errors[0]
            .message
            .contains("`cover.png` leads outside the tenant directory"),
        "{errors:?}"
    );
}
