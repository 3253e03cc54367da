//! Requests by id: pending requests, their deadlines, and reply latencies.

use crate::prelude::*;

use super::json_scan;
use super::time::Millis;

/// A request id as it appears in a message: its text, and whether it is a
/// JSON string. A reply matches only an id of the same JSON type, so a server
/// push carrying `"id": 1` is not taken for the reply to a request whose id
/// is `"1"` (the ids the SDK adds are strings). Numbers compare as written
/// (`1.0` is not `1`), so ids past 2^53 keep every digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId {
    /// A JSON string unescaped, or any other value as written.
    pub text: String,
    /// Whether the value is a JSON string.
    pub is_string: bool,
}

impl RequestId {
    /// The id of a raw JSON value (`"abc"`, `42`, ...).
    pub fn from_raw(raw: &str) -> RequestId {
        RequestId {
            text: json_scan::value_text(raw).into_owned(),
            is_string: raw.starts_with('"'),
        }
    }

    /// A string id.
    pub fn string(text: String) -> RequestId {
        RequestId {
            text,
            is_string: true,
        }
    }
}

/// A request waiting for its reply.
#[derive(Clone, Debug)]
pub struct PendingRequest<P> {
    /// The handle returned to the app.
    pub handle: u64,
    /// The id as it appears in the message.
    pub id: RequestId,
    /// The message with its id, kept for a resend after reconnect.
    pub payload: P,
    /// The connection it went out on; `None` while queued or awaiting a resend.
    pub sent_on: Option<u32>,
    /// When it last went out (or `request` was called, while queued):
    /// latency counts from here, not through an outage it waited out.
    pub sent_at: Millis,
    /// When it times out.
    pub deadline: Millis,
}

/// Latencies of the last replies, for p50/p99.
#[derive(Clone, Debug, Default)]
pub struct LatencyWindow {
    samples: Vec<u64>,
    next: usize,
}

/// How many latencies the window keeps.
const LATENCY_WINDOW: usize = 512;

impl LatencyWindow {
    /// Adds one latency, replacing the oldest when full.
    pub fn add(&mut self, latency_ms: u64) {
        if self.samples.len() < LATENCY_WINDOW {
            self.samples.push(latency_ms);
        } else if let Some(oldest) = self.samples.get_mut(self.next) {
            *oldest = latency_ms;
        }
        self.next = (self.next + 1) % LATENCY_WINDOW;
    }

    /// The `p`th percentile (0-100, nearest rank) of the window.
    pub fn percentile(&self, p: u32) -> Option<u64> {
        if self.samples.is_empty() {
            return None;
        }
        // An insertion sort: the window is small and this is called rarely,
        // and it keeps the general-purpose sort out of the wasm binary.
        let mut sorted = self.samples.clone();
        for end in 2..=sorted.len() {
            // `sorted[..end - 1]` is sorted: sink `sorted[end - 1]` into place.
            for start in (0..end - 1).rev() {
                match sorted.get_mut(start..start + 2) {
                    Some([before, after]) if *before > *after => core::mem::swap(before, after),
                    _ => break,
                }
            }
        }
        let rank = (u64::from(p.min(100)) * sorted.len() as u64)
            .div_ceil(100)
            .max(1) as usize;
        sorted.get(rank - 1).copied()
    }
}

/// The pending requests.
#[derive(Clone, Debug)]
pub struct Requests<P> {
    pending: Vec<PendingRequest<P>>,
    next_handle: u64,
    /// Reply latencies.
    pub latencies: LatencyWindow,
}

impl<P> Default for Requests<P> {
    fn default() -> Self {
        Requests {
            pending: Vec::new(),
            next_handle: 1,
            latencies: LatencyWindow::default(),
        }
    }
}

impl<P: Clone> Requests<P> {
    /// A fresh handle (also used as the id when the message has none).
    pub fn next_handle(&mut self) -> u64 {
        let handle = self.next_handle;
        self.next_handle += 1;
        handle
    }

