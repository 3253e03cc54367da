//! The connection engine: one state machine that owns every policy.
//!
//! Contract (as in quinn-proto and str0m): feed browser events with
//! [`Engine::handle`] and app calls with the named methods, each taking `now`;
//! then drain [`Engine::poll_output`] until `None` and arm one timer for
//! [`Engine::poll_timeout`]. The engine never reads a clock or does I/O.

use crate::prelude::*;

use alloc::collections::VecDeque;

use super::backoff::Backoff;
use super::close_code::{
    CloseAction, CloseCode, CloseInterpretation, ClosePolicy, refused_by_the_browser,
    url_provider_failed,
};
use super::config::{Config, PendingOnReconnect};
use super::disposed::{DisposedEngine, EngineReadout};
use super::error::{CloseError, ConfigError, SendError};
use super::event::{CloseCause, CloseReport, Event, RequestFailure};
use super::flapping::{FlappingDetector, likely_causes};
use super::heartbeat::{Heartbeat, HeartbeatAction, SendBuffer};
use super::inspector::{Direction, Inspector};
use super::io::{DirectTraffic, Input, Output};
use super::json_scan;
use super::payload::{Member, Payload, utf16_len};
use super::queue::OutboundQueue;
use super::redact::Redactor;
use super::replay::{ReplaySet, ReplayStore};
use super::requests::{PendingRequest, RequestId, Requests};
use super::sieve::MessageSieve;
use super::state::ConnectionState;
use super::stats::Stats;
use super::text::{concat, decimal};
use super::time::Millis;
use super::url::check_url;

/// The report of an app's close that a `connect()` or `reconnect()` made
/// during it follows at once: what follows is a retry, whatever the app's
/// close meant.
fn followed_by_a_connect(report: CloseReport) -> CloseReport {
    CloseReport {
        interpretation: CloseInterpretation {
            action: CloseAction::Retry,
            hint: "closed by this app; connect() or reconnect() during the close connects again at once",
            ..report.interpretation
        },
        will_reconnect: true,
        delay_ms: Some(0),
        ..report
    }
}

/// Close code the engine sends when it abandons a socket it judged dead
/// (IANA 3008, "timeout").
const TIMEOUT_CLOSE_CODE: u16 = 3008;
/// Close code for 1006-style losses the engine reports itself.
const ABNORMAL: u16 = 1006;
/// Pong candidates larger than this are not examined (pongs are small).
const MAX_PONG_SIZE: usize = 512;

/// Where a connection attempt gets its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlSource {
    /// The same URL every time.
    Fixed(String),
    /// Ask the driver before each attempt ([`Output::ResolveUrl`]), so tokens
    /// can be refreshed. The string is the last known URL, for display.
    Provider(String),
}

/// What `send` did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendStatus {
    /// Handed to the open socket.
    Sent,
    /// Queued until the socket opens.
    Queued,
}

/// The state and its data; data that exists only in one state lives in it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Connecting {
        connection: u32,
        deadline: Option<Millis>,
        awaiting_url: bool,
    },
    Open {
        connection: u32,
        opened_at: Millis,
        pinged: bool,
        received: bool,
        /// The browser socket is closing ([`Input::SocketClosing`]): a send
        /// would be dropped, so messages queue and no ping goes out.
        peer_closing: bool,
    },
    Closing {
        connection: u32,
        deadline: Millis,
        code: u16,
        reason: String,
        opened: bool,
        /// `connect()` was called meanwhile: connect again once this close
        /// is over (and reported).
        reopen: bool,
    },
    Reconnecting {
        at: Millis,
        /// The server asked to try later (1012-1014): coming back online
        /// does not cut this wait short.
        try_later: bool,
    },
    Closed,
}

/// The sans-IO connection engine, generic over the payload handle `P`.
#[derive(Debug)]
pub struct Engine<P: Payload> {
    config: Config,
    url: UrlSource,
    phase: Phase,
    backoff: Backoff,
    close_policy: ClosePolicy,
    redactor: Redactor,
    heartbeat: Heartbeat,
    flapping: FlappingDetector,
    queue: OutboundQueue<P>,
    replay: ReplayStore<P>,
    requests: Requests<P>,
    inspector: Inspector<P>,
    outputs: VecDeque<Output<P>>,
    attempt: u32,
    /// Of `attempt`, the retries scheduled while the browser was offline:
    /// not counted against `maxAttempts`.
    offline_attempts: u32,
    connection: u32,
    url_token: u64,
    online: bool,
    hidden: bool,
    /// Set by [`Engine::stop_reconnecting`]: no attempt after the current one.
    reconnect_stopped: bool,
    last_close: Option<CloseReport>,
    counters: Counters,
}

#[derive(Clone, Debug, Default)]
struct Counters {
    reconnects: u32,
    total_uptime_ms: u64,
    messages_in: u64,
    messages_out: u64,
    bytes_in: u64,
    bytes_out: u64,
    late_wakeups: u64,
}

impl<P: Payload> Engine<P> {
    /// A new engine in state `idle`. Validates `config` and the URL; `seed`
    /// drives the backoff jitter (the driver passes real randomness, tests a
    /// fixed seed).
    pub fn new(url: UrlSource, config: Config, seed: u64) -> Result<Self, ConfigError> {
        config.validate()?;
        if let UrlSource::Fixed(fixed) = &url {
            check_url(
                fixed,
                config.require_secure,
                config.allow_insecure_localhost,
            )?;
        }
        Ok(Engine {
            backoff: Backoff::new(&config.reconnect, seed),
            close_policy: config.close_policy(),
            redactor: Redactor::new(config.redact_keys.clone()),
            heartbeat: Heartbeat::new(&config.heartbeat),
            flapping: FlappingDetector::new(config.flapping.window_ms, config.flapping.threshold),
            queue: OutboundQueue::new(&config.queue),
            replay: ReplayStore::new(),
            requests: Requests::default(),
            inspector: Inspector::new(config.inspector.max_entries, config.inspector.max_bytes),
            outputs: VecDeque::new(),
            attempt: 0,
            offline_attempts: 0,
            connection: 0,
            url_token: 0,
            online: true,
            hidden: false,
            reconnect_stopped: false,
            last_close: None,
            counters: Counters::default(),
            url,
            config,
            phase: Phase::Idle,
        })
    }

    // ----- what the app and the driver read -----

    /// The current state.
    pub fn state(&self) -> ConnectionState {
        match self.phase {
            Phase::Idle => ConnectionState::Idle,
            Phase::Connecting { .. } => ConnectionState::Connecting,
            Phase::Open { .. } => ConnectionState::Open,
            Phase::Closing { .. } => ConnectionState::Closing,
            Phase::Reconnecting { .. } => ConnectionState::Reconnecting,
            Phase::Closed => ConnectionState::Closed,
        }
    }

    /// The options in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The URL of the last attempt (or the configured one), redacted.
    pub fn url_for_display(&self) -> String {
        let url = match &self.url {
            UrlSource::Fixed(url) | UrlSource::Provider(url) => url,
        };
        self.redactor.redact_url(url).into_owned()
    }

    /// The next thing the driver must do.
    pub fn poll_output(&mut self) -> Option<Output<P>> {
        self.outputs.pop_front()
    }

