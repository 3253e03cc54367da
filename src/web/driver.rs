//! The driver: the engine, the socket, the timer and the page listeners in
//! one shared state. Every entry point (an app call or a browser callback)
//! borrows the state, feeds the engine what the inbox passed meanwhile (the
//! JS fast paths, `inbox.rs`: messages delivered to the listeners, and text
//! the package's `send()` handed to the open socket), feeds it the entry's
//! own input, carries out the socket and timer outputs, queues the
//! app-facing ones, releases the borrow, and only then runs app code. So a
//! listener can call `send()` or `close()` (re-entrancy). One exception to
//! the order: under the same borrow, the module's `send()` hands a message
//! the engine would send at once to the browser socket before the inbox is
//! taken ([`send_ahead`]).

use crate::prelude::*;

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, MessageEvent, WebSocket};

use super::bindings::error_message;
use super::clock::{Clock, random_seed};
use super::environment::{Environment, EnvironmentEvents};
use super::inbox::Inbox;
use super::kept_inspector::KeptInspector;
#[cfg(not(feature = "standalone"))]
use super::live_count::LiveCount;
use super::microtask;
use super::payload::JsPayload;
use super::socket::{Protocols, Socket, SocketClosed, SocketEvents};
use super::timer::Timer;
use super::url_provider::UrlProvider;
use crate::core::{
    CloseError, Config, ConfigError, ConnectionState, DisposedEngine, Engine, EngineReadout, Event,
    Input, Inspector, Millis, Output, Redactor, SendError, SendStatus, UrlSource,
};

/// What the driver hands to the app. Implemented by the JS facade.
pub trait App {
    /// A message for the app: the browser's original `MessageEvent`.
    fn deliver(&self, message: &JsValue);
    /// An engine event (including request replies and failures).
    fn event(&self, event: Event<JsPayload>);
    /// The driver was disposed: no listener runs again, so the app lets go
    /// of them (a disposed driver stays in memory while a [`DriverView`]
    /// taken before dispose is kept). Pending requests may still be
    /// settling (when dispose ran inside a listener), so they are not the
    /// app's to drop here.
    fn disposed(&self);
}

/// Everything a driver needs besides the app.
pub struct DriverOptions {
    /// Where to connect.
    pub url: UrlSource,
    /// Engine options.
    pub config: Config,
    /// Subprotocols for the handshake.
    pub protocols: Protocols,
    /// `binaryType` of each socket.
    pub binary_type: BinaryType,
    /// Called on [`Output::ResolveUrl`] (set when `url` is a provider).
    pub url_provider: Option<Function>,
    /// The JS fast paths (messages in, text sent while open), sharing the
    /// app's `message` listeners.
    pub inbox: Inbox,
}

/// What the inbox was told ([`Inbox::set_mode`]): whether messages may
/// take the fast path and which sieve checks apply, and the connection
/// sends may take it on.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct InboxMode {
    fast: bool,
    pong: bool,
    reply: bool,
    sending_on: Option<u32>,
}

/// Work for the app, run after the state borrow is released.
enum AppAction {
    Deliver(JsValue),
    Event(Event<JsPayload>),
    ResolveUrl(u64),
}

/// A read of an inspector and its redactor.
type InspectorRead<'a> = &'a mut dyn FnMut(&Inspector<JsPayload>, &Redactor);

/// What dispose kept of an engine: all the app can read, until a disposed
/// socket has taken its own copy of that; then only the inspector's
/// records, as JS values the disposed socket shares (emptied, not let go,
/// by a clear through the socket's own inspector); nothing once the app
/// clears the inspector through a view of this driver.
enum Kept {
    Engine(Box<DisposedEngine<JsPayload>>),
    Records(KeptInspector),
    Cleared,
}

impl Kept {
    fn engine(engine: DisposedEngine<JsPayload>) -> Kept {
        #[cfg(not(feature = "standalone"))]
        LIVE_REMAINS.created();
        Kept::Engine(Box::new(engine))
    }

    /// Keeps only the inspector's records, out of wasm (nothing if none).
    fn compact(&mut self) {
        if let Kept::Engine(engine) = self {
            let records = (!engine.inspector().is_empty())
                .then(|| KeptInspector::new(engine.inspector(), engine.redactor()));
            // The old value's drop counts it gone; a new one counts again.
            *self = match records {
                Some(records) => {
                    #[cfg(not(feature = "standalone"))]
                    LIVE_REMAINS.created();
                    Kept::Records(records)
                }
                None => Kept::Cleared,
            };
        }
    }

    /// Reads the inspector and its redactor (not once cleared).
    fn read_inspector(&self, read: InspectorRead) {
        match self {
            Kept::Engine(engine) => read(engine.inspector(), engine.redactor()),
            Kept::Records(records) => records.read(read),
            Kept::Cleared => {}
        }
    }

    /// Empties the inspector, for the disposed socket too, and lets go of
    /// all that was kept.
    fn clear(&mut self) {
        if let Kept::Records(records) = self {
            records.clear();
        }
        *self = Kept::Cleared;
    }
}

#[cfg(not(feature = "standalone"))]
impl Drop for Kept {
    fn drop(&mut self) {
        if !matches!(self, Kept::Cleared) {
            LIVE_REMAINS.dropped();
        }
    }
}

