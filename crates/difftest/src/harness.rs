//! The differential run: generate, evaluate with both sides, classify, minimize, report.

use crate::allowlist::AllowList;
use crate::case_util as cu;
use crate::engine::{self, EngineResult};
use crate::features::{self, Features};
use crate::gen::Generator;
use crate::minimize;
use crate::oracle::{Oracle, Reply};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Config {
    /// The repository root (holds `tools/oracle` and `tests/differential`).
    pub root: PathBuf,
    pub cases: u64,
    pub seed: u64,
    /// First case index (to re-run one case: `--start I --cases 1`).
    pub start: u64,
    /// Oracle processes (and engine threads) run in parallel.
    pub jobs: usize,
    pub allowlist: PathBuf,
    /// Where reproducers (CASE-*.json) are written.
    pub out_dir: PathBuf,
    pub minimize: bool,
    /// At most this many unexplained disagreements are minimized and printed.
    pub max_reports: usize,
    pub verbose: bool,
}

impl Config {
    pub fn new(root: PathBuf) -> Config {
        Config {
            allowlist: root.join("tests").join("differential").join("allowlist.toml"),
            out_dir: root.join("target").join("difftest"),
            root,
            cases: 1000,
            seed: 1,
            start: 0,
            jobs: 2,
            minimize: true,
            max_reports: 10,
            verbose: false,
        }
    }
}

/// The repository root, from this crate's location.
pub fn default_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().and_then(|p| p.parent()).map(PathBuf::from).unwrap_or(here)
}

#[derive(Debug, Clone)]
pub enum Class {
    /// Decisions compared and equal.
    Agree,
    /// Decisions differ as an allow-list entry describes.
    Allowed(String),
    /// Decisions differ and no entry covers it.
    Unexplained,
    /// Our validator rejects a policy (not a D1/D5/D6 input): validation outcomes compared only.
    ValidationOnly,
    /// The comparison could not be made (oracle error, dropped context keys, avoided shape…).
    HarnessError(String),
    /// Our engine or validator panicked.
    EnginePanic(String),
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub index: u64,
    pub case: Value,
    pub engine: EngineResult,
    pub oracle: Reply,
    /// Our validator's verdict per policy label: None = valid, Some((row, message)).
    pub engine_validation: Vec<(String, Option<engine::VError>)>,
    pub class: Class,
    pub features: Option<Features>,
    /// Why an apparently allowed divergence was not accepted.
    pub note: Option<String>,
}

/// V14 rows whose documents are still compared by decision (D1: row 5 with a variable; D6: row 11; D5: row 13).
fn d_input_error(text: &str, e: &engine::VError) -> bool {
    match e.row {
        Some(11) | Some(13) => true,
        Some(5) => text.contains("${"),
        _ => false,
    }
}

/// Validates every policy of the case with our validator.
pub fn validate_all(case: &Value) -> Result<Vec<(String, Option<engine::VError>)>, String> {
    cu::policies(case).into_iter().map(|p| engine::validate(&p).map(|r| (p.label.clone(), r))).collect()
}

/// True if decisions are compared for this case (spec section 15, last paragraph).
pub fn comparable(case: &Value, v: &[(String, Option<engine::VError>)]) -> bool {
    let texts: BTreeMap<String, String> = cu::policies(case).into_iter().map(|p| (p.label, p.text)).collect();
    v.iter().all(|(label, e)| match e {
        None => true,
        Some(e) => d_input_error(texts.get(label).map(String::as_str).unwrap_or_default(), e),
    })
}

