//! Browser tests of the driver and facade against the fault server
//! (`tests/fault-server`, started by `scripts/fault-server.sh start`): real
//! sockets, real timers, the exported `ResilientSocket` API. Every wait is on
//! an event or a Promise, never a fixed sleep.
#![cfg(target_arch = "wasm32")]

mod browser_support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use browser_support::{
    Events, SendPath, client_id, control, control_with_body, error_message, field,
    intercept_websocket_method_once, json, now_ms, number, received_on, run_js,
    send_as_the_package_does, sleep, text, url, wait_for_stats, wait_until_received, within,
};
use js_sys::{Function, Reflect};
use resilient_ws::{ResilientSocket, describe_close_code};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::MessageEvent;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn echo_reaches_message_listeners_as_the_browsers_own_message_event() {
    let socket = ResilientSocket::new(url("echo-basic", ""), JsValue::UNDEFINED).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    assert_eq!(socket.state(), "connecting");

    let open = opens.next().await;
    assert_eq!(field(&open, "type"), "open");
    assert_eq!(field(&open, "connection"), 1);
    assert_eq!(socket.state(), "open");
    assert_eq!(socket.ready_state(), 1);

    assert!(
        socket.send("hello".into()).unwrap(),
        "sent at once when open"
    );
    let message = messages.next().await;
    let event = message
        .dyn_ref::<MessageEvent>()
        .expect("the browser's MessageEvent, passed through");
    assert_eq!(event.data(), "hello");

    let stats = socket.stats().unwrap();
    assert_eq!(field(&stats, "messagesOut"), 1);
    assert_eq!(field(&stats, "messagesIn"), 1);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn messages_sent_before_open_are_queued_and_flushed_in_order_before_open() {
    let id = client_id("echo-queue");
    let socket = Rc::new(ResilientSocket::new(url(&id, ""), JsValue::UNDEFINED).unwrap());
    // What the app reads inside its open listener: the queue already out.
    let at_open = Rc::new(Cell::new(None::<(f64, f64)>));
    let on_open = {
        let (socket, at_open) = (socket.clone(), at_open.clone());
        Closure::<dyn FnMut()>::new(move || {
            let stats = socket.stats().unwrap();
            at_open.set(Some((
                number(&stats, "queued"),
                number(&stats, "messagesOut"),
            )));
        })
    };
    socket.set_onopen(on_open.as_ref().clone());
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    assert!(
        !socket.send("one".into()).unwrap(),
        "queued while connecting"
    );
    assert!(!socket.send("two".into()).unwrap());

    let open = opens.next().await;
    assert_eq!(field(&open, "flushed"), 2);
    assert_eq!(
        at_open.get(),
        Some((0.0, 2.0)),
        "(queued, messagesOut) in onopen"
    );
    let first = messages.next().await.unchecked_into::<MessageEvent>();
    let second = messages.next().await.unchecked_into::<MessageEvent>();
    assert_eq!(first.data(), "one");
    assert_eq!(second.data(), "two");
    assert_eq!(
        wait_until_received(&id, "two").await,
        [(1, "one".to_owned()), (1, "two".to_owned())],
        "each once, in order"
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_message_listener_can_send_and_close_from_inside_the_callback() {
    let socket = ResilientSocket::new(url("echo-reentrant", ""), JsValue::UNDEFINED).unwrap();
    let socket = Rc::new(socket);
    let mut closes = Events::listen(&socket, "close");
    let inner = socket.clone();
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match event.data().as_string().as_deref() {
                Some("first") => {
                    inner.send("second".into()).unwrap();
                }
                Some("second") => inner.close(JsValue::from(1000.0), "done".into()).unwrap(),
                _ => {}
            }
        });
    socket.set_onmessage(onmessage.as_ref().clone());
    socket.send("first".into()).unwrap();

    let close = closes.next().await;
    assert_eq!(field(&close, "code"), 1000);
    assert_eq!(field(&close, "cause"), "app");
    assert_eq!(field(&close, "willReconnect"), false);
    assert_eq!(socket.state(), "closed");
    assert_eq!(field(&socket.stats().unwrap(), "messagesIn"), 2);
    // The handler holds a clone of the socket: dispose breaks nothing.
    socket.set_onmessage(JsValue::NULL);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn request_resolves_with_the_parsed_reply_carrying_its_id() {
    let socket = ResilientSocket::new(url("echo-request", ""), JsValue::UNDEFINED).unwrap();
    let reply = JsFuture::from(socket.request(json(r#"{"type":"sum","a":2}"#), JsValue::UNDEFINED))
        .await
        .expect("the echo is the reply");
    assert_eq!(field(&reply, "type"), "sum");
    assert_eq!(field(&reply, "a"), 2);
    assert!(field(&reply, "id").is_truthy(), "an id was added");
    assert_eq!(field(&socket.stats().unwrap(), "pendingRequests"), 0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn pending_requests_are_rejected_as_disposed() {
    let socket =
        ResilientSocket::new(url("silent-request", "silent=1"), JsValue::UNDEFINED).unwrap();
    let mut opens = Events::listen(&socket, "open");
    opens.next().await;
    let pending = JsFuture::from(socket.request(json(r#"{"type":"never"}"#), JsValue::UNDEFINED));
    socket.dispose().unwrap();
    let error = pending.await.expect_err("rejected");
    assert_eq!(field(&error, "reason"), "disposed");
    assert!(socket.disposed());
    assert_eq!(socket.state(), "closed");
    assert!(
        socket.send("late".into()).is_err(),
        "nothing runs after dispose"
    );
    // No listener could run any more, so none is kept.
    socket.set_onmessage(Function::new_no_args("").into());
    assert!(socket.onmessage().is_null(), "a handler set after dispose");
}

#[wasm_bindgen_test]
async fn a_socket_disposed_and_freed_in_a_message_listener_still_rejects_its_requests() {
    // The message takes the JS fast path (it cannot be the reply), and its
    // listener disposes the socket and lets go of the last handle: the
    // request must still settle, though the driver is freed right after.
    let id = client_id("dispose-free");
    let engines_before = resilient_ws::live_engines();
    let socket = ResilientSocket::new(url(&id, "silent=1"), JsValue::UNDEFINED).unwrap();
    Events::listen(&socket, "open").next().await;
    let pending = JsFuture::from(socket.request(
        json(r#"{"type":"never","id":"q1"}"#),
        json(r#"{"timeoutMs":5000}"#),
    ));
    let slot = Rc::new(std::cell::RefCell::new(Some(socket)));
    let holder = slot.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if let Some(socket) = holder.borrow_mut().take() {
            socket.dispose().unwrap();
            drop(socket); // the last handle: the driver is freed now
        }
    });
    if let Some(socket) = slot.borrow().as_ref() {
        socket.set_onmessage(listener.as_ref().clone());
    }
    control("POST", &format!("/clients/{id}/send?text=plain")).await;
    let error = within(2_000, "the request's rejection", pending)
        .await
        .expect_err("rejected");
    assert_eq!(field(&error, "reason"), "disposed");
    assert!(slot.borrow().is_none(), "the listener ran");
    assert_eq!(resilient_ws::live_engines(), engines_before, "engine freed");
}

#[wasm_bindgen_test]
async fn a_request_pushed_out_of_the_full_queue_is_rejected_as_queue_overflow() {
    let options =
        json(r#"{"autoConnect":false,"queue":{"maxMessages":1,"overflow":"dropOldest"}}"#);
    let socket = ResilientSocket::new(url("queue-overflow-request", ""), options).unwrap();
    let pending = JsFuture::from(socket.request(json(r#"{"type":"first"}"#), JsValue::UNDEFINED));
    assert_eq!(socket.send("second".into()), Ok(false), "queued");
    let error = pending.await.expect_err("rejected");
    assert_eq!(field(&error, "reason"), "queueOverflow");
    let message = text(&error, "message");
    assert!(message.contains("queue.overflow"), "{message}");
    assert_eq!(field(&socket.stats().unwrap(), "pendingRequests"), 0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn close_code_4004_stops_and_explains_itself() {
    let socket = ResilientSocket::new(
        url("not-found", "close=4004&reason=project%20not%20found"),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let mut closes = Events::listen(&socket, "close");
    let mut states = Events::listen(&socket, "statechange");

    let close = closes.next().await;
    assert_eq!(field(&close, "code"), 4004);
    assert_eq!(field(&close, "reason"), "project not found");
    assert_eq!(field(&close, "action"), "stop");
    assert_eq!(field(&close, "willReconnect"), false);
    assert_eq!(field(&close, "opened"), true);
    assert_eq!(field(&close, "cause"), "server");
    assert!(
        field(&close, "hint")
            .as_string()
            .is_some_and(|hint| !hint.is_empty())
    );
    assert_eq!(socket.state(), "closed");
    assert_eq!(socket.ready_state(), 3);

    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("closed") {
        seen.push(field(&states.next().await, "to").as_string().unwrap());
    }
    // Every transition, the constructor's idle -> connecting included.
    assert_eq!(seen, ["connecting", "open", "closed"]);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_dropped_connection_reconnects_and_replays_state_first() {
    let id = client_id("drop-replay");
    let options = json(r#"{"reconnect":{"initialDelayMs":50,"maxDelayMs":100}}"#);
    let socket = ResilientSocket::new(url(&id, "drop_after_ms=100"), options).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let mut reconnecting = Events::listen(&socket, "reconnecting");
    let mut replays = Events::listen(&socket, "replay");
    socket
        .set_replay_state(
            "plugin:reverb".into(),
            json(r#"{"mix":0.3}"#),
            JsValue::UNDEFINED,
        )
        .unwrap();

    let first = opens.next().await;
    assert_eq!(field(&first, "replayed"), 1);
    assert_eq!(field(&reconnecting.next().await, "attempt"), 1);
    assert!(!socket.send("queued-while-down".into()).unwrap(), "queued");
    let second = opens.next().await;
    assert_eq!(field(&second, "connection"), 2);
    // The server got the replay state first, then the queue, each once.
    let on_second: Vec<String> = wait_until_received(&id, "queued-while-down")
        .await
        .into_iter()
        .filter(|(connection, _)| *connection == 2)
        .map(|(_, text)| text)
        .collect();
    assert_eq!(on_second, [r#"{"mix":0.3}"#, "queued-while-down"]);
    let replay = replays.next().await;
    assert_eq!(field(&replay, "connection"), 1);
    let replay = replays.next().await;
    assert_eq!(field(&replay, "connection"), 2);
    let entries = socket.replay_state();
    assert_eq!(entries.length(), 1);
    assert_eq!(field(&entries.get(0), "value"), r#"{"mix":0.3}"#);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
fn string_arguments_are_checked_or_converted_as_a_websocket_does() {
    let socket = ResilientSocket::new(url("never", ""), json(r#"{"autoConnect":false}"#)).unwrap();
    let message = error_message;
    // A replay key that is no string is refused: it would have become ""
    // and shared one key with every other.
    let refused = socket
        .set_replay_state(JsValue::from(1), json("{}"), JsValue::UNDEFINED)
        .unwrap_err();
    assert_eq!(
        message(refused),
        "setReplayState: key must be a string, got 1"
    );
    let refused = socket.delete_replay_state(JsValue::NULL).unwrap_err();
    assert_eq!(
        message(refused),
        "deleteReplayState: key must be a string, got null"
    );
    assert_eq!(socket.replay_state().length(), 0);
    // An event type is converted with String(), as the DOM does.
    let refused = socket
        .add_event_listener(
            JsValue::UNDEFINED,
            Function::new_no_args("").into(),
            JsValue::UNDEFINED,
        )
        .unwrap_err();
    assert!(
        message(refused).starts_with("addEventListener: unknown event type \"undefined\""),
        "names the converted type"
    );
    // removeEventListener never throws (it often runs in cleanup code).
    socket.remove_event_listener("mesage".into(), Function::new_no_args("").into());
    socket.remove_event_listener("message".into(), JsValue::from(5));
    // A close reason is converted with String(), as a WebSocket does.
    socket
        .close(JsValue::from(4000.0), JsValue::from(42))
        .unwrap();
    assert_eq!(field(&socket.last_close(), "reason"), "42");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
fn invalid_options_throw_errors_naming_the_option_and_the_allowed_values() {
    let message = |options: &str| {
        let error = ResilientSocket::new(url("never", ""), json(options))
            .err()
            .expect("refused");
        error
            .unchecked_into::<js_sys::Error>()
            .message()
            .as_string()
            .unwrap()
    };
    let wrong_type = message(r#"{"reconnect":{"multiplier":"x"}}"#);
    assert_eq!(
        wrong_type,
        r#"invalid option `reconnect.multiplier`: expected a finite number from 1 to 100, got "x""#
    );

    let unknown = message(r#"{"reconnect":{"initialDelay":5}}"#);
    assert!(unknown.contains("reconnect.initialDelay"), "{unknown}");
    assert!(
        unknown.contains("initialDelayMs"),
        "names the allowed keys: {unknown}"
    );

    let out_of_range = message(r#"{"reconnect":{"multiplier":0.5}}"#);
    assert!(out_of_range.contains("from 1 to 100"), "{out_of_range}");
    // The refused value as JS writes it, not rounded into the range.
    let just_under = message(r#"{"reconnect":{"multiplier":0.9996}}"#);
    assert!(just_under.ends_with("got 0.9996"), "{just_under}");

    let choice = message(r#"{"queue":{"overflow":"drop"}}"#);
    assert!(choice.contains(r#""reject" or "dropOldest""#), "{choice}");

    // A wrong type names the range the option really has.
    for (options, says) in [
        (
            r#"{"requests":{"timeoutMs":1.5}}"#,
            "invalid option `requests.timeoutMs`: expected an integer from 1 to 86400000, got 1.5",
        ),
        (
            r#"{"reconnect":{"maxAttempts":-1}}"#,
            "invalid option `reconnect.maxAttempts`: expected an integer from 1 to 4294967295 or null, got -1",
        ),
        (
            r#"{"connectTimeoutMs":86400001}"#,
            "invalid option `connectTimeoutMs`: expected an integer from 0 to 86400000, got 86400001",
        ),
        (
            r#"{"closeCodes":[{"code":4100,"to":"x","action":"stop"}]}"#,
            "invalid option `closeCodes[0].to`: expected an integer from 1000 to 4999 or null, got \"x\"",
        ),
        (
            r#"{"closeCodes":[{"code":4100}]}"#,
            r#"invalid option `closeCodes[0].action`: expected "retry" or "stop" or "reauth", got undefined"#,
        ),
    ] {
        assert_eq!(message(options), says, "{options}");
    }
    // A whole number under the range gets the core's reason.
    let no_attempts = message(r#"{"reconnect":{"maxAttempts":0}}"#);
    assert!(
        no_attempts.contains("reconnect.enabled = false"),
        "{no_attempts}"
    );

    // Subprotocols the browser would refuse at every attempt are refused here.
    for bad in [
        r#"{"protocols":""}"#,
        r#"{"protocols":"a b"}"#,
        r#"{"protocols":["v1","v1"]}"#,
    ] {
        let refused = message(bad);
        assert!(refused.contains("`protocols`"), "{bad}: {refused}");
        assert!(refused.contains("non-empty tokens"), "{bad}: {refused}");
    }

    let url_error = ResilientSocket::new("http://example.test".into(), JsValue::UNDEFINED)
        .err()
        .expect("refused");
    let url_error = url_error.unchecked_into::<js_sys::Error>().message();
    assert!(
        url_error.as_string().unwrap().contains("ws://"),
        "{url_error:?}"
    );
}

#[wasm_bindgen_test]
async fn a_throwing_listener_leaks_no_js_value() {
    // Each exception a listener throws is caught in WASM; wasm-bindgen kept
    // a table slot per caught exception of an import returning a value
    // (`web::bindings`), 4 per cycle here.
    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url(&client_id("throw-leak"), ""), options).unwrap();
    let thrower = run_js(
        "const f = () => { f.calls += 1; throw new Error('app bug (expected by the test)'); };
         f.calls = 0;
         return f;",
    );
    socket
        .add_event_listener("statechange".into(), thrower.clone(), JsValue::UNDEFINED)
        .unwrap();
    let mut states = Events::listen(&socket, "statechange");
    let mut cycle = async || {
        socket.connect().unwrap();
        states.next_to("open").await;
        socket
            .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
            .unwrap();
        states.next_to("closed").await;
    };
    cycle().await;
    let throws_before = number(&thrower, "calls");
    let before = wasm_bindgen::externref_heap_live_count();
    for _ in 0..25 {
        cycle().await;
    }
    let after = wasm_bindgen::externref_heap_live_count();
    let throws = number(&thrower, "calls") - throws_before;
    assert_eq!(throws, 100.0, "connecting, open, closing, closed: 25 times");
    assert!(
        after <= before + 2,
        "{} JS values more after {throws} throws",
        after.saturating_sub(before)
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
fn a_refused_url_leaks_no_js_value() {
    // The URL check asks `URL.canParse`; `new URL(url)` throwing, caught,
    // kept a slot (see the test above).
    let refused = || {
        let result = ResilientSocket::new("ws://[::1".into(), JsValue::UNDEFINED);
        result.err().expect("an unparsable URL is refused")
    };
    drop(refused());
    let before = wasm_bindgen::externref_heap_live_count();
    for _ in 0..50 {
        drop(refused());
    }
    let after = wasm_bindgen::externref_heap_live_count();
    assert!(
        after <= before + 2,
        "{} JS values more after 50 refused URLs",
        after.saturating_sub(before)
    );
}

/// Replaces the page's `WebSocket` with one whose constructor throws a
/// `SecurityError` with `message`, as a browser refusing the URL does;
/// returns the browser's, for [`put_back_websocket`].
fn refuse_every_websocket(message: &str) -> JsValue {
    let install = Function::new_with_args(
        "message",
        "const original = globalThis.WebSocket;
         globalThis.WebSocket = function () {
           throw new DOMException(message, 'SecurityError');
         };
         return original;",
    );
    install.call1(&JsValue::NULL, &message.into()).unwrap()
}

fn put_back_websocket(original: &JsValue) {
    Reflect::set(&js_sys::global(), &"WebSocket".into(), original).unwrap();
}

#[wasm_bindgen_test]
async fn a_refused_browser_socket_leaks_no_js_value() {
    // As an https page refuses `ws://`: the constructor throws on every
    // attempt. The URL comes from a provider, so each refusal is the
    // provider's failure and a reconnect (a fixed URL stops at the first).
    let original = refuse_every_websocket("refused by the test");
    let options = json(RETRY_AT_ONCE);
    let href = url(&client_id("refused-ws"), "");
    let provider = Function::new_with_args("href", "return () => href")
        .call1(&JsValue::NULL, &href.clone().into())
        .unwrap();
    Reflect::set(&options, &"urlProvider".into(), &provider).unwrap();
    let socket = ResilientSocket::new(href, options).unwrap();
    let added = js_values_added_over_30_failed_attempts(&socket).await;
    let last_close = socket.last_close();
    socket.dispose().unwrap();
    put_back_websocket(&original);
    let reason = text(&last_close, "reason");
    assert!(reason.contains("refused by the test"), "{reason}");
    assert_eq!(text(&last_close, "cause"), "urlProvider");
    assert!(
        added <= 2,
        "{added} JS values more after 30 refused attempts"
    );
}

#[wasm_bindgen_test]
async fn a_url_the_browser_refuses_closes_for_good_with_cause_refused() {
    // `new WebSocket` throws as Chromium's does for `ws://` from an https
    // page (this test page is http; Chromium 156 throws neither for a
    // blocked port nor for a CSP refusal, both fail later). Every attempt with this
    // URL would throw, so there is no retry; connect() tries again. The
    // browser's WebSocket is put back before anything is asserted.
    let original = refuse_every_websocket(
        "An insecure WebSocket connection may not be initiated from a page loaded over HTTPS.",
    );
    let socket = ResilientSocket::new(url(&client_id("refused-fixed"), ""), json(RETRY_AT_ONCE));
    let mut seen = Vec::new();
    if let Ok(socket) = &socket {
        let mut closes = Events::listen(socket, "close");
        for round in 0..2 {
            let close = closes.next().await;
            let stats = socket.stats();
            seen.push((close, socket.state(), stats));
            if round == 0 {
                seen.push((
                    JsValue::UNDEFINED,
                    String::new(),
                    socket.connect().map(|()| JsValue::NULL),
                ));
            }
        }
        socket.dispose().unwrap();
    }
    put_back_websocket(&original);
    socket.unwrap();
    for (close, state, stats) in seen {
        if close.is_undefined() {
            stats.expect("connect() after the refusal");
            continue;
        }
        assert_eq!(text(&close, "cause"), "refused");
        assert_eq!(field(&close, "willReconnect"), JsValue::FALSE);
        assert_eq!(field(&close, "code"), 1006);
        assert_eq!(text(&close, "action"), "stop");
        let reason = text(&close, "reason");
        assert!(
            reason.contains("insecure WebSocket"),
            "the browser's message: {reason}"
        );
        assert_eq!(state, "closed", "no retry scheduled");
        assert_eq!(number(&stats.unwrap(), "reconnects"), 0.0);
    }
}

#[wasm_bindgen_test]
async fn a_url_provider_throwing_an_unreadable_error_leaks_no_js_value() {
    // Both the call and the read of the error's `message` throw, caught.
    let options = json(RETRY_AT_ONCE);
    let provider = run_js(
        "return () => {
           const error = new Error();
           Object.defineProperty(error, 'message', { get() { throw 'unreadable'; } });
           throw error;
         };",
    );
    Reflect::set(&options, &"urlProvider".into(), &provider).unwrap();
    let socket = ResilientSocket::new(url(&client_id("provider-throws"), ""), options).unwrap();
    let added = js_values_added_over_30_failed_attempts(&socket).await;
    socket.dispose().unwrap();
    assert!(
        added <= 2,
        "{added} JS values more after 30 failed provider calls"
    );
}

#[wasm_bindgen_test]
async fn a_url_provider_whose_promise_never_settles_leaks_no_js_value() {
    // A hanging token fetch: each attempt's Promise is given up by the
    // connect timeout, and holds nothing of wasm's while it waits.
    let options = json(
        r#"{"connectTimeoutMs":5,"reconnect":{"initialDelayMs":1,"maxDelayMs":1,"jitter":"none"}}"#,
    );
    let provider = run_js("return () => new Promise(() => {});");
    Reflect::set(&options, &"urlProvider".into(), &provider).unwrap();
    let before = wasm_bindgen::externref_heap_live_count();
    let socket = ResilientSocket::new(url(&client_id("provider-hangs"), ""), options).unwrap();
    let added = js_values_added_over_30_failed_attempts(&socket).await;
    socket.dispose().unwrap();
    drop(socket);
    assert!(
        added <= 2,
        "{added} JS values more after 30 hanging provider calls"
    );
    assert!(
        wasm_bindgen::externref_heap_live_count() <= before + 2,
        "let go of on dispose"
    );
}

/// Reconnects with no wait, for tests that count failed attempts.
const RETRY_AT_ONCE: &str = r#"{"reconnect":{"initialDelayMs":1,"maxDelayMs":1,"jitter":"none"}}"#;

/// How many more JS values WASM holds after 30 more failed attempts of
/// `socket` (counted from its first failure).
async fn js_values_added_over_30_failed_attempts(socket: &ResilientSocket) -> u32 {
    let mut reconnecting = Events::listen(socket, "reconnecting");
    reconnecting.next().await;
    let before = wasm_bindgen::externref_heap_live_count();
    for _ in 0..30 {
        reconnecting.next().await;
    }
    wasm_bindgen::externref_heap_live_count().saturating_sub(before)
}

#[wasm_bindgen_test]
async fn a_url_object_is_taken_as_a_websocket_takes_it_and_anything_else_is_refused() {
    let href = url("echo-url-object", "");
    let new_url = Function::new_with_args("href", "return new URL(href)");
    let url_object = new_url.call1(&JsValue::NULL, &href.clone().into()).unwrap();
    let socket = ResilientSocket::from_js(url_object, JsValue::UNDEFINED).unwrap();
    let mut messages = Events::listen(&socket, "message");
    socket.send("via a URL object".into()).unwrap();
    let message = messages.next().await;
    assert_eq!(field(&message, "data"), "via a URL object");
    assert_eq!(socket.url(), href);
    socket.dispose().unwrap();

    // A `URL` of another realm (an iframe's), which `instanceof URL` would
    // refuse: taken by its href.
    let foreign_url = Function::new_with_args(
        "href",
        "const frame = document.createElement('iframe');
         document.body.appendChild(frame);
         const url = new frame.contentWindow.URL(href);
         frame.remove();
         return url;",
    );
    let url_object = foreign_url
        .call1(&JsValue::NULL, &href.clone().into())
        .unwrap();
    let is_local_url = Function::new_with_args("u", "return u instanceof URL");
    assert_eq!(
        is_local_url.call1(&JsValue::NULL, &url_object).unwrap(),
        false,
        "another realm's URL"
    );
    let socket = ResilientSocket::from_js(url_object, JsValue::UNDEFINED).unwrap();
    assert_eq!(socket.url(), href);
    socket.dispose().unwrap();

    let message = error_message;
    for (not_a_url, got) in [
        (JsValue::from(42), "42"),
        (JsValue::NULL, "null"),
        (js_sys::Object::new().into(), "an object"),
    ] {
        let Err(refused) = ResilientSocket::from_js(not_a_url, JsValue::UNDEFINED) else {
            panic!("{got} taken as a URL");
        };
        assert_eq!(
            message(refused),
            format!("url: expected a ws:// or wss:// URL (a string or URL object), got {got}")
        );
    }
}

#[wasm_bindgen_test]
fn bad_calls_throw_like_a_websocket_would() {
    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    assert_eq!(socket.state(), "idle");
    assert!(
        socket
            .close(JsValue::from(1001.0), JsValue::UNDEFINED)
            .is_err(),
        "1001 is not for apps"
    );
    assert!(
        socket
            .close(JsValue::from(70000.0), JsValue::UNDEFINED)
            .is_err()
    );
    assert!(
        socket
            .add_event_listener(
                "mesage".into(),
                Function::new_no_args("").into(),
                JsValue::UNDEFINED
            )
            .is_err()
    );
    let info = describe_close_code(1006.0, json(r#"{"opened":false}"#)).unwrap();
    assert_eq!(field(&info, "category"), "abnormal");
    // A plain object, an array, null or undefined is refused: a WebSocket
    // would send "[object Object]" and the like.
    let message = error_message;
    let plain: JsValue = js_sys::Object::new().into();
    let array: JsValue = js_sys::Array::of1(&1.into()).into();
    let bare: js_sys::Object = js_sys::Object::create(JsValue::NULL.unchecked_ref());
    let bare: JsValue = bare.into();
    for not_data in [plain, array, bare, JsValue::NULL, JsValue::UNDEFINED] {
        let text = message(socket.send(not_data).unwrap_err());
        assert!(
            text.starts_with(
                "send: data is a plain object (not binary data), an array, null or undefined"
            ) && text.contains("JSON.stringify(data)"),
            "{text}"
        );
    }
    // A number is sent as its text, as a WebSocket does.
    assert!(!socket.send(7.into()).unwrap(), "queued while idle");
    // String(data) throws for an object without a prototype (tagged, so it
    // is not a plain object): an Error, and the socket stays usable (the
    // exception does not unwind through WASM).
    let no_prototype: js_sys::Object = js_sys::Object::create(JsValue::NULL.unchecked_ref());
    js_sys::Reflect::set(
        &no_prototype,
        &js_sys::Symbol::to_string_tag(),
        &"Odd".into(),
    )
    .unwrap();
    let text = message(socket.send(no_prototype.into()).unwrap_err());
    assert!(
        text.starts_with("send: data is neither text nor binary data, and String(data) threw: "),
        "{text}"
    );
    assert!(!socket.send("queued".into()).unwrap(), "queued while idle");
    socket.dispose().unwrap();
    assert!(socket.disposed());
}

#[wasm_bindgen_test]
async fn a_disposed_socket_says_so_and_cannot_be_reopened() {
    // A callback kept from an earlier render holds a socket the hook has
    // disposed: every call says "disposed", none advises connect().
    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    socket.dispose().unwrap();
    let message = error_message;
    for refused in [
        socket.send("late".into()).unwrap_err(),
        socket.connect().unwrap_err(),
        socket.reconnect().unwrap_err(),
    ] {
        let text = message(refused);
        assert!(
            text.contains("was disposed; create a new ResilientSocket"),
            "{text}"
        );
    }
    let rejected = JsFuture::from(socket.request(json(r#"{"type":"x"}"#), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(field(&rejected, "reason"), "disposed");
    assert_eq!(socket.state(), "closed");
}

/// A refused call names itself, and a call's option bag reads like the
/// constructor's options: a key whose value is `undefined` counts as absent.
#[wasm_bindgen_test]
async fn refused_calls_name_the_call_and_undefined_call_options_count_as_absent() {
    let options = json(r#"{"autoConnect":false,"maxMessageBytes":4}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    let message = error_message;

    let refused = message(
        socket
            .set_replay_state("k".into(), "hello!".into(), JsValue::UNDEFINED)
            .unwrap_err(),
    );
    assert_eq!(
        refused,
        "setReplayState: message of size 6 (UTF-16 units for text, bytes for binary) is larger than maxMessageBytes (4)"
    );
    let rejected = JsFuture::from(socket.request(json(r#"{"type":"q"}"#), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    let rejected = message(rejected);
    assert!(rejected.starts_with("request: message of "), "{rejected}");

    let absent = run_js("return { debounceMs: undefined, extra: undefined }");
    assert!(
        socket
            .set_replay_state("k".into(), "ab".into(), absent)
            .is_ok(),
        "undefined keys count as absent"
    );
    let unknown = message(
        socket
            .set_replay_state("k".into(), "ab".into(), json(r#"{"extra":1}"#))
            .unwrap_err(),
    );
    assert_eq!(
        unknown,
        "setReplayState: unknown option `extra`; allowed: debounceMs"
    );

    socket.dispose().unwrap();
    let disposed = message(
        socket
            .set_replay_state("k".into(), "ab".into(), JsValue::UNDEFINED)
            .unwrap_err(),
    );
    assert_eq!(
        disposed,
        "setReplayState: the socket was disposed; create a new ResilientSocket"
    );
}

/// Input the SDK cannot read or take is refused by name, never replaced by a
/// default: a getter that throws, a code after `dispose()`, a BigInt where a
/// number goes; an inspector limit beyond what any inspector holds is no
/// limit.
#[wasm_bindgen_test]
async fn unreadable_options_and_bad_arguments_are_refused_by_name() {
    let refused = |options: JsValue| {
        error_message(
            ResilientSocket::new(url("never", ""), options)
                .err()
                .expect("refused"),
        )
    };
    assert_eq!(
        refused(run_js(
            "return { reconnect: { get enabled() { throw new Error('no') } } }"
        )),
        "invalid option `reconnect.enabled`: reading it threw: Error: no"
    );
    assert_eq!(
        refused(run_js("return { get reconect() { throw 'typo' } }")),
        "invalid option `reconect`: reading it threw: typo"
    );
    assert_eq!(
        refused(run_js("return { maxMessageBytes: 1048576n }")),
        "invalid option `maxMessageBytes`: expected an integer from 1 to 9007199254740991, got a BigInt"
    );

    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    let throwing = |key: &str| {
        run_js(&format!(
            "return {{ get {key}() {{ throw new Error('no') }} }}"
        ))
    };
    let listener = Function::new_no_args("");
    assert_eq!(
        error_message(
            socket
                .add_event_listener("open".into(), listener.into(), throwing("once"))
                .unwrap_err()
        ),
        "addEventListener: option `once`: reading it threw: Error: no"
    );
    let rejected = JsFuture::from(socket.request(json(r#"{"type":"q"}"#), throwing("timeoutMs")))
        .await
        .unwrap_err();
    assert_eq!(
        error_message(rejected),
        "request: option `timeoutMs`: reading it threw: Error: no"
    );
    let inspector = socket.inspector();
    assert_eq!(
        error_message(inspector.entries(throwing("limit")).unwrap_err()),
        "inspector.entries: option `limit`: reading it threw: Error: no"
    );
    let fields = run_js("return { fields: { get type() { throw new Error('no') } } }");
    assert_eq!(
        error_message(inspector.entries(fields).unwrap_err()),
        "inspector.entries: option `fields.type`: reading it threw: Error: no"
    );
    let all = inspector.entries(json(r#"{"limit":9007199254740991}"#));
    assert!(all.is_ok(), "{all:?}");
    let negative = error_message(inspector.entries(json(r#"{"limit":-1}"#)).unwrap_err());
    assert!(
        negative.contains("limit must be an integer from 0 to 9007199254740991, got -1"),
        "{negative}"
    );

    // After dispose() close() does nothing, and still refuses what a
    // WebSocket would.
    socket.dispose().unwrap();
    assert!(socket.close(JsValue::from(4000.0), "bye".into()).is_ok());
    assert_eq!(
        error_message(
            socket
                .close(JsValue::from(1001.0), JsValue::UNDEFINED)
                .unwrap_err()
        ),
        "close: invalid code 1001; allowed: 1000 or 3000-4999"
    );
    let long = "x".repeat(124);
    assert_eq!(
        error_message(
            socket
                .close(JsValue::from(1000.0), long.into())
                .unwrap_err()
        ),
        "close: reason is 124 bytes of UTF-8; allowed: at most 123"
    );
}

#[wasm_bindgen_test]
fn shared_memory_is_refused_not_lost() {
    // WebSocket.send throws on a SharedArrayBuffer or a view of one; the SDK
    // sends later (queued, replayed), so it must refuse such data when given
    // it. The test runner serves the page cross-origin isolated, so the
    // constructor exists.
    let shared_view = run_js("return new Uint8Array(new SharedArrayBuffer(4))");
    let shared_buffer = run_js("return new SharedArrayBuffer(4)");
    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    let message = error_message;
    for shared in [&shared_view, &shared_buffer] {
        let refused = message(socket.send(shared.clone()).unwrap_err());
        assert!(
            refused.starts_with("send: data is a SharedArrayBuffer or a view of one"),
            "{refused}"
        );
        let refused = message(
            socket
                .set_replay_state("k".into(), shared.clone(), JsValue::UNDEFINED)
                .unwrap_err(),
        );
        assert!(
            refused.starts_with("setReplayState: value is a SharedArrayBuffer or a view of one"),
            "{refused}"
        );
    }
    assert_eq!(field(&socket.stats().unwrap(), "queued"), 0.0);
    // An ordinary ArrayBuffer and a view of one still queue, also from
    // another realm (an iframe), where `instanceof ArrayBuffer` is false: as
    // binary data (4 bytes each), not as the text "[object ArrayBuffer]".
    assert!(
        !socket
            .send(js_sys::Uint8Array::new_with_length(4).into())
            .unwrap()
    );
    assert!(!socket.send(js_sys::ArrayBuffer::new(4).into()).unwrap());
    let iframe_made = |body: &str| {
        run_js(&format!(
            "const frame = document.createElement('iframe'); document.body.appendChild(frame); \
             const made = {body}; frame.remove(); return made;"
        ))
    };
    let foreign_view = iframe_made("new frame.contentWindow.Uint8Array(4)");
    let foreign_buffer = iframe_made("new frame.contentWindow.ArrayBuffer(4)");
    assert!(
        !foreign_buffer.is_instance_of::<js_sys::ArrayBuffer>(),
        "really another realm"
    );
    assert!(!socket.send(foreign_view).unwrap());
    assert!(!socket.send(foreign_buffer).unwrap());
    assert_eq!(field(&socket.stats().unwrap(), "queued"), 4.0);
    assert_eq!(field(&socket.stats().unwrap(), "queuedBytes"), 16.0);
    socket.dispose().unwrap();
}

/// A JS callback and how many times it was called.
type Counting<F> = (Rc<Cell<u32>>, Closure<F>);

/// A `urlProvider` that counts its calls and answers call `n` (from 1)
/// with `answer(n)`.
fn counting_provider(
    answer: impl Fn(u32) -> JsValue + 'static,
) -> Counting<dyn FnMut() -> JsValue> {
    let asked = Rc::new(Cell::new(0));
    let counter = asked.clone();
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        counter.set(counter.get() + 1);
        answer(counter.get())
    });
    (asked, provider)
}

#[wasm_bindgen_test]
async fn an_async_url_provider_is_asked_before_each_attempt() {
    let (asked, provider) = counting_provider(|_| {
        js_sys::Promise::resolve(&JsValue::from(url("provided", "token=s3cret"))).into()
    });
    let options = js_sys::Object::new();
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = ResilientSocket::new(url("placeholder", ""), options.into()).unwrap();
    let mut opens = Events::listen(&socket, "open");
    opens.next().await;
    assert_eq!(asked.get(), 1);
    assert!(socket.url().contains("/ws/provided"), "{}", socket.url());
    assert!(
        !socket.url().contains("s3cret"),
        "redacted: {}",
        socket.url()
    );
    // The provider runs after the listeners that announce the attempt.
    let asked_at_close = Rc::new(Cell::new(None));
    let (count, seen) = (asked.clone(), asked_at_close.clone());
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| seen.set(Some(count.get())));
    socket
        .add_event_listener(
            "close".into(),
            on_close.as_ref().clone(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    socket.reconnect().unwrap();
    opens.next().await;
    assert_eq!(asked.get(), 2, "asked again for the new attempt");
    assert_eq!(
        asked_at_close.get(),
        Some(1),
        "reconnect()'s close came first"
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn the_url_provider_is_not_asked_for_an_attempt_a_listener_closed() {
    // The provider runs after the `connecting` listeners; one that closes
    // the socket there ends the attempt, so no token is fetched for it.
    let (asked, provider) = counting_provider(|_| JsValue::from(url("never", "")));
    let options = js_sys::Object::new();
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = Rc::new(ResilientSocket::new(url("placeholder", ""), options.into()).unwrap());
    let on_state = {
        let socket = socket.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if field(&event, "to").as_string().as_deref() == Some("connecting") {
                socket
                    .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
                    .unwrap();
            }
        })
    };
    socket
        .add_event_listener(
            "statechange".into(),
            on_state.as_ref().clone(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    // Everything the constructor set off runs in one turn, the skipped
    // provider call included, before this `closed`.
    Events::listen(&socket, "statechange")
        .next_to("closed")
        .await;
    assert_eq!(asked.get(), 0, "no provider call for the closed attempt");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_rejected_url_provider_promise_is_reported_and_the_next_attempt_asks_again() {
    let (asked, provider) = counting_provider(|call| {
        if call == 1 {
            js_sys::Promise::reject(&js_sys::Error::new("token service down").into()).into()
        } else {
            js_sys::Promise::resolve(&JsValue::from(url("provided-after-reject", ""))).into()
        }
    });
    let options = json(r#"{"reconnect":{"initialDelayMs":10,"maxDelayMs":10}}"#);
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = ResilientSocket::new(url("placeholder", ""), options).unwrap();
    let mut errors = Events::listen(&socket, "error");
    let mut opens = Events::listen(&socket, "open");
    let error = errors.next().await;
    assert_eq!(
        text(&error, "message"),
        "urlProvider failed: token service down"
    );
    opens.next().await;
    assert_eq!(asked.get(), 2, "asked again after the rejection");
    assert!(
        socket.url().contains("/ws/provided-after-reject"),
        "{}",
        socket.url()
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_url_provider_promise_that_throws_when_read_is_its_failure_and_the_socket_goes_on() {
    // `Promise.resolve` reads a native Promise's `constructor`, which may
    // throw: that is the provider's failure, reported, and the next
    // attempt asks again (the exception once left the driver mid-dispatch
    // for good: no event reached the app any more).
    let (asked, provider) = counting_provider(|call| {
        if call == 1 {
            run_js(
                "const p = Promise.resolve('ws://never.invalid/');
                 Object.defineProperty(p, 'constructor', { get() { throw new Error('booby-trapped'); } });
                 return p;",
            )
        } else {
            JsValue::from(url("provided-after-trap", ""))
        }
    });
    let options = json(r#"{"reconnect":{"initialDelayMs":10,"maxDelayMs":10}}"#);
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = ResilientSocket::new(url("placeholder", ""), options).unwrap();
    let mut errors = Events::listen(&socket, "error");
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    let error = errors.next().await;
    assert_eq!(text(&error, "message"), "urlProvider failed: booby-trapped");
    opens.next().await;
    assert_eq!(asked.get(), 2, "asked again after the failure");
    socket.send("still delivering".into()).unwrap();
    let echo = messages.next().await.unchecked_into::<MessageEvent>();
    assert_eq!(echo.data(), "still delivering");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_revoked_proxy_given_to_any_call_is_refused_by_name_and_leaks_nothing() {
    // A stale Immer draft: every read throws. Each call refuses it with an
    // `Error` (a rejected Promise for request()); the exception never
    // passes through WASM, whose cleanup it would skip (the socket would
    // never be freed).
    let drivers_before = resilient_ws::live_drivers();
    let revoked =
        || run_js("const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy;");
    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    let message = error_message;
    // Named by the call, with what the Proxy threw.
    let refused_by = |call: &str, refused: String| {
        assert!(
            refused.starts_with(call) && refused.contains("reading it threw: TypeError"),
            "{refused}"
        );
    };
    let refused = message(
        ResilientSocket::new(url("never", ""), revoked())
            .err()
            .unwrap(),
    );
    assert!(
        refused.starts_with("invalid `options`: reading it threw: TypeError"),
        "{refused}"
    );
    let protocols = run_js(
        "return { get protocols() { const { proxy, revoke } = Proxy.revocable([], {}); revoke(); return proxy; } }",
    );
    let refused = message(
        ResilientSocket::new(url("never", ""), protocols)
            .err()
            .unwrap(),
    );
    assert!(
        refused.starts_with("invalid option `protocols`"),
        "{refused}"
    );
    let listener = Function::new_no_args("");
    let refused = message(
        socket
            .add_event_listener("message".into(), listener.into(), revoked())
            .unwrap_err(),
    );
    refused_by("addEventListener: ", refused);
    let refused = message(
        socket
            .set_replay_state("k".into(), "v".into(), revoked())
            .unwrap_err(),
    );
    refused_by("setReplayState: ", refused);
    let inspector = socket.inspector();
    let refused = message(inspector.entries(revoked()).unwrap_err());
    refused_by("inspector.entries: ", refused);
    let fields = json("{}");
    Reflect::set(&fields, &"fields".into(), &revoked()).unwrap();
    let refused = message(inspector.entries(fields).unwrap_err());
    refused_by("inspector.entries: option `fields`", refused);
    let rejected = JsFuture::from(socket.request(revoked(), JsValue::UNDEFINED)).await;
    let refused = message(rejected.unwrap_err());
    assert!(
        refused.starts_with("request: message must be a JSON object"),
        "{refused}"
    );
    let rejected = JsFuture::from(socket.request(json(r#"{"type":"get"}"#), revoked())).await;
    let refused = message(rejected.unwrap_err());
    refused_by("request: ", refused);
    socket.dispose().unwrap();
    drop(socket);
    drop(inspector);
    assert_eq!(resilient_ws::live_drivers(), drivers_before, "freed");
}

#[wasm_bindgen_test]
async fn a_large_reply_is_matched_without_passing_through_wasm_memory() {
    // A snapshot answering a request, its id after 6 MB of data: the id is
    // read in JS. Copied into WASM to be scanned, it grew WASM memory by its
    // size, for the page's life.
    let id = client_id("large-reply");
    let socket = ResilientSocket::new(url(&id, "silent=1"), JsValue::UNDEFINED).unwrap();
    let mut messages = Events::listen(&socket, "message");
    Events::listen(&socket, "open").next().await;
    let send = async |text: &str| {
        control_with_body("POST", &format!("/clients/{id}/send"), &run_js(text)).await;
    };
    let pending = JsFuture::from(socket.request(
        json(r#"{"type":"snapshot","id":"snap-1"}"#),
        json(r#"{"timeoutMs":20000}"#),
    ));
    // An id only nested: no reply, a message for the listeners.
    send(r#"return '{"pad":"' + 'x'.repeat(1e5) + '","of":{"id":"snap-1"}}';"#).await;
    let nested = messages.next().await.unchecked_into::<MessageEvent>();
    assert!(nested.data().is_string());
    // A number id, read in WASM as before.
    let numbered = socket.request(json(r#"{"type":"n","id":7}"#), JsValue::UNDEFINED);
    send(r#"return '{"pad":"' + 'x'.repeat(1e5) + '","id":7}';"#).await;
    let answer = JsFuture::from(numbered)
        .await
        .expect("a number id is matched");
    assert_eq!(field(&answer, "id"), 7);
    wait_for_stats(&id, "the requests arrived", |stats| {
        field(stats, "count") == 2
    })
    .await;
    let reply = run_js(r#"return '{"data":"' + 'x'.repeat(6e6) + '","id":"snap-1"}';"#);
    let memory_bytes = || {
        let buffer = field(&wasm_bindgen::memory(), "buffer");
        number(&buffer, "byteLength")
    };
    let before = memory_bytes();
    control_with_body("POST", &format!("/clients/{id}/send"), &reply).await;
    let answer = pending.await.expect("the large reply answers the request");
    assert!(messages.drain().is_empty(), "replies are no messages");
    assert_eq!(field(&answer, "id"), "snap-1");
    let data: js_sys::JsString = field(&answer, "data").unchecked_into();
    assert_eq!(data.length(), 6_000_000);
    let grown = memory_bytes() - before;
    assert!(grown < 1e6, "WASM memory grew {grown} B for a 6 MB reply");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn close_converts_its_code_as_a_web_socket_does() {
    // Number(code): a string or an object with `valueOf` is taken (converted
    // inside the call, not at its boundary, where a `valueOf` that frees
    // the socket ran before the call held it); a Symbol throws TypeError.
    for (code, expected) in [
        (JsValue::from_str("4000"), 4000),
        (run_js("return { valueOf() { return 4001; } }"), 4001),
    ] {
        let socket =
            ResilientSocket::new(url(&client_id("close-code"), ""), JsValue::UNDEFINED).unwrap();
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        opens.next().await;
        socket.close(code, "bye".into()).unwrap();
        assert_eq!(field(&closes.next().await, "code"), expected);
        socket.dispose().unwrap();
    }
    let options = json(r#"{"autoConnect":false}"#);
    let socket = ResilientSocket::new(url("never", ""), options).unwrap();
    let symbol = socket.close(run_js("return Symbol('x')"), JsValue::UNDEFINED);
    assert!(
        symbol.unwrap_err().is_instance_of::<js_sys::TypeError>(),
        "as Number(Symbol()) throws"
    );
    let bigint = socket.close(run_js("return 4000n"), JsValue::UNDEFINED);
    assert_eq!(
        error_message(bigint.unwrap_err()),
        "close: invalid code a BigInt; allowed: 1000 or 3000-4999"
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_url_the_browser_cannot_parse_is_refused_or_blamed_on_the_provider() {
    // Fixed: refused by the constructor (every attempt would fail), without
    // repeating the URL (it may carry a token).
    let refused = ResilientSocket::new(
        "ws://localhost:70000/ws?token=s3cret".into(),
        JsValue::UNDEFINED,
    )
    .err()
    .expect("a port out of range is refused");
    let message = error_message(refused);
    assert!(
        message.contains("`url`") && message.contains("cannot parse"),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");

    // From the provider: its failure (cause urlProvider), retried with a
    // fresh answer, not a server's 1006.
    let (asked, provider) = counting_provider(|call| {
        JsValue::from(if call == 1 {
            String::from("ws://localhost:70000/ws/x")
        } else {
            url("provided-after-unparsable", "")
        })
    });
    let options = json(r#"{"reconnect":{"initialDelayMs":10,"maxDelayMs":10}}"#);
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = ResilientSocket::new(url("placeholder", ""), options).unwrap();
    let mut closes = Events::listen(&socket, "close");
    let mut opens = Events::listen(&socket, "open");
    let close = closes.next().await;
    assert_eq!(
        field(&close, "cause"),
        "urlProvider",
        "{:?} {:?}",
        field(&close, "reason"),
        asked.get()
    );
    assert_eq!(field(&close, "willReconnect"), true);
    opens.next().await;
    assert_eq!(asked.get(), 2);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn what_the_constructor_sets_off_reaches_listeners_added_right_after_it() {
    // A first attempt that fails inside the constructor (a sync provider
    // throws) and does not retry: its events are still seen, in order.
    let provider = Closure::<dyn FnMut() -> Result<JsValue, JsValue>>::new(|| {
        Err(js_sys::Error::new("no token yet").into())
    });
    let options = json(r#"{"reconnect":{"enabled":false}}"#);
    Reflect::set(&options, &"urlProvider".into(), provider.as_ref()).unwrap();
    let socket = ResilientSocket::new(url("placeholder", ""), options).unwrap();
    let mut states = Events::listen(&socket, "statechange");
    let mut errors = Events::listen(&socket, "error");
    let mut closes = Events::listen(&socket, "close");

    let first = states.next().await;
    assert_eq!(field(&first, "from"), "idle");
    assert_eq!(field(&first, "to"), "connecting");
    let error = errors.next().await;
    assert_eq!(text(&error, "message"), "urlProvider failed: no token yet");
    let close = closes.next().await;
    assert_eq!(field(&close, "cause"), "urlProvider");
    assert_eq!(field(&close, "willReconnect"), false);
    assert_eq!(field(&states.next().await, "to"), "closed");
    assert_eq!(socket.state(), "closed");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn binary_messages_pass_through_as_array_buffers() {
    let options = json(r#"{"binaryType":"arraybuffer"}"#);
    let socket = ResilientSocket::new(url("echo-binary", ""), options).unwrap();
    let mut messages = Events::listen(&socket, "message");
    let bytes = js_sys::Uint8Array::from(&[1u8, 2, 3, 250][..]);
    socket.send(bytes.into()).unwrap();
    let event = messages.next().await.unchecked_into::<MessageEvent>();
    let data = event.data();
    assert!(data.is_instance_of::<js_sys::ArrayBuffer>());
    assert_eq!(js_sys::Uint8Array::new(&data).to_vec(), [1, 2, 3, 250]);
    assert_eq!(field(&socket.stats().unwrap(), "bytesIn"), 4);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn the_inspector_records_both_directions_and_filters() {
    let socket = ResilientSocket::new(url("echo-inspect", ""), JsValue::UNDEFINED).unwrap();
    let mut messages = Events::listen(&socket, "message");
    socket
        .send(r#"{"type":"hello","token":"abc"}"#.into())
        .unwrap();
    messages.next().await;
    let inspector = socket.inspector();
    assert_eq!(inspector.length(), 2);
    let incoming = inspector.entries(json(r#"{"direction":"in"}"#)).unwrap();
    assert_eq!(incoming.length(), 1);
    let entry = incoming.get(0);
    assert_eq!(field(&entry, "type"), "hello");
    assert_eq!(field(&entry, "connection"), 1);
    // Wall-clock time, for lining up with server logs: a moment ago.
    let time = field(&entry, "time").as_f64().unwrap();
    let wall_now = js_sys::Date::now();
    assert!(
        time <= wall_now + 1.0 && time > wall_now - 5_000.0,
        "time {time}, now {wall_now}"
    );
    sleep(3).await;
    let again = inspector
        .entries(json(r#"{"direction":"in"}"#))
        .unwrap()
        .get(0);
    assert_eq!(field(&again, "time"), time, "the same time in every query");
    let preview = field(&entry, "preview").as_string().unwrap();
    assert!(!preview.contains("abc"), "token redacted: {preview}");
    assert!(inspector.entries(json(r#"{"direction":"up"}"#)).is_err());

    // fullText: the whole message (redacted) instead of its first 200
    // characters, in entries() and in the export.
    let long = format!(
        r#"{{"type":"long","token":"abc","pad":"{}"}}"#,
        "x".repeat(300)
    );
    socket.send(long.as_str().into()).unwrap();
    messages.next().await;
    let query = json(r#"{"type":"long","direction":"out","fullText":true}"#);
    let whole = inspector.entries(query.clone()).unwrap().get(0);
    let whole = field(&whole, "preview").as_string().unwrap();
    assert!(whole.len() > 300 && whole.ends_with(r#"x"}"#), "{whole}");
    assert!(!whole.contains("abc"), "still redacted: {whole}");
    let exported = inspector.export_json(query).unwrap().as_string().unwrap();
    assert!(exported.contains(&"x".repeat(300)));
    let cut = inspector
        .entries(json(r#"{"type":"long","direction":"out"}"#))
        .unwrap()
        .get(0);
    assert_eq!(
        field(&cut, "preview").as_string().unwrap().chars().count(),
        200
    );
    let refused = inspector
        .entries(json(r#"{"fullText":"yes"}"#))
        .unwrap_err();
    let refused = error_message(refused);
    assert!(refused.contains("fullText must be a boolean"), "{refused}");
    inspector.clear().unwrap();
    assert_eq!(inspector.length(), 0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn plain_messages_skip_the_driver_and_the_engine_still_sees_each_one() {
    // While the engine has nothing to decide (open, no pong or reply
    // awaited, no `once` listener), messages go from the browser to the
    // listeners in JS; counters and inspector catch up before the next call.
    let id = client_id("fast-path");
    let options = json(r#"{"inspector":{"maxEntries":3}}"#);
    let started = now_ms();
    let socket = ResilientSocket::new(url(&id, "flood=20&size=16"), options).unwrap();
    let slow_before = socket.slow_path_messages();
    let mut messages = Events::listen(&socket, "message");
    for _ in 0..20 {
        messages.next().await;
    }
    // The inspector's times are the messages' arrivals, not when the
    // driver took them (later: nothing entered it since).
    let received = now_ms();
    sleep(20).await;
    assert_eq!(
        socket.slow_path_messages(),
        slow_before,
        "all on the fast path"
    );
    let stats = socket.stats().unwrap();
    assert_eq!(number(&stats, "messagesIn"), 20.0);
    assert_eq!(number(&stats, "bytesIn"), 320.0);
    let entries = socket.inspector().entries(JsValue::UNDEFINED).unwrap();
    let seqs: Vec<f64> = entries.iter().map(|e| number(&e, "seq")).collect();
    assert_eq!(
        seqs,
        [18.0, 19.0, 20.0],
        "the newest 3 of 20, numbered as such"
    );
    assert!(text(&entries.get(2), "preview").starts_with("19:"));
    let times: Vec<f64> = entries.iter().map(|e| number(&e, "atMs")).collect();
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1])
            && times
                .iter()
                .all(|&at| at >= started.floor() && at <= received),
        "{times:?}: out of order, or outside {started}-{received}"
    );

    // A reply may be for a pending request: that message takes the slow path.
    let reply = socket.request(json(r#"{"type":"get"}"#), JsValue::UNDEFINED);
    JsFuture::from(reply).await.expect("the echo is the reply");
    assert_eq!(socket.slow_path_messages(), slow_before + 1);

    assert_eq!(number(&socket.stats().unwrap(), "messagesIn"), 21.0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_send_leaves_before_the_fast_paths_messages_are_booked_and_is_booked_after_them() {
    // An open socket hands a message to the browser before the engine takes
    // what the fast path delivered: it must go out once, and be counted
    // and recorded after the messages that came in before it.
    let id = client_id("send-ahead");
    let options = json(r#"{"inspector":{"maxEntries":8}}"#);
    let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    opens.next().await;
    let slow_before = socket.slow_path_messages();
    // "one" and "two" from the test, "three" from the listener that the
    // fast path calls with the echo of "two" (an app's echo loop).
    let socket = Rc::new(socket);
    let inner = socket.clone();
    // Checked by the test, not in the listener: a panic there is reported
    // and swallowed, and would not fail the test.
    let sent_three = Rc::new(RefCell::new(None));
    let record = sent_three.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if event.data().as_string().as_deref() == Some("two") {
            *record.borrow_mut() = Some(inner.send("three".into()));
        }
    });
    socket.set_onmessage(onmessage.as_ref().clone());
    for text in ["one", "two", "three"] {
        if text != "three" {
            assert!(socket.send(text.into()).unwrap(), "{text}: sent at once");
        }
        let echo = messages.next().await.unchecked_into::<MessageEvent>();
        assert_eq!(echo.data(), text);
        if text == "two" {
            let sent = sent_three.borrow_mut().take();
            let sent = sent.expect("the listener ran with the echo of \"two\"");
            assert!(sent.unwrap(), "\"three\" sent at once");
        }
    }
    socket.set_onmessage(JsValue::NULL);
    assert_eq!(
        socket.slow_path_messages(),
        slow_before,
        "the echoes took the fast path"
    );
    let received = wait_until_received(&id, "three").await;
    let texts: Vec<&str> = received.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["one", "two", "three"], "each sent once, in order");

    let entries = socket.inspector().entries(JsValue::UNDEFINED).unwrap();
    let read = |entry: JsValue| (text(&entry, "direction"), text(&entry, "preview"));
    let records: Vec<(String, String)> = entries.iter().map(read).collect();
    let expected = ["one", "one", "two", "two", "three", "three"]
        .iter()
        .zip(["out", "in"].iter().cycle())
        .map(|(text, direction)| (direction.to_string(), text.to_string()))
        .collect::<Vec<_>>();
    assert_eq!(records, expected, "each send after the echo before it");
    let seqs: Vec<f64> = entries.iter().map(|e| number(&e, "seq")).collect();
    assert_eq!(seqs, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let stats = socket.stats().unwrap();
    assert_eq!(number(&stats, "messagesOut"), 3.0);
    assert_eq!(number(&stats, "messagesIn"), 3.0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn text_sent_while_open_stays_in_js_and_is_booked_in_order_with_everything_else() {
    // The package's send(): text goes to the open socket through the
    // inbox, without the engine. Mixed with the module's sends and the
    // echoes, each must leave once, in order, and be counted and recorded
    // in the order it passed.
    let id = client_id("fast-send");
    let options = json(r#"{"inspector":{"maxEntries":8,"maxBytes":40}}"#);
    let socket = Rc::new(ResilientSocket::new(url(&id, ""), options).unwrap());
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    opens.next().await;
    let slow_before = socket.slow_path_messages();
    // "three" is sent by the listener the inbox calls with the echo of
    // "two" (an app's echo loop); "four" is too large for the inspector.
    let inner = socket.clone();
    // Checked by the test, not in the listener: a panic there is reported
    // and swallowed, and would not fail the test.
    let sent_three = Rc::new(RefCell::new(None));
    let record = sent_three.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if event.data().as_string().as_deref() == Some("two") {
            *record.borrow_mut() = Some(send_as_the_package_does(&inner, &"three".into()));
        }
    });
    socket.set_onmessage(onmessage.as_ref().clone());
    let four = "4".repeat(64);
    let one = send_as_the_package_does(&socket, &"one".into()).unwrap();
    assert_eq!(one, SendPath::Fast);
    assert_eq!(
        messages
            .next()
            .await
            .unchecked_into::<MessageEvent>()
            .data(),
        "one"
    );
    assert!(
        socket.send("two".into()).unwrap(),
        "the module's send, at once"
    );
    for echo in ["two", "three"] {
        assert_eq!(
            messages
                .next()
                .await
                .unchecked_into::<MessageEvent>()
                .data(),
            echo
        );
        if echo == "two" {
            let path = sent_three.borrow_mut().take();
            let path = path.expect("the listener ran with the echo of \"two\"");
            assert_eq!(path.unwrap(), SendPath::Fast, "\"three\" from the listener");
        }
    }
    socket.set_onmessage(JsValue::NULL);
    assert_eq!(
        socket.slow_path_messages(),
        slow_before,
        "the echoes took the fast path: its listener sent \"three\""
    );
    let large = send_as_the_package_does(&socket, &four.as_str().into()).unwrap();
    assert_eq!(large, SendPath::Fast);
    messages.next().await;
    let received = wait_until_received(&id, &four).await;
    let texts: Vec<&str> = received.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(
        texts,
        ["one", "two", "three", four.as_str()],
        "each sent once, in order"
    );

    let entries = socket.inspector().entries(JsValue::UNDEFINED).unwrap();
    let read = |entry: JsValue| (text(&entry, "direction"), text(&entry, "preview"));
    let records: Vec<(String, String)> = entries.iter().map(read).collect();
    let expected = ["one", "one", "two", "two", "three", "three"]
        .iter()
        .zip(["out", "in"].iter().cycle())
        .map(|(text, direction)| (direction.to_string(), text.to_string()))
        .collect::<Vec<_>>();
    assert_eq!(records[..6], expected, "each in the order it passed");
    for (entry, direction) in entries.iter().skip(6).zip(["out", "in"]) {
        assert_eq!(text(&entry, "direction"), direction);
        assert!(text(&entry, "preview").contains("too large"), "{entry:?}");
        assert_eq!(number(&entry, "size"), 64.0);
    }
    let seqs: Vec<f64> = entries.iter().map(|e| number(&e, "seq")).collect();
    assert_eq!(seqs, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    let times: Vec<f64> = entries.iter().map(|e| number(&e, "time")).collect();
    assert!(times.windows(2).all(|t| t[0] <= t[1]), "{times:?}");
    let stats = socket.stats().unwrap();
    assert_eq!(number(&stats, "messagesOut"), 4.0);
    assert_eq!(number(&stats, "messagesIn"), 4.0);
    assert_eq!(number(&stats, "bytesOut"), 3.0 + 3.0 + 5.0 + 64.0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn the_fast_paths_ring_keeps_both_ways_in_order_and_a_reconnect_moves_sends_to_the_new_socket()
 {
    // Three sends and their echoes all in JS, into a ring of 4 that the
    // driver does not take in between: the inspector keeps the newest 4,
    // numbered as if each had been recorded. Then the server restarts the
    // connection, and the next send goes to the new socket alone.
    let id = client_id("fast-ring");
    let options =
        json(r#"{"inspector":{"maxEntries":4},"reconnect":{"initialDelayMs":20,"maxDelayMs":40}}"#);
    let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    opens.next().await;
    let slow_before = socket.slow_path_messages();
    for text in ["a", "b", "c"] {
        let path = send_as_the_package_does(&socket, &text.into()).unwrap();
        assert_eq!(path, SendPath::Fast);
        let echo = messages.next().await.unchecked_into::<MessageEvent>();
        assert_eq!(echo.data(), text);
    }
    assert_eq!(
        socket.slow_path_messages(),
        slow_before,
        "no message left JS"
    );
    let entries = socket.inspector().entries(JsValue::UNDEFINED).unwrap();
    let read = |e: JsValue| {
        (
            number(&e, "seq"),
            text(&e, "direction"),
            text(&e, "preview"),
        )
    };
    let kept: Vec<(f64, String, String)> = entries.iter().map(read).collect();
    let expected = [
        (3.0, "out", "b"),
        (4.0, "in", "b"),
        (5.0, "out", "c"),
        (6.0, "in", "c"),
    ]
    .map(|(seq, direction, text)| (seq, direction.to_owned(), text.to_owned()));
    assert_eq!(kept, expected);

    control("POST", &format!("/clients/{id}/close?code=1012")).await;
    let reopened = opens.next().await;
    assert_eq!(field(&reopened, "connection"), 2);
    let path = send_as_the_package_does(&socket, &"after".into()).unwrap();
    assert_eq!(path, SendPath::Fast);
    wait_until_received(&id, "after").await;
    assert_eq!(received_on(&id, 1).await, ["a", "b", "c"]);
    assert_eq!(received_on(&id, 2).await, ["after"]);
    assert_eq!(number(&socket.stats().unwrap(), "messagesOut"), 4.0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn the_send_fast_path_is_off_while_the_driver_calls_the_browser_socket() {
    // A page that replaced `WebSocket.prototype.close` and sends from it
    // through the package's send(), during the SDK's own close(): the
    // engine is closing, so the fast path must not take it; the module
    // refuses it as busy, as for any call from a replaced method.
    let id = client_id("fast-busy");
    let socket = Rc::new(ResilientSocket::new(url(&id, ""), JsValue::UNDEFINED).unwrap());
    let mut opens = Events::listen(&socket, "open");
    let mut closes = Events::listen(&socket, "close");
    opens.next().await;
    let outcome: Rc<std::cell::RefCell<Option<Result<SendPath, String>>>> = Rc::default();
    let (inner_socket, seen) = (socket.clone(), outcome.clone());
    let inner = Closure::<dyn FnMut()>::new(move || {
        let path = send_as_the_package_does(&inner_socket, &"inner".into()).map_err(error_message);
        *seen.borrow_mut() = Some(path);
    });
    intercept_websocket_method_once("close", &inner);
    send_as_the_package_does(&socket, &"before".into()).unwrap();
    socket
        .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
        .unwrap();
    let outcome = outcome.borrow().clone();
    match outcome {
        Some(Err(message)) => assert!(message.starts_with("send: the socket is busy"), "{message}"),
        other => panic!("the send from inside close() was not refused as busy: {other:?}"),
    }
    closes.next().await;
    assert_eq!(
        received_on(&id, 1).await,
        ["before"],
        "nothing sent from inside"
    );
    assert_eq!(number(&socket.stats().unwrap(), "messagesOut"), 1.0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn the_send_fast_path_is_off_while_the_driver_flushes_the_queue_or_pings() {
    // As above, from inside the driver's other calls of the browser's
    // send(): the flush of the queue on open, and a heartbeat ping.
    let id = client_id("fast-busy-send");
    let options = json(r#"{"heartbeat":{"intervalMs":150,"timeoutMs":2000}}"#);
    let socket = Rc::new(ResilientSocket::new(url(&id, ""), options).unwrap());
    let mut opens = Events::listen(&socket, "open");
    let mut heartbeats = Events::listen(&socket, "heartbeat");
    let outcomes: Rc<std::cell::RefCell<Vec<Result<SendPath, String>>>> = Rc::default();
    let (inner_socket, seen) = (socket.clone(), outcomes.clone());
    let inner = Closure::<dyn FnMut()>::new(move || {
        let path = send_as_the_package_does(&inner_socket, &"inner".into()).map_err(error_message);
        seen.borrow_mut().push(path);
    });
    assert_eq!(
        send_as_the_package_does(&socket, &"queued".into()).unwrap(),
        SendPath::Module(false)
    );
    // The first browser send() is the queue's flush on open...
    intercept_websocket_method_once("send", &inner);
    opens.next().await;
    // ...the next one, with the app sending nothing, the first ping.
    intercept_websocket_method_once("send", &inner);
    heartbeats.next().await;
    let outcomes = outcomes.borrow().clone();
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    for outcome in outcomes {
        match outcome {
            Err(message) => assert!(message.starts_with("send: the socket is busy"), "{message}"),
            other => {
                panic!("a send from inside the driver's send() was not refused as busy: {other:?}")
            }
        }
    }
    assert_eq!(
        received_on(&id, 1).await,
        ["queued", r#"{"type":"ping"}"#],
        "nothing sent from inside"
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn the_send_fast_path_leaves_to_the_module_what_it_must_decide() {
    // Not open yet, binary data, over maxMessageBytes, closed, disposed,
    // freed: the fast path declines, and the module queues or throws as
    // its send() documents.
    let id = client_id("fast-declines");
    let options = json(r#"{"maxMessageBytes":8}"#);
    let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let send = |data: JsValue| send_as_the_package_does(&socket, &data);
    assert_eq!(
        send("early".into()).unwrap(),
        SendPath::Module(false),
        "queued"
    );
    opens.next().await;
    assert_eq!(send("open".into()).unwrap(), SendPath::Fast);
    let binary = js_sys::Uint8Array::from(&b"bin"[..]).into();
    assert_eq!(send(binary).unwrap(), SendPath::Module(true));
    let refused = send("x".repeat(9).into()).unwrap_err();
    let message = error_message(refused);
    assert!(message.contains("maxMessageBytes"), "{message}");
    let received = wait_until_received(&id, "open").await;
    let texts: Vec<&str> = received.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["early", "open"]);
    assert_eq!(
        number(&socket.stats().unwrap(), "messagesOut"),
        3.0,
        "binary too"
    );

    socket
        .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
        .unwrap();
    let closed = send("late".into()).unwrap_err();
    let message = error_message(closed);
    assert!(message.contains("closed"), "{message}");
    socket.dispose().unwrap();
    assert!(socket.send_fast_path().is_undefined(), "disposed");

    // Freed while connected: the connection stays up for the heartbeat
    // (as a WebSocket without a handle would), but send() must not reach it.
    let id = client_id("fast-freed");
    let socket = ResilientSocket::new(url(&id, ""), JsValue::UNDEFINED).unwrap();
    let mut opens = Events::listen(&socket, "open");
    opens.next().await;
    let path = socket.send_fast_path();
    let fast_send: Function = Reflect::get(&path, &"send".into())
        .unwrap()
        .unchecked_into();
    assert_eq!(fast_send.call1(&path, &"alive".into()).unwrap(), true);
    drop(socket);
    assert_eq!(fast_send.call1(&path, &"freed".into()).unwrap(), false);
    let received = wait_until_received(&id, "alive").await;
    assert_eq!(received.len(), 1, "{received:?}");
    control("POST", &format!("/clients/{id}/close?code=4000")).await;
}

#[wasm_bindgen_test]
async fn the_fast_path_holds_no_payload_larger_than_the_inspector_keeps() {
    // maxBytes 40: a 64-byte text or binary message is recorded by its size
    // and kind alone, as the driver would record it.
    let id = client_id("fast-bytes");
    let options =
        json(r#"{"inspector":{"maxEntries":10,"maxBytes":40},"binaryType":"arraybuffer"}"#);
    let socket = ResilientSocket::new(url(&id, "flood=2&size=64"), options).unwrap();
    let mut messages = Events::listen(&socket, "message");
    messages.next().await;
    messages.next().await;
    socket.send(js_sys::ArrayBuffer::new(64).into()).unwrap();
    socket.send("small".into()).unwrap();
    messages.next().await;
    messages.next().await;
    assert_eq!(socket.slow_path_messages(), 0, "all on the fast path");
    let incoming = socket
        .inspector()
        .entries(json(r#"{"direction":"in"}"#))
        .unwrap();
    let seen: Vec<(f64, bool, String)> = incoming
        .iter()
        .map(|e| {
            (
                number(&e, "size"),
                field(&e, "binary").is_truthy(),
                text(&e, "preview"),
            )
        })
        .collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(seen[0].0, 64.0);
    assert!(!seen[0].1 && seen[0].2.contains("too large"), "{seen:?}");
    assert_eq!((seen[2].0, seen[2].1), (64.0, true), "{seen:?}");
    assert_eq!(seen[3], (5.0, false, "small".to_owned()));
    assert_eq!(
        number(&socket.stats().unwrap(), "bytesIn"),
        64.0 * 3.0 + 5.0
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn sends_past_max_bytes_from_a_listener_the_driver_called_all_leave_and_none_throws() {
    // A message through the driver (a `once` listener is registered, so
    // none takes the fast path) whose listener sends, through the package's
    // send(), more than the inspector's `maxBytes` in several messages: the
    // inbox hands what it holds to the driver mid-listener, from inside the
    // driver's own call for the message.
    let id = client_id("slow-listener-sends");
    let options = json(r#"{"inspector":{"maxEntries":8,"maxBytes":40}}"#);
    let socket = Rc::new(ResilientSocket::new(url(&id, ""), options).unwrap());
    let mut messages = Events::listen(&socket, "message");
    Events::listen(&socket, "open").next().await;
    let texts = [
        "go".to_owned(),
        "a".repeat(25),
        "b".repeat(25),
        "c".repeat(25),
    ];
    let results: Rc<RefCell<Vec<Result<SendPath, String>>>> = Rc::default();
    let listener = {
        let (socket, results, texts) = (socket.clone(), results.clone(), texts.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            for text in &texts[1..] {
                let path = send_as_the_package_does(&socket, &text.as_str().into());
                results.borrow_mut().push(path.map_err(error_message));
            }
        })
    };
    socket
        .add_event_listener(
            "message".into(),
            listener.as_ref().clone(),
            json(r#"{"once":true}"#),
        )
        .unwrap();
    let slow_before = socket.slow_path_messages();
    socket.send("go".into()).unwrap();
    messages.next().await;
    assert_eq!(
        socket.slow_path_messages(),
        slow_before + 1,
        "via the driver"
    );
    assert_eq!(*results.borrow(), [const { Ok(SendPath::Fast) }; 3]);
    // Read before the echoes come (they are tasks; this is the listener's
    // task still): the inspector kept the newest records within its 40
    // payload units, which leaves the last send alone.
    let entries = socket.inspector().entries(JsValue::UNDEFINED).unwrap();
    let read = |entry: JsValue| (text(&entry, "direction"), text(&entry, "preview"));
    let records: Vec<(String, String)> = entries.iter().map(read).collect();
    assert_eq!(records, [("out".to_owned(), texts[3].clone())]);
    let stats = socket.stats().unwrap();
    assert_eq!(number(&stats, "messagesOut"), 4.0);
    assert_eq!(number(&stats, "bytesOut"), 2.0 + 3.0 * 25.0);
    let received = wait_until_received(&id, &texts[3]).await;
    let got: Vec<&str> = received.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(got, texts, "each sent once, in order");
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn while_a_pong_and_a_reply_are_awaited_only_what_could_be_them_leaves_the_fast_path() {
    // A server that answers no ping but streams data: the pong stays awaited
    // and a request stays pending, yet the data keeps the fast path; the
    // pong and the reply, when they come, still reach the engine. (The first
    // message after the ping lifts its deadline, which moves the heartbeat
    // timer: that one goes through the engine.)
    let id = client_id("sieve");
    let options = json(r#"{"heartbeat":{"intervalMs":1000,"timeoutMs":5000}}"#);
    let socket = ResilientSocket::new(url(&id, "silent=1"), options).unwrap();
    let mut messages = Events::listen(&socket, "message");
    let mut heartbeats = Events::listen(&socket, "heartbeat");
    wait_until_received(&id, r#"{"type":"ping"}"#).await;
    let reply = JsFuture::from(socket.request(
        json(r#"{"type":"get","id":"q1"}"#),
        json(r#"{"timeoutMs":5000}"#),
    ));
    let server_sends = |text: &str| {
        let encoded = String::from(js_sys::encode_uri_component(text));
        let path = format!("/clients/{id}/send?text={encoded}");
        async move { control("POST", &path).await }
    };
    server_sends("first").await;
    messages.next().await;
    assert_eq!(socket.slow_path_messages(), 1, "lifts the pong deadline");

    control("POST", &format!("/clients/{id}/flood?count=20&size=16")).await;
    for _ in 0..20 {
        messages.next().await;
    }
    assert_eq!(socket.slow_path_messages(), 1, "data: fast path");

    server_sends(r#"{"type":"pong"}"#).await;
    heartbeats.next().await;
    assert_eq!(socket.slow_path_messages(), 2, "the pong");

    server_sends(r#"{"id":"q1","v":2}"#).await;
    let reply = reply.await.expect("the reply");
    assert_eq!(field(&reply, "v"), 2);
    assert_eq!(socket.slow_path_messages(), 3, "the reply");
    assert_eq!(number(&socket.stats().unwrap(), "messagesIn"), 23.0);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn app_work_set_off_in_a_fast_path_listener_runs_after_the_last_listener() {
    // As when the driver delivers: `close()` or `reconnect()` in the first
    // listener emits `statechange` only after the second listener has had
    // the message.
    let closed = order_of_app_work_in_a_listener("fast-path-close", "close", |socket| {
        socket.close(JsValue::from(1000.0), "done".into()).unwrap()
    })
    .await;
    assert_eq!(
        closed[..4],
        ["first", "returned", "second", "statechange closing"]
    );
    let reconnected = order_of_app_work_in_a_listener("fast-path-reconnect", "open", |socket| {
        socket.reconnect().unwrap()
    })
    .await;
    assert_eq!(
        reconnected[..5],
        [
            "first",
            "returned",
            "second",
            "statechange connecting",
            "close"
        ]
    );
}

/// Opens a socket with two `message` listeners, the first of which runs
/// `act`; sends one message and waits for `until` after it. Returns what
/// happened, in order, from the first listener's call.
async fn order_of_app_work_in_a_listener(
    id: &str,
    until: &str,
    act: fn(&ResilientSocket),
) -> Vec<String> {
    let socket = Rc::new(ResilientSocket::new(url(id, ""), JsValue::UNDEFINED).unwrap());
    Events::listen(&socket, "open").next().await;
    let order = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let log = |what: &'static str| {
        let order = order.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let to = field(&event, "to").as_string().unwrap_or_default();
            order
                .borrow_mut()
                .push(format!("{what} {to}").trim().to_owned());
        })
    };
    let first = {
        let (socket, order) = (socket.clone(), order.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            order.borrow_mut().push("first".to_owned());
            act(&socket);
            order.borrow_mut().push("returned".to_owned());
        })
    };
    let listeners = [
        ("message", first),
        ("message", log("second")),
        ("statechange", log("statechange")),
        ("close", log("close")),
    ];
    for (kind, listener) in &listeners {
        let function = listener.as_ref().clone();
        socket
            .add_event_listener((*kind).into(), function, JsValue::UNDEFINED)
            .unwrap();
    }
    let slow_before = socket.slow_path_messages();
    let mut after = Events::listen(&socket, until);
    socket.send("one".into()).unwrap();
    after.next().await;
    assert_eq!(socket.slow_path_messages(), slow_before, "on the fast path");
    socket.dispose().unwrap();
    order.take()
}

#[wasm_bindgen_test]
async fn a_fast_path_listener_reads_up_to_date_stats_and_its_requests_reply_is_caught() {
    // Inside a listener on the fast path, stats and the inspector already
    // count the message being delivered; a request made there has its
    // reply (the very next frame: the server echoes the request) taken off
    // the fast path.
    let options = json(r#"{"inspector":{"maxEntries":5}}"#);
    let socket = Rc::new(ResilientSocket::new(url("fast-path-reads", ""), options).unwrap());
    Events::listen(&socket, "open").next().await;
    let seen = Rc::new(std::cell::RefCell::new(None));
    let reply = Rc::new(std::cell::RefCell::new(None));
    let listener = {
        let (socket, seen, reply) = (socket.clone(), seen.clone(), reply.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if seen.borrow().is_some() {
                return;
            }
            let entries = socket
                .inspector()
                .entries(json(r#"{"direction":"in"}"#))
                .unwrap();
            let newest = text(&entries.get(entries.length() - 1), "preview");
            let count = number(&socket.stats().unwrap(), "messagesIn");
            *seen.borrow_mut() = Some((count, newest));
            let request = json(r#"{"type":"get","id":"r1"}"#);
            *reply.borrow_mut() = Some(socket.request(request, JsValue::UNDEFINED));
        })
    };
    let function = listener.as_ref().clone();
    socket
        .add_event_listener("message".into(), function, JsValue::UNDEFINED)
        .unwrap();
    let slow_before = socket.slow_path_messages();
    let mut messages = Events::listen(&socket, "message");
    socket.send("one".into()).unwrap();
    messages.next().await;
    assert_eq!(*seen.borrow(), Some((1.0, "one".to_owned())));
    let reply = reply
        .borrow_mut()
        .take()
        .expect("the listener made a request");
    let reply = JsFuture::from(reply).await.expect("the echo is the reply");
    assert_eq!(text(&reply, "id"), "r1");
    assert_eq!(
        socket.slow_path_messages(),
        slow_before + 1,
        "only the reply left the fast path"
    );
    assert_eq!(number(&socket.stats().unwrap(), "messagesIn"), 2.0);
    socket.dispose().unwrap();
}

/// A message listener that counts its calls and then runs `then`.
fn counting_listener(then: impl Fn() + 'static) -> Counting<dyn FnMut(JsValue)> {
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        counter.set(counter.get() + 1);
        then();
    });
    (calls, listener)
}

/// Waits (2 s at most) until a counting listener has been called.
async fn called_once(calls: &Cell<u32>, what: &str) {
    within(2_000, what, async {
        while calls.get() == 0 {
            sleep(5).await;
        }
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_listener_removed_or_disposed_by_an_earlier_one_is_not_called() {
    // As in the DOM: the second listener is removed by the first before its
    // turn; after dispose() from inside a listener, no other one runs.
    let socket = Rc::new(ResilientSocket::new(url("echo-remove", ""), JsValue::UNDEFINED).unwrap());
    Events::listen(&socket, "open").next().await;
    let (second_calls, second) = counting_listener(|| {});
    let remover = {
        let (socket, second) = (socket.clone(), second.as_ref().clone());
        move || socket.remove_event_listener("message".into(), second.clone())
    };
    let (first_calls, first) = counting_listener(remover);
    socket
        .add_event_listener("message".into(), first.as_ref().clone(), JsValue::UNDEFINED)
        .unwrap();
    socket
        .add_event_listener(
            "message".into(),
            second.as_ref().clone(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    socket.send("one".into()).unwrap();
    called_once(&first_calls, "the first listener").await;
    assert_eq!(second_calls.get(), 0, "removed before its turn");

    let (after_calls, after) = counting_listener(|| {});
    let disposer = {
        let socket = socket.clone();
        move || socket.dispose().unwrap()
    };
    let (disposer_calls, dispose_first) = counting_listener(disposer);
    socket.remove_event_listener("message".into(), first.as_ref().clone());
    socket
        .add_event_listener(
            "message".into(),
            dispose_first.as_ref().clone(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    socket
        .add_event_listener("message".into(), after.as_ref().clone(), JsValue::UNDEFINED)
        .unwrap();
    socket.send("two".into()).unwrap();
    called_once(&disposer_calls, "the disposing listener").await;
    assert!(socket.disposed());
    assert_eq!(after_calls.get(), 0, "no listener runs after dispose()");
}

#[wasm_bindgen_test]
async fn mid_dispatch_a_re_added_listener_waits_and_a_replaced_handler_runs_its_new_value() {
    // As in the DOM: a listener removed and added again by an earlier one is
    // a new registration (called from the next event on), and a handler
    // property set by an earlier listener runs its new value in its place.
    let socket = Rc::new(ResilientSocket::new(url("echo-readd", ""), JsValue::UNDEFINED).unwrap());
    Events::listen(&socket, "open").next().await;
    let (old_handler_calls, old_handler) = counting_listener(|| {});
    let (new_handler_calls, new_handler) = counting_listener(|| {});
    let (second_calls, second) = counting_listener(|| {});
    let changer = {
        let socket = socket.clone();
        let second = second.as_ref().clone();
        let new_handler = new_handler.as_ref().clone();
        let done = Cell::new(false);
        move || {
            if done.replace(true) {
                return;
            }
            socket.set_onmessage(new_handler.clone());
            socket.remove_event_listener("message".into(), second.clone());
            socket
                .add_event_listener("message".into(), second.clone(), JsValue::UNDEFINED)
                .unwrap();
        }
    };
    let (_, first) = counting_listener(changer);
    socket
        .add_event_listener("message".into(), first.as_ref().clone(), JsValue::UNDEFINED)
        .unwrap();
    socket.set_onmessage(old_handler.as_ref().clone());
    socket
        .add_event_listener(
            "message".into(),
            second.as_ref().clone(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    // Listens last: when it has the event, the whole dispatch has run.
    let mut messages = Events::listen(&socket, "message");
    socket.send("one".into()).unwrap();
    messages.next().await;
    let counts = || {
        (
            old_handler_calls.get(),
            new_handler_calls.get(),
            second_calls.get(),
        )
    };
    assert_eq!(counts(), (0, 1, 0));
    socket.send("two".into()).unwrap();
    messages.next().await;
    assert_eq!(counts(), (0, 2, 1));
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn add_event_listener_honours_once_and_refuses_signal() {
    let socket = ResilientSocket::new(url("echo-once", ""), JsValue::UNDEFINED).unwrap();
    let (once_calls, once) = counting_listener(|| {});
    socket
        .add_event_listener(
            "message".into(),
            once.as_ref().clone(),
            json(r#"{"once":true}"#),
        )
        .unwrap();
    let mut messages = Events::listen(&socket, "message");
    Events::listen(&socket, "open").next().await;
    let slow_before = socket.slow_path_messages();
    socket.send("a".into()).unwrap();
    socket.send("b".into()).unwrap();
    messages.next().await;
    messages.next().await;
    assert_eq!(once_calls.get(), 1, "removed before its first call");
    // The listener list removes a `once` listener: while one is registered,
    // messages go through the driver, not the JS fast path.
    assert_eq!(
        socket.slow_path_messages(),
        slow_before + 1,
        "a: through the driver; b: fast again"
    );

    let options = js_sys::Object::new();
    let signal = Function::new_no_args("return new AbortController().signal")
        .call0(&JsValue::NULL)
        .unwrap();
    Reflect::set(&options, &"signal".into(), &signal).unwrap();
    let refused = socket
        .add_event_listener("message".into(), once.as_ref().clone(), options.into())
        .unwrap_err();
    let message = error_message(refused);
    assert!(
        message.contains("options.signal is not supported"),
        "{message}"
    );
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn a_throwing_listener_does_not_stop_the_others_or_the_socket() {
    let socket = ResilientSocket::new(url("echo-throw", ""), JsValue::UNDEFINED).unwrap();
    let thrower = run_js(
        "const f = () => { f.calls += 1; throw new Error('app bug (expected by the test)'); };
         f.calls = 0;
         return f;",
    );
    // What reaches the page's `error` event (reportError), as error
    // trackers see it.
    let reported = run_js(
        "const seen = { count: 0 };
         seen.on = (e) => { if (e.error?.message === 'app bug (expected by the test)') seen.count += 1; };
         seen.stop = () => removeEventListener('error', seen.on);
         addEventListener('error', seen.on);
         return seen;",
    );
    socket
        .add_event_listener("message".into(), thrower.clone(), JsValue::UNDEFINED)
        .unwrap();
    let mut messages = Events::listen(&socket, "message");
    socket.send("a".into()).unwrap();
    socket.send("b".into()).unwrap();
    assert_eq!(
        messages
            .next()
            .await
            .unchecked_into::<MessageEvent>()
            .data(),
        "a"
    );
    assert_eq!(
        messages
            .next()
            .await
            .unchecked_into::<MessageEvent>()
            .data(),
        "b"
    );
    let stop: Function = field(&reported, "stop").unchecked_into();
    stop.call0(&JsValue::UNDEFINED).unwrap();
    assert_eq!(
        number(&thrower, "calls"),
        2.0,
        "the throwing listener ran for each"
    );
    assert_eq!(
        number(&reported, "count"),
        2.0,
        "each throw reported to the page"
    );
    socket.remove_event_listener("message".into(), thrower);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn calls_from_inside_a_replaced_websocket_send_are_refused_as_busy() {
    // A page that replaced `WebSocket.prototype.send` (an instrumentation
    // library) and calls the SDK from it re-enters the SDK while its call
    // into the browser runs: those inner calls are refused with an error
    // that says so (not "closed for good", not silently ignored), and the
    // socket goes on working.
    let id = client_id("reentrant-send");
    let socket = Rc::new(ResilientSocket::new(url(&id, ""), JsValue::UNDEFINED).unwrap());
    let mut opens = Events::listen(&socket, "open");
    opens.next().await;
    let refusals: Rc<std::cell::RefCell<Vec<String>>> = Rc::default();
    let (inner_socket, seen) = (socket.clone(), refusals.clone());
    let inner = Closure::<dyn FnMut()>::new(move || {
        let message = error_message;
        let mut seen = seen.borrow_mut();
        seen.extend(inner_socket.send("inner".into()).err().map(message));
        seen.extend(
            inner_socket
                .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
                .err()
                .map(message),
        );
        seen.extend(
            inner_socket
                .delete_replay_state("k".into())
                .err()
                .map(message),
        );
        seen.extend(inner_socket.dispose().err().map(message));
        seen.extend(inner_socket.stats().err().map(message));
        seen.extend(
            inner_socket
                .set_binary_type("arraybuffer".into())
                .err()
                .map(message),
        );
        seen.extend(inner_socket.inspector().clear().err().map(message));
    });
    intercept_websocket_method_once("send", &inner);
    assert!(
        socket.send("outer".into()).unwrap(),
        "the outer send went out"
    );
    let refusals = refusals.borrow().clone();
    assert_eq!(
        refusals.len(),
        7,
        "each re-entrant call is refused: {refusals:?}"
    );
    for (message, call) in refusals.iter().zip([
        "send",
        "close",
        "deleteReplayState",
        "dispose",
        "stats",
        "binaryType",
        "inspector.clear",
    ]) {
        assert!(
            message.starts_with(&format!("{call}: the socket is busy"))
                && message.contains("replaced WebSocket method"),
            "{message}"
        );
    }
    assert_eq!(socket.state(), "open", "the refused close did nothing");
    assert!(!socket.disposed(), "the refused dispose did nothing");
    assert_eq!(
        socket.binary_type(),
        "blob",
        "the refused binaryType did nothing"
    );
    assert_eq!(
        socket.inspector().length(),
        1,
        "the refused clear did nothing"
    );
    assert!(socket.send("after".into()).unwrap(), "usable afterwards");
    let received = wait_until_received(&id, "after").await;
    let texts: Vec<&str> = received.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["outer", "after"]);
    socket.dispose().unwrap();
}
