//! A snapshot of counters for dashboards and `stats()`.

use serde::Serialize;

use super::state::ConnectionState;

/// Counters and measurements at one instant.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Current state.
    pub state: ConnectionState,
    /// Current (or last) connection number.
    pub connection: u32,
    /// Retries scheduled since the attempt counter last reset; 0 once the
    /// open connection stayed open `resetAfterMs` (without flapping).
    pub attempt: u32,
    /// Reconnects scheduled over the client's life.
    pub reconnects: u32,
    /// How long the current connection has been open, in ms (0 if not open).
    pub uptime_ms: u64,
    /// Total time open over the client's life, in ms.
    pub total_uptime_ms: u64,
    /// Last heartbeat round trip.
    pub rtt_ms: Option<u64>,
    /// Messages received.
    pub messages_in: u64,
    /// Messages sent.
    pub messages_out: u64,
    /// Bytes received (UTF-16 units for text).
    pub bytes_in: u64,
    /// Bytes sent (UTF-16 units for text).
    pub bytes_out: u64,
    /// Messages waiting in the queue.
    pub queued: usize,
    /// Bytes waiting in the queue.
    pub queued_bytes: usize,
    /// Requests waiting for a reply.
    pub pending_requests: usize,
    /// Median request latency over the last replies.
    pub request_p50_ms: Option<u64>,
    /// 99th percentile request latency.
    pub request_p99_ms: Option<u64>,
    /// Whether the last connections were flapping; false once the open
    /// connection stayed open `flapping.windowMs`.
    pub flapping: bool,
    /// Timers that fired late enough to be treated as throttled.
    pub late_wakeups: u64,
}
