//! A deterministic simulation of the browser and a fake server around the
//! core engine: a simulated clock that jumps to the next deadline, a network
//! with latency, and a server that can refuse, hang, drop, close with any
//! code, go silent and come back.
#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use resilient_ws::core::{
    Config, ConnectionState, DirectTraffic, Direction, Engine, Event, Frame, Input, Millis, Output,
    Payload, SendError, SendStatus, UrlSource, json_scan,
};

/// How the fake server treats new connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerMode {
    /// Accepts and answers.
    Up,
    /// Not listening: connections fail (1006 before open).
    Down,
    /// Accepts TCP and never finishes the handshake.
    Hang,
    /// Accepts, then closes right away with this code.
    CloseOnOpen(u16, String),
    /// The browser refuses to make the socket (`new WebSocket` throws with
    /// this message): no socket, no server connection.
    Refused(String),
}

/// How fast what the app sends leaves the browser's send buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uplink {
    /// Every frame reaches the server at once; nothing is ever buffered.
    Instant,
    /// Frames leave one after another, this many bytes a millisecond, and
    /// reach the server when their last byte has left.
    BytesPerMs(u64),
    /// Nothing leaves: the peer takes no more data.
    Stalled,
}

/// Something the network delivers at a point in time.
#[derive(Clone, Debug)]
enum NetEvent {
    Opened {
        connection: u32,
    },
    Message {
        connection: u32,
        frame: Frame,
    },
    Closed {
        connection: u32,
        code: u16,
        reason: String,
        clean: bool,
    },
    ServerBack,
    /// A frame's last byte left the send buffer: the server has it.
    Arrived {
        connection: u32,
        text: String,
    },
    UrlResolved {
        token: u64,
        url: Result<String, String>,
    },
}

/// The socket the fake browser holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimSocket {
    pub connection: u32,
    pub url: String,
    pub open: bool,
    /// The engine asked to close it and waits for the close event.
    pub closing: bool,
}

/// The simulated world.
pub struct Sim {
    pub engine: Engine<Frame>,
    pub now: Millis,
    pub latency_ms: u64,
    pub mode: ServerMode,
    /// Modes for the next connections, used before `mode`.
    pub next_modes: Vec<ServerMode>,
    /// Whether the server answers pings with pongs.
    pub answers_pings: bool,
    /// Whether the server echoes other messages.
    pub echoes: bool,
    /// Delay added to echo replies.
    pub reply_delay_ms: u64,
    /// Everything the server received: (connection, text).
    pub received: Vec<(u32, String)>,
    pub socket: Option<SimSocket>,
    pub sockets_opened: u32,
    pub events: Vec<(Millis, Event<Frame>)>,
    pub delivered: Vec<Frame>,
    /// Extra lateness added to every timer firing (a throttled tab).
    pub timer_lag_ms: u64,
    /// How sent frames leave the send buffer.
    pub uplink: Uplink,
    /// Frames sent on the current socket that may not have left yet: their
    /// connection, size, and when their last byte leaves (`None`: stalled).
    send_buffer: Vec<(u32, u64, Option<Millis>)>,
    /// URLs handed out by the URL provider, when one is used.
    pub provider_urls: Vec<Result<String, String>>,
    pub provider_calls: u32,
    /// For each provider call, how many events the app had been given.
    pub provider_asked_after: Vec<usize>,
    /// What the server received right after the last open, before any other
    /// input: replay, then queue, then resent requests.
    pub last_open_burst: Option<Vec<String>>,
    /// For each `open` event, how many messages the server had received
    /// when the app was told: the replay and the queue go out before it.
    pub received_at_open: Vec<usize>,
    burst_start: Option<usize>,
    pending: BinaryHeap<Reverse<(Millis, u64, usize)>>,
    net_events: Vec<Option<NetEvent>>,
    seq: u64,
}

pub const URL: &str = "ws://127.0.0.1:8765/ws/sim";

/// A config with short, deterministic delays for tests.
pub fn test_config() -> Config {
    let mut config = Config::default();
    config.reconnect.initial_delay_ms = 100;
    config.reconnect.max_delay_ms = 2_000;
    config.reconnect.jitter = resilient_ws::core::Jitter::None;
    config.reconnect.reset_after_ms = 1_000;
    config.heartbeat.interval_ms = 0;
    config.connect_timeout_ms = 1_000;
    config
}

impl Sim {
    pub fn new(config: Config) -> Sim {
        Sim::with_source(UrlSource::Fixed(URL.to_owned()), config, 1)
    }

