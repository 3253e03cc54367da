//! Secret redaction over arbitrary UTF-8, JSON documents and URLs, with the
//! default keys or custom `redactKeys`.
//!
//! Checked:
//! - no panic;
//! - on JSON and on URLs, a second pass finds nothing new (what is left
//!   holds no secret the redactor itself would still find; it may only
//!   widen a redaction), unless a key occurs in the marker;
//! - valid JSON stays valid JSON, and every member under a secret key, at
//!   any depth and also when the key is repeated, reads back as
//!   `"[redacted]"` (serde_json walks the output);
//! - URLs as written in practice (`scheme://`, no spaces or quotes), by
//!   `redact_url` and `redact_text`: as a browser parses
//!   the output (WHATWG, the `url` crate), no userinfo password and no
//!   secret query parameter keeps its value.

#![no_main]

use std::fmt;

use arbitrary::Unstructured;
use fuzz_support::{text, url, word};
use libfuzzer_sys::fuzz_target;
use resilient_ws::core::json_scan;
use resilient_ws::core::{REDACTED, Redactor};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

fn run(data: &[u8]) -> arbitrary::Result<()> {
    let mut u = Unstructured::new(data);
    let redactor = if u.ratio(3, 4)? {
        Redactor::default()
    } else {
        Redactor::new(
            (0..u.int_in_range(0..=3u8)?)
                .map(|_| word(&mut u))
                .collect::<arbitrary::Result<_>>()?,
        )
    };
    // Keys that occur in the marker itself (`redactKeys: ["e"]`) make the
    // marker read as a key on a second pass; idempotence is not claimed then.
    let idempotent = !redactor.is_secret_key(REDACTED);
    let input = text(&mut u)?;
    check_text(&redactor, &input, idempotent);
    let target = url(&mut u)?;
    check_url(&redactor, &target, idempotent);
    if let Ok(raw) = std::str::from_utf8(data) {
        check_text(&redactor, raw, idempotent);
        check_url(&redactor, raw, idempotent);
    }
    Ok(())
}

fn check_text(redactor: &Redactor, input: &str, idempotent: bool) {
    let out = redactor.redact_text(input);
    // Garbled plain text can change meaning when a marker lands in it (a
    // marker's quotes open a new `"key":`); judge messages and URLs.
    if idempotent && (json_scan::is_valid(input) || url_shaped(input)) {
        settled(input, &out, &redactor.redact_text(&out));
    }
    if json_scan::is_valid(input) {
        assert!(
            json_scan::is_valid(&out),
            "redaction broke JSON: {input:?} -> {out:?}"
        );
        let shallow = input.bytes().filter(|b| matches!(b, b'[' | b'{')).count() < 100;
        if shallow {
            let mut de = serde_json::Deserializer::from_str(&out);
            // serde_json refuses lone surrogate escapes (`"\ud800"`), which
            // JSON allows: the walk ends there. Any other refusal is a bug
            // (numbers beyond f64, `1e400`, are read as text: the fuzz
            // crate turns on serde_json's `arbitrary_precision`).
            if let Err(error) = (Walk { redactor }).deserialize(&mut de) {
                let error = error.to_string();
                assert!(
                    ["surrogate", "hex escape", "unicode code point"]
                        .iter()
                        .any(|kind| error.contains(kind)),
                    "serde_json refused redacted JSON: {error}: {out:?}"
                );
            }
        }
    }
    if url_shaped(input) {
        url_oracle(redactor, input, &out);
    }
}

fn check_url(redactor: &Redactor, input: &str, idempotent: bool) {
    if !url_shaped(input) {
        let _ = redactor.redact_url(input);
        return;
    }
    let out = redactor.redact_url(input);
    if idempotent {
        settled(input, &out, &redactor.redact_url(&out));
    }
    url_oracle(redactor, input, &out);
}