/// Classifies one case given both sides' results.
pub fn classify(
    case: &Value,
    eng: &EngineResult,
    validation: &Result<Vec<(String, Option<engine::VError>)>, String>,
    reply: &Reply,
    allow: &AllowList,
) -> (Class, Option<Features>) {
    if let EngineResult::Panic(p) = eng {
        return (Class::EnginePanic(format!("engine panicked: {p}")), None);
    }
    let v = match validation {
        Ok(v) => v,
        Err(p) => return (Class::EnginePanic(format!("validator panicked: {p}")), None),
    };
    if !comparable(case, v) {
        return (Class::ValidationOnly, None);
    }
    if let Some(problem) = minimize::shape_problem(case) {
        return (Class::HarnessError(format!("generator produced an avoided shape: {problem}")), None);
    }
    if !reply.ignored_context_keys.is_empty() {
        return (
            Class::HarnessError(format!("the oracle dropped context keys {:?}", reply.ignored_context_keys)),
            None,
        );
    }
    let Some(o) = reply.decision.as_deref() else {
        return (
            Class::HarnessError(format!("the oracle gave no decision: {}", reply.error.as_deref().unwrap_or("?"))),
            None,
        );
    };
    if let Some(err) = &reply.error {
        return (Class::HarnessError(format!("oracle: {err}")), None);
    }
    let Some(e) = eng.decision() else {
        return (Class::HarnessError(format!("the engine could not run a valid case: {}", eng.describe())), None);
    };
    if e == o {
        return (Class::Agree, None);
    }
    let f = features::features(case);
    match allow.entries.iter().find(|en| en.covers(&f, e, o)) {
        Some(en) => (Class::Allowed(en.id.clone()), Some(f)),
        None => (Class::Unexplained, Some(f)),
    }
}

/// For an allowed divergence: the case with the inputs named by every covering entry taken out.
pub fn confirmation_case(case: &Value, f: &Features, e: &str, o: &str, allow: &AllowList) -> Value {
    let mut triggers = std::collections::BTreeSet::new();
    let mut session = false;
    for en in allow.entries.iter().filter(|en| en.covers(f, e, o)) {
        let (t, s) = en.triggers();
        triggers.extend(t);
        session |= s;
    }
    features::neutralize(case, &triggers, session)
}

/// Evaluates a batch of cases with both sides.
pub fn evaluate(
    oracle: &mut Oracle,
    cases: Vec<(u64, Value)>,
    allow: &AllowList,
    tag: &str,
) -> Result<Vec<Outcome>, String> {
    let ids: Vec<(String, &Value)> = cases.iter().map(|(i, c)| (format!("{tag}{i}"), c)).collect();
    let replies = oracle.run_batch(&ids)?;
    let mut out = Vec::with_capacity(cases.len());
    for ((index, case), reply) in cases.into_iter().zip(replies) {
        let eng = engine::run(&case);
        let validation = validate_all(&case);
        let (class, features) = classify(&case, &eng, &validation, &reply, allow);
        out.push(Outcome {
            index,
            engine_validation: validation.unwrap_or_default(),
            case,
            engine: eng,
            oracle: reply,
            class,
            features,
            note: None,
        });
    }
    // Confirm every allowed divergence: with the inputs its entries name taken out, both sides must agree.
    // Several known causes may combine, so this repeats (a few rounds) while the remaining difference is
    // itself covered by an entry.
    let mut pending: Vec<(usize, Value)> = Vec::new();
    for (i, o) in out.iter().enumerate() {
        if let (Class::Allowed(_), Some(f), Some(e), Some(od)) =
            (&o.class, &o.features, o.engine.decision(), o.oracle.decision.as_deref())
        {
            pending.push((i, confirmation_case(&o.case, f, e, od, allow)));
        }
    }
    for round in 0..5 {
        if pending.is_empty() {
            break;
        }
        let ids: Vec<(String, &Value)> = pending.iter().map(|(i, c)| (format!("{tag}confirm{round}-{i}"), c)).collect();
        let replies = oracle.run_batch(&ids)?;
        let mut next = Vec::new();
        for ((i, c), r) in pending.into_iter().zip(replies) {
            let e = engine::run(&c);
            let (ed, od) = (e.decision(), r.decision.as_deref());
            if ed.is_some() && ed == od {
                continue;
            }
            // Still different: is the remaining difference itself a known one?
            if let (Some(ed), Some(od)) = (ed, od) {
                let f = features::features(&c);
                if allow.entries.iter().any(|en| en.covers(&f, ed, od)) {
                    let c2 = confirmation_case(&c, &f, ed, od, allow);
                    if c2 != c && round < 4 {
                        next.push((i, c2));
                        continue;
                    }
                }
            }
            if let Some(o) = out.get_mut(i) {
                let id = match &o.class {
                    Class::Allowed(id) => id.clone(),
                    _ => String::new(),
                };
                o.note = Some(format!(
                    "matches allow-list entry {id}, but a difference remains without the inputs the entries name \
                     (engine {}, oracle {}), so it has another cause",
                    e.describe(),
                    od.unwrap_or("none")
                ));
                o.class = Class::Unexplained;
            }
        }
        pending = next;
    }
    Ok(out)
}

