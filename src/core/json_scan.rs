//! A small scanner for the top level of a JSON object: finds a field's raw
//! value without building a document.
//!
//! The scanner validates the whole text (RFC 8259 grammar: strings with every
//! escape, numbers, literals, nested objects and arrays) in one pass without
//! allocating, so malformed or truncated input gives `None` instead of a
//! half-read value, and nothing here panics on any input. Nesting deeper than
//! [`MAX_DEPTH`] is treated as malformed (no recursion, so no stack overflow).
//! When a key appears twice, the last member wins, as with `JSON.parse`.

use crate::prelude::*;

use alloc::borrow::Cow;

use super::text::sub;

/// Deepest nesting of objects and arrays the scanner accepts within one
/// value (e.g. a member's value); deeper input is treated as malformed.
pub const MAX_DEPTH: usize = 1024;

/// The raw text of the value of top-level field `key` in the JSON object
/// `text` (e.g. `"\"pong\""`, `42`, `{...}`), or `None` if `text` is not a
/// JSON object or has no such field.
///
/// Keys are compared after unescaping (`"\u0074ype"` is `type`); this does
/// not allocate.
pub fn raw_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let mut found = None;
    scan_object(text, |raw_key, escaped, value| {
        let matches = if escaped {
            Unescaped::new(raw_key).eq(key.chars())
        } else {
            raw_key == key
        };
        if matches {
            found = Some(value);
        }
    })?;
    found
}

/// The value of top-level field `key` as text: a JSON string unescaped,
/// a number/bool/null as written; objects and arrays as raw JSON.
pub fn field_text<'a>(text: &'a str, key: &str) -> Option<Cow<'a, str>> {
    raw_field(text, key).map(value_text)
}

/// Every top-level member of the JSON object `text`, in document order, as
/// (unescaped key, raw value); `None` if `text` is not a JSON object.
/// Duplicate keys are all listed.
pub fn top_level_fields(text: &str) -> Option<Vec<(Cow<'_, str>, &str)>> {
    let mut fields = Vec::new();
    scan_object(text, |raw_key, escaped, value| {
        let key = if escaped {
            Cow::Owned(Unescaped::new(raw_key).collect())
        } else {
            Cow::Borrowed(raw_key)
        };
        fields.push((key, value));
    })?;
    Some(fields)
}

/// Returns `text` (a JSON object) with `"key": raw_value` added as the first
/// member, or `None` if `text` is not a JSON object.
///
/// `raw_value` is inserted as written (quote strings with [`quote`]). An
/// existing member named `key` is not removed; parsers keep the last one.
pub fn insert_field(text: &str, key: &str, raw_value: &str) -> Option<String> {
    let mut has_members = false;
    let open = scan_object(text, |_, _, _| has_members = true)?;
    let quoted = quote(key);
    let (head, tail) = text.split_at_checked(open + 1)?;
    let mut out = String::with_capacity(text.len() + quoted.len() + raw_value.len() + 2);
    out.push_str(head);
    out.push_str(&quoted);
    out.push(':');
    out.push_str(raw_value);
    if has_members {
        out.push(',');
    }
    out.push_str(tail);
    Some(out)
}

/// Quotes and escapes `value` as a JSON string, as `JSON.stringify` does:
/// `"` and `\` escaped, `\n`, `\r`, `\t`, `\b`, `\f` in short form, other
/// control characters as `\u00XX`.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut start = 0;
    for (index, byte) in value.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(sub(value, start..index));
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = index + 1;
    }
    out.push_str(sub(value, start..));
    out.push('"');
    out
}

/// Whether `text` is exactly one JSON value (any type), with optional
/// whitespace around it.
pub fn is_valid(text: &str) -> bool {
    let bytes = text.as_bytes();
    let start = skip_ws(bytes, 0);
    skip_value(bytes, start).is_some_and(|end| skip_ws(bytes, end) == bytes.len())
}

/// The text of a raw JSON value: a string literal unescaped (without its
/// quotes), anything else as written.
pub fn value_text(raw: &str) -> Cow<'_, str> {
    match raw
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => unescape(inner),
        _ => Cow::Borrowed(raw),
    }
}

/// Unescapes the inside of a JSON string literal (without its quotes).
/// Lone surrogates and malformed escapes become U+FFFD.
pub fn unescape(inner: &str) -> Cow<'_, str> {
    if inner.contains('\\') {
        Cow::Owned(Unescaped::new(inner).collect())
    } else {
        Cow::Borrowed(inner)
    }
}

