//! Browser tests of the SDK's clocks against the fault server: the connect
//! timeout on a hanging handshake, the heartbeat against a silent server and
//! behind an upload to a slow reader, pongs and RTT, and request timeouts. Durations are measured with
//! `performance.now()` in the listeners; every wait is on an event or a
//! Promise.
#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::{
    Events, LISTENER_SLACK_MS, SendPath, Shim, TIMER_MARGIN_MS, client_id, field, json, new_socket,
    now_ms, number, received_on, send_as_the_package_does, test_within, text, url, wait_for_stats,
    wait_until_received, within,
};
use futures::future::{Either, select};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_handshake_that_never_completes_times_out_and_is_retried() {
    test_within("connect timeout", async {
        let id = client_id("hang");
        let options =
            json(r#"{"connectTimeoutMs":300,"reconnect":{"initialDelayMs":50,"jitter":"none"}}"#);
        let started_at = now_ms();
        let socket = new_socket(url(&id, "hang=1"), options);
        let mut closes = Events::listen(&socket, "close");
        let mut states = Events::listen(&socket, "statechange");

        let (close, closed_at) = closes.next_timed().await;
        assert_eq!(field(&close, "cause"), "connectTimeout");
        assert_eq!(field(&close, "code"), 1006);
        assert_eq!(field(&close, "opened"), false);
        assert_eq!(field(&close, "willReconnect"), true);
        assert_eq!(field(&close, "delayMs"), 50);
        assert!(text(&close, "reason").contains("300 ms"));
        let took = closed_at - started_at;
        assert!(
            took + LISTENER_SLACK_MS >= 300.0 && took <= 300.0 + TIMER_MARGIN_MS,
            "connect timeout after {took} ms"
        );

        // The retry hangs too, and times out the same way.
        states.next_to("reconnecting").await; // past the first attempt's `connecting`
        let (_, retried_at) = states.next_to("connecting").await;
        let (again, closed_again_at) = closes.next_timed().await;
        assert_eq!(field(&again, "cause"), "connectTimeout");
        assert_eq!(field(&again, "connection"), 2);
        let took = closed_again_at - retried_at;
        assert!(
            took + LISTENER_SLACK_MS >= 300.0 && took <= 300.0 + TIMER_MARGIN_MS,
            "second connect timeout after {took} ms"
        );
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_silent_server_is_detected_by_the_heartbeat_within_interval_plus_timeout() {
    test_within("heartbeat timeout", async {
        let id = client_id("silent-heartbeat");
        let options = json(
            r#"{"heartbeat":{"intervalMs":200,"timeoutMs":200},"reconnect":{"initialDelayMs":10000,"jitter":"none"}}"#,
        );
        let socket = new_socket(url(&id, "silent=1"), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        let mut messages = Events::listen(&socket, "message");

        // The open is the last traffic from the server.
        let (_, opened_at) = opens.next_timed().await;
        let (close, closed_at) = closes.next_timed().await;
        assert_eq!(field(&close, "cause"), "heartbeatTimeout");
        assert_eq!(field(&close, "code"), 1006);
        assert_eq!(field(&close, "opened"), true);
        assert_eq!(field(&close, "willReconnect"), true);
        let silent_for = closed_at - opened_at;
        assert!(
            silent_for + LISTENER_SLACK_MS >= 400.0 && silent_for <= 400.0 + TIMER_MARGIN_MS,
            "declared dead {silent_for} ms after the last traffic (interval 200 + timeout 200)"
        );
        assert!(messages.drain().is_empty(), "the server said nothing");
        // The ping did go out: the server recorded it.
        let pings = wait_until_received(&id, r#"{"type":"ping"}"#).await;
        assert_eq!(pings.len(), 1, "one ping, then the verdict: {pings:?}");
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_ping_behind_an_upload_waits_while_the_server_takes_the_upload() {
    test_within("heartbeat behind an upload", async {
        let id = client_id("slow-reader");
        // The server reads a message every 10 ms: the 16 MiB upload (64 KiB
        // messages) takes about 3 s to leave, while the heartbeat gives its
        // pong 1,500 ms. The browser's `bufferedAmount` shows all but the
        // last few MB (which Chromium and the OS hold, ~0.6 s to drain
        // here): the ping gets a full timeout once it empties.
        let options = json(
            r#"{"heartbeat":{"intervalMs":400,"timeoutMs":1500},"reconnect":{"initialDelayMs":10000,"jitter":"none"}}"#,
        );
        let shim = Shim::install();
        let socket = new_socket(url(&id, "read_delay_ms=10&echo=0"), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        let mut heartbeats = Events::listen(&socket, "heartbeat");
        opens.next().await;
        let browser_socket = shim.socket(0);
        shim.uninstall();

        // Sent before the first ping (400 ms after open, so a slow machine
        // has time to send them first), as the package sends: the engine
        // books these bytes from the inbox, before the heartbeat's timer.
        let chunk = JsValue::from_str(&"u".repeat(64 * 1024));
        for _ in 0..256 {
            let path = send_as_the_package_does(&socket, &chunk).unwrap();
            assert_eq!(path, SendPath::Fast);
        }
        let held = browser_socket.buffered_amount();
        assert!(held > 1 << 20, "the browser holds only {held} bytes of the upload");

        let beat = match select(Box::pin(heartbeats.next()), Box::pin(closes.next())).await {
            Either::Left((beat, _)) => beat,
            Either::Right((close, _)) => panic!(
                "closed while the server was reading the upload: {}",
                text(&close, "reason")
            ),
        };
        let rtt = number(&beat, "rttMs");
        assert!(
            rtt > 1_500.0,
            "the pong came {rtt} ms after its ping, within the timeout: the ping was not held"
        );
        assert_eq!(field(&socket.stats().unwrap(), "state"), "open");
        // Everything arrived, the ping after the upload.
        let stats = wait_for_stats(&id, "the upload and the ping", |stats| {
            number(stats, "count") >= 257.0
        })
        .await;
        assert_eq!(number(&stats, "connections"), 1.0);
        assert!(closes.drain().is_empty());
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn pongs_measure_rtt_and_are_not_delivered_as_messages() {
    test_within("pong and RTT", async {
        let id = client_id("pong");
        let options = json(r#"{"heartbeat":{"intervalMs":200,"timeoutMs":1000}}"#);
        // Every pong (and echo) comes 80 ms late: the RTT must say so.
        let socket = new_socket(url(&id, "reply_delay_ms=80"), options);
        let is_rtt = |rtt: f64| (79.0..80.0 + TIMER_MARGIN_MS).contains(&rtt);
        let mut messages = Events::listen(&socket, "message");
        let mut heartbeats = Events::listen(&socket, "heartbeat");
        assert!(
            field(&socket.stats().unwrap(), "rttMs").is_null(),
            "no pong yet"
        );

        socket.send("hello".into()).unwrap();
        for _ in 0..2 {
            let beat = heartbeats.next().await;
            let rtt = number(&beat, "rttMs");
            assert!(is_rtt(rtt), "heartbeat rttMs {rtt} for pongs 80 ms late");
        }
        // Every message that reached the app so far: the echo only. (A pong
        // would be delivered right after its heartbeat event.)
        let delivered = messages.drain();
        assert_eq!(delivered.len(), 1, "{delivered:?}");
        let echo: web_sys::MessageEvent = delivered[0].clone().unchecked_into();
        assert_eq!(echo.data(), "hello");
        let rtt = number(&socket.stats().unwrap(), "rttMs");
        assert!(is_rtt(rtt), "stats().rttMs {rtt} for pongs 80 ms late");
        let sent = received_on(&id, 1).await;
        let pings = sent.iter().filter(|m| *m == r#"{"type":"ping"}"#).count();
        assert!(pings >= 2, "{sent:?}");
        assert_eq!(field(&socket.stats().unwrap(), "state"), "open");
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_request_without_reply_rejects_as_a_timeout() {
    test_within("request timeout", async {
        let id = client_id("silent-request-timeout");
        let socket = new_socket(url(&id, "silent=1"), JsValue::UNDEFINED);
        let mut opens = Events::listen(&socket, "open");
        opens.next().await;

        let asked_at = now_ms();
        let reply = socket.request(json(r#"{"type":"get"}"#), json(r#"{"timeoutMs":200}"#));
        let error = within(
            200 + TIMER_MARGIN_MS as u32,
            "request rejection",
            JsFuture::from(reply),
        )
        .await
        .expect_err("no reply: rejected");
        let took = now_ms() - asked_at;
        assert!(error.is_instance_of::<js_sys::Error>(), "{error:?}");
        assert_eq!(field(&error, "reason"), "timeout");
        assert!(text(&error, "message").contains("200 ms"));
        assert!(
            took + LISTENER_SLACK_MS >= 200.0 && took <= 200.0 + TIMER_MARGIN_MS,
            "rejected after {took} ms"
        );
        assert_eq!(field(&socket.stats().unwrap(), "pendingRequests"), 0);
        assert_eq!(socket.state(), "open", "a timeout does not drop the socket");
        socket.dispose().unwrap();
    })
    .await;
}
