//! The sans-IO engine under any sequence of browser events, clock jumps and
//! app calls, with any valid `Config`.
//!
//! The harness plays the driver: it keeps a model of the one browser socket
//! (none, connecting, open, closing) and checks every output against it.
//! Invariants checked after every step:
//! - no panic (overflow checks are on: `scripts/fuzz.sh` builds with `-a`);
//! - at most one socket: `OpenSocket` only when no socket exists (the last
//!   one got its `Closed` input or a detaching `CloseSocket`);
//! - `Send` only on an open socket, `Deliver` only from an open or closing
//!   one, `CloseSocket` only for an existing socket and with a code and
//!   reason the browser's `WebSocket.close` accepts;
//! - every `OpenSocket` URL passes `check_url` with the configured
//!   `requireSecure`/`allowInsecureLocalhost`;
//! - the engine's state agrees with the socket model, and `statechange`
//!   events chain (`from` is the previous `to`);
//! - every request settles at most once, and none stays pending once the
//!   client is closed by the app or disposed;
//! - queue and inspector within their caps; secrets planted in close
//!   reasons and URL provider errors never show in `close`/`error` events;
//! - a timer fired at its deadline moves the deadline on (no busy loop).

#![no_main]

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use fuzz_support::{Jump, close_code, engine_config, json_object, literal, url, word};
use libfuzzer_sys::fuzz_target;
use resilient_ws::core::json_scan;
use resilient_ws::core::{
    CloseCode, Config, ConnectionState, Direction, Engine, EngineReadout, Event, FieldValue, Frame,
    Input, InspectorFilter, Millis, Output, Payload, SendStatus, UrlSource, check_url,
};

/// A secret planted in close reasons and URL provider errors (under
/// `token`/`password`); it must never show in an event.
const PLANTED: &str = "PLANTED-S3CR3T";

/// Checks that no planted secret shows (when the keys it sits under are
/// secret for this config's `redactKeys`).
fn planted(redactor: &resilient_ws::core::Redactor, shown: &str) {
    if redactor.is_secret_key("token") && redactor.is_secret_key("password") {
        assert!(
            !shown.contains(PLANTED),
            "a secret shows in an event: {shown:?}"
        );
    }
}

/// Past this the clock is not a browser's `performance.now()` any more and
/// saturating deadlines may legitimately equal `now`.
const REALISTIC_CLOCK: u64 = 1 << 62;

/// How often a timer may fire again at the same instant before it counts as
/// a busy loop (a zero backoff delay legitimately needs one or two).
const MAX_REFIRES: usize = 32;

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});

/// A close code, biased to the ones with a meaning.
#[derive(Clone, Copy, Debug)]
struct Code(u16);

impl<'a> Arbitrary<'a> for Code {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        close_code(u).map(Code)
    }
}

#[derive(Arbitrary, Debug)]
enum Msg {
    Text(String),
    Binary(Vec<u8>),
    /// A JSON object built from interesting keys.
    Json,
    /// What the configured pong matcher accepts.
    Pong,
    /// A reply to the nth pending request.
    Reply(u8),
}

#[derive(Arbitrary, Debug)]
enum Op {
    // ----- browser events -----
    Opened,
    Message(Msg),
    Closed {
        code: Code,
        reason: String,
        was_clean: bool,
    },
    ClosedWith {
        code: Code,
        reason: u8,
        was_clean: bool,
    },
    Error,
    Online,
    Offline,
    Hidden,
    /// The page became visible, with this much in the send buffer.
    Visible(u16),
    /// The browser socket started closing (no close event yet).
    SocketClosing,
    UrlResolved {
        stale: bool,
        ok: bool,
        any: bool,
    },
    /// The URL provider answers the current attempt with this.
    Resolve(Result<String, String>),
    // ----- the clock -----
    /// The timer fires now, deadline or not (early or spurious), with this
    /// much in the browser socket's send buffer.
    Timer(u16),
    /// The clock moves to the next deadline, plus lateness, and the timer
    /// fires, with this much in the send buffer.
    FireDue(Jump, u16),
    /// The clock moves; nothing fires.
    Advance(Jump),
    // ----- app calls -----
    Send(Msg),
    SetReplay {
        key: u8,
        value: Msg,
        debounce: Jump,
    },
    DeleteReplay(u8),
    Request {
        json: bool,
        text: String,
        timeout: Option<Jump>,
    },
    Close {
        code: Code,
        reason: String,
    },
    Connect,
    Reconnect,
    Dispose,
    // ----- reads -----
    Inspect {
        direction: Option<bool>,
        limit: Option<u8>,
        field: bool,
    },
    Stats,
}