/// Scans a top-level object and calls `visit(raw_key, key_has_escapes,
/// raw_value)` for each member. Returns the byte index of the opening brace,
/// or `None` if `text` is not exactly one JSON object.
fn scan_object<'a>(text: &'a str, mut visit: impl FnMut(&'a str, bool, &'a str)) -> Option<usize> {
    let bytes = text.as_bytes();
    let open = skip_ws(bytes, 0);
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(bytes, open + 1);
    if bytes.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if bytes.get(i) != Some(&b'"') {
                return None;
            }
            let (key_end, escaped) = scan_string(bytes, i)?;
            let colon = skip_ws(bytes, key_end);
            if bytes.get(colon) != Some(&b':') {
                return None;
            }
            let value_start = skip_ws(bytes, colon + 1);
            let value_end = skip_value(bytes, value_start)?;
            visit(
                text.get(i + 1..key_end - 1)?,
                escaped,
                text.get(value_start..value_end)?,
            );
            i = skip_ws(bytes, value_end);
            match bytes.get(i) {
                Some(b',') => i = skip_ws(bytes, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(bytes, i) == bytes.len()).then_some(open)
}

/// The index of the first non-whitespace byte at or after `i`.
pub(crate) fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(i) {
        i += 1;
    }
    i
}

/// Scans the string literal whose opening quote is at `i`. Returns the index
/// just past the closing quote and whether the string contains escapes.
pub(crate) fn scan_string(bytes: &[u8], i: usize) -> Option<(usize, bool)> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let mut i = i + 1;
    let mut escaped = false;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *bytes.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = bytes.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            0x00..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// Scans the number starting at `i`; returns the index just past it.
fn scan_number(bytes: &[u8], mut i: usize) -> Option<usize> {
    let digits = |bytes: &[u8], mut i: usize| {
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match bytes.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(bytes, i)?,
        _ => return None,
    };
    if bytes.get(i) == Some(&b'.') {
        i = digits(bytes, i + 1)?;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = bytes.get(i) {
            i += 1;
        }
        i = digits(bytes, i)?;
    }
    Some(i)
}

/// Which containers are open, innermost last; bounded by [`MAX_DEPTH`].
struct Nesting {
    depth: usize,
    is_object: [u64; MAX_DEPTH / 64],
}

impl Nesting {
    fn push(&mut self, object: bool) -> Option<()> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let (word, bit) = (self.is_object.get_mut(self.depth / 64)?, self.depth % 64);
        if object {
            *word |= 1 << bit;
        } else {
            *word &= !(1 << bit);
        }
        self.depth += 1;
        Some(())
    }

    fn top_is_object(&self) -> bool {
        let Some(top) = self.depth.checked_sub(1) else {
            return false;
        };
        self.is_object
            .get(top / 64)
            .is_some_and(|word| word & (1 << (top % 64)) != 0)
    }
}

/// Scans the member key at `i` (a string), the whitespace and the colon after
/// it; returns the index just past the colon.
fn scan_key_colon(bytes: &[u8], i: usize) -> Option<usize> {
    let (end, _) = scan_string(bytes, i)?;
    let colon = skip_ws(bytes, end);
    (bytes.get(colon) == Some(&b':')).then_some(colon + 1)
}

