//! The message inspector: a ring buffer of the last messages in and out,
//! bounded by count and bytes. Records keep the payload handle and metadata;
//! JSON fields are parsed only when a query asks for them.
//!
//! Both caps hold at all times: at most `max_entries` records and at most
//! `max_bytes` payload bytes. A payload larger than `max_bytes` on its own is
//! recorded without the payload (metadata only, `payload: None`), so one huge
//! message neither breaks the byte cap nor wipes out the history.

use crate::prelude::*;

use alloc::borrow::Cow;
use alloc::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::json_scan;
use super::payload::Payload;
use super::redact::{REDACTED, Redactor};
use super::text::{concat, decimal, sub};
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

impl Direction {
    /// `"in"` or `"out"`, as in JS and in the JSON export.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Characters of payload text shown in [`InspectorEntry::preview`].
pub const PREVIEW_CHARS: usize = 200;

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
    /// Whether the payload is binary (known even when it was not kept).
    pub binary: bool,
    /// The payload itself, not parsed; `None` when it alone was larger than
    /// the byte cap (only its metadata is kept).
    pub payload: Option<P>,
}

impl<P> InspectorRecord<P> {
    /// Payload bytes this record counts against the byte cap.
    fn kept_bytes(&self) -> usize {
        if self.payload.is_some() { self.size } else { 0 }
    }
}

/// Which records a query wants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InspectorFilter {
    /// Only this direction.
    pub direction: Option<Direction>,
    /// Only messages whose JSON `type` field is this string (as the entry
    /// shows it, redacted).
    pub message_type: Option<String>,
    /// Only messages whose top-level JSON fields have these values, e.g.
    /// `{ room: "a" }`. Filters on secret keys never match, so a filter
    /// cannot confirm a redacted value.
    pub fields: Vec<(String, FieldValue)>,
    /// At most this many entries, the newest.
    pub limit: Option<usize>,
    /// Each entry's preview holds the whole text (redacted), not its first
    /// [`PREVIEW_CHARS`] characters: the last messages in full, for a bug
    /// report.
    pub full_text: bool,
}

/// The value an inspector filter wants a top-level JSON field to have. The
/// JSON type counts: `"7"` is not `7`, `"null"` is not `null`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// A JSON string with this text, unescaped and redacted (as entries
    /// show text).
    Text(String),
    /// A number, `true`, `false` or `null`, as written in the JSON (as with
    /// request ids, `1.0` is not `1`). Matches no string, object or array.
    Literal(String),
}

impl FieldValue {
    /// Whether the raw JSON value `raw`, read from the redacted text, is
    /// this value; `shown` is that value as the entry shows it. A literal
    /// matches no string, object or array: those are compared only as shown.
    fn matches(&self, raw: &str, shown: &str) -> bool {
        match self {
            FieldValue::Text(wanted) => raw.starts_with('"') && shown == wanted,
            FieldValue::Literal(wanted) => {
                !matches!(raw.as_bytes().first(), Some(b'"' | b'{' | b'[')) && raw == wanted
            }
        }
    }
}

impl From<&str> for FieldValue {
    fn from(text: &str) -> FieldValue {
        FieldValue::Text(text.into())
    }
}

impl From<String> for FieldValue {
    fn from(text: String) -> FieldValue {
        FieldValue::Text(text)
    }
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
    /// The first [`PREVIEW_CHARS`] characters of the payload text, redacted;
    /// `<binary N bytes>` for binary payloads, and a note for text not kept.
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

    /// An inspector holding exactly `records` (oldest first), as another
    /// one kept them: how a disposed socket's messages, kept elsewhere, are
    /// queried again. Records nothing new.
    pub fn from_records(records: impl IntoIterator<Item = InspectorRecord<P>>) -> Self {
        let records: VecDeque<_> = records.into_iter().collect();
        let bytes = records.iter().map(InspectorRecord::kept_bytes).sum();
        Inspector {
            next_seq: records.back().map_or(1, |record| record.seq + 1),
            max_entries: 0,
            max_bytes: bytes,
            bytes,
            records,
        }
    }

