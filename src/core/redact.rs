//! Redaction of secrets (tokens, passwords) in everything the core shows.
//!
//! Values are replaced in place and everything else is left byte-identical,
//! so a redacted message still reads (and parses) like the original.

use crate::prelude::*;

use alloc::borrow::Cow;

use super::json_scan;
use super::text::{concat, sub, sub_bytes};

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// The key names redacted by default (`redactKeys`), matched by
/// containment in any ASCII case: `access_token`, `X-Api-Key`,
/// `clientSecret`, `Set-Cookie`, `JSESSIONID`, `PHPSESSID`, `privateKey`,
/// `private_key` all match.
pub const DEFAULT_SECRET_KEYS: [&str; 19] = [
    "token",
    "authorization",
    "password",
    "passwd",
    "passphrase",
    "secret",
    "apikey",
    "api_key",
    "api-key",
    "signature",
    "credential",
    "cookie",
    "sessionid",
    "session_id",
    "session-id",
    "sessid",
    "privatekey",
    "private_key",
    "private-key",
];

/// Replaces secret values in JSON text and URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redactor {
    secret_keys: Vec<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(DEFAULT_SECRET_KEYS.map(String::from).to_vec())
    }
}

impl Redactor {
    /// A redactor for these key names (ASCII letters matched in any case; a key
    /// containing one of them, like `access_token`, matches too). Empty
    /// names are ignored.
    pub fn new(secret_keys: Vec<String>) -> Self {
        Redactor {
            secret_keys: secret_keys
                .into_iter()
                .filter(|k| !k.is_empty())
                .map(|k| k.to_ascii_lowercase())
                .collect(),
        }
    }

    /// The key names it redacts (lowercase): what [`Redactor::new`] needs to
    /// make the same redactor again.
    pub fn secret_keys(&self) -> &[String] {
        &self.secret_keys
    }

    /// Whether `key` names a secret.
    pub fn is_secret_key(&self, key: &str) -> bool {
        self.is_secret_name(key.as_bytes())
    }

    /// [`Redactor::is_secret_key`] for a name that may not be UTF-8 (a
    /// percent-decoded one).
    fn is_secret_name(&self, name: &[u8]) -> bool {
        self.secret_keys
            .iter()
            .any(|secret| contains_ignore_ascii_case(name, secret.as_bytes()))
    }

    /// `text` with secret values replaced: JSON fields at any depth, and
    /// `key=value` query parameters in URLs or plain text.
    ///
    /// - JSON (any valid document): the value of every member whose key is
    ///   secret, whatever its type, becomes `"[redacted]"`; string values get
    ///   the plain-text pass below (a URL inside a string). Everything else
    ///   stays byte-identical.
    /// - Plain text (anything else, including truncated JSON): `key=value`
    ///   (the value ends at `&`, `#`, whitespace, a quote or the end),
    ///   `key: value` and `"key": "value"` pairs (quotes may be escaped,
    ///   `\"key\": \"value\"`; an HTTP auth scheme such as `Bearer` is kept),
    ///   and URL userinfo passwords.
    ///
    /// Borrows `text` when nothing is secret.
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut edits = Vec::new();
        if json_scan::is_valid(text) {
            self.json_edits(text, &mut edits);
        } else {
            self.plain_edits(text, 0, false, &mut edits);
        }
        apply(text, &edits)
    }

    /// `url` with secret query parameters (and userinfo passwords) replaced:
    /// `wss://user:pass@host/?token=abc` becomes
    /// `wss://user:[redacted]@host/?token=[redacted]`.
    pub fn redact_url<'a>(&self, url: &'a str) -> Cow<'a, str> {
        let mut edits = Vec::new();
        self.plain_edits(url, 0, false, &mut edits);
        apply(url, &edits)
    }

    /// Whether a word of plain text names a secret, as written or with its
    /// percent-escapes decoded (`auth%5Btoken%5D`, as `URLSearchParams`
    /// writes `auth[token]`).
    fn is_secret_word(&self, word: &str) -> bool {
        self.is_secret_key(word)
            || (word.as_bytes().contains(&b'%') && self.is_secret_name(&percent_decoded(word)))
    }

    /// Redacts the secret values of a percent-encoded query string in the
    /// word `word..word_end` of `text` (`https%3A%2F%2Fa.test%2F%3Ftoken%3Dabc%26n%3D1`,
    /// a URL inside a query value): a name runs from the word's start or an
    /// encoded `?`, `&` or `#` to an encoded `=`, its value to the next
    /// encoded `&` or `#` (or where a plain value ends, or a raw `=` or `:`).
    /// Returns where the word ends (a value may run past it, and the word
    /// goes on through the key bytes after a value) and, when it redacted
    /// something, the word as it will read with its markers.
    fn encoded_query_edits(
        &self,
        text: &str,
        base: usize,
        word: usize,
        mut word_end: usize,
        in_json: bool,
        edits: &mut Vec<Edit>,
    ) -> (usize, Option<String>) {
        let bytes = text.as_bytes();
        let mut as_it_will_read: Option<String> = None;
        // The start of the word's text not yet copied into `as_it_will_read`.
        let mut copied = word;
        let mut name = word;
        let mut k = word;
        // Where a plain value that starts before it ends, and the next
        // encoded `&` or `#` at or after a position: each found once and
        // reused for every value that starts before it, so a word of many
        // encoded pairs is read in linear time.
        let mut plain_end = 0;
        // (the plain value's end it was searched up to, what was found)
        let mut separator: Option<(usize, usize)> = None;
        while k < word_end {
            match percent_escape_at(bytes, k) {
                Some(b'?' | b'&' | b'#') => name = k + 3,
                Some(b'=') if self.is_secret_word(sub(text, name..k)) => {
                    let start = k + 3;
                    if start >= plain_end {
                        plain_end = run_end(bytes, start, in_json, b"&#=:");
                    }
                    let end = match separator {
                        Some((bound, found)) if bound == plain_end && start <= found => found,
                        _ => {
                            let found = (start..plain_end)
                                .find(|&at| {
                                    matches!(percent_escape_at(bytes, at), Some(b'&' | b'#'))
                                })
                                .unwrap_or(plain_end);
                            separator = Some((plain_end, found));
                            found
                        }
                    };
                    // An empty value, or one already redacted, stays.
                    if end > start && sub_bytes(bytes, start..end) != REDACTED.as_bytes() {
                        edits.push(Edit {
                            start: base + start,
                            end: base + end,
                            with: Cow::Borrowed(REDACTED),
                        });
                        let read = as_it_will_read.get_or_insert_with(String::new);
                        read.push_str(sub(text, copied..start));
                        read.push_str(REDACTED);
                        copied = end;
                    }
                    // The word's bytes up to `word_end` are key bytes: go on
                    // from there.
                    let mut after = end.max(word_end);
                    while bytes.get(after).is_some_and(|&b| is_key_byte(b)) {
                        after += 1;
                    }
                    word_end = word_end.max(after);
                    k = end;
                    continue;
                }
                // Not a secret name: the next name starts after this `=`
                // (not at the word's start again, which would judge an
                // ever longer name at every `=`).
                Some(b'=') => name = k + 3,
                Some(_) => {}
                None => {
                    k += 1;
                    continue;
                }
            }
            k += 3;
        }
        if let Some(read) = as_it_will_read.as_mut() {
            read.push_str(sub(text, copied..word_end));
        }
        (word_end, as_it_will_read)
    }

    /// Edits for a valid JSON document.
    fn json_edits(&self, text: &str, edits: &mut Vec<Edit>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            if byte != b'"' {
                i += 1;
                continue;
            }
            let Some((end, escaped)) = json_scan::scan_string(bytes, i) else {
                return;
            };
            let inner = sub(text, i + 1..end - 1);
            let after = json_scan::skip_ws(bytes, end);
            let is_key = bytes.get(after) == Some(&b':');
            if !is_key && let Some(nested) = self.nested_json(inner) {
                // Compared, not matched on `Cow::Owned`: a redaction that
                // failed closed borrows the marker.
                let redacted = self.redact_text(&nested);
                if redacted != nested.as_str() {
                    edits.push(Edit {
                        start: i,
                        end,
                        with: Cow::Owned(json_scan::quote(&redacted)),
                    });
                }
                i = end;
                continue;
            }
            // A key is text too (a map keyed by URL: `{"wss://u:pw@h": ..}`).
            let first_edit = edits.len();
            self.plain_edits(inner, i + 1, true, edits);
            if !is_key {
                // A string value, not a key.
                i = end;
                continue;
            }
            let is_secret = |key: &str| {
                if escaped {
                    self.is_secret_key(&json_scan::unescape(key))
                } else {
                    self.is_secret_key(key)
                }
            };
            // Judged as written and as it will read with its markers (a
            // key that a marker makes secret must not keep its value).
            let secret = is_secret(inner)
                || (edits.len() > first_edit
                    && is_secret(&edited(text, i + 1..end - 1, &edits[first_edit..])));
            if !secret {
                i = after + 1;
                continue;
            }
            let start = json_scan::skip_ws(bytes, after + 1);
            let Some(end) = json_scan::skip_value(bytes, start) else {
                return;
            };
            if sub(text, start..end) != REDACTED_JSON {
                edits.push(Edit {
                    start,
                    end,
                    with: Cow::Borrowed(REDACTED_JSON),
                });
            }
            i = end;
        }
    }

    /// The JSON text that the JSON string with raw inside `inner` holds,
    /// when that text has strings with escaped quotes of its own (JSON
    /// inside JSON inside a string, as relays wrap envelopes: `\\\"`,
    /// which the plain-text pass cannot read as a quote). It is redacted as
    /// a document of its own, which goes on to any depth; JSON one level
    /// down (`\"key\": \"value\"`) keeps the plain-text pass, which edits
    /// it in place.
    fn nested_json(&self, inner: &str) -> Option<String> {
        if !contains_ignore_ascii_case(inner.as_bytes(), br#"\\\""#) {
            return None;
        }
        let text = json_scan::unescape(inner);
        json_scan::is_valid(&text).then(|| text.into_owned())
    }

    /// Edits for plain text `text`, which starts at byte `base` of the whole
    /// text. `in_json` says `text` is the raw inside of a JSON string: a
    /// backslash starts an escape, so it ends a value, and quotes are `\"`.
    fn plain_edits(&self, text: &str, base: usize, in_json: bool, edits: &mut Vec<Edit>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        // Where the last `[redacted]` this pass writes ends.
        let mut marker_end = None;
        while let Some(&byte) = bytes.get(i) {
            let scheme_end = url_scheme_end(bytes, i, in_json);
            if scheme_end > 0 {
                let authority = i + scheme_end;
                // A URL inside a query value (`?next=https://a.test&token=..`)
                // ends at the `&` that starts the next parameter.
                let stops: &[u8] = if in_query_value(bytes, i) {
                    b"/?#&"
                } else {
                    b"/?#"
                };
                let mut authority_end = run_end(bytes, authority, in_json, stops);
                // Browsers leave `'` unescaped in a userinfo
                // (`wss://o'brien:it's-secret@h`): the authority goes on
                // through a quote to an `@` in the run after it, when what
                // follows the last `@` has no `=` (browsers write it `%3D`
                // there; a `key=value` could be redacted, and its marker move
                // where the run ends) and the userinfo so found has a `:`
                // (else it is no password, and the text is read as text).
                let mut through_quotes = authority_end;
                let mut after_last_at = sub_bytes(bytes, authority..authority_end)
                    .iter()
                    .rposition(|&b| b == b'@')
                    .map_or(authority, |at| authority + at + 1);
                while bytes.get(through_quotes) == Some(&b'\'') {
                    let next = run_end(bytes, through_quotes + 1, in_json, stops);
                    let Some(at) = sub_bytes(bytes, through_quotes..next)
                        .iter()
                        .rposition(|&b| b == b'@')
                    else {
                        break;
                    };
                    if sub_bytes(bytes, after_last_at..next).contains(&b'=') {
                        break;
                    }
                    after_last_at = through_quotes + at + 1;
                    through_quotes = next;
                }
                if through_quotes > authority_end
                    && sub_bytes(bytes, authority..after_last_at).contains(&b':')
                {
                    authority_end = through_quotes;
                }
                if let Some((start, end)) = userinfo_password(bytes, authority, authority_end) {
                    marker_end = Some(end);
                    edits.push(Edit {
                        start: base + start,
                        end: base + end,
                        with: Cow::Borrowed(REDACTED),
                    });
                }
                // Skip the userinfo and the host (with its port), never past
                // a `&`: what follows is scanned for `key=value` again.
                let host = sub_bytes(bytes, authority..authority_end)
                    .iter()
                    .rposition(|&b| b == b'@')
                    .map_or(authority, |at| authority + at + 1);
                // A host ends at `;` and `,` too: what follows them is read
                // again (`jdbc:sqlserver://db:1433;password=...`).
                let host_end = run_end(bytes, host, in_json, b"/?#&;,");
                // A host that ends in the `scheme:` of a next `scheme://`
                // (an authority that ran into another URL, as one does once
                // a marker replaced its `/`): stop at the `:`, so that URL
                // is read as one, on this pass and on the next.
                i = if host_end > host && sub_bytes(bytes, host_end - 1..).starts_with(b"://") {
                    host_end - 1
                } else {
                    host_end
                };
                continue;
            }
            if !is_key_byte(byte) {
                i += 1;
                continue;
            }
            let word = i;
            while bytes.get(i).is_some_and(|&b| is_key_byte(b)) {
                i += 1;
            }
            let after_marker = marker_end == Some(word);
            // A query string percent-encoded into the word (a URL inside a
            // query value, `%3Ftoken%3Dabc%26`): its secret values, and the
            // word as it will read with their markers.
            let (word_end, as_it_will_read) =
                self.encoded_query_edits(text, base, word, i, in_json, edits);
            if as_it_will_read.is_some() {
                marker_end = edits.last().map(|edit| edit.end - base);
            }
            i = word_end;
            let word_text = as_it_will_read.as_deref().unwrap_or(sub(text, word..i));
            // A marker's brackets are key bytes: a word right after a marker
            // this pass writes is read, on a second pass, as one word with
            // it (`[redacted]]um`). Judge it that way now, or a key spanning
            // the two (`]]`) would only be found then.
            let secret = self.is_secret_word(word_text)
                || (after_marker && self.is_secret_word(&concat(&[REDACTED, word_text])));
            if !secret {
                continue;
            }
            let has = |key: &str| contains_ignore_ascii_case(word_text.as_bytes(), key.as_bytes());
            let kind = if has("cookie") || has("passphrase") {
                ValueKind::ToLineEnd
            } else if has("authorization") {
                ValueKind::Authorization
            } else {
                ValueKind::Word
            };
            if let Some(edit) = secret_value(bytes, word, i, in_json, kind) {
                i = edit.end;
                if edit.with == REDACTED {
                    marker_end = Some(edit.end);
                }
                edits.push(Edit {
                    start: base + edit.start,
                    end: base + edit.end,
                    with: edit.with,
                });
            }
        }
    }
}

