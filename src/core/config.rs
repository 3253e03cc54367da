//! Every option, with its default, and validation that names the option and
//! what it allows. Field names are camelCase in JS (`reconnect.initialDelayMs`).

use crate::prelude::*;

use serde::Deserialize;

use super::close_code::{CloseAction, ClosePolicy};
use super::error::ConfigError;
use super::redact::DEFAULT_SECRET_KEYS;

use super::text::{approx, concat, decimal};

/// All options of a socket. Every field has a default; see each field.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Config {
    /// Reconnection with backoff.
    pub reconnect: ReconnectConfig,
    /// App-level ping/pong.
    pub heartbeat: HeartbeatConfig,
    /// The outbound queue used while not open.
    pub queue: QueueConfig,
    /// The message inspector ring buffer.
    pub inspector: InspectorConfig,
    /// Request/response by id.
    pub requests: RequestConfig,
    /// Detection of open-then-die loops.
    pub flapping: FlappingConfig,
    /// Per-code or per-range overrides of the close code policy, applied in
    /// order (the last matching rule wins). Default: none.
    pub close_codes: Vec<CloseCodeRule>,
    /// How long a handshake (including the URL provider) may take before the
    /// attempt is abandoned. Default: 10,000 ms. 0 disables the limit.
    pub connect_timeout_ms: u64,
    /// How long `close()` waits for the server's close frame before the
    /// state becomes `closed` anyway. Default: 2,000 ms.
    pub closing_timeout_ms: u64,
    /// Largest message `send` accepts, in bytes (UTF-16 units for text).
    /// Default: 16 MiB.
    pub max_message_bytes: u64,
    /// Field names (and `name=` query parameters) whose values are redacted
    /// in the inspector, events and logs. Default: [`DEFAULT_SECRET_KEYS`].
    pub redact_keys: Vec<String>,
    /// Refuse `ws://` URLs (plain text) before any connection. Default: false.
    pub require_secure: bool,
    /// With `requireSecure`, still allow `ws://` to localhost. Default: true.
    pub allow_insecure_localhost: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            reconnect: ReconnectConfig::default(),
            heartbeat: HeartbeatConfig::default(),
            queue: QueueConfig::default(),
            inspector: InspectorConfig::default(),
            requests: RequestConfig::default(),
            flapping: FlappingConfig::default(),
            close_codes: Vec::new(),
            connect_timeout_ms: 10_000,
            closing_timeout_ms: 2_000,
            max_message_bytes: 16 * 1024 * 1024,
            redact_keys: DEFAULT_SECRET_KEYS.map(String::from).to_vec(),
            require_secure: false,
            allow_insecure_localhost: true,
        }
    }
}

/// How the backoff delay is spread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Jitter {
    /// A random delay in `0..=cap` (spreads a crowd of clients the most).
    #[default]
    Full,
    /// `cap/2` plus a random delay in `0..=cap/2`.
    Equal,
    /// Exactly `cap`.
    None,
}

/// Reconnection options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ReconnectConfig {
    /// Whether to reconnect at all. Default: true.
    pub enabled: bool,
    /// Delay cap for the first retry. Default: 500 ms.
    pub initial_delay_ms: u64,
    /// Largest delay. Default: 30,000 ms.
    pub max_delay_ms: u64,
    /// Growth per attempt. Default: 2.
    pub multiplier: f64,
    /// Jitter mode. Default: full.
    pub jitter: Jitter,
    /// Give up after this many reconnects in a row, not counting those that
    /// failed to open while the browser was offline. Default: none (retry
    /// forever).
    pub max_attempts: Option<u32>,
    /// The attempt counter resets only after a connection stayed open this
    /// long and is not flapping. Default: 5,000 ms.
    pub reset_after_ms: u64,
    /// Least delay after 1012/1013/1014 (server restarting or overloaded):
    /// the backoff's jittered delay is added to it, not capped at
    /// `maxDelayMs`. Default: 5,000 ms.
    pub try_later_delay_ms: u64,
}

