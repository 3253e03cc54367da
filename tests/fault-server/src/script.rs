//! A connection's script: what the server does with one WebSocket connection.
//!
//! A script comes from the query string of the connection's URL
//! (`/ws/client-1?close=4004&reason=not%20found`), or from a control request
//! `POST /clients/<id>/next?...` with the same parameters, which replaces the
//! next connection's own query. Unknown parameters are ignored, so an app's own
//! query parameters (`token=...`) can stand beside a script.
//!
//! Precedence when several are given: `reject`, then `hang`; otherwise the
//! upgrade is accepted and `flood`, `close`, `drop_after_ms`, `silent`, `pong`, `echo`,
//! `reply_delay_ms`, `read_delay_ms` and `protocol` all apply.

use std::fmt;
use std::time::Duration;

/// Longest close reason a close frame can carry, in bytes.
pub const MAX_REASON: usize = 123;
/// Largest flood message, in bytes.
pub const MAX_FLOOD_SIZE: usize = 16 * 1024 * 1024;
/// Most flood messages in one flood.
pub const MAX_FLOOD_COUNT: u64 = 100_000_000;
/// Longest delay any parameter accepts, in milliseconds (one day).
pub const MAX_MS: u64 = 86_400_000;

/// What the server does with one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// `reject=<status>`: refuse the upgrade with this HTTP status.
    pub reject: Option<u16>,
    /// `hang=1`: read the request and never answer it.
    pub hang: bool,
    /// `close=<code>&reason=<text>&after_ms=<n>`: close with a close frame.
    pub close: Option<CloseSpec>,
    /// `drop_after_ms=<n>`: drop the TCP connection, no close frame.
    pub drop_after: Option<Duration>,
    /// `silent=1`: send nothing by itself (no echo, no pong), keep reading.
    pub silent: bool,
    /// `flood=<count>&size=<bytes>`: send a burst of text messages after open.
    pub flood: Option<Flood>,
    /// `pong=0` turns off the answer to `ping` / `{"type":"ping"}`.
    pub pong: bool,
    /// `echo=0`: echo nothing, still answer pings (the benchmark's
    /// interleaved send ends each burst with a `ping`, whose pong says the
    /// server has read the whole burst).
    pub echo: bool,
    /// `reply_delay_ms=<n>`: delay every automatic reply (echo and pong).
    pub reply_delay: Duration,
    /// `read_delay_ms=<n>`: wait this long after each message before reading
    /// the next, with a small receive buffer: a slow reader, whose backlog
    /// stays in the client's send buffer.
    pub read_delay: Duration,
    /// `protocol=<name>`: the subprotocol to select if the client offers it.
    pub protocol: Option<String>,
    /// `store=0`: count text messages without keeping their text (the
    /// benchmark sends 100,000 a run, which `/received` never reads).
    pub store: bool,
}

impl Default for Script {
    /// Plain echo with pongs.
    fn default() -> Self {
        Script {
            reject: None,
            hang: false,
            close: None,
            drop_after: None,
            silent: false,
            flood: None,
            pong: true,
            echo: true,
            reply_delay: Duration::ZERO,
            read_delay: Duration::ZERO,
            protocol: None,
            store: true,
        }
    }
}

/// A scripted close frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseSpec {
    /// Close code: one a server may send (`parse_close_code`).
    pub code: u16,
    /// Close reason, at most [`MAX_REASON`] bytes of UTF-8.
    pub reason: String,
    /// Delay after the connection opened.
    pub after: Duration,
}

/// A burst of text messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flood {
    /// Number of messages.
    pub count: u64,
    /// Size of each message in bytes.
    pub size: usize,
}

impl Flood {
    /// Default message size when `size` is not given.
    pub const DEFAULT_SIZE: usize = 64;