/// What a secret JSON value becomes.
const REDACTED_JSON: &str = "\"[redacted]\"";
/// What a secret JSON value becomes in JSON text inside a JSON string.
const REDACTED_JSON_ESCAPED: &str = "\\\"[redacted]\\\"";

/// HTTP authentication schemes kept in front of a redacted credential
/// (`Authorization: Bearer [redacted]`), lowercase.
const AUTH_SCHEMES: &[&str] = &[
    "basic",
    "bearer",
    "digest",
    "dpop",
    "hoba",
    "mutual",
    "negotiate",
    "ntlm",
    "token",
];

/// How far an unquoted secret value runs, by the key before it.
#[derive(Clone, Copy, PartialEq)]
enum ValueKind {
    /// To whitespace or punctuation, after a known auth scheme (`token:
    /// Bearer abc`).
    Word,
    /// An `Authorization` header's: after any scheme (`Bot abc`, `ApiKey
    /// abc`: RFC 9110 allows any token), to whitespace or punctuation.
    Authorization,
    /// To the end of the line, no scheme kept (a `Cookie` header's `a=1;
    /// sid=x`, a passphrase's words, the first of which may read as one).
    ToLineEnd,
}

/// One replacement: bytes `start..end` of the text become `with`.
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    /// A marker, or (a JSON string holding JSON, redacted) a string of its own.
    with: Cow<'static, str>,
}

/// Bytes `range` of `text` with `edits` (sorted, within the range) applied.
fn edited(text: &str, range: core::ops::Range<usize>, edits: &[Edit]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    for edit in edits {
        out.push_str(sub(text, at..edit.start));
        out.push_str(&edit.with);
        at = edit.end;
    }
    out.push_str(sub(text, at..range.end));
    out
}

/// `text` with `edits` (sorted, not overlapping) applied.
fn apply<'a>(text: &'a str, edits: &[Edit]) -> Cow<'a, str> {
    if edits.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + edits.len() * REDACTED_JSON.len());
    let mut at = 0;
    for edit in edits {
        // Edits are made at ASCII bytes, so `get` only fails on a bug: then
        // the whole text is redacted (fail closed), rather than a panic.
        let Some(before) = text.get(at..edit.start) else {
            return Cow::Borrowed(REDACTED);
        };
        out.push_str(before);
        out.push_str(&edit.with);
        at = edit.end;
    }
    out.push_str(sub(text, at..));
    Cow::Owned(out)
}

fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

/// Bytes that make up a key name in plain text (`access_token`,
/// `x-api-key`, `user.password`, `params[token]`, `auth%5Btoken%5D`, and
/// letters beyond ASCII).
fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || byte >= 0x80
        || matches!(byte, b'_' | b'-' | b'.' | b'[' | b']' | b'%')
}

