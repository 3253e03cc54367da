//! Events the engine emits for the app.

use crate::prelude::*;

use serde::Serialize;

use super::close_code::CloseInterpretation;
use super::state::ConnectionState;

/// Why a connection ended, from the engine's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CloseCause {
    /// The browser reported a close (server close frame, or 1006).
    Server,
    /// The app called `close()`.
    App,
    /// The app called `reconnect()`, replacing the socket.
    Replaced,
    /// No pong (nor any message) within the heartbeat timeout.
    HeartbeatTimeout,
    /// The handshake did not complete within `connectTimeoutMs`.
    ConnectTimeout,
    /// The browser went offline, or an attempt failed while it was, or an
    /// attempt made while it was was replaced once it came back online.
    Offline,
    /// The URL provider failed or returned a bad URL.
    UrlProvider,
    /// The browser refused to make the socket for the fixed URL (`new
    /// WebSocket` threw, such as for `ws://` from an `https:` page).
    /// Every attempt would fail the same way, so none follows.
    Refused,
    /// The client was disposed.
    Disposed,
}

/// Everything known about a close, as the `close` event carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseReport {
    /// Close code (1006 when the connection was lost or abandoned without one).
    pub code: u16,
    /// Close reason, redacted.
    pub reason: String,
    /// Whether the close handshake completed.
    pub was_clean: bool,
    /// Whether this connection had opened.
    pub opened: bool,
    /// What ended it.
    pub cause: CloseCause,
    /// The code explained, with the action that applies.
    pub interpretation: CloseInterpretation,
    /// Whether the SDK will try again.
    pub will_reconnect: bool,
    /// The delay before the next attempt, when it will reconnect.
    pub delay_ms: Option<u64>,
    /// The connection number that ended.
    pub connection: u32,
}

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestFailure {
    /// No reply within its timeout.
    Timeout,
    /// The connection it went out on dropped (`requests.onReconnect` is `fail`).
    ConnectionLost,
    /// The app closed the socket or it was stopped by a close code.
    Closed,
    /// The client was disposed.
    Disposed,
    /// Its message was dropped from the full send queue before it went out
    /// (`queue.overflow` is `dropOldest`).
    QueueOverflow,
}

/// An event for the app. `P` is the payload type (a JS value in the browser).
#[derive(Clone, Debug, PartialEq)]
pub enum Event<P> {
    /// The state changed.
    StateChange {
        /// Previous state.
        from: ConnectionState,
        /// New state.
        to: ConnectionState,
    },
    /// The socket opened; replay and queue went out before this event.
    Open {
        /// Connection number.
        connection: u32,
        /// Replay keys sent.
        replayed: usize,
        /// Queued messages sent.
        flushed: usize,
    },
    /// A connection ended (or an attempt failed).
    Close(CloseReport),
    /// A reconnect attempt is scheduled.
    Reconnecting {
        /// Attempt number, 1 for the first retry.
        attempt: u32,
        /// Delay before it, in ms.
        delay_ms: u64,
    },
    /// A pong arrived.
    Heartbeat {
        /// Round trip of the ping, in ms.
        rtt_ms: u64,
    },
    /// Connections keep opening and dying right away.
    Flapping {
        /// Short connections in a row.
        count: u32,
        /// What probably causes it.
        likely_causes: Vec<String>,
    },
    /// The replay store was sent on a new connection.
    Replay {
        /// Keys replayed, in order.
        keys: Vec<String>,
        /// Connection number.
        connection: u32,
    },
    /// A reply was slower than `requests.slowMs`.
    Slow {
        /// The request id.
        id: String,
        /// Its latency.
        latency_ms: u64,
    },
    /// A request got its reply.
    Reply {
        /// The handle `request` returned.
        request: u64,
        /// The reply message.
        payload: P,
        /// Latency in ms.
        latency_ms: u64,
    },
    /// A request failed.
    RequestFailed {
        /// The handle `request` returned.
        request: u64,
        /// Why.
        reason: RequestFailure,
    },
    /// Queued messages were dropped to make room (`queue.overflow` = `dropOldest`).
    QueueOverflow {
        /// How many.
        dropped: usize,
    },
    /// Credentials were refused (close code whose action is `reauth`),
    /// whether a retry follows or not; when one does, the URL provider runs
    /// before it.
    Reauth {
        /// The close code.
        code: u16,
    },
    /// A browser `error` event (always followed by a close) or a URL provider error.
    Error {
        /// What happened, redacted.
        message: String,
    },
}
