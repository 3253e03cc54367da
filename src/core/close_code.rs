//! Close codes: every u16 interpreted (name, category, default action, hint).
//!
//! Defaults follow RFC 6455, the IANA registry and the application convention
//! of 4000-4004 in DESIGN.md; an app overrides actions with [`ClosePolicy`].

use crate::prelude::*;

use serde::{Deserialize, Serialize};

/// A WebSocket close code, any u16.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CloseCode(pub u16);

/// The family a close code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CloseCategory {
    /// 1000: the purpose was fulfilled.
    Normal,
    /// 1001: an endpoint is going away (page navigation, server shutdown).
    GoingAway,
    /// Protocol-level errors (1002, 1003, 1007, 1009, 1010).
    Protocol,
    /// 1008 and similar policy refusals.
    Policy,
    /// Server-side failure (1011).
    ServerError,
    /// Temporary server conditions (1012 restart, 1013 try again later, 1014 bad gateway).
    Temporary,
    /// 1006: closed without a close frame.
    Abnormal,
    /// 1015: TLS handshake failure.
    Tls,
    /// Codes that must never be sent on the wire (1004, 1005) or unassigned in 1000-2999.
    Reserved,
    /// 3000-3999: registered with IANA by libraries and frameworks.
    Registered,
    /// 4000-4999: private use by applications.
    Application,
    /// 0-999 and 5000+: not valid close codes.
    Invalid,
}

/// What the SDK does after a close with a given code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CloseAction {
    /// Reconnect with backoff.
    Retry,
    /// Stop: the state becomes `closed`, no further attempt.
    Stop,
    /// Credentials were refused: emit `reauth`, then retry with backoff
    /// (the URL provider is called before the attempt, so it can refresh a token).
    Reauth,
}

/// A close code explained for people and for the reconnect policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseInterpretation {
    /// The code.
    pub code: u16,
    /// Short name, e.g. `"normal closure"`, `"not found"`.
    pub name: &'static str,
    /// The family of the code.
    pub category: CloseCategory,
    /// The action that applies (default, or the app's override).
    pub action: CloseAction,
    /// One line telling a developer what probably happened and what to check.
    pub hint: &'static str,
}

/// The hint for 1006 when the handshake never completed.
const ABNORMAL_BEFORE_OPEN: &str = "the handshake never completed: the server refused the upgrade (HTTP 403/404), \
     wrong port or path, server down, a proxy blocking WebSockets, or TLS/mixed content (ws:// from an https:// page); \
     check the browser's network tab";
/// The hint for 1006 when an open connection dropped.
const ABNORMAL_AFTER_OPEN: &str = "the connection dropped without a close frame after opening: network lost, \
     server crashed or was killed, a proxy/load balancer idle timeout (keep the heartbeat interval below it), \
     or the browser refused a frame from the server (text that is not UTF-8, a protocol error: its console says which)";