/// `word`'s bytes with its `%XX` escapes decoded.
fn percent_decoded(word: &str) -> Vec<u8> {
    let bytes = word.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match percent_escape_at(bytes, i) {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// The byte the `%XX` escape at `i` stands for, if one is there.
fn percent_escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    match sub_bytes(bytes, i..i + 3) {
        [b'%', high, low] => Some(hex_digit(*high)? * 16 + hex_digit(*low)?),
        _ => None,
    }
}

/// The value of a hex digit.
fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// The length of the `://` at `i` (3), or inside a JSON string of `:\/\/`
/// (5, as PHP's `json_encode` writes slashes); 0 if neither is there.
fn url_scheme_end(bytes: &[u8], i: usize, in_json: bool) -> usize {
    let rest = sub_bytes(bytes, i..);
    if rest.starts_with(b"://") {
        3
    } else if in_json && rest.starts_with(b":\\/\\/") {
        5
    } else {
        0
    }
}

/// The index where a value starting at `i` ends: at whitespace, a quote,
/// one of `stops`, or the end. When `in_json`, an escape is judged by the
/// character it stands for (`\/` is a `/`, `\u00e4` a letter), and `\"`
/// and the control escapes (`\n`) end the value.
fn run_end(bytes: &[u8], mut i: usize, in_json: bool, stops: &[u8]) -> usize {
    while let Some((unescaped, len)) = char_at(bytes, i, in_json) {
        match unescaped {
            Some(b)
                if !(b.is_ascii_whitespace() || b == b'"' || b == b'\'' || stops.contains(&b)) =>
            {
                i += len;
            }
            _ => break,
        }
    }
    i
}

/// The index where the line from `i` ends: at a line break, a quote
/// ending a JSON string (`\"` when `in_json`), or the end; trailing blanks
/// are left out.
fn line_end(bytes: &[u8], mut i: usize, in_json: bool) -> usize {
    let start = i;
    while let Some((unescaped, len)) = char_at(bytes, i, in_json) {
        match unescaped {
            Some(b'\n' | b'\r') | None => break,
            Some(b'"') if in_json => break,
            Some(_) => i += len,
        }
    }
    while i > start && bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace) {
        i -= 1;
    }
    i
}

/// The character at `i` as a value reads it (when `in_json`, an escape is
/// the character it stands for, see [`json_escape_at`]) and its length;
/// `None` at the end.
fn char_at(bytes: &[u8], i: usize, in_json: bool) -> Option<(Option<u8>, usize)> {
    let byte = *bytes.get(i)?;
    Some(if in_json && byte == b'\\' {
        json_escape_at(bytes, i)
    } else {
        (Some(byte), 1)
    })
}

/// The character the JSON escape at `i` stands for (a byte; 0x80 for any
/// character beyond ASCII) and the escape's length; `None` for a quote, a
/// control character or a malformed escape.
fn json_escape_at(bytes: &[u8], i: usize) -> (Option<u8>, usize) {
    match bytes.get(i + 1) {
        Some(&byte @ (b'\\' | b'/')) => (Some(byte), 2),
        Some(b'u') => {
            let unit = bytes.get(i + 2..i + 6).and_then(|hex| {
                hex.iter().try_fold(0u32, |unit, &digit| {
                    Some(unit * 16 + u32::from(hex_digit(digit)?))
                })
            });
            match unit {
                Some(unit) if unit >= 0x80 => (Some(0x80), 6),
                Some(unit) if unit >= 0x20 => (Some(unit as u8), 6),
                _ => (None, 6),
            }
        }
        _ => (None, 2),
    }
}

/// Whether the `://` at `i` belongs to a URL inside a query string: its
/// scheme is preceded by `=`, `?` or `&`.
fn in_query_value(bytes: &[u8], i: usize) -> bool {
    let scheme = sub_bytes(bytes, ..i)
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .map_or(0, |before| before + 1);
    scheme < i && scheme > 0 && matches!(bytes.get(scheme - 1), Some(b'=' | b'?' | b'&'))
}

/// The password in the userinfo of the URL authority `start..end`
/// (`user:pass@host`), if there is one to redact.
fn userinfo_password(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let authority = bytes.get(start..end)?;
    let at = authority.iter().rposition(|&b| b == b'@')?;
    let userinfo = authority.get(..at)?;
    let colon = userinfo.iter().position(|&b| b == b':')?;
    let password = userinfo.get(colon + 1..)?;
    (!password.is_empty() && password != REDACTED.as_bytes())
        .then_some((start + colon + 1, start + at))
}

/// The quote at `i`: `'`, `\"` (escaped, as inside a JSON string or text
/// copied from one), outside a JSON string `"`, and inside one also
/// `\u0027` and `\u0022` (as Gson writes `'`, and PHP with
/// `JSON_HEX_APOS`/`JSON_HEX_QUOT`).
fn quote_at(bytes: &[u8], i: usize, in_json: bool) -> Option<&'static [u8]> {
    let rest = bytes.get(i..)?;
    if rest.starts_with(b"'") {
        Some(b"'")
    } else if rest.starts_with(b"\\\"") {
        Some(b"\\\"")
    } else if !in_json && rest.starts_with(b"\"") {
        Some(b"\"")
    } else if in_json && rest.starts_with(b"\\u0027") {
        Some(b"\\u0027")
    } else if in_json && rest.starts_with(b"\\u0022") {
        Some(b"\\u0022")
    } else {
        None
    }
}

/// The edit for the value of the secret key that ends at `word_end`, if a
/// value follows it: `key=value`, `key: value`, `"key": "value"`, with or
/// without blanks around the `=` or `:`, the value quoted or not.
/// `kind` says how far an unquoted value runs (see [`ValueKind`]); a PEM
/// block (`-----BEGIN ...`) runs to its `-----END ...-----`, and a YAML
/// block scalar (`key: |`) takes the deeper indented lines after it.
/// `key` is where the key starts.
fn secret_value(
    bytes: &[u8],
    key: usize,
    word_end: usize,
    in_json: bool,
    kind: ValueKind,
) -> Option<Edit> {
    let mut j = word_end;
    // A quoted key, which may hold more than the word (`"Auth Token": ..`).
    if let Some(quote) = quote_at(bytes, word_end, in_json) {
        j += quote.len();
    }
    j = skip_blanks(bytes, j, in_json);
    // Inside a JSON string, also escaped (`\u003d`, as Gson writes `=`).
    let (separator, length) = match *bytes.get(j)? {
        b'\\' if in_json => match json_escape_at(bytes, j) {
            (Some(byte @ (b'=' | b':')), length) => (byte, length),
            _ => return None,
        },
        byte => (byte, 1),
    };
    if separator != b'=' && (separator != b':' || url_scheme_end(bytes, j, in_json) > 0) {
        return None;
    }
    // `=>` (Ruby's and PHP's hash notation: `"password" => "x"`) is one
    // separator.
    let arrow = usize::from(separator == b'=' && bytes.get(j + length) == Some(&b'>'));
    let value = skip_blanks(bytes, j + length + arrow, in_json);
    let (start, end, with) = if separator == b':' && matches!(bytes.get(value), Some(b'{' | b'[')) {
        // An object or array, also one in JSON text inside a JSON string,
        // whose quotes are escaped (and so is the marker's).
        let (quote, with): (&[u8], _) = if in_json {
            (b"\\\"", REDACTED_JSON_ESCAPED)
        } else {
            (b"\"", REDACTED_JSON)
        };
        (value, matching_bracket_end(bytes, value, quote), with)
    } else {
        // A quoted value is redacted whole. An unquoted one may be `Bearer
        // <credential>`, the credential quoted (`Bearer "abc"`), or a
        // parameter of the scheme with a quoted value (`Token token="abc"`).
        // Query-style `authorization=...` is no header: known schemes only.
        let header = kind == ValueKind::Authorization && separator == b':';
        let (start, whole_line) = match kind {
            ValueKind::ToLineEnd => (value, true),
            _ => after_auth_scheme(bytes, value, in_json, header),
        };
        let block = if in_json || separator != b':' {
            None
        } else {
            yaml_block(bytes, key, start)
        };
        if let Some((first, last)) = block {
            (first, last, REDACTED)
        } else if let Some(quote) = quote_at(bytes, start, in_json) {
            let inner = start + quote.len();
            (inner, closing_quote(bytes, inner, quote), REDACTED)
        } else {
            // A query value ends at the next parameter; a header-like
            // value at punctuation.
            let stops: &[u8] = if separator == b'=' {
                b"&#"
            } else {
                HEADER_STOPS
            };
            // A credential a first pass redacted (maybe an auth-param,
            // `Token [redacted]` for `Token token="abc"`, which ended before
            // what follows): the marker is the whole of it.
            let marked =
                start > value && sub_bytes(bytes, start..).starts_with(REDACTED.as_bytes());
            let mut end = if marked {
                start + REDACTED.len()
            } else if let Some(end) = pem_block_end(bytes, start, in_json) {
                end
            } else if whole_line && separator == b':' {
                line_end(bytes, start, in_json)
            } else {
                run_end(bytes, start, in_json, stops)
            };
            if !marked
                && start > value
                && let Some(param_end) = auth_param_end(bytes, start, end, in_json)
            {
                end = param_end;
            }
            (start, end, REDACTED)
        }
    };
    // A value that is already a redaction marker (a header value stops
    // before its `]`) is left alone, so redacting twice changes nothing.
    let redacted_already = [REDACTED, REDACTED_JSON].iter().any(|marker| {
        sub_bytes(bytes, start..).starts_with(marker.as_bytes()) && end <= start + marker.len()
    });
    (end > start && !redacted_already).then_some(Edit {
        start,
        end,
        with: Cow::Borrowed(with),
    })
}

