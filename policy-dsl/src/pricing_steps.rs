//! The shared pricing steps of the built-in models, native: `best_discount` and
//! `fees_and_taxes`, callable from every model and tenant script by name. They
//! were Rhai functions in `common.rhai`; their loops over the tenant's fees, taxes
//! and price lines were a large part of a quote's time in the interpreter, and
//! they are the same arithmetic for every tenant. Amounts are integer minor units
//! with checked arithmetic: an overflow is an error, as it is in scripts.

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position};

use crate::sandbox::{Facts, round_div};

type Outcome<T> = Result<T, Box<EvalAltResult>>;

/// Registers the steps for `pricing` given as facts (what hooks receive) or as a
/// plain map (`pricing.to_map()` in a script).
pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("best_discount", |pricing: &mut Facts, length: i64| {
        best_discount(pricing.map(), length)
    });
    engine.register_fn("best_discount", |pricing: Map, length: i64| {
        best_discount(&pricing, length)
    });
    engine.register_fn(
        "fees_and_taxes",
        // Only a first argument may be `&mut`; facts are a pointer to clone.
        |lines: Array, pricing: Facts, days: i64, guests: i64, items: i64| {
            fees_and_taxes(lines, pricing.map(), days, guests, items)
        },
    );
    engine.register_fn(
        "fees_and_taxes",
        |lines: Array, pricing: Map, days: i64, guests: i64, items: i64| {
            fees_and_taxes(lines, &pricing, days, guests, items)
        },
    );
}

/// The largest length-of-stay discount (percent) for a stay of `length` nights
/// (or hours), 0 when none applies.
fn best_discount(pricing: &Map, length: i64) -> Outcome<i64> {
    let mut best = 0;
    for_each_map(pricing, "length_of_stay", |d| {
        let (min_length, percent) = (int(d, "min_length")?, int(d, "percent")?);
        if length >= min_length && percent > best {
            best = percent;
        }
        Ok(())
    })?;
    Ok(best)
}

/// Appends the fee lines, then the tax lines computed over everything before
/// them. `days` is the number of nights (or started days), `guests` and `items`
/// the party.
fn fees_and_taxes(
    mut lines: Array,
    pricing: &Map,
    days: i64,
    guests: i64,
    items: i64,
) -> Outcome<Array> {
    for_each_map(pricing, "fees", |f| {
        let per = f.get("per").and_then(|p| p.read_lock::<ImmutableString>());
        let times = match per.as_deref().map(ImmutableString::as_str) {
            Some("night") => days,
            Some("guest") => guests,
            Some("item") => items,
            _ => 1,
        };
        let amount = checked(int(f, "amount")?.checked_mul(times))?;
        lines.push(line("fee", f.get("name"), amount));
        Ok(())
    })?;
    let mut taxable: Option<i64> = None;
    for_each_map(pricing, "taxes", |t| {
        let base = match taxable {
            Some(base) => base,
            None => {
                let mut sum: i64 = 0;
                for l in &lines {
                    let amount = with_map(l, "a price line", |l| int(l, "amount"))?;
                    sum = checked(sum.checked_add(amount))?;
                }
                taxable = Some(sum);
                sum
            }
        };
        let mut amount: i64 = 0;
        if let Some(bp) = optional_int(t, "percent_bp")? {
            amount = round_div(checked(base.checked_mul(bp))?, 10_000);
        }
        if let Some(per_person) = optional_int(t, "per_person_per_night")? {
            let per_stay = per_person
                .checked_mul(guests)
                .and_then(|a| a.checked_mul(days));
            amount = checked(amount.checked_add(checked(per_stay)?))?;
        }
        lines.push(line("tax", t.get("name"), amount));
        Ok(())
    })?;
    Ok(lines)
}

/// A price line map.
fn line(kind: &str, label: Option<&Dynamic>, amount: i64) -> Dynamic {
    let mut m = Map::new();
    m.insert("kind".into(), kind.into());
    m.insert("label".into(), label.cloned().unwrap_or(Dynamic::UNIT));
    m.insert("amount".into(), amount.into());
    m.into()
}

/// Calls `f` with each map of the list under `key` (none when absent or `()`).
fn for_each_map(pricing: &Map, key: &str, mut f: impl FnMut(&Map) -> Outcome<()>) -> Outcome<()> {
    let Some(list) = pricing.get(key).filter(|v| !v.is_unit()) else {
        return Ok(());
    };
    let list = list
        .read_lock::<Array>()
        .ok_or_else(|| error(format!("pricing.{key} must be a list")))?;
    for entry in list.iter() {
        with_map(entry, key, &mut f)?;
    }
    Ok(())
}

