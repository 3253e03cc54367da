//! The fault matrix in a real browser, against the fault server: rejected
//! upgrades (404, 500), every close code the app configured plus the
//! default stop codes, 1001/1011/1012/1013, a connection closed right after
//! open twenty times, a flood of 100,000 messages, an oversized send,
//! invalid JSON and binary frames during a pending request, frames the
//! browser refuses (not UTF-8, a reserved opcode), `close()` while
//! connecting, during a backoff and twice, and two sockets to one URL.
//!
//! Rows covered elsewhere (server restart, 4003/4004, 1006 hints, 403,
//! handshake timeout, heartbeat, replay and queue order, dispose, restart
//! storm, online/offline) are in `browser_reconnect.rs`,
//! `browser_timeouts.rs` and `browser_lifecycle.rs`; docs/RELIABILITY.md
//! maps every row to its test.
//!
//! Every test checks, where messages are involved, that what the app sent
//! reached the server exactly once and in order (`/clients/<id>/received`),
//! and that the client never had two live browser sockets: [`Census`] wraps
//! `WebSocket` and counts sockets per URL path.
#![cfg(target_arch = "wasm32")]

mod browser_support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use browser_support::{
    CLOCK_GRANULARITY_MS, Events, LISTENER_SLACK_MS, TIMER_MARGIN_MS, Watched, client_id, control,
    field, json, now_ms, number, received_on, run_js, server_stats, sleep, text, url,
    wait_for_stats, wait_until_received, within,
};
use futures::StreamExt;
use js_sys::{Array, Function, JSON, Reflect};
use resilient_ws::{ResilientSocket, SocketInspector};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::MessageEvent;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const NativeWebSocket = globalThis.WebSocket;

// Wraps WebSocket and counts, per URL path (one fault-server client id per
// path), the sockets created and the most that were CONNECTING or OPEN at
// once (checked each time one is created).
export class Census {
  constructor() {
    const census = this;
    this.paths = new Map();
    globalThis.WebSocket = class CensusWebSocket extends NativeWebSocket {
      constructor(...args) {
        super(...args);
        const path = new URL(this.url).pathname;
        let entry = census.paths.get(path);
        if (!entry) {
          entry = { sockets: [], maxLive: 0 };
          census.paths.set(path, entry);
        }
        entry.sockets.push(this);
        const live = entry.sockets.filter((ws) => ws.readyState <= NativeWebSocket.OPEN).length;
        entry.maxLive = Math.max(entry.maxLive, live);
      }
    };
  }
  created(path) {
    const entry = this.paths.get(path);
    return entry ? entry.sockets.length : 0;
  }
  maxLive(path) {
    const entry = this.paths.get(path);
    return entry ? entry.maxLive : 0;
  }
  live(path) {
    const entry = this.paths.get(path);
    return entry ? entry.sockets.filter((ws) => ws.readyState <= NativeWebSocket.OPEN).length : 0;
  }
  uninstall() {
    globalThis.WebSocket = NativeWebSocket;
  }
}
"#)]
extern "C" {
    /// Counts browser sockets per URL path until [`Census::uninstall`].
    type Census;

    #[wasm_bindgen(constructor)]
    fn install() -> Census;

    /// Browser sockets created for `path` since install.
    #[wasm_bindgen(method)]
    fn created(this: &Census, path: &str) -> u32;

    /// Most sockets for `path` CONNECTING or OPEN at once.
    #[wasm_bindgen(method, js_name = maxLive)]
    fn max_live(this: &Census, path: &str) -> u32;

    /// Sockets for `path` CONNECTING or OPEN now.
    #[wasm_bindgen(method)]
    fn live(this: &Census, path: &str) -> u32;

    #[wasm_bindgen(method)]
    fn uninstall(this: &Census);
}

/// The URL path of client `id` (what [`Census`] counts by).
fn path(id: &str) -> String {
    format!("/ws/{id}")
}

/// What the running test made: its census and sockets.
#[derive(Default)]
struct Leftovers {
    census: Option<Rc<Census>>,
    sockets: Vec<Rc<ResilientSocket>>,
}

thread_local! {
    /// A failed test panics without unwinding, so the next test cleans up
    /// after it.
    static LEFTOVERS: RefCell<Leftovers> = RefCell::new(Leftovers::default());
}

fn clean_up() {
    let leftovers = LEFTOVERS.with(|leftovers| std::mem::take(&mut *leftovers.borrow_mut()));
    for socket in leftovers.sockets {
        socket.dispose().unwrap();
    }
    if let Some(census) = leftovers.census {
        census.uninstall();
    }
}

/// `new ResilientSocket(url, options)`, disposed when the test ends (or,
/// if it fails, when the next one starts).
fn make_socket(url: String, options: JsValue) -> Rc<ResilientSocket> {
    let socket = Rc::new(ResilientSocket::new(url, options).expect("valid options"));
    LEFTOVERS.with(|leftovers| leftovers.borrow_mut().sockets.push(socket.clone()));
    socket
}

/// Runs `body` with a [`Census`] installed, failing after `ms`; cleans up
/// what an earlier failed test left, and what this one made.
async fn with_census<F, Fut>(name: &str, ms: u32, body: F)
where
    F: FnOnce(Rc<Census>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    clean_up();
    let census = Rc::new(Census::install());
    LEFTOVERS.with(|leftovers| leftovers.borrow_mut().census = Some(census.clone()));
    within(ms, name, body(census)).await;
    clean_up();
}

/// The message of the `Error` a call threw.
fn error_message(error: JsValue) -> String {
    error
        .dyn_into::<js_sys::Error>()
        .expect("an Error")
        .message()
        .into()
}

/// The `data` of a message event, as text.
fn data_text(event: &JsValue) -> String {
    event
        .unchecked_ref::<MessageEvent>()
        .data()
        .as_string()
        .expect("a text message")
}

/// The `to` of every state change that already arrived.
fn states_seen(states: &mut Events) -> Vec<String> {
    states
        .drain()
        .iter()
        .map(|change| text(change, "to"))
        .collect()
}

/// The texts the server received from `id`, in order, with their
/// connection numbers, without waiting.
/// `inspector.exportJson()`, parsed.
fn exported(inspector: &SocketInspector) -> Array {
    let text = inspector.export_json(JsValue::UNDEFINED).unwrap();
    Array::from(&JSON::parse(&text.as_string().unwrap()).unwrap())
}

async fn received(id: &str) -> Vec<(u32, String)> {
    browser_support::server_received(id).await
}

// ----- upgrade rejected ------------------------------------------------------

