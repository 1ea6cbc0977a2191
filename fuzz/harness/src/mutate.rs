//! Random mutation of fuzzing inputs, for the stable round (`round.rs`): the
//! kinds of change libFuzzer makes — flip a bit, overwrite or insert bytes,
//! insert an interesting integer, erase or repeat a stretch, insert a
//! dictionary token, splice in part of another corpus input — stacked one to
//! eight at a time, from a seeded generator so a seed replays a round. It is
//! blind (no coverage feedback): it reaches what lies near the committed
//! corpora, which the coverage-guided runs of `scripts/fuzz` grew.

/// splitmix64: small, fast, and the same sequence for the same seed everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // The modulo bias is irrelevant for mutation choices.
        (self.next_u64() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next_u64().to_le_bytes()[0]
    }
}

/// Integers that sit on boundaries, in the widths inputs carry them.
const INTERESTING: &[i64] = &[
    0,
    1,
    -1,
    16,
    32,
    64,
    100,
    127,
    128,
    255,
    256,
    1000,
    1024,
    4096,
    32767,
    32768,
    65535,
    65536,
    i32::MAX as i64,
    i32::MIN as i64,
    i64::MAX,
    i64::MIN,
];

/// Mutates inputs of one target.
#[derive(Debug)]
pub struct Mutator<'a> {
    rng: Rng,
    dictionary: &'a [Vec<u8>],
    corpus: &'a [Vec<u8>],
    max_len: usize,
}

impl<'a> Mutator<'a> {
    /// A mutator drawing tokens from `dictionary`, splicing from `corpus`,
    /// never growing an input beyond `max_len` bytes.
    pub fn new(
        seed: u64,
        dictionary: &'a [Vec<u8>],
        corpus: &'a [Vec<u8>],
        max_len: usize,
    ) -> Self {
        Self {
            rng: Rng::new(seed),
            dictionary,
            corpus,
            max_len: max_len.max(1),
        }
    }

    /// A corpus input picked at random (an empty input when the corpus is).
    pub fn pick(&mut self) -> Vec<u8> {
        if self.corpus.is_empty() {
            return Vec::new();
        }
        self.corpus[self.rng.below(self.corpus.len())].clone()
    }

    /// `input` with one to eight random changes.
    pub fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut data = input.to_vec();
        let changes = 1 + self.rng.below(8);
        for _ in 0..changes {
            self.change(&mut data);
        }
        data.truncate(self.max_len);
        data
    }

    fn change(&mut self, data: &mut Vec<u8>) {
        let at = |rng: &mut Rng, len: usize| rng.below(len + 1);
        match self.rng.below(9) {
            0 if !data.is_empty() => {
                let i = self.rng.below(data.len());
                data[i] ^= 1 << self.rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = self.rng.below(data.len());
                data[i] = self.rng.byte();
            }
            2 => {
                let i = at(&mut self.rng, data.len());
                let n = 1 + self.rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| self.rng.byte()).collect();
                data.splice(i..i, bytes);
            }
            3 if !data.is_empty() => {
                let start = self.rng.below(data.len());
                let end = start + 1 + self.rng.below((data.len() - start).min(64));
                data.drain(start..end);
            }
            4 if !data.is_empty() => {
                let start = self.rng.below(data.len());
                let end = start + 1 + self.rng.below((data.len() - start).min(64));
                let copy = data[start..end].to_vec();
                let i = at(&mut self.rng, data.len());
                data.splice(i..i, copy);
            }
            5 => {
                let value = INTERESTING[self.rng.below(INTERESTING.len())];
                let width = [1, 2, 4, 8][self.rng.below(4)];
                let bytes = if self.rng.below(2) == 0 {
                    value.to_le_bytes()[..width].to_vec()
                } else {
                    value.to_be_bytes()[8 - width..].to_vec()
                };
                self.put(data, &bytes);
            }
            6 => {
                // The integer as text, for the many inputs that are text.
                let value = INTERESTING[self.rng.below(INTERESTING.len())];
                self.put(data, value.to_string().as_bytes());
            }
            7 if !self.dictionary.is_empty() => {
                let token = self.dictionary[self.rng.below(self.dictionary.len())].clone();
                self.put(data, &token);
            }
            8 if !self.corpus.is_empty() => {
                let other = &self.corpus[self.rng.below(self.corpus.len())];
                if !other.is_empty() {
                    let start = self.rng.below(other.len());
                    let end = start + 1 + self.rng.below(other.len() - start);
                    let piece = other[start..end].to_vec();
                    let i = at(&mut self.rng, data.len());
                    if self.rng.below(2) == 0 {
                        data.truncate(i);
                        data.extend_from_slice(&piece);
                    } else {
                        data.splice(i..i, piece);
                    }
                }
            }
            _ => {
                let i = at(&mut self.rng, data.len());
                data.insert(i, self.rng.byte());
            }
        }
    }

    /// Inserts `bytes` at a random place, or writes them over what is there.
    fn put(&mut self, data: &mut Vec<u8>, bytes: &[u8]) {
        let i = self.rng.below(data.len() + 1);
        if self.rng.below(2) == 0 || i + bytes.len() > data.len() {
            data.splice(i..i, bytes.iter().copied());
        } else {
            data[i..i + bytes.len()].copy_from_slice(bytes);
        }
    }
}

