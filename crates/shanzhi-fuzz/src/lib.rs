//! Fuzz targets: one plain function per parser or request body, each taking
//! any bytes and asserting what must hold for every input. A target never
//! panics on its own account: a panic is a finding, whether it comes from
//! the parser or from one of the assertions here (a bound not kept, a round
//! trip that does not come back, a refusal that is not a value).
//!
//! The same functions run in two harnesses: the bounded run in `cargo test`
//! ([`run`], `tests/bounded.rs`) and the coverage-guided run with libFuzzer
//! (`fuzz/` at the repository root, `scripts/fuzz`). See `docs/fuzzing.md`.

mod classify;
mod files;
mod input;
mod requests;
mod router;
pub mod run;

use std::path::PathBuf;

/// A fuzz target: its name (also the libFuzzer target's and the seed
/// folder's) and the function.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    /// What the target checks, for the docs and failure messages.
    pub checks: &'static str,
}

/// Every target, in the order the bounded run takes them.
pub const TARGETS: [Target; 14] = [
    Target {
        name: "hotline_csv",
        run: files::hotline_csv,
        checks: "12345 export as CSV (UTF-8/GB18030): table within TableLimits::HOTLINE, orders well formed",
    },
    Target {
        name: "hotline_xlsx",
        run: files::hotline_xlsx,
        checks: "12345 export as XLSX: zip/XML parsing within TableLimits::HOTLINE, orders well formed",
    },
    Target {
        name: "divisions",
        run: files::divisions,
        checks: "division CSV: valid unique codes with their level and parent, problems capped, refusals as values",
    },
    Target {
        name: "grids",
        run: files::grids,
        checks: "GeoJSON grid collection: rings closed and in range, vertex bound, geometry round trip, topology check",
    },
    Target {
        name: "calendar",
        run: files::calendar,
        checks: "official-days CSV and working hours: deadlines on the resulting calendar are never before the start",
    },
    Target {
        name: "open311_form",
        run: requests::open311_form,
        checks: "Open311 form/query: pair bound, re-encoding round trip, lists/attributes/numbers, filters and window",
    },
    Target {
        name: "command",
        run: requests::command,
        checks: "command bodies: parse_command + validate, attachment bound, JSON round trip, state machine apply",
    },
    Target {
        name: "matter_query",
        run: requests::matter_query,
        checks: "matter list query string: known states and colours without repeats, search text bound",
    },
    Target {
        name: "report_body",
        run: requests::report_body,
        checks: "JSON report bodies: intake request mapping, CRS names, attribute answers as texts",
    },
    Target {
        name: "answers",
        run: requests::answers,
        checks: "attribute answers against every datatype: required ones present, keys from the allowed list",
    },
    Target {
        name: "multipart",
        run: requests::multipart,
        checks: "multipart forms (UI, Open311): at most 64 parts, 9 non-empty files, 20,000 characters a field",
    },
    Target {
        name: "labelled_csv",
        run: classify::labelled_csv,
        checks: "labelled texts for classify train/eval: within TableLimits::LABELLED, no empty text or label, a small file trains and its model round-trips",
    },
    Target {
        name: "classify_model",
        run: classify::classify_model,
        checks: "classifier model JSON: bounded and consistent, writes back as itself, answers with its labels and probabilities in 0–1",
    },
    Target {
        name: "http",
        run: router::http,
        checks: "the whole router in process over SQLite: a request built from the input never gets a 5xx",
    },
];

/// The target of this name.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|t| t.name == name)
}

/// This crate's folder: `seeds/<target>/` (hand-written) and
/// `regressions/<target>/` (inputs that once failed).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the target of this name on one input: the libFuzzer entry points in
/// `fuzz/fuzz_targets/` are one line each over this.
pub fn run_target(name: &str, data: &[u8]) {
    match target(name) {
        Some(t) => (t.run)(data),
        None => panic!("no fuzz target {name}"),
    }
}
