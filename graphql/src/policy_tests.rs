//! `testPolicy(files)` and `acceptPolicyFigures(files)`: what the policy
//! editor asks of a candidate before it is planned or published — its tests
//! run, and after a deliberate change the expected figures of its failing
//! price cases rewritten (as `berth policy test --accept` does; nothing is
//! written: the new texts come back to the editor). Admins and owners only;
//! both write nothing, so both are queries (docs/decisions/0164).

use async_graphql::{Context, Object, Result, SimpleObject};
use berth_core::Engine;
use berth_core::policy::PolicyFile;
use berth_core::policy_candidate as core;
use berth_core::user::Role;

use crate::access::require;
use crate::error::from_engine;
use crate::policy_plan::PolicyFileInput;

/// A problem that stops a candidate from loading.
#[derive(SimpleObject, Debug)]
pub struct PolicyProblem {
    /// The file, relative to the tenant directory.
    pub file: String,
    /// Its line, from 1 (0: the file as a whole).
    pub line: u64,
    /// Its column, from 1 (0: unknown).
    pub column: u64,
    /// What is wrong.
    pub message: String,
    /// The YAML path of the offending value (`pricing.seasons[0].rate`).
    pub yaml_path: Option<String>,
}

impl From<core::PolicyProblem> for PolicyProblem {
    fn from(p: core::PolicyProblem) -> Self {
        Self {
            file: p.file,
            line: p.line,
            column: p.column,
            message: p.message,
            yaml_path: p.yaml_path,
        }
    }
}

/// One test case, run.
#[derive(SimpleObject, Debug)]
pub struct PolicyTestCase {
    /// The test file, relative to the tenant directory.
    pub file: String,
    /// The case's line.
    pub line: u64,
    /// The case's name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed.
    pub failure: Option<String>,
}

impl From<core::PolicyCaseOutcome> for PolicyTestCase {
    fn from(c: core::PolicyCaseOutcome) -> Self {
        Self {
            file: c.file,
            line: c.line,
            name: c.name,
            passed: c.failure.is_none(),
            failure: c.failure,
        }
    }
}

/// A candidate's tests, run.
#[derive(SimpleObject, Debug)]
pub struct PolicyTestReport {
    /// Cases that passed.
    pub passed: u64,
    /// Cases that failed.
    pub failed: u64,
    /// What stopped the candidate from loading; when there are any, no case
    /// ran.
    pub problems: Vec<PolicyProblem>,
    /// Every case, in file order.
    pub cases: Vec<PolicyTestCase>,
}

impl From<core::CandidateReport> for PolicyTestReport {
    fn from(r: core::CandidateReport) -> Self {
        Self {
            passed: r.passed() as u64,
            failed: r.failed() as u64,
            problems: r.problems.into_iter().map(Into::into).collect(),
            cases: r.cases.into_iter().map(Into::into).collect(),
        }
    }
}

/// A file with its new text.
#[derive(SimpleObject, Debug)]
pub struct PolicyFileText {
    /// Its path inside the tenant directory.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// One expected figure rewritten.
#[derive(SimpleObject, Debug)]
pub struct PolicyFigureChange {
    /// The test file.
    pub file: String,
    /// The line the figure is written on.
    pub line: u64,
    /// The case's name.
    pub case: String,
    /// Which figure: `total`, or `<kind> line` (`nights line`).
    pub figure: String,
    /// The figure as it was, in minor units.
    pub was: i64,
    /// The figure computed now.
    pub now: i64,
}

/// A failing case left as it was.
#[derive(SimpleObject, Debug)]
pub struct PolicyCaseLeftFailing {
    /// The test file.
    pub file: String,
    /// The case's line.
    pub line: u64,
    /// The case's name.
    pub case: String,
    /// Why its figures were not accepted (a refusal instead of a price,
    /// other price lines, a figure not written as a number).
    pub reason: String,
}

/// The figures of a candidate's failing price cases, accepted.
#[derive(SimpleObject, Debug)]
pub struct PolicyAcceptance {
    /// The test files that changed, with their new text.
    pub files: Vec<PolicyFileText>,
    /// Every figure rewritten.
    pub changes: Vec<PolicyFigureChange>,
    /// The failing cases not accepted.
    pub left_failing: Vec<PolicyCaseLeftFailing>,
}

impl From<core::FigureAcceptance> for PolicyAcceptance {
    fn from(a: core::FigureAcceptance) -> Self {
        Self {
            files: a
                .files
                .into_iter()
                .map(|f| PolicyFileText {
                    path: f.path,
                    text: f.text,
                })
                .collect(),
            changes: a
                .changes
                .into_iter()
                .map(|c| PolicyFigureChange {
                    file: c.file,
                    line: c.line,
                    case: c.case,
                    figure: c.figure,
                    was: c.was,
                    now: c.now,
                })
                .collect(),
            left_failing: a
                .left_failing
                .into_iter()
                .map(|l| PolicyCaseLeftFailing {
                    file: l.file,
                    line: l.line,
                    case: l.case,
                    reason: l.reason,
                })
                .collect(),
        }
    }
}

/// The policy editor's queries of a candidate.
#[derive(Default, Debug)]
pub struct PolicyTestsQuery;

#[Object]
impl PolicyTestsQuery {
    /// Checks the candidate policy in `files` (the tenant directory's files;
    /// pictures are taken from the live directory) and runs its tests. A
    /// candidate that fails is the answer, not an error: its problems or its
    /// failing cases, with file and line. Admin and owner.
    async fn test_policy(
        &self,
        ctx: &Context<'_>,
        files: Vec<PolicyFileInput>,
    ) -> Result<PolicyTestReport> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let report = engine
            .test_candidate(viewer.tenant_id, candidate(files))
            .await
            .map_err(from_engine)?;
        Ok(report.into())
    }

    /// The test files of the candidate in `files` with the expected figures of
    /// their failing price cases computed anew by the candidate, after a
    /// deliberate change — comments, order and formatting kept; nothing is
    /// written. A case failing for another reason is left as it was and named.
    /// A candidate that does not load is INVALID_INPUT with
    /// `extensions.rejection`. Admin and owner.
    async fn accept_policy_figures(
        &self,
        ctx: &Context<'_>,
        files: Vec<PolicyFileInput>,
    ) -> Result<PolicyAcceptance> {
        let viewer = require(ctx, Role::Admin).await?;
        let engine = ctx.data_unchecked::<Engine>();
        let accepted = engine
            .accept_candidate_figures(viewer.tenant_id, candidate(files))
            .await
            .map_err(from_engine)?;
        Ok(accepted.into())
    }
}

/// The editor's files as core's.
fn candidate(files: Vec<PolicyFileInput>) -> Vec<PolicyFile> {
    files
        .into_iter()
        .map(|f| PolicyFile {
            path: f.path,
            text: f.text,
        })
        .collect()
}