/// The tokens of a libFuzzer dictionary (`fuzz/dict/<target>.dict`): one
/// `"token"` or `name="token"` per line, `#` comments, `\\`, `\"` and `\xHH`
/// escapes.
pub fn parse_dictionary(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut tokens = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let quoted = line
            .find('"')
            .filter(|&open| line.len() > open + 1 && line.ends_with('"'))
            .map(|open| &line[open + 1..line.len() - 1])
            .ok_or_else(|| format!("line {}: a token is written \"like this\"", n + 1))?;
        let mut token = Vec::new();
        let mut bytes = quoted.bytes();
        while let Some(b) = bytes.next() {
            if b != b'\\' {
                token.push(b);
                continue;
            }
            match bytes.next() {
                Some(b'x') => {
                    let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                    let value = std::str::from_utf8(&hex)
                        .ok()
                        .filter(|h| h.len() == 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or_else(|| format!("line {}: \\x takes two hex digits", n + 1))?;
                    token.push(value);
                }
                Some(escaped @ (b'\\' | b'"')) => token.push(escaped),
                _ => return Err(format!("line {}: unknown escape", n + 1)),
            }
        }
        tokens.push(token);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dictionary_reads_its_tokens_and_escapes() {
        let text = "# comment\n\"BEGIN:VEVENT\\x0D\\x0A\"\nkw=\"a\\\"b\\\\c\"\n\n";
        let tokens = parse_dictionary(text).unwrap();
        assert_eq!(
            tokens,
            vec![b"BEGIN:VEVENT\r\n".to_vec(), b"a\"b\\c".to_vec()]
        );
        assert!(
            parse_dictionary("no quotes")
                .unwrap_err()
                .contains("line 1")
        );
        assert!(parse_dictionary("\"\\xZ1\"").unwrap_err().contains("hex"));
        assert!(parse_dictionary("\"\\n\"").unwrap_err().contains("escape"));
    }

    #[test]
    fn every_committed_dictionary_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dict");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let tokens =
                parse_dictionary(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!tokens.is_empty(), "{} has no token", path.display());
        }
    }

    #[test]
    fn a_seed_replays_the_same_mutations_and_inputs_stay_within_their_bound() {
        let dictionary = vec![b"token".to_vec()];
        let corpus = vec![b"first input".to_vec(), b"second".to_vec()];
        let run = |seed| {
            let mut m = Mutator::new(seed, &dictionary, &corpus, 32);
            (0..200)
                .map(|_| {
                    let input = m.pick();
                    m.mutate(&input)
                })
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        assert!(a.iter().all(|input| input.len() <= 32));
        // Mutation changes inputs (an input may come out unchanged only by chance).
        let unchanged = a.iter().filter(|i| corpus.contains(i)).count();
        assert!(unchanged < 20, "{unchanged} of 200 came out unchanged");
        // Every kind of change is reached: a dictionary token shows up.
        assert!(a.iter().any(|i| i.windows(5).any(|w| w == b"token")));
    }
}