impl CloseCode {
    /// Explains this code. `opened` says whether the connection had opened
    /// (1006 gets different hints before and after open).
    pub fn interpret(self, opened: bool) -> CloseInterpretation {
        use CloseAction::{Reauth, Retry, Stop};
        use CloseCategory::*;
        let (name, category, action, hint) = match self.0 {
            0..=999 => (
                "invalid code",
                Invalid,
                Retry,
                "not a close code (valid codes are 1000-4999); a bug in the server or a proxy",
            ),
            1000 => (
                "normal closure",
                Normal,
                Retry,
                "the server ended the session deliberately; retried by default \
                 (set closeCodes to stop on 1000 if the server means \"done\"); your own close() always stops",
            ),
            1001 => (
                "going away",
                GoingAway,
                Retry,
                "the server is shutting down or restarting (or the page is navigating away)",
            ),
            1002 => (
                "protocol error",
                Protocol,
                Stop,
                "the peer saw a WebSocket protocol violation; check for a proxy mangling frames \
                 or a client/server protocol mismatch",
            ),
            1003 => (
                "unsupported data",
                Protocol,
                Stop,
                "the server cannot accept this kind of data (e.g. binary sent to a text-only endpoint); \
                 check what you send",
            ),
            1004 => (
                "reserved",
                Reserved,
                Retry,
                "reserved by RFC 6455 with no meaning; the server or a proxy sent a code it must not send",
            ),
            1005 => (
                "no status received",
                Reserved,
                Retry,
                "the close frame carried no code: the server closed without saying why; check its logs",
            ),
            1006 if opened => ("abnormal closure", Abnormal, Retry, ABNORMAL_AFTER_OPEN),
            1006 => ("abnormal closure", Abnormal, Retry, ABNORMAL_BEFORE_OPEN),
            1007 => (
                "invalid payload data",
                Protocol,
                Stop,
                "a message did not match its type (e.g. invalid UTF-8 in a text frame); check the encoding of what you send",
            ),
            1008 => (
                "policy violation",
                Policy,
                Stop,
                "the server refused by policy (often auth, origin or rate limits); check the close reason and the server logs",
            ),
            1009 => (
                "message too big",
                Protocol,
                Stop,
                "a message exceeded the server's size limit; send smaller messages or raise the server's limit",
            ),
            1010 => (
                "mandatory extension",
                Protocol,
                Stop,
                "an extension the client requires was not negotiated by the server; the close reason names it",
            ),
            1011 => (
                "internal error",
                ServerError,
                Retry,
                "the server hit an unexpected error handling the connection; check the server logs",
            ),
            1012 => (
                "service restart",
                Temporary,
                Retry,
                "the server is restarting; retried by default after a longer delay (tryLaterDelayMs)",
            ),
            1013 => (
                "try again later",
                Temporary,
                Retry,
                "the server is overloaded or rate-limiting; retried by default after a longer delay (tryLaterDelayMs)",
            ),
            1014 => (
                "bad gateway",
                Temporary,
                Retry,
                "a gateway or proxy got an invalid response from the upstream server; check the upstream service",
            ),
            1015 => (
                "TLS handshake failure",
                Tls,
                Stop,
                "the TLS handshake failed (untrusted or expired certificate, hostname mismatch); check the server certificate",
            ),
            1016..=2999 => (
                "unassigned",
                Reserved,
                Retry,
                "reserved for future WebSocket protocol use and not assigned; the server sent a code it should not",
            ),
            3000 => (
                "unauthorized",
                Registered,
                Reauth,
                "the server wants (fresh) credentials; refresh the token in your URL provider",
            ),
            3003 => (
                "forbidden",
                Registered,
                Stop,
                "the server refuses this client even with valid credentials; check its permissions",
            ),
            3008 => (
                "timeout",
                Registered,
                Retry,
                "the connection timed out (idle or handshake timeout); check the heartbeat interval and the server's timeouts",
            ),
            3001..=3999 => (
                "registered code",
                Registered,
                Retry,
                "registered with IANA by a library or framework; check that library's documentation for this code",
            ),
            4000 => (
                "invalid parameter",
                Application,
                Stop,
                "the server rejected a parameter of the connection (URL path or query, first message); check what you pass",
            ),
            4001 => (
                "unauthorized",
                Application,
                Reauth,
                "the server rejected the credentials; refresh the token in your URL provider",
            ),
            4002 => (
                "invalid value",
                Application,
                Stop,
                "the server rejected a value you sent; check the close reason for which one",
            ),
            4003 => (
                "forbidden",
                Application,
                Stop,
                "access denied (e.g. not from localhost, bad or expired token); check the origin and the token",
            ),
            4004 => (
                "not found",
                Application,
                Stop,
                "the project or resource in the URL does not exist; check the path and the ids in it",
            ),
            4005..=4999 => (
                "application code",
                Application,
                Retry,
                "application-defined code; configure closeCodes to stop on it if it is fatal",
            ),
            5000.. => (
                "invalid code",
                Invalid,
                Retry,
                "not a close code (valid codes are 1000-4999); a bug in the server or a proxy",
            ),
        };
        CloseInterpretation {
            code: self.0,
            name,
            category,
            action,
            hint,
        }
    }

    /// The default action for this code, before app overrides.
    pub fn default_action(self) -> CloseAction {
        self.interpret(true).action
    }

    /// Whether an app may pass this code to `close()` (1000 or 3000-4999), as browsers check.
    pub fn is_sendable_by_app(self) -> bool {
        self.0 == 1000 || (3000..=4999).contains(&self.0)
    }

    /// Whether an endpoint may put this code in a close frame (RFC 6455 7.4
    /// and the IANA registry): 1000-1003, 1007-1014 and 3000-4999. 1005, 1006
    /// and 1015 only ever describe a close locally.
    pub fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }

    /// Whether the server asked for patience (1012 service restart, 1013 try
    /// again later, 1014 bad gateway): the engine waits at least a longer
    /// minimum delay before reconnecting.
    pub fn longer_backoff(self) -> bool {
        matches!(self.0, 1012..=1014)
    }
}

/// App overrides of the action per code or range: the last matching rule wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClosePolicy {
    /// Rules as (first code, last code, action), inclusive.
    pub rules: Vec<(u16, u16, CloseAction)>,
}