    /// Records a message, evicting the oldest records to stay within caps.
    ///
    /// A payload larger than `max_bytes` on its own is recorded with
    /// `payload: None` and counts 0 bytes: its metadata shows up, its content
    /// does not, and the other records stay. Does nothing when
    /// `max_entries == 0`.
    pub fn record(&mut self, direction: Direction, at: Millis, connection: u32, payload: &P) {
        if self.max_entries == 0 {
            return;
        }
        let size = payload.size();
        let kept = (size <= self.max_bytes).then(|| payload.clone());
        self.push(direction, at, connection, size, !payload.is_text(), kept);
    }

    /// [`Inspector::record`] of a payload the caller is done with: kept
    /// without a copy (for a JS payload, a copy is a call into JS).
    pub fn record_owned(&mut self, direction: Direction, at: Millis, connection: u32, payload: P) {
        if self.max_entries == 0 {
            return;
        }
        let size = payload.size();
        let binary = !payload.is_text();
        let kept = (size <= self.max_bytes).then_some(payload);
        self.push(direction, at, connection, size, binary, kept);
    }

    /// Appends a record, evicting the oldest ones until both caps hold.
    fn push(
        &mut self,
        direction: Direction,
        at: Millis,
        connection: u32,
        size: usize,
        binary: bool,
        payload: Option<P>,
    ) {
        let kept = if payload.is_some() { size } else { 0 };
        // `checked_add`: sizes come from JS lengths, not from memory, so a
        // huge cap and a huge string shared many times could overflow.
        while self.records.len() >= self.max_entries
            || self
                .bytes
                .checked_add(kept)
                .is_none_or(|total| total > self.max_bytes)
        {
            if !self.evict_oldest() {
                break;
            }
        }
        self.bytes += kept;
        self.records.push_back(InspectorRecord {
            seq: self.next_seq,
            direction,
            at,
            size,
            connection,
            binary,
            payload,
        });
        self.next_seq += 1;
    }

    /// Counts `messages` that were never recorded (they would have been
    /// evicted by the newer ones recorded next): their sequence numbers are
    /// used up, so the records after them number as if they had been.
    pub fn skip(&mut self, messages: u64) {
        if self.max_entries > 0 {
            self.next_seq += messages;
        }
    }

    /// Changes the caps, evicting the oldest records (and dropping payloads
    /// now larger than `max_bytes` on their own) until both hold.
    pub fn set_caps(&mut self, max_entries: usize, max_bytes: usize) {
        self.max_entries = max_entries;
        self.max_bytes = max_bytes;
        for record in &mut self.records {
            if record.payload.is_some() && record.size > max_bytes {
                self.bytes -= record.size;
                record.payload = None;
            }
        }
        while self.records.len() > max_entries || self.bytes > max_bytes {
            if !self.evict_oldest() {
                break;
            }
        }
    }

    /// Most records kept.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// Most payload bytes kept.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    fn evict_oldest(&mut self) -> bool {
        match self.records.pop_front() {
            Some(evicted) => {
                self.bytes -= evicted.kept_bytes();
                true
            }
            None => false,
        }
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

    /// Drops every record (sequence numbers keep increasing).
    pub fn clear(&mut self) {
        // Lets go of the memory too: a disposed socket may keep its
        // inspector long after the app cleared it.
        self.records = VecDeque::new();
        self.bytes = 0;
    }

