//! Reading YAML: the document as a JSON value (for schema validation and typed
//! deserialization) plus the source position of every node, so that an error found
//! at a JSON path can be reported at the line and column where it is written.
//! Parsing is strict: YAML 1.1 booleans (`no`, `on`) stay strings, numbers with
//! leading zeros stay strings, duplicate keys are errors. Each scalar value also
//! keeps where its text is written (its byte range and notation), so that a tool
//! may rewrite one value in place and leave every other byte of the file alone.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use crate::diagnostic::Diagnostic;

/// A parsed YAML document with node positions.
#[derive(Debug)]
pub struct YamlDocument {
    /// The document's value.
    pub value: serde_json::Value,
    /// JSON pointer → (line, column), both 1-based. For mapping entries the
    /// position is the key's, which is where a reader looks.
    positions: HashMap<String, (u64, u64)>,
    /// JSON pointer → where the scalar value (not key) at that pointer is written.
    scalars: HashMap<String, ScalarSource>,
}

/// Where a scalar value is written in the source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalarSource {
    /// Its text's byte range in the source (quotes included when quoted, a tag
    /// or an anchor before it not).
    pub bytes: Range<usize>,
    /// Its line, 1-based.
    pub line: u64,
    /// Its column, 1-based.
    pub column: u64,
    /// How it is written.
    pub notation: Notation,
    /// Whether it carries an anchor (`&name`), so that aliases elsewhere repeat it.
    pub anchored: bool,
}

/// How a scalar value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notation {
    /// `115605`
    Plain,
    /// `'115605'`
    SingleQuoted,
    /// `"115605"`
    DoubleQuoted,
    /// A literal (`|`) or folded (`>`) block.
    Block,
    /// An alias (`*name`) of a value written elsewhere.
    Alias,
}

impl std::fmt::Display for Notation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain => "a plain scalar",
            Self::SingleQuoted => "a single-quoted string",
            Self::DoubleQuoted => "a double-quoted string",
            Self::Block => "a block scalar",
            Self::Alias => "an alias",
        })
    }
}

impl YamlDocument {
    /// The position of the node at `pointer`, or of its nearest ancestor that has
    /// one (the document start when none does).
    pub fn position(&self, pointer: &str) -> (u64, u64) {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return (1, 1),
            }
        }
    }

    /// Where the scalar value at `pointer` is written, if the node there is a
    /// scalar or an alias.
    pub fn scalar(&self, pointer: &str) -> Option<&ScalarSource> {
        self.scalars.get(pointer)
    }

    /// A diagnostic at `pointer` in `file`.
    pub fn diagnostic(&self, file: &Path, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.position(pointer);
        Diagnostic {
            file: file.to_owned(),
            line,
            column,
            yaml_path: Some(crate::diagnostic::yaml_path(pointer)),
            message: message.into(),
        }
    }
}

/// Parses `text` (the contents of `file`).
pub fn parse(file: &Path, text: &str) -> Result<YamlDocument, Diagnostic> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    };
    let value: serde_json::Value =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            Diagnostic {
                file: file.to_owned(),
                line,
                column,
                yaml_path: None,
                message: first_line(&e.to_string()),
            }
        })?;
    // An empty file is an empty mapping, so that schema errors name what is missing.
    let value = if value.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        value
    };
    let (positions, scalars) = positions(text);
    Ok(YamlDocument {
        value,
        positions,
        scalars,
    })
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

