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
/// (keys hashed with foldhash, as in [`Memo`]).
pub struct Lru<K, V> {
    map: Mutex<LruCache<K, V, foldhash::fast::RandomState>>,
}

impl<K: Hash + Eq, V: Clone> Lru<K, V> {
    /// An empty cache for at most `capacity` values (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            map: Mutex::new(LruCache::with_hasher(capacity, Default::default())),
        }
    }

    /// The value for `key`, which becomes the most recently used.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().get(key).cloned()
    }

    /// Remembers `value` for `key`, forgetting the least recently used
    /// value when full.
    pub fn put(&self, key: K, value: V) {
        self.lock().put(key, value);
    }

    /// Whether a value is remembered for `key` (without making it recent).
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().contains(key)
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<K, V, foldhash::fast::RandomState>> {
        // A panic while holding the lock leaves a consistent cache.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
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
}
