//! `new ResilientSocket(url, options)`: the options object read into the
//! core `Config` plus the facade's own keys, and the small option bags of
//! single calls. Every error names the option path and what it allows;
//! unknown keys are rejected by name; a key whose value is `undefined`
//! counts as absent.
//!
//! Table-driven: each options object is a static list of [`Field`]s (key,
//! what it accepts, where it goes), read by one loop ([`read_object`]) and
//! stored by one `match` ([`store`]). Neither serde nor one code path per
//! option: both cost several times the WASM size of this.

use crate::prelude::*;

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::BinaryType;

use super::number::whole_number;
use crate::core::text::{concat, decimal};
use crate::core::{
    CloseAction, CloseCodeRule, Config, ConfigError, Jitter, MAX_MS, Overflow, PendingOnReconnect,
    check_subprotocols,
};
use crate::web::{Protocols, array_items, has_own, is_array, js_string, own_keys};

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

/// Reads the constructor's options (`undefined` or `null`: all defaults).
#[inline(never)]
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
    read_object(options, "", TOP, &mut parsed)?;
    Ok(parsed)
}

/// What an option accepts.
#[derive(Clone, Copy)]
enum Kind {
    /// `true` or `false`.
    Bool,
    /// An integer from the first bound to the second. A whole number
    /// under the first bound passes, so that the core refuses it with its
    /// own reason (`maxAttempts: 0` names `enabled: false`).
    Int(u64, u64),
    /// An integer from the first bound to the second, or `null`.
    IntOrNull(u64, u64),
    /// A number from 1 to 100: only `reconnect.multiplier` is one (its range
    /// is named in [`type_error`]; the core checks it again).
    Number,
    /// A string.
    Text,
    /// A string or `null`.
    TextOrNull,
    /// One of these strings (stored as its index).
    Choice(&'static [&'static str]),
    /// A nested options object.
    Object(&'static [Field]),
    /// An array of options objects (`closeCodes`); the slot is stored
    /// (with no value) before each element is read.
    Objects(&'static [Field], Slot),
    /// An array of strings (`redactKeys`).
    Texts,
    /// A string or an array of strings (`protocols`).
    Protocols,
    /// A function, or `null` (`urlProvider`).
    Function,
}

/// Where a value goes (see [`store`]).
#[derive(Clone, Copy)]
enum Slot {
    Nested,
    Enabled,
    InitialDelayMs,
    MaxDelayMs,
    Multiplier,
    Jitter,
    MaxAttempts,
    ResetAfterMs,
    TryLaterDelayMs,
    IntervalMs,
    HeartbeatTimeoutMs,
    Message,
    PongType,
    PongText,
    DeliverPongs,
    LateToleranceMs,
    MaxMessages,
    QueueMaxBytes,
    Overflow,
    MaxEntries,
    InspectorMaxBytes,
    RequestTimeoutMs,
    OnReconnect,
    SlowMs,
    IdField,
    WindowMs,
    Threshold,
    CloseCode,
    RuleCode,
    RuleTo,
    RuleAction,
    ConnectTimeoutMs,
    ClosingTimeoutMs,
    MaxMessageBytes,
    RedactKeys,
    RequireSecure,
    AllowInsecureLocalhost,
    Protocols,
    BinaryType,
    UrlProvider,
    Name,
    AutoConnect,
}

/// One option of an options object.
struct Field {
    key: &'static str,
    kind: Kind,
    slot: Slot,
    /// Absent (or `undefined`) is an error.
    required: bool,
}

const fn field(key: &'static str, kind: Kind, slot: Slot) -> Field {
    Field {
        key,
        kind,
        slot,
        required: false,
    }
}

const fn required(key: &'static str, kind: Kind, slot: Slot) -> Field {
    Field {
        key,
        kind,
        slot,
        required: true,
    }
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE: u64 = 9_007_199_254_740_991;
const U32: u64 = u32::MAX as u64;
/// Milliseconds, at most a day (as the core checks).
const MS: Kind = Kind::Int(0, MAX_MS);
/// A count that may be 0.
const COUNT: Kind = Kind::Int(0, U32);
/// A close code rule's bounds.
const CODE_MIN: u64 = 1000;
const CODE_MAX: u64 = 4999;

/// Top-level options, core options first, in the order they are read.
const TOP: &[Field] = &[
    field("reconnect", Kind::Object(RECONNECT), Slot::Nested),
    field("heartbeat", Kind::Object(HEARTBEAT), Slot::Nested),
    field("queue", Kind::Object(QUEUE), Slot::Nested),
    field("inspector", Kind::Object(INSPECTOR), Slot::Nested),
    field("requests", Kind::Object(REQUESTS), Slot::Nested),
    field("flapping", Kind::Object(FLAPPING), Slot::Nested),
    field(
        "closeCodes",
        Kind::Objects(CLOSE_CODE, Slot::CloseCode),
        Slot::Nested,
    ),
    field("connectTimeoutMs", MS, Slot::ConnectTimeoutMs),
    field("closingTimeoutMs", MS, Slot::ClosingTimeoutMs),
    field(
        "maxMessageBytes",
        Kind::Int(1, MAX_SAFE),
        Slot::MaxMessageBytes,
    ),
    field("redactKeys", Kind::Texts, Slot::RedactKeys),
    field("requireSecure", Kind::Bool, Slot::RequireSecure),
    field(
        "allowInsecureLocalhost",
        Kind::Bool,
        Slot::AllowInsecureLocalhost,
    ),
    field("protocols", Kind::Protocols, Slot::Protocols),
    field("binaryType", Kind::Choice(BINARY_TYPES), Slot::BinaryType),
    field("urlProvider", Kind::Function, Slot::UrlProvider),
    field("name", Kind::Text, Slot::Name),
    field("autoConnect", Kind::Bool, Slot::AutoConnect),
];

const RECONNECT: &[Field] = &[
    field("enabled", Kind::Bool, Slot::Enabled),
    field("initialDelayMs", MS, Slot::InitialDelayMs),
    field("maxDelayMs", MS, Slot::MaxDelayMs),
    field("multiplier", Kind::Number, Slot::Multiplier),
    field("jitter", Kind::Choice(JITTERS), Slot::Jitter),
    field("maxAttempts", Kind::IntOrNull(1, U32), Slot::MaxAttempts),
    field("resetAfterMs", MS, Slot::ResetAfterMs),
    field("tryLaterDelayMs", MS, Slot::TryLaterDelayMs),
];

const HEARTBEAT: &[Field] = &[
    field("intervalMs", MS, Slot::IntervalMs),
    field("timeoutMs", MS, Slot::HeartbeatTimeoutMs),
    field("message", Kind::Text, Slot::Message),
    field("pongType", Kind::TextOrNull, Slot::PongType),
    field("pongText", Kind::TextOrNull, Slot::PongText),
    field("deliverPongs", Kind::Bool, Slot::DeliverPongs),
    field("lateToleranceMs", MS, Slot::LateToleranceMs),
];

const QUEUE: &[Field] = &[
    field("maxMessages", COUNT, Slot::MaxMessages),
    field("maxBytes", COUNT, Slot::QueueMaxBytes),
    field("overflow", Kind::Choice(OVERFLOWS), Slot::Overflow),
];

const INSPECTOR: &[Field] = &[
    field("maxEntries", COUNT, Slot::MaxEntries),
    field("maxBytes", COUNT, Slot::InspectorMaxBytes),
];

const REQUESTS: &[Field] = &[
    field("timeoutMs", Kind::Int(1, MAX_MS), Slot::RequestTimeoutMs),
    field("onReconnect", Kind::Choice(ON_RECONNECT), Slot::OnReconnect),
    field("slowMs", MS, Slot::SlowMs),
    field("idField", Kind::Text, Slot::IdField),
];

const FLAPPING: &[Field] = &[
    field("windowMs", MS, Slot::WindowMs),
    field("threshold", Kind::Int(1, U32), Slot::Threshold),
];

/// One rule of `closeCodes`.
const CLOSE_CODE: &[Field] = &[
    required("code", Kind::Int(CODE_MIN, CODE_MAX), Slot::RuleCode),
    field("to", Kind::IntOrNull(CODE_MIN, CODE_MAX), Slot::RuleTo),
    required("action", Kind::Choice(ACTIONS), Slot::RuleAction),
];

/// Choice lists; [`store`] maps an index to its value, so each list's
/// order must match its `match` there.
const JITTERS: &[&str] = &["full", "equal", "none"];
const OVERFLOWS: &[&str] = &["reject", "dropOldest"];
const ON_RECONNECT: &[&str] = &["fail", "resend"];
const ACTIONS: &[&str] = &["retry", "stop", "reauth"];
const BINARY_TYPES: &[&str] = &["blob", "arraybuffer"];

/// A value read for one option, in the member its [`Kind`] fills.
#[derive(Default)]
struct Value {
    flag: bool,
    /// An integer or a choice's index; `None` for `null`.
    int: Option<u64>,
    number: f64,
    /// `None` for `null` (or an array of protocols).
    text: Option<String>,
    texts: Vec<String>,
    /// A function.
    js: JsValue,
}

/// What the refusal of one of the constructor's options starts with.
const OPTIONS: &str = "invalid option";

/// Reads the options object `object` at `path` (`""` for the top) with
/// `fields` into `out`: rejects a non-object and unknown keys, then reads
/// each field in order.
fn read_object(
    object: &JsValue,
    path: &str,
    fields: &[Field],
    out: &mut Options,
) -> Result<(), String> {
    if !is_plain_object(object) {
        return Err(if path.is_empty() {
            concat(&[
                "invalid options: expected an object (ResilientSocketOptions) or undefined, got ",
                &describe(object),
            ])
        } else {
            type_error(path, Kind::Object(&[]), object)
        });
    }
    // The options object itself is named `options`.
    let (context, name) = if path.is_empty() {
        ("invalid", "options")
    } else {
        (OPTIONS, path)
    };
    let keys = own_keys(object).map_err(|thrown| unreadable(context, name, &thrown))?;
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if fields.iter().any(|field| field.key == key) {
            continue;
        }
        let value =
            get(object, &key).map_err(|thrown| unreadable(OPTIONS, &join(path, &key), &thrown))?;
        if !value.is_undefined() {
            return Err(unknown_key(path, &key, fields));
        }
    }
    for field in fields {
        let path = join(path, field.key);
        let value = get(object, field.key).map_err(|thrown| unreadable(OPTIONS, &path, &thrown))?;
        if value.is_undefined() {
            if field.required {
                return Err(type_error(&path, field.kind, &value));
            }
            continue;
        }
        let read = read_value(&value, &path, field, out)?;
        store(out, field.slot, read);
    }
    Ok(())
}

/// Reads one present value of `field` (nested objects straight into `out`).
fn read_value(
    value: &JsValue,
    path: &str,
    field: &Field,
    out: &mut Options,
) -> Result<Value, String> {
    let mut read = Value::default();
    let valid = match field.kind {
        Kind::Bool => match value.as_bool() {
            Some(flag) => {
                read.flag = flag;
                true
            }
            None => false,
        },
        Kind::IntOrNull(..) if value.is_null() => true,
        Kind::Int(_, max) | Kind::IntOrNull(_, max) => {
            read.int = value
                .as_f64()
                .and_then(|number| whole_number(number, max as f64));
            read.int.is_some()
        }
        // Range checked here too, so that the refusal shows the value as JS
        // writes it (the core's rounding would show 0.9996 as "1").
        Kind::Number => match value.as_f64() {
            Some(number) if (1.0..=100.0).contains(&number) => {
                read.number = number;
                true
            }
            _ => false,
        },
        Kind::Text => {
            read.text = value.as_string();
            read.text.is_some()
        }
        Kind::TextOrNull => {
            read.text = value.as_string();
            read.text.is_some() || value.is_null()
        }
        Kind::Choice(names) => {
            let text = value.as_string().unwrap_or_default();
            read.int = names
                .iter()
                .position(|name| *name == text)
                .map(|index| index as u64);
            read.int.is_some()
        }
        Kind::Object(fields) => {
            read_object(value, path, fields, out)?;
            true
        }
        Kind::Objects(..) | Kind::Texts if is_array(value) => {
            let items = array_items(value).map_err(|thrown| unreadable(OPTIONS, path, &thrown))?;
            for (index, item) in items.iter().enumerate() {
                let path = concat(&[path, "[", &decimal(index as u64), "]"]);
                if let Kind::Objects(fields, slot) = field.kind {
                    store(out, slot, Value::default());
                    read_object(&item, &path, fields, out)?;
                } else {
                    read.texts.push(
                        item.as_string()
                            .ok_or_else(|| type_error(&path, Kind::Text, &item))?,
                    );
                }
            }
            true
        }
        Kind::Protocols => {
            read.text = value.as_string();
            let list: Option<Vec<String>> = match &read.text {
                Some(one) => Some(Vec::from([one.clone()])),
                None if is_array(value) => array_items(value)
                    .map_err(|thrown| unreadable(OPTIONS, path, &thrown))?
                    .iter()
                    .map(|p| p.as_string())
                    .collect(),
                None => None,
            };
            if let Some(list) = &list {
                check_subprotocols(list).map_err(|e| e.message())?;
            }
            let read_any = list.is_some();
            read.texts = list.unwrap_or_default();
            read_any
        }
        Kind::Function => {
            read.js = value.clone();
            value.is_function() || value.is_null()
        }
        Kind::Objects(..) | Kind::Texts => false,
    };
    if valid {
        Ok(read)
    } else {
        Err(type_error(path, field.kind, value))
    }
}

/// Stores a value read for `slot`.
fn store(out: &mut Options, slot: Slot, value: Value) {
    let config = &mut out.config;
    let int = value.int.unwrap_or_default();
    let (reconnect, heartbeat) = (&mut config.reconnect, &mut config.heartbeat);
    match slot {
        Slot::Nested => {}
        Slot::Enabled => reconnect.enabled = value.flag,
        Slot::InitialDelayMs => reconnect.initial_delay_ms = int,
        Slot::MaxDelayMs => reconnect.max_delay_ms = int,
        Slot::Multiplier => reconnect.multiplier = value.number,
        Slot::Jitter => {
            reconnect.jitter = match int {
                0 => Jitter::Full,
                1 => Jitter::Equal,
                _ => Jitter::None,
            }
        }
        Slot::MaxAttempts => reconnect.max_attempts = value.int.map(|n| n as u32),
        Slot::ResetAfterMs => reconnect.reset_after_ms = int,
        Slot::TryLaterDelayMs => reconnect.try_later_delay_ms = int,
        Slot::IntervalMs => heartbeat.interval_ms = int,
        Slot::HeartbeatTimeoutMs => heartbeat.timeout_ms = int,
        Slot::Message => heartbeat.message = value.text.unwrap_or_default(),
        Slot::PongType => heartbeat.pong_type = value.text,
        Slot::PongText => heartbeat.pong_text = value.text,
        Slot::DeliverPongs => heartbeat.deliver_pongs = value.flag,
        Slot::LateToleranceMs => heartbeat.late_tolerance_ms = int,
        Slot::MaxMessages => config.queue.max_messages = int as usize,
        Slot::QueueMaxBytes => config.queue.max_bytes = int as usize,
        Slot::Overflow => {
            config.queue.overflow = match int {
                0 => Overflow::Reject,
                _ => Overflow::DropOldest,
            }
        }
        Slot::MaxEntries => config.inspector.max_entries = int as usize,
        Slot::InspectorMaxBytes => config.inspector.max_bytes = int as usize,
        Slot::RequestTimeoutMs => config.requests.timeout_ms = int,
        Slot::OnReconnect => {
            config.requests.on_reconnect = match int {
                0 => PendingOnReconnect::Fail,
                _ => PendingOnReconnect::Resend,
            }
        }
        Slot::SlowMs => config.requests.slow_ms = int,
        Slot::IdField => config.requests.id_field = value.text.unwrap_or_default(),
        Slot::WindowMs => config.flapping.window_ms = int,
        Slot::Threshold => config.flapping.threshold = int as u32,
        Slot::CloseCode => config.close_codes.push(CloseCodeRule {
            code: 0,
            to: None,
            action: CloseAction::Retry,
        }),
        Slot::RuleCode | Slot::RuleTo | Slot::RuleAction => {
            if let Some(rule) = config.close_codes.last_mut() {
                match slot {
                    Slot::RuleCode => rule.code = int as u16,
                    Slot::RuleTo => rule.to = value.int.map(|n| n as u16),
                    _ => {
                        rule.action = match int {
                            0 => CloseAction::Retry,
                            1 => CloseAction::Stop,
                            _ => CloseAction::Reauth,
                        }
                    }
                }
            }
        }
        Slot::ConnectTimeoutMs => config.connect_timeout_ms = int,
        Slot::ClosingTimeoutMs => config.closing_timeout_ms = int,
        Slot::MaxMessageBytes => config.max_message_bytes = int,
        Slot::RedactKeys => config.redact_keys = value.texts,
        Slot::RequireSecure => config.require_secure = value.flag,
        Slot::AllowInsecureLocalhost => config.allow_insecure_localhost = value.flag,
        Slot::Protocols => {
            out.protocols = match value.text {
                Some(protocol) => Protocols::One(protocol),
                // The checked strings, not the app's array: it may change.
                None => Protocols::Many(value.texts.iter().map(JsValue::from).collect()),
            }
        }
        Slot::BinaryType => out.binary_type = binary_type_at(int),
        Slot::UrlProvider => out.url_provider = value.js.dyn_into().ok(),
        Slot::Name => out.name = value.text.unwrap_or_default(),
        Slot::AutoConnect => out.auto_connect = value.flag,
    }
}

/// `path.key` (`key` at the top).
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        concat(&[path, ".", key])
    }
}

