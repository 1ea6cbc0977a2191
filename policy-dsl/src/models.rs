//! The built-in booking models, embedded in the binary: their Rhai sources, and the
//! engine that has the shared pricing steps (`common.rhai`) as a global module and
//! the models as the only modules `import` can load.

use std::sync::Arc;

use rhai::module_resolvers::StaticModuleResolver;
use rhai::{AST, Engine, Module, Scope};

use crate::config::ModelKind;
use crate::diagnostic::Diagnostic;
use crate::sandbox::{self, Limits};

/// `policies/models/common.rhai`.
pub const COMMON_SOURCE: &str = include_str!("../../policies/models/common.rhai");

/// The source of a model's script and the path it is reported under.
pub fn source(model: ModelKind) -> (&'static str, &'static str) {
    match model {
        ModelKind::Nightly => (
            "policies/models/nightly.rhai",
            include_str!("../../policies/models/nightly.rhai"),
        ),
        ModelKind::Timeslot => (
            "policies/models/timeslot.rhai",
            include_str!("../../policies/models/timeslot.rhai"),
        ),
        ModelKind::Interval => (
            "policies/models/interval.rhai",
            include_str!("../../policies/models/interval.rhai"),
        ),
    }
}

/// A built-in script failed to compile: a bug in berth, caught by tests.
#[derive(Debug, thiserror::Error)]
#[error("built-in script {file} does not compile: {message}")]
pub struct BuiltinError {
    /// The script.
    pub file: &'static str,
    /// The compiler's message.
    pub message: String,
}

/// A check of a loaded tenant directory beyond its policy, given the
/// directory and its configuration: the server's e-mail template check
/// (docs/decisions/0168). Diagnostics name files under the directory.
pub type DirectoryCheck =
    Arc<dyn Fn(&std::path::Path, &crate::config::TenantConfig) -> Vec<Diagnostic> + Send + Sync>;

/// The compiled model scripts and the engine they run in.
pub struct Runtime {
    /// The hardened engine, shared by every tenant's policy.
    pub engine: Arc<Engine>,
    /// The limits each hook call runs under.
    pub limits: Limits,
    nightly: AST,
    timeslot: AST,
    interval: AST,
    directory_check: Option<DirectoryCheck>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("limits", &self.limits)
            .field("directory_check", &self.directory_check.is_some())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the engine and compiles the built-in scripts.
    pub fn new(limits: Limits) -> Result<Self, BuiltinError> {
        let mut engine = sandbox::engine(limits, StaticModuleResolver::new());
        let keys = fact_keys();
        sandbox::register_fact_getters(&mut engine, keys.iter().map(String::as_str));
        let common = compile(&engine, "policies/models/common.rhai", COMMON_SOURCE)?;
        let common =
            Module::eval_ast_as_new(Scope::new(), &common, &engine).map_err(|e| BuiltinError {
                file: "policies/models/common.rhai",
                message: e.to_string(),
            })?;
        engine.register_global_module(Arc::new(common));
        let mut resolver = StaticModuleResolver::new();
        let mut asts = Vec::new();
        for model in [ModelKind::Nightly, ModelKind::Timeslot, ModelKind::Interval] {
            let (file, text) = source(model);
            let ast = compile(&engine, file, text)?;
            let module =
                Module::eval_ast_as_new(Scope::new(), &ast, &engine).map_err(|e| BuiltinError {
                    file,
                    message: e.to_string(),
                })?;
            resolver.insert(model.as_str(), module);
            asts.push(ast);
        }
        engine.set_module_resolver(resolver);
        let mut asts = asts.into_iter();
        let mut next = || asts.next().unwrap_or_default();
        Ok(Self {
            engine: Arc::new(engine),
            limits,
            nightly: next(),
            timeslot: next(),
            interval: next(),
            directory_check: None,
        })
    }

    /// The runtime with `check` run on every tenant directory it loads
    /// ([`crate::loader::load_with`]): a directory it finds problems in does
    /// not load.
    #[must_use]
    pub fn with_directory_check(mut self, check: DirectoryCheck) -> Self {
        self.directory_check = Some(check);
        self
    }

    /// The directory check, if any.
    pub fn directory_check(&self) -> Option<&DirectoryCheck> {
        self.directory_check.as_ref()
    }

    /// The compiled script of a model.
    pub fn model(&self, model: ModelKind) -> &AST {
        match model {
            ModelKind::Nightly => &self.nightly,
            ModelKind::Timeslot => &self.timeslot,
            ModelKind::Interval => &self.interval,
        }
    }
}

/// Every key hooks read from facts: those of the request, day and reservation
/// maps the runtime builds, and every property of the tenant configuration (the
/// `rules` and `pricing` sections), taken from its JSON Schema so that a new
/// configuration field needs no list kept by hand.
fn fact_keys() -> std::collections::BTreeSet<String> {
    fn walk(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                    out.extend(properties.keys().cloned());
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut keys: std::collections::BTreeSet<String> = crate::tenant_policy::FACT_KEYS
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
    walk(&crate::config::tenant_schema(), &mut keys);
    keys
}

fn compile(engine: &Engine, file: &'static str, text: &str) -> Result<AST, BuiltinError> {
    let mut ast = engine.compile(text).map_err(|e| BuiltinError {
        file,
        message: e.to_string(),
    })?;
    ast.set_source(file);
    Ok(ast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scripts_compile() {
        let runtime = Runtime::new(Limits::default()).unwrap();
        for model in [ModelKind::Nightly, ModelKind::Timeslot, ModelKind::Interval] {
            let names: Vec<String> = runtime
                .model(model)
                .iter_functions()
                .map(|f| f.name.to_string())
                .collect();
            assert!(
                names.iter().any(|n| n == "validate"),
                "{model:?}: {names:?}"
            );
            assert!(names.iter().any(|n| n == "price"), "{model:?}: {names:?}");
        }
    }
}
