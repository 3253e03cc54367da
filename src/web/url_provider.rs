//! The app's URL provider: a function returning the URL to connect to, or a
//! Promise of it, called before each attempt so tokens can be refreshed.

use crate::prelude::*;

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::bindings::{call_without, error_message};

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

/// Waits for a pending answer.
pub async fn settle(promise: Promise) -> Result<String, String> {
    match JsFuture::from(promise).await {
        Ok(value) => url_from(&value),
        Err(error) => Err(error_message(&error)),
    }
}

/// A URL from a string or a `URL` object (its `href`).
fn url_from(value: &JsValue) -> Result<String, String> {
    if let Some(url) = value.as_string() {
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
    value.is_object()
        && js_sys::Reflect::get(value, &JsValue::from_str("then"))
            .is_ok_and(|then| then.is_function())
}

/// The global `URL` class, bound here to avoid a web-sys feature for one getter.
mod web_sys_url {
    use alloc::string::String;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A `URL` object.
        #[wasm_bindgen(js_name = URL)]
        pub type Url;

        /// `url.href`.
        #[wasm_bindgen(method, getter)]
        pub fn href(this: &Url) -> String;
    }
}
