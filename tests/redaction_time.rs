//! Redaction runs in time linear in the text: a message from a server or
//! another user is redacted whenever the inspector is read (`entries()`,
//! `exportJson()`, the dashboard), so a shape that made it quadratic could
//! lock the tab. A complexity guard, not a speed goal: here, outside
//! `src/core`, which reads no clock.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Instant;

use resilient_ws::core::Redactor;

#[test]
fn many_percent_encoded_pairs_in_one_word_take_linear_time() {
    // Each `=` used to judge the whole name from the word's start, and each
    // secret value to scan to the word's end, so 256 KiB of these took
    // seconds to minutes. Linear, each takes milliseconds (a debug build
    // about 0.2 s at most); the bound leaves a wide margin for a loaded
    // machine.
    let redactor = Redactor::default();
    for unit in ["%3D", "token%3Da%26", "token%3Da%3D"] {
        let word = unit.repeat(256 * 1024 / unit.len());
        let text = format!("{{\"q\":\"{word}\"}}");
        let started = Instant::now();
        let out = redactor.redact_text(&text);
        let took = started.elapsed();
        assert!(took.as_secs() < 2, "{unit}: {took:?}");
        assert!(out.starts_with("{\"q\":\""), "{unit}");
    }
    let pairs = "token%3Da%26".repeat(3);
    assert_eq!(
        redactor.redact_text(&pairs),
        "token%3D[redacted]%26token%3D[redacted]%26token%3D[redacted]%26"
    );
}

#[test]
fn quotes_in_a_url_authority_and_marked_cookie_lines_take_linear_time() {
    // A quote in a userinfo is read through to the `@` after it, and a
    // `Cookie:` value runs to the end of its line: each was once searched
    // from the same start for every repetition (quadratic).
    let redactor = Redactor::default();
    for unit in ["'@", "'x@", "cookie: token [redacted] "] {
        let text = format!("wss://a{}", unit.repeat(256 * 1024 / unit.len()));
        let started = Instant::now();
        let _ = redactor.redact_text(&text);
        let took = started.elapsed();
        assert!(took.as_secs() < 2, "{unit}: {took:?}");
    }
}
