//! Shared generators and oracles for the fuzz targets.
//!
//! Values are drawn from the fuzz bytes with `arbitrary`, biased towards the
//! edges that matter (0, the one-day cap on durations, `u64::MAX`, NaN) while
//! still able to produce any value.

use arbitrary::{Arbitrary, Result, Unstructured};
use resilient_ws::core::json_scan;
use resilient_ws::core::{
    CloseAction, CloseCodeRule, Config, Jitter, Overflow, PendingOnReconnect,
};

/// The upper bound `Config::validate` puts on every millisecond option.
pub const MAX_MS: u64 = 86_400_000;

/// Any `u64` millisecond value, biased to edges (for `validate`).
pub fn any_ms(u: &mut Unstructured) -> Result<u64> {
    Ok(match u.int_in_range(0..=7u8)? {
        0 => 0,
        1 => u.int_in_range(1..=100)?,
        2 => u.int_in_range(0..=10_000)?,
        3 => u.int_in_range(0..=MAX_MS)?,
        4 => MAX_MS,
        5 => MAX_MS + 1,
        6 => u64::MAX,
        _ => u.arbitrary()?,
    })
}

/// A millisecond value `validate` accepts, mostly small so that a short run
/// crosses many deadlines; now and then 0 or the cap.
pub fn valid_ms(u: &mut Unstructured) -> Result<u64> {
    Ok(match u.int_in_range(0..=7u8)? {
        0 => 0,
        1 => MAX_MS,
        2 => u.int_in_range(0..=MAX_MS)?,
        _ => u.int_in_range(1..=5_000)?,
    })
}

/// Any `f64`, biased to the values a number option can break on.
pub fn any_f64(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=11u8)? {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => 0.0,
        4 => -0.0,
        5 => 1.0,
        6 => 100.0,
        7 => 100.000_000_000_1,
        8 => 0.999_999_999_9,
        9 => f64::MAX,
        10 => f64::MIN_POSITIVE,
        _ => u.arbitrary()?,
    })
}

/// A close code, biased to the ones with a meaning.
pub fn close_code(u: &mut Unstructured) -> Result<u16> {
    const KNOWN: &[u16] = &[
        0,
        999,
        1000,
        1001,
        1002,
        1003,
        1004,
        1005,
        1006,
        1007,
        1008,
        1009,
        1010,
        1011,
        1012,
        1013,
        1014,
        1015,
        1016,
        2999,
        3000,
        3003,
        3008,
        3999,
        4000,
        4002,
        4003,
        4004,
        4999,
        5000,
        u16::MAX,
    ];
    if u.ratio(3, 4)? {
        Ok(*u.choose(KNOWN)?)
    } else {
        u.arbitrary()
    }
}

fn close_action(u: &mut Unstructured) -> Result<CloseAction> {
    Ok(*u.choose(&[CloseAction::Retry, CloseAction::Stop, CloseAction::Reauth])?)
}

/// A close code rule: `code` and `to` anything (for `validate`).
pub fn any_rule(u: &mut Unstructured) -> Result<CloseCodeRule> {
    Ok(CloseCodeRule {
        code: close_code(u)?,
        to: if u.arbitrary()? {
            Some(close_code(u)?)
        } else {
            None
        },
        action: close_action(u)?,
    })
}

/// A JSON literal for an inspector filter (a number, `true`, `false`,
/// `null`), sometimes an arbitrary word instead.
pub fn literal(u: &mut Unstructured) -> Result<String> {
    const LITERALS: &[&str] = &["0", "1", "7", "-1", "1.5", "1e3", "true", "false", "null"];
    if u.ratio(3, 4)? {
        Ok((*u.choose(LITERALS)?).to_owned())
    } else {
        word(u)
    }
}

/// A short string: sometimes one of the interesting words, else arbitrary.
pub fn word(u: &mut Unstructured) -> Result<String> {
    const WORDS: &[&str] = &[
        "",
        "id",
        "type",
        "token",
        "access_token",
        "Authorization",
        "password",
        "secret",
        "apiKey",
        "pong",
        "ping",
        "[redacted]",
        "\"",
        "\\",
        "=",
        "é",
    ];
    if u.ratio(1, 2)? {
        Ok((*u.choose(WORDS)?).to_owned())
    } else {
        u.arbitrary()
    }
}

