//! Close codes: every u16 interpreted (name, category, default action, hint).
//! STUB: to be completed (see the interface below; keep signatures).

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

impl CloseCode {
    /// Explains this code. `opened` says whether the connection had opened
    /// (1006 gets different hints before and after open).
    pub fn interpret(self, opened: bool) -> CloseInterpretation {
        let _ = opened;
        CloseInterpretation {
            code: self.0,
            name: "unknown",
            category: CloseCategory::Invalid,
            action: CloseAction::Retry,
            hint: "",
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
}

/// App overrides of the action per code or range: the last matching rule wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClosePolicy {
    /// Rules as (first code, last code, action), inclusive.
    pub rules: Vec<(u16, u16, CloseAction)>,
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