/// ``invalid option `PATH`: expected WHAT KIND ALLOWS, got VALUE``, as the
/// core words its own refusals ([`ConfigError::message`]).
#[inline(never)]
fn type_error(path: &str, kind: Kind, got: &JsValue) -> String {
    let built;
    let expected = match kind {
        Kind::Bool => "true or false",
        Kind::Int(min, max) | Kind::IntOrNull(min, max) => {
            let or_null = if matches!(kind, Kind::IntOrNull(..)) {
                " or null"
            } else {
                ""
            };
            built = concat(&[
                "an integer from ",
                &decimal(min),
                " to ",
                &decimal(max),
                or_null,
            ]);
            &built
        }
        Kind::Number => "a finite number from 1 to 100",
        Kind::Text => "a string",
        Kind::TextOrNull => "a string or null",
        Kind::Choice(names) => {
            built = list(names, " or ", "\"");
            &built
        }
        Kind::Object(_) => "an object",
        Kind::Objects(..) | Kind::Texts => "an array",
        Kind::Protocols => "a string or an array of strings",
        Kind::Function => "a function returning a URL (or a Promise of one)",
    };
    ConfigError::new(path, expected, describe(got)).message()
}

/// `invalid options: unknown option `PATH.KEY`; allowed here: KEYS`.
#[inline(never)]
fn unknown_key(path: &str, key: &str, fields: &[Field]) -> String {
    let keys: Vec<&str> = fields.iter().map(|field| field.key).collect();
    concat(&[
        "invalid options: unknown option `",
        &join(path, key),
        "`; allowed here: ",
        &list(&keys, ", ", ""),
    ])
}

