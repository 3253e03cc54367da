//! URL checks done before any connection.

use super::error::ConfigError;

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
            format!("\"{}:\"", scheme_of(url)),
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

fn scheme_of(url: &str) -> &str {
    url.split_once(':').map_or(url, |(scheme, _)| scheme)
}

fn is_localhost(lower_url: &str) -> bool {
    let rest = lower_url.trim_start_matches("ws://");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| &h[1..]).unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
