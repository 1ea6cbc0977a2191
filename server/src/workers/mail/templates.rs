//! The templates messages are rendered from (minijinja 2): per kind a plain
//! part `<kind>.txt`, whose first line is `Subject: …` and second line blank,
//! and an HTML part `<kind>.html` extending `layout.html`; the plain parts
//! include `signature.txt`. HTML is autoescaped (every value), plain text is
//! not; an undefined variable is an error, never an empty string.
//!
//! Defaults in English and Spanish ship in the repository (`server/emails/`,
//! embedded in the binary). A tenant may replace any of these files with its
//! own in `tenants/<slug>/emails/` (no language folder: the tenant writes in
//! its own language). `berth policy check` checks them ([`check_dir`]): unknown
//! file names, syntax errors, unknown variables or attributes (each template is
//! rendered against [`sample`](super::context::sample) with every variable
//! set) — located `…/emails/<file>:<line>:<column>`. A running server loads a
//! tenant's overrides when its directory changes and refuses a set that fails
//! the same check: the tenant keeps its last good set (or the defaults), and
//! the refusal is logged (docs/decisions/0124). The overrides are part of a
//! published policy version (docs/decisions/0168): a running server renders
//! with the live version's, whatever its own disk holds, and a version whose
//! templates fail the check is never published ([`directory_check`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use berth_core::mail::MailKind;
use berth_policy::diagnostic::Diagnostic;
use minijinja::{Environment, UndefinedBehavior};

use super::context::{MailContext, sample};
use crate::locale::Lang;

/// The directory of a tenant's overrides, inside its tenant directory.
pub const OVERRIDES_DIR: &str = "emails";
/// The HTML layout every HTML part extends.
pub const LAYOUT: &str = "layout.html";
/// The plain parts' closing lines.
pub const SIGNATURE: &str = "signature.txt";
/// What a plain part's first line starts with.
const SUBJECT: &str = "Subject:";

macro_rules! defaults {
    ($($lang:literal),*) => {
        &[$(
            ($lang, "layout.html", include_str!(concat!("../../../emails/", $lang, "/layout.html"))),
            ($lang, "signature.txt", include_str!(concat!("../../../emails/", $lang, "/signature.txt"))),
            ($lang, "request_received.txt", include_str!(concat!("../../../emails/", $lang, "/request_received.txt"))),
            ($lang, "request_received.html", include_str!(concat!("../../../emails/", $lang, "/request_received.html"))),
            ($lang, "confirmed.txt", include_str!(concat!("../../../emails/", $lang, "/confirmed.txt"))),
            ($lang, "confirmed.html", include_str!(concat!("../../../emails/", $lang, "/confirmed.html"))),
            ($lang, "period_changed.txt", include_str!(concat!("../../../emails/", $lang, "/period_changed.txt"))),
            ($lang, "period_changed.html", include_str!(concat!("../../../emails/", $lang, "/period_changed.html"))),
            ($lang, "canceled.txt", include_str!(concat!("../../../emails/", $lang, "/canceled.txt"))),
            ($lang, "canceled.html", include_str!(concat!("../../../emails/", $lang, "/canceled.html"))),
            ($lang, "reminder.txt", include_str!(concat!("../../../emails/", $lang, "/reminder.txt"))),
            ($lang, "reminder.html", include_str!(concat!("../../../emails/", $lang, "/reminder.html"))),
            ($lang, "staff_new_request.txt", include_str!(concat!("../../../emails/", $lang, "/staff_new_request.txt"))),
            ($lang, "staff_new_request.html", include_str!(concat!("../../../emails/", $lang, "/staff_new_request.html"))),
            ($lang, "staff_canceled.txt", include_str!(concat!("../../../emails/", $lang, "/staff_canceled.txt"))),
            ($lang, "staff_canceled.html", include_str!(concat!("../../../emails/", $lang, "/staff_canceled.html"))),
            ($lang, "staff_no_show.txt", include_str!(concat!("../../../emails/", $lang, "/staff_no_show.txt"))),
            ($lang, "staff_no_show.html", include_str!(concat!("../../../emails/", $lang, "/staff_no_show.html"))),
        )*]
    };
}

/// The shipped templates: (language, file, source).
const DEFAULTS: &[(&str, &str, &str)] = defaults!("en", "es");

/// The file names a tenant may override, in a fixed order.
pub fn file_names() -> Vec<String> {
    let mut names = vec![LAYOUT.to_owned(), SIGNATURE.to_owned()];
    for kind in MailKind::ALL {
        names.push(format!("{kind}.txt"));
        names.push(format!("{kind}.html"));
    }
    names
}

/// A message rendered: its subject and both parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a message could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template failed.
    #[error("template {name}: {message}")]
    Template {
        /// The template (`confirmed.txt`).
        name: String,
        /// Line, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The plain part does not start with `Subject: …`.
    #[error("{0}: the first line must be `Subject: …` (the message's subject)")]
    NoSubject(String),
}

