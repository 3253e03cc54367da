//! Per-client records: what each client id sent, how many connections it
//! opened, which are open now (with handles to act on them), and the script
//! waiting for its next connection.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

use crate::conn::ConnHandle;
use crate::script::Script;

/// Most text messages stored per client; counts stay exact beyond it.
pub const MAX_STORED: usize = 100_000;

/// Whether `id` is a valid client id: one or more of `[A-Za-z0-9_-]`.
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// All clients, by id. Records are created on first use.
#[derive(Default)]
pub struct Registry {
    clients: Mutex<HashMap<String, Arc<Client>>>,
    next_key: AtomicU64,
}

/// One client id's record.
#[derive(Default)]
pub struct Client {
    state: Mutex<ClientState>,
}

#[derive(Default)]
struct ClientState {
    /// `(connection number, text)` in arrival order, at most [`MAX_STORED`].
    messages: Vec<(u64, String)>,
    /// Messages received (text and binary), exact.
    count: u64,
    /// Payload bytes received (text and binary), exact.
    bytes: u64,
    /// Binary messages received.
    binary_count: u64,
    /// Connections opened since the record was created or reset; the last
    /// connection number handed out.
    connections: u64,
    /// Open connections by registry-wide key.
    open: BTreeMap<u64, ConnHandle>,
    /// Upgrade requests read and left hanging (`hang=1`), not yet ended.
    hanging: u64,
    /// Script for the next connection, used once.
    next: Option<Script>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves plain counters behind: keep going.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    fn client(&self, id: &str) -> Arc<Client> {
        lock(&self.clients)
            .entry(id.to_string())
            .or_default()
            .clone()
    }

    fn existing(&self, id: &str) -> Option<Arc<Client>> {
        lock(&self.clients).get(id).cloned()
    }

    /// Sets the script for the next connection of `id`.
    pub fn set_next(&self, id: &str, script: Script) {
        lock(&self.client(id).state).next = Some(script);
    }

    /// Counts a handshake of `id` left hanging until [`Client::hang_ended`]:
    /// a test can wait for the server to have read the request.
    pub fn hang_started(&self, id: &str) -> Arc<Client> {
        let client = self.client(id);
        lock(&client.state).hanging += 1;
        client
    }

    /// Takes the script waiting for the next connection of `id`, if any.
    pub fn take_next(&self, id: &str) -> Option<Script> {
        self.existing(id).and_then(|c| lock(&c.state).next.take())
    }

    /// Registers an opened connection of `id`. Returns the client record, the
    /// key to [`Client::detach`] it with, and its connection number (1, 2...).
    pub fn attach(&self, id: &str, handle: ConnHandle) -> (Arc<Client>, u64, u64) {
        // Under the registry lock, so a concurrent reset cannot orphan it.
        let mut clients = lock(&self.clients);
        let client = clients.entry(id.to_string()).or_default().clone();
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let mut st = lock(&client.state);
        st.connections += 1;
        st.open.insert(key, handle);
        let number = st.connections;
        drop(st);
        (client, key, number)
    }

