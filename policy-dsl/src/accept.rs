//! Accepting a deliberate change (`berth policy test --accept`): after a change
//! to a tenant's rules, the expected figures of each failing test case — its
//! `total` and the amounts of its `lines` — are rewritten to what the candidate
//! policy now computes. Each figure is replaced where the YAML loader located its
//! text, so every other byte of the file (comments, order, flow or block style,
//! quoting, alignment) stays as written.
//!
//! A case is accepted only when its figures are all that fails: with the new
//! figures in its expectation it must pass. Any other failure — a refusal or an
//! error instead of a price, another error code, other violations, price lines of
//! other kinds — leaves the case failing, named with the reason; so does a figure
//! not written as a decimal number of its own (an alias, an anchor, `0x…`); a
//! quoted one (`!!int "115605"`) keeps its quotes. A file
//! is written only when something in it changed, through a temporary file renamed
//! over it, and only after the rewritten text has been read back as the same
//! cases with the new figures.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use berth_core::money::Price;

use crate::diagnostic::Diagnostic;
use crate::loader::parse_checked;
use crate::tenant_policy::TenantPolicy;
use crate::testcase::{
    Expectation, ExpectedLine, Observed, TestFile, judge, observe, test_files, tests_schema,
};
use crate::yaml::{Notation, YamlDocument};

/// Which figure of a case changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    /// The expected `total`.
    Total,
    /// The amount of an expected price line.
    Line {
        /// Its place in `lines`, from 0.
        index: usize,
        /// Its kind (`nights`, `tax`, …).
        kind: String,
    },
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Total => f.write_str("total"),
            Self::Line { kind, .. } => write!(f, "{kind} line"),
        }
    }
}

/// One figure rewritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The test file.
    pub file: PathBuf,
    /// The line the figure is written on.
    pub line: u64,
    /// The case's name.
    pub case: String,
    /// Which figure.
    pub figure: Figure,
    /// The figure as it was.
    pub was: i64,
    /// The figure the candidate computes.
    pub now: i64,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} {} → {} ({})",
            self.file.display(),
            self.line,
            self.figure,
            self.was,
            self.now,
            self.case
        )
    }
}

/// Why a failing case was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAccepted {
    /// Something other than its figures fails: a refusal or an error instead
    /// of a price, another error code, other violations.
    OtherFailure,
    /// Its price lines differ in kind or number from the expected ones.
    LinesDiffer {
        /// The kinds expected.
        expected: Vec<String>,
        /// The kinds computed.
        got: Vec<String>,
    },
    /// A figure is not written as a decimal number of its own in the case.
    NotInPlace {
        /// Which figure.
        figure: Figure,
        /// How it is written.
        written: String,
    },
}

impl fmt::Display for NotAccepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OtherFailure => f.write_str("it fails for another reason than its figures"),
            Self::LinesDiffer { expected, got } => write!(
                f,
                "its price lines differ in kind or number (expected [{}], got [{}]); edit them by hand",
                expected.join(", "),
                got.join(", ")
            ),
            Self::NotInPlace { figure, written } => {
                write!(f, "its {figure} is {written}; edit it by hand")
            }
        }
    }
}

/// A failing case left as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftFailing {
    /// The test file.
    pub file: PathBuf,
    /// The case's line.
    pub line: u64,
    /// The case's name.
    pub case: String,
    /// Why.
    pub reason: NotAccepted,
}

impl fmt::Display for LeftFailing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: not accepted {}: {}",
            self.file.display(),
            self.line,
            self.case,
            self.reason
        )
    }
}

/// What accepting did to one test file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileAcceptance {
    /// The rewritten text; `None` when nothing changed.
    pub text: Option<String>,
    /// The figures rewritten, in file order.
    pub changes: Vec<Change>,
    /// The failing cases not accepted, in file order.
    pub left_failing: Vec<LeftFailing>,
}

/// What accepting did to a tenant directory.
#[derive(Debug, Default)]
pub struct Acceptance {
    /// The figures rewritten.
    pub changes: Vec<Change>,
    /// The failing cases not accepted.
    pub left_failing: Vec<LeftFailing>,
    /// The files written.
    pub written: Vec<PathBuf>,
    /// The files left alone, and why: one that does not read as test cases
    /// (running the tests reports it too), one whose rewritten text did not
    /// read back as written, one that could not be read or written.
    pub errors: Vec<AcceptError>,
}

