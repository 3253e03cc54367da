//! `new ResilientSocket(url, options)`: the options object read into the
//! core `Config` plus the facade's own keys, and the small option bags of
//! single calls. Every error names the option path and what it allows;
//! unknown keys are rejected by name; a key whose value is `undefined`
//! counts as absent.
//!
//! Read field by field rather than through serde: a generic deserializer
//! for these structs costs several times the WASM size of these lines.

use super::number::whole_number;
use crate::prelude::*;
use alloc::vec;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::BinaryType;

use crate::core::{
    CloseAction, CloseCodeRule, Config, FlappingConfig, HeartbeatConfig, InspectorConfig, Jitter,
    Overflow, PendingOnReconnect, QueueConfig, ReconnectConfig, RequestConfig,
};
use crate::web::{Protocols, js_string};

/// Everything the constructor's options say.
pub struct Options {
    /// The core's options.
    pub config: Config,
    /// Handshake subprotocols.
    pub protocols: Protocols,
    /// `binaryType` of each socket.
    pub binary_type: BinaryType,
    /// The URL provider.
    pub url_provider: Option<Function>,
    /// A name for logs.
    pub name: String,
    /// Connect in the constructor.
    pub auto_connect: bool,
}

/// Top-level option names, core options first.
const TOP_KEYS: &[&str] = &[
    "reconnect",
    "heartbeat",
    "queue",
    "inspector",
    "requests",
    "flapping",
    "closeCodes",
    "connectTimeoutMs",
    "closingTimeoutMs",
    "maxMessageBytes",
    "redactKeys",
    "requireSecure",
    "allowInsecureLocalhost",
    "protocols",
    "binaryType",
    "urlProvider",
    "name",
    "autoConnect",
];

/// Reads the constructor's options (`undefined` or `null`: all defaults).
pub fn parse(options: &JsValue) -> Result<Options, String> {
    let mut parsed = Options {
        config: Config::default(),
        protocols: Protocols::None,
        binary_type: BinaryType::Blob,
        url_provider: None,
        name: String::new(),
        auto_connect: true,
    };
    if options.is_undefined() || options.is_null() {
        return Ok(parsed);
    }
    let top = Level::new(options, "", TOP_KEYS)?;
    let config = &mut parsed.config;
    if let Some(level) = top.nested("reconnect", RECONNECT_KEYS)? {
        read_reconnect(&level, &mut config.reconnect)?;
    }
    if let Some(level) = top.nested("heartbeat", HEARTBEAT_KEYS)? {
        read_heartbeat(&level, &mut config.heartbeat)?;
    }
    if let Some(level) = top.nested("queue", QUEUE_KEYS)? {
        read_queue(&level, &mut config.queue)?;
    }
    if let Some(level) = top.nested("inspector", INSPECTOR_KEYS)? {
        read_inspector(&level, &mut config.inspector)?;
    }
    if let Some(level) = top.nested("requests", REQUESTS_KEYS)? {
        read_requests(&level, &mut config.requests)?;
    }
    if let Some(level) = top.nested("flapping", FLAPPING_KEYS)? {
        read_flapping(&level, &mut config.flapping)?;
    }
    if let Some(rules) = top.list("closeCodes")? {
        config.close_codes.clear();
        for (index, rule) in rules.iter().enumerate() {
            let path = format!("closeCodes[{index}]");
            let level = Level::new(&rule, &path, &["code", "to", "action"])?;
            config.close_codes.push(CloseCodeRule {
                code: level.required(|value| level.code(value, "code"), "code")?,
                to: match level.get("to") {
                    value if value.is_undefined() || value.is_null() => None,
                    value => Some(level.code(&value, "to")?),
                },
                action: level.required(|value| level.choice(value, "action", ACTIONS), "action")?,
            });
        }
    }
    top.millis("connectTimeoutMs", &mut config.connect_timeout_ms)?;
    top.millis("closingTimeoutMs", &mut config.closing_timeout_ms)?;
    top.u64("maxMessageBytes", &mut config.max_message_bytes)?;
    if let Some(keys) = top.list("redactKeys")? {
        config.redact_keys = keys
            .iter()
            .enumerate()
            .map(|(index, key)| {
                key.as_string()
                    .ok_or_else(|| top.error(&format!("redactKeys[{index}]"), "a string", &key))
            })
            .collect::<Result<_, _>>()?;
    }
    top.bool("requireSecure", &mut config.require_secure)?;
    top.bool(
        "allowInsecureLocalhost",
        &mut config.allow_insecure_localhost,
    )?;

    if let Some(value) = top.present("protocols") {
        parsed.protocols = protocols(&value)
            .ok_or_else(|| top.error("protocols", "a string or an array of strings", &value))?;
    }
    if let Some(value) = top.present("binaryType") {
        parsed.binary_type = binary_type(&value)
            .ok_or_else(|| top.error("binaryType", "\"blob\" or \"arraybuffer\"", &value))?;
    }
    if let Some(value) = top.present("urlProvider") {
        if value.is_function() {
            parsed.url_provider = Some(value.unchecked_into());
        } else if !value.is_null() {
            return Err(top.error(
                "urlProvider",
                "a function returning a URL (or a Promise of one)",
                &value,
            ));
        }
    }
    top.string("name", &mut parsed.name)?;
    top.bool("autoConnect", &mut parsed.auto_connect)?;
    Ok(parsed)
}

