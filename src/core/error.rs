//! Errors the core returns: bad options and bad calls, each naming what was
//! wrong and what is allowed.

use crate::prelude::*;

use core::fmt;

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
    /// An error for `option`, which allows `allowed` but got `got`.
    pub fn new(option: &str, allowed: &str, got: impl fmt::Display) -> Self {
        ConfigError {
            option: option.to_owned(),
            allowed: allowed.to_owned(),
            got: got.to_string(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid option `{}`: expected {}, got {}",
            self.option, self.allowed, self.got
        )
    }
}

impl core::error::Error for ConfigError {}

/// Why a message was not accepted by `send` (or `request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The socket is not open and the queue is full (overflow policy `reject`),
    /// or queueing is disabled (`queue.maxMessages` is 0). Normal under long outages.
    QueueFull {
        /// Messages queued.
        queued: usize,
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
    /// `request` needs a JSON object as text. A caller's mistake.
    NotJsonObject,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::QueueFull {
                queued,
                max_messages,
                max_bytes,
            } => write!(
                f,
                "send: the socket is not open and the queue is full ({queued} messages; limits queue.maxMessages = {max_messages}, queue.maxBytes = {max_bytes}); raise the limits or set queue.overflow to \"dropOldest\""
            ),
            SendError::TooLarge { size, max } => write!(
                f,
                "send: message of {size} bytes is larger than maxMessageBytes ({max})"
            ),
            SendError::Closed => write!(
                f,
                "send: the socket is closed (state \"closed\"); call connect() or reconnect() first"
            ),
            SendError::NotJsonObject => {
                write!(
                    f,
                    "request: the message must be a JSON object (an object or its JSON text)"
                )
            }
        }
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

impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseError::InvalidCode(code) => {
                write!(f, "close: invalid code {code}; allowed: 1000 or 3000-4999")
            }
            CloseError::ReasonTooLong(len) => write!(
                f,
                "close: reason is {len} bytes of UTF-8; allowed: at most 123"
            ),
        }
    }
}

impl core::error::Error for CloseError {}
