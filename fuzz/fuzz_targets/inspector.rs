//! The inspector ring buffer: records of any size and kind under any caps
//! (changed on the fly), then `entries` with any filter (the JS
//! `exportJson()` is `JSON.stringify` of these entries).
//!
//! Checked:
//! - no panic; both caps hold after every step and the byte count is exact;
//!   sequence numbers increase;
//! - `entries` respects `limit`, the direction and type filters, an entry
//!   passing a field filter has that field (checked on the whole text), and
//!   a filter on a secret key never matches (it could confirm a redacted
//!   value);
//! - a secret planted under a secret key never shows in an entry's
//!   `type`, `id` or `preview`.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use fuzz_support::{json_object, literal, word};
use libfuzzer_sys::fuzz_target;
use resilient_ws::core::json_scan;
use resilient_ws::core::{
    Direction, FieldValue, Frame, Inspector, InspectorFilter, Millis, Redactor,
};

/// Planted under secret keys; must never show.
const PLANT: &str = "PLANTED-S3CR3T";

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

#[derive(Arbitrary, Debug)]
enum Op {
    Text(String),
    Json,
    /// A JSON message with a planted secret.
    Secret {
        key: u8,
        nested: bool,
    },
    Binary(u16),
    Large(u16),
    SetCaps(u8, u16),
    Clear,
    Query {
        direction: Option<bool>,
        limit: Option<u8>,
        by_type: bool,
        by_field: bool,
    },
}

fn run(data: &[u8]) -> arbitrary::Result<()> {
    let mut u = Unstructured::new(data);
    let redactor = Redactor::default();
    let mut inspector: Inspector<Frame> = Inspector::new(
        usize::from(u.int_in_range(0..=10u8)?),
        usize::from(u.arbitrary::<u16>()? % 1024),
    );
    let mut at = 0u64;
    let mut last_seq = 0u64;
    for _ in 0..500 {
        if u.is_empty() {
            break;
        }
        let op = Op::arbitrary(&mut u)?;
        at += u64::from(u.arbitrary::<u8>()?);
        let direction = if u.arbitrary()? {
            Direction::In
        } else {
            Direction::Out
        };
        let connection = u.int_in_range(1..=3)?;
        let payload = match op {
            Op::Text(text) if !text.contains(PLANT) => Some(Frame::Text(text)),
            Op::Text(_) => None,
            Op::Json => {
                let text = json_object(&mut u, 0)?;
                (!text.contains(PLANT)).then_some(Frame::Text(text))
            }
            Op::Secret { key, nested } => {
                let rest = json_object(&mut u, 1)?;
                let key =
                    ["token", "password", "Authorization", "client_secret"][usize::from(key % 4)];
                let secret = json_scan::quote(&format!("{PLANT}-{at}"));
                let inner = json_scan::insert_field(&rest, key, &secret).expect("an object");
                let text = if nested {
                    format!("{{\"type\":\"auth\",\"data\":{inner}}}")
                } else {
                    inner
                };
                (text.matches(PLANT).count() == 1).then_some(Frame::Text(text))
            }
            Op::Binary(size) => Some(Frame::Binary(vec![0x7b; usize::from(size % 2048)])),
            Op::Large(size) => Some(Frame::Text("x".repeat(usize::from(size)))),
            Op::SetCaps(entries, bytes) => {
                inspector.set_caps(usize::from(entries % 12), usize::from(bytes % 2048));
                None
            }
            Op::Clear => {
                inspector.clear();
                None
            }
            Op::Query {
                direction,
                limit,
                by_type,
                by_field,
            } => {
                query(
                    &mut u, &inspector, &redactor, direction, limit, by_type, by_field,
                )?;
                None
            }
        };
        if let Some(payload) = payload {
            inspector.record(direction, Millis(at), connection, &payload);
        }
        assert!(inspector.len() <= inspector.max_entries());
        assert!(inspector.bytes() <= inspector.max_bytes());
        let kept: usize = inspector
            .records()
            .filter(|record| record.payload.is_some())
            .map(|record| record.size)
            .sum();
        assert_eq!(inspector.bytes(), kept);
        let mut previous = 0;
        for record in inspector.records() {
            assert!(record.seq > previous);
            previous = record.seq;
        }
        assert!(previous >= last_seq || inspector.is_empty());
        last_seq = last_seq.max(previous);
    }
    query(&mut u, &inspector, &redactor, None, None, false, false)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn query(
    u: &mut Unstructured,
    inspector: &Inspector<Frame>,
    redactor: &Redactor,
    direction: Option<bool>,
    limit: Option<u8>,
    by_type: bool,
    by_field: bool,
) -> arbitrary::Result<()> {
    let direction = direction.map(|out| if out { Direction::Out } else { Direction::In });
    let filter = InspectorFilter {
        direction,
        message_type: if by_type { Some(word(u)?) } else { None },
        fields: if by_field {
            let key = word(u)?;
            // A string, or a number/true/false/null as written.
            let wanted = if u.arbitrary()? {
                FieldValue::Literal(literal(u)?)
            } else {
                FieldValue::Text(word(u)?)
            };
            vec![(key, wanted)]
        } else {
            Vec::new()
        },
        limit: limit.map(usize::from),
        full_text: u.arbitrary()?,
    };
    let entries = inspector.entries(&filter, redactor);
    if let Some(limit) = filter.limit {
        assert!(entries.len() <= limit);
    }
    assert!(entries.len() <= inspector.len());
    if filter
        .fields
        .iter()
        .any(|(key, _)| redactor.is_secret_key(key))
    {
        assert!(entries.is_empty(), "a filter on a secret key matched");
    }
    let mut previous = 0;
    for entry in &entries {
        assert!(entry.seq > previous, "entries out of order");
        previous = entry.seq;
        if let Some(direction) = direction {
            assert_eq!(entry.direction, direction);
        }
        if let Some(wanted) = &filter.message_type {
            assert_eq!(
                entry.message_type.as_ref(),
                Some(wanted),
                "another type passed the type filter"
            );
        }
        if filter.full_text {
            // The whole redacted text is shown: a field filter's field is
            // there, a literal as written and a string as a string.
            for (key, wanted) in &filter.fields {
                let raw = json_scan::raw_field(&entry.preview, key);
                match wanted {
                    FieldValue::Literal(literal) => {
                        assert_eq!(
                            raw,
                            Some(literal.as_str()),
                            "field {key:?} passed the filter"
                        )
                    }
                    FieldValue::Text(_) => assert!(
                        raw.is_some_and(|raw| raw.starts_with('"')),
                        "field {key:?} passed a text filter as {raw:?}"
                    ),
                }
            }
        }
        for shown in [&entry.preview]
            .into_iter()
            .chain(entry.message_type.as_ref())
            .chain(entry.id.as_ref())
        {
            assert!(
                !shown.contains(PLANT),
                "a secret shows in the inspector: {shown:?}"
            );
        }
    }
    Ok(())
}