struct State {
    /// The engine, until dispose turns it into `remains` (one of the two
    /// is set).
    engine: Option<Box<Engine<JsPayload>>>,
    /// What dispose kept of the engine: a disposed socket's JS object may
    /// wait long for the garbage collector, so it holds only what the app
    /// can still read, and not the driver.
    remains: Option<Kept>,
    socket: Option<Socket>,
    /// The subprotocol and extensions of the last connection, kept once
    /// its socket is let go (a `WebSocket` still reads them after its
    /// close), until the next attempt makes a socket.
    ended_choice: (String, String),
    timer: Option<Timer>,
    environment: Option<Environment>,
    protocols: Protocols,
    binary_type: BinaryType,
}

/// Drops the browser socket (its handlers removed), keeping in
/// `ended_choice` what the server chose for it. (Fields, not `State`: the
/// engine is borrowed from the same state meanwhile.)
fn let_go_of_socket(socket: &mut Option<Socket>, ended_choice: &mut (String, String)) {
    if let Some(socket) = socket.take() {
        *ended_choice = (socket.ws().protocol(), socket.ws().extensions());
    }
}

impl State {
    /// Reads what the app reads: the engine, or what dispose kept of it.
    fn read<R>(&self, read: impl FnOnce(&dyn EngineReadout<JsPayload>) -> R) -> Option<R> {
        match (&self.engine, &self.remains) {
            (Some(engine), _) => Some(read(&**engine)),
            (None, Some(remains)) => match remains {
                Kept::Engine(engine) => Some(read(&**engine)),
                _ => None,
            },
            (None, None) => None,
        }
    }

    /// Reads the inspector and its redactor, of the engine or of what
    /// dispose kept.
    fn read_inspector(&self, read: InspectorRead) {
        match (&self.engine, &self.remains) {
            (Some(engine), _) => read(engine.inspector(), engine.redactor()),
            (None, Some(remains)) => remains.read_inspector(read),
            (None, None) => {}
        }
    }

    /// Empties the inspector of the engine, or of what dispose kept.
    fn clear_inspector(&mut self) {
        match (&mut self.engine, &mut self.remains) {
            (Some(engine), _) => engine.inspector_mut().clear(),
            (None, Some(remains)) => remains.clear(),
            (None, None) => {}
        }
    }

    /// Swaps the engine for what the app can still read of it.
    fn retire_engine(&mut self, now: Millis) {
        if let Some(engine) = self.engine.take() {
            self.remains = Some(Kept::engine(engine.into_disposed(now)));
            #[cfg(not(feature = "standalone"))]
            LIVE_ENGINES.dropped();
        }
    }
}

struct Inner {
    /// This `Inner`, for the browser callbacks it creates.
    weak: Weak<Inner>,
    state: RefCell<State>,
    /// App work in FIFO order, drained by the outermost entry point.
    actions: RefCell<VecDeque<AppAction>>,
    dispatching: Cell<bool>,
    /// This `Inner` itself while the socket is active (connecting, open,
    /// closing or reconnecting): like a `WebSocket`, an active socket keeps
    /// running when the app drops every handle to it (or the garbage
    /// collector frees the JS object), and frees itself once idle, closed or
    /// disposed.
    active: RefCell<Option<Rc<Inner>>>,
    /// App work waits until the microtask after construction: what the
    /// constructor set off (the first `statechange`, a failed first attempt)
    /// reaches listeners added right after it, as a `WebSocket`'s events do.
    held: Cell<bool>,
    disposed: Cell<bool>,
    /// Every [`Driver`] is gone: once the engine is idle or closed, this
    /// disposes itself, even if a [`DriverView`] keeps it in memory.
    orphaned: Cell<bool>,
    clock: Clock,
    /// Let go of on dispose, like the app's listeners (an answer that
    /// comes after that is dropped).
    url_provider: RefCell<Option<Rc<UrlProvider>>>,
    app: Rc<dyn App>,
    inbox: Inbox,
    /// What the inbox was last told ([`Inner::sync_inbox`]).
    inbox_mode: Cell<InboxMode>,
    /// Messages that took the slow path, not the inbox's fast path: the
    /// browser tests' check of which path a message took.
    #[cfg(not(feature = "standalone"))]
    slow_path_messages: Cell<usize>,
    /// The inbox's slow path: a message event, or nothing (take what the
    /// inbox holds, run deferred app work). `Fn`, not `FnMut`: it is called
    /// again from inside itself when a listener it delivers to sends past
    /// the inspector's `maxBytes` through the fast path, and wasm-bindgen
    /// refuses (throws) a nested call of an `FnMut` closure.
    _on_message: Closure<dyn Fn(JsValue)>,
}

#[cfg(not(feature = "standalone"))]
static LIVE_DRIVERS: LiveCount = LiveCount::new();

/// How many drivers are alive: created and not yet freed.
#[cfg(not(feature = "standalone"))]
pub fn live_drivers() -> usize {
    LIVE_DRIVERS.get()
}

#[cfg(not(feature = "standalone"))]
static LIVE_ENGINES: LiveCount = LiveCount::new();

#[cfg(not(feature = "standalone"))]
static LIVE_REMAINS: LiveCount = LiveCount::new();

/// How many disposed engines' remains are alive in wasm: held by a
/// disposed driver (which an inspector view taken before `dispose()` keeps)
/// and not cleared through a view of that driver. A clear through the
/// disposed socket's own inspector empties the shared records but leaves
/// this count until the driver goes.
#[cfg(not(feature = "standalone"))]
pub fn live_remains() -> usize {
    LIVE_REMAINS.get()
}