/// The one browser socket, as the driver sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Socket {
    None,
    Connecting,
    Open,
    Closing,
}

struct Harness<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    engine: Engine<Frame>,
    config: Config,
    now: Millis,
    socket: Socket,
    awaiting_url: Option<u64>,
    stale_token: u64,
    last_connection: u32,
    state: ConnectionState,
    /// Request handles not yet settled, with their ids.
    pending: Vec<(u64, String)>,
    settled: BTreeSet<u64>,
    /// Connections a socket was opened for whose end no `close` event has
    /// reported yet (`dispose()` reports none).
    unreported: BTreeSet<u32>,
    /// `connect()` was called while the app's close was in progress (and no
    /// `close()` since): the close event may end in `connecting`.
    reopen: bool,
}

fn run(data: &[u8]) -> arbitrary::Result<()> {
    if let Some(script) = data.strip_prefix(b"#!ops\n") {
        let (source, config, ops) = script::parse(&String::from_utf8_lossy(script));
        if std::env::var_os("RWS_FUZZ_STRICT_SCRIPTS").is_some() {
            // The seed check of scripts/fuzz.sh: a hand-written seed whose
            // options the engine refuses (say, after a validation rule was
            // tightened) would run nothing, and nothing would say so.
            assert!(
                !ops.is_empty(),
                "a #!ops seed with no step this parser knows"
            );
            if let Err(refused) = Engine::<Frame>::new(source.clone(), config.clone(), 0) {
                panic!("a #!ops seed whose options the engine refuses: {refused:?}");
            }
        }
        let mut empty = Unstructured::new(&[]);
        return execute(
            &mut empty,
            source,
            config,
            0,
            Millis(0),
            ops.into_iter().map(Ok),
        );
    }
    let mut u = Unstructured::new(data);
    let config = engine_config(&mut u)?;
    let provider = u.ratio(1, 3)?;
    let target = url(&mut u)?;
    let source = if provider {
        UrlSource::Provider(target)
    } else {
        UrlSource::Fixed(target)
    };
    let seed = u.arbitrary()?;
    let start = match u.int_in_range(0..=3u8)? {
        0 => 0,
        1 => u.int_in_range(0..=1u64 << 53)?,
        2 => u64::MAX - u.int_in_range(0..=MAX_START_SLACK)?,
        _ => u.int_in_range(0..=1_000_000)?,
    };
    // The ops are drawn as they run (their payloads draw more bytes).
    let ops = std::iter::from_fn(|| None::<arbitrary::Result<Op>>);
    execute(&mut u, source, config, seed, Millis(start), ops)
}

/// Runs `ops` (or, when it is empty, ops drawn from `u` until the bytes run
/// out) against a new engine, checking the invariants after each.
fn execute(
    u: &mut Unstructured,
    source: UrlSource,
    config: Config,
    seed: u64,
    start: Millis,
    ops: impl Iterator<Item = arbitrary::Result<Op>>,
) -> arbitrary::Result<()> {
    let Ok(engine) = Engine::<Frame>::new(source, config.clone(), seed) else {
        return Ok(());
    };
    let state = engine.state();
    let mut h = Harness {
        u,
        engine,
        config,
        now: start,
        socket: Socket::None,
        awaiting_url: None,
        stale_token: 0,
        last_connection: 0,
        state,
        pending: Vec::new(),
        settled: BTreeSet::new(),
        unreported: BTreeSet::new(),
        reopen: false,
    };
    let mut ops = ops.peekable();
    let scripted = ops.peek().is_some();
    for _ in 0..4_000 {
        let op = match ops.next() {
            Some(op) => op?,
            None if scripted || h.u.is_empty() => break,
            None => match Op::arbitrary(h.u) {
                Ok(op) => op,
                Err(_) => break,
            },
        };
        // Out of bytes partway through an op: the engine is consistent
        // (each engine call completed), only the harness's books are not.
        if h.apply(op).is_err() {
            break;
        }
        h.check();
    }
    h.end_with_dispose();
    Ok(())
}

const MAX_START_SLACK: u64 = 100_000_000;