impl Default for ReconnectConfig {
    fn default() -> Self {
        ReconnectConfig {
            enabled: true,
            initial_delay_ms: 500,
            max_delay_ms: 30_000,
            multiplier: 2.0,
            jitter: Jitter::Full,
            max_attempts: None,
            reset_after_ms: 5_000,
            try_later_delay_ms: 5_000,
        }
    }
}

/// Heartbeat options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct HeartbeatConfig {
    /// Time between pings while open; 0 disables the heartbeat. Default: 25,000 ms.
    pub interval_ms: u64,
    /// How long to wait for a pong (or any message) after a ping. Default: 10,000 ms.
    pub timeout_ms: u64,
    /// The ping message text. Default: `{"type":"ping"}`.
    pub message: String,
    /// A pong is a message whose JSON `type` equals this. Default: `"pong"`.
    /// Ignored when `pongText` is set.
    pub pong_type: Option<String>,
    /// A pong is a message exactly equal to this text. Default: none.
    pub pong_text: Option<String>,
    /// Deliver pongs to the app's `message` listeners too. Default: false.
    pub deliver_pongs: bool,
    /// A timer that fires this much later than scheduled is treated as
    /// throttled (background tab): it sends a fresh ping instead of declaring
    /// the peer dead. Default: 1,000 ms.
    pub late_tolerance_ms: u64,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        HeartbeatConfig {
            interval_ms: 25_000,
            timeout_ms: 10_000,
            message: String::from("{\"type\":\"ping\"}"),
            pong_type: Some(String::from("pong")),
            pong_text: None,
            deliver_pongs: false,
            late_tolerance_ms: 1_000,
        }
    }
}

/// What `send` does when the queue is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Overflow {
    /// Refuse the new message with an error; nothing accepted is ever dropped.
    #[default]
    Reject,
    /// Drop the oldest queued messages (reported by a `queueoverflow` event).
    DropOldest,
}

/// Outbound queue options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct QueueConfig {
    /// Most messages held while not open; 0 disables queueing. Default: 1,000.
    pub max_messages: usize,
    /// Most bytes held while not open. Default: 1 MiB.
    pub max_bytes: usize,
    /// Overflow policy. Default: reject.
    pub overflow: Overflow,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            max_messages: 1_000,
            max_bytes: 1024 * 1024,
            overflow: Overflow::Reject,
        }
    }
}

/// Inspector options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct InspectorConfig {
    /// Most records kept; 0 disables the inspector. Default: 200.
    pub max_entries: usize,
    /// Most payload bytes kept. Default: 1 MiB.
    pub max_bytes: usize,
}

impl Default for InspectorConfig {
    fn default() -> Self {
        InspectorConfig {
            max_entries: 200,
            max_bytes: 1024 * 1024,
        }
    }
}

/// What happens to requests already sent when the connection drops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PendingOnReconnect {
    /// Reject them (the server may or may not have seen them).
    #[default]
    Fail,
    /// Send them again on the next connection, after replay and queue.
    Resend,
}

/// Request/response options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct RequestConfig {
    /// Default timeout per request. Default: 10,000 ms.
    pub timeout_ms: u64,
    /// Requests in flight when the connection drops. Default: fail.
    pub on_reconnect: PendingOnReconnect,
    /// Replies slower than this emit a `slow` event. Default: 1,000 ms.
    pub slow_ms: u64,
    /// The JSON field carrying the id. Default: `id`.
    pub id_field: String,
}

impl Default for RequestConfig {
    fn default() -> Self {
        RequestConfig {
            timeout_ms: 10_000,
            on_reconnect: PendingOnReconnect::Fail,
            slow_ms: 1_000,
            id_field: String::from("id"),
        }
    }
}