#[derive(Debug, Default)]
pub struct Report {
    pub cases: u64,
    pub compared: u64,
    pub agreements: u64,
    pub allowed: BTreeMap<String, u64>,
    pub unexplained: Vec<Outcome>,
    pub validation_only: u64,
    /// (engine rejects, oracle rejects) per policy, for validation-only cases.
    pub validation_pairs: BTreeMap<(bool, bool), u64>,
    /// Oracle validator messages on policies our validator accepts (oracle stricter), with counts.
    pub oracle_stricter: BTreeMap<String, u64>,
    /// Our validator's first errors in validation-only cases ("row N: message"), with counts.
    pub engine_rejects: BTreeMap<String, u64>,
    pub harness_errors: Vec<Outcome>,
    pub panics: Vec<Outcome>,
    pub engine_decisions: BTreeMap<String, u64>,
    pub stale: Vec<String>,
    pub reproducers: Vec<String>,
    pub seconds: f64,
    /// How often each shape occurs among the cases whose decisions were compared.
    pub coverage: BTreeMap<String, u64>,
}

/// The 27 base condition operators (O1).
pub const BASE_OPERATORS: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Shapes present in a case, for the coverage summary.
fn shapes(case: &Value) -> std::collections::BTreeSet<String> {
    let mut s = std::collections::BTreeSet::new();
    let p = cu::principal(case);
    s.insert(format!("caller:{}", cu::principal_type(&p)));
    let same = cu::principal_account(&p).is_some() && cu::principal_account(&p) == cu::resource_account(case);
    s.insert(if same { "same-account" } else { "cross-account" }.to_string());
    for pol in cu::policies(case) {
        s.insert(format!("policy:{:?}", pol.slot));
        let Some(doc) = &pol.doc else { continue };
        if pol.text.contains("${") {
            s.insert("variables".into());
        }
        for st in cu::statements(doc) {
            for k in ["NotAction", "NotResource", "NotPrincipal", "Principal"] {
                if st.contains_key(k) {
                    s.insert(format!("element:{k}"));
                }
            }
            if let Some(Value::Object(c)) = st.get("Condition") {
                for op in c.keys() {
                    let (prefix, base, if_exists) = features::split_op(op);
                    s.insert(format!("op:{base}"));
                    if !prefix.is_empty() {
                        s.insert(format!("prefix:{}", prefix.trim_end_matches(':')));
                    }
                    if if_exists {
                        s.insert("suffix:IfExists".into());
                    }
                }
            }
        }
    }
    if case.get("scps").and_then(Value::as_array).is_some_and(|l| l.len() > 1) {
        s.insert("scp:several-levels".into());
    }
    if cu::context(case).values().any(Value::is_array) {
        s.insert("context:multivalued".into());
    }
    s
}

impl Report {
    pub fn failed(&self) -> bool {
        !self.unexplained.is_empty() || !self.panics.is_empty() || !self.harness_errors.is_empty()
    }