    /// Parses `count` and `size` (the flood parameters, also used by the
    /// control API's `/flood` action).
    pub fn parse(count: &str, size: Option<&str>) -> Result<Flood, String> {
        Ok(Flood {
            count: parse_num("flood", count, 0, MAX_FLOOD_COUNT)?,
            size: match size {
                Some(s) => parse_num("size", s, 1, MAX_FLOOD_SIZE as u64)? as usize,
                None => Flood::DEFAULT_SIZE,
            },
        })
    }

    /// The text of message `index` (0-based): the decimal index, a colon,
    /// then dots up to exactly `size` bytes (cut to `size` when the index is
    /// longer). So the last message of `flood=1000` starts with `999:`.
    pub fn message(&self, index: u64) -> String {
        let mut s = format!("{index}:");
        if s.len() >= self.size {
            s.truncate(self.size);
        } else {
            let pad = self.size - s.len();
            s.extend(std::iter::repeat_n('.', pad));
        }
        s
    }
}

impl Script {
    /// Builds a script from query parameters. Errors name the parameter and
    /// the values it accepts.
    pub fn from_params(params: &[(String, String)]) -> Result<Script, String> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let mut script = Script::default();
        if let Some(v) = get("reject") {
            script.reject = Some(parse_num("reject", v, 200, 599)? as u16);
        }
        if let Some(v) = get("hang") {
            script.hang = parse_bool("hang", v)?;
        }
        if let Some(v) = get("close") {
            let reason = get("reason").unwrap_or_default().to_string();
            if reason.len() > MAX_REASON {
                return Err(format!(
                    "reason is {} bytes; a close reason holds at most {MAX_REASON}",
                    reason.len()
                ));
            }
            script.close = Some(CloseSpec {
                code: parse_close_code("close", v)?,
                reason,
                after: parse_ms("after_ms", get("after_ms"))?.unwrap_or_default(),
            });
        }
        script.drop_after = parse_ms("drop_after_ms", get("drop_after_ms"))?;
        if let Some(v) = get("silent") {
            script.silent = parse_bool("silent", v)?;
        }
        if let Some(v) = get("flood") {
            script.flood = Some(Flood::parse(v, get("size"))?);
        }
        if let Some(v) = get("pong") {
            script.pong = parse_bool("pong", v)?;
        }
        if let Some(v) = get("echo") {
            script.echo = parse_bool("echo", v)?;
        }
        if let Some(v) = get("store") {
            script.store = parse_bool("store", v)?;
        }
        script.reply_delay = parse_ms("reply_delay_ms", get("reply_delay_ms"))?.unwrap_or_default();
        script.read_delay = parse_ms("read_delay_ms", get("read_delay_ms"))?.unwrap_or_default();
        if let Some(v) = get("protocol") {
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
                return Err(format!(
                    "protocol must be a subprotocol token (visible ASCII, no comma), not {v:?}"
                ));
            }
            script.protocol = Some(v.to_string());
        }
        Ok(script)
    }
}

impl fmt::Display for Script {
    /// The script in query form, defaults left out (`echo` when all default).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = self.reject {
            parts.push(format!("reject={s}"));
        }
        if self.hang {
            parts.push("hang=1".into());
        }
        if let Some(c) = &self.close {
            parts.push(format!(
                "close={} reason={:?} after_ms={}",
                c.code,
                c.reason,
                c.after.as_millis()
            ));
        }
        if let Some(d) = self.drop_after {
            parts.push(format!("drop_after_ms={}", d.as_millis()));
        }
        if self.silent {
            parts.push("silent=1".into());
        }
        if let Some(fl) = self.flood {
            parts.push(format!("flood={} size={}", fl.count, fl.size));
        }
        if !self.pong {
            parts.push("pong=0".into());
        }
        if !self.echo {
            parts.push("echo=0".into());
        }
        if !self.store {
            parts.push("store=0".into());
        }
        if !self.reply_delay.is_zero() {
            parts.push(format!("reply_delay_ms={}", self.reply_delay.as_millis()));
        }
        if !self.read_delay.is_zero() {
            parts.push(format!("read_delay_ms={}", self.read_delay.as_millis()));
        }
        if let Some(p) = &self.protocol {
            parts.push(format!("protocol={p}"));
        }
        if parts.is_empty() {
            f.write_str("echo")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

/// Parses a flag: `1/true/yes/on` or an empty value (`?hang`) is true,
/// `0/false/no/off` is false.
pub fn parse_bool(name: &str, v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{name} must be 1 or 0, not {v:?}")),
    }
}

