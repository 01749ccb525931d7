//! Conformance corpus runner.
//!
//! Loads every `tests/corpus/**/*.json` file of the repository (each a JSON array of case objects, format in
//! `docs/simulate-case-format.md`), runs every case through `sagegate_policy::case`, and fails listing
//! *every* failing case with what differed, not only the first. The number of cases run is always printed.
//!
//! Environment:
//! - `CORPUS_FILTER=<text>`: run only the cases whose id, file name or rules contain `<text>`.
//! - `CORPUS_VERBOSE=1`: also print one line per passing case.
//!
//! A second test checks that the corpus cites every rule of `shared/spec/iam-evaluation.md` it is meant to
//! cover, and every seed scenario S1..S27, so that a rule cannot silently lose its last case.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use sagegate_policy::case::{Case, CaseOutcome};
use serde_json::Value;

const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");

/// Output that bypasses libtest's capture, so the summary shows even when the test passes.
fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?.path();
        if path.is_dir() {
            json_files(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// One case object as found in a corpus file.
struct Entry {
    file: String,
    index: usize,
    id: String,
    rules: Vec<String>,
    value: Value,
}

/// Reads every corpus file. Problems with the files themselves (unreadable, not JSON, not an array, an
/// element that is not an object, a missing or duplicate id, missing rules) are returned as failures.
fn load() -> (Vec<Entry>, Vec<String>, usize) {
    let root = Path::new(CORPUS_DIR);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if let Err(e) = json_files(root, &mut files) {
        problems.push(e);
    }
    files.sort();
    let mut entries = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for path in &files {
        let rel = path.strip_prefix(root).unwrap_or(path).display().to_string();
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("[{rel}] cannot read: {e}"));
                continue;
            }
        };
        let doc: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("[{rel}] not valid JSON: {e}"));
                continue;
            }
        };
        let Some(items) = doc.as_array() else {
            problems.push(format!("[{rel}] the file must hold a JSON array of case objects"));
            continue;
        };
        for (index, value) in items.iter().enumerate() {
            let label = format!("[{rel} #{index}]");
            if !value.is_object() {
                problems.push(format!("{label} a case must be a JSON object"));
                continue;
            }
            let id = match value.get("id").and_then(Value::as_str) {
                Some(id) if !id.is_empty() => id.to_string(),
                _ => {
                    problems.push(format!("{label} the case has no non-empty string `id`"));
                    continue;
                }
            };
            if let Some(other) = seen.insert(id.clone(), rel.clone()) {
                problems.push(format!("{label} duplicate case id `{id}` (also in {other})"));
            }
            let rules: Vec<String> = value
                .get("rules")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            if rules.is_empty() {
                problems.push(format!("{label} case `{id}` cites no rule (`rules` must be a non-empty array)"));
            }
            entries.push(Entry { file: rel.clone(), index, id, rules, value: value.clone() });
        }
    }
    (entries, problems, files.len())
}

/// Runs one case; a panic inside the engine is reported as a failure of that case.
fn run_one(entry: &Entry) -> Vec<String> {
    let text = match serde_json::to_string(&entry.value) {
        Ok(t) => t,
        Err(e) => return vec![format!("cannot serialize the case: {e}")],
    };
    let result = catch_unwind(AssertUnwindSafe(|| match Case::from_json(&text) {
        Err(e) => vec![format!("the case does not parse: {e}")],
        Ok(case) => {
            let outcome: CaseOutcome = case.run();
            outcome.failures()
        }
    }));
    match result {
        Ok(failures) => failures,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "(non-string panic payload)".to_string());
            vec![format!("the engine panicked: {msg}")]
        }
    }
}

/// A short statement of what the case expected, for the failure report.
fn expected_summary(v: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["expect", "expectDecidedBy", "expectValid", "expectCode", "expectMessage"] {
        if let Some(x) = v.get(key) {
            parts.push(format!("{key}={x}"));
        }
    }
    parts.join(", ")
}

#[test]
fn corpus() {
    let filter = std::env::var("CORPUS_FILTER").ok().filter(|f| !f.is_empty());
    let verbose = std::env::var("CORPUS_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let (entries, problems, file_count) = load();

    let mut failures: Vec<String> = problems.iter().map(|p| format!("corpus file problem: {p}")).collect();
    let mut ran = 0usize;
    let mut failed_cases = 0usize;
    let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for entry in &entries {
        if let Some(f) = &filter {
            let hit =
                entry.id.contains(f.as_str()) || entry.file.contains(f.as_str()) || entry.rules.iter().any(|r| r == f);
            if !hit {
                continue;
            }
        }
        ran += 1;
        let stats = per_file.entry(entry.file.as_str()).or_insert((0, 0));
        stats.0 += 1;
        let diffs = run_one(entry);
        if diffs.is_empty() {
            if verbose {
                say(&format!("ok   [{}] {}", entry.file, entry.id));
            }
            continue;
        }
        stats.1 += 1;
        failed_cases += 1;
        failures.push(format!(
            "FAIL [{} #{}] {} (rules {})\n       expected: {}\n       actual:   {}",
            entry.file,
            entry.index,
            entry.id,
            entry.rules.join(","),
            expected_summary(&entry.value),
            diffs.join("\n                 ")
        ));
    }

    say(&format!(
        "corpus: {ran} cases ran from {file_count} files under tests/corpus; {} passed, {failed_cases} failed{}",
        ran - failed_cases,
        filter.as_ref().map(|f| format!(" (CORPUS_FILTER={f})")).unwrap_or_default()
    ));
    for (file, (n, bad)) in &per_file {
        say(&format!("  {file:<40} {n:>4} cases, {bad:>3} failed"));
    }
    assert!(filter.is_some() || ran > 0, "the corpus is empty: no case under {CORPUS_DIR}");
    assert!(failures.is_empty(), "{} corpus failure(s) out of {ran} cases:\n{}\n", failures.len(), failures.join("\n"));
}

/// Rule IDs the corpus must cite at least once: every numbered rule of the IAM spec that a single decision
/// or validation case can express, and every seed scenario S1..S27 of the SageMaker reference.
fn required_rules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut range = |prefix: &str, from: u32, to: u32| {
        for n in from..=to {
            out.insert(format!("{prefix}{n}"));
        }
    };
    range("V", 1, 16);
    range("A", 1, 6);
    range("R", 1, 11);
    range("P", 1, 8);
    range("C", 1, 6);
    range("O", 1, 11);
    range("M", 1, 8);
    range("PV", 1, 8);
    range("S", 1, 27); // S1-S3 (statements) and the seed scenarios S1..S27 share the letter.
    range("E", 1, 11);
    range("T", 1, 8);
    range("X", 1, 3);
    range("K", 1, 3);
    range("AD", 1, 6);
    range("D", 1, 6);
    out
}

#[test]
fn corpus_cites_every_rule() {
    let (entries, _, _) = load();
    let cited: BTreeSet<&str> = entries.iter().flat_map(|e| e.rules.iter().map(String::as_str)).collect();
    let missing: Vec<String> = required_rules().into_iter().filter(|r| !cited.contains(r.as_str())).collect();
    say(&format!("corpus: {} distinct rule ids cited", cited.len()));
    assert!(missing.is_empty(), "no corpus case cites these rules: {}", missing.join(", "));
}
