//! The app's URL provider: a function returning the URL to connect to, or a
//! Promise of it, called before each attempt so tokens can be refreshed.

use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::RefCell;

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::bindings::{call_without, error_message, property};

/// What the provider answered.
pub enum UrlAnswer {
    /// A URL, or why there is none.
    Ready(Result<String, String>),
    /// A Promise (or thenable) to wait for.
    Pending(Promise),
}

/// Calls the provider. A thrown exception becomes `Err(message)`.
pub fn call(provider: &Function) -> UrlAnswer {
    match call_without(provider) {
        Ok(value) if is_thenable(&value) => UrlAnswer::Pending(Promise::resolve(&value)),
        Ok(value) => UrlAnswer::Ready(url_from(&value)),
        Err(error) => UrlAnswer::Ready(Err(error_message(&error))),
    }
}

/// The two callbacks handed to `promise.then`.
type Callbacks = (Closure<dyn FnMut(JsValue)>, Closure<dyn FnMut(JsValue)>);

/// A pending answer: what to call when it settles, and the callbacks.
struct Waiting<F> {
    done: F,
    _callbacks: Callbacks,
}

/// Calls `done` with the URL (or why there is none) when `promise` settles.
///
/// The callbacks keep themselves alive until then, as an awaited future
/// would, and the first call frees both (a Promise settles once; dropping
/// the running callback is deferred until it returns). A Promise that never
/// settles keeps them and `done` alive; the driver passes a weak link, so it
/// is not kept with them.
pub fn when_settled(promise: &Promise, done: impl FnOnce(Result<String, String>) + 'static) {
    let waiting = Rc::new(RefCell::new(None));
    let on_value: Closure<dyn FnMut(JsValue)> = Closure::once({
        let waiting = Rc::clone(&waiting);
        move |value: JsValue| finish(&waiting, url_from(&value))
    });
    let on_error: Closure<dyn FnMut(JsValue)> = Closure::once({
        let waiting = Rc::clone(&waiting);
        move |error: JsValue| finish(&waiting, Err(error_message(&error)))
    });
    // The derived Promise settles when a callback returns; neither throws.
    let _ = promise.then2(&on_value, &on_error);
    *waiting.borrow_mut() = Some(Waiting {
        done,
        _callbacks: (on_value, on_error),
    });
}

fn finish<F: FnOnce(Result<String, String>)>(
    waiting: &RefCell<Option<Waiting<F>>>,
    url: Result<String, String>,
) {
    let taken = waiting.borrow_mut().take();
    if let Some(Waiting { done, _callbacks }) = taken {
        done(url);
    }
}

/// A URL from a string or a `URL` object (its `href`). A string the
/// browser cannot parse (`new WebSocket` would throw on every attempt) is
/// the provider's failure, not the server's.
fn url_from(value: &JsValue) -> Result<String, String> {
    if let Some(url) = value.as_string() {
        if !is_parsable_url(&url) {
            return Err(String::from(
                "urlProvider returned a URL the browser cannot parse",
            ));
        }
        return Ok(url);
    }
    if let Some(url) = value.dyn_ref::<web_sys_url::Url>() {
        return Ok(url.href());
    }
    Err(String::from(
        "urlProvider must return a string or URL (or a Promise of one)",
    ))
}

fn is_thenable(value: &JsValue) -> bool {
    value.is_object() && property(value, "then").is_some_and(|then| then.is_function())
}

/// Whether `new URL(url)` accepts `url`: the browser's parser, which
/// `new WebSocket` uses too (a port out of range, a malformed IPv6 host).
pub fn is_parsable_url(url: &str) -> bool {
    // `URL.canParse` answers without an exception, which costs a table slot
    // when caught (`web::bindings`); browsers before it (2023) throw here.
    web_sys_url::Url::can_parse(url).unwrap_or_else(|_| web_sys_url::Url::new(url).is_ok())
}

/// The global `URL` class, bound here to avoid a web-sys feature for three calls.
mod web_sys_url {
    use alloc::string::String;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A `URL` object.
        #[wasm_bindgen(js_name = URL)]
        pub type Url;

        /// `new URL(url)`; throws (returned here) when it cannot be parsed.
        #[wasm_bindgen(constructor, catch, js_class = URL)]
        pub fn new(url: &str) -> Result<Url, JsValue>;

        /// `URL.canParse(url)`; throws (returned here) where it is missing.
        #[wasm_bindgen(static_method_of = Url, catch, js_class = URL, js_name = canParse)]
        pub fn can_parse(url: &str) -> Result<bool, JsValue>;

        /// `url.href`.
        #[wasm_bindgen(method, getter)]
        pub fn href(this: &Url) -> String;
    }
}