/// Parses an integer in `min..=max`.
pub fn parse_num(name: &str, v: &str, min: u64, max: u64) -> Result<u64, String> {
    match v.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{name} must be an integer {min}-{max}, not {v:?}")),
    }
}

/// Parses a close code a server may send (RFC 6455 7.4: 1000-1003,
/// 1007-1014 and 3000-4999). 1005, 1006 and 1015 never go on the wire, and
/// the rest of 1000-2999 is unassigned: a browser fails the connection on
/// them, so a test that sent one would pass for the wrong reason.
pub fn parse_close_code(name: &str, v: &str) -> Result<u16, String> {
    match v.trim().parse::<u16>() {
        Ok(code @ (1000..=1003 | 1007..=1014 | 3000..=4999)) => Ok(code),
        _ => Err(format!(
            "{name} must be a close code a server may send (1000-1003, 1007-1014 or 3000-4999), not {v:?}"
        )),
    }
}

/// Parses an optional millisecond count.
pub fn parse_ms(name: &str, v: Option<&str>) -> Result<Option<Duration>, String> {
    v.map(|v| parse_num(name, v, 0, MAX_MS).map(Duration::from_millis))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::parse_query;

    fn script(q: &str) -> Result<Script, String> {
        Script::from_params(&parse_query(q))
    }

    #[test]
    fn default_is_echo() {
        assert_eq!(script("token=abc").unwrap(), Script::default());
        assert_eq!(Script::default().to_string(), "echo");
    }

    #[test]
    fn parses_every_parameter() {
        let s = script("close=4004&reason=not%20found&after_ms=20&drop_after_ms=5&silent=1&flood=3&size=8&pong=0&reply_delay_ms=7&read_delay_ms=9&protocol=chat&reject=403&hang=1&store=0&echo=0").unwrap();
        assert_eq!(s.reject, Some(403));
        assert!(s.hang && s.silent && !s.pong && !s.store && !s.echo);
        assert_eq!(
            s.close,
            Some(CloseSpec {
                code: 4004,
                reason: "not found".into(),
                after: Duration::from_millis(20)
            })
        );
        assert_eq!(s.drop_after, Some(Duration::from_millis(5)));
        assert_eq!(s.flood, Some(Flood { count: 3, size: 8 }));
        assert_eq!(s.reply_delay, Duration::from_millis(7));
        assert_eq!(s.read_delay, Duration::from_millis(9));
        assert_eq!(s.protocol.as_deref(), Some("chat"));
    }

    #[test]
    fn errors_name_the_parameter() {
        assert!(script("close=999").unwrap_err().contains("close"));
        for unsendable in ["1005", "1006", "1015", "2000"] {
            let refused = script(&format!("close={unsendable}")).unwrap_err();
            assert!(refused.contains("1007-1014"), "{unsendable}: {refused}");
        }
        assert_eq!(script("close=1011").unwrap().close.unwrap().code, 1011);
        assert!(script("reject=abc").unwrap_err().contains("reject"));
        assert!(script("silent=maybe").unwrap_err().contains("silent"));
        assert!(script("flood=1&size=0").unwrap_err().contains("size"));
        let long = "x".repeat(124);
        assert!(
            script(&format!("close=4000&reason={long}"))
                .unwrap_err()
                .contains("reason")
        );
    }

    #[test]
    fn flood_messages_have_exact_size_and_index() {
        let f = Flood {
            count: 1000,
            size: 8,
        };
        assert_eq!(f.message(0), "0:......");
        assert_eq!(f.message(999), "999:....");
        assert_eq!(Flood { count: 1, size: 2 }.message(123), "12");
    }
}
