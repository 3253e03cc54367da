//! Errors the core returns: bad options and bad calls, each naming what was
//! wrong and what is allowed.

use crate::prelude::*;

use core::fmt;

use super::text::{concat, decimal};

/// An option had a value outside what is allowed. A caller's mistake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The option's path as the app spells it, e.g. `reconnect.multiplier`.
    pub option: String,
    /// What is allowed, e.g. `a finite number >= 1`.
    pub allowed: String,
    /// What was given.
    pub got: String,
}

impl ConfigError {
    /// An error for `option`, which allows `allowed` but got `got` (text,
    /// not `impl Display`: formatting would link `core::fmt` into the wasm).
    pub fn new(option: &str, allowed: &str, got: impl Into<String>) -> Self {
        ConfigError {
            option: option.to_owned(),
            allowed: allowed.to_owned(),
            got: got.into(),
        }
    }

    /// The message the JS facade throws (built without `core::fmt`).
    pub fn message(&self) -> String {
        concat(&[
            "invalid option `",
            &self.option,
            "`: expected ",
            &self.allowed,
            ", got ",
            &self.got,
        ])
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for ConfigError {}

/// Why a message was not accepted by `send` (or `request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The socket is not open and the queue is full (overflow policy
    /// `reject`). Normal under long outages.
    QueueFull {
        /// Messages queued.
        queued: usize,
        /// `queue.maxMessages`.
        max_messages: usize,
        /// `queue.maxBytes`.
        max_bytes: usize,
    },
    /// The socket is not open and the message can never be queued, whatever
    /// the policy: it alone is larger than `queue.maxBytes`, or
    /// `queue.maxMessages` is 0 (queueing disabled).
    QueueTooSmall {
        /// The message's size.
        size: usize,
        /// `queue.maxMessages`.
        max_messages: usize,
        /// `queue.maxBytes`.
        max_bytes: usize,
    },
    /// The message is larger than `maxMessageBytes`. A caller's mistake.
    TooLarge {
        /// The message's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The client was closed by the app or stopped by a close code; call
    /// `connect()` or `reconnect()` first.
    Closed,
    /// The client was disposed: nothing can reopen it.
    Disposed,
    /// The call came from inside the SDK's own call into the browser (a
    /// replaced `WebSocket` method that calls back into the SDK): the
    /// driver's state is in use. Calling again once that call returns works.
    Busy,
    /// `request` needs a JSON object as text. A caller's mistake.
    NotJsonObject,
    /// `request`'s message carries an id a pending request already has: a
    /// reply could not tell them apart. A caller's mistake.
    IdPending {
        /// `requests.idField`.
        field: String,
        /// The id as written in the message (`"abc"`, `7`).
        id: String,
    },
}

/// `queue.maxMessages = N, queue.maxBytes = M`, for the queue errors.
fn queue_limits(max_messages: usize, max_bytes: usize) -> String {
    concat(&[
        "queue.maxMessages = ",
        &decimal(max_messages as u64),
        ", queue.maxBytes = ",
        &decimal(max_bytes as u64),
    ])
}

/// How message sizes count, after a size in a refusal.
const SIZE_UNITS: &str = " (UTF-16 units for text, bytes for binary)";

impl SendError {
    /// The message the JS facade throws from `send` (built without
    /// `core::fmt`).
    pub fn message(&self) -> String {
        self.message_for("send")
    }

    /// The message, starting with the name of the call that was refused
    /// (`send`, `request`, `setReplayState`).
    pub fn message_for(&self, call: &str) -> String {
        concat(&[call, ": ", &self.reason()])
    }

    /// What was wrong, without the call's name.
    fn reason(&self) -> String {
        match self {
            SendError::QueueFull {
                queued,
                max_messages,
                max_bytes,
            } => concat(&[
                "the socket is not open and the queue is full (",
                &decimal(*queued as u64),
                " messages; limits ",
                &queue_limits(*max_messages, *max_bytes),
                "); raise the limits or set queue.overflow to \"dropOldest\"",
            ]),
            SendError::QueueTooSmall {
                size,
                max_messages,
                max_bytes,
            } => concat(&[
                "the socket is not open and a message of size ",
                &decimal(*size as u64),
                SIZE_UNITS,
                " can never be queued (",
                &queue_limits(*max_messages, *max_bytes),
                "); raise the limits to queue it",
            ]),
            SendError::TooLarge { size, max } => concat(&[
                "message of size ",
                &decimal(*size as u64),
                SIZE_UNITS,
                " is larger than maxMessageBytes (",
                &decimal(*max as u64),
                ")",
            ]),
            SendError::Closed => String::from(
                "the socket is closed for good (close(), a close code that stops, or retries given up); call connect() or reconnect() first",
            ),
            SendError::Disposed => {
                String::from("the socket was disposed; create a new ResilientSocket")
            }
            SendError::Busy => String::from(
                "the socket is busy: this call came from inside its own call into the browser (a replaced WebSocket method); call again after that returns",
            ),
            SendError::NotJsonObject => {
                String::from("the message must be a JSON object (an object or its JSON text)")
            }
            SendError::IdPending { field, id } => concat(&[
                "requests.idField \"",
                field,
                "\" value ",
                id,
                " is already used by a pending request; wait for it to settle, use another value, or leave the field out for a generated one",
            ]),
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for SendError {}

/// `close(code, reason)` was called with values browsers refuse. A caller's mistake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseError {
    /// The code is not 1000 and not in 3000-4999.
    InvalidCode(u16),
    /// The reason is longer than 123 bytes of UTF-8.
    ReasonTooLong(usize),
}

impl CloseError {
    /// Checks what an app passes to `close()` as browsers do: the code 1000
    /// or 3000-4999, the reason at most 123 bytes of UTF-8.
    pub fn check(code: u16, reason: &str) -> Result<(), CloseError> {
        if !super::CloseCode(code).is_sendable_by_app() {
            return Err(CloseError::InvalidCode(code));
        }
        if reason.len() > 123 {
            return Err(CloseError::ReasonTooLong(reason.len()));
        }
        Ok(())
    }

    /// The message the JS facade throws (built without `core::fmt`).
    pub fn message(&self) -> String {
        match self {
            CloseError::InvalidCode(code) => concat(&[
                "close: invalid code ",
                &decimal(u64::from(*code)),
                "; allowed: 1000 or 3000-4999",
            ]),
            CloseError::ReasonTooLong(len) => concat(&[
                "close: reason is ",
                &decimal(*len as u64),
                " bytes of UTF-8; allowed: at most 123",
            ]),
        }
    }
}

impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for CloseError {}