/// A second pass finds nothing new: it may only widen a redaction the first
/// pass made, never redact text the first pass left in the clear. Widening
/// happens in garbled URLs, where a marker replaced the `/` that ended an
/// authority (`h://k&token=a/b&c:d@h/` becomes `h://k&token=[redacted]&c:d@h/`,
/// now with a userinfo): the second pass may then redact the password of an
/// authority that holds a marker, and nothing else.
fn settled(input: &str, once: &str, twice: &str) {
    if once == twice {
        return;
    }
    let (once_bytes, twice_bytes) = (once.as_bytes(), twice.as_bytes());
    let prefix = once_bytes
        .iter()
        .zip(twice_bytes)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = once_bytes
        .iter()
        .rev()
        .zip(twice_bytes.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(once.len() - prefix)
        .min(twice.len() - prefix);
    let changed = &once_bytes[prefix..once.len() - suffix];
    let marker = REDACTED.as_bytes();
    let has_marker = |bytes: &[u8]| bytes.windows(marker.len()).any(|w| w == marker);
    // The change is a password: in the second pass's text, one `:[redacted]@`
    // covers it.
    let (change_start, change_end) = (prefix, twice.len() - suffix);
    let password = (change_end.saturating_sub(marker.len()).max(1)..=change_start).any(|at| {
        twice_bytes[at..].starts_with(marker)
            && twice_bytes[at - 1] == b':'
            && twice_bytes.get(at + marker.len()) == Some(&b'@')
    });
    // The authority it is in, up to the change: from the last `://`, with a
    // marker and no byte that ends an authority (or a value) in between. Not
    // `'`: the redactor reads a userinfo on through one (`o'brien:pw@h`),
    // when the userinfo so found has a `:`, which a marker's `key:` can be
    // the first to supply once it replaced the `/` that ended the run
    // (`d://f@a'b@token:/x&y@h` becomes `token:[redacted]&y@h`).
    let authority_before = once_bytes[..prefix]
        .windows(3)
        .rposition(|w| w == b"://")
        .map(|at| &once_bytes[at + 3..prefix]);
    let widened_userinfo = password
        && authority_before.is_some_and(|before| {
            let before = as_the_redactor_reads(before);
            has_marker(&before)
                && !before
                    .iter()
                    .any(|b| b.is_ascii_whitespace() || b"/?#\"\\".contains(b))
        });
    assert!(
        has_marker(changed) || widened_userinfo,
        "a second pass redacts more: {input:?} -> {once:?} -> {twice:?}"
    );
}

/// `bytes` with each JSON escape that stands for an ordinary character
/// (`\\\\`, `\\u00e4`) replaced by it, as the redactor reads a value inside a
/// JSON string (any other escape ends the value: it stays a backslash).
fn as_the_redactor_reads(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let unit = bytes
            .get(i + 2..i + 6)
            .filter(|hex| {
                byte == b'\\'
                    && bytes.get(i + 1) == Some(&b'u')
                    && hex.iter().all(u8::is_ascii_hexdigit)
            })
            .and_then(|hex| u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        if byte == b'\\' && bytes.get(i + 1) == Some(&b'\\') {
            out.push(b'x');
            i += 2;
        } else if let Some(unit) = unit {
            out.push(match unit {
                0..0x20 => b'\\',
                0x20..0x80 => unit as u8,
                _ => b'x',
            });
            i += 6;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    out
}

/// A URL as written in practice: `scheme://host`, one `://` and at most one
/// `@`, only the characters RFC 3986 allows (no whitespace, quotes or
/// backslashes: in plain text a value ends at those by design, while the
/// WHATWG parser drops, escapes or rewrites them). URLs nested in a query
/// value are covered by the unit tests of `redact.rs`.
fn url_shaped(text: &str) -> bool {
    let scheme_end = text
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')));
    scheme_end.is_some_and(|end| {
        end > 0 && text[end..].starts_with("://") && !text[end + 3..].starts_with('/')
    }) && text.matches("://").count() == 1
        && text.matches('@').count() <= 1
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&()*+,;=%".contains(&b))
}

/// Bytes the redactor reads as part of a key name.
fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || byte >= 0x80
        || matches!(byte, b'_' | b'-' | b'.' | b'[' | b']' | b'%')
}

/// `key` with its `%XX` escapes decoded, as a browser reads a name.
fn percent_decoded(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok());
        match hex
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_marker(value: &str) -> bool {
    value == REDACTED || value.eq_ignore_ascii_case("%5Bredacted%5D")
}

/// What a browser (and the server) would read from the redacted URL.
fn url_oracle(redactor: &Redactor, input: &str, out: &str) {
    let Ok(before) = url::Url::parse(input) else {
        return;
    };
    // Hosts as DNS has them (a WHATWG domain may hold `&`, `=`, `{`...).
    if let Some(url::Host::Domain(domain)) = before.host()
        && !domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return;
    }
    let Ok(after) = url::Url::parse(out) else {
        // The original parsed: redaction must not turn a URL into garbage.
        panic!("redaction broke the URL {input:?} -> {out:?}");
    };
    if let Some(password) = before.password().filter(|p| !p.is_empty() && !is_marker(p)) {
        assert!(
            after
                .password()
                .is_none_or(|p| p != password && is_marker(p)),
            "password {password:?} kept: {input:?} -> {out:?}"
        );
    }
    // Secret query parameters, names judged as a browser decodes them
    // (`auth%5Btoken%5D`). The redactor ends a value at whitespace or a
    // quote (plain text: the URL may sit in a sentence).
    let Some(query) = before.query() else {
        return;
    };
    for pair in query.split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let name = percent_decoded(key);
        if key.is_empty()
            || !key.bytes().all(is_key_byte)
            || !redactor.is_secret_key(&name)
            || value.is_empty()
            || value
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b == b'"' || b == b'\'')
            || is_marker(value)
        {
            continue;
        }
        let kept = after
            .query_pairs()
            .any(|(k, v)| k == name && !is_marker(&v) && !v.is_empty());
        assert!(
            !kept,
            "query parameter {key}={value} kept: {input:?} -> {out:?}"
        );
    }
}

/// Walks a JSON document; every member under a secret key must be the marker.
#[derive(Clone, Copy)]
struct Walk<'r> {
    redactor: &'r Redactor,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

/// The one key of the map serde_json hands a number over as (its
/// `arbitrary_precision` feature): the value is the number's text.
const NUMBER: &str = "$serde_json::private::Number";

/// A member value under a secret key: must be the string `[redacted]`.
struct Marker;

impl<'de> DeserializeSeed<'de> for Marker {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Marker {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the redaction marker")
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        assert_eq!(value, REDACTED, "a secret member kept its value");
        Ok(())
    }
    fn visit_bool<E>(self, value: bool) -> Result<(), E> {
        panic!("a secret member kept its value {value}")
    }
    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        panic!("a secret member kept its value {value}")
    }
    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        panic!("a secret member kept its value {value}")
    }
    fn visit_f64<E>(self, value: f64) -> Result<(), E> {
        panic!("a secret member kept its value {value}")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        panic!("a secret member kept its value null")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        panic!("a secret member kept its array value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == NUMBER => {
                panic!(
                    "a secret member kept its value {}",
                    map.next_value::<String>()?
                )
            }
            _ => panic!("a secret member kept its object value"),
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Every member, duplicates included (serde_json hands each one over).
        while let Some(key) = map.next_key::<String>()? {
            if key == NUMBER {
                map.next_value::<String>()?;
            } else if self.redactor.is_secret_key(&key) {
                map.next_value_seed(Marker)?;
            } else {
                map.next_value_seed(self)?;
            }
        }
        Ok(())
    }
}