    /// Handles of the open connections of `id`, oldest first.
    pub fn handles(&self, id: &str) -> Vec<ConnHandle> {
        self.existing(id)
            .map(|c| lock(&c.state).open.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets what `id` sent, its connection count and its pending script.
    /// Connections still open stay attached (and keep their numbers).
    /// Returns whether there was a record.
    pub fn reset(&self, id: &str) -> bool {
        let mut clients = lock(&self.clients);
        let Some(client) = clients.get(id).cloned() else {
            return false;
        };
        let mut st = lock(&client.state);
        if st.open.is_empty() {
            clients.remove(id);
        } else {
            let open = std::mem::take(&mut st.open);
            *st = ClientState {
                open,
                ..ClientState::default()
            };
        }
        true
    }

    /// `{"clients":[{"id","count","bytes","connections","open","hanging"}...]}`, by id.
    pub fn list(&self) -> Value {
        let mut clients: Vec<(String, Arc<Client>)> = lock(&self.clients)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        clients.sort_by(|a, b| a.0.cmp(&b.0));
        let list: Vec<Value> = clients
            .iter()
            .map(|(id, c)| {
                let mut v = c.stats();
                v["id"] = json!(id);
                v
            })
            .collect();
        json!({ "clients": list })
    }

    /// Every stored text message of `id` plus counts (zeros for an unknown id).
    pub fn received(&self, id: &str) -> Value {
        match self.existing(id) {
            Some(c) => c.received(),
            None => Client::default().received(),
        }
    }

    /// Counts of `id` (zeros for an unknown id).
    pub fn stats(&self, id: &str) -> Value {
        match self.existing(id) {
            Some(c) => c.stats(),
            None => Client::default().stats(),
        }
    }
}

impl Client {
    /// Records a text message from connection `number`: counted, and its
    /// text kept when `store` (up to [`MAX_STORED`]).
    pub fn record_text(&self, number: u64, text: &str, store: bool) {
        let mut st = lock(&self.state);
        st.count += 1;
        st.bytes += text.len() as u64;
        if store && st.messages.len() < MAX_STORED {
            st.messages.push((number, text.to_string()));
        }
    }

    /// Records a binary message of `len` bytes.
    pub fn record_binary(&self, len: usize) {
        let mut st = lock(&self.state);
        st.count += 1;
        st.bytes += len as u64;
        st.binary_count += 1;
    }

    /// Ends a hanging handshake counted by [`Registry::hang_started`] (a
    /// reset meanwhile has zeroed the count).
    pub fn hang_ended(&self) {
        let mut st = lock(&self.state);
        st.hanging = st.hanging.saturating_sub(1);
    }

    /// Marks the connection with `key` closed.
    pub fn detach(&self, key: u64) {
        lock(&self.state).open.remove(&key);
    }

    fn stats(&self) -> Value {
        let st = lock(&self.state);
        json!({
            "count": st.count,
            "bytes": st.bytes,
            "binaryCount": st.binary_count,
            "connections": st.connections,
            "open": st.open.len(),
            "hanging": st.hanging,
        })
    }

    fn received(&self) -> Value {
        let st = lock(&self.state);
        let messages: Vec<Value> = st
            .messages
            .iter()
            .map(|(n, t)| json!({ "connection": n, "text": t }))
            .collect();
        json!({
            "messages": messages,
            "truncated": st.count - st.binary_count > st.messages.len() as u64,
            "count": st.count,
            "bytes": st.bytes,
            "binaryCount": st.binary_count,
            "connections": st.connections,
            "open": st.open.len(),
            "hanging": st.hanging,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn;

    #[test]
    fn caps_stored_messages_but_counts_exactly() {
        let reg = Registry::default();
        let (client, key, number) = reg.attach("cap", conn::handle(false).0);
        assert_eq!(number, 1);
        for _ in 0..MAX_STORED + 10 {
            client.record_text(number, "ab", true);
        }
        client.record_binary(5);
        let r = reg.received("cap");
        assert_eq!(r["messages"].as_array().unwrap().len(), MAX_STORED);
        assert_eq!(r["truncated"], true);
        assert_eq!(r["count"], MAX_STORED as u64 + 11);
        assert_eq!(r["bytes"], 2 * (MAX_STORED as u64 + 10) + 5);
        assert_eq!(r["binaryCount"], 1);
        assert_eq!(r["open"], 1);
        client.detach(key);
        assert_eq!(reg.stats("cap")["open"], 0);
    }

    #[test]
    fn texts_not_stored_are_still_counted() {
        let reg = Registry::default();
        let (client, _key, _) = reg.attach("count-only", conn::handle(false).0);
        client.record_text(1, "abc", false);
        client.record_text(1, "de", true);
        let r = reg.received("count-only");
        assert_eq!(r["count"], 2);
        assert_eq!(r["bytes"], 5);
        assert_eq!(r["messages"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn reset_keeps_open_connections_attached() {
        let reg = Registry::default();
        let (client, _key, _) = reg.attach("r", conn::handle(false).0);
        client.record_text(1, "x", true);
        reg.set_next("r", Script::default());
        assert!(reg.reset("r"));
        assert_eq!(reg.stats("r")["count"], 0);
        assert_eq!(reg.stats("r")["open"], 1);
        assert_eq!(reg.take_next("r"), None);
        assert_eq!(reg.handles("r").len(), 1);
        assert!(!reg.reset("unknown"));
    }

    #[test]
    fn validates_client_ids() {
        assert!(valid_client_id("client-1_A"));
        assert!(!valid_client_id(""));
        assert!(!valid_client_id("a b"));
        assert!(!valid_client_id("a/b"));
    }
}