enum Frame {
    Map {
        pointer: String,
        key: Option<String>,
    },
    Seq {
        pointer: String,
        index: usize,
    },
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The positions of the nodes and the sources of the scalar values.
type Located = (HashMap<String, (u64, u64)>, HashMap<String, ScalarSource>);

/// Walks the parser's events, keeping the JSON pointer of the current node.
fn positions(text: &str) -> Located {
    let mut positions = HashMap::new();
    let mut scalars = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        let at = (span.start.line() as u64, span.start.col() as u64 + 1);
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(..)
        );
        // Where does this node sit? A scalar in key position is a key, not a node.
        let mut pointer = None;
        if is_node {
            match stack.last_mut() {
                Some(Frame::Map {
                    pointer: parent,
                    key,
                }) => match key.take() {
                    None => {
                        if let Event::Scalar(k, ..) = &event {
                            let child = format!("{parent}/{}", escape(k));
                            positions.entry(child).or_insert(at);
                            *key = Some(k.to_string());
                        }
                        continue;
                    }
                    Some(k) => pointer = Some(format!("{parent}/{}", escape(&k))),
                },
                Some(Frame::Seq {
                    pointer: parent,
                    index,
                }) => {
                    let child = format!("{parent}/{index}");
                    *index += 1;
                    positions.entry(child.clone()).or_insert(at);
                    pointer = Some(child);
                }
                None => {
                    positions.entry(String::new()).or_insert(at);
                    pointer = Some(String::new());
                }
            }
        }
        if let Some(pointer) = &pointer
            && let Some(bytes) = span.byte_range()
        {
            let written = match &event {
                Event::Scalar(_, style, anchor, _) => Some((
                    match style {
                        ScalarStyle::Plain => Notation::Plain,
                        ScalarStyle::SingleQuoted => Notation::SingleQuoted,
                        ScalarStyle::DoubleQuoted => Notation::DoubleQuoted,
                        ScalarStyle::Literal | ScalarStyle::Folded => Notation::Block,
                    },
                    *anchor != 0,
                )),
                Event::Alias(_) => Some((Notation::Alias, false)),
                _ => None,
            };
            if let Some((notation, anchored)) = written {
                scalars.entry(pointer.clone()).or_insert(ScalarSource {
                    bytes,
                    line: at.0,
                    column: at.1,
                    notation,
                    anchored,
                });
            }
        }
        match event {
            Event::MappingStart(..) => stack.push(Frame::Map {
                pointer: pointer.unwrap_or_default(),
                key: None,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq {
                pointer: pointer.unwrap_or_default(),
                index: 0,
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    (positions, scalars)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "slug: x\npricing:\n  base_rate: 100\n  seasons:\n    - name: winter\n      rate: 5\n    - name: summer\nflags: [a, b]\n";

    #[test]
    fn nodes_have_positions() {
        let doc = parse(Path::new("t.yaml"), DOC).unwrap();
        assert_eq!(doc.position("/slug"), (1, 1));
        assert_eq!(doc.position("/pricing/base_rate"), (3, 3));
        assert_eq!(doc.position("/pricing/seasons/0"), (5, 7));
        assert_eq!(doc.position("/pricing/seasons/0/rate"), (6, 7));
        assert_eq!(doc.position("/pricing/seasons/1/name"), (7, 7));
        assert_eq!(doc.position("/flags/1"), (8, 12));
        // Unknown paths fall back to the nearest known ancestor.
        assert_eq!(doc.position("/pricing/seasons/0/nope"), (5, 7));
    }

    #[test]
    fn scalar_values_know_where_their_text_is() {
        let text = "a: 115605   # old\nb: { c: \"7\", 'd': -3 }\ne: [x, &n 5, *n]\nf: |\n  text\n";
        let doc = parse(Path::new("t.yaml"), text).unwrap();
        let at = |p: &str| {
            let s = doc.scalar(p).unwrap();
            (&text[s.bytes.clone()], s.line, s.column, s.notation)
        };
        assert_eq!(at("/a"), ("115605", 1, 4, Notation::Plain));
        assert_eq!(at("/b/c"), ("\"7\"", 2, 9, Notation::DoubleQuoted));
        assert_eq!(at("/b/d"), ("-3", 2, 19, Notation::Plain));
        assert_eq!(at("/e/1"), ("5", 3, 11, Notation::Plain));
        assert!(doc.scalar("/e/1").unwrap().anchored);
        assert_eq!(at("/e/2").3, Notation::Alias);
        assert_eq!(at("/f").3, Notation::Block);
        // Keys and collections have no scalar source.
        assert_eq!(doc.scalar("/b"), None);
        assert_eq!(doc.scalar("/e"), None);
    }

    #[test]
    fn parsing_is_strict() {
        let doc = parse(Path::new("t.yaml"), "country: NO\nzip: 01234\nok: true\n").unwrap();
        assert_eq!(doc.value["country"], "NO");
        assert_eq!(doc.value["zip"], "01234");
        assert_eq!(doc.value["ok"], true);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse(Path::new("t.yaml"), "a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err}");
        let err = parse(Path::new("t.yaml"), "a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.line, 2, "duplicate keys are errors: {err}");
    }
}
