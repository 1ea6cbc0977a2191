//! Loading a tenant directory into a policy: parse `tenant.yaml` (strict YAML),
//! check it against the schema, read it into the typed configuration, check what a
//! schema cannot (slug matches the directory, timezone and currency exist, the
//! model's section is present), and compile the tenant's `*.rhai` hooks merged over
//! the model script. Every problem of every file is collected, not only the first.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{ModelKind, TenantConfig};
use crate::diagnostic::Diagnostic;
use crate::models::Runtime;
use crate::tenant_policy::TenantPolicy;
use crate::{schema, yaml};

/// The file names inside a tenant directory.
pub const TENANT_FILE: &str = "tenant.yaml";
/// The seed data file.
pub const SEED_FILE: &str = "seed.yaml";
/// The directory of policy test cases.
pub const TESTS_DIR: &str = "tests";

/// Reads a YAML file, checks it against `schema` and deserializes it.
pub fn read_checked<T: serde::de::DeserializeOwned>(
    path: &Path,
    schema: &serde_json::Value,
) -> Result<(T, yaml::YamlDocument), Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![Diagnostic::file(path, format!("cannot read the file: {e}"))])?;
    parse_checked(path, &text, schema)
}

/// Parses `text` (the contents of `path`), checks it against `schema` and
/// deserializes it.
pub fn parse_checked<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    schema: &serde_json::Value,
) -> Result<(T, yaml::YamlDocument), Vec<Diagnostic>> {
    let doc = yaml::parse(path, text).map_err(|d| vec![d])?;
    let errors = schema::check(schema, path, &doc);
    if !errors.is_empty() {
        return Err(errors);
    }
    let value = serde_json::from_value(doc.value.clone())
        .map_err(|e| vec![doc.diagnostic(path, "", format!("cannot be read: {e}"))])?;
    Ok((value, doc))
}

/// The directory of a tenant's e-mail template overrides.
pub const EMAILS_DIR: &str = "emails";

/// How a load treats the files the profile names as pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureFiles {
    /// Each must be a picture file of the directory: authoring, checking,
    /// publishing.
    Required,
    /// A file absent from the directory is not refused (its path and alt
    /// text are checked); one present is checked as `Required` checks it: a
    /// published version goes live, and files sent through the API are
    /// checked, on an instance whose disk lacks the pictures (they are
    /// served from the database; docs/decisions/0168).
    Named,
}

/// Loads and compiles the tenant in `dir` as policy `version`. The hook files are
/// compiled even when `tenant.yaml` has errors, so that one run reports both.
pub fn load(runtime: &Runtime, dir: &Path, version: u64) -> Result<TenantPolicy, Vec<Diagnostic>> {
    load_with(runtime, dir, version, PictureFiles::Required)
}

/// [`load`], the profile's pictures treated as `pictures` says; the
/// directory's e-mail templates are read into the policy, and the runtime's
/// directory check (if any) runs once the policy loads.
pub fn load_with(
    runtime: &Runtime,
    dir: &Path,
    version: u64,
    pictures: PictureFiles,
) -> Result<TenantPolicy, Vec<Diagnostic>> {
    let policy = load_policy(runtime, dir, version, pictures)?;
    let mut templates = std::collections::BTreeMap::new();
    let mut errors = Vec::new();
    for file in email_files(dir) {
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                templates.insert(name, text);
            }
            Err(e) => errors.push(Diagnostic::file(
                &file,
                format!("cannot read the file: {e}"),
            )),
        }
    }
    if let Some(check) = runtime.directory_check() {
        errors.extend(check(dir, policy.config()));
    }
    if errors.is_empty() {
        Ok(policy.with_email_templates(templates))
    } else {
        Err(errors)
    }
}

/// The e-mail templates of the tenant in `dir` (`emails/*.txt`,
/// `emails/*.html`, not hidden, not an editor's `~` backup), sorted.
pub fn email_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(EMAILS_DIR))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                    let visible = name.is_some_and(|n| !n.starts_with('.') && !n.ends_with('~'));
                    visible
                        && p.extension().is_some_and(|x| x == "txt" || x == "html")
                        && p.is_file()
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn load_policy(
    runtime: &Runtime,
    dir: &Path,
    version: u64,
    pictures: PictureFiles,
) -> Result<TenantPolicy, Vec<Diagnostic>> {
    let path = dir.join(TENANT_FILE);
    let config = read_checked::<TenantConfig>(&path, &crate::config::tenant_schema());
    let (hooks, mut errors) = compile_hooks(runtime, dir);
    let (config, doc) = match config {
        Ok(ok) => ok,
        Err(mut config_errors) => {
            config_errors.append(&mut errors);
            return Err(config_errors);
        }
    };
    errors.splice(0..0, semantic_errors(dir, &path, &config, &doc, pictures));
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut ast = runtime.model(config.model).clone();
    let mut origins = FunctionOrigins::new(runtime, config.model);
    for (file, tenant_ast) in hooks {
        origins.record(&tenant_ast, &file);
        // Tenant functions replace model functions of the same name and arity.
        ast = ast.merge(&tenant_ast);
    }
    TenantPolicy::new(
        version,
        config,
        Arc::clone(&runtime.engine),
        ast,
        runtime.limits,
        origins,
    )
    .map_err(|message| vec![doc.diagnostic(&path, "", message)])
}