/// How many engines are alive: created and neither disposed nor freed.
#[cfg(not(feature = "standalone"))]
pub fn live_engines() -> usize {
    LIVE_ENGINES.get()
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The slow-path closure is freed with `self`.
        self.inbox.detach();
        #[cfg(not(feature = "standalone"))]
        if self.state.get_mut().engine.is_some() {
            LIVE_ENGINES.dropped();
        }
        #[cfg(not(feature = "standalone"))]
        LIVE_DRIVERS.dropped();
    }
}

/// Reads (and clears the inspector of) a driver's engine without being a
/// handle to the socket: when every [`Driver`] is gone, the socket stops
/// reconnecting even if views remain (`socket.inspector` kept by the app),
/// and the views go on reading what was recorded.
#[derive(Clone)]
pub struct DriverView {
    source: ViewSource,
}

#[derive(Clone)]
enum ViewSource {
    /// A driver, live or disposed.
    Driver(Rc<Inner>),
    /// The records a disposed driver kept, without the driver.
    Kept {
        records: KeptInspector,
        epoch_origin_ms: u64,
    },
}

impl DriverView {
    /// A view of the records [`Driver::kept_records`] gave, holding nothing
    /// of the driver (`None` from any other value).
    pub fn of_kept_records(value: &JsValue) -> Option<DriverView> {
        let (records, epoch_origin_ms) = KeptInspector::from_js(value)?;
        Some(DriverView {
            source: ViewSource::Kept {
                records,
                epoch_origin_ms,
            },
        })
    }

    /// Reads the inspector and its redactor, of the engine or of what
    /// dispose kept (None if cleared, or borrowed).
    pub fn read<R>(&self, read: impl FnOnce(&Inspector<JsPayload>, &Redactor) -> R) -> Option<R> {
        let mut read = Some(read);
        let mut result = None;
        self.read_with(&mut |inspector, redactor| {
            result = read.take().map(|read| read(inspector, redactor));
        });
        result
    }

    /// [`DriverView::read`], one copy for every kind of read.
    fn read_with(&self, read: InspectorRead) {
        match &self.source {
            ViewSource::Driver(inner) => {
                inner.catch_up();
                if let Ok(state) = inner.state.try_borrow() {
                    state.read_inspector(read);
                }
            }
            ViewSource::Kept { records, .. } => records.read(read),
        }
    }

    /// Empties the inspector. False when the driver is busy (a call from
    /// inside its own call into the browser): nothing was cleared.
    pub fn clear_inspector(&self) -> bool {
        match &self.source {
            ViewSource::Driver(inner) => {
                inner.catch_up();
                let Ok(mut state) = inner.state.try_borrow_mut() else {
                    return false;
                };
                state.clear_inspector();
            }
            ViewSource::Kept { records, .. } => records.clear(),
        }
        true
    }

    /// Added to an engine time, gives wall-clock time (ms since the epoch).
    pub fn epoch_origin_ms(&self) -> u64 {
        match &self.source {
            ViewSource::Driver(inner) => inner.clock.epoch_origin_ms(),
            ViewSource::Kept {
                epoch_origin_ms, ..
            } => *epoch_origin_ms,
        }
    }
}

/// A handle the browser callbacks hold: it does not keep the driver alive.
#[derive(Clone)]
struct Link(Weak<Inner>);

/// The browser driver of one resilient socket. Dropping it disposes it,
/// unless a browser socket is connecting or open: like a `WebSocket`, that
/// connection runs on until it ends, then the socket frees itself without
/// reconnecting (with no handle left, nothing could ever stop it). One
/// waiting to reconnect is disposed at once, and so is one waiting for its
/// URL provider with `connectTimeoutMs` 0: a provider that never answers
/// would keep it for the page's life.
pub struct Driver {
    inner: Rc<Inner>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.inner.orphaned.set(true);
        self.inner.stop_sending_directly();
        let waiting = match self.inner.state.try_borrow_mut() {
            Ok(mut state) => state.engine.as_mut().is_some_and(|engine| {
                engine.stop_reconnecting();
                engine.is_waiting_to_reconnect() || engine.awaits_url_without_deadline()
            }),
            Err(_) => false,
        };
        if !self.inner.is_active() || waiting {
            self.dispose();
        }
    }
}

