//! Two threads for one large search: a helper thread, the passes running,
//! and the threshold two halves share.

use tantivy::Score;

/// Passes that split their work in two (see [`super::prune::prune`] and [`super::rescore::rescore`]).
pub(super) static SPLITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many pruned passes and exact rescorings so far split their work over
/// two threads (in this process): for tests, which compare the split
/// passes' results with exhaustive scoring.
pub fn split_passes() -> u64 {
    SPLITS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The thread that scores the second half of a split segment.
pub(super) fn helper() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "doum-search-half".into())
            .build()
            .expect("a thread for searches")
    })
}

/// The highest threshold the passes over the halves of one segment have
/// reached. Each half's best score and heads see only its own documents, so
/// its threshold is at most the one a single pass would reach by then, and
/// so is the higher of the two: either half may use it (as Lucene's slices
/// share their minimum competitive score).
#[derive(Default)]
pub(super) struct Shared(std::sync::atomic::AtomicU32);

impl Shared {
    /// Raises the shared threshold to `t` if higher; returns the shared one.
    /// (Non-negative floats order as their bits do.)
    pub(super) fn raise(&self, t: Score) -> Score {
        let t = t.max(0.0);
        let before = self
            .0
            .fetch_max(t.to_bits(), std::sync::atomic::Ordering::Relaxed);
        t.max(Score::from_bits(before))
    }
}

/// Pruned passes running in this process: a pass splits a large segment
/// over two threads only when it runs alone, so that under load the
/// searches share the cores instead of each taking two.
pub(super) struct Running;

static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Running {
    pub(super) fn start() -> Self {
        RUNNING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Running
    }
    /// No other pass is running.
    pub(super) fn alone(&self) -> bool {
        RUNNING.load(std::sync::atomic::Ordering::Relaxed) == 1
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_threshold_only_rises() {
        let shared = Shared::default();
        assert_eq!(shared.raise(2.5), 2.5);
        assert_eq!(
            shared.raise(1.0),
            2.5,
            "a lower threshold gets the shared one"
        );
        assert_eq!(shared.raise(4.0), 4.0);
        assert_eq!(shared.raise(-1.0), 4.0);
    }
}
