//! The few JS functions the driver calls that `js_sys`/`web_sys` do not bind
//! the way the hot path needs (a `JsValue` in, no copy, exceptions caught).
//!
//! A caught import that returns a JS value returns an `Option` (a number or
//! a bool takes no slot): when a plain `JsValue` import throws,
//! wasm-bindgen (0.2.130, with reference types) keeps the table slot it
//! took for the missing return value, one per exception, for good. An `Option` is put in the table by the JS glue,
//! only once the call returned. (A throwing listener leaked a slot per call
//! before: `a_throwing_listener_leaks_no_js_value` in the browser tests.)
//! Properties are read through [`property`]. The exceptions: `setTimeout`
//! (`web::timer`), which does not throw, and option parsing's `Reflect.get`
//! (`js::options`), which must tell `null` from `undefined` and throws only
//! through a getter or a Proxy of the app's options object.

use crate::prelude::*;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

#[wasm_bindgen]
extern "C" {
    /// A `WebSocket` seen through a `send` that takes any JS value.
    type RawSocket;

    /// `WebSocket.prototype.send` taking the JS value as is (string, Blob,
    /// ArrayBuffer or view): no UTF-8 copy through WASM memory.
    #[wasm_bindgen(method, catch, js_name = send)]
    fn send(this: &RawSocket, data: &JsValue) -> Result<(), JsValue>;

    /// `Reflect.construct(class, args)`, i.e. `new class(...args)`, for the
    /// `WebSocket` constructor, which throws when the browser refuses a URL
    /// (`ws://` from an https page) on every attempt.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = construct)]
    fn construct_web_socket(class: &JsValue, args: &Array) -> Result<Option<WebSocket>, JsValue>;

    /// `Reflect.get(target, key)`: `None` for `undefined` and `null`.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<Option<JsValue>, JsValue>;

    /// A function seen through `call`.
    type Callable;

    /// `fn.call(context, arg)`, with an exception returned, not thrown, and
    /// the result dropped.
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call1(this: &Callable, context: &JsValue, arg: &JsValue) -> Result<(), JsValue>;

    /// `fn.call(context)`, with an exception returned, not thrown (`None`:
    /// it returned `undefined` or `null`).
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call0(this: &Callable, context: &JsValue) -> Result<Option<JsValue>, JsValue>;

    /// A string, typed array, `ArrayBuffer` or `Blob` seen through its size.
    type HasSize;

    /// A string's `length` (UTF-16 code units), read without copying it.
    #[wasm_bindgen(method, getter)]
    fn length(this: &HasSize) -> f64;

    /// `byteLength` of an `ArrayBuffer` or any `ArrayBufferView`.
    #[wasm_bindgen(method, getter, js_name = byteLength)]
    fn byte_length(this: &HasSize) -> f64;

    /// `buffer` of an `ArrayBufferView`: an `ArrayBuffer` or a
    /// `SharedArrayBuffer`.
    #[wasm_bindgen(method, getter)]
    fn buffer(this: &HasSize) -> JsValue;

    /// `Object.prototype.toString.call(value)`: `"[object ArrayBuffer]"`,
    /// `"[object SharedArrayBuffer]"`, `"[object Blob]"` from any realm
    /// (where `instanceof` cannot tell). Caught: a revoked Proxy or a
    /// throwing `Symbol.toStringTag` getter throws.
    #[wasm_bindgen(catch, js_namespace = ["Object", "prototype", "toString"], js_name = call)]
    fn object_tag_js(value: &JsValue) -> Result<Option<JsValue>, JsValue>;

    /// `String(value)`, as `WebSocket.send` converts what is neither text nor
    /// binary. Caught: `String(Object.create(null))` throws, and an exception
    /// passing through WASM would skip the facade's cleanup.
    #[wasm_bindgen(catch, js_name = String)]
    fn js_string_js(value: &JsValue) -> Result<Option<JsValue>, JsValue>;

    /// `Number(value)`, as the DOM converts a numeric argument (a close
    /// code: `"4000"` is 4000); the exception if a `valueOf` or a Symbol
    /// throws.
    #[wasm_bindgen(catch, js_name = Number)]
    pub fn js_number(value: &JsValue) -> Result<f64, JsValue>;

    /// `JSON.parse(text)` on a JS string, without copying it into WASM
    /// (`None`: it read `null`).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse_js(text: &JsValue) -> Result<Option<JsValue>, JsValue>;

    /// `JSON.stringify(value)`: a JS string, or `undefined` (`None`) for
    /// functions and `undefined`.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn json_stringify_js(value: &JsValue) -> Result<Option<JsValue>, JsValue>;

    /// `Array.isArray(value)`. Caught, as are the three below: a revoked
    /// Proxy (a stale Immer draft passed as options) throws, and an
    /// exception passing through WASM skips the facade's cleanup, which
    /// keeps the socket from ever being freed.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_js(value: &JsValue) -> Result<bool, JsValue>;

    /// `Object.keys(object)`: its own enumerable string keys.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys_js(object: &JsValue) -> Result<Option<Array>, JsValue>;

    /// `Object.hasOwn(object, key)`; what a Proxy's trap threw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = hasOwn)]
    pub fn has_own(object: &JsValue, key: &JsValue) -> Result<bool, JsValue>;

    /// `Array.from(items)`: a plain array of an array's items.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from_js(items: &JsValue) -> Result<Option<Array>, JsValue>;

    /// `reportError(error)`: reports like an uncaught exception without
    /// interrupting the caller.
    #[wasm_bindgen(catch, js_name = reportError)]
    fn report_error_js(error: &JsValue) -> Result<(), JsValue>;

    /// `globalThis`: the window, or a worker's global scope.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;

    /// `console.error(message, error)`.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, error: &JsValue);
}