impl Driver {
    /// A driver in state `idle`, with the page listeners attached. Fails on
    /// invalid options or URL.
    pub fn new(options: DriverOptions, app: Rc<dyn App>) -> Result<Driver, ConfigError> {
        let engine = Engine::new(options.url, options.config, random_seed())?;
        let inner = Rc::new_cyclic(|weak: &Weak<Inner>| {
            let link = Link(weak.clone());
            let on_message = {
                let link = link.clone();
                Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
                    if event.is_undefined() {
                        link.with(|inner| {
                            inner.catch_up();
                            inner.dispatch();
                        });
                    } else {
                        link.message(event.unchecked_into());
                    }
                })
            };
            let sieve = engine.message_sieve();
            let pong = sieve
                .pong
                .map_or(("", 0), |pong| (pong.needle, pong.max_len));
            options.inbox.attach(
                on_message.as_ref(),
                engine.inspector().max_entries(),
                engine.inspector().max_bytes(),
                pong.0,
                pong.1,
                sieve.reply_key,
                engine.max_message_bytes() as f64,
            );
            Inner {
                weak: weak.clone(),
                state: RefCell::new(State {
                    engine: Some(Box::new(engine)),
                    remains: None,
                    socket: None,
                    ended_choice: Default::default(),
                    timer: Some(Timer::new(move || link.timer_fired())),
                    environment: None,
                    protocols: options.protocols,
                    binary_type: options.binary_type,
                }),
                actions: RefCell::new(VecDeque::new()),
                dispatching: Cell::new(false),
                active: RefCell::new(None),
                held: Cell::new(true),
                disposed: Cell::new(false),
                orphaned: Cell::new(false),
                clock: Clock::new(),
                url_provider: RefCell::new(options.url_provider.map(|provider| {
                    let link = Link(weak.clone());
                    Rc::new(UrlProvider::new(provider, move |token, url| {
                        link.with(|inner| inner.input(Input::UrlResolved { token, url }));
                    }))
                })),
                app,
                inbox: options.inbox,
                inbox_mode: Cell::new(InboxMode::default()),
                #[cfg(not(feature = "standalone"))]
                slow_path_messages: Cell::new(0),
                _on_message: on_message,
            }
        });
        #[cfg(not(feature = "standalone"))]
        LIVE_DRIVERS.created();
        #[cfg(not(feature = "standalone"))]
        LIVE_ENGINES.created();
        let environment = Environment::attach(Link(Rc::downgrade(&inner)));
        let hidden = environment.hidden();
        // Created offline (a page from cache): attempts fail as `offline`
        // and do not use up maxAttempts, as after an `offline` event.
        let offline = environment.offline();
        if let Ok(mut state) = inner.state.try_borrow_mut() {
            state.environment = Some(environment);
        }
        let link = Link(Rc::downgrade(&inner));
        microtask::queue(move || link.with(Inner::release));
        let driver = Driver { inner };
        if hidden {
            driver.inner.input(Input::Hidden);
        }
        if offline {
            driver.inner.input(Input::Offline);
        }
        Ok(driver)
    }

    /// Starts connecting (from idle or closed), or cuts a backoff wait short.
    pub fn connect(&self) {
        self.inner.call(|engine, now| engine.connect(now));
    }

    /// Replaces the socket with a new connection now.
    pub fn reconnect(&self) {
        self.inner.call(|engine, now| engine.reconnect(now));
    }

    /// Closes for good with `code` and `reason`.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), CloseError> {
        self.inner
            .call(|engine, now| engine.close(now, code, reason))
            .unwrap_or(Ok(()))
    }

    /// Sends now if open, else queues. A message that goes out at once is
    /// handed to the browser socket first, then booked
    /// ([`Inner::send_quickly`]); the engine takes the others.
    pub fn send(&self, payload: JsPayload) -> Result<SendStatus, SendError> {
        let payload = match self.inner.send_quickly(payload) {
            Ok(()) => return Ok(SendStatus::Sent),
            Err(payload) => payload,
        };
        let result = self.inner.mutate(|engine, now| engine.send(now, payload));
        self.inner.dispatch();
        result.unwrap_or_else(|| Err(self.refused()))
    }

    /// Sets a replay key (sent now when open and not debounced).
    pub fn set_replay(
        &self,
        key: &str,
        value: JsPayload,
        debounce_ms: u64,
    ) -> Result<SendStatus, SendError> {
        self.inner
            .call(|engine, now| engine.set_replay(now, key, value, debounce_ms))
            .unwrap_or_else(|| Err(self.refused()))
    }

    /// Forgets a replay key; whether it existed.
    pub fn delete_replay(&self, key: &str) -> bool {
        self.inner
            .call(|engine, _| engine.delete_replay(key))
            .unwrap_or(false)
    }

    /// Sends a request. `register` gets the engine's handle (or the refusal)
    /// before any app code runs, so a reply can never come before it is known.
    pub fn request(
        &self,
        message: &str,
        timeout_ms: Option<u64>,
        register: impl FnOnce(Result<u64, SendError>),
    ) {
        let result = self
            .inner
            .mutate(|engine, now| engine.request(now, message, timeout_ms));
        register(result.unwrap_or_else(|| Err(self.refused())));
        self.inner.dispatch();
    }

    /// Tears everything down: socket closed, timer cancelled, page listeners
    /// removed, pending requests failed. Idempotent. After it, only request
    /// settlements reach the app; no listener runs.
    pub fn dispose(&self) {
        self.inner.dispose();
    }

    /// How many messages of this socket took the driver's slow path, not
    /// the inbox's fast path (the browser tests' check).
    #[cfg(not(feature = "standalone"))]
    pub fn slow_path_messages(&self) -> usize {
        self.inner.slow_path_messages.get()
    }

    /// Whether [`Driver::dispose`] ran.
    pub fn is_disposed(&self) -> bool {
        self.inner.disposed.get()
    }

    /// Why a call that never reached the engine was refused.
    fn refused(&self) -> SendError {
        if self.is_disposed() {
            SendError::Disposed
        } else {
            // Not disposed, so the engine is there: its state is in use by a
            // call of the SDK's own that this one came from inside.
            SendError::Busy
        }
    }

    /// Whether the driver's state is in use: a call now comes from inside
    /// one of the SDK's own calls into the browser (a replaced `WebSocket`
    /// method calling back), and would find nothing to act on.
    pub fn is_busy(&self) -> bool {
        self.inner.state.try_borrow_mut().is_err()
    }

    /// Reads the engine, or what dispose kept of it, at the current time.
    pub fn read<R>(
        &self,
        read: impl FnOnce(&dyn EngineReadout<JsPayload>, Millis) -> R,
    ) -> Option<R> {
        self.inner.read(read)
    }

    /// Reads the engine, if not disposed.
    pub fn read_live<R>(&self, read: impl FnOnce(&Engine<JsPayload>) -> R) -> Option<R> {
        self.inner.catch_up();
        let state = self.inner.state.try_borrow().ok()?;
        state.engine.as_deref().map(read)
    }

    /// A view of this driver's engine that is not a handle (see
    /// [`DriverView`]).
    pub fn view(&self) -> DriverView {
        DriverView {
            source: ViewSource::Driver(self.inner.clone()),
        }
    }

    /// Once disposed, the recorded messages dispose kept, as one JS value
    /// for the disposed socket to hold (`None` if there are none; a view
    /// reads it through [`DriverView::of_kept_records`]). From then on the
    /// driver keeps only these records, shared with that value: clearing
    /// through a view of either clears both.
    pub fn kept_records(&self) -> Option<JsValue> {
        let mut state = self.inner.state.try_borrow_mut().ok()?;
        let remains = state.remains.as_mut()?;
        remains.compact();
        match remains {
            Kept::Records(records) => Some(records.to_js(self.inner.clock.epoch_origin_ms())),
            _ => None,
        }
    }

    /// The subprotocol the server chose for the live connection, or for the
    /// last one once it ended ("" before any, and from when the next attempt
    /// makes its socket).
    pub fn protocol(&self) -> String {
        self.negotiated(WebSocket::protocol, |choice| &choice.0)
    }

    /// The extensions the server chose, as [`Driver::protocol`].
    pub fn extensions(&self) -> String {
        self.negotiated(WebSocket::extensions, |choice| &choice.1)
    }

    fn negotiated(
        &self,
        live: impl FnOnce(&WebSocket) -> String,
        ended: impl FnOnce(&(String, String)) -> &String,
    ) -> String {
        let Ok(state) = self.inner.state.try_borrow() else {
            return String::new();
        };
        match &state.socket {
            Some(socket) => live(socket.ws()),
            None => ended(&state.ended_choice).clone(),
        }
    }

    /// Reads the live browser socket, if any.
    pub fn with_socket<R>(&self, read: impl FnOnce(&WebSocket) -> R) -> Option<R> {
        let state = self.inner.state.try_borrow().ok()?;
        state.socket.as_ref().map(|socket| read(socket.ws()))
    }

    /// `binaryType` of the sockets.
    pub fn binary_type(&self) -> BinaryType {
        self.inner
            .state
            .try_borrow()
            .map_or(BinaryType::Blob, |state| state.binary_type)
    }

    /// Sets `binaryType` for the live socket and the next ones.
    pub fn set_binary_type(&self, binary_type: BinaryType) {
        if let Ok(mut state) = self.inner.state.try_borrow_mut() {
            state.binary_type = binary_type;
            if let Some(socket) = &state.socket {
                socket.set_binary_type(binary_type);
            }
        }
    }
}

