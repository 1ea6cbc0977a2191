//! The hardened Rhai engine every policy script runs in. Scripts are pure
//! functions of plain maps: they cannot read files, import anything but the
//! built-in models, call `eval`, or run unbounded. Each call has an operation
//! budget, a call-depth limit, size limits on strings, arrays and maps, and a
//! wall-clock deadline checked while the script runs; hitting any of them ends the
//! call with an error, never a hang or a crash. `print` and `debug` go to tracing.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::module_resolvers::StaticModuleResolver;
use rhai::{Dynamic, Engine};

/// Limits of one hook call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations one call may run.
    pub max_operations: u64,
    /// Nesting of function calls.
    pub max_call_levels: usize,
    /// Wall-clock time one call may take.
    pub deadline: Duration,
    /// Longest string, in bytes.
    pub max_string_size: usize,
    /// Largest array.
    pub max_array_size: usize,
    /// Largest map.
    pub max_map_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 200_000,
            max_call_levels: 32,
            deadline: Duration::from_millis(50),
            max_string_size: 16 * 1024,
            max_array_size: 10_000,
            max_map_size: 1_000,
        }
    }
}

thread_local! {
    /// The deadline of the hook call running on this thread, if any.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` with a wall-clock deadline for any script evaluation inside it.
pub fn with_deadline<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let previous = DEADLINE.with(|d| d.replace(Some(Instant::now() + limit)));
    let out = f();
    DEADLINE.with(|d| d.set(previous));
    out
}

/// The message a script ends with when its deadline passes.
pub const DEADLINE_MESSAGE: &str = "script exceeded its time limit";

/// Builds the engine. `models` are the only modules `import` can load.
pub fn engine(limits: Limits, models: StaticModuleResolver) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_modules(8)
        .set_max_variables(256)
        .set_max_functions(256)
        .set_strict_variables(true)
        // The string interner sits behind one lock for the whole engine; with it,
        // hook calls on several threads (an availability search split across the
        // cores) serialize on that lock. Without it they run in parallel.
        .set_max_strings_interned(0)
        .set_module_resolver(models);
    engine.disable_symbol("eval");
    engine.on_print(|text| tracing::info!(target: "rhai", "{text}"));
    engine.on_debug(|text, source, pos| {
        tracing::debug!(target: "rhai", source = source.unwrap_or(""), %pos, "{text}");
    });
    engine.on_progress(|ops| {
        // Checking the clock every 256 operations keeps the overhead negligible.
        if ops % 256 != 0 {
            return None;
        }
        let late = DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() > deadline));
        late.then(|| Dynamic::from(DEADLINE_MESSAGE))
    });
    register_stdlib(&mut engine);
    engine
}

/// A read-only map shared between calls: how hooks receive `req`, `rules` and
/// `pricing`. Passing it to a function (Rhai passes arguments by value) copies a
/// pointer, not the map; reading `facts.key` or `facts["key"]` copies only that
/// value; writing is refused, which keeps hooks pure. In scripts its type is
/// `facts`; `to_map()` gives a mutable copy.
#[derive(Clone, Debug)]
pub struct Facts(std::sync::Arc<rhai::Map>);

impl Facts {
    /// Wraps a map.
    pub fn new(map: rhai::Map) -> Self {
        Self(std::sync::Arc::new(map))
    }

    /// The map, for native functions.
    pub(crate) fn map(&self) -> &rhai::Map {
        &self.0
    }

    /// Converts a map-shaped value (from serde) into facts; other values stay as they are.
    pub fn from_dynamic(value: Dynamic) -> Dynamic {
        match value.try_cast_result::<rhai::Map>() {
            Ok(map) => Dynamic::from(Self::new(map)),
            Err(other) => other,
        }
    }
}

/// Registers a getter on facts for each key in `keys`, so that `facts.key` is one
/// native call. Without one, Rhai first looks for a getter, builds a "no such
/// property" error, then falls back to the indexer: twice the cost of a read
/// (the hooks' main cost). Keys without a getter (a unit's own attributes) still
/// read through the indexer, only slower.
pub fn register_fact_getters<'a>(engine: &mut Engine, keys: impl IntoIterator<Item = &'a str>) {
    for key in keys {
        let name = rhai::ImmutableString::from(key);
        engine.register_get(key, move |f: &mut Facts| {
            f.0.get(name.as_str()).cloned().unwrap_or(Dynamic::UNIT)
        });
    }
}