/// Why a test file was left alone.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// The file does not read as test cases.
    #[error("{} does not read as test cases", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        diagnostics: Vec<Diagnostic>,
    },
    /// The rewritten text does not read back as the cases with their new
    /// figures; nothing was written.
    #[error("{}: the rewritten text does not read back as written ({reason}); the file was left as it was", .path.display())]
    Unfaithful {
        /// The file.
        path: PathBuf,
        /// What differed.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Accepts the figures of the failing cases of every test file of `dir` under
/// `policy`, writing the files that changed. A file that fails is left alone
/// and named in [`Acceptance::errors`]; the others are still accepted.
pub fn accept_dir(policy: &TenantPolicy, dir: &Path) -> Acceptance {
    let mut acceptance = Acceptance::default();
    for path in test_files(dir) {
        match accept_file(policy, &path) {
            Ok((file, written)) => {
                if written {
                    acceptance.written.push(path);
                }
                acceptance.changes.extend(file.changes);
                acceptance.left_failing.extend(file.left_failing);
            }
            Err(e) => acceptance.errors.push(e),
        }
    }
    acceptance
}

/// Accepts the figures of one test file; true when it was written.
fn accept_file(policy: &TenantPolicy, path: &Path) -> Result<(FileAcceptance, bool), AcceptError> {
    let io = |action, source| AcceptError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(|e| io("read", e))?;
    let file = accept_text(policy, path, &text)?;
    let Some(new_text) = &file.text else {
        return Ok((file, false));
    };
    write_atomically(path, new_text).map_err(|e| io("write", e))?;
    Ok((file, true))
}

/// A figure to rewrite: where, and to what.
struct Edit {
    pointer: String,
    figure: Figure,
    was: i64,
    now: i64,
}

/// Accepts the figures of the failing cases of one test file, `text` being the
/// contents of `path`. Nothing is written.
pub fn accept_text(
    policy: &TenantPolicy,
    path: &Path,
    text: &str,
) -> Result<FileAcceptance, AcceptError> {
    let (tests, doc) =
        parse_checked::<TestFile>(path, text, &tests_schema()).map_err(|diagnostics| {
            AcceptError::Invalid {
                path: path.to_owned(),
                diagnostics,
            }
        })?;
    let mut changes = Vec::new();
    let mut left_failing = Vec::new();
    let mut spliced = Vec::new();
    let mut corrected = tests.clone();
    for (i, case) in tests.cases.iter().enumerate() {
        let observed = observe(policy, &tests, case);
        if observed
            .as_ref()
            .is_ok_and(|o| judge(&case.expect, o).is_ok())
        {
            continue;
        }
        let planned = observed
            .map_err(|_| NotAccepted::OtherFailure)
            .and_then(|o| figures(i, &case.expect, &o))
            .and_then(|(expect, edits)| {
                let located = locate(&doc, text, &edits)?;
                Ok((expect, edits, located))
            });
        match planned {
            Ok((expect, edits, located)) => {
                corrected.cases[i].expect = expect;
                for (edit, (bytes, line)) in edits.into_iter().zip(located) {
                    spliced.push((bytes, edit.now.to_string()));
                    changes.push(Change {
                        file: path.to_owned(),
                        line,
                        case: case.name.clone(),
                        figure: edit.figure,
                        was: edit.was,
                        now: edit.now,
                    });
                }
            }
            Err(reason) => left_failing.push(LeftFailing {
                file: path.to_owned(),
                line: doc.position(&format!("/cases/{i}")).0,
                case: case.name.clone(),
                reason,
            }),
        }
    }
    if spliced.is_empty() {
        return Ok(FileAcceptance {
            text: None,
            changes,
            left_failing,
        });
    }
    spliced.sort_by_key(|(bytes, _)| bytes.start);
    let mut new_text = String::with_capacity(text.len() + 8 * spliced.len());
    let mut from = 0;
    for (bytes, figure) in &spliced {
        new_text.push_str(&text[from..bytes.start]);
        new_text.push_str(figure);
        from = bytes.end;
    }
    new_text.push_str(&text[from..]);
    read_back(path, &new_text, &corrected)?;
    Ok(FileAcceptance {
        text: Some(new_text),
        changes,
        left_failing,
    })
}

/// The expectation of case `index` with the figures `observed` computes, and
/// the figures that change; `Err` when more than its figures fail.
fn figures(
    index: usize,
    expect: &Expectation,
    observed: &Observed,
) -> Result<(Expectation, Vec<Edit>), NotAccepted> {
    let Observed::Decision {
        price: Some(price), ..
    } = observed
    else {
        return Err(NotAccepted::OtherFailure);
    };
    let mut corrected = expect.clone();
    let mut edits = Vec::new();
    if let Some(was) = expect.total {
        let now = price.total.amount_minor;
        corrected.total = Some(now);
        if was != now {
            edits.push(Edit {
                pointer: format!("/cases/{index}/expect/total"),
                figure: Figure::Total,
                was,
                now,
            });
        }
    }
    if let Some(lines) = &expect.lines {
        let got = computed_lines(price);
        let kinds = |l: &[ExpectedLine]| l.iter().map(|l| l.kind.clone()).collect::<Vec<_>>();
        if kinds(lines) != kinds(&got) {
            // Only the lines' shape would still differ: say so, or that more fails.
            corrected.lines = Some(got.clone());
            return Err(if judge(&corrected, observed).is_ok() {
                NotAccepted::LinesDiffer {
                    expected: kinds(lines),
                    got: kinds(&got),
                }
            } else {
                NotAccepted::OtherFailure
            });
        }
        for (j, (want, got)) in lines.iter().zip(&got).enumerate() {
            if want.amount != got.amount {
                edits.push(Edit {
                    pointer: format!("/cases/{index}/expect/lines/{j}/amount"),
                    figure: Figure::Line {
                        index: j,
                        kind: got.kind.clone(),
                    },
                    was: want.amount,
                    now: got.amount,
                });
            }
        }
        corrected.lines = Some(got);
    }
    if edits.is_empty() || judge(&corrected, observed).is_err() {
        return Err(NotAccepted::OtherFailure);
    }
    Ok((corrected, edits))
}

fn computed_lines(price: &Price) -> Vec<ExpectedLine> {
    price
        .lines
        .iter()
        .map(|l| ExpectedLine {
            kind: l.kind.clone(),
            amount: l.amount.amount_minor,
        })
        .collect()
}

/// Where each edit's digits are written (their byte range) and on which line,
/// if each figure is a decimal number of its own, plain or quoted.
fn locate(
    doc: &YamlDocument,
    text: &str,
    edits: &[Edit],
) -> Result<Vec<(std::ops::Range<usize>, u64)>, NotAccepted> {
    edits
        .iter()
        .map(|edit| {
            let not_in_place = |written: String| NotAccepted::NotInPlace {
                figure: edit.figure.clone(),
                written,
            };
            let source = doc
                .scalar(&edit.pointer)
                .ok_or_else(|| not_in_place("not written in the case itself".into()))?;
            let mut bytes = source.bytes.clone();
            match source.notation {
                Notation::Plain => {}
                // `!!int "115605"`: the digits inside the quotes.
                Notation::SingleQuoted | Notation::DoubleQuoted if bytes.len() >= 2 => {
                    bytes = bytes.start + 1..bytes.end - 1;
                }
                other => return Err(not_in_place(other.to_string())),
            }
            if source.anchored {
                return Err(not_in_place(
                    "anchored (`&name`), so that aliases elsewhere repeat it".into(),
                ));
            }
            let written = text.get(bytes.clone()).unwrap_or_default();
            if written.parse::<i64>().ok() != Some(edit.was) {
                return Err(not_in_place(format!("written as `{written}`")));
            }
            Ok((bytes, source.line))
        })
        .collect()
}

/// Checks that `text` reads as `expected`, the cases with their new figures.
fn read_back(path: &Path, text: &str, expected: &TestFile) -> Result<(), AcceptError> {
    let unfaithful = |reason: String| AcceptError::Unfaithful {
        path: path.to_owned(),
        reason,
    };
    let (tests, _) = parse_checked::<TestFile>(path, text, &tests_schema()).map_err(|d| {
        unfaithful(
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    if &tests != expected {
        return Err(unfaithful("other values than the new figures".into()));
    }
    Ok(())
}

/// Writes `text` to a temporary file beside `path`, with `path`'s permissions,
/// and renames it over `path`, so that a reader sees the old file or the new one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.accept-{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&temp, std::fs::metadata(path)?.permissions())?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_keeps_its_permissions() {
        let dir = std::env::temp_dir().join(format!("berth-accept-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cases.yaml");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn figures_print_as_was_and_now() {
        let change = Change {
            file: PathBuf::from("tests/pricing.yaml"),
            line: 145,
            case: "a short night".into(),
            figure: Figure::Total,
            was: 115_605,
            now: 126_956,
        };
        assert_eq!(
            change.to_string(),
            "tests/pricing.yaml:145: total 115605 → 126956 (a short night)"
        );
        let line = Change {
            figure: Figure::Line {
                index: 2,
                kind: "tax".into(),
            },
            ..change
        };
        assert!(line.to_string().contains(": tax line 115605 → 126956 ("));
    }
}