/// Compiles each `*.rhai` file of the tenant; syntax errors become diagnostics.
fn compile_hooks(runtime: &Runtime, dir: &Path) -> (Vec<(PathBuf, rhai::AST)>, Vec<Diagnostic>) {
    let mut compiled = Vec::new();
    let mut errors = Vec::new();
    for file in hook_files(dir) {
        match std::fs::read_to_string(&file) {
            Err(e) => errors.push(Diagnostic::file(
                &file,
                format!("cannot read the file: {e}"),
            )),
            Ok(text) => match runtime.engine.compile(&text) {
                Ok(ast) => compiled.push((file, ast)),
                Err(e) => errors.push(Diagnostic {
                    file: file.clone(),
                    line: e.1.line().unwrap_or(0) as u64,
                    column: e.1.position().unwrap_or(0) as u64,
                    yaml_path: None,
                    message: e.0.to_string(),
                }),
            },
        }
    }
    (compiled, errors)
}

/// Which file defines each script function, so that a runtime error inside a
/// function is reported in that function's file.
#[derive(Clone, Debug, Default)]
pub struct FunctionOrigins(std::collections::HashMap<String, String>);

impl FunctionOrigins {
    fn new(runtime: &Runtime, model: crate::config::ModelKind) -> Self {
        let mut origins = Self::default();
        let (file, _) = crate::models::source(model);
        origins.record(runtime.model(model), Path::new(file));
        origins
    }

    fn record(&mut self, ast: &rhai::AST, file: &Path) {
        for f in ast.iter_functions() {
            self.0
                .insert(f.name.to_string(), file.display().to_string());
        }
    }

    /// The file defining `function`; functions of no script are from common.rhai.
    pub fn file_of(&self, function: &str) -> &str {
        self.0
            .get(function)
            .map_or("policies/models/common.rhai", String::as_str)
    }
}