impl Harness<'_, '_> {
    /// Ends the run as the driver ends a socket: dispose, then the engine
    /// swapped for what the app can still read, which must read the same
    /// and no longer change with time.
    fn end_with_dispose(self) {
        let now = self.now;
        let mut engine = self.engine;
        engine.dispose(now);
        while engine.poll_output().is_some() {}
        let all = InspectorFilter::default();
        let live = (
            engine.state(),
            engine.url_for_display(),
            engine.last_close().cloned(),
            engine.stats(now),
            engine.inspector().entries(&all, engine.redactor()),
        );
        let disposed = engine.into_disposed(now);
        let later = Millis(now.0.saturating_add(60_000));
        let kept = (
            EngineReadout::state(&disposed),
            EngineReadout::url_for_display(&disposed),
            EngineReadout::last_close(&disposed).cloned(),
            EngineReadout::stats(&disposed, later),
            EngineReadout::inspector(&disposed).entries(&all, EngineReadout::redactor(&disposed)),
        );
        assert_eq!(live, kept, "what dispose keeps reads differently");
    }

    fn payload(&mut self, msg: Msg) -> arbitrary::Result<Frame> {
        Ok(match msg {
            Msg::Text(text) => Frame::Text(text),
            Msg::Binary(bytes) => Frame::Binary(bytes),
            Msg::Json => Frame::Text(json_object(self.u, 0)?),
            Msg::Pong => {
                let heartbeat = &self.config.heartbeat;
                Frame::Text(match (&heartbeat.pong_text, &heartbeat.pong_type) {
                    (Some(text), _) => text.clone(),
                    (None, Some(kind)) => format!("{{\"type\":{}}}", json_scan::quote(kind)),
                    (None, None) => String::from("{\"type\":\"pong\"}"),
                })
            }
            Msg::Reply(n) => {
                let id = match self.pending.len() {
                    0 => String::from("1"),
                    len => self.pending[usize::from(n) % len].1.clone(),
                };
                Frame::Text(format!(
                    "{{{}:{},\"ok\":true}}",
                    json_scan::quote(&self.config.requests.id_field),
                    json_scan::quote(&id)
                ))
            }
        })
    }

    fn key(n: u8) -> String {
        format!("plugin:{}", n % 4)
    }