/// Scans (and validates) the JSON value starting at `i`, without recursion;
/// returns the index just past it.
pub(crate) fn skip_value(bytes: &[u8], mut i: usize) -> Option<usize> {
    let mut nesting = Nesting {
        depth: 0,
        is_object: [0; MAX_DEPTH / 64],
    };
    loop {
        // A value is expected at `i` (after optional whitespace).
        i = skip_ws(bytes, i);
        match *bytes.get(i)? {
            b'{' => {
                i = skip_ws(bytes, i + 1);
                if bytes.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    nesting.push(true)?;
                    i = scan_key_colon(bytes, i)?;
                    continue;
                }
            }
            b'[' => {
                i = skip_ws(bytes, i + 1);
                if bytes.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    nesting.push(false)?;
                    continue;
                }
            }
            b'"' => i = scan_string(bytes, i)?.0,
            b't' => i = literal(bytes, i, b"true")?,
            b'f' => i = literal(bytes, i, b"false")?,
            b'n' => i = literal(bytes, i, b"null")?,
            b'-' | b'0'..=b'9' => i = scan_number(bytes, i)?,
            _ => return None,
        }
        // A value ended at `i`: close containers until one continues.
        loop {
            if nesting.depth == 0 {
                return Some(i);
            }
            i = skip_ws(bytes, i);
            let in_object = nesting.top_is_object();
            match *bytes.get(i)? {
                b',' if in_object => {
                    i = scan_key_colon(bytes, skip_ws(bytes, i + 1))?;
                    break;
                }
                b',' => {
                    i += 1;
                    break;
                }
                b'}' if in_object => {
                    nesting.depth -= 1;
                    i += 1;
                }
                b']' if !in_object => {
                    nesting.depth -= 1;
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

fn literal(bytes: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (bytes.get(i..i + word.len())? == word).then_some(i + word.len())
}

/// The characters of a JSON string's inside, escapes decoded.
struct Unescaped<'a> {
    rest: &'a str,
}

impl<'a> Unescaped<'a> {
    fn new(inner: &'a str) -> Self {
        Unescaped { rest: inner }
    }

    /// Reads the four hex digits of a `\uXXXX` escape at the start of `rest`.
    fn hex4(&mut self) -> Option<u32> {
        let (hex, rest) = self.rest.split_at_checked(4)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.rest = rest;
        u32::from_str_radix(hex, 16).ok()
    }

    /// Reads the low half of a surrogate pair (`\uDC00`-`\uDFFF`) if one
    /// follows; otherwise leaves `rest` untouched.
    fn low_surrogate(&mut self) -> Option<u32> {
        let saved = self.rest;
        self.rest = self.rest.strip_prefix("\\u")?;
        match self.hex4() {
            Some(low @ 0xdc00..=0xdfff) => Some(low),
            _ => {
                self.rest = saved;
                None
            }
        }
    }
}

impl Iterator for Unescaped<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let first = chars.next()?;
        if first != '\\' {
            self.rest = chars.as_str();
            return Some(first);
        }
        let Some(kind) = chars.next() else {
            self.rest = "";
            return Some(char::REPLACEMENT_CHARACTER);
        };
        self.rest = chars.as_str();
        Some(match kind {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let Some(unit) = self.hex4() else {
                    return Some(char::REPLACEMENT_CHARACTER);
                };
                let code = match unit {
                    0xd800..=0xdbff => match self.low_surrogate() {
                        Some(low) => 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00),
                        None => unit,
                    },
                    _ => unit,
                };
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            _ => char::REPLACEMENT_CHARACTER,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::prelude::rust_2024::*;

    const DOCUMENTS: &[&str] = &[
        r#"{"type":"pong","id":7}"#,
        r#" { "a" : [1, {"b": "}"}, "]"], "type" : "x\"y" , "n": -1.5e+3 } "#,
        r#"{"s":"\\","t":true,"f":false,"z":null,"e":{},"l":[]}"#,
        r#"{"u":"\u00e9\ud83d\ude00","k\u0065y":"v","nested":{"type":"inner"}}"#,
        r#"{"deep":[[[[{"a":[{"b":[]}]}]]]],"type":"deep"}"#,
        r#"{"num":0,"neg":-0.0,"exp":1E9,"small":2e-7}"#,
        "{}",
    ];

    #[test]
    fn raw_field_returns_the_raw_value_of_each_type() {
        let text = DOCUMENTS[1];
        assert_eq!(raw_field(text, "a"), Some(r#"[1, {"b": "}"}, "]"]"#));
        assert_eq!(raw_field(text, "type"), Some(r#""x\"y""#));
        assert_eq!(raw_field(text, "n"), Some("-1.5e+3"));
        let text = DOCUMENTS[2];
        assert_eq!(raw_field(text, "s"), Some(r#""\\""#));
        assert_eq!(raw_field(text, "t"), Some("true"));
        assert_eq!(raw_field(text, "f"), Some("false"));
        assert_eq!(raw_field(text, "z"), Some("null"));
        assert_eq!(raw_field(text, "e"), Some("{}"));
        assert_eq!(raw_field(text, "l"), Some("[]"));
        assert_eq!(raw_field(text, "missing"), None);
    }

    #[test]
    fn raw_field_ignores_nested_members() {
        assert_eq!(raw_field(DOCUMENTS[3], "type"), None);
        assert_eq!(raw_field(DOCUMENTS[4], "type"), Some(r#""deep""#));
        assert_eq!(raw_field(DOCUMENTS[4], "a"), None);
        assert_eq!(raw_field(r#"{"x":"\"type\":1","y":2}"#, "type"), None);
    }

    #[test]
    fn raw_field_compares_keys_after_unescaping() {
        assert_eq!(raw_field(DOCUMENTS[3], "key"), Some(r#""v""#));
        assert_eq!(raw_field(r#"{"a\"b":1}"#, "a\"b"), Some("1"));
        assert_eq!(raw_field(r#"{"a\"b":1}"#, r#"a\"b"#), None);
        assert_eq!(raw_field(r#"{"\ud83d\ude00":1}"#, "😀"), Some("1"));
    }

    #[test]
    fn raw_field_takes_the_last_duplicate_like_json_parse() {
        assert_eq!(raw_field(r#"{"id":1,"id":2}"#, "id"), Some("2"));
    }

    #[test]
    fn raw_field_rejects_non_objects() {
        for text in ["", "  ", "[]", "1", r#""{}""#, "null", "[{\"a\":1}]", "a"] {
            assert_eq!(raw_field(text, "a"), None, "{text:?}");
        }
    }

    #[test]
    fn raw_field_rejects_malformed_objects() {
        for text in [
            r#"{"a":1"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":{"b"}}"#,
            r#"{"a":{"b":1,}}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"line\nbreak\"}",
            r#"{"a":1}}"#,
            r#"{"a":1} x"#,
            r#"{"a":[}"#,
            r#"{"a":{]}"#,
            r#"{"a":1,"b":[1,2}"#,
        ] {
            assert_eq!(raw_field(text, "a"), None, "{text:?}");
        }
    }

    #[test]
    fn field_text_unescapes_strings_and_keeps_other_values_raw() {
        assert_eq!(field_text(DOCUMENTS[1], "type").unwrap(), "x\"y");
        assert_eq!(field_text(DOCUMENTS[2], "s").unwrap(), "\\");
        assert_eq!(field_text(DOCUMENTS[3], "u").unwrap(), "é😀");
        assert_eq!(field_text(DOCUMENTS[0], "id").unwrap(), "7");
        assert!(matches!(
            field_text(DOCUMENTS[0], "type").unwrap(),
            Cow::Borrowed("pong")
        ));
        assert_eq!(
            field_text(DOCUMENTS[3], "nested").unwrap(),
            r#"{"type":"inner"}"#
        );
        assert_eq!(
            field_text(r#"{"e":"a\/b\n\t\r\b\f"}"#, "e").unwrap(),
            "a/b\n\t\r\u{8}\u{c}"
        );
    }

    #[test]
    fn lone_surrogates_unescape_to_the_replacement_character() {
        assert_eq!(field_text(r#"{"a":"\ud83dx"}"#, "a").unwrap(), "\u{fffd}x");
        assert_eq!(field_text(r#"{"a":"\ude00"}"#, "a").unwrap(), "\u{fffd}");
        assert_eq!(
            field_text(r#"{"a":"\ud83d\u0041"}"#, "a").unwrap(),
            "\u{fffd}A"
        );
    }

    #[test]
    fn top_level_fields_lists_members_in_order_with_unescaped_keys() {
        let fields = top_level_fields(DOCUMENTS[3]).unwrap();
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["u", "key", "nested"]);
        assert_eq!(fields[2].1, r#"{"type":"inner"}"#);
        assert_eq!(top_level_fields("{}").unwrap(), Vec::new());
        assert_eq!(top_level_fields("[1]"), None);
        assert_eq!(top_level_fields(r#"{"a":1"#), None);
    }

    #[test]
    fn insert_field_adds_the_first_member() {
        assert_eq!(
            insert_field(r#"{"a":1}"#, "id", "7").unwrap(),
            r#"{"id":7,"a":1}"#
        );
        assert_eq!(insert_field("{}", "id", "7").unwrap(), r#"{"id":7}"#);
        assert_eq!(
            insert_field("  { \"a\" : 1 }\n", "id", "\"x\"").unwrap(),
            "  {\"id\":\"x\", \"a\" : 1 }\n"
        );
        assert_eq!(insert_field("{ }", "id", "7").unwrap(), r#"{"id":7 }"#);
        assert_eq!(insert_field("{}", "a\"b", "1").unwrap(), r#"{"a\"b":1}"#);
        for text in ["", "[]", "1", r#"{"a":1"#, "x{}"] {
            assert_eq!(insert_field(text, "id", "7"), None, "{text:?}");
        }
    }

    #[test]
    fn inserted_field_is_found_again() {
        for text in DOCUMENTS {
            let with_id = insert_field(text, "rid", &quote("r-1")).unwrap();
            assert!(is_valid(&with_id), "{with_id}");
            assert_eq!(field_text(&with_id, "rid").unwrap(), "r-1");
        }
    }

    #[test]
    fn quote_escapes_like_json_stringify() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(""), r#""""#);
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(quote("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        assert_eq!(quote("é😀"), "\"é😀\"");
    }

    #[test]
    fn quote_round_trips_through_field_text() {
        let samples = ["", "a\"b", "\\\\", "\u{0}\u{1}\u{1f}x", "é😀\n\t/"];
        for sample in samples {
            let text = format!("{{\"v\":{}}}", quote(sample));
            assert!(is_valid(&text));
            assert_eq!(field_text(&text, "v").unwrap(), sample);
        }
    }

    #[test]
    fn is_valid_accepts_any_single_json_value() {
        for text in [
            "1",
            "-0",
            "\"s\"",
            "true",
            "null",
            " [1, [2, [3]]] ",
            "{}",
            "[]",
            "1e5",
        ] {
            assert!(is_valid(text), "{text:?}");
        }
        for text in ["", "1 2", "[1]]", "{", "\"", "+1", "NaN", "[01]"] {
            assert!(!is_valid(text), "{text:?}");
        }
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_rejected_without_overflow() {
        let nested =
            |depth: usize| format!("{{\"a\":{}1{}}}", "[".repeat(depth), "]".repeat(depth));
        assert!(raw_field(&nested(MAX_DEPTH), "a").is_some());
        assert!(raw_field(&nested(MAX_DEPTH + 1), "a").is_none());
        let huge = "[".repeat(100_000);
        assert!(!is_valid(&huge));
    }

    #[test]
    fn every_strict_prefix_of_a_valid_object_is_rejected() {
        for text in DOCUMENTS {
            let trimmed = text.trim_end();
            for (end, _) in trimmed.char_indices().skip(1) {
                let prefix = &trimmed[..end];
                assert_eq!(raw_field(prefix, "type"), None, "{prefix:?}");
                assert_eq!(top_level_fields(prefix), None, "{prefix:?}");
                assert_eq!(insert_field(prefix, "id", "1"), None, "{prefix:?}");
                assert!(!is_valid(prefix), "{prefix:?}");
            }
            assert!(top_level_fields(text).is_some(), "{text:?}");
        }
    }

    /// A deterministic pseudo-random sequence for garbling inputs.
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn garbled_input_never_panics() {
        const ALPHABET: &[&str] = &[
            "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "\n", "a", "type", "1", "-", ".", "e",
            "+", "0", "true", "null", "\\u", "d83d", "\\ud83d", "é", "😀", "\u{0}", "/", "f",
        ];
        let mut state = 42;
        for _ in 0..20_000 {
            let mut text = String::new();
            if lcg(&mut state).is_multiple_of(2) {
                text.push('{');
            }
            for _ in 0..lcg(&mut state) % 24 {
                text.push_str(ALPHABET[(lcg(&mut state) as usize) % ALPHABET.len()]);
            }
            let _ = raw_field(&text, "type");
            let _ = raw_field(&text, "a");
            let _ = field_text(&text, "a");
            let _ = top_level_fields(&text);
            let _ = insert_field(&text, "id", "1");
            let _ = is_valid(&text);
            let _ = value_text(&text);
            let _ = unescape(&text);
        }
        for text in DOCUMENTS {
            let bytes: Vec<char> = text.chars().collect();
            for _ in 0..2_000 {
                let mut garbled = bytes.clone();
                let at = (lcg(&mut state) as usize) % garbled.len();
                match lcg(&mut state) % 3 {
                    0 => {
                        garbled.remove(at);
                    }
                    1 => garbled.insert(at, ['"', '\\', '{', ']', ','][at % 5]),
                    _ => garbled.swap(at, (lcg(&mut state) as usize) % bytes.len()),
                }
                let garbled: String = garbled.into_iter().collect();
                let _ = raw_field(&garbled, "type");
                let _ = top_level_fields(&garbled);
                let _ = field_text(&garbled, "u");
            }
        }
    }
}
