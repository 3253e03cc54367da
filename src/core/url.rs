//! URL checks done before any connection.

use crate::prelude::*;

use super::error::ConfigError;
use super::text::concat;

/// Checks that `url` is a `ws:`/`wss:` URL, and with `require_secure` that it
/// is `wss:` (a `ws:` URL to localhost passes when `allow_insecure_localhost`).
pub fn check_url(
    url: &str,
    require_secure: bool,
    allow_insecure_localhost: bool,
) -> Result<(), ConfigError> {
    let lower = url.to_ascii_lowercase();
    let secure = lower.starts_with("wss://");
    if !secure && !lower.starts_with("ws://") {
        return Err(ConfigError::new(
            "url",
            "a ws:// or wss:// URL",
            match scheme_of(url) {
                Some(scheme) => concat(&["\"", scheme, ":\""]),
                // Never the text itself: it may be a whole URL with a token.
                None => String::from("a string without a URL scheme"),
            },
        ));
    }
    if require_secure && !secure && !(allow_insecure_localhost && is_localhost(&lower)) {
        return Err(ConfigError::new(
            "requireSecure",
            "a wss:// URL (ws:// only to localhost with allowInsecureLocalhost)",
            "a ws:// URL",
        ));
    }
    Ok(())
}

/// The URL's scheme, if it starts with one (RFC 3986: a letter, then
/// letters, digits, `+`, `-`, `.`; at most 32 characters here).
fn scheme_of(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(char_is(':'))?;
    let mut bytes = scheme.bytes();
    let valid = scheme.len() <= 32
        && bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then_some(scheme)
}

/// Whether the host a browser connects to for this `ws://` URL is loopback.
/// The authority ends where the WHATWG URL parser ends it (`\` counts as
/// `/` in `ws:` URLs), and only `localhost`, `[::1]` and dotted quads in
/// 127.0.0.0/8 count: other spellings of loopback are refused (safe side).
fn is_localhost(lower_url: &str) -> bool {
    let Some(rest) = lower_url.strip_prefix("ws://") else {
        return false;
    };
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit_once(char_is('@'))
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split(char_is(']'))
            .next()
            .map_or("", |h| h.strip_prefix('[').unwrap_or(h))
    } else {
        host.split(char_is(':')).next().unwrap_or("")
    };
    host == "localhost" || host == "::1" || is_loopback_ipv4(host)
}

/// `127.a.b.c` written as four decimal parts of at most 3 digits each, all
/// below 256 (`127.0.0.1.example.test` is a domain, not an address).
fn is_loopback_ipv4(host: &str) -> bool {
    let mut parts = 0;
    for (index, part) in host.split(char_is('.')).enumerate() {
        let decimal =
            !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit());
        if !decimal || part.parse::<u8>().is_err() || (index == 0 && part != "127") {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

/// A pattern for `split`/`split_once` matching `wanted`. A `char` pattern
/// would use core's `memchr` searcher, whose slicing keeps a formatted panic
/// (and its messages) in the wasm; a predicate is searched char by char.
fn char_is(wanted: char) -> impl Fn(char) -> bool {
    move |c| c == wanted
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn accepts_ws_and_wss_only() {
        assert!(check_url("ws://a/b", false, false).is_ok());
        assert!(check_url("WSS://a/b", true, false).is_ok());
        assert_eq!(
            check_url("http://a", false, false).unwrap_err().option,
            "url"
        );
    }

    #[test]
    fn require_secure_refuses_ws_except_allowed_localhost() {
        assert_eq!(
            check_url("ws://example.test/x", true, true)
                .unwrap_err()
                .option,
            "requireSecure"
        );
        assert!(check_url("ws://localhost:8765/ws", true, true).is_ok());
        assert!(check_url("ws://127.0.0.1:8765/ws", true, true).is_ok());
        assert!(check_url("ws://[::1]:8765/ws", true, true).is_ok());
        assert!(check_url("ws://localhost.evil.test/ws", true, true).is_err());
        assert!(check_url("ws://localhost:8765/ws", true, false).is_err());
    }

    #[test]
    fn require_secure_refuses_hosts_that_only_look_local() {
        // Caught by the WHATWG URL oracle in fuzz/fuzz_targets/config.rs:
        // each of these made a browser open plain ws:// to another host.
        for url in [
            "ws://127.0.0.1.example.test/ws",
            "ws://127.evil.test/",
            "ws://127./",
            "ws://example.test\\@localhost/",
            "ws://\\example.test\\@127.0.0.1/",
            "ws://ws://localhost/",
        ] {
            assert_eq!(
                check_url(url, true, true).unwrap_err().option,
                "requireSecure",
                "{url}"
            );
        }
        for url in [
            "ws://127.0.0.1/",
            "ws://127.255.0.9:1/",
            "ws://user:pw@localhost/",
            "ws://LOCALHOST/",
        ] {
            assert!(check_url(url, true, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn an_error_shows_the_scheme_but_never_the_rest_of_the_url() {
        let error = check_url("example.test/ws?token=abc", false, false).unwrap_err();
        assert_eq!(error.got, "a string without a URL scheme");
        let error = check_url("https://example.test/?token=abc", false, false).unwrap_err();
        assert_eq!(error.got, "\"https:\"");
        let error = check_url("localhost:8765/?token=abc", false, false).unwrap_err();
        assert_eq!(error.got, "\"localhost:\"");
    }
}