const RECONNECT_KEYS: &[&str] = &[
    "enabled",
    "initialDelayMs",
    "maxDelayMs",
    "multiplier",
    "jitter",
    "maxAttempts",
    "resetAfterMs",
    "tryLaterDelayMs",
];

fn read_reconnect(level: &Level, config: &mut ReconnectConfig) -> Result<(), String> {
    level.bool("enabled", &mut config.enabled)?;
    level.millis("initialDelayMs", &mut config.initial_delay_ms)?;
    level.millis("maxDelayMs", &mut config.max_delay_ms)?;
    if let Some(value) = level.present("multiplier") {
        config.multiplier = value
            .as_f64()
            .ok_or_else(|| level.error("multiplier", "a number", &value))?;
    }
    if let Some(value) = level.present("jitter") {
        config.jitter = level.choice(&value, "jitter", JITTERS)?;
    }
    if let Some(value) = level.present("maxAttempts") {
        config.max_attempts = if value.is_null() {
            None
        } else {
            let mut attempts = 0;
            level.u32_value(&value, "maxAttempts", &mut attempts)?;
            Some(attempts)
        };
    }
    level.millis("resetAfterMs", &mut config.reset_after_ms)?;
    level.millis("tryLaterDelayMs", &mut config.try_later_delay_ms)
}

const HEARTBEAT_KEYS: &[&str] = &[
    "intervalMs",
    "timeoutMs",
    "message",
    "pongType",
    "pongText",
    "deliverPongs",
    "lateToleranceMs",
];

fn read_heartbeat(level: &Level, config: &mut HeartbeatConfig) -> Result<(), String> {
    level.millis("intervalMs", &mut config.interval_ms)?;
    level.millis("timeoutMs", &mut config.timeout_ms)?;
    level.string("message", &mut config.message)?;
    level.optional_string("pongType", &mut config.pong_type)?;
    level.optional_string("pongText", &mut config.pong_text)?;
    level.bool("deliverPongs", &mut config.deliver_pongs)?;
    level.millis("lateToleranceMs", &mut config.late_tolerance_ms)
}

const QUEUE_KEYS: &[&str] = &["maxMessages", "maxBytes", "overflow"];

fn read_queue(level: &Level, config: &mut QueueConfig) -> Result<(), String> {
    level.usize("maxMessages", &mut config.max_messages)?;
    level.usize("maxBytes", &mut config.max_bytes)?;
    if let Some(value) = level.present("overflow") {
        config.overflow = level.choice(&value, "overflow", OVERFLOWS)?;
    }
    Ok(())
}

const INSPECTOR_KEYS: &[&str] = &["maxEntries", "maxBytes"];

fn read_inspector(level: &Level, config: &mut InspectorConfig) -> Result<(), String> {
    level.usize("maxEntries", &mut config.max_entries)?;
    level.usize("maxBytes", &mut config.max_bytes)
}

const REQUESTS_KEYS: &[&str] = &["timeoutMs", "onReconnect", "slowMs", "idField"];

fn read_requests(level: &Level, config: &mut RequestConfig) -> Result<(), String> {
    level.millis("timeoutMs", &mut config.timeout_ms)?;
    if let Some(value) = level.present("onReconnect") {
        config.on_reconnect = level.choice(&value, "onReconnect", ON_RECONNECT)?;
    }
    level.millis("slowMs", &mut config.slow_ms)?;
    level.string("idField", &mut config.id_field)
}

const FLAPPING_KEYS: &[&str] = &["windowMs", "threshold"];

fn read_flapping(level: &Level, config: &mut FlappingConfig) -> Result<(), String> {
    level.millis("windowMs", &mut config.window_ms)?;
    if let Some(value) = level.present("threshold") {
        level.u32_value(&value, "threshold", &mut config.threshold)?;
    }
    Ok(())
}