fn register_facts(engine: &mut Engine) {
    engine
        .register_type_with_name::<Facts>("facts")
        .register_indexer_get(|f: &mut Facts, key: &str| {
            f.0.get(key).cloned().unwrap_or(Dynamic::UNIT)
        })
        .register_fn("contains", |f: &mut Facts, key: &str| f.0.contains_key(key))
        .register_fn("keys", |f: &mut Facts| {
            f.0.keys()
                .map(|k| Dynamic::from(k.clone()))
                .collect::<rhai::Array>()
        })
        .register_fn("to_map", |f: &mut Facts| (*f.0).clone())
        .register_fn("to_string", |f: &mut Facts| format!("{:?}", f.0))
        .register_fn("to_debug", |f: &mut Facts| format!("{:?}", f.0));
}

/// The policy standard library: money and rounding helpers, native so that
/// scripts never do floating-point arithmetic on amounts.
fn register_stdlib(engine: &mut Engine) {
    register_facts(engine);
    // `list.contains(text)` compared natively: the package's version calls `==`
    // through the interpreter for every element.
    engine.register_fn(
        "contains",
        |list: &mut rhai::Array, text: rhai::ImmutableString| {
            list.iter().any(|item| {
                item.read_lock::<rhai::ImmutableString>()
                    .is_some_and(|s| *s == text)
            })
        },
    );
    crate::pricing_steps::register(engine);
    // `percent_of(amount, percent)`: amount × percent / 100, rounded half away
    // from zero; an error when the product is beyond an integer's range.
    engine.register_fn("percent_of", |amount: i64, percent: i64| {
        share("percent_of", amount, percent, 100)
    });
    // `basis_points_of(amount, bp)`: amount × bp / 10 000, rounded likewise.
    engine.register_fn("basis_points_of", |amount: i64, bp: i64| {
        share("basis_points_of", amount, bp, 10_000)
    });
    // `ceil_div(a, b)`: a / b rounded up (b > 0), e.g. started hours from minutes.
    engine.register_fn("ceil_div", |a: i64, b: i64| {
        if b <= 0 {
            0
        } else {
            a.div_euclid(b) + i64::from(a.rem_euclid(b) != 0)
        }
    });
}

/// `amount × factor / denominator` rounded half away from zero, or the error a
/// script ends with when `amount × factor` does not fit in an integer (found
/// while writing the `rhai_hooks` fuzz target: it wrapped around in release
/// builds and panicked in debug ones).
fn share(
    function: &str,
    amount: i64,
    factor: i64,
    denominator: i64,
) -> Result<i64, Box<rhai::EvalAltResult>> {
    amount
        .checked_mul(factor)
        .map(|product| round_div(product, denominator))
        .ok_or_else(|| format!("{function}({amount}, {factor}): the amount is out of range").into())
}

