//! What a message is to the core: a handle the driver owns.
//!
//! The browser driver implements [`Payload`] over the JS value itself, so a
//! message passes through the core without being copied into WASM memory;
//! its text is read only when a feature needs the content.

use crate::prelude::*;

use alloc::borrow::Cow;

/// A message payload as the core handles it.
pub trait Payload: Clone {
    /// Builds a text payload (heartbeat pings, request messages).
    fn from_text(text: &str) -> Self;
    /// Size used for queue and inspector caps: bytes for binary data, UTF-16
    /// code units for text as the browser reports it (equal to bytes for ASCII).
    fn size(&self) -> usize;
    /// Whether this is a text frame.
    fn is_text(&self) -> bool;
    /// The text, if this is a text frame. May copy; called only when needed.
    fn text(&self) -> Option<Cow<'_, str>>;
    /// Top-level member `key` of this message as far as it can be told
    /// without [`Payload::text`] (the browser driver parses a large text in
    /// JS, so it need not pass through WASM memory). By default nothing.
    fn member_without_text(&self, _key: &str) -> Member {
        Member::Unknown
    }
}

/// What [`Payload::member_without_text`] could tell of a member.
#[derive(Debug, PartialEq)]
pub enum Member {
    /// The message is no JSON object, or has no such member.
    Absent,
    /// The member is a string: its text, unescaped.
    Text(String),
    /// Not told: read the text (also for a member that is no string).
    Unknown,
}

/// A plain Rust message, used by native code and the simulation tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

impl Payload for Frame {
    fn from_text(text: &str) -> Self {
        Frame::Text(text.to_owned())
    }
    fn size(&self) -> usize {
        match self {
            // As the browser counts it, so native tests see what the
            // driver sees.
            Frame::Text(text) => utf16_len(text),
            Frame::Binary(bytes) => bytes.len(),
        }
    }
    fn is_text(&self) -> bool {
        matches!(self, Frame::Text(_))
    }
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Frame::Text(text) => Some(Cow::Borrowed(text)),
            Frame::Binary(_) => None,
        }
    }
}

impl Payload for String {
    fn from_text(text: &str) -> Self {
        text.to_owned()
    }
    fn size(&self) -> usize {
        utf16_len(self)
    }
    fn is_text(&self) -> bool {
        true
    }
    fn text(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

/// The length of `text` in UTF-16 code units (a JS string's `length`).
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// A binary payload of any claimed size, for tests of byte accounting: in
/// the browser sizes are JS lengths, so a few shared huge strings can add up
/// past `usize::MAX` on wasm32 without using any memory.
#[cfg(test)]
#[derive(Clone, Debug)]
pub(crate) struct OfSize(pub usize);

#[cfg(test)]
impl Payload for OfSize {
    fn from_text(text: &str) -> Self {
        OfSize(utf16_len(text))
    }
    fn size(&self) -> usize {
        self.0
    }
    fn is_text(&self) -> bool {
        false
    }
    fn text(&self) -> Option<Cow<'_, str>> {
        None
    }
}