#[wasm_bindgen_test]
async fn upgrades_rejected_with_404_and_500_close_as_1006_before_open_and_are_retried() {
    with_census("404/500", 6_000, |census| async move {
        let options =
            || json(r#"{"reconnect":{"initialDelayMs":50,"maxDelayMs":100,"jitter":"none"}}"#);
        let mut clients = Vec::new();
        for status in [404, 500] {
            let id = client_id(&format!("reject-{status}"));
            let socket = make_socket(url(&id, &format!("reject={status}")), options());
            let closes = Events::listen(&socket, "close");
            let reconnecting = Events::listen(&socket, "reconnecting");
            let opens = Events::listen(&socket, "open");
            // Queued while the upgrade keeps failing; must never be sent
            // (nothing was accepted by a server) nor lost from the queue.
            assert!(!socket.send(format!("queued-{status}").into()).unwrap());
            clients.push((status, id, socket, closes, reconnecting, opens));
        }
        for (status, id, socket, closes, reconnecting, opens) in &mut clients {
            for attempt in 1..=3u32 {
                let close = closes.next().await;
                assert_eq!(field(&close, "code"), 1006, "{status}");
                assert_eq!(field(&close, "opened"), false, "{status}");
                assert_eq!(field(&close, "wasClean"), false, "{status}");
                assert_eq!(field(&close, "category"), "abnormal");
                assert_eq!(field(&close, "action"), "retry", "{status}: default policy");
                assert_eq!(field(&close, "willReconnect"), true, "{status}");
                assert_eq!(field(&close, "connection"), attempt, "{status}: new socket");
                let hint = text(&close, "hint");
                assert!(
                    hint.contains("handshake never completed"),
                    "{status}: {hint}"
                );
                let scheduled = reconnecting.next().await;
                assert_eq!(field(&scheduled, "attempt"), attempt, "{status}");
                let expected = (50.0 * 2f64.powi(attempt as i32 - 1)).min(100.0);
                assert_eq!(number(&scheduled, "delayMs"), expected, "{status}");
            }
            assert!(opens.drain().is_empty(), "{status}: never opened");
            assert_eq!(
                field(&socket.stats().unwrap(), "queued"),
                1,
                "{status}: still queued"
            );
            let stats = server_stats(id).await;
            assert_eq!(field(&stats, "connections"), 0, "{status}: none accepted");
            assert_eq!(field(&stats, "count"), 0, "{status}: nothing sent");
            assert!(census.created(&path(id)) >= 3, "{status}");
            assert_eq!(
                census.max_live(&path(id)),
                1,
                "{status}: one socket at a time"
            );
            socket.dispose().unwrap();
        }
    })
    .await;
}

// ----- application close codes -----------------------------------------------

/// What a close code must lead to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Stop,
    Retry,
    /// Retry, after a `reauth` event (credentials refused).
    Reauth,
}

/// One client closed by the server with an application code.
struct CodeCase {
    code: u16,
    expect: Expect,
    id: String,
    socket: Rc<ResilientSocket>,
    opens: Events,
    closes: Events,
    states: Events,
    reauths: Events,
}

#[wasm_bindgen_test]
async fn every_configured_application_close_code_and_the_default_stop_codes_are_obeyed() {
    with_census("app close codes", 6_000, |census| async move {
        // The app's policy: 4100 stops, 4101-4199 retry. The convention's
        // defaults stay: 4000/4002/4003/4004 stop, 4001 (unauthorized)
        // retries after a `reauth` event.
        let options = || {
            json(
                r#"{"reconnect":{"initialDelayMs":50,"jitter":"none"},
                    "closeCodes":[{"code":4101,"to":4199,"action":"retry"},
                                  {"code":4100,"action":"stop"}]}"#,
            )
        };
        let table = [
            (4100, Expect::Stop),
            (4101, Expect::Retry),
            (4150, Expect::Retry),
            (4199, Expect::Retry),
            (4000, Expect::Stop),
            (4001, Expect::Reauth),
            (4002, Expect::Stop),
            (4003, Expect::Stop),
            (4004, Expect::Stop),
        ];
        let mut cases = Vec::new();
        for (code, expect) in table {
            let id = client_id(&format!("app-code-{code}"));
            // Only the first connection is closed with the code (150 ms after
            // open, once the queued message arrived); a retry gets a plain
            // echo connection.
            control(
                "POST",
                &format!("/clients/{id}/next?close={code}&reason=app%20{code}&after_ms=150"),
            )
            .await;
            let socket = make_socket(url(&id, ""), options());
            let case = CodeCase {
                code,
                expect,
                opens: Events::listen(&socket, "open"),
                closes: Events::listen(&socket, "close"),
                states: Events::listen(&socket, "statechange"),
                reauths: Events::listen(&socket, "reauth"),
                id,
                socket,
            };
            assert!(!case.socket.send(format!("hello-{code}").into()).unwrap());
            cases.push(case);
        }

        for case in &mut cases {
            let (code, id, socket) = (case.code, case.id.as_str(), &case.socket);
            assert_eq!(field(&case.opens.next().await, "connection"), 1, "{code}");
            let close = case.closes.next().await;
            assert_eq!(field(&close, "code"), code);
            assert_eq!(text(&close, "reason"), format!("app {code}"));
            assert_eq!(field(&close, "cause"), "server");
            assert_eq!(field(&close, "opened"), true);
            assert_eq!(field(&close, "category"), "application", "{code}");
            assert!(!text(&close, "hint").is_empty());
            let action = match case.expect {
                Expect::Stop => "stop",
                Expect::Retry => "retry",
                Expect::Reauth => "reauth",
            };
            assert_eq!(field(&close, "action"), action, "{code}");
            if case.expect == Expect::Stop {
                assert_eq!(field(&close, "willReconnect"), false, "{code}");
                assert!(field(&close, "delayMs").is_null(), "{code}");
                assert_eq!(socket.state(), "closed", "{code}");
                let late = socket.send("after-stop".into());
                assert!(late.is_err(), "{code}: send after a stop throws");
            } else {
                assert_eq!(field(&close, "willReconnect"), true, "{code}");
                assert_eq!(field(&close, "delayMs"), 50, "{code}");
                let open = case.opens.next().await;
                assert_eq!(field(&open, "connection"), 2, "{code}");
                socket.send(format!("again-{code}").into()).unwrap();
                wait_until_received(id, &format!("again-{code}")).await;
            }
            // The queued message went out once, before the close.
            assert_eq!(
                received_on(id, 1).await,
                [format!("hello-{code}")],
                "{code}: flushed once on connection 1"
            );
        }

        // Five first-retry delays later, no stop code has tried again.
        sleep(5 * 50).await;
        for case in &mut cases {
            let (code, id, socket) = (case.code, case.id.as_str(), &case.socket);
            let stats = server_stats(id).await;
            let reauths = case.reauths.drain();
            if case.expect == Expect::Reauth {
                assert_eq!(reauths.len(), 1, "{code}: one reauth event");
                assert_eq!(field(&reauths[0], "code"), code);
            } else {
                assert!(reauths.is_empty(), "{code}: no reauth event");
            }
            if case.expect == Expect::Stop {
                assert_eq!(field(&stats, "connections"), 1, "{code}: no new connection");
                assert_eq!(census.created(&path(id)), 1, "{code}: no new socket");
                assert_eq!(
                    states_seen(&mut case.states),
                    ["connecting", "open", "closed"],
                    "{code}"
                );
                assert!(case.closes.drain().is_empty(), "{code}: one close event");
                assert!(case.opens.drain().is_empty(), "{code}");
                assert_eq!(field(&socket.stats().unwrap(), "reconnects"), 0, "{code}");
            } else {
                assert_eq!(field(&stats, "connections"), 2, "{code}");
                assert_eq!(field(&stats, "open"), 1, "{code}");
                assert_eq!(socket.state(), "open", "{code}");
                assert_eq!(
                    received_on(id, 2).await,
                    [format!("again-{code}")],
                    "{code}: nothing sent twice"
                );
            }
            assert_eq!(
                census.max_live(&path(id)),
                1,
                "{code}: one socket at a time"
            );
            socket.dispose().unwrap();
        }
    })
    .await;
}

// ----- 1001, 1011, 1012, 1013 ------------------------------------------------

