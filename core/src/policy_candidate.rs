//! What a configurator asks of a candidate policy before it goes live: its
//! own tests run ([`CandidateReport`]: a failing candidate is the answer, not
//! an error) and, after a deliberate change, the expected figures of its
//! failing price cases rewritten ([`FigureAcceptance`], as `berth policy test
//! --accept` does, returning the new texts and writing nothing). The policy
//! runtime answers both through [`PolicyProvider`]; the editor in the admin app
//! asks through GraphQL `testPolicy` and `acceptPolicyFigures`
//! (docs/decisions/0164).

use std::sync::Arc;

use serde::Serialize;

use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::TenantId;
use crate::policy::{CandidateError, PolicyFile, PolicyProvider};
use crate::tenant::Tenant;

/// A problem that stops a candidate from loading: a file that does not parse,
/// fails its schema or a check. Where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyProblem {
    /// The file, relative to the tenant directory.
    pub file: String,
    /// Its line, from 1.
    pub line: u64,
    /// Its column, from 1.
    pub column: u64,
    /// What is wrong.
    pub message: String,
    /// The YAML path of the offending value, where there is one.
    pub yaml_path: Option<String>,
}

/// One test case of a candidate, run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyCaseOutcome {
    /// The test file, relative to the tenant directory.
    pub file: String,
    /// The case's line.
    pub line: u64,
    /// The case's name.
    pub name: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

/// A candidate's tests, run: the problems that stopped it from loading (then
/// no case ran), or every case's outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CandidateReport {
    /// Why it does not load; empty when it does.
    pub problems: Vec<PolicyProblem>,
    /// Its test cases, in file order.
    pub cases: Vec<PolicyCaseOutcome>,
}

impl CandidateReport {
    /// How many cases passed.
    #[must_use]
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_none()).count()
    }

    /// How many cases failed.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// One expected figure rewritten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FigureChange {
    /// The test file, relative to the tenant directory.
    pub file: String,
    /// The line the figure is written on.
    pub line: u64,
    /// The case's name.
    pub case: String,
    /// Which figure: `total`, or `<kind> line` for a price line.
    pub figure: String,
    /// The figure as it was, in minor units.
    pub was: i64,
    /// The figure computed now.
    pub now: i64,
}

/// A failing case whose figures were not accepted, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeftFailing {
    /// The test file, relative to the tenant directory.
    pub file: String,
    /// The case's line.
    pub line: u64,
    /// The case's name.
    pub case: String,
    /// Why it was left as it was.
    pub reason: String,
}

/// The figures of a candidate's failing price cases, accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FigureAcceptance {
    /// The test files that changed, with their new text (nothing written).
    pub files: Vec<PolicyFile>,
    /// Every figure rewritten.
    pub changes: Vec<FigureChange>,
    /// The failing cases not accepted.
    pub left_failing: Vec<LeftFailing>,
}

impl Engine {
    /// Runs the tests of `files` (a whole tenant directory) as a candidate of
    /// the tenant, writing nothing.
    pub async fn test_candidate(
        &self,
        tenant_id: TenantId,
        files: Vec<PolicyFile>,
    ) -> Result<CandidateReport, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        self.on_candidate(tenant, move |p, t| p.test_candidate(t, &files))
            .await
    }

    /// Accepts the figures of the failing price cases of `files`' tests
    /// (returning the new texts, writing nothing). A candidate that does not
    /// load is INVALID_INPUT with its problems.
    pub async fn accept_candidate_figures(
        &self,
        tenant_id: TenantId,
        files: Vec<PolicyFile>,
    ) -> Result<FigureAcceptance, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        self.on_candidate(tenant, move |p, t| p.accept_figures(t, &files))
            .await
    }

    /// Runs `work` with the policy provider on a blocking thread (compiling
    /// and testing a candidate is CPU work).
    pub(crate) async fn on_candidate<T: Send + 'static>(
        &self,
        tenant: Tenant,
        work: impl FnOnce(&dyn PolicyProvider, &Tenant) -> Result<T, CandidateError> + Send + 'static,
    ) -> Result<T, EngineError> {
        let provider = Arc::clone(&self.policies);
        tokio::task::spawn_blocking(move || work(provider.as_ref(), &tenant))
            .await
            .map_err(|e| EngineError::Crashed(format!("running a candidate policy: {e}")))?
            .map_err(EngineError::from)
    }
}
