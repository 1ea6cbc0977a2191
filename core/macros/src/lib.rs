//! `#[each_database]`: the store's code is written once and instantiated for
//! each database berth runs on (docs/decisions/0159).
//!
//! A store body written once as generic code over the database has to repeat,
//! on every `impl` and function, what it binds and reads (`Uuid:
//! Encode<'q, DB> + Type<DB>`, `Row: FromRow<'r, DB::Row>`, …): Rust implies
//! only a trait's supertraits, so these bounds cannot be stated once. The
//! store has two databases, both known, so instead the item under this
//! attribute is written with the placeholder `DB` (the database) and, where it
//! needs the store type, `DbStore`, and the attribute emits it twice: once with
//! `::sqlx::Sqlite` and `crate::store::SqliteStore`, once with
//! `::sqlx::Postgres` and `crate::store::PostgresStore`. Each copy is checked
//! by the compiler as ordinary concrete code, so no bound is written at all.
//!
//! Inside the item, reach associated types through aliases (`Conn<DB>`,
//! `Instant<DB>`) or fully qualified paths (`<DB as Database>::Row`): a
//! concrete type's associated type cannot be named as `Sqlite::Row`.
//! Associated functions and constants (`DB::stamp(…)`, `DB::FOR_UPDATE`)
//! work as written, with their trait in scope.

use proc_macro::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// One database: what `DB` and `DbStore` stand for in its copy.
struct Database {
    /// The `sqlx` database type.
    sqlx: &'static str,
    /// berth's store on it.
    store: &'static str,
}

/// The databases, in the order their copies are emitted.
const DATABASES: [Database; 2] = [
    Database {
        sqlx: "Sqlite",
        store: "SqliteStore",
    },
    Database {
        sqlx: "Postgres",
        store: "PostgresStore",
    },
];

/// Emits the item once per database, `DB` and `DbStore` replaced by that
/// database's types (see the crate documentation).
#[proc_macro_attribute]
pub fn each_database(attr: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(extra) = attr.into_iter().next() {
        return compile_error(extra.span(), "#[each_database] takes no arguments");
    }
    DATABASES
        .iter()
        .map(|database| substitute(item.clone(), database))
        .collect()
}

/// `tokens` with every `DB` and `DbStore` replaced for `database`.
fn substitute(tokens: TokenStream, database: &Database) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|token| -> Vec<TokenTree> {
            match token {
                TokenTree::Ident(ident) if ident.to_string() == "DB" => {
                    path(&["sqlx", database.sqlx], ident.span(), true)
                }
                TokenTree::Ident(ident) if ident.to_string() == "DbStore" => {
                    path(&["crate", "store", database.store], ident.span(), false)
                }
                TokenTree::Group(group) => {
                    let mut copy =
                        Group::new(group.delimiter(), substitute(group.stream(), database));
                    copy.set_span(group.span());
                    vec![TokenTree::Group(copy)]
                }
                other => vec![other],
            }
        })
        .collect()
}

/// The path `segments`, spanned at `span`, absolute (`::a::b`) if `absolute`.
fn path(segments: &[&str], span: Span, absolute: bool) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if absolute || i > 0 {
            let mut joint = Punct::new(':', Spacing::Joint);
            joint.set_span(span);
            let mut alone = Punct::new(':', Spacing::Alone);
            alone.set_span(span);
            out.push(TokenTree::Punct(joint));
            out.push(TokenTree::Punct(alone));
        }
        out.push(TokenTree::Ident(Ident::new(segment, span)));
    }
    out
}

/// `compile_error!(message)` at `span`.
fn compile_error(span: Span, message: &str) -> TokenStream {
    let mut literal = proc_macro::Literal::string(message);
    literal.set_span(span);
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    let mut body = Group::new(
        Delimiter::Parenthesis,
        TokenStream::from(TokenTree::Literal(literal)),
    );
    body.set_span(span);
    [
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(bang),
        TokenTree::Group(body),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]
    .into_iter()
    .collect()
}
