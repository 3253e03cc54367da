//! Browser tests of reconnection against the fault server: the backoff
//! schedule across a server restart, close codes that stop it, 1006 before
//! and after open, rejected upgrades, flapping, and online/offline. Real
//! sockets and timers in headless Chromium; every wait is on an event, a
//! Promise or (server-side counters only) a bounded poll.
#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::{
    Events, LISTENER_SLACK_MS, TIMER_MARGIN_MS, client_id, control, field, json, new_socket,
    now_ms, number, run_js, server_stats, sleep, test_within, text, url, wait_for_stats, within,
};
use resilient_ws::describe_close_code;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::EventTarget;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn reconnects_after_a_server_restart_following_the_backoff_schedule() {
    test_within("server restart", async {
        let id = client_id("restart");
        let options = json(
            r#"{"reconnect":{"initialDelayMs":100,"multiplier":2,"maxDelayMs":5000,"jitter":"none"}}"#,
        );
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut states = Events::listen(&socket, "statechange");
        let mut reconnecting = Events::listen(&socket, "reconnecting");
        let mut closes = Events::listen(&socket, "close");
        assert_eq!(field(&opens.next().await, "connection"), 1);

        let restart = control("POST", "/restart?down_ms=300").await;
        assert_eq!(number(&restart, "downMs"), 300.0);

        // Each wait: from the state turning `reconnecting` to the attempt
        // starting (`connecting`), until an attempt opens.
        let mut waits = Vec::new();
        let (_, mut waiting_since) = states.next_to("reconnecting").await;
        loop {
            let scheduled = reconnecting.next().await;
            let (_, started_at) = states.next_to("connecting").await;
            waits.push((
                number(&scheduled, "attempt"),
                number(&scheduled, "delayMs"),
                started_at - waiting_since,
            ));
            let (change, at) = states.next_timed().await;
            match text(&change, "to").as_str() {
                "open" => break,
                "reconnecting" => waiting_since = at,
                other => panic!("unexpected state after connecting: {other}"),
            }
        }

        assert!(
            waits.len() >= 2,
            "the server was down for 300 ms, so the 100 ms retry must fail: {waits:?}"
        );
        for (index, &(attempt, delay_ms, waited_ms)) in waits.iter().enumerate() {
            assert_eq!(attempt, index as f64 + 1.0, "{waits:?}");
            assert_eq!(
                delay_ms,
                100.0 * 2f64.powi(index as i32),
                "min(maxDelay, initialDelay * multiplier^n): {waits:?}"
            );
            assert!(
                waited_ms + LISTENER_SLACK_MS >= delay_ms && waited_ms <= delay_ms + TIMER_MARGIN_MS,
                "attempt {attempt} started {waited_ms} ms after a {delay_ms} ms delay: {waits:?}"
            );
        }

        let dropped = closes.next().await;
        assert_eq!(field(&dropped, "code"), 1006);
        assert_eq!(field(&dropped, "opened"), true);
        assert_eq!(field(&dropped, "willReconnect"), true);
        assert_eq!(field(&dropped, "delayMs"), 100);
        for refused in closes.drain() {
            assert_eq!(field(&refused, "code"), 1006);
            assert_eq!(field(&refused, "opened"), false, "the listener was closed");
            assert_eq!(field(&refused, "willReconnect"), true);
        }
        let open = opens.next().await;
        assert_eq!(number(&open, "connection"), 1.0 + waits.len() as f64);
        assert_eq!(socket.state(), "open");
        wait_for_stats(&id, "a second accepted connection", |stats| {
            field(stats, "connections") == 2 && field(stats, "open") == 1
        })
        .await;
        socket.dispose().unwrap();
    })
    .await;
}

