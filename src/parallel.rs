//! The worker threads validation runs on.
//!
//! Parsing and the rules recurse as deep as the YAML nests (up to the reader's depth limit),
//! and unoptimised builds use large frames: the workers get the main thread's 8 MiB of stack
//! rather than rayon's default 2 MiB. `RAYON_NUM_THREADS` still sets their number.

use std::sync::LazyLock;

const STACK_BYTES: usize = 8 * 1024 * 1024;

static POOL: LazyLock<Option<rayon::ThreadPool>> = LazyLock::new(|| {
    rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .thread_name(|i| format!("rollwright-{i}"))
        .build()
        .ok()
});

/// Runs `f` on the worker pool (or on the calling thread alone if no thread can be started).
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match POOL.as_ref() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}