/// The files the profile of `dir`'s `tenant.yaml` names as pictures, read
/// leniently (a file that does not parse names none; loading reports why), for
/// the registry's fingerprint of a tenant. Only paths inside the directory.
pub fn picture_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dir.join(TENANT_FILE)) else {
        return Vec::new();
    };
    let Ok(value) = serde_saphyr::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let profile = &value["profile"];
    let gallery = profile["gallery"].as_array().into_iter().flatten();
    std::iter::once(&profile["cover"])
        .chain(gallery)
        .filter_map(|p| p["file"].as_str())
        .filter(|f| {
            Path::new(f)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .map(|f| dir.join(f))
        .collect()
}

/// The tenant's `*.rhai` files, sorted by name.
pub fn hook_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rhai") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Checks a schema cannot express.
fn semantic_errors(
    dir: &Path,
    path: &Path,
    config: &TenantConfig,
    doc: &yaml::YamlDocument,
    pictures: PictureFiles,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if config.slug != dir_name {
        errors.push(doc.diagnostic(
            path,
            "/slug",
            format!(
                "slug `{}` must equal the directory name `{dir_name}`",
                config.slug
            ),
        ));
    }
    if config.timezone.parse::<chrono_tz::Tz>().is_err() {
        errors.push(doc.diagnostic(
            path,
            "/timezone",
            format!(
                "`{}` is not an IANA timezone (e.g. Europe/Zurich)",
                config.timezone
            ),
        ));
    }
    let section = match config.model {
        ModelKind::Nightly => config.nightly.is_some(),
        ModelKind::Timeslot => config.timeslot.is_some(),
        ModelKind::Interval => config.interval.is_some(),
    };
    if !section {
        let m = config.model.as_str();
        errors.push(doc.diagnostic(
            path,
            "/model",
            format!("`model: {m}` needs a `{m}:` section"),
        ));
    }
    for (i, season) in config.pricing.seasons.iter().enumerate() {
        if season.rate.is_none() && season.multiplier_percent.is_none() {
            errors.push(doc.diagnostic(
                path,
                &format!("/pricing/seasons/{i}"),
                format!(
                    "season `{}` needs a `rate` or a `multiplier_percent`",
                    season.name
                ),
            ));
        }
    }
    if let Some(n) = &config.nightly {
        for (i, r) in n.stop_sell.iter().enumerate() {
            if r.to < r.from {
                errors.push(doc.diagnostic(
                    path,
                    &format!("/nightly/stop_sell/{i}"),
                    "`to` is before `from`",
                ));
            }
        }
    }
    errors.extend(picture_errors(dir, path, config, doc, pictures));
    errors.extend(map_errors(path, config, doc));
    if let Some(i) = &config.interval {
        for (day, hours) in &i.opening_hours {
            if hours.close <= hours.open {
                errors.push(doc.diagnostic(
                    path,
                    &format!("/interval/opening_hours/{}", day.as_str()),
                    "`close` must be after `open`",
                ));
            }
        }
    }
    errors
}

/// The profile's pictures: each a file inside the tenant directory that core's
/// media processing accepts, with alt text that is not blank.
fn picture_errors(
    dir: &Path,
    path: &Path,
    config: &TenantConfig,
    doc: &yaml::YamlDocument,
    pictures: PictureFiles,
) -> Vec<Diagnostic> {
    let p = &config.profile;
    let named = p
        .cover
        .iter()
        .map(|c| ("/profile/cover".to_owned(), c))
        .chain(
            p.gallery
                .iter()
                .enumerate()
                .map(|(i, g)| (format!("/profile/gallery/{i}"), g)),
        );
    let mut errors = Vec::new();
    for (at, picture) in named {
        let absent = !dir.join(&picture.file).exists();
        let checked = match pictures {
            PictureFiles::Named if absent => check_picture_path(&picture.file),
            _ => check_picture_file(dir, &picture.file),
        };
        if let Err(message) = checked {
            errors.push(doc.diagnostic(path, &format!("{at}/file"), message));
        }
        if picture.alt.trim().is_empty() {
            errors.push(doc.diagnostic(
                path,
                &format!("{at}/alt"),
                "the alt text is blank; say what the picture shows",
            ));
        }
    }
    errors
}

/// The map's tile template names `{z}`, `{x}` and `{y}` once each and no
/// other placeholder (the schema checked its form), its attribution is not
/// blank, and the map has coordinates to show.
fn map_errors(path: &Path, config: &TenantConfig, doc: &yaml::YamlDocument) -> Vec<Diagnostic> {
    let Some(map) = &config.profile.map else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    let mut placeholders = Vec::new();
    let mut rest = map.tiles.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            placeholders.push(after.to_owned());
            break;
        };
        placeholders.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    let unknown: Vec<&String> = placeholders
        .iter()
        .filter(|p| !["z", "x", "y"].contains(&p.as_str()))
        .collect();
    let missing: Vec<&str> = ["z", "x", "y"]
        .into_iter()
        .filter(|n| placeholders.iter().filter(|p| p == n).count() != 1)
        .collect();
    if let Some(p) = unknown.first() {
        errors.push(doc.diagnostic(
            path,
            "/profile/map/tiles",
            format!("the tile template may only use `{{z}}`, `{{x}}` and `{{y}}`, not `{{{p}}}`"),
        ));
    } else if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|n| format!("`{{{n}}}`")).collect();
        errors.push(doc.diagnostic(
            path,
            "/profile/map/tiles",
            format!(
                "the tile template needs {} once each (e.g. https://tile.example.org/{{z}}/{{x}}/{{y}}.png)",
                names.join(", ")
            ),
        ));
    }
    if map.attribution.trim().is_empty() {
        errors.push(doc.diagnostic(
            path,
            "/profile/map/attribution",
            "the attribution is blank; give the credit the tile server's terms ask for",
        ));
    }
    if config.profile.coordinates.is_none() {
        errors.push(doc.diagnostic(
            path,
            "/profile/map",
            "a map needs `coordinates` to show where the business is",
        ));
    }
    errors
}

/// Why `file` is not a path inside a tenant directory, if it is not.
fn check_picture_path(file: &str) -> Result<(), String> {
    use std::path::Component;
    let inside = Path::new(file)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if inside {
        Ok(())
    } else {
        Err(format!(
            "`{file}` must be a path inside the tenant directory (relative, without `..`)"
        ))
    }
}

/// Why `file` is not a picture of the tenant in `dir`, if it is not.
fn check_picture_file(dir: &Path, file: &str) -> Result<(), String> {
    check_picture_path(file)?;
    let full = dir.join(Path::new(file));
    if !full.exists() {
        return Err(format!("`{file}` does not exist in the tenant directory"));
    }
    // A symbolic link may still lead elsewhere.
    let real_dir = dir.canonicalize().map_err(|e| e.to_string())?;
    let real = full
        .canonicalize()
        .map_err(|e| format!("`{file}` cannot be read: {e}"))?;
    if !real.starts_with(&real_dir) {
        return Err(format!("`{file}` leads outside the tenant directory"));
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("`{file}` cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("`{file}` is not a file"));
    }
    // Too large to be a picture: refused without reading it.
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if size > berth_core::media::MAX_UPLOAD_BYTES {
        return Err(format!(
            "`{file}` is not an accepted picture: {}",
            berth_core::media::Refusal::TooLarge(size)
        ));
    }
    let bytes = std::fs::read(&real).map_err(|e| format!("`{file}` cannot be read: {e}"))?;
    berth_core::media::inspect(&bytes)
        .map(|_| ())
        .map_err(|refusal| format!("`{file}` is not an accepted picture: {refusal}"))
}