/// The close of an attempt whose fixed URL the browser refused to open
/// (`new WebSocket` threw): 1006 without a handshake, and a stop, since
/// every attempt would be refused the same way.
pub fn refused_by_the_browser() -> CloseInterpretation {
    CloseInterpretation {
        action: CloseAction::Stop,
        hint: "the browser refused to open the socket (the reason says why), such as ws:// from an https:// page; \
               not retried, as every attempt with this URL would be refused: fix the URL (or give a urlProvider)",
        ..CloseCode(1006).interpret(false)
    }
}

/// The close of an attempt whose URL provider failed (threw, rejected, or
/// gave a URL that cannot be used): 1006 without a handshake, as for the
/// code, but the hint says no connection was attempted.
pub fn url_provider_failed() -> CloseInterpretation {
    CloseInterpretation {
        hint: "no connection was attempted: the URL provider threw, rejected, or gave a URL that cannot be used \
               (the reason says which); check the provider",
        ..CloseCode(1006).interpret(false)
    }
}

impl ClosePolicy {
    /// The action for `code`: the last matching rule, else the code's default.
    pub fn action_for(&self, code: CloseCode) -> CloseAction {
        self.rules
            .iter()
            .rev()
            .find(|(first, last, _)| (*first..=*last).contains(&code.0))
            .map(|(_, _, action)| *action)
            .unwrap_or_else(|| code.default_action())
    }

