//! Helpers shared by the browser tests (`tests/browser_*.rs`): the fault
//! server's URLs and control API, event streams with arrival times, an
//! overall timeout per test, and a counting shim for `WebSocket` and
//! `setTimeout`. Every wait is on an event or a Promise; the only polling is
//! of the fault server's counters, in a bounded loop.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use futures::future::{Either, select};
use js_sys::{JSON, Promise, Reflect};
use resilient_ws::ResilientSocket;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The fault server's WebSocket base URL.
pub const SERVER: &str = match option_env!("FAULT_SERVER_WS") {
    Some(url) => url,
    None => "ws://127.0.0.1:8765",
};

/// The fault server's control API base URL.
pub const CONTROL: &str = match option_env!("FAULT_SERVER_CONTROL") {
    Some(url) => url,
    None => "http://127.0.0.1:8766",
};

/// How long a whole test may take before it fails instead of hanging (the
/// test runner gives a whole file 20 s).
pub const TEST_TIMEOUT_MS: u32 = 6_000;

/// The engine reads `performance.now()` in whole milliseconds, so each
/// delay it waits can look up to this much short to a listener.
pub const CLOCK_GRANULARITY_MS: f64 = 1.0;

/// How much shorter than the engine's delay a wait measured between two
/// listeners may come out: the clock's granularity, and the listener that
/// starts the measurement runs after the engine set its timer, behind the
/// listeners and app work before it and any pause of the page (1.55 ms
/// late once in a full test run on a 2-core machine, 7.7 ms once in a
/// clean-clone run). A delay not waited, or waited only in part (a 100 ms
/// delay taken as 80), still fails the check.
pub const LISTENER_SLACK_MS: f64 = CLOCK_GRANULARITY_MS + 14.0;

/// How much later than its delay a timer's event may come (a loaded
/// 2-core machine): the upper bound that fails a timer armed too late.
pub const TIMER_MARGIN_MS: f64 = 150.0;

/// The URL for client `id`, with a fault-server script in `query`.
pub fn url(id: &str, query: &str) -> String {
    let base = SERVER.trim_end_matches('/');
    if query.is_empty() {
        format!("{base}/ws/{id}")
    } else {
        format!("{base}/ws/{id}?{query}")
    }
}

/// A client id unique to this run: `name` plus a random suffix, so the
/// fault server's per-client records never mix tests or runs.
pub fn client_id(name: &str) -> String {
    let suffix = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{name}-{suffix:08x}")
}

/// Runs `body` as a JS function body and returns what it returns (for
/// what the bindings cannot make: another realm's objects, shared memory,
/// a faked `navigator.onLine`). Panics naming the body if it throws.
pub fn run_js(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body)
        .call0(&JsValue::UNDEFINED)
        .unwrap_or_else(|error| panic!("{body}: {error:?}"))
}

pub fn json(text: &str) -> JsValue {
    JSON::parse(text).expect("valid JSON in test")
}

pub fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).expect("readable field")
}

/// A numeric field; panics (naming it) when it is not a number.
pub fn number(object: &JsValue, key: &str) -> f64 {
    let value = field(object, key);
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number: {value:?}"))
}

/// A string field; panics (naming it) when it is not a string.
pub fn text(object: &JsValue, key: &str) -> String {
    let value = field(object, key);
    value
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string: {value:?}"))
}

#[wasm_bindgen(inline_js = r#"
const nativeSetTimeout = globalThis.setTimeout.bind(globalThis);
const nativeClearTimeout = globalThis.clearTimeout.bind(globalThis);
const NativeWebSocket = globalThis.WebSocket;

export function delay(ms) {
  return new Promise((resolve) => nativeSetTimeout(resolve, ms));
}

export function nowMs() {
  return performance.now();
}