/// Where the PEM block starting at `i` (`-----BEGIN PRIVATE KEY-----`)
/// ends: past its `-----END ...-----` (the closing dashes on the END's
/// line), or the end of the text without one (its body is the secret). A
/// block that follows on the next line goes too (a bundle: a certificate,
/// then its private key). `None` when no block starts at `i`.
fn pem_block_end(bytes: &[u8], i: usize, in_json: bool) -> Option<usize> {
    const BEGIN: &[u8] = b"-----BEGIN";
    const END: &[u8] = b"-----END";
    const DASHES: &[u8] = b"-----";
    if !sub_bytes(bytes, i..).starts_with(BEGIN) {
        return None;
    }
    let mut j = i + BEGIN.len();
    while j < bytes.len() {
        if !sub_bytes(bytes, j..).starts_with(END) {
            j += 1;
            continue;
        }
        let mut k = j + END.len();
        while let Some(&byte) = bytes.get(k) {
            if sub_bytes(bytes, k..).starts_with(DASHES) {
                k += DASHES.len();
                break;
            }
            if byte == b'\n' {
                break;
            }
            k += 1;
        }
        let next = skip_blanks(bytes, k, in_json);
        if !sub_bytes(bytes, next..).starts_with(BEGIN) {
            return Some(k);
        }
        j = next + BEGIN.len();
    }
    Some(bytes.len())
}

/// The text of a YAML block scalar whose indicator (`|` or `>`, maybe with
/// a chomping or indentation indicator) is at `i`, at the end of the line
/// of the key starting at `key`: the lines after it indented deeper than
/// the key (blank ones between them too), from the first one's text to the
/// last one's end. `None` when there is no such indicator or line.
fn yaml_block(bytes: &[u8], key: usize, i: usize) -> Option<(usize, usize)> {
    if !matches!(bytes.get(i), Some(b'|' | b'>')) {
        return None;
    }
    let mut j = i + 1;
    while matches!(bytes.get(j), Some(b'-' | b'+' | b'0'..=b'9')) {
        j += 1;
    }
    while matches!(bytes.get(j), Some(b' ' | b'\t' | b'\r')) {
        j += 1;
    }
    if bytes.get(j) != Some(&b'\n') {
        return None;
    }
    // A quoted key (`"password": |`) starts at its quote.
    let key = if key > 0 && matches!(bytes.get(key - 1), Some(b'"' | b'\'')) {
        key - 1
    } else {
        key
    };
    let mut line_start = key;
    while line_start > 0 && bytes.get(line_start - 1) != Some(&b'\n') {
        line_start -= 1;
    }
    let column = key - line_start;
    let mut block: Option<(usize, usize)> = None;
    let mut line = j + 1;
    while line < bytes.len() {
        let mut text = line;
        while bytes.get(text) == Some(&b' ') {
            text += 1;
        }
        let mut end = text;
        while bytes.get(end).is_some_and(|&b| b != b'\n') {
            end += 1;
        }
        let mut trimmed = end;
        while trimmed > text && bytes.get(trimmed - 1).is_some_and(u8::is_ascii_whitespace) {
            trimmed -= 1;
        }
        if trimmed > text {
            if text - line <= column {
                break;
            }
            block = Some((block.map_or(text, |(first, _)| first), trimmed));
        }
        line = end + 1;
    }
    block
}

/// The index of the first byte at or after `i` that is not whitespace
/// (nor, when `in_json`, an escaped `\n`, `\r` or `\t`).
fn skip_blanks(bytes: &[u8], i: usize, in_json: bool) -> usize {
    skip_whitespace(bytes, i, in_json, true)
}

/// [`skip_blanks`] within a line: spaces and tabs only.
fn skip_spaces(bytes: &[u8], i: usize, in_json: bool) -> usize {
    skip_whitespace(bytes, i, in_json, false)
}

fn skip_whitespace(bytes: &[u8], mut i: usize, in_json: bool, line_breaks: bool) -> usize {
    let blank =
        |byte: u8| byte == b' ' || byte == b'\t' || (line_breaks && byte.is_ascii_whitespace());
    loop {
        match bytes.get(i) {
            Some(&byte) if blank(byte) => i += 1,
            Some(b'\\') if in_json => match bytes.get(i + 1) {
                Some(b't') => i += 2,
                Some(b'n' | b'r') if line_breaks => i += 2,
                _ => return i,
            },
            _ => return i,
        }
    }
}

/// The index of the closing `quote` of a string whose inside starts at `i`
/// (a backslash escapes the next byte, so `\\"` in a JSON string is found
/// but never cut in half), or the end if it is unterminated.
fn closing_quote(bytes: &[u8], mut i: usize, quote: &[u8]) -> usize {
    // Inside an escaped string (`\"...\"`, JSON text inside a JSON string),
    // every character is escaped once more: `\\\"` is a quote in the value.
    // `inner_escape`: the last character, unescaped once, was a backslash.
    let escaped_string = quote == b"\\\"";
    let mut inner_escape = false;
    while let Some(&byte) = bytes.get(i) {
        let unescaped = if byte == b'\\' {
            bytes.get(i + 1).copied()
        } else {
            Some(byte)
        };
        if sub_bytes(bytes, i..).starts_with(quote) && !inner_escape {
            return i;
        }
        inner_escape = escaped_string && !inner_escape && unescaped == Some(b'\\');
        i += if byte == b'\\' { 2 } else { 1 };
    }
    bytes.len()
}

