//! Heap use of both engines, measured with a counting global allocator:
//! - retained bytes per compiled statement (W3 at 100, 1,000 and 10,000 statements, and W4's policies);
//! - allocations (and bytes allocated) per decision for every workload.
//!
//! Run: `cargo run --release -p sagegate-bench --bin heap` (or `scripts/bench heap`).
#![allow(clippy::expect_used, clippy::panic)]

use sagegate_bench::workloads::Scenario;
use sagegate_bench::{cedar, ours, workloads};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static ALLOC_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(layout.size(), Relaxed);
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(layout.size(), Relaxed);
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(new_size, Relaxed);
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Relaxed)
}

/// (allocations, bytes allocated) per call of `f`, over `n` calls after one warm-up call.
fn per_call(n: usize, mut f: impl FnMut() -> bool) -> (f64, f64) {
    black_box(f());
    let (a0, b0) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
    for _ in 0..n {
        black_box(f());
    }
    let (a1, b1) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
    ((a1 - a0) as f64 / n as f64, (b1 - b0) as f64 / n as f64)
}

/// `heap loop ENGINE SCENARIO N`: prepares one scenario (its name, or a prefix of it, e.g. `W1 tag=A`) and runs N
/// decisions of one engine (`sagegate` or `cedar`), nothing else. Under an instruction counter
/// (`valgrind --tool=cachegrind`), the difference between runs with N and 2N decisions divided by N is the
/// instruction count per decision, a number other load on the machine cannot disturb. `sagegate-request`
/// builds the scenario's `Request` N times instead (context included), to show what that costs.
fn run_loop(engine: &str, scenario: &str, n: usize) {
    let all = workloads::all().unwrap_or_else(|e| panic!("{e}"));
    let s = all
        .iter()
        .find(|s| s.name == scenario)
        .or_else(|| all.iter().find(|s| s.name.starts_with(scenario)))
        .unwrap_or_else(|| panic!("no scenario named `{scenario}…`"));
    let mut allowed = 0usize;
    match engine {
        "sagegate" => {
            let p = ours::prepare(s).unwrap_or_else(|e| panic!("{e}"));
            for _ in 0..n {
                allowed += usize::from(ours::decide(black_box(&p)));
            }
        }
        // Building the request (and its context) once per decision: what the server pays per check
        // before `evaluate`, outside the timed region of the benchmark.
        "sagegate-request" => {
            for _ in 0..n {
                let r = ours::request(black_box(s)).unwrap_or_else(|e| panic!("{e}"));
                allowed += usize::from(black_box(&r).action.len() > 1);
            }
        }
        "cedar" => {
            let p = cedar::prepare(s).unwrap_or_else(|e| panic!("{e}"));
            for _ in 0..n {
                allowed += usize::from(cedar::decide(black_box(&p)));
            }
        }
        other => panic!("engine must be sagegate, sagegate-request or cedar, not `{other}`"),
    }
    println!("{}: {engine}: {allowed}/{n} allowed", s.name);
}

/// Retained heap of one scenario's policies, per statement: (policy text, sagegate AST, sagegate compiled,
/// of which the kept source, Cedar `PolicySet` when there is a Cedar form).
fn retained(s: &Scenario) -> (f64, f64, f64, f64, Option<f64>) {
    let n = s.statements as f64;
    let text: usize = s.iam_policies.iter().map(String::len).sum();
    let base = live();
    let policies: Vec<sagegate_policy::Policy> =
        s.iam_policies.iter().map(|t| sagegate_policy::Policy::parse(t).unwrap_or_else(|e| panic!("{e:?}"))).collect();
    let ast = live() - base;
    let compiled: Vec<sagegate_policy::CompiledPolicy> =
        policies.iter().map(|p| sagegate_policy::CompiledPolicy::compile("bench", p)).collect();
    drop(policies);
    let kept = live() - base;
    let source: usize = compiled.iter().map(|c| c.source().len()).sum();
    black_box(&compiled);
    drop(compiled);

    let cedar = s.cedar.is_some().then(|| {
        let base = live();
        let cedar_set = cedar::parse_policies(s).unwrap_or_else(|e| panic!("{e}"));
        let bytes = live() - base;
        black_box(&cedar_set);
        drop(cedar_set);
        bytes as f64 / n
    });
    (text as f64 / n, ast as f64 / n, kept as f64 / n, source as f64 / n, cedar)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, engine, scenario, n] = args.as_slice() {
        if cmd == "loop" {
            run_loop(engine, scenario, n.parse().unwrap_or_else(|e| panic!("N: {e}")));
            return;
        }
    }
    let all = workloads::all().unwrap_or_else(|e| panic!("{e}"));
    if args == ["names"] {
        // name, statements, whether the workload has a Cedar form
        for s in &all {
            println!("{}\t{}\t{}", s.name, s.statements, if s.cedar.is_some() { "cedar" } else { "-" });
        }
        return;
    }
    if !args.is_empty() {
        panic!("usage: heap [names | loop sagegate|sagegate-request|cedar SCENARIO N]");
    }
    println!("## Retained heap per statement (W3, W4)\n");
    println!("| workload | statements | policy text B/stmt | sagegate AST B/stmt | sagegate compiled B/stmt | of which source copy | cedar PolicySet B/policy |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut w4_done = false;
    for s in &all {
        // One row per W3 size, one for W4 (its five cases share one policy set).
        let w4 = s.name.starts_with("W4");
        if !(s.name.starts_with("W3") || (w4 && !w4_done)) {
            continue;
        }
        w4_done |= w4;
        let label = if w4 { "W4" } else { s.name.as_str() };
        let (text, ast, kept, source, cedar) = retained(s);
        let cedar = cedar.map_or("—".to_string(), |c| format!("{c:.0}"));
        println!("| {label} | {} | {text:.0} | {ast:.0} | {kept:.0} | {source:.0} | {cedar} |", s.statements);
    }

    println!("\n## Heap allocations per decision\n");
    println!("| workload | sagegate allocs | sagegate bytes | cedar allocs | cedar bytes |");
    println!("|---|---:|---:|---:|---:|");
    for s in &all {
        let o = ours::prepare(s).unwrap_or_else(|e| panic!("{e}"));
        let (oa, ob) = per_call(10_000, || ours::decide(black_box(&o)));
        let (ca, cb) = match &s.cedar {
            Some(_) => {
                let k = cedar::prepare(s).unwrap_or_else(|e| panic!("{e}"));
                let cedar_n = if s.statements >= 1_000 { 20 } else { 2_000 };
                let (ca, cb) = per_call(cedar_n, || cedar::decide(black_box(&k)));
                (format!("{ca:.1}"), format!("{cb:.0}"))
            }
            None => ("—".to_string(), "—".to_string()),
        };
        println!("| {} | {oa:.2} | {ob:.0} | {ca} | {cb} |", s.name);
    }
}