/// `globalThis` (one import, where `js_sys::global()` tries four names).
pub fn global() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

/// `new WebSocket(url)`, or `new WebSocket(url, protocols)` (a string or an
/// array), through the global `WebSocket` as it is now (a page or a test may
/// replace it); the exception if the browser refuses.
pub fn new_web_socket(url: &str, protocols: Option<&JsValue>) -> Result<WebSocket, JsValue> {
    let class = property(&global(), "WebSocket").unwrap_or_default();
    let url = JsValue::from_str(url);
    let args = match protocols {
        Some(protocols) => Array::of2(&url, protocols),
        None => Array::of1(&url),
    };
    // A constructor returns an object whenever it returns.
    construct_web_socket(&class, &args)?
        .ok_or_else(|| JsValue::from_str("the WebSocket constructor returned nothing"))
}

/// `target[key]`, unless it is `undefined` or `null`, `target` is not an
/// object (or function), or reading it throws (a getter, a Proxy).
pub fn property(target: &JsValue, key: &str) -> Option<JsValue> {
    if !(target.is_object() || target.is_function()) {
        return None;
    }
    reflect_get(target, &JsValue::from_str(key)).ok().flatten()
}

/// `ws.send(data)` with `data` as it is.
pub fn send_value(ws: &WebSocket, data: &JsValue) -> Result<(), JsValue> {
    ws.unchecked_ref::<RawSocket>().send(data)
}

/// `function(arg)` with `this` undefined, for its effect (a listener, a
/// Promise's `resolve`); an exception is returned.
pub fn call_with(function: &Function, arg: &JsValue) -> Result<(), JsValue> {
    function
        .unchecked_ref::<Callable>()
        .call1(&JsValue::UNDEFINED, arg)
}

/// `function()` with `this` undefined (`null` comes back as `undefined`);
/// an exception is returned.
pub fn call_without(function: &Function) -> Result<JsValue, JsValue> {
    function
        .unchecked_ref::<Callable>()
        .call0(&JsValue::UNDEFINED)
        .map(|value| value.unwrap_or(JsValue::UNDEFINED))
}

/// `String(value)`, as `WebSocket.send` converts what is neither text nor
/// binary; the exception if that throws.
pub fn js_string(value: &JsValue) -> Result<JsValue, JsValue> {
    // `String()` returns a string whenever it returns.
    js_string_js(value).map(|text| text.unwrap_or_default())
}

/// Whether `value` is an array (`false` for a revoked Proxy, which throws
/// on every other read too).
pub fn is_array(value: &JsValue) -> bool {
    is_array_js(value).unwrap_or(false)
}

/// The own enumerable string keys of `object`; what a Proxy's trap threw.
pub fn own_keys(object: &JsValue) -> Result<Array, JsValue> {
    own_keys_js(object).map(Option::unwrap_or_default)
}

/// The items of the array `items`, copied into a plain array whose reads
/// cannot throw; what a Proxy's trap threw.
pub fn array_items(items: &JsValue) -> Result<Array, JsValue> {
    array_from_js(items).map(Option::unwrap_or_default)
}

/// The `length` of a JS string, without copying it.
pub fn string_length(text: &JsValue) -> usize {
    text.unchecked_ref::<HasSize>().length() as usize
}

/// The `byteLength` of an `ArrayBuffer` or `ArrayBufferView`.
pub fn byte_length(data: &JsValue) -> usize {
    data.unchecked_ref::<HasSize>().byte_length() as usize
}

/// The `buffer` of an `ArrayBufferView`.
pub fn view_buffer(view: &JsValue) -> JsValue {
    view.unchecked_ref::<HasSize>().buffer()
}

/// The class tag of an object (`"[object Blob]"`), from any realm; `None`
/// for primitives and when reading it throws.
pub fn object_tag(value: &JsValue) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    object_tag_js(value)
        .ok()
        .flatten()
        .and_then(|tag| tag.as_string())
}

/// `JSON.parse` of a JS string; `None` if it is not JSON.
pub fn json_parse(text: &JsValue) -> Option<JsValue> {
    json_parse_js(text)
        .ok()
        .map(|value| value.unwrap_or(JsValue::NULL))
}

/// `JSON.stringify` as a JS string; `None` when the value has no JSON form
/// (a function, `undefined`, a cycle, a BigInt).
pub fn json_stringify(value: &JsValue) -> Option<JsValue> {
    json_stringify_js(value)
        .ok()
        .flatten()
        .filter(JsValue::is_string)
}

/// Reports an exception thrown by app code (a listener, the URL provider)
/// without letting it break the SDK: `reportError` where it exists (the error
/// shows as uncaught and reaches `window.onerror`), else `console.error`.
pub fn report_app_error(error: &JsValue) {
    if report_error_js(error).is_err() {
        console_error("resilient-ws: a listener threw", error);
    }
}

/// The message of a JS exception: `Error.message`, a thrown string, or a
/// description of what was thrown.
pub fn error_message(error: &JsValue) -> String {
    if error.is_instance_of::<js_sys::Error>() {
        // Read caught: `message` may be a getter that throws, or not a
        // string at all.
        if let Some(text) = property(error, "message").and_then(|m| m.as_string()) {
            return text;
        }
    }
    if let Some(text) = error.as_string() {
        return text;
    }
    String::from("a non-Error value was thrown")
}