    fn apply(&mut self, op: Op) -> arbitrary::Result<()> {
        let now = self.now;
        match op {
            Op::Opened => {
                let before = self.engine.state();
                self.engine.handle(now, Input::Opened { closing: false });
                if self.socket == Socket::Connecting {
                    assert_eq!(self.engine.state(), ConnectionState::Open, "open ignored");
                    self.socket = Socket::Open;
                } else {
                    assert_eq!(self.engine.state(), before, "opened without a socket");
                }
            }
            Op::Message(msg) => {
                let payload = self.payload(msg)?;
                // The sieve's promise to the browser's fast path: a message
                // it lets through while the engine delivers directly goes
                // to the app and sets off nothing else.
                let direct = self.engine.delivers_directly()
                    && payload
                        .text()
                        .is_none_or(|text| !self.engine.must_see(&text));
                self.engine.handle(now, Input::Message(payload));
                if direct {
                    assert!(
                        matches!(self.engine.poll_output(), Some(Output::Deliver(_))),
                        "a message the sieve let through was not delivered"
                    );
                    assert!(
                        self.engine.poll_output().is_none(),
                        "a message the sieve let through set off more than its delivery"
                    );
                }
            }
            Op::Closed {
                code: Code(code),
                reason,
                was_clean,
            } => self.closed(code, reason, was_clean),
            Op::ClosedWith {
                code: Code(code),
                reason,
                was_clean,
            } => {
                let reason = match reason % 3 {
                    0 => format!("token={PLANTED} expired"),
                    1 => format!("{{\"password\":\"{PLANTED}\"}}"),
                    _ => word(self.u)?,
                };
                self.closed(code, reason, was_clean);
            }
            Op::Error => {
                let before = self.engine.state();
                self.engine.handle(now, Input::Error);
                assert_eq!(self.engine.state(), before);
            }
            Op::Online => self.engine.handle(now, Input::Online),
            Op::Offline => self.engine.handle(now, Input::Offline),
            Op::Hidden => self.engine.handle(now, Input::Hidden),
            Op::SocketClosing => self.engine.handle(now, Input::SocketClosing),
            Op::Visible(held) => self.engine.handle(
                now,
                Input::Visible {
                    send_buffered: u64::from(held),
                },
            ),
            Op::UrlResolved { stale, ok, any } => {
                let token = match (stale, self.awaiting_url) {
                    (false, Some(token)) => token,
                    _ => self.stale_token,
                };
                let url = if any {
                    self.u.arbitrary::<String>()?
                } else {
                    url(self.u)?
                };
                let url = if ok {
                    Ok(url)
                } else if self.u.arbitrary()? {
                    Err(format!("refresh failed for wss://h/?token={PLANTED}"))
                } else {
                    Err(url)
                };
                self.engine.handle(now, Input::UrlResolved { token, url });
            }
            Op::Resolve(url) => {
                let token = self.awaiting_url.unwrap_or(self.stale_token);
                self.engine.handle(now, Input::UrlResolved { token, url });
            }
            Op::Timer(held) => self.engine.handle(
                now,
                Input::Timer {
                    send_buffered: u64::from(held),
                },
            ),
            Op::FireDue(late, held) => {
                let send_buffered = u64::from(held);
                if let Some(deadline) = self.engine.poll_timeout() {
                    self.now = self.now.max(deadline) + late.ms();
                }
                self.engine.handle(self.now, Input::Timer { send_buffered });
                // A driver re-arms at once for a deadline already past; it
                // must not spin.
                let mut refires = 0;
                while self.engine.poll_timeout().is_some_and(|at| at <= self.now) {
                    self.drain();
                    refires += 1;
                    if refires > MAX_REFIRES {
                        assert!(
                            self.now.0 >= REALISTIC_CLOCK,
                            "timer busy loop at {:?} in {:?}",
                            self.now,
                            self.engine.state()
                        );
                        break;
                    }
                    self.engine.handle(self.now, Input::Timer { send_buffered });
                }
            }
            Op::Advance(jump) => self.now = self.now + jump.ms(),
            Op::Send(msg) => {
                let payload = self.payload(msg)?;
                // The promise the browser's send fast path relies on: while
                // the engine sends directly, a message within its limit is
                // only sent (the driver reports it afterwards instead).
                let direct = self.engine.sends_directly().is_some()
                    && payload.size() as u64 <= self.engine.max_message_bytes();
                let deadline = self.engine.poll_timeout();
                let sent = self.engine.send(now, payload);
                if direct {
                    assert_eq!(sent, Ok(SendStatus::Sent), "a direct send was not sent");
                    assert!(
                        matches!(self.engine.poll_output(), Some(Output::Send(_))),
                        "a direct send made no Output::Send"
                    );
                    assert!(
                        self.engine.poll_output().is_none(),
                        "a direct send set off more than its send"
                    );
                    assert_eq!(
                        self.engine.poll_timeout(),
                        deadline,
                        "a direct send moved a deadline"
                    );
                }
            }
            Op::SetReplay {
                key,
                value,
                debounce,
            } => {
                let value = self.payload(value)?;
                let _ = self
                    .engine
                    .set_replay(now, &Self::key(key), value, debounce.ms());
            }
            Op::DeleteReplay(key) => {
                self.engine.delete_replay(&Self::key(key));
            }
            Op::Request {
                json,
                text,
                timeout,
            } => {
                let message = if json { json_object(self.u, 0)? } else { text };
                let id_field = self.config.requests.id_field.clone();
                if let Ok(handle) = self.engine.request(now, &message, timeout.map(Jump::ms)) {
                    assert!(!self.settled.contains(&handle), "handle reused");
                    let id = match json_scan::field_text(&message, &id_field) {
                        Some(id) => id.into_owned(),
                        None => {
                            let mut id = format!("rws-{handle}");
                            while self.pending.iter().any(|(_, other)| *other == id) {
                                id.push('_');
                            }
                            id
                        }
                    };
                    // Requests settled during the call (an evicted queued
                    // one) were already removed by `drain` below; this one
                    // is new, unless it already settled in the same call.
                    self.pending.push((handle, id));
                }
            }
            Op::Close {
                code: Code(code),
                reason,
            } => {
                let ok = self.engine.close(now, code, &reason).is_ok();
                self.reopen &= !ok;
                assert_eq!(
                    ok,
                    CloseCode(code).is_sendable_by_app() && reason.len() <= 123,
                    "close({code}, {} bytes)",
                    reason.len()
                );
                if ok {
                    self.drain();
                    assert!(self.pending.is_empty(), "requests pending after close()");
                }
            }
            Op::Connect => {
                self.reopen |= self.engine.state() == ConnectionState::Closing;
                self.engine.connect(now);
            }
            Op::Reconnect => {
                self.reopen = false;
                self.engine.reconnect(now);
            }
            Op::Dispose => {
                self.reopen = false;
                self.engine.dispose(now);
                self.drain();
                self.unreported.clear();
                assert!(self.pending.is_empty(), "requests pending after dispose()");
                assert_eq!(self.socket, Socket::None, "socket left after dispose()");
                assert_eq!(self.engine.state(), ConnectionState::Closed);
                assert_eq!(self.engine.stats(now).queued, 0);
                assert_eq!(self.engine.replay_entries().count(), 0);
            }
            Op::Inspect {
                direction,
                limit,
                field,
            } => {
                let filter = InspectorFilter {
                    direction: direction
                        .map(|out| if out { Direction::Out } else { Direction::In }),
                    message_type: if field { Some(word(self.u)?) } else { None },
                    fields: if field {
                        let key = word(self.u)?;
                        // A string, or a number/true/false/null as written.
                        let wanted = if self.u.arbitrary()? {
                            FieldValue::Literal(literal(self.u)?)
                        } else {
                            FieldValue::Text(word(self.u)?)
                        };
                        vec![(key, wanted)]
                    } else {
                        Vec::new()
                    },
                    limit: limit.map(usize::from),
                    full_text: field,
                };
                let redactor = self.engine.redactor();
                let entries = self.engine.inspector().entries(&filter, redactor);
                assert!(entries.len() <= self.engine.inspector().len());
                if let Some(limit) = filter.limit {
                    assert!(entries.len() <= limit);
                }
            }
            Op::Stats => {
                let stats = self.engine.stats(now);
                assert_eq!(stats.state, self.engine.state());
                let _ = self.engine.url_for_display();
                let _ = self.engine.last_close();
            }
        }
        // Ops that did not fire a timer themselves: the driver's timer would
        // have fired at the deadline if the clock passed it; the fuzzer may
        // also starve it (a throttled tab), so nothing is fed here.
        Ok(())
    }

