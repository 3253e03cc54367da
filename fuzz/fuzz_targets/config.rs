//! The option surface that exists natively: `Config::validate` over any field
//! values (NaN, infinities, `u64::MAX`, empty strings, close code rules out
//! of range), `check_url` over any text, and close code interpretation.
//!
//! Checked:
//! - no panic;
//! - a config `validate` accepts satisfies every documented bound, builds an
//!   engine, and survives a short connect/open/close/backoff run;
//! - a rejected config's error names a known option path and says what is
//!   allowed;
//! - `check_url` accepts only `ws://`/`wss://`; with `requireSecure`, a
//!   `ws://` URL passes only when `allowInsecureLocalhost` is set and the
//!   host a browser would connect to (WHATWG URL parsing, the `url` crate) is
//!   a loopback address;
//! - error messages (thrown to the app as they are) contain nothing the
//!   default redactor would redact, and a URL error shows at most the
//!   URL's scheme.

#![no_main]

use std::net::{Ipv4Addr, Ipv6Addr};

use arbitrary::Unstructured;
use fuzz_support::{MAX_MS, any_config, close_code, url};
use libfuzzer_sys::fuzz_target;
use resilient_ws::core::{
    CloseCode, Config, ConfigError, Engine, Frame, Input, Millis, Redactor, UrlSource, check_url,
};

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

fn run(data: &[u8]) -> arbitrary::Result<()> {
    let mut u = Unstructured::new(data);
    let config = any_config(&mut u)?;
    match config.validate() {
        Ok(()) => accepted(&config, u.arbitrary()?),
        Err(error) => rejected(&error),
    }

    let target = url(&mut u)?;
    let require_secure = u.arbitrary()?;
    let allow_localhost = u.arbitrary()?;
    url_policy(&target, require_secure, allow_localhost);

    let code = close_code(&mut u)?;
    let opened = u.arbitrary()?;
    let meaning = CloseCode(code).interpret(opened);
    assert_eq!(meaning.code, code);
    assert!(!meaning.name.is_empty() && !meaning.hint.is_empty());
    let policy = config.close_policy();
    let _ = policy.interpret(CloseCode(code), opened);

    // The bytes themselves as a URL (the seeds in corpus/config are URLs).
    if let Ok(raw) = std::str::from_utf8(data) {
        url_policy(raw.trim_end(), true, true);
        url_policy(raw.trim_end(), false, false);
    }
    Ok(())
}

fn accepted(config: &Config, seed: u64) {
    let r = &config.reconnect;
    for ms in [
        r.initial_delay_ms,
        r.max_delay_ms,
        r.reset_after_ms,
        r.try_later_delay_ms,
        config.heartbeat.interval_ms,
        config.heartbeat.timeout_ms,
        config.heartbeat.late_tolerance_ms,
        config.connect_timeout_ms,
        config.closing_timeout_ms,
        config.requests.timeout_ms,
        config.requests.slow_ms,
        config.flapping.window_ms,
    ] {
        assert!(ms <= MAX_MS, "accepted {ms} ms");
    }
    assert!(r.initial_delay_ms <= r.max_delay_ms);
    assert!(
        !r.enabled || r.initial_delay_ms > 0,
        "a 0 ms backoff retries in a tight loop"
    );
    assert!(r.multiplier.is_finite() && (1.0..=100.0).contains(&r.multiplier));
    assert_ne!(r.max_attempts, Some(0));
    if config.heartbeat.interval_ms > 0 {
        assert!(config.heartbeat.timeout_ms > 0 && !config.heartbeat.message.is_empty());
    }
    assert!(config.requests.timeout_ms > 0 && !config.requests.id_field.is_empty());
    assert!(config.flapping.threshold > 0 && config.max_message_bytes > 0);
    for rule in &config.close_codes {
        let last = rule.to.unwrap_or(rule.code);
        assert!((1000..=4999).contains(&rule.code) && (rule.code..=4999).contains(&last));
    }
    assert!(config.redact_keys.iter().all(|key| !key.is_empty()));

    // Any accepted config runs: connect, open, a server close, backoff, and
    // every deadline fired in turn.
    let mut engine = Engine::<Frame>::new(
        UrlSource::Fixed(String::from("wss://example.test/ws")),
        config.clone(),
        seed,
    )
    .expect("validate() accepted it");
    let mut now = Millis(0);
    engine.connect(now);
    engine.handle(now, Input::Opened { closing: false });
    let _ = engine.request(now, "{\"type\":\"get\"}", None);
    for round in 0..24u16 {
        while engine.poll_output().is_some() {}
        match round % 4 {
            0 => engine.handle(
                now,
                Input::Closed {
                    code: 1000 + round,
                    reason: String::new(),
                    was_clean: true,
                },
            ),
            1 => engine.handle(now, Input::Opened { closing: false }),
            _ => {}
        }
        if let Some(at) = engine.poll_timeout() {
            now = now.max(at);
        }
        engine.handle(now, Input::Timer { send_buffered: 0 });
        let _ = engine.stats(now);
    }
}