impl Inner {
    /// Reads the engine, caught up with the inbox, with the current time
    /// (None if it is borrowed).
    fn read<R>(&self, read: impl FnOnce(&dyn EngineReadout<JsPayload>, Millis) -> R) -> Option<R> {
        self.catch_up();
        let state = self.state.try_borrow().ok()?;
        let now = self.clock.now();
        state.read(|readout| read(readout, now))
    }

    /// See [`Driver::dispose`]. The caller holds an `Rc` to `self`.
    fn dispose(&self) {
        if self.disposed.replace(true) {
            return;
        }
        if let Ok(mut state) = self.state.try_borrow_mut() {
            self.take_inbox(&mut state);
            let now = self.clock.now();
            if let Some(engine) = &mut state.engine {
                engine.dispose(now);
            }
            self.carry_out(&mut state, now, None);
            state.retire_engine(now);
            state.socket = None;
            state.timer = None;
            state.environment = None;
        }
        let itself = self.active.take();
        drop(itself); // the caller still holds it
        // Settle pending requests now: the driver may be gone by the
        // microtask that would release held work.
        self.release();
        if let Ok(mut provider) = self.url_provider.try_borrow_mut() {
            *provider = None;
        }
        self.app.disposed();
    }

    /// An app call: feeds the engine, carries out, then runs app work.
    /// `None` after dispose (or, never expected, when re-entered while borrowed).
    fn call<R>(&self, call: impl FnOnce(&mut Engine<JsPayload>, Millis) -> R) -> Option<R> {
        let result = self.mutate(call);
        self.dispatch();
        result
    }

    /// Feeds the engine and carries out its socket and timer outputs; app
    /// work is queued, not run.
    fn mutate<R>(&self, call: impl FnOnce(&mut Engine<JsPayload>, Millis) -> R) -> Option<R> {
        if self.disposed.get() {
            return None;
        }
        let mut state = self.state.try_borrow_mut().ok()?;
        self.take_inbox(&mut state);
        let now = self.clock.now();
        note_socket_closing(&mut state, now);
        let result = call(state.engine.as_mut()?, now);
        self.carry_out(&mut state, now, None);
        Some(result)
    }

