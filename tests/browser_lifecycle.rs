//! Browser tests of what a connection carries across its life, checked on
//! the fault server's records: replay state before queued messages after a
//! reconnect, the offline queue flushed once and in order, the inspector's
//! redaction, `dispose()` leaving no socket or timer behind (nor a JS value
//! held by WASM, over a socket's whole life), one browser
//! socket at a time through a restart storm (counted by a shim around
//! `WebSocket` and `setTimeout`), and `reconnect()` during the app's close.
#![cfg(target_arch = "wasm32")]

mod browser_support;

use std::rc::Rc;

use browser_support::{
    Events, SendPath, Shim, client_id, control, field, json, new_socket, number, received_on,
    send_as_the_package_does, server_stats, sleep, test_within, text, url, wait_for_stats,
    wait_until_received, within,
};
use futures::StreamExt;
use resilient_ws::ResilientSocket;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn replay_state_reaches_the_server_before_queued_messages_once_and_in_order() {
    test_within("replay before queue", async {
        let id = client_id("replay-order");
        let options = json(r#"{"reconnect":{"initialDelayMs":200,"jitter":"none"}}"#);
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        let mut replays = Events::listen(&socket, "replay");
        opens.next().await;

        let set = |key: &str, value: &str| {
            socket
                .set_replay_state(key.into(), json(value), JsValue::UNDEFINED)
                .unwrap()
        };
        assert!(set("plugin:a", r#"{"key":"a","v":1}"#), "sent at once");
        assert!(set("plugin:b", r#"{"key":"b","v":1}"#));
        assert!(set("plugin:c", r#"{"key":"c","v":1}"#));
        // A drop loses what the server has not read yet: let it read.
        wait_until_received(&id, r#"{"key":"c","v":1}"#).await;

        control("POST", &format!("/clients/{id}/drop")).await;
        let close = closes.next().await;
        assert_eq!(field(&close, "willReconnect"), true);
        assert_eq!(socket.state(), "reconnecting");
        // While down: a's latest value replaces the first (keeping its
        // place), and three messages are queued.
        assert!(!set("plugin:a", r#"{"key":"a","v":2}"#), "stored only");
        for queued in ["q1", "q2", "q3"] {
            assert!(!socket.send(queued.into()).unwrap(), "queued: {queued}");
        }

        let open = opens.next().await;
        assert_eq!(field(&open, "connection"), 2);
        assert_eq!(field(&open, "replayed"), 3);
        assert_eq!(field(&open, "flushed"), 3);
        let replay = replays.next().await;
        assert_eq!(field(&replay, "connection"), 2);
        let keys: Vec<String> = js_sys::Array::from(&field(&replay, "keys"))
            .iter()
            .map(|key| key.as_string().unwrap())
            .collect();
        assert_eq!(keys, ["plugin:a", "plugin:b", "plugin:c"]);
        assert!(socket.send("end".into()).unwrap());

        wait_until_received(&id, "end").await;
        assert_eq!(
            received_on(&id, 1).await,
            [
                r#"{"key":"a","v":1}"#,
                r#"{"key":"b","v":1}"#,
                r#"{"key":"c","v":1}"#
            ]
        );
        assert_eq!(
            received_on(&id, 2).await,
            [
                r#"{"key":"a","v":2}"#,
                r#"{"key":"b","v":1}"#,
                r#"{"key":"c","v":1}"#,
                "q1",
                "q2",
                "q3",
                "end"
            ]
        );
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn messages_sent_while_not_open_arrive_exactly_once_in_order() {
    test_within("offline queue", async {
        let id = client_id("queue-once");
        let options = json(r#"{"reconnect":{"initialDelayMs":200,"jitter":"none"}}"#);
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        assert!(
            !socket.send("before-1".into()).unwrap(),
            "queued while connecting"
        );
        assert!(!socket.send("before-2".into()).unwrap());

        let open = opens.next().await;
        assert_eq!(field(&open, "flushed"), 2);
        assert!(socket.send("live".into()).unwrap(), "sent while open");
        // A drop loses what the server has not read yet: let it read.
        wait_until_received(&id, "live").await;

        control("POST", &format!("/clients/{id}/drop")).await;
        closes.next().await;
        assert_eq!(socket.state(), "reconnecting");
        for queued in ["down-1", "down-2", "down-3"] {
            assert!(!socket.send(queued.into()).unwrap(), "queued: {queued}");
        }
        assert_eq!(field(&socket.stats().unwrap(), "queued"), 3);

        let open = opens.next().await;
        assert_eq!(field(&open, "connection"), 2);
        assert_eq!(field(&open, "flushed"), 3);
        assert_eq!(field(&socket.stats().unwrap(), "queued"), 0);
        assert!(socket.send("end".into()).unwrap());

        let received = wait_until_received(&id, "end").await;
        let expected = [
            (1, "before-1"),
            (1, "before-2"),
            (1, "live"),
            (2, "down-1"),
            (2, "down-2"),
            (2, "down-3"),
            (2, "end"),
        ]
        .map(|(connection, text)| (connection, String::from(text)));
        assert_eq!(received, expected, "each message once, in order");
        socket.dispose().unwrap();
    })
    .await;
}

/// A socket on `id` (URL query `query`) that sent an `auth` message with a
/// token and got its echo back: two inspector entries with a secret.
async fn socket_with_an_echoed_secret(id: &str, query: &str) -> Rc<ResilientSocket> {
    let socket = new_socket(url(id, query), JsValue::UNDEFINED);
    let mut messages = Events::listen(&socket, "message");
    socket
        .send(r#"{"type":"auth","token":"s3cr3t"}"#.into())
        .unwrap();
    messages.next().await;
    socket
}

#[wasm_bindgen_test]
async fn default_options_redact_every_documented_key() {
    test_within("default redactKeys", async {
        // No options: the keys README and SECURITY.md list, not a subset.
        let id = client_id("default-keys");
        let socket = new_socket(url(&id, "apiKey=k1&session_id=s1"), JsValue::UNDEFINED);
        let shown = socket.url();
        assert!(!shown.contains("k1") && !shown.contains("s1"), "{shown}");
        let mut messages = Events::listen(&socket, "message");
        let secrets = r#"{"type":"creds","X-Api-Key":"k2","privateKey":"k3","Set-Cookie":"k4","passwd":"k5","signature":"k6","credential":"k7","passphrase":"k8"}"#;
        socket.send(secrets.into()).unwrap();
        messages.next().await;
        let export = socket
            .inspector()
            .export_json(JsValue::UNDEFINED)
            .unwrap()
            .as_string()
            .unwrap();
        for value in ["k2", "k3", "k4", "k5", "k6", "k7", "k8"] {
            assert!(!export.contains(value), "{value} shown: {export}");
        }
        // Seven values, sent and echoed.
        assert_eq!(export.matches("[redacted]").count(), 14, "{export}");
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_inspector_records_both_directions_and_never_shows_the_token() {
    test_within("inspector redaction", async {
        let id = client_id("inspect-auth");
        let socket = socket_with_an_echoed_secret(&id, "").await;

        let inspector = socket.inspector();
        let entries = inspector.entries(JsValue::UNDEFINED).unwrap();
        assert_eq!(entries.length(), 2);
        let directions: Vec<String> = entries
            .iter()
            .map(|entry| text(&entry, "direction"))
            .collect();
        assert_eq!(directions, ["out", "in"]);
        for entry in entries.iter() {
            assert_eq!(field(&entry, "type"), "auth");
            assert_eq!(field(&entry, "connection"), 1);
            let preview = text(&entry, "preview");
            assert!(preview.contains(r#""token":"[redacted]""#), "{preview}");
            assert!(!preview.contains("s3cr3t"), "{preview}");
        }
        let outgoing = inspector.entries(json(r#"{"direction":"out"}"#)).unwrap();
        assert_eq!(outgoing.length(), 1);

        let export = inspector
            .export_json(JsValue::UNDEFINED)
            .unwrap()
            .as_string()
            .unwrap();
        assert!(!export.contains("s3cr3t"), "{export}");
        let all = inspector.entries(JsValue::UNDEFINED).unwrap();
        assert_eq!(
            js_sys::JSON::stringify(&all).unwrap().as_string().unwrap(),
            export,
            "exportJson is JSON.stringify(entries())"
        );
        assert_eq!(export.matches("[redacted]").count(), 2, "{export}");
        let exported = js_sys::Array::from(&json(&export));
        assert_eq!(exported.length(), 2);
        assert_eq!(field(&exported.get(0), "direction"), "out");
        assert_eq!(field(&exported.get(1), "direction"), "in");
        // The server got the real message: redaction is for display only.
        assert_eq!(
            received_on(&id, 1).await,
            [r#"{"type":"auth","token":"s3cr3t"}"#]
        );
        socket.dispose().unwrap();
    })
    .await;
}

#[wasm_bindgen_test]
async fn dispose_frees_the_engine_and_the_socket_still_reads_what_happened() {
    test_within("reads after dispose", async {
        let id = client_id("dispose-reads");
        let socket = socket_with_an_echoed_secret(&id, "token=s3cr3t").await;
        let kept = socket.inspector();
        let entries = |inspector: &resilient_ws::SocketInspector| {
            let all = inspector.entries(JsValue::UNDEFINED).unwrap();
            js_sys::JSON::stringify(&all).unwrap().as_string().unwrap()
        };
        let before = entries(&kept);
        let url_before = socket.url();
        assert!(!url_before.contains("s3cr3t"), "{url_before}");

        assert_eq!(kept.length(), 2, "the send and its echo");

        let engines_before = resilient_ws::live_engines();
        let drivers_before = resilient_ws::live_drivers();
        let remains_before = resilient_ws::live_remains();
        socket.dispose().unwrap();
        // The engine is gone; what the app can read stays.
        assert_eq!(resilient_ws::live_engines(), engines_before - 1);
        assert_eq!(
            resilient_ws::live_drivers(),
            drivers_before,
            "kept for the recorded messages"
        );
        assert_eq!(socket.state(), "closed");
        assert_eq!(socket.ready_state(), web_sys::WebSocket::CLOSED);
        assert_eq!(socket.url(), url_before);
        let last = socket.last_close();
        assert_eq!(field(&last, "cause"), "disposed");
        assert_eq!(field(&last, "code"), 1000);
        let stats = socket.stats().unwrap();
        assert_eq!(field(&stats, "messagesIn"), 1);
        assert_eq!(field(&stats, "messagesOut"), 1);
        assert_eq!(field(&stats, "state"), "closed");
        assert_eq!(entries(&kept), before, "a view kept before dispose");
        assert_eq!(entries(&socket.inspector()), before, "a view taken after");
        assert!(before.contains("[redacted]") && !before.contains("s3cr3t"));
        assert_eq!(socket.replay_state().length(), 0);
        assert_eq!(resilient_ws::live_remains(), remains_before + 1);
        // The socket keeps its messages as JS values, not its driver, and
        // nothing of the engine in wasm memory.
        drop(kept);
        assert_eq!(resilient_ws::live_drivers(), drivers_before - 1);
        assert_eq!(
            resilient_ws::live_remains(),
            remains_before,
            "the records are held on the JS side only"
        );
        assert_eq!(entries(&socket.inspector()), before, "still readable");
        let taken_after = socket.inspector();
        socket.inspector().clear().unwrap();
        assert_eq!(entries(&taken_after), "[]", "cleared through either view");
        assert_eq!(socket.inspector().length(), 0);
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_view_taken_before_dispose_clears_what_the_disposed_socket_reads() {
    test_within("clear through an old view", async {
        let id = client_id("dispose-clear-old-view");
        let socket = socket_with_an_echoed_secret(&id, "").await;
        let taken_before = socket.inspector();
        let remains_before = resilient_ws::live_remains();
        socket.dispose().unwrap();
        assert_eq!(resilient_ws::live_remains(), remains_before + 1);
        assert_eq!(socket.inspector().length(), 2);
        taken_before.clear().unwrap();
        assert_eq!(socket.inspector().length(), 0, "the same records");
        assert_eq!(resilient_ws::live_remains(), remains_before);
    })
    .await;
}

#[wasm_bindgen_test]
async fn clearing_a_disposed_socket_clears_what_a_view_taken_before_reads() {
    test_within("clear what an old view reads", async {
        let id = client_id("dispose-clear-new-view");
        let socket = socket_with_an_echoed_secret(&id, "").await;
        let taken_before = socket.inspector();
        socket.dispose().unwrap();
        assert_eq!(taken_before.length(), 2);
        socket.inspector().clear().unwrap();
        assert_eq!(taken_before.length(), 0, "the same records");
        let all = taken_before.entries(JsValue::UNDEFINED).unwrap();
        assert_eq!(all.length(), 0);
    })
    .await;
}

#[wasm_bindgen_test]
async fn dispose_in_a_message_listener_keeps_the_messages_and_lets_the_driver_go() {
    test_within("dispose in a message listener", async {
        let id = client_id("dispose-in-message");
        let socket = new_socket(url(&id, ""), JsValue::UNDEFINED);
        Events::listen(&socket, "open").next().await;
        let drivers_before = resilient_ws::live_drivers();
        let (disposed, mut disposed_events) = futures::channel::mpsc::unbounded::<()>();
        let listener = {
            let socket = Rc::downgrade(&socket);
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                if let Some(socket) = socket.upgrade() {
                    socket.dispose().unwrap();
                    let _ = disposed.unbounded_send(());
                }
            })
        };
        socket
            .add_event_listener(
                "message".into(),
                listener.as_ref().clone(),
                JsValue::UNDEFINED,
            )
            .unwrap();
        socket.send(JsValue::from_str("text first")).unwrap();
        // Binary data too; the first echo's listener disposes.
        let bytes = js_sys::Uint8Array::from(&[1u8, 2, 3][..]);
        socket.send(bytes.buffer().into()).unwrap();
        within(2_000, "the echo's listener", disposed_events.next()).await;
        assert_eq!(resilient_ws::live_drivers(), drivers_before - 1);
        // The records, kept as JS values, read as they were recorded.
        let inspector = socket.inspector();
        let entries = inspector.entries(JsValue::UNDEFINED).unwrap();
        let seen: Vec<(String, bool, f64, f64)> = entries
            .iter()
            .map(|entry| {
                let binary = field(&entry, "binary").as_bool().unwrap();
                let direction = text(&entry, "direction");
                (
                    direction,
                    binary,
                    number(&entry, "size"),
                    number(&entry, "seq"),
                )
            })
            .collect();
        let expected = [
            ("out", false, 10.0, 1.0),
            ("out", true, 3.0, 2.0),
            ("in", false, 10.0, 3.0),
        ];
        let expected: Vec<(String, bool, f64, f64)> = expected
            .iter()
            .map(|&(direction, binary, size, seq)| (direction.into(), binary, size, seq))
            .collect();
        assert_eq!(seen, expected);
        let incoming = inspector.entries(json(r#"{"direction":"in"}"#)).unwrap();
        assert_eq!(text(&incoming.get(0), "preview"), "text first");
        assert_eq!(field(&socket.stats().unwrap(), "messagesIn"), 1);
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_disposed_socket_s_inspector_answers_every_filter_as_before() {
    test_within("inspector filters after dispose", async {
        let id = client_id("dispose-filters");
        let options = json(
            r#"{"redactKeys":["pin"],"binaryType":"arraybuffer","inspector":{"maxBytes":200}}"#,
        );
        let socket = new_socket(url(&id, ""), options);
        Events::listen(&socket, "open").next().await;
        let mut messages = Events::listen(&socket, "message");
        socket
            .send(r#"{"type":"auth","pin":"1234","id":7,"note":"x"}"#.into())
            .unwrap();
        // Over `maxBytes`: recorded without its payload.
        socket.send(JsValue::from_str(&"y".repeat(300))).unwrap();
        let bytes = js_sys::Uint8Array::from(&[1u8, 2, 3][..]);
        socket.send(bytes.buffer().into()).unwrap();
        for _ in 0..3 {
            messages.next().await;
        }
        let filters = [
            "{}",
            r#"{"type":"auth"}"#,
            r#"{"fields":{"id":7}}"#,
            r#"{"fields":{"note":"x"}}"#,
            r#"{"fullText":true}"#,
            r#"{"limit":2}"#,
            r#"{"direction":"in","limit":1}"#,
        ];
        let read_all = |socket: &ResilientSocket| -> Vec<String> {
            let inspector = socket.inspector();
            filters
                .iter()
                .map(|filter| {
                    let entries = inspector.entries(json(filter)).unwrap();
                    js_sys::JSON::stringify(&entries)
                        .unwrap()
                        .as_string()
                        .unwrap()
                })
                .collect()
        };
        let before = read_all(&socket);
        assert_eq!(socket.inspector().length(), 6);
        assert!(before[0].contains("[redacted]") && !before[0].contains("1234"));
        assert!(before.iter().all(|entries| entries != "[]"), "{before:?}");
        let drivers_before = resilient_ws::live_drivers();
        socket.dispose().unwrap();
        assert_eq!(resilient_ws::live_drivers(), drivers_before - 1);
        assert_eq!(read_all(&socket), before);
        assert_eq!(socket.inspector().length(), 6);
    })
    .await;
}

#[wasm_bindgen_test]
async fn dispose_without_recorded_messages_lets_the_driver_go_at_once() {
    test_within("driver freed at dispose", async {
        let id = client_id("dispose-frees-driver");
        let options = json(r#"{"name":"feed","binaryType":"arraybuffer"}"#);
        let socket = new_socket(url(&id, "token=s3cr3t"), options);
        let mut opens = Events::listen(&socket, "open");
        opens.next().await;
        let url_before = socket.url();
        assert!(!url_before.contains("s3cr3t"), "{url_before}");
        // A view kept across dispose would keep the driver (and the engine's
        // remains) for its messages; this one is let go of at once.
        assert_eq!(socket.inspector().length(), 0, "no message went either way");

        let drivers_before = resilient_ws::live_drivers();
        socket.dispose().unwrap();
        // The JS object may wait long for the collector: it holds no driver.
        assert_eq!(resilient_ws::live_drivers(), drivers_before - 1);
        assert!(socket.disposed());
        assert_eq!(socket.state(), "closed");
        assert_eq!(socket.ready_state(), web_sys::WebSocket::CLOSED);
        assert_eq!(socket.url(), url_before);
        assert_eq!(socket.name(), "feed");
        assert_eq!(socket.binary_type(), "arraybuffer");
        socket.set_binary_type(JsValue::from_str("blob")).unwrap();
        assert_eq!(socket.binary_type(), "blob");
        assert!(socket.set_binary_type(JsValue::from_str("text")).is_err());
        let last = socket.last_close();
        assert_eq!(field(&last, "cause"), "disposed");
        assert_eq!(field(&last, "connection"), 1);
        let stats = socket.stats().unwrap();
        assert_eq!(field(&stats, "state"), "closed");
        assert_eq!(field(&stats, "connection"), 1);
        // Each call gives a new object, as on a live socket.
        js_sys::Reflect::set(&stats, &"connection".into(), &7.into()).unwrap();
        assert_eq!(field(&socket.stats().unwrap(), "connection"), 1);
        assert!(!js_sys::Object::is(&socket.last_close(), &last));
        let inspector = socket.inspector();
        assert_eq!(inspector.length(), 0);
        let entries = inspector.entries(JsValue::UNDEFINED).unwrap();
        assert_eq!(js_sys::Array::from(&entries).length(), 0);
        assert_eq!(
            inspector.export_json(JsValue::UNDEFINED).unwrap(),
            JsValue::from_str("[]")
        );
        assert!(inspector.entries(json(r#"{"limit":-1}"#)).is_err());
        inspector.clear().unwrap();
        assert!(socket.onopen().is_null());
        let error = socket.send(JsValue::from_str("late")).unwrap_err();
        assert!(text(&error, "message").contains("disposed"));
        assert!(socket.connect().is_err());
        assert!(socket.reconnect().is_err());
        assert!(socket.close(JsValue::UNDEFINED, JsValue::UNDEFINED).is_ok());
        assert!(!socket.delete_replay_state("key".into()).unwrap());
        assert_eq!(socket.replay_state().length(), 0);
        socket.dispose().unwrap();
        assert_eq!(resilient_ws::live_drivers(), drivers_before - 1);
    })
    .await;
}

#[wasm_bindgen_test]
async fn dispose_from_a_listener_inside_close_lets_the_driver_go_once_close_returns() {
    test_within("dispose inside close", async {
        let id = client_id("dispose-inside-close");
        let socket = new_socket(url(&id, ""), JsValue::UNDEFINED);
        Events::listen(&socket, "open").next().await;
        let drivers_before = resilient_ws::live_drivers();
        let disposed_in_listener = Rc::new(std::cell::Cell::new(false));
        let listener = {
            let socket = Rc::downgrade(&socket);
            let disposed_in_listener = disposed_in_listener.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                if let Some(socket) = socket.upgrade() {
                    socket.dispose().unwrap();
                    disposed_in_listener.set(true);
                }
            })
        };
        socket
            .add_event_listener(
                "statechange".into(),
                listener.as_ref().clone(),
                JsValue::UNDEFINED,
            )
            .unwrap();
        // close() runs the statechange listener before it returns: the
        // driver it is running in stays until then.
        socket
            .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
            .unwrap();
        assert!(
            disposed_in_listener.get(),
            "the listener ran inside close()"
        );
        assert!(socket.disposed());
        assert_eq!(resilient_ws::live_drivers(), drivers_before - 1);
        assert_eq!(socket.state(), "closed");
        assert!(socket.send(JsValue::from_str("late")).is_err());
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_socket_s_whole_life_leaves_no_js_value_behind() {
    test_within("no JS value left", async {
        // The first life sets up what stays for good (the global object).
        live_a_whole_life("life-warm-up").await;
        let before = wasm_bindgen::externref_heap_live_count();
        for round in 0..3 {
            live_a_whole_life(&format!("life-{round}")).await;
        }
        let after = wasm_bindgen::externref_heap_live_count();
        assert_eq!(after, before, "JS values WASM still holds after 3 lives");
    })
    .await;
}

/// A socket through everything an app does with one: listeners, replay
/// state, a send and its echo, a request and its reply, inspector and stats
/// reads, a dropped connection and the reconnect, a close, then dispose and
/// drop. Whatever JS value WASM kept of it shows in the live count.
async fn live_a_whole_life(name: &str) {
    let id = client_id(name);
    let options = json(r#"{"reconnect":{"initialDelayMs":10,"jitter":"none"}}"#);
    let socket = ResilientSocket::new(url(&id, ""), options).unwrap();
    let mut opens = Events::listen(&socket, "open");
    let mut messages = Events::listen(&socket, "message");
    let mut closes = Events::listen(&socket, "close");
    socket
        .set_replay_state("room".into(), json(r#"{"join":"a"}"#), JsValue::UNDEFINED)
        .unwrap();
    opens.next().await;
    socket.send("hello".into()).unwrap();
    messages.next().await;
    let reply = JsFuture::from(socket.request(json(r#"{"type":"sum","a":2}"#), JsValue::UNDEFINED))
        .await
        .expect("the echo is the reply");
    assert_eq!(field(&reply, "a"), 2);
    let inspector = socket.inspector();
    assert!(inspector.entries(JsValue::UNDEFINED).unwrap().length() >= 2);
    assert!(
        inspector
            .export_json(JsValue::UNDEFINED)
            .unwrap()
            .is_string()
    );
    drop(inspector);
    assert_eq!(field(&socket.stats().unwrap(), "state"), "open");

    control("POST", &format!("/clients/{id}/drop")).await;
    closes.next().await;
    assert_eq!(field(&opens.next().await, "connection"), 2);
    socket
        .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
        .unwrap();
    assert_eq!(field(&closes.next().await, "cause"), "app");
    assert!(field(&socket.last_close(), "code").is_truthy());
    socket.dispose().unwrap();
}

#[wasm_bindgen_test]
async fn dispose_leaves_no_socket_no_timer_and_no_further_connection() {
    let shim = Shim::install();
    test_within("dispose", async {
        // Open, with the heartbeat's timer pending.
        let id = client_id("dispose-open");
        let options = json(
            r#"{"heartbeat":{"intervalMs":200,"timeoutMs":200},
                "reconnect":{"initialDelayMs":50,"jitter":"none"}}"#,
        );
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        opens.next().await;
        wait_for_stats(&id, "the connection open", |stats| {
            field(stats, "open") == 1
        })
        .await;
        assert_eq!(shim.constructed(), 1);
        assert!(shim.pending_timers() >= 1, "the heartbeat timer is seen");

        socket.dispose().unwrap();
        let ws = shim.socket(0);
        assert!(ws.ready_state() >= web_sys::WebSocket::CLOSING);
        assert_eq!(shim.live(), 0);
        assert_eq!(shim.pending_timers(), 0, "no SDK timer left");
        wait_for_stats(&id, "no open connection", |stats| field(stats, "open") == 0).await;
        // Longer than the heartbeat interval and five first-retry delays.
        sleep(250).await;
        assert_eq!(shim.constructed(), 1, "no further socket");
        assert_eq!(shim.pending_timers(), 0);
        assert_eq!(field(&server_stats(&id).await, "connections"), 1);

        // Waiting out a backoff delay, with its timer pending.
        let id = client_id("dispose-backoff");
        let options = json(r#"{"reconnect":{"initialDelayMs":200,"jitter":"none"}}"#);
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        let mut reconnecting = Events::listen(&socket, "reconnecting");
        opens.next().await;
        control("POST", &format!("/clients/{id}/drop")).await;
        assert_eq!(field(&reconnecting.next().await, "delayMs"), 200);
        assert_eq!(socket.state(), "reconnecting");
        assert!(shim.pending_timers() >= 1, "the backoff timer is seen");

        socket.dispose().unwrap();
        assert_eq!(shim.pending_timers(), 0, "backoff timer cleared");
        assert_eq!(shim.live(), 0);
        sleep(200 + 100).await;
        assert_eq!(shim.constructed(), 2, "no attempt after dispose");
        assert_eq!(field(&server_stats(&id).await, "connections"), 1);
    })
    .await;
    shim.uninstall();
}

#[wasm_bindgen_test]
async fn a_restart_storm_never_has_two_browser_sockets_at_once() {
    let shim = Shim::install();
    test_within("restart storm", async {
        let id = client_id("storm");
        // Full jitter: some retries come at once.
        let options = json(r#"{"reconnect":{"initialDelayMs":50,"maxDelayMs":200}}"#);
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        opens.next().await;

        for round in 0..4 {
            control("POST", "/restart?down_ms=150").await;
            if round == 2 {
                // A restart while down extends the downtime.
                control("POST", "/restart?down_ms=150").await;
            }
            let open = opens.next().await;
            assert_eq!(socket.state(), "open", "round {round}: {open:?}");
        }
        let stats = wait_for_stats(&id, "one open connection", |stats| {
            field(stats, "open") == 1
        })
        .await;
        assert_eq!(field(&stats, "connections"), 5);
        assert!(shim.constructed() >= 5);
        assert_eq!(shim.max_live(), 1, "never two CONNECTING/OPEN sockets");
        assert_eq!(shim.max_unclosed(), 1, "each socket closed before the next");
        assert_eq!(text(&socket.stats().unwrap(), "state"), "open");
        socket.dispose().unwrap();
    })
    .await;
    shim.uninstall();
}

#[wasm_bindgen_test]
async fn a_send_while_the_browser_socket_is_closing_waits_for_the_next_connection() {
    // The browser socket is CLOSING (here closed by hand, as when the
    // server's close frame has arrived) and its close event has not come
    // yet: the browser would drop a send, so the SDK queues it.
    let shim = Shim::install();
    test_within("send while closing", async {
        let id = client_id("send-closing");
        let options = json(
            r#"{"heartbeat":{"intervalMs":0},"reconnect":{"initialDelayMs":20,"jitter":"none"}}"#,
        );
        let socket = new_socket(url(&id, ""), options);
        let mut opens = Events::listen(&socket, "open");
        opens.next().await;
        let browser_socket = shim.socket(0);
        browser_socket.close().unwrap();
        assert_eq!(browser_socket.ready_state(), web_sys::WebSocket::CLOSING);
        assert_eq!(socket.state(), "open", "no close event yet");
        // As the package sends: its JS fast path must see the closing
        // socket too and leave the send to the module, which queues it.
        let path = send_as_the_package_does(&socket, &"late".into());
        assert_eq!(path, Ok(SendPath::Module(false)), "queued, not dropped");
        opens.next().await;
        let received = wait_until_received(&id, "late").await;
        assert_eq!(
            received,
            [(2, "late".to_owned())],
            "once, on the next connection"
        );
        socket.dispose().unwrap();
    })
    .await;
    shim.uninstall();
}

#[wasm_bindgen_test]
async fn reconnect_while_the_apps_close_waits_reports_that_close_then_opens_once() {
    let shim = Shim::install();
    test_within("reconnect while closing", async {
        let id = client_id("reconnect-closing");
        let socket = new_socket(url(&id, ""), JsValue::UNDEFINED);
        let mut opens = Events::listen(&socket, "open");
        let mut closes = Events::listen(&socket, "close");
        opens.next().await;
        socket.close(JsValue::from(4000.0), "bye".into()).unwrap();
        assert_eq!(socket.state(), "closing");
        // The server's answer to the close is not in yet: that socket is let
        // go, and the app's close reported, not clean, before a new
        // connection at once.
        socket.reconnect().unwrap();
        let close = closes.next().await;
        assert_eq!(text(&close, "cause"), "app");
        assert_eq!(number(&close, "code"), 4000.0);
        assert_eq!(number(&close, "connection"), 1.0);
        assert!(!field(&close, "wasClean").is_truthy());
        assert!(field(&close, "willReconnect").is_truthy());
        let open = opens.next().await;
        assert_eq!(number(&open, "connection"), 2.0);
        // The browser's own close event for the first socket, once the
        // server answered the close: the socket let go must report nothing
        // more (the SDK would report it within that event's dispatch, before
        // this listener, added later, runs).
        let first = shim.socket(0);
        if first.ready_state() != web_sys::WebSocket::CLOSED {
            let closed = js_sys::Promise::new(&mut |resolve, _| {
                first
                    .add_event_listener_with_callback("close", &resolve)
                    .unwrap();
            });
            within(
                5_000,
                "the first socket's close event",
                JsFuture::from(closed),
            )
            .await
            .unwrap();
        }
        assert!(
            closes.drain().is_empty(),
            "one close for the one connection"
        );
        assert_eq!(shim.max_live(), 1, "never two CONNECTING/OPEN sockets");
        socket.dispose().unwrap();
    })
    .await;
    shim.uninstall();
}
