//! `ResilientSocket`: the exported class, a drop-in for `WebSocket` that
//! reconnects, explains closes, and restores state.

use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::{Cell, OnceCell};

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

use super::app::{App, error, request_error};
use super::disposed::DisposedSocket;
use super::events::close_object;
use super::inspector::SocketInspector;
use super::number::whole_number;
use super::object::Obj;
use super::options::{self, call_option, check_call_options, describe, millis};
use crate::core::text::concat;
use crate::core::{
    CloseError, ConfigError, ConnectionState, RequestFailure, SendError, SendStatus, UrlSource,
};
use crate::web::{self, Driver, DriverOptions, EventType, JsPayload, call_with, json_stringify};

/// A WebSocket that stays connected. Same surface as `WebSocket` (`send`,
/// `close`, `readyState`, `onmessage`, `addEventListener`...), plus states,
/// close explanations, a replay store, requests, stats and an inspector.
///
/// Call `dispose()` when done (e.g. on React unmount): it closes the socket
/// and removes every timer and listener. Like a `WebSocket`, a socket that is
/// connecting or open keeps running (and calling its listeners) after the
/// app drops every reference to it, until that connection ends; it does not
/// reconnect then, and one waiting to reconnect is disposed. `free()` alone
/// releases the handle, not the connection; leaving a `using` block calls
/// `dispose()`, then `free()`. An `inspector` the app keeps is not a
/// handle: it keeps no socket running. A call made from inside the SDK's
/// own call into the browser (a replaced `WebSocket` method calling back)
/// throws an `Error` saying the socket is busy (`stats()`, setting
/// `binaryType` and `inspector.clear()` too); the other
/// reads made there give no answer: empty or null values, and `state`
/// reads `closed`.
#[wasm_bindgen]
pub struct ResilientSocket {
    /// The socket until `dispose()`. Calls take a clone of the `Rc`, so a
    /// `dispose()` from a listener they run lets go of it safely.
    live: Cell<Option<Rc<LiveSocket>>>,
    /// Set by `dispose()`: what the app can still read, without the driver.
    disposed: OnceCell<DisposedSocket>,
}

/// A socket before `dispose()`.
struct LiveSocket {
    driver: Driver,
    app: Rc<App>,
    name: String,
}

/// The constructor's work once `url` is a string (Rust callers and the
/// tests call it directly).
impl ResilientSocket {
    /// [`ResilientSocket::from_js`] for a URL string.
    pub fn new(url: String, options: JsValue) -> Result<ResilientSocket, JsValue> {
        let options = options::parse(&options).map_err(|message| error(&message))?;
        let url = match options.url_provider {
            Some(_) => UrlSource::Provider(url),
            None => {
                check_parsable(&url)?;
                UrlSource::Fixed(url)
            }
        };
        let app = Rc::new(App::default());
        let driver = Driver::new(
            DriverOptions {
                url,
                config: options.config,
                protocols: options.protocols,
                binary_type: options.binary_type,
                url_provider: options.url_provider,
                inbox: app.listeners.inbox().clone(),
            },
            app.clone() as Rc<dyn web::App>,
        )
        .map_err(|e| error(&e.message()))?;
        if options.auto_connect {
            driver.connect();
        }
        Ok(ResilientSocket {
            live: Cell::new(Some(Rc::new(LiveSocket {
                driver,
                app,
                name: options.name,
            }))),
            disposed: OnceCell::new(),
        })
    }
}

#[wasm_bindgen]
impl ResilientSocket {
    /// Creates a socket for `url` (`ws://` or `wss://`, a string or a `URL`
    /// object) and, unless `autoConnect` is false, starts connecting.
    /// Throws an `Error` naming the option on invalid options or URL. With
    /// a `urlProvider`, `url` is what `socket.url` shows until the provider
    /// answers, and is not checked: each attempt connects to the provider's
    /// URL, and one it cannot use fails that attempt (cause `urlProvider`),
    /// retried with backoff.
    #[wasm_bindgen(constructor)]
    pub fn from_js(
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ResilientSocketOptions")] options: JsValue,
    ) -> Result<ResilientSocket, JsValue> {
        match web::url_text(&url) {
            Some(url) => ResilientSocket::new(url, options),
            None => Err(error(&concat(&[
                "url: expected a ws:// or wss:// URL (a string or URL object), got ",
                &describe(&url),
            ]))),
        }
    }