/// Every option with values from anywhere, NaN and huge numbers included:
/// what `validate` must judge without panicking.
pub fn any_config(u: &mut Unstructured) -> Result<Config> {
    let mut c = Config::default();
    let r = &mut c.reconnect;
    r.enabled = u.arbitrary()?;
    r.initial_delay_ms = any_ms(u)?;
    r.max_delay_ms = any_ms(u)?;
    r.multiplier = any_f64(u)?;
    r.jitter = *u.choose(&[Jitter::Full, Jitter::Equal, Jitter::None])?;
    r.max_attempts = u.arbitrary()?;
    r.reset_after_ms = any_ms(u)?;
    r.try_later_delay_ms = any_ms(u)?;
    let h = &mut c.heartbeat;
    h.interval_ms = any_ms(u)?;
    h.timeout_ms = any_ms(u)?;
    h.message = word(u)?;
    h.pong_type = if u.arbitrary()? { Some(word(u)?) } else { None };
    h.pong_text = if u.arbitrary()? { Some(word(u)?) } else { None };
    h.deliver_pongs = u.arbitrary()?;
    h.late_tolerance_ms = any_ms(u)?;
    c.queue.max_messages = u.arbitrary()?;
    c.queue.max_bytes = u.arbitrary()?;
    c.queue.overflow = *u.choose(&[Overflow::Reject, Overflow::DropOldest])?;
    c.inspector.max_entries = u.arbitrary()?;
    c.inspector.max_bytes = u.arbitrary()?;
    c.requests.timeout_ms = any_ms(u)?;
    c.requests.on_reconnect = *u.choose(&[PendingOnReconnect::Fail, PendingOnReconnect::Resend])?;
    c.requests.slow_ms = any_ms(u)?;
    c.requests.id_field = word(u)?;
    c.flapping.window_ms = any_ms(u)?;
    c.flapping.threshold = u.arbitrary()?;
    c.close_codes = (0..u.int_in_range(0..=4u8)?)
        .map(|_| any_rule(u))
        .collect::<Result<_>>()?;
    c.connect_timeout_ms = any_ms(u)?;
    c.closing_timeout_ms = any_ms(u)?;
    c.max_message_bytes = any_ms(u)?;
    if u.arbitrary()? {
        c.redact_keys = (0..u.int_in_range(0..=4u8)?)
            .map(|_| word(u))
            .collect::<Result<_>>()?;
    }
    c.require_secure = u.arbitrary()?;
    c.allow_insecure_localhost = u.arbitrary()?;
    Ok(c)
}

/// Options for an engine run: mostly valid values (the engine target skips
/// the rest), with small caps so that limits are reached within a few steps.
pub fn engine_config(u: &mut Unstructured) -> Result<Config> {
    let mut c = Config::default();
    let r = &mut c.reconnect;
    r.enabled = u.ratio(7, 8)?;
    r.initial_delay_ms = valid_ms(u)?;
    r.max_delay_ms = r
        .initial_delay_ms
        .saturating_add(valid_ms(u)?)
        .min(MAX_MS.max(r.initial_delay_ms));
    r.multiplier = if u.ratio(1, 8)? {
        any_f64(u)?
    } else {
        f64::from(u.int_in_range(100..=10_000u32)?) / 100.0
    };
    r.jitter = *u.choose(&[Jitter::Full, Jitter::Equal, Jitter::None])?;
    r.max_attempts = if u.ratio(1, 3)? {
        Some(u.int_in_range(1..=5)?)
    } else {
        None
    };
    r.reset_after_ms = valid_ms(u)?;
    r.try_later_delay_ms = valid_ms(u)?;
    let h = &mut c.heartbeat;
    h.interval_ms = valid_ms(u)?;
    h.timeout_ms = valid_ms(u)?.max(1);
    if u.ratio(1, 4)? {
        h.message = word(u)?;
    }
    match u.int_in_range(0..=3u8)? {
        0 => h.pong_type = Some(word(u)?),
        1 => h.pong_text = Some(word(u)?),
        2 => h.pong_type = None,
        _ => {}
    }
    h.deliver_pongs = u.arbitrary()?;
    h.late_tolerance_ms = valid_ms(u)?;
    c.queue.max_messages = usize::from(u.int_in_range(0..=8u8)?);
    c.queue.max_bytes = usize::from(u.arbitrary::<u16>()? % 512);
    c.queue.overflow = *u.choose(&[Overflow::Reject, Overflow::DropOldest])?;
    c.inspector.max_entries = usize::from(u.int_in_range(0..=8u8)?);
    c.inspector.max_bytes = usize::from(u.arbitrary::<u16>()? % 512);
    c.requests.timeout_ms = valid_ms(u)?.max(1);
    c.requests.on_reconnect = *u.choose(&[PendingOnReconnect::Fail, PendingOnReconnect::Resend])?;
    c.requests.slow_ms = valid_ms(u)?;
    if u.ratio(1, 4)? {
        c.requests.id_field = word(u)?;
    }
    c.flapping.window_ms = valid_ms(u)?;
    c.flapping.threshold = u.int_in_range(1..=4)?;
    if u.ratio(1, 4)? {
        c.close_codes = (0..u.int_in_range(1..=3u8)?)
            .map(|_| {
                let code = u.int_in_range(1000..=4999)?;
                Ok(CloseCodeRule {
                    code,
                    to: if u.arbitrary()? {
                        Some(u.int_in_range(code..=4999)?)
                    } else {
                        None
                    },
                    action: close_action(u)?,
                })
            })
            .collect::<Result<_>>()?;
    }
    c.connect_timeout_ms = valid_ms(u)?;
    c.closing_timeout_ms = valid_ms(u)?;
    c.max_message_bytes = u.int_in_range(1..=600)?;
    if u.ratio(1, 4)? {
        c.redact_keys = (0..u.int_in_range(0..=3u8)?)
            .map(|_| word(u))
            .collect::<Result<_>>()?;
    }
    c.require_secure = u.ratio(1, 4)?;
    c.allow_insecure_localhost = u.ratio(3, 4)?;
    Ok(c)
}