impl RenderError {
    fn of(e: &minijinja::Error, fallback: &str) -> Self {
        Self::Template {
            name: e.name().unwrap_or(fallback).to_owned(),
            line: e.line(),
            message: message_of(e),
        }
    }
}

/// minijinja's message without its location (diagnostics carry that).
fn message_of(e: &minijinja::Error) -> String {
    let mut message = e
        .detail()
        .map(|d| format!("{}: {d}", kind_text(e)))
        .unwrap_or_else(|| kind_text(e));
    if let Some(source) = std::error::Error::source(e) {
        message.push_str(&format!(" ({source})"));
    }
    message
}

fn kind_text(e: &minijinja::Error) -> String {
    match e.kind() {
        minijinja::ErrorKind::UndefinedError => "unknown variable or attribute".to_owned(),
        minijinja::ErrorKind::SyntaxError => "syntax error".to_owned(),
        minijinja::ErrorKind::TemplateNotFound => "no such template".to_owned(),
        other => other.to_string(),
    }
}

/// One language's templates with a tenant's overrides (or none).
#[derive(Debug)]
pub struct TemplateSet {
    env: Environment<'static>,
}

/// A new environment: autoescape by extension (`.html` escaped, `.txt` not),
/// strict undefined, blocks trimmed so plain text stays tidy.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env
}