/// `"blob"` or `"arraybuffer"`, as the `binaryType` option allows.
pub fn binary_type(value: &JsValue) -> Option<BinaryType> {
    let name = value.as_string()?;
    let index = BINARY_TYPES.iter().position(|&allowed| allowed == name)?;
    Some(binary_type_at(index as u64))
}

/// The [`BINARY_TYPES`] entry at `index`.
fn binary_type_at(index: u64) -> BinaryType {
    match index {
        0 => BinaryType::Blob,
        _ => BinaryType::Arraybuffer,
    }
}

/// Checks the option bag of a call (`{ debounceMs }`, `{ timeoutMs }`,
/// `{ opened }`): an object or `undefined`/`null`, with no key but `keys`
/// (a key whose value is `undefined` counts as absent, as in the
/// constructor's options).
/// Read the values with [`get`] (`undefined` when absent).
#[inline(never)]
pub fn check_call_options(value: &JsValue, call: &str, keys: &[&str]) -> Result<(), String> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    if !is_plain_object(value) {
        return Err(concat(&[
            call,
            ": options must be an object, got ",
            &describe(value),
        ]));
    }
    let own = own_keys(value)
        .map_err(|thrown| unreadable(&concat(&[call, ": invalid"]), "options", &thrown))?;
    for key in own.iter() {
        let key = key.as_string().unwrap_or_default();
        if keys.contains(&key.as_str()) {
            continue;
        }
        if !call_option(value, call, &key)?.is_undefined() {
            return Err(concat(&[
                call,
                ": unknown option `",
                &key,
                "`; allowed: ",
                &list(keys, ", ", ""),
            ]));
        }
    }
    Ok(())
}