    /// Whether outputs wait for [`Engine::poll_output`].
    pub fn has_output(&self) -> bool {
        !self.outputs.is_empty()
    }

    /// When the driver must feed [`Input::Timer`] next.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let phase_deadline = match &self.phase {
            Phase::Connecting { deadline, .. } => *deadline,
            // Closing: nothing is sent any more, the close event ends it.
            Phase::Open {
                peer_closing: true, ..
            } => None,
            Phase::Open { .. } => [self.heartbeat.deadline(), self.replay.deadline()]
                .into_iter()
                .flatten()
                .min(),
            Phase::Closing { deadline, .. } => Some(*deadline),
            Phase::Reconnecting { at, .. } => Some(*at),
            Phase::Idle | Phase::Closed => None,
        };
        [phase_deadline, self.requests.deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The inspector (read-only).
    pub fn inspector(&self) -> &Inspector<P> {
        &self.inspector
    }

    /// The inspector, to clear it.
    pub fn inspector_mut(&mut self) -> &mut Inspector<P> {
        &mut self.inspector
    }

    /// The redactor built from `redactKeys`.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The close code policy built from `closeCodes`.
    pub fn close_policy(&self) -> &ClosePolicy {
        &self.close_policy
    }

    /// The replay store's keys and values, in first-set order.
    pub fn replay_entries(&self) -> impl Iterator<Item = (&str, &P)> {
        self.replay.iter()
    }

    /// The last close, if any.
    pub fn last_close(&self) -> Option<&CloseReport> {
        self.last_close.as_ref()
    }

    /// Counters at `now`.
    pub fn stats(&self, now: Millis) -> Stats {
        let open_ms = match self.phase {
            Phase::Open { opened_at, .. } => Some(now.since(opened_at)),
            _ => None,
        };
        let uptime_ms = open_ms.unwrap_or(0);
        // The attempt counter and flapping as this connection's end will
        // leave them, once nothing it does can change that: a connection
        // open `resetAfterMs` (and not short enough to flap) resets the
        // counter, and one open `flapping.windowMs` ends the flapping.
        let attempt = if open_ms.is_some_and(|ms| {
            ms >= self.config.reconnect.reset_after_ms && !self.flapping.would_be_flapping(ms)
        }) {
            0
        } else {
            self.attempt
        };
        let flapping = self.flapping.is_flapping()
            && open_ms.is_none_or(|ms| ms < self.config.flapping.window_ms);
        Stats {
            state: self.state(),
            connection: self.connection,
            attempt,
            reconnects: self.counters.reconnects,
            uptime_ms,
            total_uptime_ms: self.counters.total_uptime_ms + uptime_ms,
            rtt_ms: self.heartbeat.last_rtt_ms(),
            messages_in: self.counters.messages_in,
            messages_out: self.counters.messages_out,
            bytes_in: self.counters.bytes_in,
            bytes_out: self.counters.bytes_out,
            queued: self.queue.len(),
            queued_bytes: self.queue.bytes(),
            pending_requests: self.requests.len(),
            request_p50_ms: self.requests.latencies.percentile(50),
            request_p99_ms: self.requests.latencies.percentile(99),
            flapping,
            late_wakeups: self.counters.late_wakeups,
        }
    }

    // ----- app calls -----

    /// Back to the first attempt (delays from `initialDelayMs`, the full
    /// `maxAttempts` ahead).
    fn reset_attempts(&mut self) {
        self.attempt = 0;
        self.offline_attempts = 0;
    }

    /// Starts connecting (from `idle` or `closed`), or cuts a backoff wait
    /// short. While the app's close is in progress (`close(); connect()`),
    /// connects once it is over. Does nothing while connecting or open.
    pub fn connect(&mut self, now: Millis) {
        match &mut self.phase {
            Phase::Idle | Phase::Closed => {
                self.reset_attempts();
                self.start_attempt(now);
            }
            Phase::Reconnecting { .. } => self.start_attempt(now),
            Phase::Closing { reopen, .. } => *reopen = true,
            Phase::Connecting { .. } | Phase::Open { .. } => {}
        }
    }

    /// After the app's close ended (reported, state `closed`): the
    /// `connect()` made meanwhile, when [`Engine::finish_app_close`] says so.
    fn reopen_after_close(&mut self, now: Millis, reopen: bool) {
        if reopen {
            self.reset_attempts();
            self.start_attempt(now);
        }
    }

    /// Closed, or closing, by the app with no `connect()` since: sends and
    /// requests are refused.
    fn closed_for_good(&self) -> bool {
        matches!(
            self.phase,
            Phase::Closed | Phase::Closing { reopen: false, .. }
        )
    }

    /// Drops the current socket (if any) and connects now, with the attempt
    /// counter reset.
    pub fn reconnect(&mut self, now: Millis) {
        // The app's close still waiting for the server: that socket is let
        // go, and the close reported as the app's, not clean, followed by a
        // connection at once.
        let abandoned = match &self.phase {
            Phase::Closing {
                connection,
                code,
                reason,
                opened,
                ..
            } => {
                let (connection, code, reason, opened) =
                    (*connection, *code, reason.clone(), *opened);
                self.detach_socket(code, &reason);
                Some(followed_by_a_connect(self.closed_by_app(
                    CloseCause::App,
                    connection,
                    code,
                    &reason,
                    opened,
                    false,
                )))
            }
            _ => None,
        };
        let replaced = self.attempt_under_way().map(|(connection, opened_at)| {
            self.let_go_for_a_fresh_attempt(
                now,
                connection,
                opened_at,
                CloseCause::Replaced,
                "reconnect requested",
            )
        });
        self.reset_attempts();
        self.enter_attempt(now);
        // As for every other close: the statechange first, then the close,
        // then the URL provider.
        if let Some(report) = abandoned.or(replaced) {
            self.report_close(report);
        }
        self.ask_for_url();
    }

    /// Replaces the attempt `connection`, made while offline, with a fresh
    /// one (back online). Not a failed attempt: nothing is counted, no
    /// delay, and the close reports an immediate retry.
    fn replace_offline_attempt(&mut self, now: Millis, connection: u32) {
        let report = self.let_go_for_a_fresh_attempt(
            now,
            connection,
            None,
            CloseCause::Offline,
            "back online: a fresh attempt",
        );
        self.enter_attempt(now);
        self.report_close(report);
        self.ask_for_url();
    }

    /// Lets go of the attempt or connection `connection` (its socket, if it
    /// has one yet, closed with 1000 and `why`; the close reported says
    /// 1000 either way) for an attempt that starts at once, and returns the
    /// close to report once that attempt is announced.
    fn let_go_for_a_fresh_attempt(
        &mut self,
        now: Millis,
        connection: u32,
        opened_at: Option<Millis>,
        cause: CloseCause,
        why: &str,
    ) -> CloseReport {
        if self.live_socket().is_some() {
            self.detach_socket(1000, why);
        }
        self.connection_ended(now, connection, opened_at, false);
        CloseReport {
            code: 1000,
            reason: String::from(why),
            was_clean: false,
            opened: opened_at.is_some(),
            cause,
            // The SDK's own close, followed by an attempt at once: the app's
            // rules for a server's 1000 do not apply to it.
            interpretation: CloseInterpretation {
                action: CloseAction::Retry,
                hint: "let go by the SDK to connect afresh at once (reconnect(), or back online)",
                ..CloseCode(1000).interpret(opened_at.is_some())
            },
            will_reconnect: true,
            delay_ms: Some(0),
            connection,
        }
    }

    /// Closes for good: no further attempt. Validates `code` (1000 or
    /// 3000-4999) and `reason` (at most 123 bytes) as browsers do.
    pub fn close(&mut self, now: Millis, code: u16, reason: &str) -> Result<(), CloseError> {
        CloseError::check(code, reason)?;
        // Also the requests made after `close(); connect()`.
        if !self.closed_for_good() {
            self.fail_all_requests(RequestFailure::Closed);
        }
        match core::mem::replace(&mut self.phase, Phase::Closed) {
            Phase::Open {
                connection,
                opened_at,
                ..
            } => {
                self.outputs.push_back(Output::CloseSocket {
                    code,
                    reason: reason.to_owned(),
                    detach: false,
                });
                // The pongs this connection's pings are owed may still
                // arrive before the close frame: taken, not delivered.
                let owed = self.heartbeat.owed_pongs();
                self.connection_ended(now, connection, Some(opened_at), false);
                self.heartbeat.owe_pongs(owed);
                self.phase = Phase::Closing {
                    connection,
                    deadline: now + self.config.closing_timeout_ms,
                    code,
                    reason: reason.to_owned(),
                    opened: true,
                    reopen: false,
                };
                self.emit_state_change(ConnectionState::Open);
            }
            Phase::Connecting {
                connection,
                awaiting_url,
                ..
            } => {
                if !awaiting_url {
                    self.detach_socket(code, reason);
                }
                self.finish_app_close(
                    ConnectionState::Connecting,
                    connection,
                    code,
                    reason,
                    false,
                    false,
                );
            }
            Phase::Reconnecting { .. } => {
                self.finish_app_close(
                    ConnectionState::Reconnecting,
                    self.connection,
                    code,
                    reason,
                    false,
                    false,
                );
            }
            Phase::Idle => {
                self.finish_app_close(
                    ConnectionState::Idle,
                    self.connection,
                    code,
                    reason,
                    false,
                    false,
                );
            }
            // A close after `close(); connect()`: the latest call wins.
            mut phase @ Phase::Closing { .. } => {
                if let Phase::Closing { reopen, .. } = &mut phase {
                    *reopen = false;
                }
                self.phase = phase;
            }
            Phase::Closed => {}
        }
        Ok(())
    }

    /// Sends now if open, else queues. Refuses messages over
    /// `maxMessageBytes`, a full queue (policy `reject`), and sends after the
    /// client was closed.
    pub fn send(&mut self, now: Millis, payload: P) -> Result<SendStatus, SendError> {
        self.check_size(&payload)?;
        if self.closed_for_good() {
            return Err(SendError::Closed);
        }
        match self.sending_connection() {
            Some(connection) => {
                self.transmit(now, connection, payload);
                Ok(SendStatus::Sent)
            }
            None => {
                self.enqueue(payload, None)?;
                Ok(SendStatus::Queued)
            }
        }
    }

    /// The connection [`Engine::send`] would hand `payload` to at once, if
    /// it would. Messages reported with [`Engine::passed_directly`] never
    /// change this, so the driver may hand the payload to the browser socket
    /// before it reports them (the message leaves before the bookkeeping of
    /// the messages that came in before it, which is on the echo's round
    /// trip), then book it with [`Engine::sent_ahead`].
    pub fn sends_at_once(&self, payload: &P) -> Option<u32> {
        // An open connection is never closed for good: no check for that.
        self.check_size(payload).ok()?;
        self.sending_connection()
    }

    /// Books a message the driver handed to `connection`'s socket itself
    /// after [`Engine::sends_at_once`] named that connection: counted and
    /// recorded as [`Engine::send`] would, with no [`Output::Send`].
    pub fn sent_ahead(&mut self, now: Millis, connection: u32, payload: P) {
        debug_assert_eq!(self.sending_connection(), Some(connection));
        self.count_transmit(&payload);
        self.inspector
            .record_owned(Direction::Out, now, connection, payload);
    }

    /// Sets keyed state: sent now if open (or after `debounce_ms`, carrying
    /// the latest value), and replayed after every reconnect. Returns
    /// [`SendStatus::Queued`] when it was only stored (not open, or debounced).
    pub fn set_replay(
        &mut self,
        now: Millis,
        key: &str,
        value: P,
        debounce_ms: u64,
    ) -> Result<SendStatus, SendError> {
        self.check_size(&value)?;
        let decision = self.replay.set(now, key, value.clone(), debounce_ms);
        match (decision, self.sending_connection()) {
            (ReplaySet::SendNow, Some(connection)) => {
                self.transmit(now, connection, value);
                Ok(SendStatus::Sent)
            }
            _ => Ok(SendStatus::Queued),
        }
    }

    /// Forgets a replay key. Returns whether it existed.
    pub fn delete_replay(&mut self, key: &str) -> bool {
        self.replay.delete(key)
    }

    /// Sends `message` (JSON object text) as a request: uses its `id` field
    /// (`requests.idField`) or adds one, and returns a handle that a later
    /// [`Event::Reply`] or [`Event::RequestFailed`] names.
    pub fn request(
        &mut self,
        now: Millis,
        message: &str,
        timeout_ms: Option<u64>,
    ) -> Result<u64, SendError> {
        if self.closed_for_good() {
            return Err(SendError::Closed);
        }
        if !message.trim_start().starts_with('{') {
            return Err(SendError::NotJsonObject);
        }
        let handle = self.requests.next_handle();
        let id_field = self.config.requests.id_field.clone();
        let (id, text) = match json_scan::raw_field(message, &id_field) {
            Some(raw) => {
                let id = RequestId::from_raw(raw);
                if self.requests.has_id(&id) {
                    return Err(SendError::IdPending {
                        field: id_field,
                        id: raw.to_owned(),
                    });
                }
                (id, message.to_owned())
            }
            None => {
                // Prefixed: a server's own pushes often carry small numeric
                // ids ("id":"3"), which must not answer request 3.
                let mut id = RequestId::string(concat(&["rws-", &decimal(handle)]));
                while self.requests.has_id(&id) {
                    id.text.push('_');
                }
                let text = json_scan::insert_field(message, &id_field, &json_scan::quote(&id.text))
                    .ok_or(SendError::NotJsonObject)?;
                (id, text)
            }
        };
        let payload = P::from_text(&text);
        self.check_size(&payload)?;
        let sent_on = match self.sending_connection() {
            Some(connection) => {
                self.transmit(now, connection, payload.clone());
                Some(connection)
            }
            None => {
                self.enqueue(payload.clone(), Some(handle))?;
                None
            }
        };
        let timeout = timeout_ms.unwrap_or(self.config.requests.timeout_ms);
        self.requests.add(PendingRequest {
            handle,
            id,
            payload,
            sent_on,
            sent_at: now,
            deadline: now + timeout,
        });
        Ok(handle)
    }

    /// The app let go of its last handle: the connection being made or open
    /// may run on (as a `WebSocket` does), but no attempt starts after it,
    /// since nothing could stop that any more. The driver disposes a socket
    /// that is only waiting to reconnect instead.
    pub fn stop_reconnecting(&mut self) {
        self.reconnect_stopped = true;
    }

    /// Whether the engine is waiting out a reconnect delay.
    pub fn is_waiting_to_reconnect(&self) -> bool {
        matches!(self.phase, Phase::Reconnecting { .. })
    }

    /// Tears everything down: the socket is abandoned, requests fail, queue
    /// and replay store are dropped, state `closed`. No timer is needed after.
    pub fn dispose(&mut self, now: Millis) {
        self.fail_all_requests(RequestFailure::Disposed);
        if self.live_socket().is_some() || matches!(self.phase, Phase::Closing { .. }) {
            self.detach_socket(1000, "disposed");
        }
        if let Some((connection, opened_at)) = self.attempt_under_way() {
            self.connection_ended(now, connection, opened_at, false);
            // No event (the app asked), but `lastClose` says what ended it.
            self.last_close = Some(self.closed_by_app(
                CloseCause::Disposed,
                connection,
                1000,
                "disposed",
                opened_at.is_some(),
                false,
            ));
        } else if let (Phase::Reconnecting { .. }, Some(last)) = (&self.phase, &mut self.last_close)
        {
            // Disposed while waiting to reconnect: that reconnect is off.
            last.will_reconnect = false;
            last.delay_ms = None;
        } else if let Phase::Closing {
            connection,
            code,
            reason,
            opened,
            ..
        } = &self.phase
        {
            // Disposed during the app's close, before the server's close
            // frame: `lastClose` is that close (no event, as for dispose).
            self.last_close = Some(self.closed_by_app(
                CloseCause::App,
                *connection,
                *code,
                reason,
                *opened,
                false,
            ));
        }
        self.queue.clear();
        self.replay.clear();
        let from = self.state();
        self.phase = Phase::Closed;
        self.emit_state_change(from);
    }

    /// What a disposed engine keeps for reads, the rest freed: call after
    /// [`Engine::dispose`], once its outputs are drained (any left are
    /// dropped).
    pub fn into_disposed(self, now: Millis) -> DisposedEngine<P> {
        debug_assert!(self.state() == ConnectionState::Closed, "not disposed");
        DisposedEngine {
            url: self.url_for_display(),
            stats: self.stats(now),
            last_close: self.last_close,
            inspector: self.inspector,
            redactor: self.redactor,
        }
    }

    // ----- messages delivered outside the engine -----

    /// Whether incoming messages that the sieve lets through
    /// ([`Engine::must_see`]) need no decision from the engine: the
    /// connection is open, so such a message can only go to the app, and no
    /// pong deadline runs (the next message would lift it and move the
    /// timer, so it must come through [`Input::Message`]). While this holds,
    /// the driver may hand messages to the app itself, without entering the
    /// engine per message (the browser's fast path), and must report them
    /// with [`Engine::passed_directly`] before any other input: they
    /// change no deadline.
    pub fn delivers_directly(&self) -> bool {
        matches!(
            self.phase,
            Phase::Open {
                peer_closing: false,
                ..
            }
        ) && !self.heartbeat.awaits_any_message()
    }

    /// Whether the attempt that asked for URL `token`
    /// ([`Output::ResolveUrl`]) still waits for it: false once the app's
    /// listeners closed, disposed or replaced that attempt, so the driver
    /// need not call the provider for an answer that would be dropped.
    pub fn awaits_url(&self, token: u64) -> bool {
        matches!(
            self.phase,
            Phase::Connecting {
                awaiting_url: true,
                ..
            }
        ) && token == self.url_token
    }

    /// Whether the current attempt waits for the URL provider with no
    /// connect deadline (`connectTimeoutMs` 0): only the provider's answer
    /// can end that wait.
    pub fn awaits_url_without_deadline(&self) -> bool {
        matches!(
            self.phase,
            Phase::Connecting {
                awaiting_url: true,
                deadline: None,
                ..
            }
        )
    }

    /// The message sieve of these options (see [`MessageSieve`]).
    pub fn message_sieve(&self) -> MessageSieve<'_> {
        let heartbeat = &self.config.heartbeat;
        MessageSieve::new(
            heartbeat.pong_text.as_deref(),
            heartbeat.pong_type.as_deref(),
            MAX_PONG_SIZE,
            &self.config.requests.id_field,
        )
    }

    /// Which of the sieve's checks apply now: (a pong is awaited and a pong
    /// matcher is set, a reply is awaited).
    pub fn sieve_checks(&self) -> (bool, bool) {
        let heartbeat = &self.config.heartbeat;
        let matches_pongs = heartbeat.pong_text.is_some() || heartbeat.pong_type.is_some();
        (
            matches_pongs && self.heartbeat.awaiting_pong(),
            !self.requests.is_empty(),
        )
    }

    /// Whether text message `text` must go through [`Input::Message`] now:
    /// it could be the pong awaited or the reply to a pending request.
    /// Binary messages never must.
    pub fn must_see(&self, text: &str) -> bool {
        let (pong, reply) = self.sieve_checks();
        self.message_sieve().must_see(text, pong, reply)
    }

    /// Accounts for messages that passed without the engine, with the same
    /// effect as feeding each one in order: a message delivered to the app
    /// while [`Engine::delivers_directly`] held (none the sieve,
    /// [`Engine::must_see`], stopped) as [`Input::Message`], a message
    /// handed to the socket while [`Engine::sends_directly`] held (within
    /// `max_message_bytes`) as [`Engine::send`]: counters, heartbeat
    /// liveness and the inspector. `newest` are the last of them, oldest
    /// first, each with its direction and time; the ones before them are
    /// only counted, which is enough as long as `newest` holds the
    /// inspector's `max_entries` (the older ones would have been evicted by
    /// them).
    pub fn passed_directly(
        &mut self,
        traffic: DirectTraffic,
        newest: impl ExactSizeIterator<Item = (Direction, Millis, P)>,
    ) {
        let Phase::Open {
            connection,
            received,
            ..
        } = &mut self.phase
        else {
            // The driver reports before any other input, so the connection
            // these passed on is still open.
            debug_assert!(
                traffic == DirectTraffic::default(),
                "{traffic:?} reported while not open"
            );
            return;
        };
        let connection = *connection;
        if traffic.messages_in > 0 {
            *received = true;
            self.heartbeat.on_inbound();
        }
        self.counters.messages_in += traffic.messages_in;
        self.counters.bytes_in += traffic.bytes_in;
        self.counters.messages_out += traffic.messages_out;
        self.counters.bytes_out += traffic.bytes_out;
        let all = traffic.messages_in + traffic.messages_out;
        self.inspector.skip(all.saturating_sub(newest.len() as u64));
        for (direction, at, payload) in newest {
            self.inspector
                .record_owned(direction, at, connection, payload);
        }
    }

    /// The connection the driver may hand a message within
    /// [`Engine::max_message_bytes`] to itself, without the engine (the
    /// browser's fast path for `send`), if any: [`Engine::send`] would send
    /// it at once, as the connection is open and its peer not closing. The
    /// driver must report such messages with [`Engine::passed_directly`]
    /// before any other input: they change no deadline, and nothing
    /// reported there changes this answer.
    pub fn sends_directly(&self) -> Option<u32> {
        self.sending_connection()
    }

    /// `max_message_bytes`: the largest message [`Engine::send`] takes.
    pub fn max_message_bytes(&self) -> u64 {
        self.config.max_message_bytes
    }

    // ----- browser events -----

    /// Feeds one browser event.
    pub fn handle(&mut self, now: Millis, input: Input<P>) {
        match input {
            Input::UrlResolved { token, url } => self.on_url_resolved(now, token, url),
            Input::Opened { closing } => self.on_opened(now, closing),
            Input::Message(payload) => self.on_message(now, payload),
            Input::Closed {
                code,
                reason,
                was_clean,
            } => self.on_closed(now, code, &reason, was_clean),
            Input::Refused { reason } => {
                if let Phase::Connecting {
                    connection,
                    awaiting_url: false,
                    ..
                } = self.phase
                {
                    // The server never saw the attempt. A provider's URL the
                    // browser will not use is the provider's failure, as one
                    // it cannot parse is (asked again); a fixed one would be
                    // refused at every attempt, so it stops.
                    let cause = match self.url {
                        UrlSource::Provider(_) => CloseCause::UrlProvider,
                        UrlSource::Fixed(_) => CloseCause::Refused,
                    };
                    self.connection_failed(now, connection, None, ABNORMAL, &reason, false, cause);
                }
            }
            Input::Error => {
                if self.live_socket().is_some() {
                    self.emit(Event::Error {
                        message: String::from("WebSocket error event (a close event follows)"),
                    });
                }
            }
            Input::SocketClosing => {
                if let Phase::Open { peer_closing, .. } = &mut self.phase {
                    *peer_closing = true;
                }
            }
            Input::Timer { send_buffered } => self.on_timer(now, send_buffered),
            Input::Online => {
                let was_offline = !self.online;
                self.online = true;
                if let Phase::Reconnecting { at, try_later } = self.phase {
                    // Back online, a backoff wait is cut short; a wait the
                    // server asked for (try later) holds.
                    if !try_later || now >= at {
                        self.start_attempt(now);
                    }
                } else if was_offline
                    && !self.reconnect_stopped
                    && let Some((connection, None)) = self.live_socket()
                {
                    // Going offline drops any live socket, so this one was
                    // made offline: its handshake may hang on a route that
                    // is gone (until the connect timeout). A fresh attempt
                    // replaces it now, as `reconnect()` does.
                    self.replace_offline_attempt(now, connection);
                }
            }
            Input::Offline => {
                self.online = false;
                // Not a socket the server is closing: its `close` event
                // (which the browser bounds) carries the server's code, a
                // stop or a try-later that abandoning it would lose.
                let peer_closing = matches!(
                    self.phase,
                    Phase::Open {
                        peer_closing: true,
                        ..
                    }
                );
                if !peer_closing && let Some((connection, opened_at)) = self.live_socket() {
                    self.abandon(
                        now,
                        connection,
                        opened_at,
                        CloseCause::Offline,
                        "the browser went offline",
                    );
                }
            }
            Input::Hidden => self.hidden = true,
            Input::Visible { send_buffered } => {
                let was_hidden = core::mem::replace(&mut self.hidden, false);
                match self.phase {
                    // Not while the browser socket is closing: a ping would
                    // be dropped.
                    Phase::Open {
                        connection,
                        peer_closing: false,
                        ..
                    } => {
                        let action = self
                            .heartbeat
                            .on_visible(now, self.send_buffer(send_buffered));
                        self.apply_heartbeat(now, connection, action);
                    }
                    // A hidden tab's timers are throttled, so a backoff wait
                    // that is over may not have fired yet: the user is back,
                    // try now. A wait that is not over (a 1013's try-later
                    // delay) still holds: a visible tab's timer fires on time.
                    Phase::Reconnecting { at, .. } if was_hidden && now >= at => {
                        self.start_attempt(now)
                    }
                    _ => {}
                }
            }
        }
    }

    fn on_url_resolved(&mut self, now: Millis, token: u64, url: Result<String, String>) {
        if !self.awaits_url(token) {
            return;
        }
        let Phase::Connecting { connection, .. } = self.phase else {
            return;
        };
        let checked = url.and_then(|url| {
            check_url(
                &url,
                self.config.require_secure,
                self.config.allow_insecure_localhost,
            )
            .map(|()| url)
            .map_err(|error| error.message())
        });
        match checked {
            Ok(url) => {
                self.url = UrlSource::Provider(url.clone());
                self.open_socket_in_phase(url);
            }
            Err(message) => {
                let message = self.redactor.redact_text(&message).into_owned();
                self.emit(Event::Error {
                    message: concat(&["urlProvider failed: ", &message]),
                });
                self.connection_failed(
                    now,
                    connection,
                    None,
                    ABNORMAL,
                    "urlProvider failed",
                    false,
                    CloseCause::UrlProvider,
                );
            }
        }
    }

    fn on_opened(&mut self, now: Millis, closing: bool) {
        let Phase::Connecting {
            connection,
            awaiting_url: false,
            ..
        } = self.phase
        else {
            return;
        };
        // An open connection proves the network works, whatever
        // `navigator.onLine` said: later failures count again.
        self.online = true;
        self.phase = Phase::Open {
            connection,
            opened_at: now,
            pinged: false,
            received: false,
            peer_closing: closing,
        };
        self.heartbeat.start(now);
        // Already closing: the replay, the queue and the requests wait for
        // the next connection; what the server sent is still delivered.
        let (keys, flushed) = if closing {
            (Vec::new(), 0)
        } else {
            self.send_on_open(now, connection)
        };
        let replayed = keys.len();
        self.emit_state_change(ConnectionState::Connecting);
        if replayed > 0 {
            self.emit(Event::Replay { keys, connection });
        }
        self.emit(Event::Open {
            connection,
            replayed,
            flushed,
        });
    }

    /// Sends what waited for a connection, in this order: the replay store,
    /// the queue, then requests sent on an earlier connection. Returns the
    /// replayed keys and how many queued messages went out.
    fn send_on_open(&mut self, now: Millis, connection: u32) -> (Vec<String>, usize) {
        let replay = self.replay.take_all_for_replay();
        let keys: Vec<String> = replay.iter().map(|(key, _)| key.clone()).collect();
        for (_, value) in replay {
            self.transmit(now, connection, value);
        }
        // A throttled tab's timer may not have failed an overdue request
        // yet: it must not go out now, after its time.
        self.expire_requests(now);
        let mut flushed = 0;
        while let Some(item) = self.queue.pop() {
            if let Some(handle) = item.request {
                self.requests.mark_sent(handle, connection, now);
            }
            self.transmit(now, connection, item.payload);
            flushed += 1;
        }
        for payload in self.requests.resend_on(connection, now) {
            self.transmit(now, connection, payload);
        }
        (keys, flushed)
    }

    fn on_message(&mut self, now: Millis, payload: P) {
        let connection = match &mut self.phase {
            Phase::Open {
                connection,
                received,
                ..
            } => {
                *received = true;
                *connection
            }
            Phase::Closing { connection, .. } => *connection,
            _ => return,
        };
        self.counters.messages_in += 1;
        self.counters.bytes_in += payload.size() as u64;
        self.inspector
            .record(Direction::In, now, connection, &payload);
        self.heartbeat.on_inbound();
        // Replies first: a reply shaped like a pong (`{"type":"pong","id":..}`)
        // answers its request, and the heartbeat's own pong is still awaited.
        if !self.requests.is_empty() {
            let id_field = &self.config.requests.id_field;
            let reply_id = match payload.member_without_text(id_field) {
                Member::Absent => None,
                Member::Text(id) => Some(RequestId::string(id)),
                Member::Unknown => payload.text().and_then(|text| {
                    json_scan::raw_field(&text, id_field).map(RequestId::from_raw)
                }),
            };
            // A reply after its request's deadline is too late, though a
            // throttled timer has not said so yet: the request fails with
            // `timeout` first (as a queued one past it is never sent), and
            // the reply goes to the app's listeners. Only for a message with
            // an id, which the browser's fast path never takes: one it takes
            // sets off nothing but its delivery.
            let reply = match reply_id {
                Some(id) => {
                    self.expire_requests(now);
                    self.requests.take_reply(&id, connection)
                }
                None => None,
            };
            if let Some(request) = reply {
                let latency_ms = now.since(request.sent_at);
                self.requests.latencies.add(latency_ms);
                if latency_ms > self.config.requests.slow_ms {
                    self.emit(Event::Slow {
                        id: request.id.text.clone(),
                        latency_ms,
                    });
                }
                self.emit(Event::Reply {
                    request: request.handle,
                    payload,
                    latency_ms,
                });
                return;
            }
        }
        if self.heartbeat.awaiting_pong() && self.is_pong(&payload) {
            if let Some(rtt_ms) = self.heartbeat.on_pong(now) {
                self.emit(Event::Heartbeat { rtt_ms });
            }
            if !self.config.heartbeat.deliver_pongs {
                return;
            }
        }
        self.outputs.push_back(Output::Deliver(payload));
    }

    fn is_pong(&self, payload: &P) -> bool {
        let heartbeat = &self.config.heartbeat;
        if let Some(pong_text) = &heartbeat.pong_text {
            // Sizes of text are UTF-16 code units (`Payload::size`).
            return payload.size() == utf16_len(pong_text)
                && payload
                    .text()
                    .is_some_and(|text| text == pong_text.as_str());
        }
        match &heartbeat.pong_type {
            Some(pong_type) if payload.size() <= MAX_PONG_SIZE => {
                payload.text().is_some_and(|text| {
                    json_scan::field_text(&text, "type").is_some_and(|t| t == pong_type.as_str())
                })
            }
            _ => false,
        }
    }

    fn on_closed(&mut self, now: Millis, code: u16, reason: &str, was_clean: bool) {
        match self.phase.clone() {
            Phase::Connecting {
                connection,
                awaiting_url: false,
                ..
            } => {
                self.connection_failed(
                    now,
                    connection,
                    None,
                    code,
                    reason,
                    was_clean,
                    CloseCause::Server,
                );
            }
            Phase::Open {
                connection,
                opened_at,
                ..
            } => {
                self.connection_failed(
                    now,
                    connection,
                    Some(opened_at),
                    code,
                    reason,
                    was_clean,
                    CloseCause::Server,
                );
            }
            Phase::Closing {
                connection, opened, ..
            } => {
                let reopen = self.finish_app_close(
                    ConnectionState::Closing,
                    connection,
                    code,
                    reason,
                    opened,
                    was_clean,
                );
                self.reopen_after_close(now, reopen);
            }
            _ => {}
        }
    }

    /// Fails the requests whose time is up (and takes them out of the queue).
    fn expire_requests(&mut self, now: Millis) {
        for request in self.requests.take_expired(now) {
            self.queue.remove_request(request.handle);
            self.emit(Event::RequestFailed {
                request: request.handle,
                reason: RequestFailure::Timeout,
            });
        }
    }

    fn on_timer(&mut self, now: Millis, send_buffered: u64) {
        self.expire_requests(now);
        match self.phase.clone() {
            Phase::Connecting {
                connection,
                deadline: Some(deadline),
                awaiting_url,
            } if now >= deadline => {
                if !awaiting_url {
                    self.detach_socket(TIMEOUT_CLOSE_CODE, "connect timeout");
                }
                self.url_token += 1;
                let reason = concat(&[
                    "connect timeout: no open within ",
                    &decimal(self.config.connect_timeout_ms),
                    " ms",
                ]);
                self.connection_failed(
                    now,
                    connection,
                    None,
                    ABNORMAL,
                    &reason,
                    false,
                    CloseCause::ConnectTimeout,
                );
            }
            Phase::Open {
                connection,
                peer_closing: false,
                ..
            } => {
                let action = self
                    .heartbeat
                    .on_timer(now, self.send_buffer(send_buffered));
                self.apply_heartbeat(now, connection, action);
                if let Phase::Open { .. } = self.phase {
                    for (_, value) in self.replay.take_due(now) {
                        self.transmit(now, connection, value);
                    }
                }
            }
            Phase::Closing {
                connection,
                deadline,
                code,
                reason,
                opened,
                ..
            } if now >= deadline => {
                self.detach_socket(code, &reason);
                let reopen = self.finish_app_close(
                    ConnectionState::Closing,
                    connection,
                    code,
                    &reason,
                    opened,
                    false,
                );
                self.reopen_after_close(now, reopen);
            }
            Phase::Reconnecting { at, .. } if now >= at => self.start_attempt(now),
            _ => {}
        }
    }

    /// The socket's send buffer as the heartbeat reads it: what the browser
    /// holds, beside what the engine has sent so far.
    fn send_buffer(&self, buffered: u64) -> SendBuffer {
        SendBuffer {
            buffered,
            bytes_out: self.counters.bytes_out,
        }
    }

    fn apply_heartbeat(&mut self, now: Millis, connection: u32, action: HeartbeatAction) {
        match action {
            HeartbeatAction::Idle => {}
            HeartbeatAction::SendPing { late } => {
                if late {
                    self.counters.late_wakeups += 1;
                }
                if let Phase::Open { pinged, .. } = &mut self.phase {
                    *pinged = true;
                }
                let ping = P::from_text(&self.config.heartbeat.message);
                self.transmit(now, connection, ping);
            }
            HeartbeatAction::PeerDead { waited_ms } => {
                if let Phase::Open { opened_at, .. } = self.phase {
                    let reason = concat(&[
                        "heartbeat timeout: no pong or message within ",
                        &decimal(waited_ms),
                        " ms of a ping",
                    ]);
                    self.detach_socket(TIMEOUT_CLOSE_CODE, "heartbeat timeout");
                    self.connection_failed(
                        now,
                        connection,
                        Some(opened_at),
                        ABNORMAL,
                        &reason,
                        false,
                        CloseCause::HeartbeatTimeout,
                    );
                }
            }
        }
    }

    // ----- transitions -----

    fn start_attempt(&mut self, now: Millis) {
        self.enter_attempt(now);
        self.ask_for_url();
    }

    /// Enters `Connecting` and reports it. A fixed URL's socket is asked for
    /// now; a provider's URL waits for [`Engine::ask_for_url`], so the
    /// provider runs after the app's listeners have heard of the attempt.
    fn enter_attempt(&mut self, now: Millis) {
        let from = self.state();
        let deadline =
            (self.config.connect_timeout_ms > 0).then(|| now + self.config.connect_timeout_ms);
        // Every attempt has its own number, also one that ends before its
        // provider's URL came: its `close` names it, not the connection
        // before it.
        self.connection += 1;
        match &self.url {
            UrlSource::Fixed(url) => {
                let url = url.clone();
                self.phase = Phase::Connecting {
                    connection: self.connection,
                    deadline,
                    awaiting_url: false,
                };
                self.open_socket_in_phase(url);
            }
            UrlSource::Provider(_) => {
                self.url_token += 1;
                self.phase = Phase::Connecting {
                    connection: self.connection,
                    deadline,
                    awaiting_url: true,
                };
            }
        }
        self.emit_state_change(from);
    }

    /// Asks the driver for the URL of the attempt [`Engine::enter_attempt`]
    /// began, if it awaits one.
    fn ask_for_url(&mut self) {
        if let Phase::Connecting {
            awaiting_url: true, ..
        } = self.phase
        {
            self.outputs.push_back(Output::ResolveUrl {
                token: self.url_token,
            });
        }
    }

    /// Asks for the socket of the attempt under way; the phase is already
    /// `Connecting`, with the attempt's number.
    fn open_socket_in_phase(&mut self, url: String) {
        if let Phase::Connecting {
            connection,
            awaiting_url,
            ..
        } = &mut self.phase
        {
            *awaiting_url = false;
            let connection = *connection;
            self.outputs
                .push_back(Output::OpenSocket { url, connection });
        }
    }

    /// The attempt or connection under way, with when it opened (if it
    /// did): the live socket's, or an attempt's still awaiting its
    /// provider's URL (no socket yet).
    fn attempt_under_way(&self) -> Option<(u32, Option<Millis>)> {
        match self.phase {
            Phase::Connecting {
                connection,
                awaiting_url: true,
                ..
            } => Some((connection, None)),
            _ => self.live_socket(),
        }
    }

    /// The socket that exists now, with when it opened (if it did).
    fn live_socket(&self) -> Option<(u32, Option<Millis>)> {
        match self.phase {
            Phase::Connecting {
                connection,
                awaiting_url: false,
                ..
            } => Some((connection, None)),
            Phase::Open {
                connection,
                opened_at,
                ..
            } => Some((connection, Some(opened_at))),
            _ => None,
        }
    }

    /// Abandons the live socket (detached) and handles it as a lost connection.
    fn abandon(
        &mut self,
        now: Millis,
        connection: u32,
        opened_at: Option<Millis>,
        cause: CloseCause,
        why: &str,
    ) {
        self.detach_socket(1000, why);
        self.connection_failed(now, connection, opened_at, ABNORMAL, why, false, cause);
    }

    /// Bookkeeping when a connection (opened or not) is gone. The flapping
    /// detector hears of every opened connection here, once: a lasting one
    /// ends any flapping however it ended (the app's close, offline), as
    /// stats() said while it lasted; a short one counts only when
    /// `short_counts`. Returns the flapping count to report, if any.
    fn connection_ended(
        &mut self,
        now: Millis,
        connection: u32,
        opened_at: Option<Millis>,
        short_counts: bool,
    ) -> Option<u32> {
        self.heartbeat.stop();
        let mut flapping = None;
        if let Some(opened_at) = opened_at {
            let open_ms = now.since(opened_at);
            self.counters.total_uptime_ms += open_ms;
            flapping = self.flapping.on_connection_ended(open_ms, short_counts);
            // A flapping connection never resets the backoff, whatever
            // resetAfterMs says: its delays keep growing.
            if open_ms >= self.config.reconnect.reset_after_ms && !self.flapping.is_flapping() {
                self.reset_attempts();
            }
        }
        match self.config.requests.on_reconnect {
            PendingOnReconnect::Fail => {
                for request in self.requests.take_sent_on(connection) {
                    self.emit(Event::RequestFailed {
                        request: request.handle,
                        reason: RequestFailure::ConnectionLost,
                    });
                }
            }
            PendingOnReconnect::Resend => self.requests.mark_for_resend(connection),
        }
        flapping
    }

    /// A connection or attempt ended without the app asking: decide between
    /// retrying with backoff and stopping.
    #[allow(clippy::too_many_arguments)]
    fn connection_failed(
        &mut self,
        now: Millis,
        connection: u32,
        opened_at: Option<Millis>,
        code: u16,
        reason: &str,
        was_clean: bool,
        cause: CloseCause,
    ) {
        let from = self.state();
        let (pinged, received) = match self.phase {
            Phase::Open {
                pinged, received, ..
            } => (pinged, received),
            _ => (false, false),
        };
        // A short connection that ended while the browser is offline
        // (dropped by the SDK, or lost with the network) says nothing of
        // the server: it does not count as flapping.
        let flapping = self.connection_ended(now, connection, opened_at, self.online);
        let opened = opened_at.is_some();
        // While the browser is offline, failing attempts are expected: they
        // are reported as `offline` and not counted against `maxAttempts` (so
        // the socket is still there when the network is back); the backoff
        // still grows to its cap, and a wrong `navigator.onLine` still
        // reconnects.
        let offline = !self.online;
        let cause = if offline && matches!(cause, CloseCause::Server | CloseCause::ConnectTimeout) {
            CloseCause::Offline
        } else {
            cause
        };
        // The app's `closeCodes` rules judge what the server did. A 1006
        // while the browser is offline, or for a failing URL provider, says
        // nothing of it: those retry on the backoff by the code's own
        // policy, as documented, whatever a rule on 1006 says (a close
        // frame's own code is still judged by the rules).
        let code_policy = CloseCode(code);
        let not_the_servers = code == ABNORMAL && (offline || cause == CloseCause::UrlProvider);
        let interpretation = if cause == CloseCause::Refused {
            refused_by_the_browser()
        } else if cause == CloseCause::UrlProvider && code == ABNORMAL {
            url_provider_failed()
        } else if not_the_servers {
            code_policy.interpret(opened)
        } else {
            self.close_policy.interpret(code_policy, opened)
        };
        let exhausted = !offline
            && self
                .config
                .reconnect
                .max_attempts
                .is_some_and(|max| self.attempt.saturating_sub(self.offline_attempts) >= max);
        let retry = self.config.reconnect.enabled
            && !self.reconnect_stopped
            && interpretation.action != CloseAction::Stop
            && !exhausted;
        let delay_ms = retry.then(|| {
            let delay = self.backoff.delay(self.attempt);
            if !CloseCode(code).longer_backoff() {
                return delay;
            }
            // "Try later": the backoff's (jittered) delay on top of the
            // least wait, so that clients the server sent away together do
            // not all come back at the same moment. Not capped at
            // maxDelayMs: a cap would land every client whose sum reaches it
            // on the same millisecond (all of them when tryLaterDelayMs >=
            // maxDelayMs), the burst the jitter is for.
            self.config
                .reconnect
                .try_later_delay_ms
                .saturating_add(delay)
        });
        // A wait the server asked for, which coming back online must not
        // cut short (none when tryLaterDelayMs is 0: a plain backoff).
        let try_later =
            CloseCode(code).longer_backoff() && self.config.reconnect.try_later_delay_ms > 0;
        let action = interpretation.action;
        let report = CloseReport {
            code,
            reason: self.redactor.redact_text(reason).into_owned(),
            was_clean,
            opened,
            cause,
            interpretation,
            will_reconnect: retry,
            delay_ms,
            connection,
        };
        match delay_ms {
            Some(delay_ms) => {
                // Not counted: a retry that failed to open while offline
                // (counted when it failed, not when it was scheduled: one
                // scheduled offline and made once back online counts).
                self.offline_attempts += u32::from(offline && !opened && self.attempt > 0);
                self.attempt += 1;
                self.counters.reconnects += 1;
                self.phase = Phase::Reconnecting {
                    at: now + delay_ms,
                    try_later,
                };
            }
            None => {
                self.phase = Phase::Closed;
                self.fail_all_requests(RequestFailure::Closed);
            }
        }
        // In this order: statechange, close, then what follows from it.
        self.emit_state_change(from);
        self.report_close(report);
        if let Some(count) = flapping {
            self.emit(Event::Flapping {
                count,
                likely_causes: likely_causes(code, pinged, received),
            });
        }
        // Whether a retry follows or not: an app that asks for new
        // credentials on `reauth` must hear of it when no attempt is left.
        if action == CloseAction::Reauth {
            self.emit(Event::Reauth { code });
        }
        if let Some(delay_ms) = delay_ms {
            self.emit(Event::Reconnecting {
                attempt: self.attempt,
                delay_ms,
            });
        }
    }

    /// Ends the app's close: state `closed`, the close reported. Returns
    /// whether to connect again: `connect()` was called while closing, and
    /// some handle on the socket is left (nothing could close what it would
    /// open). Requests made after that `connect()` are then kept for it.
    fn finish_app_close(
        &mut self,
        from: ConnectionState,
        connection: u32,
        code: u16,
        reason: &str,
        opened: bool,
        was_clean: bool,
    ) -> bool {
        let reopen =
            matches!(self.phase, Phase::Closing { reopen: true, .. }) && !self.reconnect_stopped;
        self.phase = Phase::Closed;
        if !reopen {
            self.fail_all_requests(RequestFailure::Closed);
        }
        self.emit_state_change(from);
        let report =
            self.closed_by_app(CloseCause::App, connection, code, reason, opened, was_clean);
        // The `connect()` made meanwhile follows at once, as after a
        // `reconnect()` during the close.
        self.report_close(if reopen {
            followed_by_a_connect(report)
        } else {
            report
        });
        reopen
    }

    /// The report of a close the app asked for (`close()` or `dispose()`):
    /// the code named, with a hint saying the app closed it; the action is stop.
    fn closed_by_app(
        &self,
        cause: CloseCause,
        connection: u32,
        code: u16,
        reason: &str,
        opened: bool,
        was_clean: bool,
    ) -> CloseReport {
        let mut interpretation = CloseCode(code).interpret(opened);
        interpretation.action = CloseAction::Stop;
        // The code's own hint speaks of a server's close.
        interpretation.hint = "closed by this app (close() or dispose()); no reconnect until connect() or reconnect()";
        CloseReport {
            code,
            reason: self.redactor.redact_text(reason).into_owned(),
            was_clean,
            opened,
            cause,
            interpretation,
            will_reconnect: false,
            delay_ms: None,
            connection,
        }
    }

    fn fail_all_requests(&mut self, reason: RequestFailure) {
        for request in self.requests.take_all() {
            self.queue.remove_request(request.handle);
            self.emit(Event::RequestFailed {
                request: request.handle,
                reason,
            });
        }
    }

    // ----- helpers -----

    fn check_size(&self, payload: &P) -> Result<(), SendError> {
        let size = payload.size();
        let max = usize::try_from(self.config.max_message_bytes).unwrap_or(usize::MAX);
        if size > max {
            return Err(SendError::TooLarge { size, max });
        }
        Ok(())
    }

    fn enqueue(&mut self, payload: P, request: Option<u64>) -> Result<(), SendError> {
        let evicted = self.queue.push(payload, request)?;
        if !evicted.is_empty() {
            for handle in evicted.iter().filter_map(|item| item.request) {
                // A request whose message was dropped can never be answered.
                if self.requests.take_handle(handle).is_some() {
                    self.emit(Event::RequestFailed {
                        request: handle,
                        reason: RequestFailure::QueueOverflow,
                    });
                }
            }
            self.emit(Event::QueueOverflow {
                dropped: evicted.len(),
            });
        }
        Ok(())
    }

    /// Closes the socket and lets it go at once: its listeners are removed and
    /// no `Closed` input is expected for it.
    fn detach_socket(&mut self, code: u16, reason: &str) {
        self.outputs.push_back(Output::CloseSocket {
            code,
            reason: reason.to_owned(),
            detach: true,
        });
    }

    /// The connection a message goes out on now: the open one, unless its
    /// browser socket is already closing ([`Input::SocketClosing`]).
    fn sending_connection(&self) -> Option<u32> {
        match self.phase {
            Phase::Open {
                connection,
                peer_closing: false,
                ..
            } => Some(connection),
            _ => None,
        }
    }

    fn transmit(&mut self, now: Millis, connection: u32, payload: P) {
        self.book_transmit(now, connection, &payload);
        self.outputs.push_back(Output::Send(payload));
    }

    /// What sending a message changes in the engine: counters, inspector.
    fn book_transmit(&mut self, now: Millis, connection: u32, payload: &P) {
        self.count_transmit(payload);
        self.inspector
            .record(Direction::Out, now, connection, payload);
    }

    fn count_transmit(&mut self, payload: &P) {
        self.counters.messages_out += 1;
        self.counters.bytes_out += payload.size() as u64;
    }

    fn report_close(&mut self, report: CloseReport) {
        self.last_close = Some(report.clone());
        self.emit(Event::Close(report));
    }

    fn emit_state_change(&mut self, from: ConnectionState) {
        let to = self.state();
        if from != to {
            self.emit(Event::StateChange { from, to });
        }
    }

    fn emit(&mut self, event: Event<P>) {
        self.outputs.push_back(Output::Event(event));
    }
}

impl<P: Payload> EngineReadout<P> for Engine<P> {
    fn state(&self) -> ConnectionState {
        Engine::state(self)
    }

    fn url_for_display(&self) -> String {
        Engine::url_for_display(self)
    }

    fn last_close(&self) -> Option<&CloseReport> {
        Engine::last_close(self)
    }

    fn stats(&self, now: Millis) -> Stats {
        Engine::stats(self, now)
    }

    fn inspector(&self) -> &Inspector<P> {
        Engine::inspector(self)
    }

    fn inspector_mut(&mut self) -> &mut Inspector<P> {
        Engine::inspector_mut(self)
    }

    fn redactor(&self) -> &Redactor {
        Engine::redactor(self)
    }
}
