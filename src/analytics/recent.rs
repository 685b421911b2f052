//! A count worked out now and then instead of per request: what the home
//! page's most viewed entries and the agent page's report are read from.
//! Both scan every event of their window (over a million searches, one to
//! two seconds of the database), so a busy page must not count per request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The last value worked out, for one key at a time, and whether it is
/// being worked out.
pub struct Recent<K, V> {
    last: Mutex<Option<Kept<K, V>>>,
    working: AtomicBool,
}

struct Kept<K, V> {
    at: Instant,
    key: K,
    value: V,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Self {
            last: Mutex::new(None),
            working: AtomicBool::new(false),
        }
    }
}

impl<K, V> Recent<K, V>
where
    K: PartialEq + Send + 'static,
    V: Clone + Send + 'static,
{
    /// The value for `key` and how old it is (blocking: call it where
    /// blocking is allowed):
    ///
    /// - the last one worked out for `key`; when it is `max_age` old or
    ///   more, `work` also starts again on a thread of its own, for the
    ///   calls after this one;
    /// - when there is none (or it is another key's), `work`'s, worked out
    ///   here: its error when it fails, which keeps nothing (the error is
    ///   the caller's to log); `None` when `work` is already under way
    ///   elsewhere (a server starts the first count).
    pub fn get<E, F>(
        self: &Arc<Self>,
        key: K,
        max_age: Duration,
        work: F,
    ) -> Option<Result<(V, Duration), E>>
    where
        F: FnOnce() -> Result<V, E> + Send + 'static,
        E: Send + 'static,
    {
        {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(k) = last.as_ref().filter(|k| k.key == key) {
                let age = k.at.elapsed();
                if age >= max_age {
                    self.work_out_in_background(key, work);
                }
                return Some(Ok((k.value.clone(), age)));
            }
        }
        if self.working.swap(true, Ordering::AcqRel) {
            return None;
        }
        Some(self.work_out(key, work).map(|v| (v, Duration::ZERO)))
    }

    /// Starts `work` for `key` on a thread of its own, unless a count is
    /// already under way; from this call on, [`Self::get`] finds it under
    /// way.
    pub fn work_out_in_background<E, F>(self: &Arc<Self>, key: K, work: F)
    where
        F: FnOnce() -> Result<V, E> + Send + 'static,
        E: Send + 'static,
    {
        if self.working.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("doum-recount".into())
            .spawn(move || {
                let _ = me.work_out(key, work);
            });
        if spawned.is_err() {
            self.working.store(false, Ordering::Release);
        }
    }

    /// Marks a count as under way (or not), as a request starting the first
    /// one does.
    #[cfg(test)]
    pub(crate) fn set_working(&self, working: bool) {
        self.working.store(working, Ordering::Release);
    }

    /// Runs `work` and keeps its value for `key`; `working` was set by the
    /// caller, and is cleared however `work` ends (a panic included, or no
    /// count would ever start again).
    fn work_out<E>(&self, key: K, work: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        struct Done<'a>(&'a AtomicBool);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        let _done = Done(&self.working);
        let at = Instant::now();
        let value = work();
        if let Ok(v) = &value {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(Kept {
                at,
                key,
                value: v.clone(),
            });
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn count(n: Arc<AtomicUsize>) -> impl FnOnce() -> Result<usize, ()> + Send + 'static {
        move || Ok(n.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn value(r: Option<Result<(usize, Duration), ()>>) -> usize {
        r.unwrap().unwrap().0
    }

    #[test]
    fn a_fresh_value_is_kept_and_a_stale_one_is_served_while_recounted() {
        let recent: Arc<Recent<u8, usize>> = Arc::default();
        let n = Arc::new(AtomicUsize::new(0));
        let hour = Duration::from_secs(3600);
        assert_eq!(value(recent.get(1, hour, count(n.clone()))), 1);
        assert_eq!(value(recent.get(1, hour, count(n.clone()))), 1, "kept");
        assert_eq!(n.load(Ordering::SeqCst), 1);
        // Another key is worked out anew.
        assert_eq!(value(recent.get(2, hour, count(n.clone()))), 2);
        // Stale: the last value now, the new one for the calls after.
        let tiny = Duration::from_nanos(1);
        assert_eq!(value(recent.get(2, tiny, count(n.clone()))), 2);
        let start = Instant::now();
        while n.load(Ordering::SeqCst) < 3 || recent.working.load(Ordering::SeqCst) {
            assert!(start.elapsed() < Duration::from_secs(10), "no recount");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(value(recent.get(2, hour, count(n.clone()))), 3);
    }

    #[test]
    fn a_failure_is_not_kept_and_a_count_under_way_is_not_doubled() {
        let recent: Arc<Recent<u8, usize>> = Arc::default();
        let hour = Duration::from_secs(3600);
        assert!(matches!(
            recent.get(1, hour, || Err("down")),
            Some(Err("down"))
        ));
        assert_eq!(value(recent.get(1, hour, || Ok(7))), 7, "tried again");
        recent.set_working(true);
        assert!(recent.get(9, hour, || Ok::<_, ()>(1)).is_none());
        recent.set_working(false);
        // A count that panics does not stop the next one.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            recent.get(3, hour, || -> Result<usize, ()> { panic!("store") })
        }));
        assert!(panicked.is_err());
        assert_eq!(value(recent.get(3, hour, || Ok(8))), 8);
    }
}