    /// `send()` of a message the engine sends at once: handed to the open
    /// browser socket ([`send_ahead`]), then booked. Booking it, and the
    /// inbox's messages taken before, make no output, queue no app work and
    /// move no timer (the inbox delivers only while no pong deadline runs,
    /// [`Engine::delivers_directly`]), so the carry-out and the dispatch
    /// every other entry ends with run only for outputs or app work left
    /// from before. Hands the payload back when it does not go out at once (or the
    /// socket is disposed or busy): [`Driver::send`] gives it to the engine
    /// then.
    fn send_quickly(&self, payload: JsPayload) -> Result<(), JsPayload> {
        if self.disposed.get() {
            return Err(payload);
        }
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return Err(payload);
        };
        let Some(connection) = send_ahead(&state, &payload) else {
            return Err(payload);
        };
        self.take_inbox(&mut state);
        let now = self.clock.now();
        let Some(engine) = state.engine.as_mut() else {
            return Ok(()); // send_ahead found an engine: not reached
        };
        engine.sent_ahead(now, connection, payload);
        let settled = !engine.has_output();
        if !settled {
            self.carry_out(&mut state, now, None);
        }
        drop(state);
        if !settled || !self.no_app_work() {
            self.dispatch();
        }
        Ok(())
    }

    /// The browser socket's `bufferedAmount` (0 without one, or while the
    /// state is borrowed: the input that needs it is refused then anyway).
    fn send_buffered(&self) -> u64 {
        self.state.try_borrow().ok().map_or(0, |state| {
            state.socket.as_ref().map_or(0, Socket::send_buffered)
        })
    }

    /// A browser event.
    fn input(&self, input: Input<JsPayload>) {
        self.call(|engine, now| engine.handle(now, input));
    }

    /// Turns the inbox's fast path for sends off now that the app let go
    /// of the socket (every [`Driver`] is gone): `send()` on a freed socket
    /// must fail, even while its connection stays up.
    fn stop_sending_directly(&self) {
        if let Ok(state) = self.state.try_borrow()
            && let Some(engine) = &state.engine
        {
            self.sync_inbox(engine, state.socket.as_ref());
        }
    }

    /// Turns the inbox's fast path for sends off until the next
    /// [`Inner::sync_inbox`]: while the driver carries out the engine's
    /// socket outputs under the state's borrow, app code that a replaced
    /// `WebSocket` method runs must not send around the engine (it could
    /// be closing, or flushing its queue); the module's `send()` refuses it
    /// as busy. ([`send_ahead`] leaves it on: the engine is open with
    /// nothing queued, and the inbox is taken before that send is booked.)
    fn pause_sending_directly(&self) {
        let paused = InboxMode {
            sending_on: None,
            ..self.inbox_mode.get()
        };
        self.set_inbox_mode(paused, None);
    }

    /// [`Inner::take_inbox`] outside a call (before a read).
    #[inline(never)]
    fn catch_up(&self) {
        if let Ok(mut state) = self.state.try_borrow_mut() {
            self.take_inbox(&mut state);
        }
    }

    /// Feeds the engine what the inbox passed (both ways) since it last
    /// looked: every entry point does this first (after [`send_ahead`] in
    /// `send()`), so the engine sees each message before the input that
    /// follows it. Not inlined: one copy serves every entry.
    #[inline(never)]
    fn take_inbox(&self, state: &mut State) {
        if let Some(taken) = self.inbox.take()
            && let Some(engine) = &mut state.engine
        {
            let newest = taken.newest().map(|(direction, data, at, size)| {
                (direction, Millis(at as u64), JsPayload::sized(data, size))
            });
            engine.passed_directly(taken.traffic, newest);
        }
    }

    /// Whether no app work is queued (false while the queue is borrowed).
    fn no_app_work(&self) -> bool {
        self.actions
            .try_borrow()
            .is_ok_and(|actions| actions.is_empty())
    }

    /// Tells the inbox whether messages may take the fast path now (the
    /// engine delivers directly, and no app work is waiting to run before
    /// them), which of the sieve's checks apply, and whether sends may take
    /// it (the engine sends directly and the app still holds the socket:
    /// a socket freed while connected must refuse `send()`).
    #[inline(never)]
    fn sync_inbox(&self, engine: &Engine<JsPayload>, socket: Option<&Socket>) {
        let fast = engine.delivers_directly()
            && !self.held.get()
            && !self.disposed.get()
            && !self.dispatching.get()
            && self.no_app_work();
        let (pong, reply) = engine.sieve_checks();
        let sending_to = engine
            .sends_directly()
            .filter(|_| !self.disposed.get() && !self.orphaned.get())
            .zip(socket);
        let mode = InboxMode {
            fast,
            pong,
            reply,
            sending_on: sending_to.map(|(connection, _)| connection),
        };
        self.set_inbox_mode(mode, sending_to.map(|(_, socket)| socket));
    }

    /// Tells the inbox `mode` (with the socket sends may go to) if it is
    /// not what the inbox was last told: the one place that writes
    /// [`Inner::inbox_mode`], so it never differs from what JS holds.
    fn set_inbox_mode(&self, mode: InboxMode, sending_to: Option<&Socket>) {
        if self.inbox_mode.replace(mode) != mode {
            let socket = sending_to.map_or(JsValue::NULL, |socket| socket.ws().into());
            self.inbox
                .set_mode(mode.fast, mode.pong, mode.reply, &socket);
        }
    }

    /// Drains the engine: socket and timer work is done here, under the
    /// borrow (it never calls app code); app work is queued. `message` is
    /// the browser event of the message being handled, delivered as is.
    fn carry_out(&self, state: &mut State, now: Millis, mut message: Option<MessageEvent>) {
        let Ok(mut actions) = self.actions.try_borrow_mut() else {
            return;
        };
        let Some(engine) = &mut state.engine else {
            return;
        };
        let mut sending_paused = false;
        while let Some(output) = engine.poll_output() {
            let touches_socket = matches!(
                output,
                Output::Send(_) | Output::OpenSocket { .. } | Output::CloseSocket { .. }
            );
            if touches_socket && !sending_paused {
                sending_paused = true;
                self.pause_sending_directly();
            }
            match output {
                Output::Send(payload) => {
                    if let Some(socket) = &state.socket {
                        let _ = socket.send(payload.value());
                    }
                }
                Output::OpenSocket { url, .. } => {
                    state.socket = None;
                    state.ended_choice = Default::default();
                    let link = Link(self.weak.clone());
                    let on_message = self.inbox.handler();
                    match Socket::open(&url, &state.protocols, state.binary_type, link, &on_message)
                    {
                        Ok(socket) => state.socket = Some(socket),
                        Err(error) => {
                            // The browser refused the URL or protocols: an
                            // attempt that failed before it began.
                            let reason = error_message(&error);
                            engine.handle(now, Input::Error);
                            engine.handle(now, Input::Refused { reason });
                        }
                    }
                }
                Output::CloseSocket {
                    code,
                    reason,
                    detach,
                } => {
                    if let Some(socket) = &state.socket {
                        socket.close(code, &reason);
                    }
                    if detach {
                        let_go_of_socket(&mut state.socket, &mut state.ended_choice);
                    }
                }
                Output::ResolveUrl { token } => actions.push_back(AppAction::ResolveUrl(token)),
                Output::Deliver(payload) => actions.push_back(AppAction::Deliver(
                    message
                        .take()
                        .map_or_else(|| payload.into_value(), JsValue::from),
                )),
                Output::Event(event) => actions.push_back(AppAction::Event(event)),
            }
        }
        drop(actions);
        self.sync_inbox(engine, state.socket.as_ref());
        self.keep_alive_while_active(engine);
        if let Some(timer) = &mut state.timer {
            match engine.poll_timeout() {
                None => timer.cancel(),
                // A later deadline keeps the earlier timer: it fires, finds
                // nothing due, and re-arms. That saves a re-arm per message.
                Some(deadline) if timer.deadline().is_none_or(|armed| deadline < armed) => {
                    timer.arm(now, deadline)
                }
                Some(_) => {}
            }
        }
    }

    /// Holds this `Inner` while the engine is active, or app work waits (the
    /// inbox defers it past a message's last listener: a socket with no
    /// handle whose connection ended there must still run it); lets go once
    /// it is idle or closed and that work ran. A caller always holds its own
    /// `Rc` (the `Driver`'s, or the one a browser callback upgraded), so
    /// letting go never frees `self` under its own feet.
    fn keep_alive_while_active(&self, engine: &Engine<JsPayload>) {
        let active = (!matches!(
            engine.state(),
            ConnectionState::Idle | ConnectionState::Closed
        ) || !self.no_app_work())
            && !self.disposed.get();
        if active != self.is_active()
            && let Ok(mut slot) = self.active.try_borrow_mut()
        {
            let old = core::mem::replace(&mut *slot, active.then(|| self.weak.upgrade()).flatten());
            drop(slot);
            drop(old);
        }
    }

    /// Whether the socket keeps itself alive.
    fn is_active(&self) -> bool {
        self.active.try_borrow().is_ok_and(|slot| slot.is_some())
    }

    /// Ends the hold after construction and runs the work it kept.
    fn release(&self) {
        self.held.set(false);
        self.dispatch();
    }

    /// Runs queued app work in order, unless an outer entry point is already
    /// doing so (then it runs when that one gets to it), the inbox is
    /// calling a message's listeners (then it runs after the last of them),
    /// or the work is held until the constructor has returned.
    fn dispatch(&self) {
        if self.held.get() || self.dispatching.get() {
            return;
        }
        if self.no_app_work() {
            self.after_dispatch();
            return;
        }
        // The inbox is calling a message's listeners: like the driver's own
        // dispatch, it runs this work after the last of them. Not after
        // dispose: no listener runs any more, and the app may free the
        // socket before the inbox comes back, so settlements run now.
        if !self.disposed.get() && self.inbox.defer() {
            return;
        }
        self.dispatching.set(true);
        loop {
            let action = match self.actions.try_borrow_mut() {
                Ok(mut actions) => actions.pop_front(),
                Err(_) => None,
            };
            let Some(action) = action else { break };
            if self.disposed.get() {
                // Only promise settlements outlive dispose.
                if let AppAction::Event(
                    event @ (Event::RequestFailed { .. } | Event::Reply { .. }),
                ) = action
                {
                    self.app.event(event);
                }
                continue;
            }
            match action {
                AppAction::Deliver(message) => self.app.deliver(&message),
                AppAction::Event(event) => self.app.event(event),
                AppAction::ResolveUrl(token) => self.resolve_url(token),
            }
        }
        self.dispatching.set(false);
        self.after_dispatch();
    }

    /// With the app work done: messages may take the fast path again, and a
    /// socket with no handle left whose last connection has ended (its
    /// events are delivered) lets go of the socket, timer and page listeners
    /// now, not when the last view (`socket.inspector`) is collected.
    fn after_dispatch(&self) {
        if let Ok(state) = self.state.try_borrow()
            && let Some(engine) = &state.engine
        {
            self.sync_inbox(engine, state.socket.as_ref());
            self.keep_alive_while_active(engine);
        }
        // Disposed and settled: the queue's capacity goes too, since the
        // object may wait long for the garbage collector.
        if self.disposed.get()
            && let Ok(mut actions) = self.actions.try_borrow_mut()
            && actions.is_empty()
        {
            *actions = VecDeque::new();
        }
        if self.orphaned.get() && !self.is_active() {
            self.dispose();
        }
    }

    /// Calls the URL provider and feeds its answer (now, or when its
    /// Promise settles).
    fn resolve_url(&self, token: u64) {
        // A listener that ran before this (a `connecting` listener calling
        // `close()`) may have ended the attempt: no provider call for it.
        let ended = matches!(self.state.try_borrow(), Ok(state)
            if !state.engine.as_ref().is_some_and(|engine| engine.awaits_url(token)));
        if ended {
            return;
        }
        // Cloned out: the provider may dispose the socket.
        let provider = self.url_provider.try_borrow().ok().and_then(|p| p.clone());
        let Some(provider) = provider else {
            let url = Err(String::from("no urlProvider"));
            self.mutate(|engine, now| engine.handle(now, Input::UrlResolved { token, url }));
            return;
        };
        if let Some(url) = provider.call(token) {
            self.mutate(|engine, now| engine.handle(now, Input::UrlResolved { token, url }));
        }
    }
}