    /// The raw records, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &InspectorRecord<P>> {
        self.records.iter()
    }

    /// The records matching `filter`, parsed and redacted, oldest first.
    ///
    /// With a `limit`, the newest matching records are kept. JSON is scanned
    /// only for records that pass the direction filter, once each. Records
    /// whose text is not a JSON object (or was not kept) match no `type` or
    /// `fields` filter.
    pub fn entries(&self, filter: &InspectorFilter, redactor: &Redactor) -> Vec<InspectorEntry> {
        let limit = filter.limit.unwrap_or(usize::MAX);
        let mut entries = Vec::new();
        if limit == 0 {
            return entries;
        }
        let wanted_type = filter.message_type.clone().map(FieldValue::Text);
        for record in self.records.iter().rev() {
            if filter.direction.is_some_and(|d| d != record.direction) {
                continue;
            }
            let text = record
                .payload
                .as_ref()
                .filter(|payload| payload.is_text())
                .and_then(Payload::text);
            // Fields are read from the text as the preview shows it
            // (redacted), so a filter can confirm nothing the preview hides.
            let redacted = text.as_deref().map(|text| redactor.redact_text(text));
            let fields = redacted.as_deref().and_then(json_scan::top_level_fields);
            let raw = |key: &str| raw_in(fields.as_deref(), key);
            // A field as the entry shows it: unescaped from the redacted
            // text, and redacted again as text of its own; a secret key's
            // value is not shown, even when it is `type` or `id`.
            let as_shown = |key: &str, raw: &str| {
                if redactor.is_secret_key(key) {
                    String::from(REDACTED)
                } else {
                    redactor
                        .redact_text(&json_scan::value_text(raw))
                        .into_owned()
                }
            };
            // A filter on a secret key never matches.
            let matches = |key: &str, wanted: &FieldValue| {
                raw(key).is_some_and(|raw| {
                    !redactor.is_secret_key(key) && wanted.matches(raw, &as_shown(key, raw))
                })
            };
            if !wanted_type
                .as_ref()
                .is_none_or(|wanted| matches("type", wanted))
                || !filter
                    .fields
                    .iter()
                    .all(|(key, wanted)| matches(key, wanted))
            {
                continue;
            }
            let shown = |key: &str| raw(key).map(|raw| as_shown(key, raw));
            entries.push(InspectorEntry {
                seq: record.seq,
                direction: record.direction,
                at_ms: record.at.0,
                size: record.size,
                connection: record.connection,
                binary: record.binary,
                message_type: shown("type"),
                id: shown("id"),
                preview: preview(record, redacted.as_deref(), filter.full_text),
            });
            if entries.len() >= limit {
                break;
            }
        }
        entries.reverse();
        entries
    }
}

/// The raw JSON value of top-level field `key` (the last one if repeated).
fn raw_in<'t>(fields: Option<&[(Cow<'_, str>, &'t str)]>, key: &str) -> Option<&'t str> {
    fields?
        .iter()
        .rev()
        .find(|(name, _)| name == key)
        .map(|(_, raw)| *raw)
}