const JITTERS: &[(&str, Jitter)] = &[
    ("full", Jitter::Full),
    ("equal", Jitter::Equal),
    ("none", Jitter::None),
];
const OVERFLOWS: &[(&str, Overflow)] = &[
    ("reject", Overflow::Reject),
    ("dropOldest", Overflow::DropOldest),
];
const ON_RECONNECT: &[(&str, PendingOnReconnect)] = &[
    ("fail", PendingOnReconnect::Fail),
    ("resend", PendingOnReconnect::Resend),
];
const ACTIONS: &[(&str, CloseAction)] = &[
    ("retry", CloseAction::Retry),
    ("stop", CloseAction::Stop),
    ("reauth", CloseAction::Reauth),
];

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// One object of the options, at a path (`""` for the top, `reconnect`...).
struct Level {
    object: JsValue,
    path: String,
}

impl Level {
    /// Checks that `object` is a plain object whose keys are all in `allowed`.
    fn new(object: &JsValue, path: &str, allowed: &[&str]) -> Result<Level, String> {
        let level = Level {
            object: object.clone(),
            path: path.to_owned(),
        };
        if !is_plain_object(object) {
            return Err(if path.is_empty() {
                format!(
                    "invalid options: expected an object (ResilientSocketOptions) or undefined, got {}",
                    describe(object)
                )
            } else {
                format!(
                    "invalid option {path}: expected an object, got {}",
                    describe(object)
                )
            });
        }
        for key in Object::keys(object.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) && !get(object, &key).is_undefined() {
                return Err(format!(
                    "invalid options: unknown option `{}`; allowed here: {}",
                    level.full(&key),
                    list(allowed, ", ", "")
                ));
            }
        }
        Ok(level)
    }

    /// `path.key`.
    fn full(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn error(&self, key: &str, expected: &str, got: &JsValue) -> String {
        format!(
            "invalid option {}: expected {expected}, got {}",
            self.full(key),
            describe(got)
        )
    }

    fn get(&self, key: &str) -> JsValue {
        get(&self.object, key)
    }

    /// The value of `key`, unless absent or `undefined`.
    fn present(&self, key: &str) -> Option<JsValue> {
        Some(self.get(key)).filter(|value| !value.is_undefined())
    }

    fn required<T>(
        &self,
        read: impl FnOnce(&JsValue) -> Result<T, String>,
        key: &str,
    ) -> Result<T, String> {
        match self.present(key) {
            Some(value) => read(&value),
            None => Err(format!("invalid option {}: required", self.full(key))),
        }
    }

    /// A nested options object, checked against its allowed keys.
    fn nested(&self, key: &str, allowed: &[&str]) -> Result<Option<Level>, String> {
        match self.present(key) {
            Some(value) => Level::new(&value, &self.full(key), allowed).map(Some),
            None => Ok(None),
        }
    }

    fn list(&self, key: &str) -> Result<Option<Array>, String> {
        match self.present(key) {
            None => Ok(None),
            Some(value) if Array::is_array(&value) => Ok(Some(value.unchecked_into())),
            Some(value) => Err(self.error(key, "an array", &value)),
        }
    }

    fn bool(&self, key: &str, target: &mut bool) -> Result<(), String> {
        if let Some(value) = self.present(key) {
            *target = value
                .as_bool()
                .ok_or_else(|| self.error(key, "true or false", &value))?;
        }
        Ok(())
    }

    fn string(&self, key: &str, target: &mut String) -> Result<(), String> {
        if let Some(value) = self.present(key) {
            *target = value
                .as_string()
                .ok_or_else(|| self.error(key, "a string", &value))?;
        }
        Ok(())
    }

    fn optional_string(&self, key: &str, target: &mut Option<String>) -> Result<(), String> {
        if let Some(value) = self.present(key) {
            *target = if value.is_null() {
                None
            } else {
                Some(
                    value
                        .as_string()
                        .ok_or_else(|| self.error(key, "a string or null", &value))?,
                )
            };
        }
        Ok(())
    }

    /// A non-negative integer up to `max`.
    #[inline(never)]
    fn integer(&self, value: &JsValue, key: &str, max: f64) -> Result<u64, String> {
        match value.as_f64().and_then(|number| whole_number(number, max)) {
            Some(number) => Ok(number),
            None => Err(self.error(key, &format!("an integer from 0 to {}", max as u64), value)),
        }
    }

    fn u64(&self, key: &str, target: &mut u64) -> Result<(), String> {
        if let Some(value) = self.present(key) {
            *target = self.integer(&value, key, MAX_SAFE)?;
        }
        Ok(())
    }

    /// Milliseconds (the core checks the upper bound and names it).
    fn millis(&self, key: &str, target: &mut u64) -> Result<(), String> {
        self.u64(key, target)
    }

    fn usize(&self, key: &str, target: &mut usize) -> Result<(), String> {
        if let Some(value) = self.present(key) {
            *target = self.integer(&value, key, u32::MAX as f64)? as usize;
        }
        Ok(())
    }

    fn u32_value(&self, value: &JsValue, key: &str, target: &mut u32) -> Result<(), String> {
        *target = self.integer(value, key, u32::MAX as f64)? as u32;
        Ok(())
    }

    fn code(&self, value: &JsValue, key: &str) -> Result<u16, String> {
        Ok(self.integer(value, key, 65535.0)? as u16)
    }

    fn choice<T: Copy>(
        &self,
        value: &JsValue,
        key: &str,
        choices: &[(&str, T)],
    ) -> Result<T, String> {
        let text = value.as_string().unwrap_or_default();
        if let Some((_, choice)) = choices.iter().find(|(name, _)| *name == text) {
            return Ok(*choice);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        Err(self.error(key, &list(&names, " or ", "\""), value))
    }
}

/// `"blob"` or `"arraybuffer"`.
pub fn binary_type(value: &JsValue) -> Option<BinaryType> {
    match value.as_string()?.as_str() {
        "blob" => Some(BinaryType::Blob),
        "arraybuffer" => Some(BinaryType::Arraybuffer),
        _ => None,
    }
}

fn protocols(value: &JsValue) -> Option<Protocols> {
    if let Some(protocol) = value.as_string() {
        return Some(Protocols::One(protocol));
    }
    if Array::is_array(value) {
        let list: Array = value.clone().unchecked_into();
        if list.iter().all(|item| item.is_string()) {
            return Some(Protocols::Many(list));
        }
    }
    None
}

/// Reads the option bag of a call (`{ debounceMs }`, `{ timeoutMs }`,
/// `{ opened }`): the values of `keys` in order, `undefined` when absent.
/// Rejects anything but an object or `undefined`, and unknown keys.
pub fn call_options(value: &JsValue, call: &str, keys: &[&str]) -> Result<Vec<JsValue>, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(vec![JsValue::UNDEFINED; keys.len()]);
    }
    if !is_plain_object(value) {
        return Err(format!(
            "{call}: options must be an object, got {}",
            describe(value)
        ));
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !keys.contains(&key.as_str()) {
            return Err(format!(
                "{call}: unknown option `{key}`; allowed: {}",
                list(keys, ", ", "")
            ));
        }
    }
    Ok(keys.iter().map(|key| get(value, key)).collect())
}