export async function controlRequest(url, method, body) {
  const response = await fetch(url, { method, body });
  const answer = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${url}: HTTP ${response.status} ${answer}`);
  }
  return JSON.parse(answer);
}

// A function and a weak reference to it: after `take()` hands the function
// out, `collected()` says whether whoever got it has let go of it (a full
// garbage collection, exposed by webdriver.json's --js-flags=--expose-gc).
export class Watched {
  constructor() {
    this.held = () => {};
    this.ref = new WeakRef(this.held);
  }
  take() {
    const held = this.held;
    this.held = null;
    return held;
  }
  async collected() {
    if (typeof globalThis.gc !== "function") {
      throw new Error("gc() is not exposed: webdriver.json must pass --js-flags=--expose-gc");
    }
    // A WeakRef keeps its target alive until the current job ends.
    await delay(0);
    globalThis.gc();
    return this.ref.deref() === undefined;
  }
}

// Counts browser sockets and pending timers. A socket is live while
// CONNECTING or OPEN, unclosed until its close event; a timer is pending
// until it fires or is cleared. Only timers set from WebAssembly (the SDK)
// are counted: the tests' own waits use the native setTimeout above.
export class Shim {
  constructor() {
    this.constructed = 0;
    this.maxLive = 0;
    this.maxUnclosed = 0;
    this.sockets = [];
    this.timers = new Map();
    this.timersSet = 0;
    const shim = this;
    globalThis.WebSocket = class CountedWebSocket extends NativeWebSocket {
      constructor(...args) {
        super(...args);
        shim.constructed += 1;
        shim.sockets.push(this);
        this.closeEventSeen = false;
        this.addEventListener("close", () => { this.closeEventSeen = true; });
        shim.maxLive = Math.max(shim.maxLive, shim.live());
        shim.maxUnclosed = Math.max(shim.maxUnclosed, shim.unclosed());
      }
    };
    globalThis.setTimeout = function (handler, ms, ...args) {
      const fromWasm = /wasm-function\[/.test(new Error().stack || "");
      let id;
      const run = typeof handler === "function"
        ? function (...callArgs) { shim.timers.delete(id); return handler.apply(this, callArgs); }
        : handler;
      id = nativeSetTimeout(run, ms, ...args);
      if (fromWasm) {
        shim.timersSet += 1;
        shim.timers.set(id, ms);
      }
      return id;
    };
    globalThis.clearTimeout = function (id) {
      shim.timers.delete(id);
      return nativeClearTimeout(id);
    };
  }
  live() {
    return this.sockets.filter((ws) => ws.readyState <= NativeWebSocket.OPEN).length;
  }
  unclosed() {
    return this.sockets.filter((ws) => !ws.closeEventSeen).length;
  }
  pendingTimers() {
    return this.timers.size;
  }
  socket(index) {
    return this.sockets[index];
  }
  uninstall() {
    globalThis.WebSocket = NativeWebSocket;
    globalThis.setTimeout = nativeSetTimeout;
    globalThis.clearTimeout = nativeClearTimeout;
  }
}
"#)]
extern "C" {
    /// A Promise resolved after `ms`, on the native `setTimeout`.
    fn delay(ms: u32) -> Promise;

    /// `performance.now()`.
    #[wasm_bindgen(js_name = nowMs)]
    pub fn now_ms() -> f64;

    #[wasm_bindgen(js_name = controlRequest)]
    fn control_request(url: &str, method: &str, body: &JsValue) -> Promise;

    /// A JS function watched through a `WeakRef`.
    pub type Watched;

    #[wasm_bindgen(constructor)]
    pub fn new() -> Watched;

    /// The function (once; the watcher keeps only its weak reference).
    #[wasm_bindgen(method)]
    pub fn take(this: &Watched) -> JsValue;

    #[wasm_bindgen(method, js_name = collected)]
    fn collected_promise(this: &Watched) -> Promise;

    /// Replaces `WebSocket`, `setTimeout` and `clearTimeout` with counting
    /// versions until [`Shim::uninstall`].
    pub type Shim;

    #[wasm_bindgen(constructor)]
    pub fn install() -> Shim;

    /// Browser sockets created since install.
    #[wasm_bindgen(method, getter)]
    pub fn constructed(this: &Shim) -> u32;

    /// Most sockets CONNECTING or OPEN at once (checked at each creation).
    #[wasm_bindgen(method, getter, js_name = maxLive)]
    pub fn max_live(this: &Shim) -> u32;

    /// Most sockets without their close event yet (checked at each creation).
    #[wasm_bindgen(method, getter, js_name = maxUnclosed)]
    pub fn max_unclosed(this: &Shim) -> u32;

    /// Sockets CONNECTING or OPEN now.
    #[wasm_bindgen(method)]
    pub fn live(this: &Shim) -> u32;

    /// Timers set from WebAssembly since install.
    #[wasm_bindgen(method, getter, js_name = timersSet)]
    pub fn timers_set(this: &Shim) -> u32;

    /// Timers set from WebAssembly that have neither fired nor been cleared.
    #[wasm_bindgen(method, js_name = pendingTimers)]
    pub fn pending_timers(this: &Shim) -> u32;

    /// The browser socket created `index`-th (0-based).
    #[wasm_bindgen(method)]
    pub fn socket(this: &Shim, index: u32) -> web_sys::WebSocket;

    /// Puts the native `WebSocket`, `setTimeout` and `clearTimeout` back.
    #[wasm_bindgen(method)]
    pub fn uninstall(this: &Shim);
}

impl Watched {
    /// Whether the function was garbage collected: nothing holds it any more.
    pub async fn collected(&self) -> bool {
        let collected = JsFuture::from(self.collected_promise()).await;
        collected.expect("gc() is exposed").as_bool() == Some(true)
    }
}

/// Waits `ms`. Only for polling the fault server's counters and for the
/// one bounded "nothing else happens" wait; never to let an event happen.
pub async fn sleep(ms: u32) {
    JsFuture::from(delay(ms)).await.expect("delay resolves");
}

/// Runs `future`, failing with `what` if it takes longer than `ms`.
pub async fn within<F: Future>(ms: u32, what: &str, future: F) -> F::Output {
    match select(Box::pin(future), Box::pin(sleep(ms))).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out after {ms} ms: {what}"),
    }
}

thread_local! {
    /// Every socket made by [`new_socket`] and not yet cleaned up.
    static SOCKETS: RefCell<Vec<Rc<ResilientSocket>>> = const { RefCell::new(Vec::new()) };
}

/// Replaces `WebSocket.prototype[method]` until its next call, which runs
/// `inner` and then the browser's own method: an instrumentation library
/// that calls the SDK from inside the SDK's call into the browser.
pub fn intercept_websocket_method_once(method: &str, inner: &Closure<dyn FnMut()>) {
    let patch = js_sys::Function::new_with_args(
        "method, inner",
        "const original = WebSocket.prototype[method];
         WebSocket.prototype[method] = function (...args) {
           WebSocket.prototype[method] = original;
           inner();
           return original.apply(this, args);
         };",
    );
    patch
        .call2(&JsValue::NULL, &method.into(), inner.as_ref())
        .expect("WebSocket.prototype is writable");
}

/// An `Error`'s message.
pub fn error_message(error: JsValue) -> String {
    String::from(error.unchecked_into::<js_sys::Error>().message())
}

/// Which way a send went ([`send_as_the_package_does`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendPath {
    /// The inbox's fast path, in JS: sent.
    Fast,
    /// The module's `send`: sent (true) or queued (false).
    Module(bool),
}

/// `send()` as the npm package's entry point makes it (`src/js/send_fast_path.js`):
/// the inbox's fast path first, the module's `send` when it declines.
pub fn send_as_the_package_does(
    socket: &ResilientSocket,
    data: &JsValue,
) -> Result<SendPath, JsValue> {
    let path = socket.send_fast_path();
    if !path.is_undefined() {
        let send: js_sys::Function = Reflect::get(&path, &"send".into())?.unchecked_into();
        if send.call1(&path, data)?.is_truthy() {
            return Ok(SendPath::Fast);
        }
    }
    socket.send(data.clone()).map(SendPath::Module)
}

/// `new ResilientSocket(url, options)`, disposed at the end of the test
/// even if the test fails (a failed test panics without unwinding, so its
/// sockets would otherwise keep reconnecting through the next tests).
pub fn new_socket(url: String, options: JsValue) -> Rc<ResilientSocket> {
    let socket = Rc::new(ResilientSocket::new(url, options).expect("valid options"));
    SOCKETS.with(|sockets| sockets.borrow_mut().push(socket.clone()));
    socket
}

fn dispose_leftover_sockets() {
    for socket in SOCKETS.with(|sockets| std::mem::take(&mut *sockets.borrow_mut())) {
        socket.dispose().unwrap();
    }
}

/// A whole test body under [`TEST_TIMEOUT_MS`]. Sockets left by an earlier
/// failed test are disposed first; this test's sockets after it.
pub async fn test_within<F: Future<Output = ()>>(name: &str, body: F) {
    dispose_leftover_sockets();
    within(TEST_TIMEOUT_MS, name, body).await;
    dispose_leftover_sockets();
}

/// Every event of one type, in order, with its arrival time
/// (`performance.now()`), through a listener added with the public
/// `addEventListener`.
pub struct Events {
    rx: UnboundedReceiver<(JsValue, f64)>,
    _listener: Closure<dyn FnMut(JsValue)>,
}

impl Events {
    pub fn listen(socket: &ResilientSocket, kind: &str) -> Events {
        let (tx, rx) = unbounded();
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |event| {
            let _ = tx.unbounded_send((event, now_ms()));
        });
        socket
            .add_event_listener(kind.into(), listener.as_ref().clone(), JsValue::UNDEFINED)
            .expect("known event type");
        Events {
            rx,
            _listener: listener,
        }
    }

    /// The next event.
    pub async fn next(&mut self) -> JsValue {
        self.next_timed().await.0
    }

    /// The next event and when its listener ran.
    pub async fn next_timed(&mut self) -> (JsValue, f64) {
        self.rx.next().await.expect("listener alive")
    }

    /// The next `statechange` event whose `to` is `state`, and when it came
    /// (for a `statechange` stream).
    pub async fn next_to(&mut self, state: &str) -> (JsValue, f64) {
        loop {
            let (event, at) = self.next_timed().await;
            if field(&event, "to") == state {
                return (event, at);
            }
        }
    }

    /// The events that already arrived, without waiting.
    pub fn drain(&mut self) -> Vec<JsValue> {
        let mut events = Vec::new();
        while let Ok((event, _)) = self.rx.try_recv() {
            events.push(event);
        }
        events
    }
}

/// Calls the control API: `method` (`GET`/`POST`) on `path` (from `/`).
pub async fn control(method: &str, path: &str) -> JsValue {
    control_with_body(method, path, &JsValue::UNDEFINED).await
}

/// [`control`] with a request body (a JS string: what `send` sends, made
/// in JS so that a large one never passes through WASM memory).
pub async fn control_with_body(method: &str, path: &str, body: &JsValue) -> JsValue {
    let url = format!("{}{path}", CONTROL.trim_end_matches('/'));
    JsFuture::from(control_request(&url, method, body))
        .await
        .unwrap_or_else(|error| panic!("control API {method} {path}: {error:?}"))
}

/// `GET /clients/<id>/stats`.
pub async fn server_stats(id: &str) -> JsValue {
    control("GET", &format!("/clients/{id}/stats")).await
}

/// What client `id` sent, as (connection number, text), in arrival order.
pub async fn server_received(id: &str) -> Vec<(u32, String)> {
    let record = control("GET", &format!("/clients/{id}/received")).await;
    js_sys::Array::from(&field(&record, "messages"))
        .iter()
        .map(|message| {
            (
                number(&message, "connection") as u32,
                text(&message, "text"),
            )
        })
        .collect()
}

/// The texts client `id` sent on `connection`, in order.
pub async fn received_on(id: &str, connection: u32) -> Vec<String> {
    server_received(id)
        .await
        .into_iter()
        .filter(|(number, _)| *number == connection)
        .map(|(_, text)| text)
        .collect()
}

/// Polls `GET /clients/<id>/stats` every 20 ms until `done` holds (at most
/// 3 s), and returns those stats. Only for server-side counters.
pub async fn wait_for_stats(id: &str, what: &str, done: impl Fn(&JsValue) -> bool) -> JsValue {
    let started = now_ms();
    loop {
        let stats = server_stats(id).await;
        if done(&stats) {
            return stats;
        }
        if now_ms() - started > 3_000.0 {
            panic!(
                "server stats of {id} never showed {what}: {}",
                String::from(JSON::stringify(&stats).unwrap_or_default())
            );
        }
        sleep(20).await;
    }
}

/// Polls the fault server until client `id` has sent `last` (so everything
/// it sent before has arrived: one TCP stream per connection), at most 3 s.
pub async fn wait_until_received(id: &str, last: &str) -> Vec<(u32, String)> {
    let started = now_ms();
    loop {
        let received = server_received(id).await;
        if received.iter().any(|(_, text)| text == last) {
            return received;
        }
        if now_ms() - started > 3_000.0 {
            panic!("the server never received {last:?} from {id}; it has {received:?}");
        }
        sleep(20).await;
    }
}