    // ----- WebSocket constants -----

    /// `0`: connecting (also idle and waiting to reconnect).
    #[wasm_bindgen(getter = CONNECTING, unchecked_return_type = "0")]
    pub fn connecting_static() -> u16 {
        0
    }

    /// `1`: open.
    #[wasm_bindgen(getter = OPEN, unchecked_return_type = "1")]
    pub fn open_static() -> u16 {
        1
    }

    /// `2`: closing.
    #[wasm_bindgen(getter = CLOSING, unchecked_return_type = "2")]
    pub fn closing_static() -> u16 {
        2
    }

    /// `3`: closed.
    #[wasm_bindgen(getter = CLOSED, unchecked_return_type = "3")]
    pub fn closed_static() -> u16 {
        3
    }

    /// `0`: connecting (also idle and waiting to reconnect).
    #[wasm_bindgen(getter = CONNECTING, unchecked_return_type = "0")]
    pub fn connecting(&self) -> u16 {
        0
    }

    /// `1`: open.
    #[wasm_bindgen(getter = OPEN, unchecked_return_type = "1")]
    pub fn open(&self) -> u16 {
        1
    }

    /// `2`: closing.
    #[wasm_bindgen(getter = CLOSING, unchecked_return_type = "2")]
    pub fn closing(&self) -> u16 {
        2
    }

    /// `3`: closed.
    #[wasm_bindgen(getter = CLOSED, unchecked_return_type = "3")]
    pub fn closed(&self) -> u16 {
        3
    }

    // ----- WebSocket properties -----

