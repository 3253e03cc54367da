//! The replay store: keyed application state (plugin parameters,
//! subscriptions) sent when set and sent again after every reconnect, in the
//! order keys were first set.

use crate::prelude::*;

use super::payload::Payload;
use super::time::Millis;

/// One key's latest value and its pending debounced send.
#[derive(Clone, Debug)]
struct ReplayEntry<P> {
    key: String,
    value: P,
    due: Option<Millis>,
}

/// What `set` asks of the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaySet {
    /// Send the value now (if open).
    SendNow,
    /// A debounced send is pending; the latest value goes out when it is due.
    Debounced,
}

/// Keyed state in first-set order.
#[derive(Clone, Debug, Default)]
pub struct ReplayStore<P> {
    entries: Vec<ReplayEntry<P>>,
}

impl<P: Payload> ReplayStore<P> {
    /// An empty store.
    pub fn new() -> Self {
        ReplayStore {
            entries: Vec::new(),
        }
    }

    /// Remembers `value` for `key`. With `debounce_ms > 0`, at most one send
    /// per key per window goes out, carrying the latest value.
    pub fn set(&mut self, now: Millis, key: &str, value: P, debounce_ms: u64) -> ReplaySet {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.key == key) {
            entry.value = value;
            return schedule(&mut entry.due, now, debounce_ms);
        }
        let mut due = None;
        let set = schedule(&mut due, now, debounce_ms);
        self.entries.push(ReplayEntry {
            key: key.to_owned(),
            value,
            due,
        });
        set
    }

    /// Forgets `key`. Returns whether it existed.
    pub fn delete(&mut self, key: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|entry| entry.key != key);
        self.entries.len() != before
    }

    /// The earliest pending debounced send.
    pub fn deadline(&self) -> Option<Millis> {
        self.entries.iter().filter_map(|entry| entry.due).min()
    }

    /// Takes the debounced sends due at `now`, in first-set order.
    pub fn take_due(&mut self, now: Millis) -> Vec<(String, P)> {
        let mut due = Vec::new();
        for entry in &mut self.entries {
            if entry.due.is_some_and(|at| at <= now) {
                entry.due = None;
                due.push((entry.key.clone(), entry.value.clone()));
            }
        }
        due
    }

    /// Every key's latest value, in first-set order, for replay after a
    /// reconnect. Pending debounced sends are covered by it and cleared.
    pub fn take_all_for_replay(&mut self) -> Vec<(String, P)> {
        self.entries
            .iter_mut()
            .map(|entry| {
                entry.due = None;
                (entry.key.clone(), entry.value.clone())
            })
            .collect()
    }

    /// Keys and values in first-set order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &P)> {
        self.entries
            .iter()
            .map(|entry| (entry.key.as_str(), &entry.value))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets everything (dispose).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Updates a key's pending send for a new value: none without debounce
/// (send now), else the pending one or one `debounce_ms` from `now`.
fn schedule(due: &mut Option<Millis>, now: Millis, debounce_ms: u64) -> ReplaySet {
    if debounce_ms == 0 {
        *due = None;
        return ReplaySet::SendNow;
    }
    if due.is_none() {
        *due = Some(now + debounce_ms);
    }
    ReplaySet::Debounced
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;
    use std::{format, vec};

    #[test]
    fn replays_latest_values_in_first_set_order() {
        let mut store = ReplayStore::<String>::new();
        store.set(Millis(0), "b", "b1".into(), 0);
        store.set(Millis(0), "a", "a1".into(), 0);
        store.set(Millis(0), "b", "b2".into(), 0);
        let replay = store.take_all_for_replay();
        assert_eq!(
            replay,
            vec![("b".into(), "b2".into()), ("a".into(), "a1".into())]
        );
    }

    #[test]
    fn debounce_sends_only_the_last_value_of_the_window() {
        let mut store = ReplayStore::<String>::new();
        for i in 0..500 {
            assert_eq!(
                store.set(Millis(i / 10), "mix", format!("{i}"), 100),
                ReplaySet::Debounced
            );
        }
        assert_eq!(store.deadline(), Some(Millis(100)));
        assert!(store.take_due(Millis(99)).is_empty());
        assert_eq!(
            store.take_due(Millis(100)),
            vec![("mix".into(), "499".into())]
        );
        assert_eq!(store.deadline(), None);
    }

    #[test]
    fn deleted_keys_are_not_replayed() {
        let mut store = ReplayStore::<String>::new();
        store.set(Millis(0), "a", "1".into(), 0);
        assert!(store.delete("a"));
        assert!(!store.delete("a"));
        assert!(store.take_all_for_replay().is_empty());
    }
}
