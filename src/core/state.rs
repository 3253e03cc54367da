//! The connection state the app sees.

use serde::Serialize;

/// Connection states; in JS these are the lowercase strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    /// Created, not yet asked to connect.
    Idle,
    /// A socket is being opened (or its URL is being provided).
    Connecting,
    /// The socket is open; replay and queue have been sent.
    Open,
    /// The app asked to close; waiting for the server's close frame.
    Closing,
    /// Waiting out a backoff delay before the next attempt.
    Reconnecting,
    /// Terminal: closed by the app, stopped by a close code, or retries exhausted.
    Closed,
}

impl ConnectionState {
    /// The JS string for this state.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Idle => "idle",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Open => "open",
            ConnectionState::Closing => "closing",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Closed => "closed",
        }
    }

    /// The `WebSocket.readyState` value browsers would show.
    pub fn ready_state(self) -> u16 {
        match self {
            ConnectionState::Idle | ConnectionState::Connecting | ConnectionState::Reconnecting => {
                0
            }
            ConnectionState::Open => 1,
            ConnectionState::Closing => 2,
            ConnectionState::Closed => 3,
        }
    }
}