    /// Interprets `code` with this policy's action applied.
    pub fn interpret(&self, code: CloseCode, opened: bool) -> CloseInterpretation {
        let mut interpretation = code.interpret(opened);
        interpretation.action = self.action_for(code);
        interpretation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;
    use std::vec;

    #[test]
    fn no_hint_says_what_the_sdk_does_next_as_if_it_were_sure() {
        // The app's closeCodes rules, maxAttempts or reconnect.enabled may
        // decide otherwise: a close event's `action` and `willReconnect` say
        // what happens; a hint may only name the default.
        for code in 0..=u16::MAX {
            for opened in [false, true] {
                let hint = CloseCode(code).interpret(opened).hint;
                for word in ["reconnect", "retr"] {
                    assert!(
                        !hint.contains(word) || hint.contains("by default"),
                        "{code}: {hint}"
                    );
                }
            }
        }
        for hint in [refused_by_the_browser().hint, url_provider_failed().hint] {
            assert!(!hint.contains("handshake"), "{hint}");
        }
    }

    #[test]
    fn every_u16_has_a_name_and_a_hint() {
        for code in 0..=u16::MAX {
            for opened in [false, true] {
                let meaning = CloseCode(code).interpret(opened);
                assert_eq!(meaning.code, code);
                assert!(!meaning.name.is_empty(), "{code}");
                assert!(!meaning.hint.is_empty(), "{code}");
                assert!(!meaning.hint.contains("  "), "{code}: {}", meaning.hint);
            }
        }
    }

    #[test]
    fn defaults_follow_rfc_6455_iana_and_the_app_convention() {
        use CloseAction::{Reauth, Retry, Stop};
        use CloseCategory::*;
        let table = [
            (1000, "normal closure", Normal, Retry),
            (1001, "going away", GoingAway, Retry),
            (1002, "protocol error", Protocol, Stop),
            (1003, "unsupported data", Protocol, Stop),
            (1004, "reserved", Reserved, Retry),
            (1005, "no status received", Reserved, Retry),
            (1006, "abnormal closure", Abnormal, Retry),
            (1007, "invalid payload data", Protocol, Stop),
            (1008, "policy violation", Policy, Stop),
            (1009, "message too big", Protocol, Stop),
            (1010, "mandatory extension", Protocol, Stop),
            (1011, "internal error", ServerError, Retry),
            (1012, "service restart", Temporary, Retry),
            (1013, "try again later", Temporary, Retry),
            (1014, "bad gateway", Temporary, Retry),
            (1015, "TLS handshake failure", Tls, Stop),
            (1016, "unassigned", Reserved, Retry),
            (2999, "unassigned", Reserved, Retry),
            (3000, "unauthorized", Registered, Reauth),
            (3001, "registered code", Registered, Retry),
            (3003, "forbidden", Registered, Stop),
            (3008, "timeout", Registered, Retry),
            (3999, "registered code", Registered, Retry),
            (4000, "invalid parameter", Application, Stop),
            (4001, "unauthorized", Application, Reauth),
            (4002, "invalid value", Application, Stop),
            (4003, "forbidden", Application, Stop),
            (4004, "not found", Application, Stop),
            (4005, "application code", Application, Retry),
            (4999, "application code", Application, Retry),
            (0, "invalid code", Invalid, Retry),
            (999, "invalid code", Invalid, Retry),
            (5000, "invalid code", Invalid, Retry),
            (u16::MAX, "invalid code", Invalid, Retry),
        ];
        for (code, name, category, action) in table {
            let meaning = CloseCode(code).interpret(true);
            assert_eq!(
                (meaning.name, meaning.category, meaning.action),
                (name, category, action),
                "{code}"
            );
            assert_eq!(CloseCode(code).default_action(), action, "{code}");
        }
    }

    #[test]
    fn abnormal_closure_hint_depends_on_whether_the_socket_opened() {
        let before = CloseCode(1006).interpret(false);
        let after = CloseCode(1006).interpret(true);
        assert_ne!(before.hint, after.hint);
        assert!(before.hint.contains("403"), "{}", before.hint);
        assert!(before.hint.contains("handshake"), "{}", before.hint);
        assert!(after.hint.contains("idle timeout"), "{}", after.hint);
        assert_eq!(before.action, after.action);
        assert_eq!(
            CloseCode(4004).interpret(false),
            CloseCode(4004).interpret(true)
        );
    }

    #[test]
    fn unknown_application_codes_explain_how_to_make_them_fatal() {
        assert!(CloseCode(4321).interpret(true).hint.contains("closeCodes"));
    }

    #[test]
    fn wire_validity_follows_rfc_6455() {
        let valid: Vec<u16> = (0..=u16::MAX)
            .filter(|&code| CloseCode(code).is_valid_on_wire())
            .collect();
        assert_eq!(valid.len(), 4 + 8 + 2000);
        for code in [1000, 1003, 1007, 1011, 1014, 3000, 4999] {
            assert!(CloseCode(code).is_valid_on_wire(), "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            assert!(!CloseCode(code).is_valid_on_wire(), "{code}");
        }
    }

    #[test]
    fn apps_may_send_only_1000_and_3000_to_4999() {
        assert!(CloseCode(1000).is_sendable_by_app());
        assert!(CloseCode(3000).is_sendable_by_app());
        assert!(CloseCode(4999).is_sendable_by_app());
        for code in [999, 1001, 1011, 2999, 5000] {
            assert!(!CloseCode(code).is_sendable_by_app(), "{code}");
        }
    }

    #[test]
    fn only_restart_overload_and_bad_gateway_ask_for_a_longer_backoff() {
        let longer: Vec<u16> = (0..=u16::MAX)
            .filter(|&code| CloseCode(code).longer_backoff())
            .collect();
        assert_eq!(longer, [1012, 1013, 1014]);
    }

    #[test]
    fn policy_without_rules_uses_the_defaults() {
        let policy = ClosePolicy::default();
        for code in [1000, 1002, 1006, 3000, 4004, 4100] {
            assert_eq!(
                policy.action_for(CloseCode(code)),
                CloseCode(code).default_action()
            );
        }
    }

    #[test]
    fn policy_overrides_a_code_or_a_range_and_the_last_matching_rule_wins() {
        let policy = ClosePolicy {
            rules: vec![
                (4000, 4999, CloseAction::Stop),
                (4001, 4001, CloseAction::Retry),
                (1000, 1000, CloseAction::Stop),
                (4500, 4600, CloseAction::Reauth),
            ],
        };
        assert_eq!(policy.action_for(CloseCode(4100)), CloseAction::Stop);
        assert_eq!(policy.action_for(CloseCode(4001)), CloseAction::Retry);
        assert_eq!(policy.action_for(CloseCode(4550)), CloseAction::Reauth);
        assert_eq!(policy.action_for(CloseCode(1000)), CloseAction::Stop);
        assert_eq!(policy.action_for(CloseCode(1001)), CloseAction::Retry);
        assert_eq!(policy.action_for(CloseCode(1002)), CloseAction::Stop);
        let meaning = policy.interpret(CloseCode(4100), true);
        assert_eq!(meaning.action, CloseAction::Stop);
        assert_eq!(meaning.name, "application code");
        let later = ClosePolicy {
            rules: vec![
                (4001, 4001, CloseAction::Retry),
                (4000, 4999, CloseAction::Stop),
            ],
        };
        assert_eq!(later.action_for(CloseCode(4001)), CloseAction::Stop);
    }

    #[test]
    fn policy_interpretation_keeps_the_hint_for_the_open_state() {
        let policy = ClosePolicy {
            rules: vec![(1006, 1006, CloseAction::Stop)],
        };
        let before = policy.interpret(CloseCode(1006), false);
        assert_eq!(before.action, CloseAction::Stop);
        assert_eq!(before.hint, CloseCode(1006).interpret(false).hint);
    }
}