    pub fn with_source(source: UrlSource, config: Config, seed: u64) -> Sim {
        Sim {
            engine: Engine::new(source, config, seed).expect("valid config"),
            now: Millis(0),
            latency_ms: 5,
            mode: ServerMode::Up,
            next_modes: Vec::new(),
            answers_pings: true,
            echoes: false,
            reply_delay_ms: 0,
            received: Vec::new(),
            socket: None,
            sockets_opened: 0,
            events: Vec::new(),
            delivered: Vec::new(),
            timer_lag_ms: 0,
            uplink: Uplink::Instant,
            send_buffer: Vec::new(),
            provider_urls: Vec::new(),
            provider_calls: 0,
            provider_asked_after: Vec::new(),
            last_open_burst: None,
            received_at_open: Vec::new(),
            burst_start: None,
            pending: BinaryHeap::new(),
            net_events: Vec::new(),
            seq: 0,
        }
    }

    /// Connects and runs until the engine settles (open or otherwise).
    pub fn connect(&mut self) {
        self.engine.connect(self.now);
        self.drain();
    }

    pub fn state(&self) -> ConnectionState {
        self.engine.state()
    }

    fn schedule(&mut self, at: Millis, event: NetEvent) {
        self.seq += 1;
        self.net_events.push(Some(event));
        self.pending
            .push(Reverse((at, self.seq, self.net_events.len() - 1)));
    }

    /// The socket's `send`: the server gets `frame`, at once or once it
    /// has left the send buffer (see [`Uplink`]).
    fn transmit(&mut self, frame: &Frame) {
        let socket = self.socket.as_ref().expect("send without a socket");
        assert!(socket.open, "send on a socket that is not open");
        let connection = socket.connection;
        let text = frame.text().map(|t| t.into_owned()).unwrap_or_default();
        let size = frame.size() as u64;
        // Frames of an earlier socket, or that have left, are not held.
        let now = self.now;
        self.send_buffer
            .retain(|&(c, _, left)| c == connection && left.is_none_or(|left| left > now));
        match self.uplink {
            Uplink::Instant => {
                self.received.push((connection, text.clone()));
                self.server_reacts(connection, &text);
            }
            Uplink::BytesPerMs(rate) => {
                let start = self
                    .send_buffer
                    .iter()
                    .filter_map(|&(_, _, left)| left)
                    .fold(self.now, Millis::max);
                let left = start + size.div_ceil(rate);
                self.send_buffer.push((connection, size, Some(left)));
                self.schedule(left, NetEvent::Arrived { connection, text });
            }
            Uplink::Stalled => self.send_buffer.push((connection, size, None)),
        }
    }

    /// The page becomes visible.
    pub fn visible(&mut self) {
        let send_buffered = self.send_buffered();
        self.input(Input::Visible { send_buffered });
    }

    /// The socket's `bufferedAmount`: bytes sent on the current socket that
    /// have not left yet.
    pub fn send_buffered(&self) -> u64 {
        let Some(connection) = self.socket.as_ref().map(|s| s.connection) else {
            return 0;
        };
        let rate = match self.uplink {
            Uplink::BytesPerMs(rate) => rate,
            _ => u64::MAX,
        };
        self.send_buffer
            .iter()
            .filter(|&&(c, _, _)| c == connection)
            .map(|&(_, size, left)| match left {
                None => size,
                Some(left) => size.min(left.since(self.now).saturating_mul(rate)),
            })
            .sum()
    }

    /// An app's `send` as the browser driver makes it: handed to the open
    /// socket first when the engine would send it at once
    /// ([`Engine::sends_at_once`]), then a message the fast path delivered
    /// meanwhile is reported, then the send is booked; otherwise
    /// [`Engine::send`].
    pub fn send_ahead(&mut self, frame: Frame) -> Result<SendStatus, SendError> {
        let socket = self.socket.as_ref().filter(|s| s.open && !s.closing);
        let answer = self.engine.sends_at_once(&frame);
        let ahead = answer.zip(socket.map(|s| s.connection));
        if let Some((connection, socket_connection)) = ahead {
            assert_eq!(
                connection, socket_connection,
                "sent ahead on another connection"
            );
            self.transmit(&frame);
        }
        let before = ahead.map(|_| self.quick_send_view());
        if let Some((traffic, delivered)) = self.fast_delivery() {
            self.engine
                .passed_directly(traffic, std::iter::once(delivered));
            assert_eq!(
                self.engine.sends_at_once(&frame),
                answer,
                "a message the fast path delivered changed whether a send goes out at once"
            );
        }
        let result = match ahead {
            Some((connection, _)) => {
                self.engine.sent_ahead(self.now, connection, frame);
                // What lets the driver skip its carry-out after such a send.
                assert!(!self.engine.has_output(), "a send ahead made an output");
                assert_eq!(
                    Some(self.quick_send_view()),
                    before,
                    "a send ahead, or the fast path's message before it, moved a deadline, the inbox mode or the state"
                );
                Ok(SendStatus::Sent)
            }
            None => self.engine.send(self.now, frame),
        };
        self.drain();
        result
    }

