//! The worker threads validation runs on.
//!
//! Parsing and the rules recurse as deep as the YAML nests (up to the reader's depth limit),
//! and unoptimised builds use large frames: the workers get the main thread's 8 MiB of stack
//! rather than rayon's default 2 MiB. `RAYON_NUM_THREADS` still sets their number.
//!
//! The pool starts only when a run has enough work to share: a pre-commit hook validating one
//! chart finishes on the calling thread, without waking threads it would then wait for.

use std::sync::LazyLock;

use rayon::prelude::*;

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

/// One group of objects has its schemas checked and its rules run on the worker threads from
/// this many objects on; fewer (one chart, a few files) take less time than waking them.
pub const OBJECTS: usize = 64;

/// `items` mapped by `f`, in order: on the worker pool when there are at least `parallel_from`
/// of them, else one after the other on the calling thread (starting and waking threads costs
/// more than a few small items).
pub fn map<T: Sync, R: Send>(
    items: &[T],
    parallel_from: usize,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if items.len() < parallel_from.max(2) {
        items.iter().map(f).collect()
    } else {
        install(|| items.par_iter().map(f).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_items_stay_on_the_calling_thread_and_many_keep_their_order() {
        let caller = std::thread::current().id();
        let few = map(&[1, 2, 3], 4, |&i| (i * 2, std::thread::current().id()));
        assert_eq!(few.iter().map(|p| p.0).collect::<Vec<_>>(), [2, 4, 6]);
        assert!(few.iter().all(|p| p.1 == caller));

        let items: Vec<u32> = (0..1000).collect();
        let many = map(&items, 4, |&i| {
            (
                i + 1,
                std::thread::current()
                    .name()
                    .is_some_and(|n| n.starts_with("rollwright-")),
            )
        });
        assert_eq!(
            many.iter().map(|p| p.0).collect::<Vec<_>>(),
            (1..=1000).collect::<Vec<_>>()
        );
        // Many items run on the pool's threads, with their large stacks.
        assert!(many.iter().all(|p| p.1));
    }
}
