//! A bounded memo shared by an engine's caches ([`super::query::FuzzyCache`],
//! [`super::words::WordsCache`], [`super::collector::TermMemo`]): what is
//! remembered depends only on the engine's fixed index and content, so it
//! never goes stale; when full, it starts afresh. And [`Lru`], for the
//! caches of answers ([`super::cache`], [`crate::ask::cache`]), which keep
//! what is asked most and remember only what their caller hands them.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard};

use lru::LruCache;

/// Values by key, at most `capacity` of them, shared between threads.
/// Keys are hashed with foldhash (seeded per process): several times faster
/// than the standard SipHash on short terms, and the keys, words of the
/// queries, come from the public.
pub struct Memo<K, V> {
    map: Mutex<HashMap<K, V, foldhash::fast::RandomState>>,
    capacity: usize,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// An empty memo holding at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        Self {
            map: Mutex::default(),
            capacity,
        }
    }

    /// The value for `key`, made by `make` (outside the lock) when it is not
    /// remembered yet, or `make`'s error.
    pub fn get_or_try<Q, E>(&self, key: &Q, make: impl FnOnce() -> Result<V, E>) -> Result<V, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(v) = self.lock().get(key) {
            return Ok(v.clone());
        }
        let value = make()?;
        let mut map = self.lock();
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(key.to_owned(), value.clone());
        Ok(value)
    }

    /// [`Self::get_or_try`] for a `make` that cannot fail.
    pub fn get_or<Q>(&self, key: &Q, make: impl FnOnce() -> V) -> V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        match self.get_or_try(key, || Ok::<V, std::convert::Infallible>(make())) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, V, foldhash::fast::RandomState>> {
        // A panic while holding the lock leaves a consistent map.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The `capacity` most recently used values by key, shared between threads
/// (keys hashed with foldhash, as in [`Memo`]); optionally also within a
/// budget of the values' weights ([`Lru::with_budget`]), for values whose
/// sizes vary (a page of 50 results holds five times what a page of ten
/// does).
pub struct Lru<K, V> {
    inner: Mutex<Weighed<K, V>>,
}

struct Weighed<K, V> {
    map: LruCache<K, (V, usize), foldhash::fast::RandomState>,
    /// The weights of the values in `map`, summed.
    weight: usize,
    budget: usize,
}

impl<K: Hash + Eq, V: Clone> Lru<K, V> {
    /// An empty cache for at most `capacity` values (at least one).
    pub fn new(capacity: usize) -> Self {
        Self::with_budget(capacity, usize::MAX)
    }

    /// An empty cache for at most `capacity` values (at least one) whose
    /// weights ([`Self::put_weighed`]) add up to at most `budget`.
    pub fn with_budget(capacity: usize, budget: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            inner: Mutex::new(Weighed {
                map: LruCache::with_hasher(capacity, Default::default()),
                weight: 0,
                budget,
            }),
        }
    }

    /// The value for `key`, which becomes the most recently used.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().map.get(key).map(|(v, _)| v.clone())
    }

    /// Remembers `value` for `key`, forgetting the least recently used
    /// value when full.
    pub fn put(&self, key: K, value: V) {
        self.put_weighed(key, value, 0);
    }

    /// Remembers `value`, which weighs `weight` (in the budget's unit, e.g.
    /// bytes), for `key`, forgetting the least recently used values until
    /// both the count and the weights fit. A value heavier than the whole
    /// budget is not remembered.
    pub fn put_weighed(&self, key: K, value: V, weight: usize) {
        let mut c = self.lock();
        if weight > c.budget {
            return;
        }
        // The value `key` had, or the one evicted for room: no longer held.
        if let Some((_, (_, gone))) = c.map.push(key, (value, weight)) {
            c.weight -= gone;
        }
        c.weight += weight;
        while c.weight > c.budget {
            match c.map.pop_lru() {
                Some((_, (_, gone))) => c.weight -= gone,
                None => break,
            }
        }
    }

    /// Whether a value is remembered for `key` (without making it recent).
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().map.contains(key)
    }

    /// How many values are remembered, and their weights summed.
    pub fn held(&self) -> (usize, usize) {
        let c = self.lock();
        (c.map.len(), c.weight)
    }

    fn lock(&self) -> MutexGuard<'_, Weighed<K, V>> {
        // A panic while holding the lock leaves a consistent cache: the
        // sums are updated right after the map, with nothing between that
        // can panic.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_values_starts_afresh_when_full_and_forgets_errors() {
        let memo: Memo<String, usize> = Memo::new(2);
        let calls = std::cell::Cell::new(0);
        let len = |k: &str| {
            memo.get_or(k, || {
                calls.set(calls.get() + 1);
                k.len()
            })
        };
        assert_eq!((len("가"), len("가"), calls.get()), (3, 3, 1));
        len("ab");
        len("abc"); // full: starts afresh, then holds "abc"
        len("가");
        assert_eq!(calls.get(), 4);
        let failed: Result<usize, &str> = memo.get_or_try("x", || Err("no"));
        assert_eq!(failed, Err("no"));
        assert_eq!(memo.get_or_try("x", || Ok::<_, &str>(7)), Ok(7));
    }

    #[test]
    fn the_least_recently_used_value_goes_first() {
        let lru: Lru<String, usize> = Lru::new(2);
        lru.put("a".into(), 1);
        lru.put("b".into(), 2);
        assert_eq!(lru.get("a"), Some(1)); // "b" is now the least recent
        lru.put("c".into(), 3);
        assert!(!lru.contains("b"));
        assert_eq!((lru.get("a"), lru.get("c")), (Some(1), Some(3)));
    }

    #[test]
    fn weighed_values_fit_the_budget() {
        let lru: Lru<&str, u8> = Lru::with_budget(10, 100);
        lru.put_weighed("a", 1, 40);
        lru.put_weighed("b", 2, 40);
        assert_eq!(lru.held(), (2, 80));
        // Replacing a value counts its new weight only.
        lru.put_weighed("a", 3, 30);
        assert_eq!((lru.held(), lru.get("a")), ((2, 70), Some(3)));
        // "b" is the least recent: it goes to make room for 50.
        lru.put_weighed("c", 4, 50);
        assert_eq!(lru.held(), (2, 80));
        assert!(!lru.contains("b") && lru.contains("a") && lru.contains("c"));
        // Heavier than the whole budget: not remembered, nothing forgotten.
        lru.put_weighed("d", 5, 101);
        assert_eq!((lru.held(), lru.get("d")), ((2, 80), None));
        // The count still bounds it too.
        let small: Lru<u8, u8> = Lru::with_budget(2, 1_000);
        for k in 0..5 {
            small.put_weighed(k, k, 10);
        }
        assert_eq!(small.held(), (2, 20));
    }
}