    /// An app's `send` as the npm package makes it (`src/js/send_fast_path.js`):
    /// text within `max_message_bytes` goes to the open socket without the
    /// engine while [`Engine::sends_directly`] names its connection, and is
    /// reported with [`Engine::passed_directly`] before the next input
    /// (here at once, after a message the inbox delivered before it);
    /// anything else is [`Sim::send_ahead`], the module's `send`.
    pub fn send_directly(&mut self, frame: Frame) -> Result<SendStatus, SendError> {
        let socket = self.socket.as_ref().filter(|s| s.open && !s.closing);
        let size = frame.size() as u64;
        let direct = match (self.engine.sends_directly(), socket) {
            (Some(connection), Some(socket))
                if frame.is_text() && size <= self.engine.max_message_bytes() =>
            {
                assert_eq!(connection, socket.connection, "sent on another connection");
                true
            }
            _ => false,
        };
        if !direct {
            return self.send_ahead(frame);
        }
        self.transmit(&frame);
        let before = self.quick_send_view();
        let answer = self.engine.sends_directly();
        let mut traffic = DirectTraffic {
            messages_out: 1,
            bytes_out: size,
            ..DirectTraffic::default()
        };
        let mut passed = Vec::new();
        if let Some((inbound, delivered)) = self.fast_delivery() {
            traffic.messages_in = inbound.messages_in;
            traffic.bytes_in = inbound.bytes_in;
            passed.push(delivered);
        }
        passed.push((Direction::Out, self.now, frame));
        self.engine.passed_directly(traffic, passed.into_iter());
        assert!(!self.engine.has_output(), "a direct send made an output");
        assert_eq!(
            self.engine.sends_directly(),
            answer,
            "a report of direct traffic changed whether sends may pass directly"
        );
        assert_eq!(
            self.quick_send_view(),
            before,
            "a direct send, or the fast path's message before it, moved a deadline, the inbox mode or the state"
        );
        self.drain();
        Ok(SendStatus::Sent)
    }

    /// A message the inbox delivered meanwhile, if it may
    /// ([`Engine::delivers_directly`]): its traffic and its entry, to report
    /// with [`Engine::passed_directly`].
    fn fast_delivery(&self) -> Option<(DirectTraffic, (Direction, Millis, Frame))> {
        let frame = Frame::Text("fast".into());
        let traffic = DirectTraffic {
            messages_in: 1,
            bytes_in: frame.size() as u64,
            ..DirectTraffic::default()
        };
        self.engine
            .delivers_directly()
            .then_some((traffic, (Direction::In, self.now, frame)))
    }

    /// What the driver's carry-out would act on: the next deadline, whether
    /// the inbox may deliver and which checks it makes, and the state.
    fn quick_send_view(&self) -> (Option<Millis>, bool, (bool, bool), ConnectionState) {
        (
            self.engine.poll_timeout(),
            self.engine.delivers_directly(),
            self.engine.sieve_checks(),
            self.engine.state(),
        )
    }