    fn add(&mut self, o: Outcome) {
        self.cases += 1;
        if let Some(d) = o.engine.decision() {
            *self.engine_decisions.entry(d.to_string()).or_default() += 1;
        }
        // Oracle-stricter validation messages, for documents we accept.
        for (label, e) in &o.engine_validation {
            if e.is_none() {
                for m in o.oracle.validation.get(label).into_iter().flatten() {
                    let m = m.split(" at ").next().unwrap_or(m).to_string();
                    *self.oracle_stricter.entry(m).or_default() += 1;
                }
            }
        }
        if matches!(o.class, Class::Agree | Class::Allowed(_) | Class::Unexplained) {
            for sh in shapes(&o.case) {
                *self.coverage.entry(sh).or_default() += 1;
            }
        }
        match &o.class {
            Class::Agree => {
                self.compared += 1;
                self.agreements += 1;
            }
            Class::Allowed(id) => {
                self.compared += 1;
                *self.allowed.entry(id.clone()).or_default() += 1;
            }
            Class::Unexplained => {
                self.compared += 1;
                self.unexplained.push(o);
            }
            Class::ValidationOnly => {
                self.validation_only += 1;
                for (label, e) in &o.engine_validation {
                    let ours = e.is_some();
                    let theirs = o.oracle.validation.contains_key(label);
                    if let Some(e) = e {
                        let key = format!(
                            "row {}: {}",
                            e.row.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                            e.message
                        );
                        *self.engine_rejects.entry(key).or_default() += 1;
                    }
                    if ours {
                        *self.validation_pairs.entry((ours, theirs)).or_default() += 1;
                    }
                }
            }
            Class::HarnessError(_) => self.harness_errors.push(o),
            Class::EnginePanic(_) => self.panics.push(o),
        }
    }
}

/// Runs the whole differential test.
pub fn run(cfg: &Config) -> Result<Report, String> {
    let t0 = Instant::now();
    let allow = AllowList::load(&cfg.allowlist)?;
    let gen = Generator::new(cfg.seed);
    let jobs = cfg.jobs.max(1) as u64;
    let per = cfg.cases.div_ceil(jobs);
    let results: Vec<Result<Vec<Outcome>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|j| {
                let (gen, allow) = (&gen, &allow);
                s.spawn(move || -> Result<Vec<Outcome>, String> {
                    let lo = cfg.start + j * per;
                    let hi = (lo + per).min(cfg.start + cfg.cases);
                    if lo >= hi {
                        return Ok(Vec::new());
                    }
                    let mut oracle = Oracle::spawn(&cfg.root)?;
                    let mut out = Vec::new();
                    // Moderate batches keep memory flat and the pipe busy.
                    let mut i = lo;
                    while i < hi {
                        let end = (i + 500).min(hi);
                        let cases: Vec<(u64, Value)> = (i..end).map(|k| (k, gen.case(k).case)).collect();
                        out.extend(evaluate(&mut oracle, cases, allow, "")?);
                        i = end;
                    }
                    Ok(out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("worker thread panicked".into()))).collect()
    });
    let mut report = Report::default();
    for r in results {
        for o in r? {
            report.add(o);
        }
    }
    report.unexplained.sort_by_key(|o| o.index);
    for e in &allow.entries {
        if !report.allowed.contains_key(&e.id) {
            report.stale.push(e.id.clone());
        }
    }
    if !report.unexplained.is_empty() || !report.panics.is_empty() {
        std::fs::create_dir_all(&cfg.out_dir).map_err(|e| format!("{}: {e}", cfg.out_dir.display()))?;
        let mut oracle = Oracle::spawn(&cfg.root)?;
        let n = cfg.max_reports.min(report.unexplained.len());
        let mut paths = Vec::new();
        for o in report.unexplained.iter_mut().take(n) {
            if cfg.minimize {
                let reduced = minimize_case(&mut oracle, o, &allow)?;
                o.features = Some(features::features(&reduced));
                o.case = reduced;
            }
            paths.push(write_reproducer(cfg, o)?);
        }
        for o in report.panics.iter().take(cfg.max_reports) {
            paths.push(write_reproducer(cfg, o)?);
        }
        report.reproducers = paths;
    }
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}