/// Connects to a server that closes with `code` and `reason` right after
/// open, and checks that the close reaches the app, explained as a stop, and
/// that no other attempt follows.
async fn a_stop_code_closes_for_good(name: &str, code: u16, reason: &str) {
    let id = client_id(name);
    let options = json(r#"{"reconnect":{"initialDelayMs":50,"jitter":"none"}}"#);
    let query = format!(
        "close={code}&reason={}",
        String::from(js_sys::encode_uri_component(reason))
    );
    let socket = new_socket(url(&id, &query), options);
    let mut closes = Events::listen(&socket, "close");
    let mut states = Events::listen(&socket, "statechange");
    let mut reconnecting = Events::listen(&socket, "reconnecting");

    let close = closes.next().await;
    assert_eq!(field(&close, "code"), code);
    assert_eq!(field(&close, "reason"), reason);
    assert_eq!(field(&close, "cause"), "server");
    assert_eq!(field(&close, "opened"), true);
    assert_eq!(field(&close, "category"), "application");
    assert_eq!(field(&close, "action"), "stop");
    assert_eq!(field(&close, "willReconnect"), false);
    assert!(field(&close, "delayMs").is_null());
    assert!(!text(&close, "hint").is_empty());
    assert_eq!(socket.state(), "closed");

    // Nothing may follow: wait five first-retry delays, then look.
    sleep(5 * 50).await;
    assert!(reconnecting.drain().is_empty(), "no retry scheduled");
    assert!(closes.drain().is_empty());
    let seen: Vec<String> = states
        .drain()
        .iter()
        .map(|change| text(change, "to"))
        .collect();
    assert_eq!(seen, ["connecting", "open", "closed"]);
    let stats = server_stats(&id).await;
    assert_eq!(field(&stats, "connections"), 1, "no second connection");
    assert_eq!(field(&socket.stats().unwrap(), "connection"), 1);
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn close_4004_with_a_reason_stops_and_no_attempt_follows() {
    test_within(
        "4004",
        a_stop_code_closes_for_good("stop-4004", 4004, "project not found"),
    )
    .await;
}

#[wasm_bindgen_test]
async fn close_4003_with_a_reason_stops_and_no_attempt_follows() {
    test_within(
        "4003",
        a_stop_code_closes_for_good("stop-4003", 4003, "forbidden: bad token"),
    )
    .await;
}

#[wasm_bindgen_test]
async fn code_1006_before_open_and_after_open_carry_different_hints() {
    test_within("1006 hints", async {
        // Long first delay: each socket reports one close and waits.
        let options = || json(r#"{"reconnect":{"initialDelayMs":10000,"jitter":"none"}}"#);
        let refused_id = client_id("abnormal-before-open");
        let refused = new_socket(url(&refused_id, "reject=403"), options());
        let mut refused_closes = Events::listen(&refused, "close");
        let dropped_id = client_id("abnormal-after-open");
        let dropped = new_socket(url(&dropped_id, ""), options());
        let mut dropped_closes = Events::listen(&dropped, "close");
        let mut dropped_opens = Events::listen(&dropped, "open");

        let before = refused_closes.next().await;
        dropped_opens.next().await;
        let answer = control("POST", &format!("/clients/{dropped_id}/drop")).await;
        assert_eq!(field(&answer, "connections"), 1);
        let after = dropped_closes.next().await;

        for (close, opened) in [(&before, false), (&after, true)] {
            assert_eq!(field(close, "code"), 1006);
            assert_eq!(field(close, "opened"), opened);
            assert_eq!(field(close, "wasClean"), false);
            assert_eq!(field(close, "category"), "abnormal");
            assert_eq!(field(close, "cause"), "server");
            assert_eq!(field(close, "willReconnect"), true);
        }
        let (hint_before, hint_after) = (text(&before, "hint"), text(&after, "hint"));
        assert_ne!(hint_before, hint_after);
        assert!(hint_before.contains("handshake"), "{hint_before}");
        assert!(hint_after.contains("after opening"), "{hint_after}");
        let described = describe_close_code(1006.0, json(r#"{"opened":false}"#)).unwrap();
        assert_eq!(field(&described, "hint"), hint_before.as_str());
        refused.dispose().unwrap();
        dropped.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_403_upgrade_rejection_reads_as_a_failed_handshake_and_keeps_retrying() {
    test_within("403", async {
        let id = client_id("reject-403");
        let options =
            json(r#"{"reconnect":{"initialDelayMs":50,"maxDelayMs":100,"jitter":"none"}}"#);
        let socket = new_socket(url(&id, "reject=403"), options);
        let mut closes = Events::listen(&socket, "close");
        let mut reconnecting = Events::listen(&socket, "reconnecting");

        for attempt in 1..=3u32 {
            let close = closes.next().await;
            assert_eq!(field(&close, "code"), 1006);
            assert_eq!(field(&close, "opened"), false);
            assert_eq!(field(&close, "action"), "retry", "the default policy");
            assert_eq!(field(&close, "willReconnect"), true);
            assert_eq!(
                field(&close, "connection"),
                attempt,
                "a new socket each time"
            );
            let hint = text(&close, "hint");
            assert!(hint.contains("handshake"), "{hint}");
            assert!(hint.contains("403"), "{hint}");
            let scheduled = reconnecting.next().await;
            assert_eq!(field(&scheduled, "attempt"), attempt);
        }
        assert!(number(&socket.stats().unwrap(), "connection") >= 3.0);
        // The fault server counts accepted upgrades only.
        assert_eq!(field(&server_stats(&id).await, "connections"), 0);
        socket.dispose().unwrap();

        // Only the first upgrade refused: the retry reaches the server.
        let id = client_id("reject-403-once");
        control("POST", &format!("/clients/{id}/next?reject=403")).await;
        let options = json(r#"{"reconnect":{"initialDelayMs":50,"jitter":"none"}}"#);
        let socket = new_socket(url(&id, ""), options);
        let mut closes = Events::listen(&socket, "close");
        let mut opens = Events::listen(&socket, "open");
        let close = closes.next().await;
        assert_eq!(field(&close, "opened"), false);
        assert_eq!(field(&close, "willReconnect"), true);
        assert_eq!(field(&opens.next().await, "connection"), 2);
        let stats = server_stats(&id).await;
        assert_eq!(field(&stats, "connections"), 1, "the retry was accepted");
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_open_close_loop_is_reported_as_flapping_and_the_backoff_keeps_growing() {
    test_within("flapping", async {
        let id = client_id("flapping");
        let options = json(
            r#"{"reconnect":{"initialDelayMs":50,"multiplier":2,"maxDelayMs":10000,"jitter":"none"},
                "flapping":{"threshold":3}}"#,
        );
        let socket = new_socket(url(&id, "close=1011&after_ms=0"), options);
        let mut flapping = Events::listen(&socket, "flapping");
        let mut reconnecting = Events::listen(&socket, "reconnecting");
        let mut closes = Events::listen(&socket, "close");

        let report = flapping.next().await;
        assert!(number(&report, "count") >= 3.0);
        let causes = js_sys::Array::from(&field(&report, "likelyCauses"));
        assert!(causes.length() > 0);
        assert!(
            causes
                .iter()
                .all(|cause| cause.as_string().is_some_and(|c| !c.is_empty()))
        );
        assert_eq!(field(&socket.stats().unwrap(), "flapping"), true);

        // Four retries: the last one is scheduled after the report.
        let mut delays = Vec::new();
        for attempt in 1..=4u32 {
            let scheduled = reconnecting.next().await;
            assert_eq!(field(&scheduled, "attempt"), attempt, "never reset");
            delays.push(number(&scheduled, "delayMs"));
        }
        assert_eq!(delays, [50.0, 100.0, 200.0, 400.0]);
        for close in closes.drain() {
            assert_eq!(field(&close, "code"), 1011);
            assert_eq!(field(&close, "opened"), true);
        }
        assert!(number(&server_stats(&id).await, "connections") >= 4.0);
        socket.dispose().unwrap();
    })
    .await;
}

fn dispatch_on_window(kind: &str) {
    let event = web_sys::Event::new(kind).unwrap();
    js_sys::global()
        .unchecked_into::<EventTarget>()
        .dispatch_event(&event)
        .unwrap();
}

#[wasm_bindgen_test]
async fn offline_drops_the_socket_at_once_and_online_reconnects_without_waiting() {
    test_within("online/offline", async {
        let id = client_id("offline");
        let options = json(r#"{"reconnect":{"initialDelayMs":10000,"jitter":"none"}}"#);
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        opens.next().await;

        dispatch_on_window("offline");
        assert_eq!(socket.state(), "reconnecting", "no wait on a dead socket");
        let close = within(100, "close after offline", closes.next()).await;
        assert_eq!(field(&close, "cause"), "offline");
        assert_eq!(field(&close, "opened"), true);
        assert_eq!(field(&close, "willReconnect"), true);
        assert_eq!(field(&close, "delayMs"), 10000);
        wait_for_stats(&id, "the abandoned socket closed", |stats| {
            field(stats, "open") == 0
        })
        .await;

        let online_at = now_ms();
        dispatch_on_window("online");
        assert_eq!(socket.state(), "connecting", "an attempt starts at once");
        let (open, opened_at) = within(1_000, "open after online", opens.next_timed()).await;
        assert_eq!(field(&open, "connection"), 2);
        assert!(
            opened_at - online_at < 1_000.0,
            "reconnected in {} ms, not after the 10 s backoff",
            opened_at - online_at
        );
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_socket_created_offline_keeps_its_max_attempts_for_when_the_network_is_back() {
    test_within("created offline", async {
        // A page loaded from cache while offline: navigator.onLine is false
        // before any `offline` event. Every attempt fails (the server refuses
        // the upgrade here); none may count against maxAttempts 1.
        run_js(
            "Object.defineProperty(navigator, 'onLine', { get: () => false, configurable: true })",
        );
        // Put back even when an assertion fails, or later tests see offline.
        struct Restore;
        impl Drop for Restore {
            fn drop(&mut self) {
                let _ = run_js("delete navigator.onLine");
            }
        }
        let restore = Restore;
        let id = client_id("created-offline");
        let options =
            json(r#"{"reconnect":{"initialDelayMs":10,"maxDelayMs":10,"maxAttempts":1}}"#);
        let socket = new_socket(url(&id, "reject=503"), options);
        let mut closes = Events::listen(&socket, "close");
        for attempt in 1..=3 {
            let close = within(2_000, "a failed attempt", closes.next()).await;
            assert_eq!(field(&close, "cause"), "offline", "attempt {attempt}");
            assert_eq!(field(&close, "willReconnect"), true, "attempt {attempt}");
        }
        drop(restore);
        dispatch_on_window("online");
        // Online: the whole budget applies again, and no more: one retry
        // (the first attempt made online), then closed.
        let close = within(2_000, "a failed attempt online", closes.next()).await;
        assert_eq!(field(&close, "cause"), "server");
        assert_eq!(field(&close, "willReconnect"), false);
        assert_eq!(socket.state(), "closed");
        socket.dispose().unwrap();
    })
    .await;
}