impl TemplateSet {
    /// The defaults of `lang` with `overrides` (file name → source) in place of
    /// the defaults of the same name; the errors of templates that do not
    /// parse.
    ///
    /// Every template is compiled once here, so that one that does not parse
    /// is refused now, and dropped again: the set keeps the sources and
    /// compiles a template when a message first needs it. A compiled template
    /// holds tens of kilobytes; an idle server keeps none, and a busy one only
    /// those of the kinds of message it has sent (decision 0186).
    pub fn new(
        lang: Lang,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Self, Vec<(String, minijinja::Error)>> {
        let mut sources: BTreeMap<String, Cow<'static, str>> = DEFAULTS
            .iter()
            .filter(|(l, name, _)| *l == lang.code() && !overrides.contains_key(*name))
            .map(|(_, name, source)| ((*name).to_owned(), Cow::Borrowed(*source)))
            .collect();
        sources.extend(
            overrides
                .iter()
                .map(|(name, source)| (name.clone(), Cow::Owned(source.clone()))),
        );
        let mut env = environment();
        let errors: Vec<(String, minijinja::Error)> = sources
            .iter()
            .filter_map(|(name, source)| {
                env.template_from_named_str(name, source)
                    .err()
                    .map(|e| (name.clone(), e))
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        env.set_loader(move |name| Ok(sources.get(name).map(|s| s.clone().into_owned())));
        Ok(Self { env })
    }

    /// The defaults of `lang`.
    pub fn defaults(lang: Lang) -> Self {
        match Self::new(lang, &BTreeMap::new()) {
            Ok(set) => set,
            Err(errors) => {
                // A shipped template that does not parse is a build mistake
                // the unit tests catch.
                for (name, e) in &errors {
                    tracing::error!(template = %name, error = %e, "a default e-mail template does not parse");
                }
                Self { env: environment() }
            }
        }
    }

    /// Renders `kind` with `context`.
    pub fn render(&self, kind: MailKind, context: &MailContext) -> Result<Rendered, RenderError> {
        let value = minijinja::Value::from_serialize(context);
        let render = |name: &str| {
            self.env
                .get_template(name)
                .and_then(|t| t.render(&value))
                .map_err(|e| RenderError::of(&e, name))
        };
        let txt = format!("{kind}.txt");
        let plain = render(&txt)?;
        let (first, rest) = plain.split_once('\n').unwrap_or((plain.as_str(), ""));
        let subject = first
            .trim()
            .strip_prefix(SUBJECT)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| RenderError::NoSubject(txt.clone()))?;
        let subject = super::context::one_line(subject);
        let text = format!(
            "{}\n",
            rest.trim_matches(['\n', '\r', ' ']).replace("\r\n", "\n")
        );
        let html = render(&format!("{kind}.html"))?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

/// Every problem with the overrides in `dir` (a tenant's `emails/`), for a
/// tenant writing in `lang`; empty when they are fine (or there are none).
pub fn check_dir(dir: &Path, lang: Lang) -> Vec<Diagnostic> {
    let (files, mut diagnostics) = read_overrides(dir);
    diagnostics.extend(check_files(dir, &files, lang));
    diagnostics
}

/// The override files in `dir` (none when it does not exist), and the
/// unknown names and unreadable files.
fn read_overrides(dir: &Path) -> (BTreeMap<String, String>, Vec<Diagnostic>) {
    let mut files = BTreeMap::new();
    let mut errors = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (files, errors),
        Err(e) => {
            errors.push(Diagnostic::file(dir, format!("cannot be read: {e}")));
            return (files, errors);
        }
    };
    let known = file_names();
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Editors' temporary and hidden files are not templates.
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        if !known.contains(&name) {
            errors.push(unknown(&path, &name));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(source) => {
                files.insert(name, source);
            }
            Err(e) => errors.push(Diagnostic::file(&path, format!("cannot be read: {e}"))),
        }
    }
    (files, errors)
}

/// `name` at `path` is no template berth uses.
fn unknown(path: &Path, name: &str) -> Diagnostic {
    Diagnostic::file(
        path,
        format!(
            "`{name}` is not an e-mail template berth uses; the files are {LAYOUT}, \
             {SIGNATURE} and <kind>.txt / <kind>.html for the kinds {}",
            MailKind::ALL.map(|k| k.as_str()).join(", ")
        ),
    )
}

/// The check a policy runtime runs on every tenant directory it loads
/// (`berth_policy::Runtime::with_directory_check`): the directory's
/// `emails/` overrides, as [`check_dir`] checks them, for a tenant writing
/// in its locale's language. So a candidate, a published version and a
/// version going live on an instance are refused with the template's
/// `emails/<file>:<line>:<column>` problems.
pub fn directory_check() -> berth_policy::models::DirectoryCheck {
    Arc::new(|dir: &Path, config: &berth_policy::config::TenantConfig| {
        check_dir(&dir.join(OVERRIDES_DIR), Lang::of_locale(&config.locale))
    })
}

/// A diagnostic at `line` (1-based; 0 for the whole file) of `dir/name`.
fn at(dir: &Path, name: &str, line: usize, column: usize, message: String) -> Diagnostic {
    Diagnostic {
        file: dir.join(name),
        line: line as u64,
        column: column as u64,
        yaml_path: None,
        message,
    }
}

/// The 1-based column of byte `offset` in `source`'s line.
fn column_of(source: &str, offset: usize) -> usize {
    let before = &source[..offset.min(source.len())];
    before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1
}

/// The problems of `files` (override name → source).
fn check_files(dir: &Path, files: &BTreeMap<String, String>, lang: Lang) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, source) in files {
        if name.ends_with(".txt") && name != SIGNATURE {
            let mut lines = source.lines();
            if !lines
                .next()
                .is_some_and(|l| l.trim_start().starts_with(SUBJECT))
            {
                out.push(at(dir, name, 1, 1, format!(
                    "the first line must be `{SUBJECT} …`: the message's subject, then a blank line, then the text"
                )));
            } else if lines.next().is_some_and(|l| !l.trim().is_empty()) {
                out.push(at(
                    dir,
                    name,
                    2,
                    1,
                    "the second line must be blank (it ends the subject)".to_owned(),
                ));
            }
        }
    }
    let set = match TemplateSet::new(lang, files) {
        Ok(set) => set,
        Err(errors) => {
            for (name, e) in errors {
                let source = files.get(&name).map(String::as_str).unwrap_or("");
                let column = e.range().map_or(0, |r| column_of(source, r.start));
                out.push(at(
                    dir,
                    &name,
                    e.line().unwrap_or(0),
                    column,
                    message_of(&e),
                ));
            }
            return out;
        }
    };
    // Unknown names in any branch, taken or not, against the sample's tree.
    let tree = serde_json::to_value(sample(MailKind::Confirmed, lang)).unwrap_or_default();
    for (name, source) in files {
        let Ok(template) = set.env.get_template(name) else {
            continue;
        };
        let mut unknown: Vec<String> = template
            .undeclared_variables(true)
            .into_iter()
            .filter(|path| !known_path(&set.env, &tree, path))
            .collect();
        unknown.sort();
        for path in unknown {
            let (line, column) = locate(source, &path);
            out.push(at(
                dir,
                name,
                line,
                column,
                format!("unknown variable or attribute `{path}`"),
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    // Then each kind rendered with every variable set.
    let mut seen = HashSet::new();
    for kind in MailKind::ALL {
        if let Err(e) = set.render(kind, &sample(kind, lang)) {
            let diagnostic = match e {
                RenderError::Template {
                    name,
                    line,
                    message,
                } => at(dir, &name, line.unwrap_or(0), 0, message),
                RenderError::NoSubject(name) => at(
                    dir,
                    &name,
                    1,
                    1,
                    format!("the first line must render as `{SUBJECT} …` with a subject"),
                ),
            };
            if seen.insert(diagnostic.to_string()) {
                out.push(diagnostic);
            }
        }
    }
    out
}

/// Whether `path` (`business.address.street`) names a global function or a
/// variable the sample has.
fn known_path(env: &Environment<'_>, tree: &serde_json::Value, path: &str) -> bool {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return true;
    };
    if env.globals().any(|(name, _)| name == first) {
        return true;
    }
    let mut node = tree;
    for part in std::iter::once(first).chain(parts) {
        match node.get(part) {
            Some(next) => node = next,
            None => return false,
        }
    }
    true
}

/// Where `path` (or its first part) first appears in `source`: line and
/// column, 1-based.
fn locate(source: &str, path: &str) -> (usize, usize) {
    let first = path.split('.').next().unwrap_or(path);
    let offset = find_word(source, path).or_else(|| find_word(source, first));
    match offset {
        Some(offset) => (
            source[..offset].matches('\n').count() + 1,
            column_of(source, offset),
        ),
        None => (1, 0),
    }
}

/// The first occurrence of `word` not inside a longer name.
fn find_word(source: &str, word: &str) -> Option<usize> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = source[..i].chars().next_back();
        let after = source[i + word.len()..].chars().next();
        !before.is_some_and(|c| is_name(c) || c == '.') && !after.is_some_and(is_name)
    })
}

