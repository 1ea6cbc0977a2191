//! JSON Schema validation of tenant files. The schemas are generated from the
//! typed configuration (`config.rs`, `testcase.rs`, `seed.rs`) and committed under
//! `policies/schema/`; a test fails when a committed file differs from the
//! generated one. Every violation in a document is reported, each at the line and
//! column of the offending node.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::yaml::YamlDocument;

/// The schema files, by file name, as generated from the Rust types.
pub fn all() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("tenant.schema.json", crate::config::tenant_schema()),
        ("tests.schema.json", crate::testcase::tests_schema()),
        ("seed.schema.json", crate::seed::seed_schema()),
    ]
}

/// Reports an error, replacing an `anyOf`/`oneOf` failure (how optional fields
/// are expressed) by the errors of the alternative that came closest: the one that
/// is not merely a type mismatch. "x is not valid under any of the schemas" tells
/// a configurator nothing; "-1 is less than the minimum of 0" does.
fn push_specific(
    file: &Path,
    doc: &YamlDocument,
    err: &jsonschema::ValidationError<'_>,
    out: &mut Vec<Diagnostic>,
) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let branches = match err.kind() {
        Kind::AnyOf { context } | Kind::OneOfNotValid { context } => Some(context),
        _ => None,
    };
    if let Some(branches) = branches {
        let closest = branches
            .iter()
            .filter(|b| !b.iter().all(|e| matches!(e.kind(), Kind::Type { .. })))
            .min_by_key(|b| b.len());
        if let Some(errors) = closest {
            for e in errors {
                push_specific(file, doc, e, out);
            }
            return;
        }
    }
    let mut pointer = err.instance_path().as_str().to_owned();
    // Point at the unexpected key itself, not at the mapping holding it.
    if let Kind::AdditionalProperties { unexpected } = err.kind()
        && let Some(key) = unexpected.first()
    {
        pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
    }
    out.push(doc.diagnostic(file, &pointer, err.to_string()));
}

/// Every place where `doc` breaks `schema`.
pub fn check(schema: &serde_json::Value, file: &Path, doc: &YamlDocument) -> Vec<Diagnostic> {
    let validator = match jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
    {
        Ok(v) => v,
        Err(e) => {
            return vec![Diagnostic::file(
                file,
                format!("internal schema error: {e}"),
            )];
        }
    };
    let mut out = Vec::new();
    for err in validator.iter_errors(&doc.value) {
        push_specific(file, doc, &err, &mut out);
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}
