//! Diagnostics: every problem found in a tenant's files, with where it is. They
//! print as `file:line:col: message (at yaml.path)`, the format editors and CI
//! logs link to.

use std::fmt;
use std::path::PathBuf;

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, as given to the loader (usually relative to the working directory).
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the file as a whole.
    pub line: u64,
    /// 1-based column; 0 when unknown.
    pub column: u64,
    /// The YAML path of the offending node (`pricing.seasons[0].rate`), if any.
    pub yaml_path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem concerning a whole file (missing, unreadable).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: 0,
            column: 0,
            yaml_path: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        if let Some(path) = self.yaml_path.as_deref().filter(|p| !p.is_empty()) {
            write!(f, " (at {path})")?;
        }
        Ok(())
    }
}

/// Turns a JSON pointer (`/pricing/seasons/0/rate`) into a YAML path
/// (`pricing.seasons[0].rate`).
pub fn yaml_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            out.push('[');
            out.push_str(&segment);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_yaml_paths() {
        assert_eq!(yaml_path(""), "");
        assert_eq!(
            yaml_path("/pricing/seasons/0/rate"),
            "pricing.seasons[0].rate"
        );
        assert_eq!(yaml_path("/a~1b/c~0d"), "a/b.c~d");
    }

    #[test]
    fn diagnostics_print_file_line_col() {
        let d = Diagnostic {
            file: "tenants/x/tenant.yaml".into(),
            line: 3,
            column: 5,
            yaml_path: Some("pricing.base_rate".into()),
            message: "-1 is less than the minimum of 0".into(),
        };
        assert_eq!(
            d.to_string(),
            "tenants/x/tenant.yaml:3:5: -1 is less than the minimum of 0 (at pricing.base_rate)"
        );
    }
}
