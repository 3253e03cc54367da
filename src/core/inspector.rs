//! The message inspector: a ring buffer of the last messages in and out,
//! bounded by count and bytes. Records keep the payload handle and metadata;
//! JSON fields are parsed only when a query asks for them.
//! STUB: `entries` and `export_json` to be completed.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::payload::Payload;
use super::redact::Redactor;
use super::time::Millis;

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// Received from the server.
    In,
    /// Sent to the server.
    Out,
}

/// One recorded message: metadata plus the payload handle.
#[derive(Clone, Debug)]
pub struct InspectorRecord<P> {
    /// Sequence number, increasing over the inspector's life.
    pub seq: u64,
    /// Which way it went.
    pub direction: Direction,
    /// When it went.
    pub at: Millis,
    /// Payload size (see [`Payload::size`]).
    pub size: usize,
    /// Connection number (1 for the first socket, +1 per new socket).
    pub connection: u32,
    /// The payload itself, not parsed.
    pub payload: P,
}

/// Which records a query wants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectorFilter {
    /// Only this direction.
    pub direction: Option<Direction>,
    /// Only messages whose JSON `type` field equals this.
    #[serde(rename = "type")]
    pub message_type: Option<String>,
    /// Only messages whose top-level JSON fields equal these values (as text).
    #[serde(default)]
    pub fields: Vec<(String, String)>,
    /// At most this many entries, the newest.
    pub limit: Option<usize>,
}

/// A record as shown to people: parsed and redacted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectorEntry {
    /// Sequence number.
    pub seq: u64,
    /// Which way it went.
    pub direction: Direction,
    /// Time in ms on the driver's clock.
    pub at_ms: u64,
    /// Payload size.
    pub size: usize,
    /// Connection number.
    pub connection: u32,
    /// Whether the payload is binary.
    pub binary: bool,
    /// The JSON `type` field, if any.
    #[serde(rename = "type")]
    pub message_type: Option<String>,
    /// The JSON `id` field, if any.
    pub id: Option<String>,
    /// The start of the payload text, redacted (binary: a short hex summary).
    pub preview: String,
}

/// The ring buffer.
#[derive(Clone, Debug)]
pub struct Inspector<P> {
    records: VecDeque<InspectorRecord<P>>,
    max_entries: usize,
    max_bytes: usize,
    bytes: usize,
    next_seq: u64,
}

impl<P: Payload> Inspector<P> {
    /// An inspector keeping at most `max_entries` records and `max_bytes`
    /// payload bytes; `max_entries == 0` disables recording.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Inspector {
            records: VecDeque::new(),
            max_entries,
            max_bytes,
            bytes: 0,
            next_seq: 1,
        }
    }

    /// Records a message, evicting the oldest records to stay within caps.
    /// A single payload larger than `max_bytes` is recorded without its
    /// payload counted... (STUB: see the final version)
    pub fn record(&mut self, direction: Direction, at: Millis, connection: u32, payload: &P) {
        if self.max_entries == 0 {
            return;
        }
        let size = payload.size();
        while !self.records.is_empty()
            && (self.records.len() >= self.max_entries || self.bytes + size > self.max_bytes)
        {
            if let Some(evicted) = self.records.pop_front() {
                self.bytes -= evicted.size;
            }
        }
        self.bytes += size;
        self.records.push_back(InspectorRecord {
            seq: self.next_seq,
            direction,
            at,
            size,
            connection,
            payload: payload.clone(),
        });
        self.next_seq += 1;
    }

    /// Number of records held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Payload bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Drops every record.
    pub fn clear(&mut self) {
        self.records.clear();
        self.bytes = 0;
    }

    /// The raw records, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &InspectorRecord<P>> {
        self.records.iter()
    }

    /// The records matching `filter`, parsed and redacted, oldest first.
    pub fn entries(&self, filter: &InspectorFilter, redactor: &Redactor) -> Vec<InspectorEntry> {
        let _ = (filter, redactor);
        Vec::new()
    }

    /// The matching entries as a JSON array (redacted), for export.
    pub fn export_json(&self, filter: &InspectorFilter, redactor: &Redactor) -> String {
        let _ = (filter, redactor);
        String::from("[]")
    }
}
