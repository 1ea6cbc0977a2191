//! Scaffolding for `berth tenant init`: a valid, commented tenant directory for a
//! model, with the schema modelines editors use, a seed unit and one test case that
//! passes as created.

use std::path::Path;

use crate::config::ModelKind;

/// Writes the scaffold of tenant `slug` into `dir` (created, with `tests/`).
pub fn write(dir: &Path, slug: &str, model: ModelKind) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("tests"))?;
    let (tenant, seed, test) = scaffold(slug, model);
    std::fs::write(dir.join("tenant.yaml"), tenant)?;
    std::fs::write(dir.join("seed.yaml"), seed)?;
    std::fs::write(dir.join("tests/basics.yaml"), test)
}

/// The contents of `tenant.yaml`, `seed.yaml` and `tests/basics.yaml`.
pub fn scaffold(slug: &str, model: ModelKind) -> (String, String, String) {
    let head = format!(
        "# yaml-language-server: $schema=../../policies/schema/tenant.schema.json\n\
         # The rules and prices of {slug}. Amounts are in minor units (cents).\n\
         slug: {slug}\n\
         name: {slug}\n\
         timezone: Europe/Berlin\n\
         currency: EUR\n\
         locale: en-US\n\
         model: {}\n",
        model.as_str()
    );
    let seed_head = "# yaml-language-server: $schema=../../policies/schema/seed.schema.json\n";
    let test_head = "# yaml-language-server: $schema=../../../policies/schema/tests.schema.json\n\
                     # Each case is a request and what the policy must answer.\n\
                     now: 2030-01-07T09:00:00Z\n";
    match model {
        ModelKind::Nightly => (
            format!(
                "{head}nightly:\n  check_in_time: \"15:00\"   # arrival from\n  check_out_time: \"10:00\"  # departure by\n  min_nights: 1\npricing:\n  base_rate: 10000         # per night\n"
            ),
            format!("{seed_head}units:\n  - name: Room 1\n    inventory: 1\n    max_guests: 2\n"),
            format!(
                "{test_head}cases:\n  - name: two nights at the base rate\n    request: {{ check_in: 2030-02-04, check_out: 2030-02-06, guests: 2 }}\n    expect: {{ accepted: true, total: 20000 }}\n"
            ),
        ),
        ModelKind::Timeslot => (
            format!(
                "{head}timeslot:\n  duration_minutes: 60\n  schedule:             # start times per weekday\n    mon: [\"10:00\", \"14:00\"]\npricing:\n  base_rate: 2500         # per seat\n"
            ),
            format!("{seed_head}units:\n  - name: Tour\n    inventory: 10\n    max_guests: 1\n"),
            format!(
                "{test_head}unit: {{ inventory: 10, max_guests: 1 }}\ncases:\n  - name: two seats on a Monday slot\n    request: {{ start: \"2030-02-04T10:00\", guests: 2, quantity: 2 }}\n    expect: {{ accepted: true, total: 5000 }}\n"
            ),
        ),
        ModelKind::Interval => (
            format!(
                "{head}interval:\n  granularity_minutes: 30\n  min_duration_minutes: 60\n  opening_hours:\n    mon: {{ open: \"09:00\", close: \"18:00\" }}\npricing:\n  base_rate: 1500         # per started hour\n"
            ),
            format!("{seed_head}units:\n  - name: Bike\n    inventory: 4\n    max_guests: 1\n"),
            format!(
                "{test_head}cases:\n  - name: two hours on a Monday\n    request: {{ start: \"2030-02-04T10:00\", end: \"2030-02-04T12:00\", guests: 1 }}\n    expect: {{ accepted: true, total: 3000 }}\n"
            ),
        ),
    }
}