    /// The URL of the last attempt (or the one given), secrets redacted.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        match self.live() {
            Some(live) => live
                .driver
                .read(|engine, _| engine.url_for_display())
                .unwrap_or_default(),
            None => self.kept(DisposedSocket::url),
        }
    }

    /// `WebSocket.readyState`: 0 while idle, connecting or waiting to
    /// reconnect, 1 open, 2 closing, 3 closed.
    #[wasm_bindgen(getter = readyState, unchecked_return_type = "0 | 1 | 2 | 3")]
    pub fn ready_state(&self) -> u16 {
        self.connection_state().ready_state()
    }

    /// The subprotocol the server chose: of the open connection, or of the
    /// last one after it closed, as a `WebSocket` keeps it, until the next
    /// attempt makes its socket ("" when none, before the first open, while
    /// an attempt's socket connects, and once disposed).
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> String {
        self.live()
            .map(|live| live.driver.protocol())
            .unwrap_or_default()
    }

    /// The extensions the server chose, kept as `protocol` is.
    #[wasm_bindgen(getter)]
    pub fn extensions(&self) -> String {
        self.live()
            .map(|live| live.driver.extensions())
            .unwrap_or_default()
    }

    /// Bytes handed to the browser socket and not yet sent (queued messages
    /// not counted: see `stats().queuedBytes`).
    #[wasm_bindgen(getter = bufferedAmount)]
    pub fn buffered_amount(&self) -> u32 {
        self.live()
            .and_then(|live| live.driver.with_socket(|ws| ws.buffered_amount()))
            .unwrap_or(0)
    }

    /// How binary messages arrive: "blob" (default) or "arraybuffer".
    #[wasm_bindgen(getter = binaryType, unchecked_return_type = "BinaryType")]
    pub fn binary_type(&self) -> String {
        let binary_type = match self.live() {
            Some(live) => live.driver.binary_type(),
            None => self
                .disposed
                .get()
                .map_or(web_sys::BinaryType::Blob, DisposedSocket::binary_type),
        };
        String::from(match binary_type {
            web_sys::BinaryType::Arraybuffer => "arraybuffer",
            _ => "blob",
        })
    }

    /// Sets `binaryType` for the live socket and the next ones. Throws on
    /// anything but "blob" or "arraybuffer", and the busy `Error` when set
    /// from inside the SDK's own call into the browser.
    #[wasm_bindgen(setter = binaryType)]
    pub fn set_binary_type(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BinaryType")] value: JsValue,
    ) -> Result<(), JsValue> {
        let binary_type = options::binary_type(&value).ok_or_else(|| {
            error(&concat(&[
                "binaryType: expected \"blob\" or \"arraybuffer\", got ",
                &describe(&value),
            ]))
        })?;
        match self.live() {
            Some(live) => {
                not_busy(&live, "binaryType")?;
                live.driver.set_binary_type(binary_type);
            }
            None => self.kept(|kept| kept.set_binary_type(binary_type)),
        }
        Ok(())
    }

    // ----- handlers and listeners -----

    /// The `open` handler.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn onopen(&self) -> JsValue {
        self.handler(EventType::Open)
    }

    /// Sets the `open` handler (`null` removes it).
    #[wasm_bindgen(setter, skip_typescript)]
    pub fn set_onopen(&self, handler: JsValue) {
        self.set_handler(EventType::Open, handler);
    }

    /// The `message` handler.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn onmessage(&self) -> JsValue {
        self.handler(EventType::Message)
    }

    /// Sets the `message` handler (`null` removes it).
    #[wasm_bindgen(setter, skip_typescript)]
    pub fn set_onmessage(&self, handler: JsValue) {
        self.set_handler(EventType::Message, handler);
    }

    /// The `close` handler.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn onclose(&self) -> JsValue {
        self.handler(EventType::Close)
    }

    /// Sets the `close` handler (`null` removes it).
    #[wasm_bindgen(setter, skip_typescript)]
    pub fn set_onclose(&self, handler: JsValue) {
        self.set_handler(EventType::Close, handler);
    }

    /// The `error` handler.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn onerror(&self) -> JsValue {
        self.handler(EventType::Error)
    }

    /// Sets the `error` handler (`null` removes it).
    #[wasm_bindgen(setter, skip_typescript)]
    pub fn set_onerror(&self, handler: JsValue) {
        self.set_handler(EventType::Error, handler);
    }

    /// Adds `listener` for event `type` (once per function). `options` as
    /// for the DOM: `once` is honoured, `capture` and `passive` mean nothing
    /// here; `signal` throws rather than being ignored (the listener would
    /// outlive the abort). Throws on an unknown event type.
    #[wasm_bindgen(js_name = addEventListener, skip_typescript)]
    pub fn add_event_listener(
        &self,
        kind: JsValue,
        listener: JsValue,
        options: JsValue,
    ) -> Result<(), JsValue> {
        const ADD: &str = "addEventListener";
        let kind = event_type(&dom_string(&kind)?, ADD)?;
        let once = call_option(&options, ADD, "once").map_err(|m| error(&m))?;
        let signal = call_option(&options, ADD, "signal").map_err(|m| error(&m))?;
        if !signal.is_undefined() {
            return Err(error(
                "addEventListener: options.signal is not supported; remove the listener with removeEventListener",
            ));
        }
        if let Some(listener) = listener_function(&listener, ADD)?
            && let Some(live) = self.live()
        {
            live.app.listeners.add(kind, listener, once.is_truthy());
        }
        Ok(())
    }

    /// Removes `listener` from event `type`. Never throws, as in the DOM
    /// (it often runs in cleanup code): an unknown type or a listener that
    /// is no function removes nothing.
    #[wasm_bindgen(js_name = removeEventListener, skip_typescript)]
    pub fn remove_event_listener(&self, kind: JsValue, listener: JsValue) {
        if let Some(kind) = dom_string(&kind)
            .ok()
            .and_then(|kind| EventType::parse(&kind))
            && listener.is_function()
            && let Some(live) = self.live()
        {
            live.app.listeners.remove(kind, listener.unchecked_ref());
        }
    }

    // ----- WebSocket methods -----

    /// Sends `data` as it is (text or binary). Returns true if it went out
    /// now, false if it was queued until the socket opens. Throws for a
    /// plain object, an array, `null` or `undefined` (pass
    /// `JSON.stringify(data)`), when the queue is full (or the message
    /// could never fit in it), the message is over `maxMessageBytes`, or
    /// the socket is closed for good (by the
    /// app, a close code that stops, or retries given up: `maxAttempts`
    /// used up, `reconnect.enabled` false).
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SendData")] data: JsValue,
    ) -> Result<bool, JsValue> {
        let payload =
            if data.is_string() {
                JsPayload::from_string(data)
            } else if JsPayload::is_shared_memory(&data) {
                return Err(error(SHARED_MEMORY_SEND));
            } else {
                // Binary data first: the check for a plain object costs a call
                // into JS that a binary send need not make.
                match JsPayload::from_data(data) {
                Ok(payload) => payload,
                Err(data) if JsPayload::is_not_data(&data) => return Err(error(NOT_DATA_SEND)),
                Err(data) => web::js_string(&data).map(JsPayload::from_string).map_err(|thrown| {
                    error(&concat(&[
                        "send: data is neither text nor binary data, and String(data) threw: ",
                        &web::error_message(&thrown),
                    ]))
                })?,
            }
            };
        let Some(live) = self.live() else {
            return Err(error(&SendError::Disposed.message()));
        };
        match live.driver.send(payload) {
            Ok(status) => Ok(status == SendStatus::Sent),
            Err(e) => Err(error(&e.message())),
        }
    }

    /// The inbox, whose `send` the package's `send()` tries first
    /// (`src/js/send_fast_path.js`): text sent while the socket is open goes to the
    /// browser socket in JS, and the engine books it at its next entry.
    /// `undefined` once disposed. Not for apps.
    #[wasm_bindgen(js_name = __sendFastPath, skip_typescript)]
    pub fn send_fast_path(&self) -> JsValue {
        self.live().map_or(JsValue::UNDEFINED, |live| {
            live.app.listeners.inbox().clone().into()
        })
    }

    /// Closes for good (no reconnect): `code` 1000 (default) or 3000-4999,
    /// `reason` at most 123 bytes of UTF-8. Throws on other values, as
    /// browsers do.
    pub fn close(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] reason: JsValue,
    ) -> Result<(), JsValue> {
        // `Number(code)`, then `String(reason)`, as a `WebSocket` converts
        // them ("4000" is 4000, 42 is "42"). Converted here, not at the
        // call's boundary: a `valueOf` that frees this socket then runs
        // while the call holds it.
        let code = if code.is_undefined() || code.is_null() {
            None
        } else if code.is_bigint() {
            return Err(invalid_close_code(&code));
        } else {
            Some(code.as_f64().map_or_else(|| web::js_number(&code), Ok)?)
        };
        let reason = if reason.is_undefined() {
            None
        } else {
            Some(dom_string(&reason)?)
        };
        let code = match code.map(|code| (code, whole_number(code, 65535.0))) {
            None => 1000,
            Some((_, Some(code))) => code as u16,
            Some((code, None)) => return Err(invalid_close_code(&JsValue::from_f64(code))),
        };
        let reason = reason.as_deref().unwrap_or("");
        // Checked here too: after dispose() (or from a listener that
        // disposed it) the engine is not reached, and bad arguments still
        // throw.
        CloseError::check(code, reason).map_err(|e| error(&e.message()))?;
        let Some(live) = self.live() else {
            return Ok(());
        };
        not_busy(&live, "close")?;
        live.driver
            .close(code, reason)
            .map_err(|e| error(&e.message()))
    }

    // ----- resilient-ws -----

    /// The connection state.
    #[wasm_bindgen(getter, unchecked_return_type = "ConnectionState")]
    pub fn state(&self) -> String {
        String::from(self.connection_state().as_str())
    }

    /// The `name` option.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        match self.live() {
            Some(live) => live.name.clone(),
            None => self.kept(DisposedSocket::name),
        }
    }

    /// The last close (the `close` event it emitted), or null.
    #[wasm_bindgen(getter = lastClose, unchecked_return_type = "ResilientCloseEvent | null")]
    pub fn last_close(&self) -> JsValue {
        self.js_readout(last_close_of, DisposedSocket::last_close)
    }

    /// Counters and measurements now. Throws the busy `Error` when called
    /// from inside the SDK's own call into the browser, as the calls do.
    #[wasm_bindgen(unchecked_return_type = "SocketStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        if let Some(live) = self.live() {
            not_busy(&live, "stats")?;
        }
        Ok(self.js_readout(stats_of, DisposedSocket::stats))
    }

    /// Starts connecting (from idle or closed), or skips a backoff wait;
    /// while an app's close is in progress (`close(); connect()`), connects
    /// once it is over. Throws on a disposed socket, which nothing can reopen.
    pub fn connect(&self) -> Result<(), JsValue> {
        let live =
            self.live_or("connect: the socket was disposed; create a new ResilientSocket")?;
        not_busy(&live, "connect")?;
        live.driver.connect();
        Ok(())
    }

    /// Drops the current connection (if any) and connects again now, with
    /// a `close` event for what it dropped (cause `"replaced"`, or `"app"`
    /// for a `close()` still waiting for the server). Throws on a disposed
    /// socket.
    pub fn reconnect(&self) -> Result<(), JsValue> {
        let live =
            self.live_or("reconnect: the socket was disposed; create a new ResilientSocket")?;
        not_busy(&live, "reconnect")?;
        live.driver.reconnect();
        Ok(())
    }

    /// Sets keyed state (e.g. plugin parameters): sent now when open, and
    /// again after every reconnect, before queued messages. A string or
    /// binary value is sent as is; anything else as JSON. With `debounceMs`,
    /// at most one send per key per window, carrying the latest value (the
    /// first change waits too). Returns true if it went out now. On a
    /// socket closed for good the value is only stored (false): a later
    /// `connect()` sends it; `deleteReplayState` forgets a key.
    #[wasm_bindgen(js_name = setReplayState)]
    pub fn set_replay_state(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ReplayValue")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ReplayStateOptions")] options: JsValue,
    ) -> Result<bool, JsValue> {
        const CALL: &str = "setReplayState";
        let key = key_argument(&key, CALL)?;
        check_call_options(&options, CALL, &["debounceMs"]).map_err(|m| error(&m))?;
        let debounce = call_option(&options, CALL, "debounceMs").map_err(|m| error(&m))?;
        let debounce_ms = millis(&debounce, CALL, "debounceMs", 0)
            .map_err(|m| error(&m))?
            .unwrap_or(0);
        if JsPayload::is_shared_memory(&value) {
            return Err(error(SHARED_MEMORY_REPLAY));
        }
        let payload = match JsPayload::from_data(value) {
            Ok(payload) => payload,
            Err(value) => json_stringify(&value).and_then(|text| JsPayload::from_js(text).ok()).ok_or_else(|| {
                error("setReplayState: value must be text, binary data, or a JSON-serializable value")
            })?,
        };
        let Some(live) = self.live() else {
            return Err(error(&SendError::Disposed.message_for(CALL)));
        };
        match live.driver.set_replay(&key, payload, debounce_ms) {
            Ok(status) => Ok(status == SendStatus::Sent),
            Err(e) => Err(error(&e.message_for(CALL))),
        }
    }

    /// Forgets a replay key. Returns whether it existed.
    #[wasm_bindgen(js_name = deleteReplayState)]
    pub fn delete_replay_state(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    ) -> Result<bool, JsValue> {
        let key = key_argument(&key, "deleteReplayState")?;
        let Some(live) = self.live() else {
            return Ok(false);
        };
        not_busy(&live, "deleteReplayState")?;
        Ok(live.driver.delete_replay(&key))
    }

    /// The replay store, in the order keys were first set; values as sent.
    #[wasm_bindgen(js_name = replayState, unchecked_return_type = "ReplayEntry[]")]
    pub fn replay_state(&self) -> Array {
        let Some(live) = self.live() else {
            return Array::new();
        };
        live.driver
            .read_live(|engine| {
                engine
                    .replay_entries()
                    .map(|(key, value)| {
                        Obj::new()
                            .set("key", key)
                            .set("value", value.value().clone())
                            .build()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sends `message` with an id and resolves with the matching reply
    /// (documented, and typed with a type parameter, in `types.rs`).
    #[wasm_bindgen(skip_typescript)]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestMessage")] message: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestCallOptions")] options: JsValue,
    ) -> Promise {
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        let Some((resolve, reject)) = settle else {
            return promise;
        };
        let Some(live) = self.live() else {
            let _ = call_with(&reject, &request_error(RequestFailure::Disposed, 0));
            return promise;
        };
        let prepared = request_text(&message).and_then(|text| {
            check_call_options(&options, "request", &["timeoutMs"])?;
            let timeout_ms = call_option(&options, "request", "timeoutMs")?;
            Ok((text, millis(&timeout_ms, "request", "timeoutMs", 1)?))
        });
        let (text, timeout_ms) = match prepared {
            Ok(prepared) => prepared,
            Err(message) => {
                let _ = call_with(&reject, &error(&message));
                return promise;
            }
        };
        let effective_timeout = timeout_ms.unwrap_or_else(|| {
            live.driver
                .read_live(|engine| engine.config().requests.timeout_ms)
                .unwrap_or(0)
        });
        let app = &live.app;
        live.driver
            .request(&text, timeout_ms, |result| match result {
                Ok(handle) => app.add_pending(handle, resolve, reject, effective_timeout),
                Err(SendError::Closed) => {
                    let _ = call_with(&reject, &request_error(RequestFailure::Closed, 0));
                }
                Err(SendError::Disposed) => {
                    let _ = call_with(&reject, &request_error(RequestFailure::Disposed, 0));
                }
                Err(e) => {
                    let _ = call_with(&reject, &error(&e.message_for("request")));
                }
            });
        promise
    }

    /// The message inspector: a new view at each read (keep one), each
    /// reading the same records.
    #[wasm_bindgen(getter)]
    pub fn inspector(&self) -> SocketInspector {
        match self.live() {
            Some(live) => SocketInspector::new(Some(live.driver.view())),
            None => self
                .disposed
                .get()
                .map_or_else(|| SocketInspector::new(None), DisposedSocket::inspector),
        }
    }

    /// Closes the socket and removes every listener, timer and browser
    /// handler; pending requests are rejected ("disposed"). No event is
    /// emitted. Idempotent; the socket cannot be used again, but `state`,
    /// `url`, `lastClose`, `stats()` and `inspector` still read what
    /// happened. After it, `send()`, `setReplayState()`, `connect()` and
    /// `reconnect()` throw, `request()` rejects ("disposed"), `close()`,
    /// `addEventListener()` and the `on*` handlers do nothing (after checking
    /// their arguments, which still throw when invalid),
    /// `deleteReplayState()` returns false and `replayState()` `[]`; after
    /// `free()` every member throws. Only that is kept, as JS values, plus
    /// the inspector's messages if it holds any; the driver's wasm memory
    /// goes when `dispose()` returns (called from a listener, when the
    /// socket's call or event that ran the listener returns).
    pub fn dispose(&self) -> Result<(), JsValue> {
        let Some(live) = self.live() else {
            return Ok(());
        };
        not_busy(&live, "dispose")?;
        live.driver.dispose();
        let _ = self.disposed.set(keep(&live));
        // Freed once every call holding a clone has returned.
        self.live.set(None);
        Ok(())
    }

    /// Whether `dispose()` was called.
    #[wasm_bindgen(getter)]
    pub fn disposed(&self) -> bool {
        self.live().is_none_or(|live| live.driver.is_disposed())
    }
}

impl ResilientSocket {
    /// How many of this socket's messages went through the driver rather
    /// than the JS fast path: the browser tests' check of which path a
    /// message took. Not in the npm package build.
    #[cfg(not(feature = "standalone"))]
    #[doc(hidden)]
    pub fn slow_path_messages(&self) -> usize {
        self.live()
            .map_or(0, |live| live.driver.slow_path_messages())
    }

    /// The live socket, or `None` once disposed.
    fn live(&self) -> Option<Rc<LiveSocket>> {
        let live = self.live.take();
        self.live.set(live.clone());
        live
    }

    /// The live socket, or `message` as an error once disposed.
    fn live_or(&self, message: &str) -> Result<Rc<LiveSocket>, JsValue> {
        match self.live() {
            Some(live) if !live.driver.is_disposed() => Ok(live),
            _ => Err(error(message)),
        }
    }

    /// A JS value read from the live driver, or from what dispose kept
    /// (`null` if neither is there).
    fn js_readout(
        &self,
        live: impl FnOnce(&Driver) -> JsValue,
        kept: impl FnOnce(&DisposedSocket) -> JsValue,
    ) -> JsValue {
        match self.live() {
            Some(socket) => live(&socket.driver),
            None => self.disposed.get().map_or(JsValue::NULL, kept),
        }
    }

    /// Reads what a disposed socket kept.
    fn kept<R: Default>(&self, read: impl FnOnce(&DisposedSocket) -> R) -> R {
        self.disposed.get().map(read).unwrap_or_default()
    }

    /// The state: `closed` once disposed.
    fn connection_state(&self) -> ConnectionState {
        self.live()
            .and_then(|live| live.driver.read(|engine, _| engine.state()))
            .unwrap_or(ConnectionState::Closed)
    }

    fn handler(&self, kind: EventType) -> JsValue {
        self.live()
            .and_then(|live| live.app.listeners.handler(kind))
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// As `WebSocket`: a function sets the handler, anything else clears it.
    fn set_handler(&self, kind: EventType, handler: JsValue) {
        let handler = handler.is_function().then(|| handler.unchecked_into());
        if let Some(live) = self.live() {
            live.app.listeners.set_handler(kind, handler);
        }
    }
}

/// A live socket's counters now, as JS.
fn stats_of(driver: &Driver) -> JsValue {
    let Some(stats) = driver.read(|engine, now| engine.stats(now)) else {
        return JsValue::NULL;
    };
    Obj::new()
        .set("state", stats.state.as_str())
        .num("connection", u64::from(stats.connection))
        .num("attempt", u64::from(stats.attempt))
        .num("reconnects", u64::from(stats.reconnects))
        .num("uptimeMs", stats.uptime_ms)
        .num("totalUptimeMs", stats.total_uptime_ms)
        .opt("rttMs", stats.rtt_ms)
        .num("messagesIn", stats.messages_in)
        .num("messagesOut", stats.messages_out)
        .num("bytesIn", stats.bytes_in)
        .num("bytesOut", stats.bytes_out)
        .num("queued", stats.queued as u64)
        .num("queuedBytes", stats.queued_bytes as u64)
        .num("pendingRequests", stats.pending_requests as u64)
        .opt("requestP50Ms", stats.request_p50_ms)
        .opt("requestP99Ms", stats.request_p99_ms)
        .set("flapping", stats.flapping)
        .num("lateWakeups", stats.late_wakeups)
        .build()
}

/// A live socket's last close (the `close` event it emitted), or null.
fn last_close_of(driver: &Driver) -> JsValue {
    driver
        .read(|engine, _| engine.last_close().map(close_object))
        .flatten()
        .unwrap_or(JsValue::NULL)
}

/// What a disposed socket keeps: its readout, and its recorded messages if
/// there are any (taking them turns what the driver kept into JS values).
fn keep(live: &LiveSocket) -> DisposedSocket {
    let driver = &live.driver;
    DisposedSocket::new(
        driver
            .read(|engine, _| engine.url_for_display())
            .unwrap_or_default(),
        &live.name,
        last_close_of(driver),
        stats_of(driver),
        driver.binary_type(),
        // Last: taking the records leaves the driver nothing else to read.
        driver.kept_records(),
    )
}

fn event_type(name: &str, call: &str) -> Result<EventType, JsValue> {
    EventType::parse(name).ok_or_else(|| {
        let names: Vec<&str> = EventType::ALL.iter().map(|kind| kind.name()).collect();
        error(&concat(&[
            call,
            ": unknown event type \"",
            name,
            "\"; allowed: ",
            &options::list(&names, ", ", ""),
        ]))
    })
}

/// The refusal of a `close()` code that is no whole number in range.
fn invalid_close_code(code: &JsValue) -> JsValue {
    error(&concat(&[
        "close: invalid code ",
        &describe(code),
        "; allowed: 1000 or 3000-4999",
    ]))
}

/// `String(value)`, as the DOM converts a string argument (an event type,
/// a close reason); the exception if that throws.
fn dom_string(value: &JsValue) -> Result<String, JsValue> {
    match value.as_string() {
        Some(text) => Ok(text),
        None => web::js_string(value).map(|text| text.as_string().unwrap_or_default()),
    }
}

/// A replay key: a string. Anything else is refused, not converted: a
/// number would otherwise reach the SDK as "" and share one key with every
/// other non-string.
fn key_argument(value: &JsValue, call: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        error(&concat(&[
            call,
            ": key must be a string, got ",
            &describe(value),
        ]))
    })
}

/// A listener function; `None` for null/undefined (ignored, as in the DOM).
fn listener_function(value: &JsValue, call: &str) -> Result<Option<Function>, JsValue> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    if value.is_function() {
        return Ok(Some(value.clone().unchecked_into()));
    }
    Err(error(&concat(&[
        call,
        ": listener must be a function, got ",
        &describe(value),
    ])))
}

/// The JSON text of a request message.
fn request_text(message: &JsValue) -> Result<String, String> {
    if let Some(text) = message.as_string() {
        return Ok(text);
    }
    if message.is_object()
        && !message.is_function()
        && !web::is_array(message)
        && let Some(text) = json_stringify(message).and_then(|text| text.as_string())
    {
        return Ok(text);
    }
    Err(concat(&[
        "request: message must be a JSON object or its JSON text, got ",
        &describe(message),
    ]))
}

/// Refuses a call that comes from inside the SDK's own call into the browser
/// (a replaced `WebSocket` method calling back), which would find the driver
/// in use and do nothing.
fn not_busy(live: &LiveSocket, call: &str) -> Result<(), JsValue> {
    if live.driver.is_busy() {
        return Err(error(&SendError::Busy.message_for(call)));
    }
    Ok(())
}

/// The error for data that is neither text nor binary, which a `WebSocket`
/// would send as `"[object Object]"` or the like.
const NOT_DATA_SEND: &str = "send: data is a plain object (not binary data), an array, null or undefined, which a WebSocket would send as text such as \"[object Object]\"; pass a string (JSON.stringify(data)), an ArrayBuffer, a typed array or a Blob";
/// The errors for binary data in shared memory, which `WebSocket.send` refuses.
const SHARED_MEMORY_SEND: &str = "send: data is a SharedArrayBuffer or a view of one, which a WebSocket cannot send; copy it into an ArrayBuffer first";
const SHARED_MEMORY_REPLAY: &str = "setReplayState: value is a SharedArrayBuffer or a view of one, which a WebSocket cannot send; copy it into an ArrayBuffer first";

/// A fixed `ws://`/`wss://` URL the browser cannot parse (a port out of
/// range, a malformed IPv6 host) would fail every attempt: refused here. Other
/// schemes are left to the URL check, whose error names the scheme.
fn check_parsable(url: &str) -> Result<(), JsValue> {
    let lower = url.get(..6).unwrap_or(url).to_ascii_lowercase();
    if (lower.starts_with("ws://") || lower.starts_with("wss://")) && !web::is_parsable_url(url) {
        // Never the URL itself: it may carry a token.
        let refused = ConfigError::new(
            "url",
            "a ws:// or wss:// URL the browser can parse",
            "one it cannot parse (check the host and port)",
        );
        return Err(error(&refused.message()));
    }
    Ok(())
}
