//! Tenant hooks in the sandbox: the bytes choose a booking model and a
//! request (see `policy_calls::Request`, read with `arbitrary`), and the rest
//! is the source of a tenant's `hooks.rhai`, loaded over the scaffold tenant of
//! that model (`berth tenant init`) as a reload loads it. A script that loads
//! is asked everything the engine asks a policy: `validate` and `price`, the
//! slots, `can_change`, `refund`, `no_show_deadline`. Whatever the script
//! does, each call must end — with an answer or a `PolicyError` — inside the
//! sandbox's operation, size and time limits: never a panic, and never a hang
//! or an allocation libFuzzer's timeout and memory limit would catch.

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use berth_policy::config::ModelKind;
use berth_policy::loader;
use berth_policy::scaffold::scaffold;

use crate::policy_calls::{self, Request};
use crate::tenant_dir::runtime;

/// What an input holds: the model, the request, the script.
#[derive(Arbitrary, Debug)]
struct Input<'a> {
    model: u8,
    request: Request,
    script: &'a str,
}

/// The scaffold tenants, one directory per model, written once per process.
fn tenant_dirs() -> &'static [PathBuf; 3] {
    static DIRS: OnceLock<[PathBuf; 3]> = OnceLock::new();
    DIRS.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("berth-fuzz-hooks-{}", std::process::id()));
        [ModelKind::Nightly, ModelKind::Timeslot, ModelKind::Interval].map(|model| {
            let slug = format!("fuzz-{}", model.as_str());
            let dir = root.join(&slug);
            let (tenant, _, _) = scaffold(&slug, model);
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(dir.join(loader::TENANT_FILE), tenant))
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.display()));
            dir
        })
    })
}

/// Loads and runs the script of `data` (see the module's comment).
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let dir = &tenant_dirs()[usize::from(input.model % 3)];
    let hooks = dir.join("hooks.rhai");
    if std::fs::write(&hooks, input.script).is_err() {
        return;
    }
    let Ok(policy) = loader::load(runtime(), dir, 1) else {
        return;
    };
    policy_calls::ask(&policy, input.request);
}