/// Every tenant's templates, swapped whole when its live policy version
/// changes.
#[derive(Debug)]
pub struct Templates {
    defaults: [Arc<TemplateSet>; 2],
    tenants: RwLock<HashMap<String, TenantTemplates>>,
}

/// One tenant's checked overrides, in both languages.
#[derive(Debug)]
struct TenantTemplates {
    files: BTreeMap<String, String>,
    sets: [Arc<TemplateSet>; 2],
}

fn index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Es => 1,
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// The defaults, and no tenant's overrides yet.
    pub fn new() -> Self {
        Self {
            defaults: [
                Arc::new(TemplateSet::defaults(Lang::En)),
                Arc::new(TemplateSet::defaults(Lang::Es)),
            ],
            tenants: RwLock::new(HashMap::new()),
        }
    }

    /// The templates `slug` renders with in `lang`.
    pub fn for_tenant(&self, slug: &str, lang: Lang) -> Arc<TemplateSet> {
        let tenants = self.tenants.read().unwrap_or_else(|p| p.into_inner());
        match tenants.get(slug) {
            Some(t) => t.sets[index(lang)].clone(),
            None => self.defaults[index(lang)].clone(),
        }
    }

    /// The defaults of `lang`.
    pub fn defaults(&self, lang: Lang) -> Arc<TemplateSet> {
        self.defaults[index(lang)].clone()
    }

    /// Makes `files` (override name → source: the live policy version's
    /// `emails/`) `slug`'s templates, checked for a tenant writing in
    /// `lang`: a set that passes replaces the tenant's; one that fails (a
    /// version published by an older binary, say) is refused and logged, and
    /// the tenant keeps what it had. True when the tenant's templates
    /// changed.
    pub fn set(&self, slug: &str, lang: Lang, files: &BTreeMap<String, String>) -> bool {
        let dir = Path::new(OVERRIDES_DIR);
        let known = file_names();
        let unknown: Vec<Diagnostic> = files
            .keys()
            .filter(|name| !known.contains(name))
            .map(|name| unknown(&dir.join(name), name))
            .collect();
        if !unknown.is_empty() {
            return self.refuse(slug, &unknown);
        }
        let unchanged = {
            let tenants = self.tenants.read().unwrap_or_else(|p| p.into_inner());
            match tenants.get(slug) {
                Some(t) => t.files == *files,
                None => files.is_empty(),
            }
        };
        if unchanged {
            return false;
        }
        let diagnostics = check_files(dir, files, lang);
        if !diagnostics.is_empty() {
            return self.refuse(slug, &diagnostics);
        }
        let mut tenants = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        if files.is_empty() {
            tenants.remove(slug);
            tracing::info!(tenant = slug, "e-mail templates: the defaults");
            return true;
        }
        let sets = [Lang::En, Lang::Es].map(|l| match TemplateSet::new(l, files) {
            Ok(set) => Arc::new(set),
            Err(_) => self.defaults[index(l)].clone(),
        });
        tracing::info!(tenant = slug, files = ?files.keys().collect::<Vec<_>>(), "e-mail templates loaded");
        tenants.insert(
            slug.to_owned(),
            TenantTemplates {
                files: files.clone(),
                sets,
            },
        );
        true
    }

    fn refuse(&self, slug: &str, diagnostics: &[Diagnostic]) -> bool {
        for d in diagnostics {
            tracing::warn!(
                tenant = slug,
                "e-mail templates refused, the last good ones stay: {d}"
            );
        }
        false
    }

    /// Forgets `slug`'s overrides (its directory is gone).
    pub fn remove(&self, slug: &str) {
        let mut tenants = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        tenants.remove(slug);
    }
}