/// Calls `f` with a map-shaped value (a plain map or facts), without copying it.
fn with_map<T>(value: &Dynamic, what: &str, f: impl FnOnce(&Map) -> Outcome<T>) -> Outcome<T> {
    if let Some(m) = value.read_lock::<Map>() {
        return f(&m);
    }
    if let Some(facts) = value.read_lock::<Facts>() {
        return f(facts.map());
    }
    Err(error(format!("each entry of {what} must be a map")))
}

fn int(map: &Map, key: &str) -> Outcome<i64> {
    optional_int(map, key)?.ok_or_else(|| error(format!("`{key}` must be an integer")))
}

fn optional_int(map: &Map, key: &str) -> Outcome<Option<i64>> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => v
            .as_int()
            .map(Some)
            .map_err(|_| error(format!("`{key}` must be an integer"))),
    }
}

fn checked(value: Option<i64>) -> Outcome<i64> {
    value.ok_or_else(|| error("arithmetic overflow in a price".into()))
}

fn error(message: String) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), Position::NONE))
}

#[cfg(test)]
mod tests {
    use rhai::module_resolvers::StaticModuleResolver;

    use crate::sandbox::{self, Limits};

    fn eval(script: &str) -> Result<rhai::Dynamic, String> {
        let engine = sandbox::engine(Limits::default(), StaticModuleResolver::new());
        engine
            .eval::<rhai::Dynamic>(script)
            .map_err(|e| e.to_string())
    }

    const PRICING: &str = r#"#{
        fees: [#{ name: "Cleaning", amount: 9000, per: "stay" },
               #{ name: "Linen", amount: 500, per: "guest" },
               #{ name: "Parking", amount: 1000, per: "night" }],
        taxes: [#{ name: "VAT 8.1 %", percent_bp: 810 },
                #{ name: "Tourist tax", per_person_per_night: 350 }],
        length_of_stay: [#{ min_length: 7, percent: 10 }, #{ min_length: 14, percent: 15 }]
    }"#;

    #[test]
    fn fees_then_taxes_over_everything_before_them() {
        let lines = eval(&format!(
            "let p = {PRICING}; fees_and_taxes([#{{ kind: \"nights\", label: \"2 nights\", amount: 28000 }}], p, 2, 3, 1)"
        ))
        .unwrap()
        .into_typed_array::<rhai::Map>()
        .unwrap();
        let amounts: Vec<(String, i64)> = lines
            .iter()
            .map(|l| {
                (
                    l["label"].clone().into_string().unwrap(),
                    l["amount"].as_int().unwrap(),
                )
            })
            .collect();
        // Taxable: 28000 + 9000 + 3 × 500 + 2 × 1000 = 40500; VAT 3280.5 → 3281
        // (half away from zero); tourist tax 3 guests × 2 nights × 350.
        assert_eq!(
            amounts,
            vec![
                ("2 nights".into(), 28_000),
                ("Cleaning".into(), 9_000),
                ("Linen".into(), 1_500),
                ("Parking".into(), 2_000),
                ("VAT 8.1 %".into(), 3_281),
                ("Tourist tax".into(), 2_100),
            ]
        );
        assert_eq!(lines[4]["kind"].clone().into_string().unwrap(), "tax");
    }

    #[test]
    fn the_largest_applicable_discount() {
        for (length, expected) in [(6, 0), (7, 10), (13, 10), (14, 15), (30, 15)] {
            let got = eval(&format!("best_discount({PRICING}, {length})"))
                .unwrap()
                .as_int()
                .unwrap();
            assert_eq!(got, expected, "{length} nights");
        }
        assert_eq!(
            eval("best_discount(#{}, 9)").unwrap().as_int().unwrap(),
            0,
            "no discounts configured"
        );
    }

    #[test]
    fn bad_shapes_and_overflow_are_errors_not_panics() {
        for (script, message) in [
            (
                "fees_and_taxes([], #{ fees: 5 }, 1, 1, 1)",
                "must be a list",
            ),
            (
                "fees_and_taxes([], #{ fees: [7] }, 1, 1, 1)",
                "must be a map",
            ),
            (
                "fees_and_taxes([], #{ fees: [#{ name: \"x\", amount: \"1\" }] }, 1, 1, 1)",
                "`amount` must be an integer",
            ),
            (
                "fees_and_taxes([], #{ fees: [#{ name: \"x\", amount: 9223372036854775807, per: \"night\" }] }, 2, 1, 1)",
                "overflow",
            ),
        ] {
            let err = eval(script).unwrap_err();
            assert!(err.contains(message), "{script}: {err}");
        }
    }
}