/// Opens a client, has the server close it with `code`, and checks that it
/// reconnects after `expected_delay_ms` (scheduled and observed), with the
/// message queued in between sent once on the new connection.
async fn a_server_close_is_retried_after(
    census: &Census,
    code: u16,
    category: &str,
    options: &str,
    expected_delay_ms: f64,
) {
    let id = client_id(&format!("server-{code}"));
    let socket = make_socket(url(&id, ""), json(options));
    let mut opens = Events::listen(&socket, "open");
    let mut closes = Events::listen(&socket, "close");
    let mut states = Events::listen(&socket, "statechange");
    let mut reconnecting = Events::listen(&socket, "reconnecting");
    opens.next().await;
    states.next_to("open").await; // the first attempt's transitions
    socket.send(format!("before-{code}").into()).unwrap();
    wait_until_received(&id, &format!("before-{code}")).await;

    let answer = control("POST", &format!("/clients/{id}/close?code={code}&reason=r")).await;
    assert_eq!(field(&answer, "connections"), 1);
    let (close, closed_at) = closes.next_timed().await;
    assert_eq!(field(&close, "code"), code);
    assert_eq!(field(&close, "reason"), "r");
    assert_eq!(field(&close, "cause"), "server");
    assert_eq!(field(&close, "wasClean"), true, "{code}");
    assert_eq!(field(&close, "category"), category, "{code}");
    assert_eq!(field(&close, "action"), "retry", "{code}");
    assert_eq!(field(&close, "willReconnect"), true, "{code}");
    assert_eq!(number(&close, "delayMs"), expected_delay_ms, "{code}");
    let scheduled = reconnecting.next().await;
    assert_eq!(field(&scheduled, "attempt"), 1);
    assert_eq!(number(&scheduled, "delayMs"), expected_delay_ms, "{code}");
    assert!(
        !socket.send(format!("during-{code}").into()).unwrap(),
        "queued"
    );

    let (_, attempt_at) = states.next_to("connecting").await;
    let waited = attempt_at - closed_at;
    assert!(
        waited + LISTENER_SLACK_MS >= expected_delay_ms
            && waited <= expected_delay_ms + TIMER_MARGIN_MS,
        "{code}: the attempt came {waited} ms after the close, delay {expected_delay_ms} ms"
    );
    let open = opens.next().await;
    assert_eq!(field(&open, "connection"), 2);
    assert_eq!(field(&open, "flushed"), 1);
    wait_until_received(&id, &format!("during-{code}")).await;
    assert_eq!(received_on(&id, 1).await, [format!("before-{code}")]);
    assert_eq!(received_on(&id, 2).await, [format!("during-{code}")]);
    assert_eq!(census.max_live(&path(&id)), 1, "{code}");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn going_away_1001_and_internal_error_1011_reconnect_on_the_normal_backoff() {
    with_census("1001/1011", 6_000, |census| async move {
        let options =
            r#"{"reconnect":{"initialDelayMs":80,"jitter":"none","tryLaterDelayMs":300}}"#;
        a_server_close_is_retried_after(&census, 1001, "goingAway", options, 80.0).await;
        a_server_close_is_retried_after(&census, 1011, "serverError", options, 80.0).await;
    })
    .await;
}

#[wasm_bindgen_test]
async fn service_restart_1012_and_try_again_later_1013_wait_the_try_later_delay_plus_backoff() {
    with_census("1012/1013", 6_000, |census| async move {
        // tryLaterDelayMs plus the backoff's delay (50, no jitter here).
        let options =
            r#"{"reconnect":{"initialDelayMs":50,"jitter":"none","tryLaterDelayMs":300}}"#;
        a_server_close_is_retried_after(&census, 1012, "temporary", options, 350.0).await;
        a_server_close_is_retried_after(&census, 1013, "temporary", options, 350.0).await;
    })
    .await;
}

// ----- close right after open, 20 times --------------------------------------

#[wasm_bindgen_test]
async fn closed_right_after_open_twenty_times_reports_flapping_with_growing_delays_and_no_storm() {
    with_census("flapping x20", 8_000, |census| async move {
        const CONNECTIONS: u32 = 20;
        let id = client_id("flap-20");
        let options = json(
            r#"{"reconnect":{"initialDelayMs":10,"multiplier":1.25,"maxDelayMs":150,"jitter":"none"},
                "flapping":{"threshold":3}}"#,
        );
        let started_at = now_ms();
        let socket = make_socket(url(&id, "close=1000&after_ms=0"), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        let mut reconnecting = Events::listen(&socket, "reconnecting");
        let mut flapping = Events::listen(&socket, "flapping");
        let mut states = Events::listen(&socket, "statechange");

        // Each retry: the scheduled delay, and how long the socket really
        // waited (close event to the next `connecting`).
        let mut retries = Vec::new();
        states.next_to("connecting").await; // the first attempt, not a retry
        for connection in 1..=CONNECTIONS {
            let open = opens.next().await;
            assert_eq!(field(&open, "connection"), connection);
            let (close, closed_at) = closes.next_timed().await;
            assert_eq!(field(&close, "code"), 1000);
            assert_eq!(field(&close, "opened"), true);
            assert_eq!(field(&close, "willReconnect"), true);
            if connection == CONNECTIONS {
                break;
            }
            let scheduled = reconnecting.next().await;
            assert_eq!(field(&scheduled, "attempt"), connection, "never reset");
            let (_, attempt_at) = states.next_to("connecting").await;
            retries.push((number(&scheduled, "delayMs"), attempt_at - closed_at));
        }
        let elapsed = now_ms() - started_at;
        assert_eq!(field(&socket.stats().unwrap(), "flapping"), true);
        socket.dispose().unwrap();

        let report = flapping.next().await;
        assert!(number(&report, "count") >= 3.0);
        assert!(Array::from(&field(&report, "likelyCauses")).length() > 0);

        // Delays follow min(150, 10 * 1.25^n): they grow until the cap and
        // never fall back; each one was really waited.
        let delays: Vec<f64> = retries.iter().map(|(delay, _)| *delay).collect();
        for (index, pair) in delays.windows(2).enumerate() {
            assert!(
                pair[1] > pair[0] || pair[1] == 150.0,
                "delay {} did not grow: {delays:?}",
                index + 1
            );
        }
        assert_eq!(delays.first(), Some(&10.0), "{delays:?}");
        assert_eq!(delays.last(), Some(&150.0), "{delays:?}");
        for (delay, waited) in &retries {
            assert!(
                waited + LISTENER_SLACK_MS >= *delay && *waited <= delay + TIMER_MARGIN_MS,
                "waited {waited} ms for a {delay} ms delay: {retries:?}"
            );
        }
        // No storm: the server saw exactly one connection per attempt, and
        // the attempts took at least the sum of the delays.
        let total_delay: f64 = delays.iter().sum();
        assert!(
            elapsed + LISTENER_SLACK_MS + CLOCK_GRANULARITY_MS * delays.len() as f64 >= total_delay,
            "{CONNECTIONS} connections in {elapsed} ms, delays sum to {total_delay} ms"
        );
        let stats = wait_for_stats(&id, "the last connection closed", |stats| {
            field(stats, "open") == 0
        })
        .await;
        assert_eq!(field(&stats, "connections"), CONNECTIONS, "one per attempt");
        assert_eq!(census.created(&path(&id)), CONNECTIONS);
        assert_eq!(census.max_live(&path(&id)), 1, "one socket at a time");
    })
    .await;
}

// ----- a socket already closing when its open arrives ------------------------

#[wasm_bindgen_test]
async fn a_socket_already_closing_when_its_open_arrives_gets_no_queued_message() {
    // A page whose events were held (frozen, paused in a debugger) can get a
    // socket's `open` after its close began: readyState CLOSING. What waits
    // in the queue must not go into it (the browser drops it) but out on
    // the next connection (what the server sent before its close is still
    // delivered: sim `an_open_that_comes_after_the_close_began_...`). Here
    // the first socket closes itself in an `open` listener that runs before
    // the SDK's `onopen`.
    with_census("closing at open", 6_000, |census| async move {
        let id = client_id("closing-at-open");
        run_js(
            "const Base = globalThis.WebSocket; let first = true;
             globalThis.WebSocket = class extends Base {
               constructor(...args) {
                 super(...args);
                 if (first) { first = false; this.addEventListener('open', () => this.close()); }
               }
             };
             globalThis.__closingAtOpenBase = Base;",
        );
        let options = json(r#"{"reconnect":{"initialDelayMs":20,"jitter":"none"}}"#);
        let socket = make_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        assert!(!socket.send("queued-1".into()).unwrap(), "queued");
        assert!(!socket.send("queued-2".into()).unwrap(), "queued");
        let open = opens.next().await;
        assert_eq!(field(&open, "connection"), 1);
        assert_eq!(
            field(&open, "flushed"),
            0,
            "nothing sent into a closing socket"
        );
        let close = closes.next().await;
        run_js("globalThis.WebSocket = globalThis.__closingAtOpenBase");
        assert_eq!(field(&close, "willReconnect"), true);
        let open = opens.next().await;
        assert_eq!(field(&open, "connection"), 2);
        assert_eq!(field(&open, "flushed"), 2);
        assert_eq!(
            wait_until_received(&id, "queued-2").await,
            [(2, "queued-1".to_owned()), (2, "queued-2".to_owned())]
        );
        assert_eq!(census.max_live(&path(&id)), 1);
    })
    .await;
}

// ----- flood -----------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_flood_of_100000_messages_arrives_whole_in_order_and_the_inspector_stays_capped() {
    with_census("flood", 15_000, |census| async move {
        const COUNT: u32 = 100_000;
        const MAX_ENTRIES: u32 = 1_000;
        const MAX_BYTES: f64 = 16_384.0;
        let id = client_id("flood");
        let options = json(
            r#"{"heartbeat":{"intervalMs":0},
                "inspector":{"maxEntries":1000,"maxBytes":16384}}"#,
        );
        // Count in a plain `onmessage` handler: every message, in order.
        let next_index = Rc::new(Cell::new(0u32));
        let out_of_order = Rc::new(RefCell::new(None::<(u32, String)>));
        let echoes = Rc::new(RefCell::new(Vec::new()));
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<()>();
        let done_tx = RefCell::new(Some(done_tx));
        let handler = {
            let (next_index, out_of_order, echoes) =
                (next_index.clone(), out_of_order.clone(), echoes.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data().as_string().unwrap_or_default();
                let expected = next_index.get();
                if expected < COUNT {
                    let index = data.split(':').next().and_then(|i| i.parse::<u32>().ok());
                    if index != Some(expected) && out_of_order.borrow().is_none() {
                        *out_of_order.borrow_mut() = Some((expected, data.clone()));
                    }
                    next_index.set(expected + 1);
                    if expected + 1 == COUNT
                        && let Some(tx) = done_tx.borrow_mut().take()
                    {
                        let _ = tx.send(());
                    }
                } else {
                    echoes.borrow_mut().push(data);
                }
            })
        };
        let socket = make_socket(url(&id, "flood=100000&size=64"), options);
        socket.set_onmessage(handler.as_ref().clone());
        let mut messages = Events::listen(&socket, "message");
        let started_at = now_ms();
        done_rx.await.expect("the flood completes");
        let took = now_ms() - started_at;
        assert_eq!(*out_of_order.borrow(), None, "every index in order");
        assert_eq!(next_index.get(), COUNT);

        // The app's own traffic still works after the flood, exactly once.
        socket.send("after-flood".into()).unwrap();
        while echoes.borrow().is_empty() {
            messages.next().await;
        }
        assert_eq!(*echoes.borrow(), ["after-flood"]);
        assert_eq!(received(&id).await, [(1, "after-flood".to_owned())]);
        let stats = socket.stats().unwrap();
        assert_eq!(number(&stats, "messagesIn"), f64::from(COUNT + 1));
        assert_eq!(number(&stats, "messagesOut"), 1.0);
        assert_eq!(socket.state(), "open");

        // The inspector holds only the newest records, within both caps.
        let inspector = socket.inspector();
        assert!(inspector.length() <= MAX_ENTRIES, "{}", inspector.length());
        let entries = inspector.entries(JsValue::UNDEFINED).unwrap();
        assert_eq!(entries.length(), inspector.length());
        let kept: f64 = entries.iter().map(|entry| number(&entry, "size")).sum();
        assert!(kept <= MAX_BYTES, "{kept} payload bytes kept");
        let incoming = inspector
            .entries(json(r#"{"direction":"in","limit":2}"#))
            .unwrap();
        let previews: Vec<String> = incoming.iter().map(|e| text(&e, "preview")).collect();
        assert!(previews[0].starts_with("99999:"), "{previews:?}");
        assert_eq!(previews[1], "after-flood");
        assert_eq!(exported(&inspector).length(), entries.length());
        assert_eq!(census.max_live(&path(&id)), 1);
        console_log!("flood: {COUNT} messages in {took:.0} ms");
        socket.set_onmessage(JsValue::NULL);
        socket.dispose().unwrap();
    })
    .await;
}

// ----- oversized message -----------------------------------------------------

#[wasm_bindgen_test]
async fn an_oversized_send_throws_naming_max_message_bytes_and_drops_nothing_else() {
    with_census("oversized", 6_000, |census| async move {
        let id = client_id("oversized");
        let options = json(r#"{"maxMessageBytes":100,"heartbeat":{"intervalMs":0}}"#);
        let socket = make_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut messages = Events::listen(&socket, "message");
        let too_big = "x".repeat(101);
        let refused = |socket: &ResilientSocket, data: JsValue| {
            let message = error_message(socket.send(data).expect_err("refused"));
            assert!(message.contains("maxMessageBytes"), "{message}");
            assert!(message.contains("101"), "names the size: {message}");
            assert!(message.contains("100"), "names the limit: {message}");
        };

        // While connecting: queued around a refused one.
        assert!(!socket.send("q1".into()).unwrap());
        refused(&socket, too_big.as_str().into());
        assert!(!socket.send("q2".into()).unwrap());
        assert_eq!(field(&socket.stats().unwrap(), "queued"), 2);
        let open = opens.next().await;
        assert_eq!(field(&open, "flushed"), 2);

        // While open: sent around refused text, binary and request.
        assert!(socket.send("a".into()).unwrap());
        refused(&socket, too_big.as_str().into());
        refused(&socket, js_sys::Uint8Array::new_with_length(101).into());
        let request = JsFuture::from(socket.request(
            format!(r#"{{"type":"big","pad":"{}"}}"#, "y".repeat(100)).into(),
            JsValue::UNDEFINED,
        ));
        let message = error_message(request.await.expect_err("request refused"));
        assert!(message.contains("maxMessageBytes"), "{message}");
        assert!(
            socket.send("x".repeat(100).into()).unwrap(),
            "exactly at the limit"
        );
        assert!(socket.send("b".into()).unwrap());

        let expected = ["q1", "q2", "a", &"x".repeat(100), "b"];
        for want in expected {
            assert_eq!(data_text(&messages.next().await), want);
        }
        let received = wait_until_received(&id, "b").await;
        let texts: Vec<&str> = received.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, expected, "each once, in order, nothing else");
        assert!(received.iter().all(|(connection, _)| *connection == 1));
        assert_eq!(field(&socket.stats().unwrap(), "messagesOut"), 5);
        assert_eq!(field(&socket.stats().unwrap(), "pendingRequests"), 0);
        assert_eq!(socket.state(), "open");
        assert_eq!(census.max_live(&path(&id)), 1);
        socket.dispose().unwrap();
    })
    .await;
}

// ----- invalid JSON and binary frames ----------------------------------------

#[wasm_bindgen_test]
async fn invalid_json_and_binary_frames_break_nothing_while_a_request_is_pending() {
    with_census("invalid frames", 6_000, |census| async move {
        let id = client_id("invalid-frames");
        let options = json(
            r#"{"binaryType":"arraybuffer","heartbeat":{"intervalMs":0},
                "inspector":{"maxEntries":50}}"#,
        );
        let socket = make_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut messages = Events::listen(&socket, "message");
        let mut errors = Events::listen(&socket, "error");
        let mut closes = Events::listen(&socket, "close");
        opens.next().await;

        // The request is not echoed (the server is silent when it arrives):
        // it stays pending until the reply is sent below.
        control("POST", &format!("/clients/{id}/silent?on=1")).await;
        let request_text = r#"{"type":"op","id":"req-1","n":7}"#;
        let reply = JsFuture::from(socket.request(json(request_text), JsValue::UNDEFINED));
        wait_until_received(&id, request_text).await;
        let broken = [
            r#"{"id":"req-1","type":"#,
            r#"{"id":"req-1"}}"#,
            r#"{"id":"req-1","x":tru}"#,
            "not json at all",
            r#"["req-1"]"#,
            "{\"id\":\"req-1\",\"bad\":\"\\x\"}",
        ];
        for text in broken {
            let encoded = String::from(js_sys::encode_uri_component(text));
            control("POST", &format!("/clients/{id}/send?text={encoded}")).await;
        }
        // A binary frame from the server: the echo of an ArrayBuffer.
        control("POST", &format!("/clients/{id}/silent?on=0")).await;
        let bytes = js_sys::Uint8Array::from(&[0u8, 255, 123, 34][..]);
        socket.send(bytes.buffer().into()).unwrap();

        // The broken texts reach the app as they are; the binary echo too.
        for want in broken {
            assert_eq!(data_text(&messages.next().await), want);
        }
        assert_eq!(
            field(&socket.stats().unwrap(), "pendingRequests"),
            1,
            "still pending"
        );
        let binary = messages
            .next()
            .await
            .unchecked_into::<MessageEvent>()
            .data();
        assert!(binary.is_instance_of::<js_sys::ArrayBuffer>());
        assert_eq!(js_sys::Uint8Array::new(&binary).to_vec(), [0, 255, 123, 34]);

        let reply_text = r#"{"type":"op","id":"req-1","n":7,"ok":true}"#;
        let encoded = String::from(js_sys::encode_uri_component(reply_text));
        control("POST", &format!("/clients/{id}/send?text={encoded}")).await;
        let reply = within(2_000, "the reply", reply).await.expect("resolved");
        assert_eq!(
            field(&reply, "ok"),
            true,
            "resolved by the reply, not a broken frame"
        );
        assert_eq!(field(&reply, "type"), "op");
        assert_eq!(field(&reply, "id"), "req-1");
        assert_eq!(field(&reply, "n"), 7);
        assert_eq!(field(&socket.stats().unwrap(), "pendingRequests"), 0);

        let inspector = socket.inspector();
        let entries = inspector.entries(JsValue::UNDEFINED).unwrap();
        // out: request, binary; in: 6 broken, binary, reply.
        assert_eq!(entries.length(), 10);
        let binaries = entries
            .iter()
            .filter(|entry| field(entry, "binary") == true)
            .count();
        assert_eq!(binaries, 2);
        for entry in entries.iter() {
            let preview = text(&entry, "preview");
            if broken.contains(&preview.as_str()) {
                assert!(field(&entry, "type").is_null(), "{preview}: not JSON");
            }
        }
        let by_id = inspector
            .entries(json(r#"{"fields":{"id":"req-1"}}"#))
            .unwrap();
        assert_eq!(by_id.length(), 2, "request and reply only");
        let matches = |filter: &str| inspector.entries(json(filter)).unwrap().length();
        assert_eq!(matches(r#"{"fields":{"n":7}}"#), 2, "request and reply");
        assert_eq!(matches(r#"{"fields":{"n":"7"}}"#), 0, "a string is not 7");
        assert_eq!(matches(r#"{"fields":{"ok":true}}"#), 1, "the reply");
        assert_eq!(matches(r#"{"fields":{"ok":null}}"#), 0);
        let not_finite = inspector.entries(json(r#"{"fields":{"n":1e400}}"#));
        let message = error_message(not_finite.expect_err("Infinity is refused"));
        assert!(message.contains("fields.n must be"), "{message}");
        assert_eq!(exported(&inspector).length(), 10);

        assert!(errors.drain().is_empty(), "no error event");
        assert!(closes.drain().is_empty(), "no close");
        assert_eq!(socket.state(), "open");
        let received = received(&id).await;
        assert_eq!(
            received,
            [(1, request_text.to_owned())],
            "the request went out once"
        );
        let stats = server_stats(&id).await;
        assert_eq!(field(&stats, "binaryCount"), 1);
        assert_eq!(field(&stats, "count"), 2);
        assert_eq!(census.max_live(&path(&id)), 1);
        socket.dispose().unwrap();
    })
    .await;
}

// ----- frames the browser refuses ----------------------------------------------

#[wasm_bindgen_test]
async fn a_frame_the_browser_refuses_closes_as_1006_after_open_with_its_hint_and_is_retried() {
    with_census("refused frames", 6_000, |census| async move {
        // A buggy server (or a proxy mangling frames): the browser fails the
        // connection, and the page only ever sees 1006.
        for kind in ["utf8", "opcode"] {
            let id = client_id(&format!("bad-frame-{kind}"));
            let options = json(
                r#"{"reconnect":{"initialDelayMs":20,"jitter":"none"},"heartbeat":{"intervalMs":0}}"#,
            );
            // Silent: no echo, so any message event would be the refused frame.
            let socket = make_socket(url(&id, "silent=1"), options);
            let mut opens = Events::listen(&socket, "open");
            let mut messages = Events::listen(&socket, "message");
            let mut closes = Events::listen(&socket, "close");
            opens.next().await;
            socket.send("before".into()).unwrap();
            wait_until_received(&id, "before").await;

            let sent = control("POST", &format!("/clients/{id}/bad-frame?kind={kind}")).await;
            assert_eq!(field(&sent, "connections"), 1, "{kind}");
            let close = closes.next().await;
            assert_eq!(field(&close, "code"), 1006, "{kind}");
            assert_eq!(field(&close, "opened"), true, "{kind}");
            assert_eq!(field(&close, "wasClean"), false, "{kind}");
            assert_eq!(field(&close, "action"), "retry", "{kind}");
            assert_eq!(field(&close, "willReconnect"), true, "{kind}");
            let hint = text(&close, "hint");
            assert!(hint.contains("refused a frame"), "{kind}: {hint}");

            let reopened = opens.next().await;
            assert_eq!(field(&reopened, "connection"), 2, "{kind}");
            socket.send("after".into()).unwrap();
            let got = wait_until_received(&id, "after").await;
            assert_eq!(
                got,
                vec![(1, "before".to_string()), (2, "after".to_string())],
                "{kind}: each once, on its connection"
            );
            assert!(messages.drain().is_empty(), "{kind}: the refused frame is not delivered");
            assert_eq!(census.max_live(&path(&id)), 1, "{kind}: one socket at a time");
            socket.dispose().unwrap();
        }
    })
    .await;
}

// ----- lifetime without a handle -------------------------------------------------

#[wasm_bindgen_test]
async fn an_active_socket_outlives_its_last_handle_until_it_closes() {
    // As with a WebSocket: code that keeps only its listeners (or a JS
    // object the garbage collector frees) still gets messages; the socket
    // frees itself once closed for good.
    with_census(
        "active socket without a handle",
        6_000,
        |census| async move {
            let id = client_id("no-handle");
            let drivers_before = resilient_ws::live_drivers();
            let socket = ResilientSocket::new(url(&id, ""), JsValue::UNDEFINED).unwrap();
            let mut opens = Events::listen(&socket, "open");
            let mut messages = Events::listen(&socket, "message");
            let mut closes = Events::listen(&socket, "close");
            opens.next().await;
            drop(socket); // what free() or the JS garbage collector does

            let sent = control("POST", &format!("/clients/{id}/send?text=still-here")).await;
            assert_eq!(field(&sent, "connections"), 1, "the connection stayed open");
            assert_eq!(data_text(&messages.next().await), "still-here");

            control(
                "POST",
                &format!("/clients/{id}/close?code=4004&reason=gone"),
            )
            .await;
            let close = closes.next().await;
            assert_eq!(field(&close, "code"), 4004);
            assert_eq!(field(&close, "willReconnect"), false);
            // Closed for good: the driver let go of itself in that callback.
            assert_eq!(resilient_ws::live_drivers(), drivers_before, "freed");
            assert_eq!(census.live(&path(&id)), 0);
            assert_eq!(census.created(&path(&id)), 1);
        },
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_socket_without_a_handle_waiting_for_its_url_provider_is_freed() {
    // connectTimeoutMs 0 and a provider that never answers: nothing would
    // ever end that attempt, and no handle is left to use its URL.
    let drivers_before = resilient_ws::live_drivers();
    let environments_before = resilient_ws::attached_environments();
    let (asked_tx, mut asked) = futures::channel::mpsc::unbounded::<()>();
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        let _ = asked_tx.unbounded_send(());
        js_sys::Promise::new(&mut |_, _| {}).into()
    });
    let options = json(r#"{"connectTimeoutMs":0}"#);
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = ResilientSocket::new(url("never-provided", ""), options).unwrap();
    within(2_000, "the provider's call", asked.next()).await;
    assert_eq!(socket.state(), "connecting");
    drop(socket); // what free() or the JS garbage collector does
    assert_eq!(resilient_ws::live_drivers(), drivers_before, "freed");
    assert_eq!(
        resilient_ws::attached_environments(),
        environments_before,
        "page listeners removed"
    );
}

#[wasm_bindgen_test]
async fn a_connection_that_ends_in_a_message_listener_of_a_socket_without_a_handle_still_reports() {
    // The message takes the JS fast path, and its listener ends the
    // connection (an `offline` event): what follows (the request's
    // rejection, `close`) waits for the listener to return, and must still
    // run though no handle is left and the socket is no longer active.
    let id = client_id("no-handle-offline");
    let drivers_before = resilient_ws::live_drivers();
    let socket = ResilientSocket::new(url(&id, "silent=1"), JsValue::UNDEFINED).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let mut closes = Events::listen(&socket, "close");
    let go_offline = Closure::<dyn FnMut(JsValue)>::new(|_| dispatch_on_window("offline"));
    socket
        .add_event_listener(
            "message".into(),
            go_offline.as_ref().clone(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    opens.next().await;
    let pending = JsFuture::from(socket.request(
        json(r#"{"type":"never","id":"q1"}"#),
        json(r#"{"timeoutMs":5000}"#),
    ));
    drop(socket); // what free() or the JS garbage collector does
    control("POST", &format!("/clients/{id}/send?text=plain")).await;
    let close = within(2_000, "the close", closes.next()).await;
    dispatch_on_window("online");
    assert_eq!(field(&close, "cause"), "offline");
    assert_eq!(field(&close, "willReconnect"), false);
    let error = within(2_000, "the request's rejection", pending)
        .await
        .expect_err("rejected");
    assert_eq!(field(&error, "reason"), "connectionLost");
    assert_eq!(resilient_ws::live_drivers(), drivers_before, "freed");
}

fn dispatch_on_window(kind: &str) {
    let event = web_sys::Event::new(kind).unwrap();
    js_sys::global()
        .unchecked_into::<web_sys::EventTarget>()
        .dispatch_event(&event)
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_socket_without_a_handle_does_not_reconnect_after_its_connection_ends() {
    // Nothing could stop it any more: the lost connection is its last one.
    // An inspector the app kept is a view, not a handle: it keeps no socket
    // reconnecting, and still reads what was recorded.
    with_census(
        "no reconnect without a handle",
        6_000,
        |census| async move {
            let id = client_id("no-handle-drop");
            let drivers_before = resilient_ws::live_drivers();
            let engines_before = resilient_ws::live_engines();
            let environments_before = resilient_ws::attached_environments();
            let options = json(r#"{"reconnect":{"initialDelayMs":20,"jitter":"none"}}"#);
            let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
            let mut opens = Events::listen(&socket, "open");
            let mut messages = Events::listen(&socket, "message");
            let mut closes = Events::listen(&socket, "close");
            // A listener only the socket holds: let go of with the socket's
            // last connection, though the inspector keeps the socket in memory.
            let listener = Watched::new();
            socket
                .add_event_listener("statechange".into(), listener.take(), JsValue::UNDEFINED)
                .unwrap();
            opens.next().await;
            socket.send("kept".into()).unwrap();
            messages.next().await; // the echo
            let inspector = socket.inspector();
            drop(socket);
            // 1011: a code the policy retries.
            control(
                "POST",
                &format!("/clients/{id}/close?code=1011&reason=restart"),
            )
            .await;
            let close = closes.next().await;
            assert_eq!(field(&close, "code"), 1011);
            assert_eq!(field(&close, "willReconnect"), false);
            assert_eq!(
                resilient_ws::attached_environments(),
                environments_before,
                "page listeners removed while the inspector is kept"
            );
            assert_eq!(inspector.length(), 2, "the send and its echo");
            assert_eq!(
                resilient_ws::live_engines(),
                engines_before,
                "disposed itself: only what the inspector reads is kept"
            );
            assert!(
                listener.collected().await,
                "the app's listener let go of while the inspector is kept"
            );
            drop(inspector);
            assert_eq!(
                resilient_ws::live_drivers(),
                drivers_before,
                "freed, no timer left"
            );
            assert_eq!(census.created(&path(&id)), 1);
        },
    )
    .await;
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_while_waiting_to_reconnect_disposes_the_socket() {
    with_census(
        "handle dropped during backoff",
        6_000,
        |census| async move {
            let id = client_id("no-handle-backoff");
            let drivers_before = resilient_ws::live_drivers();
            // A long delay: the handle is dropped while it runs.
            let options = json(
                r#"{"reconnect":{"initialDelayMs":20000,"maxDelayMs":20000,"jitter":"none"}}"#,
            );
            let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
            let mut opens = Events::listen(&socket, "open");
            let mut reconnecting = Events::listen(&socket, "reconnecting");
            opens.next().await;
            control(
                "POST",
                &format!("/clients/{id}/close?code=1011&reason=restart"),
            )
            .await;
            reconnecting.next().await;
            assert_eq!(socket.state(), "reconnecting");
            drop(socket);
            assert_eq!(
                resilient_ws::live_drivers(),
                drivers_before,
                "disposed at once"
            );
            assert_eq!(census.created(&path(&id)), 1);
        },
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_socket_dropped_right_after_construction_still_connects_through_its_url_provider() {
    // As `new WebSocket(url)` dropped at once still connects: the attempt
    // set off by the constructor (the provider is asked after it returns)
    // runs, and its end is final.
    with_census(
        "dropped in the constructor's task",
        6_000,
        |census| async move {
            let id = client_id("no-handle-provider");
            let drivers_before = resilient_ws::live_drivers();
            let options = json(r#"{"reconnect":{"initialDelayMs":20,"jitter":"none"}}"#);
            let provider = Function::new_with_args("url", "return () => url")
                .call1(&JsValue::NULL, &url(&id, "").into())
                .unwrap();
            Reflect::set(&options, &"urlProvider".into(), &provider).unwrap();
            let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
            let mut opens = Events::listen(&socket, "open");
            let mut closes = Events::listen(&socket, "close");
            drop(socket);
            opens.next().await;
            assert_eq!(resilient_ws::live_drivers(), drivers_before + 1);
            control(
                "POST",
                &format!("/clients/{id}/close?code=1011&reason=restart"),
            )
            .await;
            let close = closes.next().await;
            assert_eq!(field(&close, "willReconnect"), false);
            assert_eq!(
                resilient_ws::live_drivers(),
                drivers_before,
                "freed after its connection"
            );
            assert_eq!(census.created(&path(&id)), 1);
        },
    )
    .await;
}

#[wasm_bindgen_test]
async fn every_attempt_offers_the_subprotocols_checked_at_construction() {
    // The app's array is read once: changing it later changes nothing.
    with_census("protocols read once", 6_000, |census| async move {
        let id = client_id("protocols-once");
        let protocols = Array::of1(&"v1".into());
        let options = json(r#"{"reconnect":{"initialDelayMs":20,"jitter":"none"}}"#);
        Reflect::set(&options, &"protocols".into(), &protocols).unwrap();
        let socket = make_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        // Read in the close listener: the ended connection's, as a
        // `WebSocket` keeps it after its close.
        let read_at_close = Rc::new(RefCell::new(Vec::new()));
        let reader = {
            let (socket, read_at_close) = (socket.clone(), read_at_close.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                read_at_close.borrow_mut().push(socket.protocol());
            })
        };
        socket
            .add_event_listener("close".into(), reader.as_ref().clone(), JsValue::UNDEFINED)
            .unwrap();
        opens.next().await;
        assert_eq!(socket.protocol(), "v1");
        protocols.set(0, "v2".into());
        control(
            "POST",
            &format!("/clients/{id}/close?code=1011&reason=restart"),
        )
        .await;
        opens.next().await;
        assert_eq!(
            *read_at_close.borrow(),
            ["v1"],
            "read in the close listener"
        );
        assert_eq!(socket.protocol(), "v1", "the second attempt");
        assert_eq!(census.created(&path(&id)), 2);
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_of_an_idle_socket_disposes_it() {
    with_census("idle socket without a handle", 6_000, |census| async move {
        let id = client_id("idle-no-handle");
        let drivers_before = resilient_ws::live_drivers();
        let socket = ResilientSocket::new(url(&id, ""), json(r#"{"autoConnect":false}"#)).unwrap();
        let pending = JsFuture::from(socket.request(json(r#"{"type":"q"}"#), JsValue::UNDEFINED));
        assert_eq!(resilient_ws::live_drivers(), drivers_before + 1);
        drop(socket);
        assert_eq!(
            resilient_ws::live_drivers(),
            drivers_before,
            "freed at once"
        );
        let error = within(100, "request rejected", pending).await.unwrap_err();
        assert_eq!(field(&error, "reason"), "disposed");
        assert_eq!(census.created(&path(&id)), 0, "never connected");
    })
    .await;
}

// ----- close by the app: connecting, backoff, twice --------------------------

#[wasm_bindgen_test]
async fn close_while_connecting_closes_once_and_never_attempts_again() {
    with_census("close while connecting", 6_000, |census| async move {
        let id = client_id("close-connecting");
        let options = json(r#"{"reconnect":{"initialDelayMs":50,"jitter":"none"}}"#);
        let socket = make_socket(url(&id, "hang=1"), options);
        let mut closes = Events::listen(&socket, "close");
        let mut states = Events::listen(&socket, "statechange");
        let mut reconnecting = Events::listen(&socket, "reconnecting");
        assert!(!socket.send("never-sent".into()).unwrap(), "queued");
        let pending = JsFuture::from(socket.request(json(r#"{"type":"q"}"#), JsValue::UNDEFINED));
        // The server has read the request and hangs.
        wait_for_stats(&id, "the hanging handshake", |stats| {
            field(stats, "hanging") == 1
        })
        .await;
        assert_eq!(socket.state(), "connecting");
        assert_eq!(census.live(&path(&id)), 1);

        socket
            .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
            .unwrap();
        assert_eq!(socket.state(), "closed");
        assert_eq!(socket.ready_state(), 3);
        let close = within(100, "close event", closes.next()).await;
        assert_eq!(field(&close, "code"), 1000);
        assert_eq!(field(&close, "cause"), "app");
        assert_eq!(field(&close, "opened"), false);
        assert_eq!(field(&close, "willReconnect"), false);
        let error = within(100, "request rejected", pending)
            .await
            .expect_err("rejected");
        assert_eq!(field(&error, "reason"), "closed");
        assert_eq!(census.live(&path(&id)), 0, "the hanging socket was closed");

        sleep(5 * 50).await;
        assert!(closes.drain().is_empty(), "one close event");
        assert!(reconnecting.drain().is_empty(), "no retry");
        assert_eq!(states_seen(&mut states), ["connecting", "closed"]);
        assert_eq!(census.created(&path(&id)), 1, "no further attempt");
        assert_eq!(field(&server_stats(&id).await, "connections"), 0);
        assert_eq!(field(&server_stats(&id).await, "count"), 0);
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn close_while_waiting_out_a_backoff_closes_once_and_never_attempts_again() {
    with_census("close during backoff", 6_000, |census| async move {
        let id = client_id("close-backoff");
        let options = json(r#"{"reconnect":{"initialDelayMs":300,"jitter":"none"}}"#);
        let socket = make_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        let mut states = Events::listen(&socket, "statechange");
        let mut reconnecting = Events::listen(&socket, "reconnecting");
        opens.next().await;
        socket.send("sent-1".into()).unwrap();
        wait_until_received(&id, "sent-1").await;

        control("POST", &format!("/clients/{id}/drop")).await;
        let dropped = closes.next().await;
        assert_eq!(field(&dropped, "code"), 1006);
        assert_eq!(field(&dropped, "willReconnect"), true);
        assert_eq!(field(&reconnecting.next().await, "delayMs"), 300);
        assert_eq!(socket.state(), "reconnecting");
        states.drain();

        socket
            .close(JsValue::from(4000.0), "user left".into())
            .unwrap();
        assert_eq!(socket.state(), "closed");
        let close = within(100, "close event", closes.next()).await;
        assert_eq!(field(&close, "code"), 4000);
        assert_eq!(field(&close, "reason"), "user left");
        assert_eq!(field(&close, "cause"), "app");
        assert_eq!(field(&close, "willReconnect"), false);

        // Past the 300 ms backoff: nothing.
        sleep(300 + 150).await;
        assert!(
            closes.drain().is_empty(),
            "one close event for the app's close"
        );
        assert!(reconnecting.drain().is_empty());
        assert_eq!(states_seen(&mut states), ["closed"]);
        assert_eq!(census.created(&path(&id)), 1, "no attempt after close");
        let stats = server_stats(&id).await;
        assert_eq!(field(&stats, "connections"), 1);
        assert_eq!(received(&id).await, [(1, "sent-1".to_owned())]);
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn close_twice_closes_once_with_one_close_event() {
    with_census("close twice", 6_000, |census| async move {
        let id = client_id("close-twice");
        let options = json(r#"{"reconnect":{"initialDelayMs":50,"jitter":"none"}}"#);
        let socket = make_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        let mut states = Events::listen(&socket, "statechange");
        opens.next().await;
        socket.send("last".into()).unwrap();

        socket.close(JsValue::from(1000.0), "bye".into()).unwrap();
        assert_eq!(socket.state(), "closing");
        socket
            .close(JsValue::from(4001.0), "again".into())
            .expect("a second close is a no-op");
        let close = closes.next().await;
        assert_eq!(field(&close, "code"), 1000);
        assert_eq!(field(&close, "reason"), "bye");
        assert_eq!(field(&close, "cause"), "app");
        assert_eq!(field(&socket.last_close(), "wasClean"), true);
        assert_eq!(socket.state(), "closed");
        socket
            .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
            .expect("close when closed is a no-op");

        sleep(5 * 50).await;
        assert!(closes.drain().is_empty(), "one close event");
        assert_eq!(
            states_seen(&mut states),
            ["connecting", "open", "closing", "closed"]
        );
        assert_eq!(census.created(&path(&id)), 1);
        let stats = wait_for_stats(&id, "closed", |stats| field(stats, "open") == 0).await;
        assert_eq!(field(&stats, "connections"), 1);
        assert_eq!(received(&id).await, [(1, "last".to_owned())]);
        socket.dispose().unwrap();
    })
    .await;
}

// ----- two sockets, one URL --------------------------------------------------

#[wasm_bindgen_test]
async fn two_sockets_to_the_same_url_stay_independent() {
    with_census("two sockets", 6_000, |census| async move {
        let id = client_id("twins");
        let options = || json(r#"{"reconnect":{"initialDelayMs":50,"jitter":"none"}}"#);
        let first = make_socket(url(&id, ""), options());
        let second = make_socket(url(&id, ""), options());
        let mut first_opens = Events::listen(&first, "open");
        let mut second_opens = Events::listen(&second, "open");
        let mut first_messages = Events::listen(&first, "message");
        let mut second_messages = Events::listen(&second, "message");
        let mut first_closes = Events::listen(&first, "close");
        let mut second_closes = Events::listen(&second, "close");
        assert_eq!(field(&first_opens.next().await, "connection"), 1);
        assert_eq!(field(&second_opens.next().await, "connection"), 1);
        wait_for_stats(&id, "two open", |stats| field(stats, "open") == 2).await;

        first.send("from-first".into()).unwrap();
        second.send("from-second".into()).unwrap();
        assert_eq!(data_text(&first_messages.next().await), "from-first");
        assert_eq!(data_text(&second_messages.next().await), "from-second");

        first.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
        assert_eq!(field(&first_closes.next().await, "cause"), "app");
        assert_eq!(first.state(), "closed");
        assert_eq!(second.state(), "open");
        second.send("second-again".into()).unwrap();
        assert_eq!(data_text(&second_messages.next().await), "second-again");
        let stats = wait_for_stats(&id, "one open", |stats| field(stats, "open") == 1).await;
        assert_eq!(field(&stats, "connections"), 2);

        sleep(5 * 50).await;
        assert!(first_messages.drain().is_empty(), "no message crossed over");
        assert!(
            second_messages.drain().is_empty(),
            "no message crossed over"
        );
        assert!(
            second_closes.drain().is_empty(),
            "the other one stayed open"
        );
        assert!(first_closes.drain().is_empty(), "one close event");
        let mut texts: Vec<String> = received(&id).await.into_iter().map(|(_, t)| t).collect();
        texts.sort();
        assert_eq!(texts, ["from-first", "from-second", "second-again"]);
        assert_eq!(census.created(&path(&id)), 2, "no extra socket");
        assert_eq!(census.max_live(&path(&id)), 2, "one per client");
        first.dispose().unwrap();
        second.dispose().unwrap();
        let stats = wait_for_stats(&id, "none open", |stats| field(stats, "open") == 0).await;
        assert_eq!(field(&stats, "connections"), 2);
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_close_event_of_an_app_close_reports_the_clean_handshake() {
    with_census("wasClean", 6_000, |_| async move {
        let id = client_id("clean-close");
        let socket = make_socket(url(&id, ""), JsValue::UNDEFINED);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        opens.next().await;
        socket.close(JsValue::from(1000.0), "bye".into()).unwrap();
        let close = closes.next().await;
        assert_eq!(field(&close, "cause"), "app");
        // The server answered the close frame: `lastClose` says so...
        assert_eq!(field(&socket.last_close(), "wasClean"), true);
        // ...and the event the app received must say the same. (It said
        // false until `Engine::on_closed` passed the browser's wasClean to
        // `finish_app_close` instead of patching only `last_close` after
        // the event went out.)
        assert_eq!(
            field(&close, "wasClean"),
            true,
            "close event wasClean differs from lastClose.wasClean"
        );
    })
    .await;
}

/// Hostile input: options inherited from a polluted `Object.prototype` are
/// ignored, so they can neither break the constructor nor switch off
/// redaction.
#[wasm_bindgen_test]
fn options_inherited_from_a_polluted_prototype_are_ignored() {
    let prototype =
        js_sys::Reflect::get_prototype_of(&js_sys::Object::new()).expect("Object.prototype");
    let polluted = JSON::parse(r#"{"multiplier":"x"}"#).expect("json");
    js_sys::Reflect::set(&prototype, &"reconnect".into(), &polluted).expect("set");
    js_sys::Reflect::set(&prototype, &"redactKeys".into(), &Array::new()).expect("set");
    let options = JSON::parse(r#"{"autoConnect":false}"#).expect("json");
    let created = ResilientSocket::new("ws://127.0.0.1:1/ws/polluted?token=s3cr3t".into(), options);
    js_sys::Reflect::delete_property(&prototype, &"reconnect".into()).expect("delete");
    js_sys::Reflect::delete_property(&prototype, &"redactKeys".into()).expect("delete");
    let socket = created.expect("inherited options are not read");
    assert!(
        !socket.url().contains("s3cr3t"),
        "redaction stays on: {}",
        socket.url()
    );
    socket.dispose().unwrap();
}

/// Options objects without `Object.prototype` (`Object.create(null)`, as some
/// config loaders make them) are read like plain objects: their options apply
/// and unknown keys are still rejected by name.
#[wasm_bindgen_test]
fn options_without_a_prototype_are_read_and_checked() {
    let options: js_sys::Object = js_sys::Object::create(JsValue::NULL.unchecked_ref());
    js_sys::Reflect::set(&options, &"autoConnect".into(), &false.into()).expect("set");
    js_sys::Reflect::set(&options, &"name".into(), &"bare".into()).expect("set");
    let socket = ResilientSocket::new("ws://127.0.0.1:1/ws/bare".into(), options.clone().into())
        .expect("valid options");
    assert_eq!(socket.state(), "idle", "autoConnect: false was read");
    assert_eq!(socket.name(), "bare");
    socket.dispose().unwrap();

    js_sys::Reflect::set(&options, &"reconect".into(), &JsValue::TRUE).expect("set");
    let error = ResilientSocket::new("ws://127.0.0.1:1/ws/bare".into(), options.into())
        .err()
        .expect("an unknown key is rejected");
    let message = js_sys::Error::from(error).message();
    assert!(
        String::from(message.clone()).contains("unknown option `reconect`"),
        "{message:?}"
    );
}