    /// Carries out the engine's outputs, as the browser driver would.
    pub fn drain(&mut self) {
        while let Some(output) = self.engine.poll_output() {
            match output {
                Output::ResolveUrl { token } => {
                    self.provider_calls += 1;
                    self.provider_asked_after.push(self.events.len());
                    let url = if self.provider_urls.is_empty() {
                        Ok(URL.to_owned())
                    } else {
                        self.provider_urls.remove(0)
                    };
                    let at = self.now + 1;
                    self.schedule(at, NetEvent::UrlResolved { token, url });
                }
                Output::OpenSocket { url, connection } => {
                    assert!(
                        self.socket.is_none(),
                        "a second socket was opened while {:?} exists",
                        self.socket
                    );
                    let mode = if self.next_modes.is_empty() {
                        self.mode.clone()
                    } else {
                        self.next_modes.remove(0)
                    };
                    if let ServerMode::Refused(reason) = mode {
                        // As the driver does when the constructor throws.
                        self.engine.handle(self.now, Input::Error);
                        self.engine.handle(self.now, Input::Refused { reason });
                        continue;
                    }
                    self.sockets_opened += 1;
                    self.socket = Some(SimSocket {
                        connection,
                        url,
                        open: false,
                        closing: false,
                    });
                    let at = self.now + self.latency_ms;
                    match mode {
                        ServerMode::Up => self.schedule(at, NetEvent::Opened { connection }),
                        ServerMode::Down => self.schedule(
                            at,
                            NetEvent::Closed {
                                connection,
                                code: 1006,
                                reason: String::new(),
                                clean: false,
                            },
                        ),
                        // (Refused was handled above: no socket.)
                        ServerMode::Hang | ServerMode::Refused(_) => {}
                        ServerMode::CloseOnOpen(code, reason) => {
                            self.schedule(at, NetEvent::Opened { connection });
                            self.schedule(
                                at + 1,
                                NetEvent::Closed {
                                    connection,
                                    code,
                                    reason,
                                    clean: true,
                                },
                            );
                        }
                    }
                }
                Output::Send(frame) => self.transmit(&frame),
                Output::CloseSocket {
                    code,
                    reason,
                    detach,
                } => {
                    if detach {
                        self.socket = None;
                    } else if let Some(socket) = &mut self.socket {
                        socket.closing = true;
                        self.server_close(code, &reason);
                    }
                }
                Output::Deliver(frame) => self.delivered.push(frame),
                Output::Event(event) => {
                    if matches!(event, Event::Open { .. }) {
                        self.received_at_open.push(self.received.len());
                    }
                    self.events.push((self.now, event));
                }
            }
        }
    }

    fn server_reacts(&mut self, connection: u32, text: &str) {
        // Plain-text pings ("ping", "ping ♥") are answered with "pong..." .
        let plain_ping = text.starts_with("ping");
        let is_ping =
            plain_ping || json_scan::field_text(text, "type").is_some_and(|t| t == "ping");
        let at = self.now + self.latency_ms + self.reply_delay_ms;
        if is_ping {
            if self.answers_pings {
                let pong = if plain_ping {
                    text.replacen("ping", "pong", 1)
                } else {
                    r#"{"type":"pong"}"#.to_owned()
                };
                self.schedule(
                    at,
                    NetEvent::Message {
                        connection,
                        frame: Frame::Text(pong),
                    },
                );
            }
        } else if self.echoes {
            self.schedule(
                at,
                NetEvent::Message {
                    connection,
                    frame: Frame::Text(text.to_owned()),
                },
            );
        }
    }

    /// The server sends a message to the current connection.
    pub fn server_send(&mut self, text: &str) {
        let frame = Frame::Text(text.to_owned());
        self.send_to_current(|connection| NetEvent::Message { connection, frame });
    }

    /// The server closes the current connection with a close frame.
    pub fn server_close(&mut self, code: u16, reason: &str) {
        let reason = reason.to_owned();
        self.send_to_current(|connection| NetEvent::Closed {
            connection,
            code,
            reason,
            clean: true,
        });
    }

    /// The TCP connection drops with no close frame (browser reports 1006).
    pub fn drop_connection(&mut self) {
        self.send_to_current(|connection| NetEvent::Closed {
            connection,
            code: 1006,
            reason: String::new(),
            clean: false,
        });
    }

    /// Schedules `event` for the current connection one latency from now
    /// (nothing if there is no socket).
    fn send_to_current(&mut self, event: impl FnOnce(u32) -> NetEvent) {
        if let Some(socket) = &self.socket {
            let connection = socket.connection;
            let at = self.now + self.latency_ms;
            self.schedule(at, event(connection));
        }
    }

    /// The server process restarts: connections drop, it refuses new ones
    /// for `down_ms`, then comes back.
    pub fn server_restart(&mut self, down_ms: u64) {
        self.drop_connection();
        self.mode = ServerMode::Down;
        let at = self.now + down_ms;
        self.schedule(at, NetEvent::ServerBack);
    }

    /// Feeds a browser input now and drains.
    pub fn input(&mut self, input: Input<Frame>) {
        self.engine.handle(self.now, input);
        self.drain();
    }

