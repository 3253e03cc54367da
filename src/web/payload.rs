//! [`JsPayload`]: the core's [`Payload`] over the JS value itself, so a
//! message crosses the SDK without being copied into WASM memory.

use alloc::borrow::Cow;

use js_sys::ArrayBuffer;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::bindings::{
    byte_length, has_own, is_array, js_string, json_parse, object_tag, property, string_length,
    view_buffer,
};
use crate::core::{Member, Payload, utf16_len};

/// Texts longer than this (UTF-16 units) are parsed in JS to find a member
/// (a request's reply id): copied into WASM to be scanned, a large one (a
/// snapshot answering a request) would grow WASM memory to its size, up to
/// 3x in UTF-8, for the page's life. Shorter ones are scanned in WASM.
const PARSED_IN_JS_ABOVE: usize = 64 * 1024;

/// A message as a JS value (a string, `ArrayBuffer`, `Blob` or
/// `ArrayBufferView`), with its kind and size read once, when it is wrapped.
#[derive(Clone, Debug)]
pub struct JsPayload {
    value: JsValue,
    size: usize,
    text: bool,
}

impl JsPayload {
    /// Wraps a value for sending or as received. Strings and binary data are
    /// kept as they are; anything else becomes `String(value)`, as
    /// `WebSocket.send` would send it (the exception if that throws).
    pub fn from_js(value: JsValue) -> Result<JsPayload, JsValue> {
        match JsPayload::from_data(value) {
            Ok(payload) => Ok(payload),
            Err(value) => js_string(&value).map(JsPayload::from_string),
        }
    }

    /// Whether `value` is a plain object, an array, `null` or `undefined`:
    /// data `String(value)` would turn into `"[object Object]"` or similar,
    /// which no app means to send (`send()` refuses it; `request()` and
    /// `setReplayState()` send such values as JSON).
    pub fn is_not_data(value: &JsValue) -> bool {
        value.is_null_or_undefined()
            || matches!(
                object_tag(value).as_deref(),
                Some("[object Object]" | "[object Array]")
            )
    }

    /// Wraps a string, `ArrayBuffer`, `ArrayBufferView` or `Blob`; gives
    /// anything else back.
    pub fn from_data(value: JsValue) -> Result<JsPayload, JsValue> {
        if value.is_string() {
            return Ok(JsPayload::from_string(value));
        }
        let size = if value.is_instance_of::<ArrayBuffer>() || ArrayBuffer::is_view(&value) {
            byte_length(&value)
        } else if let Some(blob) = value.dyn_ref::<Blob>() {
            blob.size() as usize
        } else {
            // An `ArrayBuffer` or `Blob` from another realm (an iframe)
            // fails `instanceof` but is binary data all the same.
            match object_tag(&value).as_deref() {
                Some("[object ArrayBuffer]") => byte_length(&value),
                Some("[object Blob]" | "[object File]") => {
                    value.unchecked_ref::<Blob>().size() as usize
                }
                _ => return Err(value),
            }
        };
        Ok(JsPayload {
            value,
            size,
            text: false,
        })
    }

    /// Wraps a message's data (a string, `ArrayBuffer` or `Blob`) whose
    /// size was read in JS (by the inbox, or a kept inspector); for one too
    /// large to keep, its kind alone (`""` or `null`) with its real size.
    pub fn sized(data: JsValue, size: usize) -> JsPayload {
        JsPayload {
            text: data.is_string(),
            value: data,
            size,
        }
    }

    /// Wraps a value known to be a JS string.
    pub fn from_string(value: JsValue) -> JsPayload {
        let size = string_length(&value);
        JsPayload {
            value,
            size,
            text: true,
        }
    }

    /// Whether `value` is shared memory (a `SharedArrayBuffer` or a view of
    /// one), which `WebSocket.send` refuses (the SDK may send long after it
    /// was given). This realm's `ArrayBuffer`s are answered without asking
    /// for the object's tag.
    pub fn is_shared_memory(value: &JsValue) -> bool {
        let viewed;
        let buffer = if ArrayBuffer::is_view(value) {
            viewed = view_buffer(value);
            &viewed
        } else {
            value
        };
        !buffer.is_instance_of::<ArrayBuffer>()
            && object_tag(buffer).as_deref() == Some("[object SharedArrayBuffer]")
    }

    /// The JS value.
    pub fn value(&self) -> &JsValue {
        &self.value
    }

    /// The JS value, consuming the payload.
    pub fn into_value(self) -> JsValue {
        self.value
    }
}

impl Payload for JsPayload {
    fn from_text(text: &str) -> Self {
        JsPayload {
            size: utf16_len(text),
            value: JsValue::from_str(text),
            text: true,
        }
    }

    fn size(&self) -> usize {
        self.size
    }

    fn is_text(&self) -> bool {
        self.text
    }

    fn text(&self) -> Option<Cow<'_, str>> {
        if self.text {
            self.value.as_string().map(Cow::Owned)
        } else {
            None
        }
    }

    /// `JSON.parse` finds the last of duplicate members, as the core's scan
    /// does; it also reads nesting deeper than the scan's 1,024 levels.
    fn member_without_text(&self, key: &str) -> Member {
        if !self.text || self.size <= PARSED_IN_JS_ABOVE {
            return Member::Unknown;
        }
        let Some(parsed) = json_parse(&self.value) else {
            return Member::Absent;
        };
        if !parsed.is_object() || is_array(&parsed) {
            return Member::Absent;
        }
        match has_own(&parsed, &JsValue::from_str(key)) {
            Ok(false) => Member::Absent,
            Ok(true) => property(&parsed, key)
                .and_then(|member| member.as_string())
                .map_or(Member::Unknown, Member::Text),
            Err(_) => Member::Unknown,
        }
    }
}