    fn closed(&mut self, code: u16, reason: String, was_clean: bool) {
        let before = self.engine.state();
        self.engine.handle(
            self.now,
            Input::Closed {
                code,
                reason,
                was_clean,
            },
        );
        let after = self.engine.state();
        if self.socket == Socket::None {
            assert_eq!(after, before, "close event without a socket changed state");
        } else {
            let reopened = self.reopen
                && before == ConnectionState::Closing
                && after == ConnectionState::Connecting;
            assert!(
                reopened
                    || matches!(
                        after,
                        ConnectionState::Reconnecting | ConnectionState::Closed
                    ),
                "still {after:?} after the socket closed"
            );
            self.socket = Socket::None;
            if before == ConnectionState::Closing {
                self.reopen = false;
            }
        }
    }

    /// Drains the outputs, checking each against the socket model.
    fn drain(&mut self) {
        while let Some(output) = self.engine.poll_output() {
            match output {
                Output::ResolveUrl { token } => {
                    assert_eq!(self.socket, Socket::None, "URL asked with a socket alive");
                    if let Some(old) = self.awaiting_url {
                        self.stale_token = old;
                    }
                    self.awaiting_url = Some(token);
                }
                Output::OpenSocket { url, connection } => {
                    assert_eq!(self.socket, Socket::None, "a second socket");
                    assert!(
                        connection > self.last_connection,
                        "connection number reused"
                    );
                    self.last_connection = connection;
                    self.unreported.insert(connection);
                    assert!(
                        check_url(
                            &url,
                            self.config.require_secure,
                            self.config.allow_insecure_localhost
                        )
                        .is_ok(),
                        "opened a URL the policy refuses: {url}"
                    );
                    self.socket = Socket::Connecting;
                    if let Some(old) = self.awaiting_url.take() {
                        self.stale_token = old;
                    }
                }
                Output::Send(_) => {
                    assert_eq!(self.socket, Socket::Open, "send without open socket")
                }
                Output::CloseSocket {
                    code,
                    reason,
                    detach,
                } => {
                    assert_ne!(self.socket, Socket::None, "close without a socket");
                    assert!(
                        code == 1000 || (3000..=4999).contains(&code),
                        "WebSocket.close would throw for code {code}"
                    );
                    assert!(
                        reason.len() <= 123,
                        "WebSocket.close would throw: reason too long"
                    );
                    if detach {
                        self.socket = Socket::None;
                    } else {
                        assert_eq!(
                            self.socket,
                            Socket::Open,
                            "close handshake without open socket"
                        );
                        self.socket = Socket::Closing;
                    }
                }
                Output::Deliver(_) => assert!(
                    matches!(self.socket, Socket::Open | Socket::Closing),
                    "message delivered without a socket"
                ),
                Output::Event(event) => self.event(event),
            }
        }
    }