/// The index just past the bracket matching the one at `i` (strings
/// between `quote`s skipped), or the end if it is unterminated.
fn matching_bracket_end(bytes: &[u8], mut i: usize, quote: &[u8]) -> usize {
    let mut depth = 0usize;
    while let Some(&byte) = bytes.get(i) {
        if sub_bytes(bytes, i..).starts_with(quote) {
            i = closing_quote(bytes, i + quote.len(), quote) + quote.len();
            continue;
        }
        match byte {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Where the auth-param `name="value"` ends, when the credential run
/// `start..end` after an auth scheme is its `name=` (`Token token="abc"`):
/// a name of letters, digits, `-` and `_` (not base64's `==` padding), a
/// double quote, and after the closing one the end, a blank, `,` or `;`.
fn auth_param_end(bytes: &[u8], start: usize, end: usize, in_json: bool) -> Option<usize> {
    let name = sub_bytes(bytes, start..end).strip_suffix(b"=")?;
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let quote = quote_at(bytes, end, in_json).filter(|&quote| quote != b"'")?;
    let after = (closing_quote(bytes, end + quote.len(), quote) + quote.len()).min(bytes.len());
    match bytes.get(after) {
        None | Some(b',' | b';') => Some(after),
        Some(byte) if byte.is_ascii_whitespace() => Some(after),
        Some(_) => None,
    }
}

/// Where the secret of an unquoted value at `i` starts: after an HTTP auth
/// scheme (`Bearer `) when a credential follows it, else at `i`. The scheme is one of [`AUTH_SCHEMES`], or with `any_scheme` (an
/// `Authorization` value) any token (RFC 9110's `tchar`s but the quote and
/// `|`) followed by exactly one credential on its line. The flag says the
/// whole line is the secret: an `Authorization` value whose first word is
/// no known scheme and has more than one word after it (`abc123 from
/// 10.0.0.1`), where that word may be the credential itself.
fn after_auth_scheme(bytes: &[u8], i: usize, in_json: bool, any_scheme: bool) -> (usize, bool) {
    let in_scheme =
        |b: &u8| b.is_ascii_alphanumeric() || (any_scheme && b"!#$%&*+-.^_`~".contains(b));
    let mut end = i;
    while bytes.get(end).is_some_and(in_scheme) {
        end += 1;
    }
    let scheme = sub_bytes(bytes, i..end);
    let known = AUTH_SCHEMES
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s.as_bytes()));
    if scheme.is_empty() || !(any_scheme || known) {
        return (i, false);
    }
    // A known scheme's credential may follow on the next line (a wrapped
    // header); another word's only on its own line (else a bare credential
    // would be kept as the "scheme" of the next line's first word).
    let credential = if known {
        skip_blanks(bytes, end, in_json)
    } else {
        skip_spaces(bytes, end, in_json)
    };
    let credential_end = run_end(bytes, credential, in_json, HEADER_STOPS);
    if credential == end
        || (credential_end == credential && quote_at(bytes, credential, in_json).is_none())
    {
        return (i, false);
    }
    if known {
        return (credential, false);
    }
    let one_word = match char_at(bytes, skip_spaces(bytes, credential_end, in_json), in_json) {
        Some((Some(byte), _)) => b"\r\n\"',;&}])<>".contains(&byte),
        _ => true,
    };
    if one_word {
        (credential, false)
    } else {
        (i, true)
    }
}

/// Where a header-like value (`key: value`) ends, besides whitespace and
/// quotes.
const HEADER_STOPS: &[u8] = b",;&}])<>";

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;
    use std::vec;

    fn redact(text: &str) -> String {
        Redactor::default().redact_text(text).into_owned()
    }

    #[test]
    fn an_edit_off_a_character_boundary_redacts_everything() {
        // Only a bug makes such an edit; the secret must not leak then.
        let text = "é=secret";
        let edit = Edit {
            start: 1,
            end: 8,
            with: Cow::Borrowed(REDACTED),
        };
        assert_eq!(apply(text, &[edit]), REDACTED);
    }

    #[test]
    fn a_quote_in_a_url_userinfo_does_not_end_it() {
        // Browsers leave `'` (and `&`) unescaped in a userinfo.
        for (text, expected) in [
            (
                "wss://bob:it's-s3cret@api.example/ws",
                "wss://bob:[redacted]@api.example/ws",
            ),
            ("wss://bob:it's&x@h/ws", "wss://bob:[redacted]@h/ws"),
            // A host with a port whose name holds a key is skipped as host.
            (
                "wss://o'brien:pw@secrets.example.com:8443/ws",
                "wss://o'brien:[redacted]@secrets.example.com:8443/ws",
            ),
            (
                "'wss://bob:pw@h' and 'x@y'",
                "'wss://bob:[redacted]@h' and 'x@y'",
            ),
            ("'wss://h', 'a@b'", "'wss://h', 'a@b'"),
            // No `:` in what would be the userinfo: read as text.
            ("wss://h'x@token:abc", "wss://h'x@token:[redacted]"),
            ("wss://h'token%3Dabc@z", "wss://h'token%3D[redacted]"),
        ] {
            let once = redact(text);
            assert_eq!(once, expected, "{text}");
            assert_eq!(redact(&once), once, "a second pass changes nothing");
        }
    }

    #[test]
    fn the_newer_default_keys_cover_common_spellings() {
        for (text, expected) in [
            (
                r#"{"private_key_id":"k1","private_key":"-----BEGIN PRIVATE KEY-----x"}"#,
                r#"{"private_key_id":"[redacted]","private_key":"[redacted]"}"#,
            ),
            ("X-Session-Id: abc", "X-Session-Id: [redacted]"),
            (r#"{"PHPSESSID":"abc"}"#, r#"{"PHPSESSID":"[redacted]"}"#),
        ] {
            assert_eq!(redact(text), expected, "{text}");
        }
    }

    #[test]
    fn a_hash_arrow_is_one_separator() {
        for (text, expected) in [
            (
                r#"{"password"=>"hunter2"}"#,
                r#"{"password"=>"[redacted]"}"#,
            ),
            ("'password' => 'hunter2'", "'password' => '[redacted]'"),
            ("password=>hunter2 done", "password=>[redacted] done"),
        ] {
            assert_eq!(redact(text), expected, "{text}");
        }
    }

    #[test]
    fn json_keys_get_the_plain_text_pass() {
        for (text, expected) in [
            (
                r#"{"wss://bob:hunter2@h/ws":"up"}"#,
                r#"{"wss://bob:[redacted]@h/ws":"up"}"#,
            ),
            (
                r#"{"entries":{"https://api.test/f?token=abc":{"status":200}}}"#,
                r#"{"entries":{"https://api.test/f?token=[redacted]":"[redacted]"}}"#,
            ),
        ] {
            assert_eq!(redact(text), expected, "{text}");
        }
    }

    #[test]
    fn a_json_key_a_marker_makes_secret_does_not_keep_its_value() {
        // With a key that occurs in the marker, the edited key reads as
        // secret: its value goes too.
        let redactor = Redactor::new(vec!["acted".into()]);
        assert_eq!(
            redactor.redact_text(r#"{"wss://u:pw@h":"v"}"#),
            r#"{"wss://u:[redacted]@h":"[redacted]"}"#
        );
    }

    #[test]
    fn a_cookie_or_passphrase_header_is_redacted_to_the_end_of_its_line() {
        for (text, expected) in [
            (
                "Cookie: theme=dark; connect.sid=s%3Aabc\nnext: 1",
                "Cookie: [redacted]\nnext: 1",
            ),
            (
                "passphrase: correct horse battery staple  \r\nok",
                "passphrase: [redacted]  \r\nok",
            ),
            (
                r#"{"log":"Set-Cookie: sid=abc; Path=/\nnext"}"#,
                r#"{"log":"Set-Cookie: [redacted]\nnext"}"#,
            ),
            // Other header-like values still end at punctuation.
            ("x-auth-token: abc, ok", "x-auth-token: [redacted], ok"),
        ] {
            assert_eq!(redact(text), expected, "{text}");
        }
    }

    #[test]
    fn secret_keys_match_case_insensitively_and_by_containment() {
        let redactor = Redactor::default();
        for key in [
            "token",
            "access_token",
            "Password",
            "X-Auth-Token",
            "clientSecret",
            "AUTHORIZATION",
        ] {
            assert!(redactor.is_secret_key(key), "{key}");
        }
        for key in ["type", "id", "tok", "user", ""] {
            assert!(!redactor.is_secret_key(key), "{key}");
        }
        let custom = Redactor::new(vec!["ApiKey".into(), String::new()]);
        assert!(custom.is_secret_key("x-apikey"));
        assert!(!custom.is_secret_key("token"));
        assert!(
            !custom.is_secret_key("anything"),
            "an empty key matches nothing"
        );
    }

    #[test]
    fn json_secret_values_of_every_type_are_redacted() {
        assert_eq!(
            redact(r#"{"type":"auth","token":"abc","n":1}"#),
            r#"{"type":"auth","token":"[redacted]","n":1}"#
        );
        assert_eq!(
            redact(r#"{"password":12345,"secret":{"a":[1,"x"]},"Token":null,"accessToken":true}"#),
            r#"{"password":"[redacted]","secret":"[redacted]","Token":"[redacted]","accessToken":"[redacted]"}"#
        );
        assert_eq!(redact(r#"{"secret":[1,2]}"#), r#"{"secret":"[redacted]"}"#);
    }

    #[test]
    fn json_secrets_are_redacted_at_any_depth_and_the_rest_is_byte_identical() {
        let text = "{ \"type\" : \"login\",\n  \"auth\": {\"user\": \"ann\", \"access_token\" : \"t-1\"},\n  \"list\": [ {\"Password\": \"p\"}, [ {\"x\": {\"secret\": 2}} ] ] }";
        let expected = "{ \"type\" : \"login\",\n  \"auth\": {\"user\": \"ann\", \"access_token\" : \"[redacted]\"},\n  \"list\": [ {\"Password\": \"[redacted]\"}, [ {\"x\": {\"secret\": \"[redacted]\"}} ] ] }";
        assert_eq!(redact(text), expected);
        assert!(json_scan::is_valid(&redact(text)));
    }

    #[test]
    fn json_keys_are_compared_unescaped_and_escaped_values_are_replaced_whole() {
        assert_eq!(
            redact(r#"{"to\u006ben":"a\"b\\c\u0041"}"#),
            r#"{"to\u006ben":"[redacted]"}"#
        );
        assert_eq!(
            redact(r#"{"note":"say \"token\" twice","id":"x\\y"}"#),
            r#"{"note":"say \"token\" twice","id":"x\\y"}"#
        );
    }

    #[test]
    fn urls_inside_json_strings_are_redacted() {
        assert_eq!(
            redact(
                r#"{"url":"wss://h/ws?token=abc&x=1","list":["https://u:pw@h/?Access_Token=z#f"]}"#
            ),
            r#"{"url":"wss://h/ws?token=[redacted]&x=1","list":["https://u:[redacted]@h/?Access_Token=[redacted]#f"]}"#
        );
        assert_eq!(
            redact(r#""wss://h/?token=abc""#),
            r#""wss://h/?token=[redacted]""#
        );
    }

    #[test]
    fn a_query_value_in_a_json_string_stops_before_an_escape() {
        let text = r#"{"log":"GET /?token=abc\"def\nnext"}"#;
        let redacted = redact(text);
        assert_eq!(redacted, r#"{"log":"GET /?token=[redacted]\"def\nnext"}"#);
        assert!(json_scan::is_valid(&redacted));
    }

    #[test]
    fn headers_inside_json_strings_are_redacted() {
        assert_eq!(
            redact(r#"{"raw":"Authorization: Bearer xyz"}"#),
            r#"{"raw":"Authorization: Bearer [redacted]"}"#
        );
    }

    #[test]
    fn double_encoded_json_inside_a_string_is_redacted() {
        let text = r#"{"payload":"{\"token\":\"abc\",\"n\":1}"}"#;
        let redacted = redact(text);
        assert_eq!(
            redacted,
            r#"{"payload":"{\"token\":\"[redacted]\",\"n\":1}"}"#
        );
        assert!(json_scan::is_valid(&redacted));
    }

    #[test]
    fn double_encoded_objects_and_arrays_are_redacted_whole() {
        for (text, want) in [
            (
                r#"{"payload":"{\"tokens\":[\"tk_1\",\"tk_2\"],\"n\":1}"}"#,
                r#"{"payload":"{\"tokens\":\"[redacted]\",\"n\":1}"}"#,
            ),
            (
                r#"{"payload":"{\"secret\":{\"k\":\"a]}\\\"b\"}}"}"#,
                r#"{"payload":"{\"secret\":\"[redacted]\"}"}"#,
            ),
            (
                r#"{"payload":"{\"secret\": [1, 2, 3]}"}"#,
                r#"{"payload":"{\"secret\": \"[redacted]\"}"}"#,
            ),
        ] {
            let redacted = redact(text);
            assert_eq!(redacted, want, "{text}");
            assert!(json_scan::is_valid(&redacted), "{redacted}");
        }
    }

    #[test]
    fn escapes_inside_a_secret_in_a_json_string_do_not_end_it() {
        for (text, want) in [
            (
                r#"{"note":"password=p\u00e4ssw\u00f6rd next"}"#,
                r#"{"note":"password=[redacted] next"}"#,
            ),
            (
                r#"{"log":"password=DOM\\admin"}"#,
                r#"{"log":"password=[redacted]"}"#,
            ),
            (
                r#"{"url":"wss:\/\/h\/ws?token=ab\/cd+ef&x=1"}"#,
                r#"{"url":"wss:\/\/h\/ws?token=[redacted]&x=1"}"#,
            ),
            // An escape that stands for a stop still ends the value.
            (
                r#"{"url":"?token=ab\u0026x=1"}"#,
                r#"{"url":"?token=[redacted]\u0026x=1"}"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn an_escaped_line_break_before_a_secret_value_is_a_blank() {
        for (text, want) in [
            (
                r#"{"log":"password:\n  hunter2\nnext"}"#,
                r#"{"log":"password:\n  [redacted]\nnext"}"#,
            ),
            (
                r#"{"log":"password:\r\n\thunter2"}"#,
                r#"{"log":"password:\r\n\t[redacted]"}"#,
            ),
            (
                r#"{"log":"Authorization: Bearer\nabc123"}"#,
                r#"{"log":"Authorization: Bearer\n[redacted]"}"#,
            ),
            // An escaped backslash before an `n` is not a line break.
            (
                r#"{"log":"password:\\nhunter2"}"#,
                r#"{"log":"password:[redacted]"}"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn an_escaped_separator_in_a_json_string_is_a_separator() {
        // Gson writes `=` as `\u003d` and `&` as `\u0026`.
        for (text, want) in [
            (
                r#"{"url":"wss://h/?a\u003d1\u0026token\u003dabc\u0026b\u003d2"}"#,
                r#"{"url":"wss://h/?a\u003d1\u0026token\u003d[redacted]\u0026b\u003d2"}"#,
            ),
            (
                r#"{"log":"password\u003dhunter2"}"#,
                r#"{"log":"password\u003d[redacted]"}"#,
            ),
            (
                r#"{"log":"token\u003a hunter2"}"#,
                r#"{"log":"token\u003a [redacted]"}"#,
            ),
            // Another escape is no separator.
            (r#"{"log":"token\u0021x"}"#, r#"{"log":"token\u0021x"}"#),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
        // Outside a JSON string, a backslash is only a backslash.
        assert_eq!(redact(r"token\u003dabc"), r"token\u003dabc");
    }

    #[test]
    fn escaped_slashes_in_a_json_string_still_make_a_url() {
        let text = r#"{"url":"wss:\/\/bob:hunter2@h\/ws\/password=x"}"#;
        assert_eq!(
            redact(text),
            r#"{"url":"wss:\/\/bob:[redacted]@h\/ws\/password=[redacted]"}"#
        );
    }

    #[test]
    fn a_percent_encoded_query_string_is_read_as_one() {
        for (text, want) in [
            // A return URL inside a query value.
            (
                "wss://h/?next=https%3A%2F%2Fa.test%2Fcb%3Fn%3D1%26token%3Dabc%26m%3D2#f",
                "wss://h/?next=https%3A%2F%2Fa.test%2Fcb%3Fn%3D1%26token%3D[redacted]%26m%3D2#f",
            ),
            ("token%3dab+c d", "token%3d[redacted] d"),
            ("x%3Fsecret%3Dzz%23frag", "x%3Fsecret%3D[redacted]%23frag"),
            // Every secret of the word, also after one already redacted or
            // an empty one.
            (
                "token%3D[redacted]%26password%3Dabc",
                "token%3D[redacted]%26password%3D[redacted]",
            ),
            (
                "token%3D%26password%3Dabc",
                "token%3D%26password%3D[redacted]",
            ),
            // The word goes on after an encoded value: a raw `=` or `:` after
            // it still gives the whole word's value.
            (
                "wss://h/?next=%2Fcb%3Ftoken%3Dabc%26m=1&x=2",
                "wss://h/?next=%2Fcb%3Ftoken%3D[redacted]%26m=[redacted]&x=2",
            ),
            ("token%3Dabc: hunter2", "token%3D[redacted]: [redacted]"),
            (
                r#""next%3Ftoken%3Dx": "hunter2""#,
                r#""next%3Ftoken%3D[redacted]": "[redacted]""#,
            ),
            (
                r#"{"next":"%2Fcb%3Fpassword%3Dhunter2"}"#,
                r#"{"next":"%2Fcb%3Fpassword%3D[redacted]"}"#,
            ),
            // Names that are not secret stay.
            ("a%3Fn%3D1%26m%3D2", "a%3Fn%3D1%26m%3D2"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact_url("wss://h/?next=%2Fcb%3Ftoken%3Dabc"),
            "wss://h/?next=%2Fcb%3Ftoken%3D[redacted]"
        );
    }

    #[test]
    fn percent_encoded_parameter_names_are_decoded_to_be_judged() {
        let redactor = Redactor::default();
        for (url, want) in [
            (
                "wss://h/?auth%5Btoken%5D=abc&x=1",
                "wss://h/?auth%5Btoken%5D=[redacted]&x=1",
            ),
            (
                "wss://h/?user%5Bpassword%5D=hunter2",
                "wss://h/?user%5Bpassword%5D=[redacted]",
            ),
            ("wss://h/?%74oken=abc", "wss://h/?%74oken=[redacted]"),
            (
                "wss://h/?tok%65n=abc&%zz=1",
                "wss://h/?tok%65n=[redacted]&%zz=1",
            ),
        ] {
            assert_eq!(redactor.redact_url(url), want);
            assert_eq!(redactor.redact_text(url), want);
        }
    }

    #[test]
    fn an_authorization_header_keeps_any_scheme_and_redacts_what_follows() {
        for (text, want) in [
            (
                "Authorization: Bot MTk4NjIy.Cl2FMQ.ZnCjm1XV",
                "Authorization: Bot [redacted]",
            ),
            (
                "authorization: ApiKey VnVhQ2ZH==",
                "authorization: ApiKey [redacted]",
            ),
            (
                "Authorization: SSWS 00QCjAl4M",
                "Authorization: SSWS [redacted]",
            ),
            (
                "Proxy-Authorization: SharedKey acct:c2ln, next",
                "Proxy-Authorization: SharedKey [redacted], next",
            ),
            (
                "Authorization: Zoho-oauthtoken 1000.abc",
                "Authorization: Zoho-oauthtoken [redacted]",
            ),
            ("Authorization: xyz", "Authorization: [redacted]"),
            (
                r#"{"log":"Authorization: JWT eyJhbGci.eyJzdWIi.c2ln"}"#,
                r#"{"log":"Authorization: JWT [redacted]"}"#,
            ),
            // Other keys keep only the schemes everybody knows.
            ("token: Bearer abc", "token: Bearer [redacted]"),
            // A passphrase is words, the first of which may read as a scheme.
            (
                "passphrase: token of my affection",
                "passphrase: [redacted]",
            ),
            ("Cookie: Basic abc; sid=1", "Cookie: [redacted]"),
            // A first word that is no known scheme is kept only with one
            // credential after it on its line: else it may be the
            // credential, and the line goes.
            (
                "Authorization: lin_api_abc123\nHost: api.example.com",
                "Authorization: [redacted]\nHost: api.example.com",
            ),
            (
                r#"{"log":"Authorization: abc123 from 10.0.0.1"}"#,
                r#"{"log":"Authorization: [redacted]"}"#,
            ),
            (
                "authorization_code: SplxlOBe for client x",
                "authorization_code: [redacted]",
            ),
            (
                "authorization=sk_live_123 user=bob",
                "authorization=[redacted] user=bob",
            ),
            (
                "Authorization: |\n  Bearer abc\nnext: 1",
                "Authorization: |\n  [redacted]\nnext: 1",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
            assert_eq!(redact(want), want, "a second pass: {want}");
        }
    }

    #[test]
    fn a_pem_block_is_redacted_to_its_end_line() {
        for (text, want) in [
            (
                "private_key: -----BEGIN PRIVATE KEY----- MIIEvQIB ADAN -----END PRIVATE KEY----- next: 1",
                "private_key: [redacted] next: 1",
            ),
            (
                "private_key=-----BEGIN RSA PRIVATE KEY-----\nMIIEvQ\nADAN\n-----END RSA PRIVATE KEY-----\nnext",
                "private_key=[redacted]\nnext",
            ),
            (
                r#"{"log":"private_key: -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\nok"}"#,
                r#"{"log":"private_key: [redacted]\nok"}"#,
            ),
            // A bundle: the key after the certificate goes too.
            (
                "credential: -----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\nnext",
                "credential: [redacted]\nnext",
            ),
            // Without its END, the rest is the key's body.
            (
                "secret: -----BEGIN KEY-----\nMIIE\nAB",
                "secret: [redacted]",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
            assert_eq!(redact(want), want, "a second pass: {want}");
        }
    }

    #[test]
    fn a_yaml_block_scalar_is_redacted_through_its_indented_lines() {
        for (text, want) in [
            (
                "tls:\n  private_key: |\n    -----BEGIN PRIVATE KEY-----\n    MIIEvQ\n\n    ADAN\n  port: 443\n",
                "tls:\n  private_key: |\n    [redacted]\n  port: 443\n",
            ),
            (
                "- password: >-\n    correct horse\n    battery\nnext: x",
                "- password: >-\n    [redacted]\nnext: x",
            ),
            // A quoted key's column is its quote's.
            (
                "\"password\": |\n hunter2\nnext: 1",
                "\"password\": |\n [redacted]\nnext: 1",
            ),
            // No deeper line: only the indicator, as any value.
            ("token: |\nnext: 1", "token: [redacted]\nnext: 1"),
        ] {
            assert_eq!(redact(text), want, "{text}");
            assert_eq!(redact(want), want, "a second pass: {want}");
        }
    }

    #[test]
    fn json_inside_json_inside_a_string_is_redacted_at_any_depth() {
        let third =
            r#"{"type":"relay","data":"{\"m\":\"{\\\"token\\\":\\\"s3cr3t\\\",\\\"n\\\":1}\"}"}"#;
        let fourth = json_scan::quote(&json_scan::quote(&json_scan::quote(
            r#"{"password":"hunter2","ok":true}"#,
        )));
        let fourth = concat(&[r#"{"wrapped":"#, &fourth, "}"]);
        for text in [third, &fourth] {
            let out = redact(text);
            assert!(json_scan::is_valid(&out), "{out}");
            assert!(!out.contains("s3cr3t") && !out.contains("hunter2"), "{out}");
            assert!(out.contains("[redacted]"), "{out}");
            assert_eq!(redact(&out), out, "a second pass");
        }
        // The layers still read as before, but for the secret.
        let out = redact(third);
        let data = json_scan::field_text(&out, "data").unwrap();
        let m = json_scan::field_text(&data, "m").unwrap();
        assert_eq!(m, r#"{"token":"[redacted]","n":1}"#);
        // JSON one level down is edited in place, as before.
        let second = r#"{"data":"{\"token\":\"abc\",\"x\":\"\u00e4\"}"}"#;
        assert_eq!(
            redact(second),
            r#"{"data":"{\"token\":\"[redacted]\",\"x\":\"\u00e4\"}"}"#
        );
    }

    #[test]
    fn a_quoted_credential_after_an_auth_scheme_is_redacted() {
        for (text, want) in [
            (
                r#"Authorization: Bearer "abc123""#,
                r#"Authorization: Bearer "[redacted]""#,
            ),
            (
                r#"Authorization: Token token="abc123", x=1"#,
                r#"Authorization: Token [redacted], x=1"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn base64_padding_before_a_quote_is_not_an_auth_param() {
        for (text, want) in [
            (
                "curl -H 'Authorization: Basic dXNlcjpwYXNz==' -H 'X-Trace: 1'",
                "curl -H 'Authorization: Basic [redacted]' -H 'X-Trace: 1'",
            ),
            (
                r#"{"headers":"Authorization: Bearer abc=","user":"bob","n":"#,
                r#"{"headers":"Authorization: Bearer [redacted]","user":"bob","n":"#,
            ),
            (
                r#"{"cmd":"curl -H 'Authorization: Basic abc==' https://h/x","n":1}"#,
                r#"{"cmd":"curl -H 'Authorization: Basic [redacted]' https://h/x","n":1}"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_quoted_key_with_more_than_the_secret_word_is_a_key() {
        assert_eq!(
            redact(r#"{"error":"bad","Auth Token":"abc123","n":"#),
            r#"{"error":"bad","Auth Token":"[redacted]","n":"#
        );
        assert_eq!(
            redact(r#"{'Auth Token': 'abc123'}"#),
            r#"{'Auth Token': '[redacted]'}"#
        );
    }

    #[test]
    fn quotes_escaped_as_unicode_in_a_json_string_are_quotes() {
        // Gson writes `'` as \u0027 and `=` as \u003d; PHP's JSON_HEX_QUOT
        // writes `"` as \u0022.
        assert_eq!(
            redact(r#"{"log":"password\u003d\u0027hunter2\u0027 ok"}"#),
            r#"{"log":"password\u003d\u0027[redacted]\u0027 ok"}"#
        );
        assert_eq!(
            redact(r#"{"p":"{\u0022password\u0022:\u0022x y\u0022,\u0022n\u0022:1}"}"#),
            r#"{"p":"{\u0022password\u0022:\u0022[redacted]\u0022,\u0022n\u0022:1}"}"#
        );
        let once = redact(r#"{"log":"password\u003d\u0027hunter2\u0027"}"#);
        assert_eq!(redact(&once), once, "a second pass changes nothing");
    }

    #[test]
    fn what_follows_a_host_after_a_semicolon_or_comma_is_read_again() {
        assert_eq!(
            redact("Login failed: jdbc:sqlserver://db:1433;user=sa;password=S3cret"),
            "Login failed: jdbc:sqlserver://db:1433;user=sa;password=[redacted]"
        );
        assert_eq!(
            redact("wss://u:p@h;token=abc"),
            "wss://u:[redacted]@h;token=[redacted]"
        );
        assert_eq!(
            redact("see https://a.test,token=abc"),
            "see https://a.test,token=[redacted]"
        );
    }

    #[test]
    fn the_default_keys_cover_common_credential_names() {
        let text = r#"{"apiKey":"a","X-Api-Key":"b","api_key":"c","passphrase":"d","passwd":"e","signature":"f","Set-Cookie":"g","JSESSIONID":"h","privateKey":"i","client_credentials":"j","monkey":1,"signal":2,"sessions":3}"#;
        assert_eq!(
            redact(text),
            r#"{"apiKey":"[redacted]","X-Api-Key":"[redacted]","api_key":"[redacted]","passphrase":"[redacted]","passwd":"[redacted]","signature":"[redacted]","Set-Cookie":"[redacted]","JSESSIONID":"[redacted]","privateKey":"[redacted]","client_credentials":"[redacted]","monkey":1,"signal":2,"sessions":3}"#
        );
        assert_eq!(
            Redactor::default().redact_url("wss://h/ws?apikey=k&x=1"),
            "wss://h/ws?apikey=[redacted]&x=1"
        );
    }

    #[test]
    fn keys_beyond_ascii_match_as_written() {
        let redactor = Redactor::new(vec![String::from("пароль")]);
        assert_eq!(
            redactor.redact_text(r#"{"пароль":"abc"}"#),
            r#"{"пароль":"[redacted]"}"#
        );
        assert_eq!(redactor.redact_text("пароль=abc x"), "пароль=[redacted] x");
        assert_eq!(
            redactor.redact_text("мой_пароль: abc"),
            "мой_пароль: [redacted]"
        );
    }

    #[test]
    fn query_parameters_in_plain_text_are_redacted() {
        assert_eq!(redact("?token=abc&x=1"), "?token=[redacted]&x=1");
        assert_eq!(
            redact("wss://host/ws?x=1&TOKEN=a.b-c%2F==#frag"),
            "wss://host/ws?x=1&TOKEN=[redacted]#frag"
        );
        assert_eq!(
            redact("connect to wss://h/?access_token=abc then password=hunter2 'secret=s'"),
            "connect to wss://h/?access_token=[redacted] then password=[redacted] 'secret=[redacted]'"
        );
        assert_eq!(
            redact("a=1&params[token]=z"),
            "a=1&params[token]=[redacted]"
        );
    }

    #[test]
    fn quoted_and_spaced_key_value_pairs_are_redacted() {
        for (text, secret) in [
            (r#"invalid token="abc123""#, "abc123"),
            ("password='hunter2' rest", "hunter2"),
            ("'token'='abc123'", "abc123"),
            ("token = abc123", "abc123"),
            ("token =abc123&x=1", "abc123"),
            ("authorization=Bearer abc123", "abc123"),
            ("{\"token\"\n: \"abc123\",", "abc123"),
        ] {
            let redacted = redact(text);
            assert!(!redacted.contains(secret), "{text:?} -> {redacted:?}");
            assert!(redacted.contains(REDACTED), "{text:?} -> {redacted:?}");
        }
        assert_eq!(redact(r#"token="abc123" ok"#), r#"token="[redacted]" ok"#);
        assert_eq!(
            redact("authorization=Bearer abc123&x=1"),
            "authorization=Bearer [redacted]&x=1"
        );
        // Inside a JSON string the quotes are escaped; the document stays valid.
        let json = r#"{"log":"auth failed: password=\"hunter2\" for bob"}"#;
        assert_eq!(
            redact(json),
            r#"{"log":"auth failed: password=\"[redacted]\" for bob"}"#
        );
    }

    #[test]
    fn escaped_quotes_in_plain_text_are_quotes() {
        // Text copied out of a JSON string, but not itself valid JSON.
        assert_eq!(
            redact(r#"password=\"hunter2\" for bob"#),
            r#"password=\"[redacted]\" for bob"#
        );
        assert_eq!(
            redact(r#"x {\"token\": \"abc123\"}"#),
            r#"x {\"token\": \"[redacted]\"}"#
        );
        assert_eq!(
            redact(r#"{"payload":"{\"token\":\"abc\",\"n\":1"#),
            r#"{"payload":"{\"token\":\"[redacted]\",\"n\":1"#
        );
        let redactor = Redactor::default();
        for text in [
            r#"password=\"hunter2\" for bob"#,
            r#"x {\"token\": \"abc123\"}"#,
        ] {
            let once = redactor.redact_text(text).into_owned();
            assert!(matches!(redactor.redact_text(&once), Cow::Borrowed(_)));
        }
        // A trailing or unterminated escape neither panics nor leaks.
        assert_eq!(redact("password=\\"), "password=[redacted]");
        assert_eq!(redact(r#"token=\"abc\"#), r#"token=\"[redacted]"#);
        assert_eq!(redact(r#"\"token\"#), r#"\"token\"#);
        // A quote inside a secret in JSON text inside a JSON string.
        assert_eq!(
            redact(r#"x {\"token\": \"a\\\"b\", \"n\": 1}"#),
            r#"x {\"token\": \"[redacted]\", \"n\": 1}"#
        );
    }

    #[test]
    fn plain_text_without_backslashes_is_redacted_as_before() {
        for (text, expected) in [
            (
                r#"password="hunter2" for bob"#,
                r#"password="[redacted]" for bob"#,
            ),
            (r#"x {"token": "abc123"}"#, r#"x {"token": "[redacted]"}"#),
            ("x {'token': 'abc123'}", "x {'token': '[redacted]'}"),
            ("token=abc\"def", "token=[redacted]\"def"),
            (r#""token":abc "#, r#""token":[redacted] "#),
        ] {
            assert_eq!(redact(text), expected, "{text:?}");
        }
    }

    #[test]
    fn authorization_headers_in_plain_text_keep_the_scheme() {
        assert_eq!(
            redact("Authorization: Bearer xyz.abc"),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(
            redact("GET /\r\nauthorization:Basic dXNlcjpwYXNz\r\nHost: h"),
            "GET /\r\nauthorization:Basic [redacted]\r\nHost: h"
        );
        assert_eq!(redact("Authorization: xyz"), "Authorization: [redacted]");
        assert_eq!(
            redact("x-auth-token: abc, ok"),
            "x-auth-token: [redacted], ok"
        );
    }

    #[test]
    fn truncated_json_is_still_redacted_as_plain_text() {
        assert_eq!(
            redact(r#"{"type":"auth","token":"abcdef"#),
            r#"{"type":"auth","token":"[redacted]"#
        );
        assert_eq!(
            redact(r#"{"auth": {"password": 'p\'q', "secret": {"a": "}"}, "n": 1"#),
            r#"{"auth": {"password": '[redacted]', "secret": "[redacted]", "n": 1"#
        );
        assert_eq!(
            redact(r#"{"password": 123, "#),
            r#"{"password": [redacted], "#
        );
    }

    #[test]
    fn non_secret_text_is_borrowed_unchanged() {
        let redactor = Redactor::default();
        for text in [
            "",
            "hello world",
            r#"{"type":"ping","id":1}"#,
            "wss://example.com:443/ws?room=1#x",
            "wss://token.example.com:443/ws",
            "[1,2,{\"a\":\"b\"}]",
            "no tokens here: just text",
            "{ not json",
        ] {
            assert!(
                matches!(redactor.redact_text(text), Cow::Borrowed(_)),
                "{text:?}"
            );
            assert!(
                matches!(redactor.redact_url(text), Cow::Borrowed(_)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        let redactor = Redactor::default();
        for text in [
            r#"{"token":"abc","u":"wss://a:b@h/?token=c"}"#,
            "wss://a:b@h/?token=c",
            "Authorization: Bearer xyz",
            "token: xyz",
            "token: [1, 2]",
            r#"{"token":"abc"#,
        ] {
            let once = redactor.redact_text(text).into_owned();
            assert!(
                matches!(redactor.redact_text(&once), Cow::Borrowed(_)),
                "{once}"
            );
        }
    }

    #[test]
    fn a_url_whose_scheme_ends_the_authority_before_it_is_still_read_as_a_url() {
        // The first pass redacts `b/c` (a query value runs past `/`), so the
        // authority of `x://` then runs on to the `/` of `y://`, and the
        // skip over its host `_]y:` used to land past the `:` of `y://`: a
        // second pass read `token=abc` (the userinfo of `y://`) as a
        // parameter. Found by the fuzz smoke.
        let redactor = Redactor::default();
        for text in [
            "x://token=abc&a_token=b/c&d@_]y://token=abc@h/",
            concat!(
                r#"{"": "wss://u:tk_xa_tc,edcei_%&%tobsc&i_tokei_]Wws://token=abc"#,
                r#"&I_token=ao2/wtok&aibn=_%&%tobc&i_toke@_]Wws://token=abc&I_token=ao2"#,
                r#"@h/?token=wtok&aibn=,cet"}"#
            ),
        ] {
            let once = redactor.redact_text(text).into_owned();
            assert_eq!(redactor.redact_text(&once), once, "{text:?}");
            let once = redactor.redact_url(text).into_owned();
            assert_eq!(redactor.redact_url(&once), once, "{text:?}");
        }
    }

    #[test]
    fn a_word_right_after_a_new_marker_is_judged_as_it_will_read() {
        // `]` is a key byte, so `[redacted]` followed by `]um` reads as the
        // word `[redacted]]um`, which holds the key `]]` that `]um` alone
        // does not: the first pass reads it that way too.
        let redactor = Redactor::new(vec!["]]".into()]);
        let once = redactor.redact_text("a]]: :]um= =x").into_owned();
        assert_eq!(once, "a]]: [redacted]]um= [redacted]");
        assert!(
            matches!(redactor.redact_text(&once), Cow::Borrowed(_)),
            "{once}"
        );
        // A marker already in the text is read like any other word.
        assert_eq!(
            redactor.redact_text("[redacted]]=abc"),
            "[redacted]]=[redacted]"
        );
        assert_eq!(
            redactor.redact_url("wss://h/?[redacted]]=abc"),
            "wss://h/?[redacted]]=[redacted]"
        );
    }

    #[test]
    fn urls_lose_userinfo_passwords_and_secret_parameters() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact_url("wss://user:pass@host/ws"),
            "wss://user:[redacted]@host/ws"
        );
        assert_eq!(
            redactor.redact_url("wss://user:p:a@ss@host:8080/ws?token=abc&room=2"),
            "wss://user:[redacted]@host:8080/ws?token=[redacted]&room=2"
        );
        assert_eq!(redactor.redact_url("wss://user@host/"), "wss://user@host/");
        assert_eq!(
            redactor.redact_url("wss://secret.example.test:8443/ws?a=1"),
            "wss://secret.example.test:8443/ws?a=1"
        );
        assert_eq!(redactor.redact_url("wss://host/a@b:c"), "wss://host/a@b:c");
        assert_eq!(
            redactor.redact_text("see https://u:p@h/x"),
            "see https://u:[redacted]@h/x"
        );
    }

    #[test]
    fn a_url_inside_a_query_value_does_not_hide_the_parameters_after_it() {
        // Found by fuzz/fuzz_targets/redact.rs: the authority of the inner
        // URL used to run to the next `/`, `?` or `#`, so the redactor
        // skipped `&token=...` behind it.
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact_url("wss://h/ws?next=https://app.test&token=abc"),
            "wss://h/ws?next=https://app.test&token=[redacted]"
        );
        assert_eq!(
            redactor.redact_url("wss://h/?next=https://a.test&token=abc&mail=me@a.test"),
            "wss://h/?next=https://a.test&token=[redacted]&mail=me@a.test"
        );
        assert_eq!(
            redactor.redact_text("see https://a.test&token=abc"),
            "see https://a.test&token=[redacted]"
        );
        assert_eq!(
            redactor.redact_text(r#"{"url":"wss://h/?next=https://u:pw@a.test&token=abc"}"#),
            r#"{"url":"wss://h/?next=https://u:[redacted]@a.test&token=[redacted]"}"#
        );
    }

    #[test]
    fn custom_keys_replace_the_defaults() {
        let redactor = Redactor::new(vec!["session".into()]);
        assert_eq!(
            redactor.redact_text(r#"{"token":"t","sessionId":"s"}"#),
            r#"{"token":"t","sessionId":"[redacted]"}"#
        );
        assert_eq!(
            redactor.redact_url("/?session=1&token=2"),
            "/?session=[redacted]&token=2"
        );
    }

    #[test]
    fn garbled_input_never_panics_redacts_once_and_redacted_json_stays_valid() {
        const PIECES: &[&str] = &[
            "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "token", "=", "&", "'", "://", "@", "a",
            "1", "é", "Bearer ", "\\\"", "\\u0041", "#", "%3D", "%26", "%3F", "%5B", "+", "m",
            "\\u003d",
        ];
        let redactor = Redactor::default();
        let mut state: u64 = 7;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..50_000 {
            let mut text = String::new();
            for _ in 0..next() % 20 {
                text.push_str(PIECES[next() % PIECES.len()]);
            }
            let redacted = redactor.redact_text(&text);
            let _ = redactor.redact_url(&text);
            assert_eq!(redactor.redact_text(&redacted), redacted, "{text:?}");
            if json_scan::is_valid(&text) {
                assert!(json_scan::is_valid(&redacted), "{text:?} -> {redacted:?}");
            }
        }
    }
}