/// Flapping detection options.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct FlappingConfig {
    /// A connection that dies within this long after opening counts as short.
    /// Default: 3,000 ms.
    pub window_ms: u64,
    /// This many short connections in a row are reported. Default: 3.
    pub threshold: u32,
}

impl Default for FlappingConfig {
    fn default() -> Self {
        FlappingConfig {
            window_ms: 3_000,
            threshold: 3,
        }
    }
}

/// An override of the close code policy for one code or an inclusive range.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloseCodeRule {
    /// A single code (or the first of a range when `to` is given).
    pub code: u16,
    /// The last code of the range. Default: `code`.
    #[serde(default)]
    pub to: Option<u16>,
    /// What to do.
    pub action: CloseAction,
}

/// Upper bound for any millisecond option: a day.
pub const MAX_MS: u64 = 86_400_000;

fn check_ms(option: &str, value: u64) -> Result<(), ConfigError> {
    if value > MAX_MS {
        return Err(ConfigError::new(
            option,
            "milliseconds from 0 to 86400000 (one day)",
            decimal(value),
        ));
    }
    Ok(())
}

impl Config {
    /// Checks every option; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let r = &self.reconnect;
        check_ms("reconnect.initialDelayMs", r.initial_delay_ms)?;
        check_ms("reconnect.maxDelayMs", r.max_delay_ms)?;
        check_ms("reconnect.resetAfterMs", r.reset_after_ms)?;
        check_ms("reconnect.tryLaterDelayMs", r.try_later_delay_ms)?;
        // 0 * multiplier^n is 0 for every n: a refused attempt would be
        // retried at once, forever (a reconnect storm).
        if r.enabled && r.initial_delay_ms == 0 {
            return Err(ConfigError::new(
                "reconnect.initialDelayMs",
                "milliseconds from 1 to 86400000 while reconnect.enabled (0 retries in a tight loop)",
                "0",
            ));
        }
        if r.max_delay_ms < r.initial_delay_ms {
            return Err(ConfigError::new(
                "reconnect.maxDelayMs",
                &concat(&[
                    "a value >= reconnect.initialDelayMs (",
                    &decimal(r.initial_delay_ms),
                    ")",
                ]),
                decimal(r.max_delay_ms),
            ));
        }
        if !r.multiplier.is_finite() || !(1.0..=100.0).contains(&r.multiplier) {
            return Err(ConfigError::new(
                "reconnect.multiplier",
                "a finite number from 1 to 100",
                approx(r.multiplier),
            ));
        }
        if r.max_attempts == Some(0) {
            return Err(ConfigError::new(
                "reconnect.maxAttempts",
                "an integer >= 1, or null for unlimited (use reconnect.enabled = false to never retry)",
                "0",
            ));
        }
        let h = &self.heartbeat;
        check_ms("heartbeat.intervalMs", h.interval_ms)?;
        check_ms("heartbeat.timeoutMs", h.timeout_ms)?;
        check_ms("heartbeat.lateToleranceMs", h.late_tolerance_ms)?;
        if h.interval_ms > 0 && h.timeout_ms == 0 {
            return Err(ConfigError::new(
                "heartbeat.timeoutMs",
                "milliseconds >= 1 while heartbeat.intervalMs > 0",
                "0",
            ));
        }
        if h.interval_ms > 0 && h.message.is_empty() {
            return Err(ConfigError::new(
                "heartbeat.message",
                "a non-empty string while heartbeat.intervalMs > 0",
                "\"\"",
            ));
        }
        check_ms("connectTimeoutMs", self.connect_timeout_ms)?;
        check_ms("closingTimeoutMs", self.closing_timeout_ms)?;
        check_ms("requests.timeoutMs", self.requests.timeout_ms)?;
        check_ms("requests.slowMs", self.requests.slow_ms)?;
        check_ms("flapping.windowMs", self.flapping.window_ms)?;
        if self.requests.timeout_ms == 0 {
            return Err(ConfigError::new(
                "requests.timeoutMs",
                "milliseconds from 1 to 86400000",
                "0",
            ));
        }
        if self.requests.id_field.is_empty() {
            return Err(ConfigError::new(
                "requests.idField",
                "a non-empty field name",
                "\"\"",
            ));
        }
        if self.flapping.threshold == 0 {
            return Err(ConfigError::new(
                "flapping.threshold",
                "an integer >= 1",
                "0",
            ));
        }
        if self.max_message_bytes == 0 {
            return Err(ConfigError::new("maxMessageBytes", "an integer >= 1", "0"));
        }
        for (index, rule) in self.close_codes.iter().enumerate() {
            let last = rule.to.unwrap_or(rule.code);
            if !(1000..=4999).contains(&rule.code)
                || !(1000..=4999).contains(&last)
                || last < rule.code
            {
                return Err(ConfigError::new(
                    &concat(&["closeCodes[", &decimal(index as u64), "]"]),
                    "code (and optional to >= code) within 1000-4999",
                    concat(&[
                        "code ",
                        &decimal(u64::from(rule.code)),
                        " to ",
                        &decimal(u64::from(last)),
                    ]),
                ));
            }
        }
        if self.redact_keys.iter().any(String::is_empty) {
            return Err(ConfigError::new(
                "redactKeys",
                "non-empty field names",
                "an empty string",
            ));
        }
        Ok(())
    }

    /// The close code policy built from `closeCodes`.
    pub fn close_policy(&self) -> ClosePolicy {
        ClosePolicy {
            rules: self
                .close_codes
                .iter()
                .map(|rule| (rule.code, rule.to.unwrap_or(rule.code), rule.action))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn a_socket_redacts_every_documented_key_by_default() {
        // The engine's redactor is built from the config, not from
        // `Redactor::default()`: both must hold the documented keys (the
        // list's own tests are in `redact`).
        let keys = Config::default().redact_keys;
        assert_eq!(keys, DEFAULT_SECRET_KEYS.map(String::from).to_vec());
        assert!(keys.iter().any(|k| k == "apikey"), "{keys:?}");
    }

    #[test]
    fn bad_multiplier_names_the_option_and_the_allowed_values() {
        let mut config = Config::default();
        config.reconnect.multiplier = f64::NAN;
        let error = config.validate().unwrap_err();
        assert_eq!(error.option, "reconnect.multiplier");
        assert!(
            error.to_string().contains("a finite number from 1 to 100"),
            "{error}"
        );
    }

    #[test]
    fn a_zero_initial_delay_is_rejected_while_reconnecting() {
        let mut config = Config::default();
        config.reconnect.initial_delay_ms = 0;
        let error = config.validate().unwrap_err();
        assert_eq!(error.option, "reconnect.initialDelayMs");
        assert!(error.to_string().contains("tight loop"), "{error}");
        config.reconnect.enabled = false;
        assert!(config.validate().is_ok(), "no reconnect: no delay used");
    }

    #[test]
    fn max_delay_below_initial_delay_is_rejected() {
        let mut config = Config::default();
        config.reconnect.max_delay_ms = 100;
        assert_eq!(
            config.validate().unwrap_err().option,
            "reconnect.maxDelayMs"
        );
    }

    #[test]
    fn close_code_rule_outside_range_is_rejected() {
        let mut config = Config::default();
        config.close_codes.push(CloseCodeRule {
            code: 4000,
            to: Some(3999),
            action: CloseAction::Stop,
        });
        assert_eq!(config.validate().unwrap_err().option, "closeCodes[0]");
    }

    #[test]
    fn huge_durations_are_rejected() {
        let mut config = Config::default();
        config.heartbeat.interval_ms = u64::MAX;
        assert_eq!(
            config.validate().unwrap_err().option,
            "heartbeat.intervalMs"
        );
    }
}