/// A millisecond count from a call option: `None` when `undefined`.
pub fn millis(value: &JsValue, call: &str, option: &str, min: u64) -> Result<Option<u64>, String> {
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64().and_then(|ms| whole_number(ms, 86_400_000.0)) {
        Some(ms) if ms >= min => Ok(Some(ms)),
        _ => Err(format!(
            "{call}: {option} must be an integer number of milliseconds from {min} to 86400000, got {}",
            describe(value)
        )),
    }
}

/// `items` joined by `separator`, each between `quote`s.
pub fn list(items: &[&str], separator: &str, quote: &str) -> String {
    let mut out = String::new();
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(quote);
        out.push_str(item);
        out.push_str(quote);
    }
    out
}

/// `object[key]` if `key` is the object's own property; `undefined` when
/// missing, inherited or unreadable. Inherited values are ignored so a
/// polluted `Object.prototype` cannot inject options (e.g. `redactKeys: []`).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    let key = JsValue::from_str(key);
    match object.dyn_ref::<Object>() {
        Some(own) if Object::has_own(own, &key) => {
            Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED)
        }
        _ => JsValue::UNDEFINED,
    }
}

/// An object that is not an array or a function.
fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !value.is_function() && !Array::is_array(value)
}

/// A short description of a JS value for error messages: strings quoted,
/// numbers and booleans as written, otherwise its kind.
pub fn describe(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return format!("\"{text}\"");
    }
    if value.as_f64().is_some() || value.as_bool().is_some() {
        // JS's own number formatting (no float formatter in the WASM).
        return js_string(value).as_string().unwrap_or_default();
    }
    String::from(if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if value.is_function() {
        "a function"
    } else if Array::is_array(value) {
        "an array"
    } else {
        "an object"
    })
}