/// Greedy minimization keeping (engine decision, oracle decision, unexplained) unchanged.
pub fn minimize_case(oracle: &mut Oracle, o: &Outcome, allow: &AllowList) -> Result<Value, String> {
    let want_e = o.engine.decision();
    let want_o = o.oracle.decision.clone();
    let still = |oracle: &mut Oracle, cands: Vec<Value>| -> Result<Option<Value>, String> {
        let pre: Vec<(u64, Value)> = cands
            .into_iter()
            .filter(|c| minimize::shape_problem(c).is_none())
            .filter(|c| engine::run(c).decision() == want_e)
            .enumerate()
            .map(|(i, c)| (i as u64, c))
            .collect();
        if pre.is_empty() {
            return Ok(None);
        }
        for out in evaluate(oracle, pre, allow, "min")? {
            if matches!(out.class, Class::Unexplained) && out.oracle.decision == want_o {
                return Ok(Some(out.case));
            }
        }
        Ok(None)
    };
    let mut cur = o.case.clone();
    let unwrapped = minimize::unwrap_policies(&cur);
    if unwrapped != cur {
        if let Some(c) = still(oracle, vec![unwrapped])? {
            cur = c;
        }
    }
    for _round in 0..400 {
        let cands: Vec<Value> = minimize::edits(&cur)
            .iter()
            .filter_map(|p| minimize::remove(&cur, p))
            .map(|mut c| {
                minimize::tidy(&mut c);
                c
            })
            .collect();
        match still(oracle, cands)? {
            Some(c) => cur = c,
            None => break,
        }
    }
    Ok(cur)
}

