//! The JSON top-level scanner over arbitrary UTF-8, against serde_json as the
//! reference parser.
//!
//! Checked:
//! - no panic, no stack overflow (deep nesting is refused, not recursed);
//! - `is_valid` agrees with serde_json (for nesting serde_json can judge);
//! - `raw_field`/`field_text`/`top_level_fields` find exactly the members
//!   serde_json finds, the last duplicate winning, string values unescaped
//!   to what serde_json reads;
//! - `insert_field` adds one member in front and keeps the rest;
//! - `quote` always gives a JSON string that reads back as the input.

#![no_main]

use arbitrary::Unstructured;
use fuzz_support::{text, word};
use libfuzzer_sys::fuzz_target;
use resilient_ws::core::json_scan::{
    field_text, insert_field, is_valid, quote, raw_field, top_level_fields, unescape, value_text,
};
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

fn run(data: &[u8]) -> arbitrary::Result<()> {
    let mut u = Unstructured::new(data);
    let text = text(&mut u)?;
    let key = word(&mut u)?;
    check(&text, &key);
    // Also the raw bytes as text when they are UTF-8 (the dictionary's JSON
    // fragments land here unchanged).
    if let Ok(raw) = std::str::from_utf8(data) {
        check(raw, &key);
    }
    let _ = unescape(&text);
    let _ = value_text(&text);
    Ok(())
}

fn check(text: &str, key: &str) {
    let valid = is_valid(text);
    let fields = top_level_fields(text);
    let raw = raw_field(text, key);
    let value = field_text(text, key);
    assert_eq!(raw.is_some(), value.is_some());

    // serde_json recurses: judge only what stays under its depth limit.
    let shallow = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() < 100;
    if shallow {
        let reference = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
        assert_eq!(
            valid, reference,
            "is_valid disagrees with serde_json on {text:?}"
        );
    }
    if let Some(fields) = &fields {
        assert!(valid, "members found in invalid JSON {text:?}");
        for (name, raw_value) in fields {
            assert!(
                is_valid(raw_value),
                "member value {raw_value:?} is not JSON"
            );
            let last = fields
                .iter()
                .rev()
                .find(|(other, _)| other == name)
                .map(|f| f.1);
            assert_eq!(
                raw_field(text, name),
                last,
                "raw_field({name:?}) in {text:?}"
            );
        }
        assert_eq!(
            raw,
            fields.iter().rev().find(|(n, _)| n == key).map(|f| f.1)
        );
        if shallow && let Ok(map) = serde_json::from_str::<Map<String, Value>>(text) {
            let names: std::collections::BTreeSet<&str> =
                fields.iter().map(|(name, _)| name.as_ref()).collect();
            let reference: std::collections::BTreeSet<&str> =
                map.keys().map(String::as_str).collect();
            assert_eq!(names, reference, "members of {text:?}");
            if let (Some(Value::String(expected)), Some(found)) = (map.get(key), &value) {
                assert_eq!(found, expected, "field_text({key:?}) of {text:?}");
            }
        }
    } else {
        assert!(raw.is_none());
    }

    // insert_field: one new member in front, the others kept.
    let inserted_value = quote(key);
    match insert_field(text, key, &inserted_value) {
        Some(out) => {
            let before = fields.as_ref().expect("insert_field took a non-object");
            assert!(is_valid(&out), "insert_field made invalid JSON: {out:?}");
            let after = top_level_fields(&out).expect("insert_field made a non-object");
            assert_eq!(after.len(), before.len() + 1);
            assert_eq!(after[0].0, key);
            assert_eq!(after[0].1, inserted_value);
            assert_eq!(&after[1..], &before[..]);
        }
        None => assert!(fields.is_none(), "insert_field refused an object: {text:?}"),
    }

    // quote reads back as the input, here and in serde_json.
    let quoted = quote(text);
    assert!(is_valid(&quoted), "quote made invalid JSON: {quoted:?}");
    assert_eq!(value_text(&quoted), text);
    assert_eq!(
        serde_json::from_str::<String>(&quoted).ok().as_deref(),
        Some(text)
    );
}