    fn event(&mut self, event: Event<Frame>) {
        let redactor = self.engine.redactor();
        match event {
            Event::StateChange { from, to } => {
                assert_ne!(from, to);
                assert_eq!(from, self.state, "statechange does not chain");
                self.state = to;
                if to != ConnectionState::Connecting
                    && let Some(old) = self.awaiting_url.take()
                {
                    // The attempt waiting for its URL was given up.
                    self.stale_token = old;
                }
            }
            Event::Close(report) => {
                assert_eq!(report.delay_ms.is_some(), report.will_reconnect);
                self.unreported.remove(&report.connection);
                planted(redactor, &report.reason);
            }
            Event::Error { message } => planted(redactor, &message),
            Event::Reply { request, .. } | Event::RequestFailed { request, .. } => {
                assert!(
                    self.settled.insert(request),
                    "request {request} settled twice"
                );
                self.pending.retain(|(handle, _)| *handle != request);
            }
            _ => {}
        }
    }

    fn check(&mut self) {
        self.drain();
        let state = self.engine.state();
        assert_eq!(state, self.state, "state without its statechange event");
        match state {
            ConnectionState::Open => assert_eq!(self.socket, Socket::Open),
            ConnectionState::Closing => assert_eq!(self.socket, Socket::Closing),
            ConnectionState::Connecting => assert!(
                (self.socket == Socket::Connecting) != self.awaiting_url.is_some(),
                "connecting with {:?}, awaiting URL {:?}",
                self.socket,
                self.awaiting_url
            ),
            ConnectionState::Idle | ConnectionState::Reconnecting | ConnectionState::Closed => {
                assert_eq!(self.socket, Socket::None, "socket alive in {state:?}")
            }
        }
        // Every connection that had a socket, once no socket is left, has
        // had its `close` event.
        if self.socket == Socket::None {
            assert!(
                self.unreported.is_empty(),
                "connection(s) {:?} ended without a close event",
                self.unreported
            );
        }
        let stats = self.engine.stats(self.now);
        assert!(stats.queued <= self.config.queue.max_messages);
        assert!(stats.queued_bytes <= self.config.queue.max_bytes);
        assert_eq!(
            stats.pending_requests,
            self.pending.len(),
            "pending requests"
        );
        let inspector = self.engine.inspector();
        assert!(inspector.len() <= self.config.inspector.max_entries);
        assert!(inspector.bytes() <= self.config.inspector.max_bytes);
    }
}

/// Hand-written inputs: a file starting with `#!ops` and a newline holds one
/// step per line (unknown lines are skipped), after optional option lines.
/// The seeds in `fuzz/corpus/engine/` are written this way:
///
/// ```text
/// #!ops
/// url wss://example.test/ws?token=abc    (default ws://localhost:8765/ws)
/// provider                               (ask a URL provider per attempt)
/// heartbeat 1000 500                     (interval, timeout)
/// reconnect 100 1000 3                   (initial, max, optional attempts)
/// queue 2 64 drop                        (messages, bytes, optional dropOldest)
/// inspector 4 256
/// requests 1000 resend                   (timeout, optional resend)
/// secure                                 (requireSecure)
/// connect | reconnect | dispose | opened | error | online | offline
/// hidden | visible | timer | stats | inspect
/// fire [late-ms]      advance <ms>       (clock)
/// message <text>      send <text>        request <json>
/// replay <key> <value> [debounce-ms]     forget <key>
/// closed <code> [reason]                 close <code> [reason]
/// resolve <url>       fail <message>     (URL provider answers)
/// ```
mod script {
    use super::{Code, Jump, Msg, Op};
    use resilient_ws::core::{Config, Overflow, PendingOnReconnect, UrlSource};

