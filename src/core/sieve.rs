//! The message sieve: which incoming text messages the engine must see as
//! they arrive, because they could be the pong it awaits or the reply to a
//! pending request. Any other message can only go to the app, so the browser
//! driver may hand it over without entering the engine and report it
//! afterwards ([`Engine::passed_directly`]).
//!
//! The test is a substring search that errs only towards "must see": a pong
//! or a reply contains its pong text, pong type or id key as written, unless
//! JSON escapes spell them, and a text with a backslash is always seen. A
//! needle with U+FFFD (what an unpaired surrogate becomes in Rust) matches
//! everything. The JS fast path (`src/web/inbox.rs`) runs the same test.
//!
//! [`Engine::passed_directly`]: super::Engine::passed_directly

use super::payload::utf16_len;

/// What makes a text message a possible pong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PongSieve<'a> {
    /// A pong contains this (or a backslash)...
    pub needle: &'a str,
    /// ...and is at most this long (UTF-16 code units).
    pub max_len: usize,
}

/// The sieve's checks, fixed by the options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageSieve<'a> {
    /// What may be a pong; `None` when no pong matcher is set.
    pub pong: Option<PongSieve<'a>>,
    /// The request id key: a reply contains it (or a backslash).
    pub reply_key: &'a str,
}

impl<'a> MessageSieve<'a> {
    /// The sieve for a pong matcher (`pong_text` wins over `pong_type`, as in
    /// the engine; a `pong_type` pong is at most `max_pong_len` long) and
    /// request id key `id_field`.
    pub fn new(
        pong_text: Option<&'a str>,
        pong_type: Option<&'a str>,
        max_pong_len: usize,
        id_field: &'a str,
    ) -> Self {
        let pong = match (pong_text, pong_type) {
            (Some(text), _) => Some(PongSieve {
                needle: needle(text),
                max_len: utf16_len(text),
            }),
            (None, Some(kind)) => Some(PongSieve {
                needle: needle(kind),
                max_len: max_pong_len,
            }),
            (None, None) => None,
        };
        MessageSieve {
            pong,
            reply_key: needle(id_field),
        }
    }

    /// Whether text message `text` must go through the engine, given
    /// whether a pong and a reply are awaited.
    pub fn must_see(&self, text: &str, pong_awaited: bool, reply_awaited: bool) -> bool {
        let escaped = text.contains('\\');
        let possible = |needle: &str| escaped || text.contains(needle);
        (pong_awaited
            && self
                .pong
                .is_some_and(|pong| utf16_len(text) <= pong.max_len && possible(pong.needle)))
            || (reply_awaited && possible(self.reply_key))
    }
}

/// `text` as a needle: empty (matching everything) if it holds U+FFFD, which
/// a message's unpaired surrogate also turns into on its way into Rust.
/// (`chars().any`, not `str::contains`: that links the substring searcher
/// and its panics into the package, ~4 KB gzip.)
fn needle(text: &str) -> &str {
    if text.chars().any(|c| c == '\u{FFFD}') {
        ""
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_could_match_an_awaited_check_must_be_seen() {
        let sieve = MessageSieve::new(None, Some("pong"), 30, "id");
        assert!(sieve.must_see(r#"{"type":"pong"}"#, true, false));
        assert!(!sieve.must_see(r#"{"type":"pong"}"#, false, false));
        assert!(!sieve.must_see(r#"{"type":"data","n":1}"#, true, false));
        assert!(!sieve.must_see(r#"{"type":"pong","pad":"................"}"#, true, false));
        assert!(
            sieve.must_see(r#"{"t\u0079pe":"po\u006eg"}"#, true, false),
            "escaped"
        );
        assert!(sieve.must_see(r#"{"id":"7"}"#, false, true));
        assert!(!sieve.must_see(r#"{"n":"7"}"#, false, true));
        assert!(sieve.must_see(r#"{"\u0069d":"7"}"#, false, true), "escaped");
    }

    #[test]
    fn an_exact_pong_is_sought_at_its_length_and_a_replacement_char_matches_all() {
        let sieve = MessageSieve::new(Some("PONG"), Some("ignored"), 512, "id");
        assert!(sieve.must_see("PONG", true, false));
        assert!(
            !sieve.must_see("PONG!", true, false),
            "longer than the pong"
        );
        assert!(!sieve.must_see("PING", true, false));
        let lossy = MessageSieve::new(Some("\u{FFFD}"), None, 512, "\u{FFFD}");
        assert!(lossy.must_see("x", true, false));
        assert!(lossy.must_see("anything at all", false, true));
        assert_eq!(MessageSieve::new(None, None, 512, "id").pong, None);
    }
}