/// A millisecond count from a call option: `None` when `undefined`.
pub fn millis(value: &JsValue, call: &str, option: &str, min: u64) -> Result<Option<u64>, String> {
    if value.is_undefined() {
        return Ok(None);
    }
    match value
        .as_f64()
        .and_then(|ms| whole_number(ms, MAX_MS as f64))
    {
        Some(ms) if ms >= min => Ok(Some(ms)),
        _ => Err(concat(&[
            call,
            ": ",
            option,
            " must be an integer number of milliseconds from ",
            &decimal(min),
            " to ",
            &decimal(MAX_MS),
            ", got ",
            &describe(value),
        ])),
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
/// missing or inherited. Inherited values are ignored so a polluted
/// `Object.prototype` cannot inject options (e.g. `redactKeys: []`).
/// Objects without `Object.prototype` (`Object.create(null)`, another
/// realm's objects) are read the same way: `Object.hasOwn` needs no prototype.
/// `Err`: what its getter threw ([`unreadable`] names it), never a default
/// in place of a value that could not be read.
fn get(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if !object.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    let key = JsValue::from_str(key);
    if has_own(object, &key)? {
        Reflect::get(object, &key)
    } else {
        Ok(JsValue::UNDEFINED)
    }
}

/// Option `key` of a call's `options` ([`get`]), refused by the call's
/// name when its getter threw.
pub fn call_option(options: &JsValue, call: &str, key: &str) -> Result<JsValue, String> {
    call_option_shown_as(options, call, key, key)
}

/// [`call_option`] for an option nested under another, which a refusal
/// names by its path (`shown`, e.g. `fields.type`).
pub fn call_option_shown_as(
    options: &JsValue,
    call: &str,
    key: &str,
    shown: &str,
) -> Result<JsValue, String> {
    get(options, key).map_err(|thrown| unreadable(&concat(&[call, ": option"]), shown, &thrown))
}

/// The refusal of option `name` whose getter threw `thrown`: `context`
/// is "invalid option" for the constructor, "CALL: option" for a call.
pub fn unreadable(context: &str, name: &str, thrown: &JsValue) -> String {
    let text = js_string(thrown).ok().and_then(|text| text.as_string());
    concat(&[
        context,
        " `",
        name,
        "`: reading it threw: ",
        text.as_deref().unwrap_or("an exception"),
    ])
}

/// An object that is not an array or a function.
fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !value.is_function() && !is_array(value)
}

/// A short description of a JS value for error messages: strings quoted,
/// numbers and booleans as written, otherwise its kind.
pub fn describe(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return concat(&["\"", &text, "\""]);
    }
    if value.as_f64().is_some() || value.as_bool().is_some() {
        // JS's own number formatting (no float formatter in the WASM).
        return js_string(value)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default();
    }
    String::from(if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if value.is_function() {
        "a function"
    } else if is_array(value) {
        "an array"
    } else if value.is_bigint() {
        "a BigInt"
    } else if value.is_symbol() {
        "a Symbol"
    } else {
        "an object"
    })
}