    pub fn parse(text: &str) -> (UrlSource, Config, Vec<Op>) {
        let mut url = String::from("ws://localhost:8765/ws");
        let mut provider = false;
        let mut config = Config::default();
        let mut ops = Vec::new();
        for line in text.lines() {
            let (word, rest) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
            let rest = rest.trim();
            let mut numbers = rest.split_whitespace().map(|n| n.parse::<u64>().ok());
            let mut number = || numbers.next().flatten();
            let (first, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            let op = match word {
                "url" => {
                    url = rest.to_owned();
                    None
                }
                "provider" => {
                    provider = true;
                    None
                }
                "heartbeat" => {
                    config.heartbeat.interval_ms = number().unwrap_or(0);
                    config.heartbeat.timeout_ms = number().unwrap_or(1);
                    None
                }
                "reconnect" if !rest.is_empty() => {
                    config.reconnect.initial_delay_ms = number().unwrap_or(1);
                    config.reconnect.max_delay_ms = number().unwrap_or(1);
                    config.reconnect.max_attempts = number().map(|n| n as u32);
                    None
                }
                "queue" => {
                    config.queue.max_messages = number().unwrap_or(0) as usize;
                    config.queue.max_bytes = number().unwrap_or(0) as usize;
                    if rest.ends_with("drop") {
                        config.queue.overflow = Overflow::DropOldest;
                    }
                    None
                }
                "inspector" => {
                    config.inspector.max_entries = number().unwrap_or(0) as usize;
                    config.inspector.max_bytes = number().unwrap_or(0) as usize;
                    None
                }
                "requests" => {
                    config.requests.timeout_ms = number().unwrap_or(1);
                    if rest.ends_with("resend") {
                        config.requests.on_reconnect = PendingOnReconnect::Resend;
                    }
                    None
                }
                "secure" => {
                    config.require_secure = true;
                    None
                }
                "connect" => Some(Op::Connect),
                "reconnect" => Some(Op::Reconnect),
                "dispose" => Some(Op::Dispose),
                "opened" => Some(Op::Opened),
                "error" => Some(Op::Error),
                "online" => Some(Op::Online),
                "offline" => Some(Op::Offline),
                "hidden" => Some(Op::Hidden),
                "visible" => Some(Op::Visible(0)),
                "timer" => Some(Op::Timer(0)),
                "stats" => Some(Op::Stats),
                "inspect" => Some(Op::Inspect {
                    direction: None,
                    limit: None,
                    field: false,
                }),
                "fire" => Some(Op::FireDue(Jump::Huge(number().unwrap_or(0)), 0)),
                "advance" => Some(Op::Advance(Jump::Huge(number().unwrap_or(0)))),
                "message" => Some(Op::Message(Msg::Text(rest.to_owned()))),
                "send" => Some(Op::Send(Msg::Text(rest.to_owned()))),
                "request" => Some(Op::Request {
                    json: false,
                    text: rest.to_owned(),
                    timeout: None,
                }),
                "replay" => {
                    let (value, debounce) = tail.rsplit_once(' ').unwrap_or((tail, ""));
                    let (value, debounce) = match debounce.parse::<u64>() {
                        Ok(ms) => (value, ms),
                        Err(_) => (tail, 0),
                    };
                    Some(Op::SetReplay {
                        key: first.bytes().last().unwrap_or(0),
                        value: Msg::Text(value.to_owned()),
                        debounce: Jump::Huge(debounce),
                    })
                }
                "forget" => Some(Op::DeleteReplay(first.bytes().last().unwrap_or(0))),
                "closed" | "close" => {
                    let code = Code(first.parse().unwrap_or(1006));
                    let reason = tail.to_owned();
                    Some(if word == "closed" {
                        Op::Closed {
                            code,
                            reason,
                            was_clean: code.0 != 1006,
                        }
                    } else {
                        Op::Close { code, reason }
                    })
                }
                "resolve" => Some(Op::Resolve(Ok(rest.to_owned()))),
                "fail" => Some(Op::Resolve(Err(rest.to_owned()))),
                _ => None,
            };
            ops.extend(op);
        }
        let source = if provider {
            UrlSource::Provider(url)
        } else {
            UrlSource::Fixed(url)
        };
        (source, config, ops)
    }
}
