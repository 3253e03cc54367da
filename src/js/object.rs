//! Plain JS objects for events and records, built field by field (smaller
//! than a generic serializer, and numbers stay numbers, not BigInts).

use crate::prelude::*;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::core::{CloseAction, CloseCategory, CloseCause, CloseInterpretation};

/// A plain object under construction.
pub struct Obj(Object);

impl Obj {
    /// `{}`.
    pub fn new() -> Obj {
        Obj(Object::new())
    }

    /// `{ type }`, the start of every event object.
    pub fn event(kind: &str) -> Obj {
        Obj::new().set("type", kind)
    }

    /// Sets `key` to `value`.
    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Obj {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    /// Sets `key` to a number.
    pub fn num(self, key: &str, value: u64) -> Obj {
        self.set(key, value as f64)
    }

    /// Sets `key` to a number, or `null`.
    pub fn opt(self, key: &str, value: Option<u64>) -> Obj {
        match value {
            Some(value) => self.num(key, value),
            None => self.set(key, JsValue::NULL),
        }
    }

    /// Sets `key` to an array of strings.
    pub fn strings(self, key: &str, values: &[String]) -> Obj {
        let array = Array::new();
        for value in values {
            array.push(&JsValue::from_str(value));
        }
        self.set(key, array)
    }

    /// Sets `code`, `name`, `category`, `action` and `hint`.
    pub fn close_info(self, info: &CloseInterpretation) -> Obj {
        self.num("code", u64::from(info.code))
            .set("name", info.name)
            .set("category", category_name(info.category))
            .set("action", action_name(info.action))
            .set("hint", info.hint)
    }

    /// The object.
    pub fn build(self) -> JsValue {
        self.0.into()
    }
}

/// The JS spelling of a close category.
pub fn category_name(category: CloseCategory) -> &'static str {
    match category {
        CloseCategory::Normal => "normal",
        CloseCategory::GoingAway => "goingAway",
        CloseCategory::Protocol => "protocol",
        CloseCategory::Policy => "policy",
        CloseCategory::ServerError => "serverError",
        CloseCategory::Temporary => "temporary",
        CloseCategory::Abnormal => "abnormal",
        CloseCategory::Tls => "tls",
        CloseCategory::Reserved => "reserved",
        CloseCategory::Registered => "registered",
        CloseCategory::Application => "application",
        CloseCategory::Invalid => "invalid",
    }
}

/// The JS spelling of a close action.
pub fn action_name(action: CloseAction) -> &'static str {
    match action {
        CloseAction::Retry => "retry",
        CloseAction::Stop => "stop",
        CloseAction::Reauth => "reauth",
    }
}

/// The JS spelling of a close cause.
pub fn cause_name(cause: CloseCause) -> &'static str {
    match cause {
        CloseCause::Server => "server",
        CloseCause::App => "app",
        CloseCause::Replaced => "replaced",
        CloseCause::HeartbeatTimeout => "heartbeatTimeout",
        CloseCause::ConnectTimeout => "connectTimeout",
        CloseCause::Offline => "offline",
        CloseCause::UrlProvider => "urlProvider",
        CloseCause::Refused => "refused",
        CloseCause::Disposed => "disposed",
    }
}
