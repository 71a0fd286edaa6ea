//! The bounded run `cargo test` does: each target gets its seeds and the
//! crash regressions (`seeds/<target>/`, `regressions/<target>/`), then
//! mutations of them and random inputs from a fixed seed, a fixed number of
//! each, so every run is the same run. It is no substitute for the
//! coverage-guided run (`scripts/fuzz`); it keeps the targets compiling,
//! their invariants true on known inputs, and known crashes fixed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use crate::{Target, crate_dir};

/// How many inputs, and from which seed.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub mutations: usize,
    pub random: usize,
    pub seed: u64,
}

/// A failing input: the target, where the input was saved, and the panic.
#[derive(Debug)]
pub struct Failure {
    pub target: &'static str,
    pub kind: &'static str,
    pub saved: Option<PathBuf>,
    pub input: Vec<u8>,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: String = String::from_utf8_lossy(&self.input).chars().take(300).collect();
        write!(
            f,
            "target {} failed on a {} input: {}\ninput ({} bytes): {shown:?}",
            self.target,
            self.kind,
            self.message,
            self.input.len()
        )?;
        match &self.saved {
            Some(p) => {
                write!(f, "\nsaved as {} (replay: scripts/fuzz {} with it as the corpus)", p.display(), self.target)
            }
            None => Ok(()),
        }
    }
}

/// SplitMix64: a few lines, good enough to drive mutations reproducibly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Tokens the parsers care about, spliced in by the mutator.
const TOKENS: [&[u8]; 28] = [
    b",",
    b"\n",
    b"\r\n",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"=",
    b"&",
    b"%",
    b"%FF",
    b"-1",
    b"0",
    b"1e309",
    b"99999999999999999999",
    b"null",
    b"true",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\x00",
    "工单编号".as_bytes(),
    b"--XyZ\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a\"\r\n\r\n",
    b"--XyZ--\r\n",
    b"attribute[level]",
    b"9999-12-31",
    b"-009999-01-01T00:00:00Z",
];

/// One to four changes to `input`: flips, byte values, inserts, deletions,
/// repeats, tokens, or a splice with another input.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => out[at] = [0, 0xFF, b'0', b'9', b' ', 0x7F, 0x80][rng.below(7)],
            2 => {
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                out.splice(at..at, bytes);
            }
            3 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            4 if at < out.len() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                let piece = out[at..end].to_vec();
                for _ in 0..=rng.below(8) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            5 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            6 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(64)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// The hand-written seeds and the crash regressions of a target, by file name.
pub fn corpus(name: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for folder in ["seeds", "regressions"] {
        let dir = crate_dir().join(folder).join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<PathBuf> =
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        files.sort();
        for path in files {
            if let Ok(bytes) = std::fs::read(&path) {
                out.push((
                    format!(
                        "{folder}/{name}/{}",
                        path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    ),
                    bytes,
                ));
            }
        }
    }
    out
}

/// Run `input`; a panic becomes a [`Failure`] (the input saved under the
/// temp directory, as libFuzzer would keep a crash file).
fn one(target: Target, kind: &'static str, input: &[u8]) -> Result<(), Failure> {
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    let Err(panic) = outcome else { return Ok(()) };
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned());
    let dir = std::env::temp_dir().join("shanzhi-fuzz-failures");
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    let path = dir.join(format!("{}-{hash:016x}", target.name));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input)).ok().map(|()| path);
    Err(Failure { target: target.name, kind, saved, input: input.to_vec(), message })
}

/// Inputs run, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub corpus: usize,
    pub mutations: usize,
    pub random: usize,
}

/// The bounded run of one target; stops at the first failure.
pub fn run(target: Target, budget: Budget) -> Result<Counts, Box<Failure>> {
    run_with(target, &corpus(target.name), budget)
}

/// As [`run`], over a given corpus.
pub fn run_with(target: Target, corpus: &[(String, Vec<u8>)], budget: Budget) -> Result<Counts, Box<Failure>> {
    let mut counts = Counts::default();
    for (_, input) in corpus {
        one(target, "corpus", input).map_err(Box::new)?;
        counts.corpus += 1;
    }
    let mut rng =
        Rng::new(budget.seed ^ target.name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let empty: Vec<u8> = Vec::new();
    let pick = |rng: &mut Rng| corpus.get(rng.below(corpus.len().max(1))).map_or(&empty, |(_, b)| b);
    // Mutations stack: every few rounds the mutant itself is mutated further.
    let mut last = Vec::new();
    for i in 0..budget.mutations {
        let base = if i % 4 == 0 || last.is_empty() { pick(&mut rng).clone() } else { last.clone() };
        let other = pick(&mut rng).clone();
        let input = mutate(&mut rng, &base, &other);
        one(target, "mutated", &input).map_err(Box::new)?;
        last = input;
        counts.mutations += 1;
    }
    for _ in 0..budget.random {
        let n = rng.below(256);
        let printable = rng.below(2) == 0;
        let input: Vec<u8> =
            (0..n).map(|_| if printable { b' ' + (rng.below(95) as u8) } else { rng.next_u64() as u8 }).collect();
        one(target, "random", &input).map_err(Box::new)?;
        counts.random += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parser with a planted bug: it panics on a `%` after a digit, which
    /// no seed has and the mutator must produce.
    fn planted(data: &[u8]) {
        assert!(!data.windows(2).any(|w| w[0].is_ascii_digit() && w[1] == b'%'), "planted panic");
    }

    #[test]
    fn a_planted_panic_is_found_and_its_input_saved() {
        let target = Target { name: "planted", run: planted, checks: "" };
        let corpus = vec![("a".to_owned(), b"a=1&b=2".to_vec())];
        let failure = run_with(target, &corpus, Budget { mutations: 5_000, random: 0, seed: 1 }).expect_err("found");
        assert!(failure.message.contains("planted panic") && failure.kind == "mutated", "{failure}");
        let saved = failure.saved.as_ref().expect("saved");
        assert_eq!(std::fs::read(saved).expect("saved file"), failure.input);
        let _ = std::fs::remove_file(saved);
    }

    #[test]
    fn the_run_is_the_same_every_time() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let (x, y) = (mutate(&mut a, b"hello", b"world"), mutate(&mut b, b"hello", b"world"));
        assert_eq!(x, y);
    }
}