/// `numerator / denominator` rounded half away from zero (`denominator > 0`),
/// for every `numerator` (computed wide: `i64::MIN` has no negation).
pub(crate) fn round_div(numerator: i64, denominator: i64) -> i64 {
    let (n, d) = (i128::from(numerator), i128::from(denominator.max(1)));
    let half = d / 2;
    let rounded = if n >= 0 {
        (n + half) / d
    } else {
        -((-n + half) / d)
    };
    // |rounded| <= |numerator| when d >= 1, so it always fits.
    i64::try_from(rounded).unwrap_or(numerator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(script: &str) -> Result<Dynamic, String> {
        let engine = engine(Limits::default(), StaticModuleResolver::new());
        with_deadline(Duration::from_millis(200), || {
            engine.eval::<Dynamic>(script).map_err(|e| e.to_string())
        })
    }

    #[test]
    fn stdlib_rounds_money_without_floats() {
        assert_eq!(eval("percent_of(1005, 10)").unwrap().as_int().unwrap(), 101);
        assert_eq!(
            eval("basis_points_of(10000, 810)")
                .unwrap()
                .as_int()
                .unwrap(),
            810
        );
        assert_eq!(
            eval("basis_points_of(-125, 1000)")
                .unwrap()
                .as_int()
                .unwrap(),
            -13
        );
        assert_eq!(eval("ceil_div(61, 60)").unwrap().as_int().unwrap(), 2);
    }

    #[test]
    fn money_helpers_refuse_amounts_out_of_range_and_round_at_the_extremes() {
        // Found while writing the rhai_hooks fuzz target: these overflowed.
        for script in [
            "percent_of(9223372036854775807, 2)",
            "basis_points_of(-9223372036854775807, 10001)",
            "percent_of(4611686018427387904, -3)",
        ] {
            let err = eval(script).unwrap_err();
            assert!(err.contains("out of range"), "{script}: {err}");
        }
        // A product of exactly i64::MIN still fits and is rounded.
        assert_eq!(
            eval("percent_of(4611686018427387904, -2)")
                .unwrap()
                .as_int()
                .unwrap(),
            -92_233_720_368_547_758
        );
        assert_eq!(
            eval("ceil_div(9223372036854775807, 2)")
                .unwrap()
                .as_int()
                .unwrap(),
            4_611_686_018_427_387_904
        );
        assert_eq!(eval("ceil_div(-7, 2)").unwrap().as_int().unwrap(), -3);
        assert_eq!(round_div(i64::MIN, 1), i64::MIN);
        assert_eq!(round_div(i64::MIN, 100), -92_233_720_368_547_758);
        assert_eq!(round_div(i64::MAX, 2), 4_611_686_018_427_387_904);
        assert_eq!(round_div(-150, 100), -2);
        assert_eq!(round_div(149, 100), 1);
    }

    #[test]
    fn lists_contain_text_natively_and_anything_else_as_before() {
        let truth = |script: &str| eval(script).unwrap().as_bool().unwrap();
        assert!(truth(r#"["mon", "sat"].contains("sat")"#));
        assert!(!truth(r#"["mon", "sat"].contains("sun")"#));
        assert!(!truth(r#"[1, "2"].contains("1")"#), "a number is not text");
        assert!(truth("[1, 2].contains(2)"));
        assert!(truth(r#"let days = ["fri"]; days.contains("fri")"#));
    }

    #[test]
    fn facts_read_like_maps_and_refuse_writes() {
        let mut engine = engine(Limits::default(), StaticModuleResolver::new());
        engine.set_strict_variables(false);
        let mut map = rhai::Map::new();
        map.insert("rate".into(), Dynamic::from(120_i64));
        let mut scope = rhai::Scope::new();
        scope.push("f", Facts::new(map));
        let read: i64 = engine
            .eval_with_scope(&mut scope, "f.rate + f[\"rate\"]")
            .unwrap();
        assert_eq!(read, 240);
        let missing: bool = engine
            .eval_with_scope(&mut scope, "f.nothing == ()")
            .unwrap();
        assert!(missing);
        assert!(
            engine
                .eval_with_scope::<Dynamic>(&mut scope, "f.rate = 1")
                .is_err()
        );
        let copy: i64 = engine
            .eval_with_scope(&mut scope, "let m = f.to_map(); m.rate = 1; m.rate")
            .unwrap();
        assert_eq!(copy, 1);
    }

    #[test]
    fn runaway_scripts_are_stopped() {
        let err = eval("let x = 0; loop { x += 1; }").unwrap_err();
        assert!(
            err.contains("Too many operations") || err.contains(DEADLINE_MESSAGE),
            "{err}"
        );
        let err = eval("fn f(n) { f(n + 1) } f(0)").unwrap_err();
        assert!(
            err.to_lowercase().contains("stack overflow") || err.contains("call"),
            "{err}"
        );
        let err = eval(r#"let s = "x"; loop { s += s; }"#).unwrap_err();
        assert!(
            err.contains("too large") || err.contains("Length of string"),
            "{err}"
        );
        let err = eval("let a = []; loop { a.push(1); }").unwrap_err();
        assert!(
            err.contains("Size of array")
                || err.contains("too large")
                || err.contains("operations"),
            "{err}"
        );
    }

    #[test]
    fn no_files_no_eval() {
        let err = eval(r#"import "fs" as fs; 1"#).unwrap_err();
        assert!(err.contains("Module not found"), "{err}");
        let err = eval(r#"eval("1 + 1")"#).unwrap_err();
        assert!(err.contains("eval"), "{err}");
        let err = eval("undeclared + 1").unwrap_err();
        assert!(err.contains("undeclared"), "strict variables: {err}");
    }

    #[test]
    fn the_deadline_stops_a_slow_script() {
        let engine = engine(
            Limits {
                max_operations: u64::MAX / 2,
                ..Limits::default()
            },
            StaticModuleResolver::new(),
        );
        let started = Instant::now();
        let err = with_deadline(Duration::from_millis(20), || {
            engine
                .eval::<Dynamic>("let x = 0; loop { x += 1; }")
                .map(|_| ())
        })
        .unwrap_err();
        assert!(
            matches!(*err, rhai::EvalAltResult::ErrorTerminated(ref token, _) if token.to_string() == DEADLINE_MESSAGE),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