fn write_reproducer(cfg: &Config, o: &Outcome) -> Result<String, String> {
    let mut case = o.case.clone();
    if let Value::Object(m) = &mut case {
        m.insert("id".into(), Value::String(format!("difftest-s{}-{}", cfg.seed, o.index)));
        m.insert(
            "description".into(),
            Value::String(format!(
                "difftest --seed {} case {}: engine {}, oracle {}",
                cfg.seed,
                o.index,
                o.engine.describe(),
                o.oracle.decision.as_deref().unwrap_or("none")
            )),
        );
    }
    let path = cfg.out_dir.join(format!("CASE-s{}-{}.json", cfg.seed, o.index));
    let text = serde_json::to_string_pretty(&case).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// The human-readable summary (and reproducers).
pub fn render(cfg: &Config, r: &Report, allow: &AllowList) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "difftest: {} cases (seed {}, start {}, {} jobs) in {:.1}s",
        r.cases, cfg.seed, cfg.start, cfg.jobs, r.seconds
    );
    let _ = writeln!(s, "  decisions compared        {:>7}", r.compared);
    let _ = writeln!(s, "    agreements              {:>7}", r.agreements);
    let total_allowed: u64 = r.allowed.values().sum();
    let _ = writeln!(s, "    allowed divergences     {:>7}", total_allowed);
    for e in &allow.entries {
        let n = r.allowed.get(&e.id).copied().unwrap_or(0);
        let _ = writeln!(s, "      {:<8} {:>6}   ({}: {})", e.id, n, e.rule, e.summary);
    }
    let _ = writeln!(s, "    unexplained             {:>7}", r.unexplained.len());
    let _ = writeln!(s, "  validation-only cases     {:>7}", r.validation_only);
    for ((ours, theirs), n) in &r.validation_pairs {
        let _ =
            writeln!(s, "      policies we reject, oracle {:<9} {:>6}", if *theirs { "rejects" } else { "accepts" }, n);
        let _ = ours;
    }
    if !r.engine_rejects.is_empty() {
        let _ = writeln!(s, "  our validator's errors in validation-only cases (top):");
        let mut v: Vec<_> = r.engine_rejects.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        for (m, n) in v.iter().take(if cfg.verbose { 40 } else { 8 }) {
            let m: String = m.chars().take(150).collect();
            let _ = writeln!(s, "      {n:>6}  {m}");
        }
    }
    if !r.oracle_stricter.is_empty() {
        let _ = writeln!(s, "  oracle validator rejects policies we accept (informational; the spec governs):");
        let mut v: Vec<_> = r.oracle_stricter.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        for (m, n) in v.iter().take(8) {
            let _ = writeln!(s, "      {n:>6}  {m}");
        }
    }
    let _ = writeln!(
        s,
        "  engine decisions: {}",
        r.engine_decisions.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    );
    let missing: Vec<&str> =
        BASE_OPERATORS.iter().copied().filter(|op| !r.coverage.contains_key(&format!("op:{op}"))).collect();
    let _ = writeln!(
        s,
        "  coverage (compared cases): {}/27 base operators{}",
        27 - missing.len(),
        if missing.is_empty() { String::new() } else { format!(" (missing: {})", missing.join(", ")) }
    );
    let other: Vec<String> =
        r.coverage.iter().filter(|(k, _)| !k.starts_with("op:")).map(|(k, v)| format!("{k} {v}")).collect();
    for chunk in other.chunks(6) {
        let _ = writeln!(s, "      {}", chunk.join(", "));
    }
    let _ = writeln!(s, "  harness errors            {:>7}", r.harness_errors.len());
    for o in r.harness_errors.iter().take(5) {
        if let Class::HarnessError(m) = &o.class {
            let _ = writeln!(s, "      case {}: {}", o.index, m);
        }
    }
    let _ = writeln!(s, "  engine panics             {:>7}", r.panics.len());
    for o in r.panics.iter().take(5) {
        if let Class::EnginePanic(m) = &o.class {
            let _ = writeln!(s, "      case {}: {}", o.index, m);
        }
    }
    if r.stale.is_empty() {
        let _ = writeln!(s, "  stale allow-list entries: none");
    } else {
        let _ = writeln!(s, "  stale allow-list entries (no case hit them): {}", r.stale.join(", "));
    }
    for o in r.unexplained.iter().take(cfg.max_reports) {
        let _ = writeln!(s, "\nUNEXPLAINED disagreement, case {} (seed {}):", o.index, cfg.seed);
        let _ = writeln!(
            s,
            "  engine: {}   oracle: {}",
            o.engine.describe(),
            o.oracle.decision.as_deref().unwrap_or("none")
        );
        if let Some(n) = &o.note {
            let _ = writeln!(s, "  note: {n}");
        }
        if let Some(f) = &o.features {
            let fs: Vec<String> = f.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(s, "  features: {}", fs.join(" "));
        }
        let _ = writeln!(s, "  CASE.json{}:", if cfg.minimize { " (minimized)" } else { "" });
        let _ = writeln!(s, "{}", serde_json::to_string_pretty(&o.case).unwrap_or_default());
    }
    if r.unexplained.len() > cfg.max_reports {
        let _ = writeln!(
            s,
            "\n… and {} more unexplained (indices: {})",
            r.unexplained.len() - cfg.max_reports,
            r.unexplained
                .iter()
                .skip(cfg.max_reports)
                .take(50)
                .map(|o| o.index.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    if !r.reproducers.is_empty() {
        let _ = writeln!(s, "\nreproducers written: {}", r.reproducers.join(" "));
    }
    let verdict = if r.failed() { "FAIL" } else { "ok" };
    let _ = writeln!(s, "\ndifftest: {verdict}");
    s
}