/// What the inspector shows of a payload, from its `redacted` text.
fn preview<P>(record: &InspectorRecord<P>, redacted: Option<&str>, full: bool) -> String {
    match redacted {
        _ if record.binary => concat(&["<binary ", &decimal(record.size as u64), " bytes>"]),
        // Redacted whole, then cut: a cut JSON document would hide its
        // structure from the redactor.
        Some(redacted) => match redacted.char_indices().nth(PREVIEW_CHARS).filter(|_| !full) {
            Some((cut, _)) => sub(redacted, ..cut).to_owned(),
            None => redacted.to_owned(),
        },
        None if record.payload.is_none() => concat(&[
            "<text of size ",
            &decimal(record.size as u64),
            ", too large to keep>",
        ]),
        None => concat(&[
            "<text of size ",
            &decimal(record.size as u64),
            ", unreadable>",
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::payload::Frame;
    use std::prelude::rust_2024::*;
    use std::{format, vec};

    fn text(value: &str) -> Frame {
        Frame::Text(value.to_owned())
    }

    #[test]
    fn an_inspector_made_from_another_s_records_answers_every_query_the_same() {
        // 60 bytes: the long message is kept as metadata only.
        let mut inspector = Inspector::new(4, 60);
        let messages = [
            r#"{"type":"auth","token":"s3cr3t","id":1}"#,
            "plain text",
            r#"{"type":"tick","id":"2","pad":"a long message, over the byte cap"}"#,
            r#"{"type":"auth","id":3}"#,
            r#"{"type":"tick","id":4}"#,
        ];
        for (index, message) in messages.iter().enumerate() {
            let direction = [Direction::Out, Direction::In][index % 2];
            inspector.record(direction, Millis(index as u64 * 10), 1, &text(message));
        }
        let copy = Inspector::from_records(inspector.records().cloned());
        let redactor = Redactor::default();
        let mut by_id = InspectorFilter::default();
        by_id
            .fields
            .push(("id".into(), FieldValue::Literal("3".into())));
        let filters = [
            InspectorFilter::default(),
            InspectorFilter {
                direction: Some(Direction::In),
                ..InspectorFilter::default()
            },
            InspectorFilter {
                message_type: Some("tick".into()),
                ..InspectorFilter::default()
            },
            InspectorFilter {
                limit: Some(2),
                ..InspectorFilter::default()
            },
            InspectorFilter {
                full_text: true,
                ..InspectorFilter::default()
            },
            by_id,
        ];
        for filter in &filters {
            let expected = inspector.entries(filter, &redactor);
            assert!(!expected.is_empty(), "{filter:?}");
            assert_eq!(copy.entries(filter, &redactor), expected, "{filter:?}");
        }
        assert_eq!((copy.len(), copy.bytes()), (4, inspector.bytes()));
        let mut copy = copy;
        copy.record(Direction::In, Millis(99), 1, &text("more"));
        assert_eq!(copy.len(), 4, "records nothing new");
    }

    #[test]
    fn byte_totals_past_usize_max_evict_instead_of_wrapping() {
        use crate::core::payload::OfSize;
        let half = usize::MAX / 2 + 1;
        let mut inspector = Inspector::new(10, usize::MAX);
        inspector.record(Direction::Out, Millis(0), 1, &OfSize(half));
        inspector.record(Direction::Out, Millis(1), 1, &OfSize(half));
        assert_eq!(
            (inspector.len(), inspector.bytes()),
            (1, half),
            "the older one evicted"
        );
    }

    #[test]
    fn a_field_filter_cannot_confirm_a_secret_nested_in_the_value() {
        let inspector = filled(&[(
            Direction::In,
            r#"{"type":"login","auth":{"token":"s3cr3t"},"url":"wss://h/?token=abc"}"#,
        )]);
        let redactor = Redactor::default();
        let matching = |key: &str, wanted: &str| {
            let filter = InspectorFilter {
                fields: vec![(key.to_owned(), wanted.into())],
                ..InspectorFilter::default()
            };
            inspector.entries(&filter, &redactor).len()
        };
        assert_eq!(matching("url", "wss://h/?token=abc"), 0);
        // What the entry shows still matches.
        assert_eq!(matching("url", "wss://h/?token=[redacted]"), 1);
        // An object is no string, whatever its text.
        assert_eq!(matching("auth", r#"{"token":"s3cr3t"}"#), 0);
        assert_eq!(matching("auth", r#"{"token":"[redacted]"}"#), 0);
        // Nor can a literal spell out the raw JSON of a string or object.
        let literally = |key: &str, raw: &str| {
            let filter = InspectorFilter {
                fields: vec![(key.to_owned(), FieldValue::Literal(raw.to_owned()))],
                ..InspectorFilter::default()
            };
            inspector.entries(&filter, &redactor).len()
        };
        assert_eq!(literally("url", r#""wss://h/?token=abc""#), 0);
        assert_eq!(literally("auth", r#"{"token":"s3cr3t"}"#), 0);
    }

    #[test]
    fn a_field_filter_cannot_confirm_what_the_preview_hides() {
        // Read raw, the escaped text holds a URL whose userinfo password is
        // `hunter2&`; unescaped first, the `&` would end the URL (as in a
        // query value, after `=`), leaving `hunter2` to a filter.
        let inspector = filled(&[(
            Direction::In,
            r#"{"note":"\/\"\u003dwss:\/\/u:hunter2&@h"}"#,
        )]);
        let redactor = Redactor::default();
        let entries = inspector.entries(&InspectorFilter::default(), &redactor);
        let preview = &entries[0].preview;
        assert!(!preview.contains("hunter2"), "{preview}");
        let matching = |wanted: &str| {
            let filter = InspectorFilter {
                fields: vec![(String::from("note"), wanted.into())],
                ..InspectorFilter::default()
            };
            inspector.entries(&filter, &redactor).len()
        };
        assert_eq!(matching(r#"/"=wss://u:hunter2&@h"#), 0);
        // The note as the preview shows it, unescaped (and redacted as text
        // of its own), matches.
        let shown = json_scan::top_level_fields(preview).unwrap()[0].1;
        let shown = redactor
            .redact_text(&json_scan::value_text(shown))
            .into_owned();
        assert_eq!(shown, r#"/"=wss://u:[redacted]@h"#);
        assert_eq!(matching(&shown), 1);
    }

    #[test]
    fn filters_compare_json_types_not_just_text() {
        let inspector = filled(&[
            (Direction::In, r#"{"type":"ack","id":7,"x":null,"ok":true}"#),
            (
                Direction::In,
                r#"{"type":"ack","id":"7","x":"null","ok":"true"}"#,
            ),
            (Direction::In, r#"{"type":7,"id":7.0}"#),
            (Direction::In, r#"{"type":"\u0061ck","id":-1e3}"#),
        ]);
        let redactor = Redactor::default();
        let by = |key: &str, wanted: FieldValue| {
            let filter = InspectorFilter {
                fields: vec![(key.to_owned(), wanted)],
                ..all()
            };
            seqs(&inspector.entries(&filter, &redactor))
        };
        let literal = |text: &str| FieldValue::Literal(text.to_owned());
        assert_eq!(by("id", literal("7")), [1], "numbers as written");
        assert_eq!(by("id", "7".into()), [2]);
        assert_eq!(by("id", literal("-1e3")), [4]);
        assert_eq!(by("x", literal("null")), [1]);
        assert_eq!(by("x", "null".into()), [2]);
        assert_eq!(by("ok", literal("true")), [1]);
        assert_eq!(by("ok", "true".into()), [2]);
        let of_type = |wanted: &str| {
            let filter = InspectorFilter {
                message_type: Some(wanted.to_owned()),
                ..all()
            };
            seqs(&inspector.entries(&filter, &redactor))
        };
        assert_eq!(of_type("ack"), [1, 2, 4], "escapes read as the text");
        assert_eq!(of_type("7"), Vec::<u64>::new(), "a type is a string");
    }

    #[test]
    fn a_secret_type_or_id_is_neither_shown_nor_confirmed_by_a_type_filter() {
        let inspector = filled(&[(Direction::In, r#"{"type":"s3cr3t","id":"k3y"}"#)]);
        let redactor = Redactor::new(vec!["type".to_owned(), "id".to_owned()]);
        let of_type = |wanted: &str| {
            let filter = InspectorFilter {
                message_type: Some(wanted.to_owned()),
                ..all()
            };
            inspector.entries(&filter, &redactor).len()
        };
        assert_eq!(of_type("s3cr3t"), 0);
        assert_eq!(of_type("[redacted]"), 0);
        let shown = &inspector.entries(&all(), &redactor)[0];
        assert_eq!(shown.message_type.as_deref(), Some("[redacted]"));
        assert_eq!(shown.id.as_deref(), Some("[redacted]"));
    }

    fn filled(messages: &[(Direction, &str)]) -> Inspector<Frame> {
        let mut inspector = Inspector::new(100, 1 << 20);
        for (index, (direction, message)) in messages.iter().enumerate() {
            inspector.record(*direction, Millis(index as u64 * 10), 1, &text(message));
        }
        inspector
    }

    fn seqs(entries: &[InspectorEntry]) -> Vec<u64> {
        entries.iter().map(|entry| entry.seq).collect()
    }

    fn all() -> InspectorFilter {
        InspectorFilter::default()
    }

    fn lcg(state: &mut u64) -> usize {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*state >> 33) as usize
    }

    #[test]
    fn caps_are_never_exceeded_under_random_sizes() {
        let mut state = 1;
        for round in 0..50 {
            let max_entries = lcg(&mut state) % 12;
            let max_bytes = lcg(&mut state) % 300;
            let mut inspector = Inspector::new(max_entries, max_bytes);
            let mut last_seq = 0;
            for step in 0..400 {
                let size = match lcg(&mut state) % 10 {
                    0 => max_bytes + 1 + lcg(&mut state) % 50,
                    1 => 0,
                    _ => lcg(&mut state) % (max_bytes / 3 + 2),
                };
                let payload = if step % 3 == 0 {
                    Frame::Binary(vec![0; size])
                } else {
                    Frame::Text("x".repeat(size))
                };
                inspector.record(Direction::In, Millis(step), 1, &payload);
                if step % 97 == 0 {
                    inspector.set_caps(lcg(&mut state) % 12, lcg(&mut state) % 300);
                }
                let kept: usize = inspector.records().map(InspectorRecord::kept_bytes).sum();
                assert!(inspector.len() <= inspector.max_entries(), "round {round}");
                assert!(inspector.bytes() <= inspector.max_bytes(), "round {round}");
                assert_eq!(inspector.bytes(), kept, "round {round}");
                let seqs: Vec<u64> = inspector.records().map(|r| r.seq).collect();
                assert!(seqs.windows(2).all(|w| w[0] < w[1]));
                if let Some(newest) = inspector.records().last() {
                    assert!(newest.seq >= last_seq);
                    last_seq = newest.seq;
                }
            }
        }
    }

    #[test]
    fn oldest_records_are_evicted_first_by_count() {
        let mut inspector = Inspector::new(3, 1000);
        for message in ["a", "b", "c", "d", "e"] {
            inspector.record(Direction::Out, Millis(0), 1, &text(message));
        }
        let kept: Vec<Option<Frame>> = inspector.records().map(|r| r.payload.clone()).collect();
        assert_eq!(kept, [Some(text("c")), Some(text("d")), Some(text("e"))]);
        assert_eq!(inspector.bytes(), 3);
    }

    #[test]
    fn oldest_records_are_evicted_first_by_bytes() {
        let mut inspector = Inspector::new(100, 10);
        for message in ["aaaa", "bbbb", "cc", "dddd"] {
            inspector.record(Direction::In, Millis(0), 1, &text(message));
        }
        let seqs: Vec<u64> = inspector.records().map(|r| r.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
        assert_eq!(inspector.bytes(), 10);
    }

    #[test]
    fn an_oversize_payload_keeps_its_metadata_but_not_its_content() {
        let mut inspector = Inspector::new(10, 8);
        inspector.record(Direction::In, Millis(1), 1, &text("small"));
        inspector.record(Direction::Out, Millis(2), 2, &Frame::Binary(vec![1; 50]));
        inspector.record(Direction::In, Millis(3), 2, &text(&"y".repeat(9)));
        assert_eq!(inspector.len(), 3, "the small record is not evicted");
        assert_eq!(inspector.bytes(), 5);
        let records: Vec<&InspectorRecord<Frame>> = inspector.records().collect();
        assert_eq!(records[1].size, 50);
        assert!(records[1].binary);
        assert_eq!(records[1].payload, None);
        assert!(!records[2].binary);
        let entries = inspector.entries(&all(), &Redactor::default());
        assert_eq!(entries[0].preview, "small");
        assert_eq!(entries[1].preview, "<binary 50 bytes>");
        assert_eq!(entries[2].preview, "<text of size 9, too large to keep>");
    }

    #[test]
    fn an_owned_payload_is_recorded_as_a_borrowed_one_is() {
        let messages = [
            text("small"),
            Frame::Binary(vec![1; 50]),
            text(&"y".repeat(9)),
            text("last"),
        ];
        let mut borrowed = Inspector::new(3, 8);
        let mut owned = Inspector::new(3, 8);
        for (index, message) in messages.iter().enumerate() {
            let at = Millis(index as u64);
            borrowed.record(Direction::Out, at, 1, message);
            owned.record_owned(Direction::Out, at, 1, message.clone());
        }
        let listed = |inspector: &Inspector<Frame>| {
            inspector
                .records()
                .map(|r| {
                    (
                        r.seq,
                        r.direction,
                        r.at,
                        r.size,
                        r.connection,
                        r.binary,
                        r.payload.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(listed(&owned), listed(&borrowed));
        assert_eq!(owned.bytes(), borrowed.bytes());
        let mut disabled = Inspector::new(0, 8);
        disabled.record_owned(Direction::In, Millis(0), 1, text("a"));
        assert!(disabled.is_empty());
    }

    #[test]
    fn zero_max_entries_disables_recording() {
        let mut inspector = Inspector::new(0, 1000);
        inspector.record(Direction::In, Millis(0), 1, &text("a"));
        assert!(inspector.is_empty());
        assert_eq!(inspector.bytes(), 0);
    }

    #[test]
    fn sequence_numbers_start_at_one_and_survive_clear() {
        let mut inspector = Inspector::new(2, 100);
        for message in ["a", "b", "c"] {
            inspector.record(Direction::In, Millis(0), 1, &text(message));
        }
        assert_eq!(
            inspector.records().map(|r| r.seq).collect::<Vec<_>>(),
            [2, 3]
        );
        inspector.clear();
        assert!(inspector.is_empty());
        assert_eq!(inspector.bytes(), 0);
        inspector.record(Direction::In, Millis(0), 1, &text("d"));
        assert_eq!(inspector.records().next().unwrap().seq, 4);
    }

    #[test]
    fn set_caps_evicts_oldest_and_drops_payloads_over_the_new_byte_cap() {
        let mut inspector = filled(&[
            (Direction::In, "aaaaaaaaaa"),
            (Direction::In, "bb"),
            (Direction::In, "cccccc"),
            (Direction::In, "d"),
        ]);
        inspector.set_caps(3, 5);
        let records: Vec<(u64, bool)> = inspector
            .records()
            .map(|r| (r.seq, r.payload.is_some()))
            .collect();
        assert_eq!(records, [(2, true), (3, false), (4, true)]);
        assert_eq!(inspector.bytes(), 3);
        inspector.set_caps(1, 5);
        assert_eq!(inspector.records().map(|r| r.seq).collect::<Vec<_>>(), [4]);
        inspector.set_caps(0, 0);
        assert!(inspector.is_empty());
        assert_eq!(inspector.bytes(), 0);
    }

    #[test]
    fn entries_carry_metadata_type_and_id() {
        let mut inspector = Inspector::new(10, 1000);
        inspector.record(
            Direction::Out,
            Millis(42),
            3,
            &text(r#"{"type":"hello","id":7}"#),
        );
        inspector.record(
            Direction::In,
            Millis(50),
            3,
            &text(r#"{"id":"r\"1","type":"ack"}"#),
        );
        inspector.record(Direction::In, Millis(60), 3, &text("not json"));
        let entries = inspector.entries(&all(), &Redactor::default());
        assert_eq!(
            entries[0],
            InspectorEntry {
                seq: 1,
                direction: Direction::Out,
                at_ms: 42,
                size: 23,
                connection: 3,
                binary: false,
                message_type: Some("hello".into()),
                id: Some("7".into()),
                preview: r#"{"type":"hello","id":7}"#.into(),
            }
        );
        assert_eq!(entries[1].id.as_deref(), Some("r\"1"));
        assert_eq!(entries[1].message_type.as_deref(), Some("ack"));
        assert_eq!(entries[2].message_type, None);
        assert_eq!(entries[2].id, None);
        assert_eq!(entries[2].preview, "not json");
    }

    #[test]
    fn filters_by_direction_type_and_fields() {
        let inspector = filled(&[
            (Direction::Out, r#"{"type":"sub","room":"a"}"#),
            (Direction::In, r#"{"type":"ack","room":"a","n":1}"#),
            (Direction::In, r#"{"type":"ack","room":"b","n":2}"#),
            (Direction::In, r#"{"type":"event","room":"a"}"#),
            (Direction::In, "ack"),
            (Direction::Out, r#"{"type":"ack"}"#),
        ]);
        let redactor = Redactor::default();
        let by = |filter: InspectorFilter| seqs(&inspector.entries(&filter, &redactor));
        assert_eq!(by(all()), [1, 2, 3, 4, 5, 6]);
        assert_eq!(
            by(InspectorFilter {
                direction: Some(Direction::In),
                ..all()
            }),
            [2, 3, 4, 5]
        );
        assert_eq!(
            by(InspectorFilter {
                message_type: Some("ack".into()),
                ..all()
            }),
            [2, 3, 6]
        );
        assert_eq!(
            by(InspectorFilter {
                direction: Some(Direction::In),
                message_type: Some("ack".into()),
                ..all()
            }),
            [2, 3]
        );
        assert_eq!(
            by(InspectorFilter {
                fields: [("room".into(), "a".into())].into_iter().collect(),
                ..all()
            }),
            [1, 2, 4]
        );
        assert_eq!(
            by(InspectorFilter {
                fields: vec![
                    ("room".into(), "a".into()),
                    ("n".into(), FieldValue::Literal("1".into()))
                ],
                ..all()
            }),
            [2]
        );
        assert_eq!(
            by(InspectorFilter {
                fields: [("missing".into(), "".into())].into_iter().collect(),
                ..all()
            }),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn limit_keeps_the_newest_matches_oldest_first() {
        let inspector = filled(&[
            (Direction::In, "1"),
            (Direction::Out, "2"),
            (Direction::In, "3"),
            (Direction::In, "4"),
            (Direction::Out, "5"),
        ]);
        let redactor = Redactor::default();
        let limited = |limit, direction| {
            let filter = InspectorFilter {
                limit: Some(limit),
                direction,
                ..all()
            };
            seqs(&inspector.entries(&filter, &redactor))
        };
        assert_eq!(limited(2, None), [4, 5]);
        assert_eq!(limited(2, Some(Direction::In)), [3, 4]);
        assert_eq!(limited(10, Some(Direction::Out)), [2, 5]);
        assert_eq!(limited(0, None), Vec::<u64>::new());
    }

    #[test]
    fn type_and_field_filters_skip_binary_and_unkept_payloads() {
        let mut inspector = Inspector::new(10, 30);
        inspector.record(
            Direction::In,
            Millis(0),
            1,
            &Frame::Binary(br#"{"type":"x"}"#.to_vec()),
        );
        inspector.record(
            Direction::In,
            Millis(0),
            1,
            &text(&format!(r#"{{"type":"x","p":"{}"}}"#, "z".repeat(40))),
        );
        inspector.record(Direction::In, Millis(0), 1, &text(r#"{"type":"x"}"#));
        let filter = InspectorFilter {
            message_type: Some("x".into()),
            ..all()
        };
        assert_eq!(seqs(&inspector.entries(&filter, &Redactor::default())), [3]);
    }

    #[test]
    fn full_text_keeps_the_whole_redacted_text() {
        let long_tail = "q".repeat(500);
        let inspector = filled(&[(
            Direction::Out,
            &format!(r#"{{"type":"auth","token":"abc123","pad":"{long_tail}"}}"#),
        )]);
        let redactor = Redactor::default();
        let cut = inspector.entries(&InspectorFilter::default(), &redactor);
        assert_eq!(cut[0].preview.chars().count(), PREVIEW_CHARS);
        let full = InspectorFilter {
            full_text: true,
            ..InspectorFilter::default()
        };
        let whole = inspector.entries(&full, &redactor);
        assert!(whole[0].preview.ends_with(&format!(r#"{long_tail}"}}"#)));
        assert!(!whole[0].preview.contains("abc123"), "still redacted");
    }

    #[test]
    fn previews_are_redacted_before_they_are_cut() {
        let long_tail = "q".repeat(500);
        let inspector = filled(&[
            (
                Direction::Out,
                &format!(r#"{{"type":"auth","token":"abc123","pad":"{long_tail}"}}"#),
            ),
            (Direction::Out, "GET wss://h/ws?token=abc123&x=1"),
            (Direction::In, &"é".repeat(300)),
        ]);
        let entries = inspector.entries(&all(), &Redactor::default());
        assert!(
            entries[0]
                .preview
                .starts_with(r#"{"type":"auth","token":"[redacted]","pad":"qqq"#)
        );
        assert_eq!(entries[0].preview.chars().count(), PREVIEW_CHARS);
        assert!(!entries[0].preview.contains("abc123"));
        assert_eq!(entries[1].preview, "GET wss://h/ws?token=[redacted]&x=1");
        assert_eq!(entries[2].preview, "é".repeat(PREVIEW_CHARS));
    }
}
