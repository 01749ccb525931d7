//! Randomized exponential backoff between attempts of a conflicting transaction.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

/// Sleeps before attempt `attempt + 1`: about 1, 2, 4 … ms, capped at 50 ms, scaled by a random factor in
/// [0.5, 1.5) so that colliding writers drift apart.
pub(crate) fn sleep_before_retry(attempt: u32) {
    let base_us: u64 = 1000u64 << attempt.min(6);
    let base_us = base_us.min(50_000);
    // RandomState is seeded differently for every instance: a cheap source of jitter without a rand crate.
    let r = RandomState::new().hash_one(attempt) % 1000;
    let us = base_us / 2 + base_us * r / 1000;
    std::thread::sleep(Duration::from_micros(us));
}
