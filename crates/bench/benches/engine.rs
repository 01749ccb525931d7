//! Criterion benchmark: each workload through sagegate and through cedar-policy in the same run.
//!
//! Policies are parsed/compiled and requests built before timing (and both engines' answers checked
//! against the expected decision); the timed region is one decision.
//!
//! Clock: by default the calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so time the thread
//! spends preempted by other work on a shared machine is not counted; on an idle machine it agrees with
//! wall time. `SAGEGATE_BENCH_CLOCK=wall` selects criterion's usual wall clock.
#![allow(clippy::expect_used, clippy::panic)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::Criterion;
use sagegate_bench::{cedar, ours, workloads};
use std::hint::black_box;
use std::time::Duration;

/// CPU time consumed by the calling thread.
pub struct ThreadCpu;

fn thread_cpu_now() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux/POSIX clock.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

static WALL: WallTime = WallTime;

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu_now()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Same unit (ns) and formatting as wall time.
        WALL.formatter()
    }
}

fn engine<M: Measurement>(c: &mut Criterion<M>) {
    for s in workloads::all().unwrap_or_else(|e| panic!("{e}")) {
        let o = ours::prepare(&s).unwrap_or_else(|e| panic!("{e}"));
        // None when the workload has no faithful Cedar form (W4).
        let k = s.cedar.is_some().then(|| cedar::prepare(&s).unwrap_or_else(|e| panic!("{e}")));
        let mut g = c.benchmark_group(&s.name);
        if s.statements >= 1_000 {
            // Cedar takes milliseconds per decision here; 10 samples keep the run short.
            g.sample_size(10);
        }
        g.bench_function("sagegate", |b| b.iter(|| ours::decide(black_box(&o))));
        if let Some(k) = &k {
            g.bench_function("cedar", |b| b.iter(|| cedar::decide(black_box(k))));
        }
        g.finish();
    }
}

fn configure<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).configure_from_args()
}

fn main() {
    match std::env::var("SAGEGATE_BENCH_CLOCK").as_deref() {
        Ok("wall") => engine(&mut configure(Criterion::default())),
        Ok("cpu") | Err(_) => engine(&mut configure(Criterion::default().with_measurement(ThreadCpu))),
        Ok(other) => panic!("SAGEGATE_BENCH_CLOCK must be `cpu` or `wall`, not `{other}`"),
    }
    Criterion::default().configure_from_args().final_summary();
}