    /// Tracks a request.
    pub fn add(&mut self, request: PendingRequest<P>) {
        self.pending.push(request);
    }

    /// Whether any request waits (only then are inbound ids looked at).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Number waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether a pending request already uses `id`.
    pub fn has_id(&self, id: &RequestId) -> bool {
        self.pending.iter().any(|request| request.id == *id)
    }

    /// Takes the request answered by a reply carrying `id` that came on
    /// `connection`: only a request sent on it can be answered there (an app
    /// may reuse an id once its request settled, and the retry may still
    /// wait in the queue when a late reply to the first one comes).
    pub fn take_reply(&mut self, id: &RequestId, connection: u32) -> Option<PendingRequest<P>> {
        let index = self
            .pending
            .iter()
            .position(|request| request.id == *id && request.sent_on == Some(connection))?;
        Some(self.pending.remove(index))
    }

    /// The earliest deadline.
    pub fn deadline(&self) -> Option<Millis> {
        self.pending.iter().map(|request| request.deadline).min()
    }

    /// Takes the request with this handle.
    pub fn take_handle(&mut self, handle: u64) -> Option<PendingRequest<P>> {
        let index = self
            .pending
            .iter()
            .position(|request| request.handle == handle)?;
        Some(self.pending.remove(index))
    }

    /// Takes the requests whose deadline has passed.
    pub fn take_expired(&mut self, now: Millis) -> Vec<PendingRequest<P>> {
        let (expired, kept) = core::mem::take(&mut self.pending)
            .into_iter()
            .partition(|r| r.deadline <= now);
        self.pending = kept;
        expired
    }

    /// Takes the requests that went out on `connection` (it dropped).
    pub fn take_sent_on(&mut self, connection: u32) -> Vec<PendingRequest<P>> {
        let (lost, kept) = core::mem::take(&mut self.pending)
            .into_iter()
            .partition(|r| r.sent_on == Some(connection));
        self.pending = kept;
        lost
    }

    /// Marks the requests sent on `connection` as needing a resend.
    pub fn mark_for_resend(&mut self, connection: u32) {
        for request in &mut self.pending {
            if request.sent_on == Some(connection) {
                request.sent_on = None;
            }
        }
    }

    /// Requests awaiting a resend, marking them sent on `connection`. Called
    /// after the queue was flushed, so queued requests are already marked sent.
    pub fn resend_on(&mut self, connection: u32, now: Millis) -> Vec<P> {
        self.pending
            .iter_mut()
            .filter(|request| request.sent_on.is_none())
            .map(|request| {
                request.sent_on = Some(connection);
                request.sent_at = now;
                request.payload.clone()
            })
            .collect()
    }

    /// Marks one request as sent on `connection` at `now` (it left the
    /// queue).
    pub fn mark_sent(&mut self, handle: u64, connection: u32, now: Millis) {
        if let Some(request) = self.pending.iter_mut().find(|r| r.handle == handle) {
            request.sent_on = Some(connection);
            request.sent_at = now;
        }
    }

    /// Takes every request (close or dispose).
    pub fn take_all(&mut self) -> Vec<PendingRequest<P>> {
        core::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut window = LatencyWindow::default();
        assert_eq!(window.percentile(50), None);
        for latency in 1..=100 {
            window.add(latency);
        }
        assert_eq!(window.percentile(50), Some(50));
        assert_eq!(window.percentile(99), Some(99));
        assert_eq!(window.percentile(100), Some(100));
    }

    #[test]
    fn window_keeps_only_the_latest_samples() {
        let mut window = LatencyWindow::default();
        for _ in 0..LATENCY_WINDOW {
            window.add(1_000);
        }
        for _ in 0..LATENCY_WINDOW {
            window.add(1);
        }
        assert_eq!(window.percentile(99), Some(1));
    }
}