/// A URL to connect to: the usual shapes, or arbitrary text.
pub fn url(u: &mut Unstructured) -> Result<String> {
    const URLS: &[&str] = &[
        "ws://localhost:8765/ws",
        "ws://127.0.0.1:8765/ws?token=abc",
        "ws://[::1]:8765/",
        "wss://example.test/ws?access_token=s3cr3t&room=a",
        "wss://user:pa55@example.test/",
        "ws://example.test/ws",
        "ws://127.0.0.1.example.test/",
        "ws://example.test\\@localhost/",
        "ws://ws://localhost/",
        "http://example.test/",
        "example.test/ws?token=abc",
        "",
    ];
    if u.ratio(3, 4)? {
        Ok((*u.choose(URLS)?).to_owned())
    } else {
        u.arbitrary()
    }
}

/// A JSON value as text: scalars, URL-bearing strings, nested containers.
fn json_value(u: &mut Unstructured, depth: u8) -> Result<String> {
    Ok(match u.int_in_range(0..=6u8)? {
        0 => json_scan::quote(&word(u)?),
        1 => u.arbitrary::<i32>()?.to_string(),
        2 => String::from(*u.choose(&["true", "false", "null", "-0.5e3"])?),
        3 => json_scan::quote(&format!("wss://u:{}@h/?token={}", word(u)?, word(u)?)),
        4 if depth < 3 => json_object(u, depth + 1)?,
        5 if depth < 3 => {
            let items = (0..u.int_in_range(0..=3u8)?)
                .map(|_| json_value(u, depth + 1))
                .collect::<Result<Vec<_>>>()?;
            format!("[{}]", items.join(","))
        }
        _ => json_scan::quote(&u.arbitrary::<String>()?),
    })
}

/// A JSON object as text, with keys drawn from the interesting words.
pub fn json_object(u: &mut Unstructured, depth: u8) -> Result<String> {
    let members = (0..u.int_in_range(0..=4u8)?)
        .map(|_| {
            let key = json_scan::quote(&word(u)?);
            let space = if u.arbitrary()? { " " } else { "" };
            Ok(format!("{key}:{space}{}", json_value(u, depth)?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(format!("{{{}}}", members.join(",")))
}

/// Text for the redactor and the scanners: valid JSON objects, URLs, or
/// arbitrary UTF-8.
pub fn text(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => json_object(u, 0)?,
        1 => url(u)?,
        _ => u.arbitrary()?,
    })
}

/// Milliseconds the clock moves: none, small, large, or anything.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Jump {
    /// No time passes.
    Zero,
    /// Up to 255 ms.
    Small(u8),
    /// Up to a minute.
    Medium(u16),
    /// Up to 49 days (beyond the one-day cap of every option).
    Large(u32),
    /// Any `u64`: the clock saturates.
    Huge(u64),
}

impl Jump {
    /// The jump in milliseconds.
    pub fn ms(self) -> u64 {
        match self {
            Jump::Zero => 0,
            Jump::Small(ms) => u64::from(ms),
            Jump::Medium(ms) => u64::from(ms),
            Jump::Large(ms) => u64::from(ms),
            Jump::Huge(ms) => ms,
        }
    }
}