/// Hands `payload` to the open browser socket, if the engine would send it
/// at once ([`Engine::sends_at_once`]), and names the connection to book it
/// on ([`Engine::sent_ahead`]). Run under the state's borrow before the
/// inbox is taken: taking it first would put its JS calls (one per kept
/// message field) on an echo's round trip, and what it holds cannot change
/// the engine's answer. It sends only on a socket that is not closing (what
/// [`note_socket_closing`] tells the engine for the other entries).
fn send_ahead(state: &State, payload: &JsPayload) -> Option<u32> {
    let connection = state.engine.as_ref()?.sends_at_once(payload)?;
    let socket = state
        .socket
        .as_ref()
        .filter(|socket| !socket.is_closing())?;
    // Refused only while connecting, which an open engine rules out.
    let _ = socket.send(payload.value());
    Some(connection)
}

/// Between the server's close frame and the close event the browser drops
/// what is sent: tells the engine first, so it queues instead. Not inlined:
/// one copy serves every [`Inner::mutate`].
#[inline(never)]
fn note_socket_closing(state: &mut State, now: Millis) {
    if let Some(engine) = &mut state.engine
        && engine.state() == ConnectionState::Open
        && state.socket.as_ref().is_some_and(Socket::is_closing)
    {
        engine.handle(now, Input::SocketClosing);
    }
}

