//! The app's URL provider: a function returning the URL to connect to, or a
//! Promise of it, called before each attempt so tokens can be refreshed.

use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

use super::bindings::{call_without, error_message, property};

#[wasm_bindgen(inline_js = r#"
export function urlWaiter(settled) {
  const answer = (token, value, failed) => settled?.(token, value, failed);
  return {
    wait(thenable, token) {
      try {
        Promise.resolve(thenable).then((url) => answer(token, url, false), (error) => answer(token, error, true));
      } catch (error) {
        // A Promise whose `constructor` or `then` throws: the provider
        // failed, answered later as a rejection would be.
        queueMicrotask(() => answer(token, error, true));
      }
    },
    stop() { settled = null; },
  };
}
"#)]
extern "C" {
    /// Waits for the Promises a provider returns and hands their answers
    /// to one callback, until stopped. The reactions a Promise that never
    /// settles keeps are JS functions, collected with it; a wasm closure
    /// per Promise would be kept by wasm until it settled, that is forever.
    type UrlWaiter;

    #[wasm_bindgen(js_name = urlWaiter)]
    fn new_url_waiter(settled: &Function) -> UrlWaiter;

    /// Hands the answer of `thenable` (as `Promise.resolve` reads it) to
    /// the callback, with `token`; never throws, where `Promise.resolve`
    /// can (a throwing `constructor` getter), which would leave the driver
    /// mid-dispatch for good.
    #[wasm_bindgen(method)]
    fn wait(this: &UrlWaiter, thenable: &JsValue, token: f64);

    /// No answer reaches the callback any more.
    #[wasm_bindgen(method)]
    fn stop(this: &UrlWaiter);
}

/// The app's URL provider, and what waits for the Promises it returns.
pub struct UrlProvider {
    provider: Function,
    waiter: UrlWaiter,
    _settled: Closure<dyn FnMut(f64, JsValue, bool)>,
}

impl UrlProvider {
    /// `provider`, whose asynchronous answers go to `settled` with the
    /// token they were asked for.
    pub fn new(
        provider: Function,
        mut settled: impl FnMut(u64, Result<String, String>) + 'static,
    ) -> Self {
        let settled = Closure::new(move |token: f64, value: JsValue, failed: bool| {
            let url = if failed {
                Err(error_message(&value))
            } else {
                url_from(&value)
            };
            settled(token as u64, url);
        });
        UrlProvider {
            waiter: new_url_waiter(settled.as_ref().unchecked_ref()),
            provider,
            _settled: settled,
        }
    }

    /// Calls the provider for attempt `token`: its answer, or `None` when
    /// it returned a Promise (or thenable), whose answer goes to `settled`.
    /// A thrown exception becomes `Err(message)`.
    pub fn call(&self, token: u64) -> Option<Result<String, String>> {
        match call_without(&self.provider) {
            Ok(value) if is_thenable(&value) => {
                self.waiter.wait(&value, token as f64);
                None
            }
            Ok(value) => Some(url_from(&value)),
            Err(error) => Some(Err(error_message(&error))),
        }
    }
}

impl Drop for UrlProvider {
    fn drop(&mut self) {
        self.waiter.stop();
    }
}

/// A URL from a string or a `URL` object (its `href`). A string the
/// browser cannot parse (`new WebSocket` would throw on every attempt) is
/// the provider's failure, not the server's.
fn url_from(value: &JsValue) -> Result<String, String> {
    match url_text(value) {
        Some(url) if !is_parsable_url(&url) => Err(String::from(
            "urlProvider returned a URL the browser cannot parse",
        )),
        Some(url) => Ok(url),
        None => Err(String::from(
            "urlProvider must return a string or URL (or a Promise of one)",
        )),
    }
}

fn is_thenable(value: &JsValue) -> bool {
    value.is_object() && property(value, "then").is_some_and(|then| then.is_function())
}

/// The text of a URL given as a string or a `URL` object (its `href`), as
/// `new WebSocket` takes either. A `URL` is known by its string `href`, so
/// that one from another realm (an iframe's) or a polyfill is taken too,
/// which `instanceof URL` would refuse; `None` for anything else.
pub fn url_text(value: &JsValue) -> Option<String> {
    value
        .as_string()
        .or_else(|| super::property(value, "href")?.as_string())
}

/// Whether `new URL(url)` accepts `url`: the browser's parser, which
/// `new WebSocket` uses too (a port out of range, a malformed IPv6 host).
pub fn is_parsable_url(url: &str) -> bool {
    // `URL.canParse` answers without an exception, which costs a table slot
    // when caught (`web::bindings`); browsers before it (2023) throw here.
    web_sys_url::Url::can_parse(url).unwrap_or_else(|_| web_sys_url::Url::new(url).is_ok())
}

/// The global `URL` class, bound here to avoid a web-sys feature for two calls.
mod web_sys_url {
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

    }
}
