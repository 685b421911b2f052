//! Two threads for one large search: a helper thread, the passes running,
//! and the threshold two halves share.

use tantivy::Score;

/// What splits its work over two threads (see [`splits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// A pruned pass over a large segment.
    Pass,
    /// The exact rescoring of many candidates.
    Rescore,
}

/// How many times each [`Split`] ran on two threads.
static SPLITS: [std::sync::atomic::AtomicU64; 2] = [
    std::sync::atomic::AtomicU64::new(0),
    std::sync::atomic::AtomicU64::new(0),
];

/// How many times `what` split its work over two threads so far (in this
/// process): for tests, which compare the split results with exhaustive
/// scoring.
pub fn splits(what: Split) -> u64 {
    SPLITS[what as usize].load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `first` on this thread and `second` on the helper thread at once,
/// and returns both results.
pub(super) fn both<A, B: Send>(
    what: Split,
    first: impl FnOnce() -> A,
    second: impl FnOnce() -> B + Send,
) -> (A, B) {
    SPLITS[what as usize].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut later = None;
    let a = helper().in_place_scope(|s| {
        s.spawn(|_| later = Some(second()));
        first()
    });
    (a, later.expect("the scope ran the second half"))
}

/// The thread that runs the second half of a split search.
fn helper() -> &'static rayon::ThreadPool {
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

/// Pruned passes and exact rescorings running in this process: either
/// splits its work over two threads only when it runs alone, so that under
/// load the searches share the cores instead of each taking two.
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