impl Link {
    fn with(&self, run: impl FnOnce(&Inner)) {
        if let Some(inner) = self.0.upgrade() {
            run(&inner);
        }
    }

    fn timer_fired(&self) {
        self.with(|inner| {
            if let Ok(mut state) = inner.state.try_borrow_mut()
                && let Some(timer) = &mut state.timer
            {
                timer.fired();
            }
            let send_buffered = inner.send_buffered();
            inner.input(Input::Timer { send_buffered });
        });
    }

    /// A message off the fast path (see [`Inbox`]): the event's data goes to
    /// the engine as a JS value, and the event itself to the app's listeners.
    fn message(&self, event: MessageEvent) {
        self.with(|inner| {
            if inner.disposed.get() {
                return;
            }
            // A message event's data is text or binary: never converted.
            let Ok(payload) = JsPayload::from_js(event.data()) else {
                return;
            };
            #[cfg(not(feature = "standalone"))]
            inner
                .slow_path_messages
                .set(inner.slow_path_messages.get() + 1);
            if let Ok(mut state) = inner.state.try_borrow_mut() {
                inner.take_inbox(&mut state);
                let now = inner.clock.now();
                if let Some(engine) = &mut state.engine {
                    engine.handle(now, Input::Message(payload));
                }
                inner.carry_out(&mut state, now, Some(event));
            }
            inner.dispatch();
        });
    }
}

impl SocketEvents for Link {
    fn opened(&self) {
        self.with(|inner| {
            // Already closing when its `open` is dispatched (the page's
            // events were held, e.g. frozen, while the close began): the
            // engine sends nothing on it (the browser would drop it) and
            // still delivers the messages that came before the close.
            let closing = inner
                .state
                .try_borrow()
                .is_ok_and(|state| state.socket.as_ref().is_some_and(Socket::is_closing));
            inner.input(Input::Opened { closing });
        });
    }

    fn closed(&self, closed: SocketClosed) {
        self.with(|inner| {
            if let Ok(mut state) = inner.state.try_borrow_mut() {
                // This socket is finished: drop it (handlers removed).
                let state = &mut *state;
                let_go_of_socket(&mut state.socket, &mut state.ended_choice);
            }
            inner.input(Input::Closed {
                code: closed.code,
                reason: closed.reason,
                was_clean: closed.was_clean,
            });
        });
    }

    fn error(&self) {
        self.with(|inner| inner.input(Input::Error));
    }
}

impl EnvironmentEvents for Link {
    fn online(&self) {
        self.with(|inner| inner.input(Input::Online));
    }

    fn offline(&self) {
        self.with(|inner| inner.input(Input::Offline));
    }

    fn visibility(&self, hidden: bool) {
        self.with(|inner| {
            inner.input(if hidden {
                Input::Hidden
            } else {
                Input::Visible {
                    send_buffered: inner.send_buffered(),
                }
            })
        });
    }
}