const OPTIONS: &[&str] = &[
    "reconnect.initialDelayMs",
    "reconnect.maxDelayMs",
    "reconnect.resetAfterMs",
    "reconnect.tryLaterDelayMs",
    "reconnect.multiplier",
    "reconnect.maxAttempts",
    "heartbeat.intervalMs",
    "heartbeat.timeoutMs",
    "heartbeat.lateToleranceMs",
    "heartbeat.message",
    "connectTimeoutMs",
    "closingTimeoutMs",
    "requests.timeoutMs",
    "requests.slowMs",
    "requests.idField",
    "flapping.windowMs",
    "flapping.threshold",
    "maxMessageBytes",
    "redactKeys",
];

fn rejected(error: &ConfigError) {
    let known = OPTIONS.contains(&error.option.as_str())
        || error
            .option
            .strip_prefix("closeCodes[")
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|index| index.parse::<usize>().is_ok());
    assert!(known, "error names an unknown option: {error}");
    assert!(!error.allowed.is_empty());
    let message = error.to_string();
    assert!(message.contains(&error.option) && message.contains(&error.allowed));
    assert_eq!(Redactor::default().redact_text(&message), message);
}

/// Whether the WHATWG host is a loopback address (what `allowInsecureLocalhost` allows).
fn loopback(host: url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(domain) => domain == "localhost",
        url::Host::Ipv4(ip) => Ipv4Addr::is_loopback(&ip),
        url::Host::Ipv6(ip) => Ipv6Addr::is_loopback(&ip),
    }
}

fn url_policy(target: &str, require_secure: bool, allow_localhost: bool) {
    match check_url(target, require_secure, allow_localhost) {
        Ok(()) => {
            let lower = target.to_ascii_lowercase();
            assert!(lower.starts_with("ws://") || lower.starts_with("wss://"));
            if require_secure && !lower.starts_with("wss://") {
                assert!(
                    allow_localhost,
                    "ws:// accepted without allowInsecureLocalhost"
                );
                // What the browser would connect to. A URL the browser
                // refuses (`new WebSocket` throws) opens nothing.
                if let Ok(parsed) = url::Url::parse(target) {
                    assert_eq!(parsed.scheme(), "ws");
                    assert!(
                        parsed.host().is_some_and(loopback),
                        "requireSecure let plain ws:// go to {:?}: {target:?}",
                        parsed.host_str()
                    );
                }
            }
        }
        Err(error) => {
            // The error (thrown to the app as it is) shows at most the
            // scheme: the rest of the text may carry a token.
            let shown_scheme = error
                .got
                .strip_prefix('"')
                .and_then(|got| got.strip_suffix(":\""))
                .is_some_and(|scheme| {
                    scheme.len() <= 32
                        && target.starts_with(&format!("{scheme}:"))
                        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                        && scheme
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                });
            let allowed = match error.option.as_str() {
                "url" => shown_scheme || error.got == "a string without a URL scheme",
                "requireSecure" => error.got == "a ws:// URL",
                _ => false,
            };
            assert!(allowed, "check_url({target:?}) error shows {:?}", error.got);
        }
    }
}