    /// Advances to the next thing that happens (timer or network), if it is
    /// no later than `limit`. Returns false if nothing happens by then.
    pub fn step(&mut self, limit: Millis) -> bool {
        let timer = self
            .engine
            .poll_timeout()
            .map(|at| at.max(self.now) + self.timer_lag_ms);
        let net = self
            .pending
            .peek()
            .map(|Reverse((at, _, _))| (*at).max(self.now));
        let next = match (timer, net) {
            (None, None) => return false,
            (Some(t), None) => (t, true),
            (None, Some(n)) => (n, false),
            (Some(t), Some(n)) => {
                if t < n {
                    (t, true)
                } else {
                    (n, false)
                }
            }
        };
        if next.0 > limit {
            return false;
        }
        self.now = next.0;
        if next.1 {
            let send_buffered = self.send_buffered();
            self.engine.handle(self.now, Input::Timer { send_buffered });
        } else {
            let Reverse((_, _, index)) = self.pending.pop().expect("peeked");
            let event = self.net_events[index]
                .take()
                .expect("each event delivered once");
            self.deliver(event);
        }
        self.drain();
        if let Some(start) = self.burst_start.take() {
            self.last_open_burst = Some(
                self.received[start..]
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect(),
            );
        }
        true
    }

    fn deliver(&mut self, event: NetEvent) {
        let current = self.socket.as_ref().map(|s| s.connection);
        match event {
            NetEvent::Opened { connection } if current == Some(connection) => {
                if let Some(socket) = &mut self.socket {
                    socket.open = true;
                }
                self.burst_start = Some(self.received.len());
                self.engine
                    .handle(self.now, Input::Opened { closing: false });
            }
            NetEvent::Message { connection, frame } if current == Some(connection) => {
                self.engine.handle(self.now, Input::Message(frame));
            }
            NetEvent::Closed {
                connection,
                code,
                reason,
                clean,
            } if current == Some(connection) => {
                self.socket = None;
                self.engine.handle(
                    self.now,
                    Input::Closed {
                        code,
                        reason,
                        was_clean: clean,
                    },
                );
            }
            NetEvent::ServerBack => self.mode = ServerMode::Up,
            NetEvent::Arrived { connection, text } if current == Some(connection) => {
                self.received.push((connection, text.clone()));
                self.server_reacts(connection, &text);
            }
            NetEvent::UrlResolved { token, url } => self
                .engine
                .handle(self.now, Input::UrlResolved { token, url }),
            // Events for a socket the engine already let go of: listeners were removed.
            _ => {}
        }
    }

    /// Runs the world for `ms` of simulated time.
    pub fn run_for(&mut self, ms: u64) {
        let limit = self.now + ms;
        while self.step(limit) {}
        self.now = limit;
    }

    /// Runs until `done` holds, at most `max_ms`; returns whether it held.
    pub fn run_until(&mut self, max_ms: u64, done: impl Fn(&Sim) -> bool) -> bool {
        let limit = self.now + max_ms;
        while !done(self) {
            if !self.step(limit) {
                return done(self);
            }
        }
        true
    }

    /// Runs until the state is `state`.
    pub fn run_until_state(&mut self, state: ConnectionState, max_ms: u64) -> bool {
        self.run_until(max_ms, |sim| sim.state() == state)
    }

    /// The close reports emitted so far.
    pub fn closes(&self) -> Vec<resilient_ws::core::CloseReport> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Close(report) => Some(report.clone()),
                _ => None,
            })
            .collect()
    }

    /// The delays of the scheduled reconnects, in order.
    pub fn reconnect_delays(&self) -> Vec<u64> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Reconnecting { delay_ms, .. } => Some(*delay_ms),
                _ => None,
            })
            .collect()
    }

    /// Times at which the state became `state`.
    pub fn times_entered(&self, state: ConnectionState) -> Vec<Millis> {
        self.events
            .iter()
            .filter_map(|(at, e)| match e {
                Event::StateChange { to, .. } if *to == state => Some(*at),
                _ => None,
            })
            .collect()
    }

    /// Texts the server received on `connection`.
    pub fn received_on(&self, connection: u32) -> Vec<String> {
        self.received
            .iter()
            .filter(|(c, _)| *c == connection)
            .map(|(_, t)| t.clone())
            .collect()
    }

    /// Texts the app got through `message`.
    pub fn delivered_texts(&self) -> Vec<String> {
        self.delivered
            .iter()
            .filter_map(|f| f.text().map(|t| t.into_owned()))
            .collect()
    }

    /// Whether some event matches.
    pub fn saw(&self, matches: impl Fn(&Event<Frame>) -> bool) -> bool {
        self.events.iter().any(|(_, e)| matches(e))
    }

    /// The current connection number.
    pub fn connection(&self) -> u32 {
        self.socket.as_ref().map_or(0, |s| s.connection)
    }
}
