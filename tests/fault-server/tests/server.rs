//! End-to-end tests: a server on ephemeral ports, driven by a
//! tokio-tungstenite client and raw HTTP requests.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fault_server::{Config, Server};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest any single step may take before a test fails instead of hanging.
const STEP: Duration = Duration::from_secs(5);

async fn start() -> Server {
    start_with(None).await
}

async fn start_with(report_file: Option<std::path::PathBuf>) -> Server {
    fault_server::start(Config {
        host: "127.0.0.1".into(),
        ws_port: 0,
        control_port: 0,
        report_file,
    })
    .await
    .expect("server starts")
}

async fn connect(server: &Server, path: &str) -> Client {
    let url = format!("ws://{}{path}", server.ws_addr);
    timeout(STEP, connect_async(url))
        .await
        .expect("connect in time")
        .expect("upgrade accepted")
        .0
}

/// The next data or close message, failing the test after [`STEP`].
async fn next(ws: &mut Client) -> Option<Result<Message, WsError>> {
    timeout(STEP, ws.next()).await.expect("a message in time")
}

async fn next_text(ws: &mut Client) -> String {
    match next(ws).await {
        Some(Ok(Message::Text(t))) => t.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

async fn send(ws: &mut Client, text: &str) {
    ws.send(Message::text(text)).await.expect("send");
}

/// One HTTP request with `Connection: close`: status, raw head, body.
async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.expect("tcp connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nUser-Agent: fault-test\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    timeout(STEP, stream.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let status = head[9..12].parse().expect("a status code");
    (status, head.to_string(), body.to_string())
}

async fn control(server: &Server, method: &str, path: &str) -> Value {
    let (status, head, body) = http(server.control_addr, method, path, "").await;
    assert_eq!(status, 200, "{method} {path}: {head}\n{body}");
    assert!(head.contains("Access-Control-Allow-Origin: *"), "{head}");
    serde_json::from_str(&body).expect("a JSON body")
}

/// Polls `/clients/<id>/stats` until `check` holds.
async fn wait_stats(server: &Server, id: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + STEP;
    loop {
        let stats = control(server, "GET", &format!("/clients/{id}/stats")).await;
        if check(&stats) {
            return stats;
        }
        assert!(Instant::now() < deadline, "stats never matched: {stats}");
        sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts the connection ends without a close frame.
/// Nothing arrives on `ws` for 300 ms.
async fn assert_nothing_arrives(ws: &mut Client) {
    assert!(
        timeout(Duration::from_millis(300), ws.next())
            .await
            .is_err()
    );
}

async fn assert_dropped(ws: &mut Client) {
    loop {
        match next(ws).await {
            Some(Ok(Message::Close(frame))) => panic!("got a close frame {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return,
        }
    }
}

#[tokio::test]
async fn echoes_answers_pings_and_records() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/echo").await;
    send(&mut ws, "hello").await;
    assert_eq!(next_text(&mut ws).await, "hello");
    send(&mut ws, "ping").await;
    assert_eq!(next_text(&mut ws).await, "pong");
    send(&mut ws, r#"{"type":"ping","id":3,"ts":1.5}"#).await;
    assert_eq!(
        serde_json::from_str::<Value>(&next_text(&mut ws).await).unwrap(),
        json!({"type":"pong","id":3,"ts":1.5})
    );
    send(&mut ws, r#"{"type":"request","id":"r1","x":1}"#).await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"type":"request","id":"r1","x":1}"#
    );
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(
        next(&mut ws).await.unwrap().unwrap(),
        Message::binary(vec![1u8, 2, 3])
    );

    let mut second = connect(&server, "/ws/echo?pong=0").await;
    send(&mut second, "ping").await;
    assert_eq!(next_text(&mut second).await, "ping");

    let stats = control(&server, "GET", "/clients/echo/stats").await;
    assert_eq!(stats["count"], 6);
    assert_eq!(stats["connections"], 2);
    assert_eq!(stats["open"], 2);

    ws.close(None).await.unwrap();
    second.close(None).await.unwrap();
    wait_stats(&server, "echo", |s| s["open"] == 0).await;
    let received = control(&server, "GET", "/clients/echo/received").await;
    let texts: Vec<(u64, String)> = received["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["connection"].as_u64().unwrap(),
                m["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(texts.len(), 5);
    assert_eq!(texts[0], (1, "hello".to_string()));
    assert_eq!(texts[4], (2, "ping".to_string()));
    assert_eq!(received["binaryCount"], 1);
    assert_eq!(received["connections"], 2);
    assert_eq!(received["open"], 0);
    assert_eq!(received["bytes"], stats["bytes"]);

    // "/ws" alone is the client "default".
    let mut default = connect(&server, "/ws").await;
    send(&mut default, "x").await;
    assert_eq!(next_text(&mut default).await, "x");
    let clients = control(&server, "GET", "/clients").await;
    let ids: Vec<&str> = clients["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default", "echo"]);
}

#[tokio::test]
async fn scripted_close_reaches_the_client() {
    let server = start().await;
    let started = Instant::now();
    let mut ws = connect(
        &server,
        "/ws/c?close=4004&reason=project%20not%20found&after_ms=100",
    )
    .await;
    match next(&mut ws).await {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(frame.code, CloseCode::from(4004));
            assert_eq!(frame.reason.as_str(), "project not found");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(matches!(next(&mut ws).await, None | Some(Err(_))));
    wait_stats(&server, "c", |s| s["open"] == 0 && s["connections"] == 1).await;
}

/// A raw TCP connection that sent an upgrade request for client `id`
/// with `hang=1`: the server reads it and never answers.
async fn hanging_handshake(server: &Server, id: &str) -> TcpStream {
    let mut stream = TcpStream::connect(server.ws_addr).await.unwrap();
    let request = format!(
        "GET /ws/{id}?hang=1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

#[tokio::test]
async fn rejects_and_hangs_handshakes() {
    let server = start().await;
    let url = format!("ws://{}/ws/r?reject=403", server.ws_addr);
    match connect_async(url).await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status().as_u16(), 403),
        other => panic!("expected HTTP 403, got {other:?}"),
    }
    let url = format!("ws://{}/ws/h?hang=1", server.ws_addr);
    assert!(
        timeout(Duration::from_millis(300), connect_async(url))
            .await
            .is_err(),
        "a hanging handshake must not complete"
    );
    let url = format!("ws://{}/ws/b?close=99", server.ws_addr);
    match connect_async(url).await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status().as_u16(), 400),
        other => panic!("expected HTTP 400 for a bad script, got {other:?}"),
    }
    let stats = control(&server, "GET", "/clients/r/stats").await;
    assert_eq!(stats["connections"], 0);

    // A hanging handshake is counted while it hangs, so a test can wait
    // for the server to have read the request.
    let hanging = hanging_handshake(&server, "hc").await;
    wait_stats(&server, "hc", |s| s["hanging"] == 1).await;
    drop(hanging);
    let stats = wait_stats(&server, "hc", |s| s["hanging"] == 0).await;
    assert_eq!(stats["connections"], 0, "never upgraded");
}

#[tokio::test]
async fn drops_tcp_without_close_frame() {
    let server = start().await;
    let started = Instant::now();
    let mut ws = connect(&server, "/ws/d?drop_after_ms=100").await;
    assert_dropped(&mut ws).await;
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn silent_connections_reply_nothing_until_resumed() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/s?silent=1").await;
    send(&mut ws, "ping").await;
    send(&mut ws, "hello").await;
    assert_nothing_arrives(&mut ws).await;
    wait_stats(&server, "s", |s| s["count"] == 2).await;

    let r = control(&server, "POST", "/clients/s/silent?on=0").await;
    assert_eq!(r["connections"], 1);
    send(&mut ws, "again").await;
    assert_eq!(next_text(&mut ws).await, "again");
    // GET works as well as POST, for simple browser requests.
    control(&server, "GET", "/clients/s/silent?on=1").await;
    send(&mut ws, "quiet").await;
    assert_nothing_arrives(&mut ws).await;
}

#[tokio::test]
async fn echo_off_still_answers_pings_in_order() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/e?echo=0&store=0").await;
    for i in 0..100 {
        send(&mut ws, &format!("{i}:burst")).await;
    }
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    send(&mut ws, "ping").await;
    // The pong is the first thing back: nothing before it was echoed, and
    // the server had read the whole burst when it answered.
    assert_eq!(next_text(&mut ws).await, "pong");
    let stats = control(&server, "GET", "/clients/e/stats").await;
    assert_eq!(stats["count"], 102, "100 texts, the binary and the ping");
    assert_nothing_arrives(&mut ws).await;
}

#[tokio::test]
async fn echo_off_with_pongs_off_answers_nothing() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/ep?echo=0&pong=0").await;
    send(&mut ws, "ping").await;
    send(&mut ws, r#"{"type":"ping","id":1}"#).await;
    wait_stats(&server, "ep", |s| s["count"] == 2).await;
    assert_nothing_arrives(&mut ws).await;
}

#[tokio::test]
async fn floods_then_echoes() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/f?flood=1000&size=64").await;
    for i in 0..1000 {
        let text = next_text(&mut ws).await;
        assert_eq!(text.len(), 64);
        assert!(text.starts_with(&format!("{i}:")), "message {i}: {text}");
    }
    send(&mut ws, "after").await;
    assert_eq!(next_text(&mut ws).await, "after");
}

#[tokio::test]
async fn delays_replies() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/rd?reply_delay_ms=200").await;
    let started = Instant::now();
    send(&mut ws, r#"{"type":"request","id":1}"#).await;
    send(&mut ws, "ping").await;
    assert_eq!(next_text(&mut ws).await, r#"{"type":"request","id":1}"#);
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(next_text(&mut ws).await, "pong");
}

#[tokio::test]
async fn reads_slowly() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/slow?read_delay_ms=100").await;
    let started = Instant::now();
    for i in 0..3 {
        send(&mut ws, &format!("m{i}")).await;
    }
    // Each echo waits for the read delay after the message before it.
    for i in 0..3 {
        assert_eq!(next_text(&mut ws).await, format!("m{i}"));
    }
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn selects_the_scripted_subprotocol() {
    let server = start().await;
    for (query, expected) in [
        ("?protocol=chat", Some("chat")),
        ("", Some("v1")),
        ("?protocol=v9", None),
    ] {
        let mut req = format!("ws://{}/ws/p{query}", server.ws_addr)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", "v1, chat".parse().unwrap());
        match (connect_async(req).await, expected) {
            (Ok((_, resp)), Some(p)) => {
                assert_eq!(resp.headers()["sec-websocket-protocol"], p)
            }
            // The client rejects an answer without the protocol it asked for.
            (Err(_), None) => {}
            (other, _) => panic!("{query}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn plain_http_on_the_websocket_port() {
    let server = start().await;
    let (status, head, _) = http(server.ws_addr, "GET", "/ws/x", "").await;
    assert_eq!(status, 426);
    assert!(head.contains("Upgrade: websocket"));
    assert_eq!(http(server.ws_addr, "GET", "/health", "").await.0, 200);
    assert_eq!(http(server.ws_addr, "GET", "/nope", "").await.0, 404);
    assert_eq!(http(server.ws_addr, "GET", "/ws/bad%20id", "").await.0, 400);
}

#[tokio::test]
async fn control_acts_on_open_connections() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/k").await;
    wait_stats(&server, "k", |s| s["open"] == 1).await;

    let r = control(&server, "POST", "/clients/k/send?text=hello%20there").await;
    assert_eq!(r["connections"], 1);
    assert_eq!(next_text(&mut ws).await, "hello there");
    let (status, _, _) = http(server.control_addr, "POST", "/clients/k/send", "from body").await;
    assert_eq!(status, 200);
    assert_eq!(next_text(&mut ws).await, "from body");

    control(&server, "POST", "/clients/k/flood?count=3&size=10").await;
    for i in 0..3 {
        assert_eq!(next_text(&mut ws).await, format!("{i}:{}", ".".repeat(8)));
    }

    control(
        &server,
        "POST",
        "/clients/k/close?code=4003&reason=forbidden",
    )
    .await;
    match next(&mut ws).await {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(frame.code, CloseCode::from(4003));
            assert_eq!(frame.reason.as_str(), "forbidden");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // Reading on sends the client's answer to the close frame.
    assert!(matches!(next(&mut ws).await, None | Some(Err(_))));
    wait_stats(&server, "k", |s| s["open"] == 0).await;

    let mut ws = connect(&server, "/ws/k").await;
    wait_stats(&server, "k", |s| s["open"] == 1).await;
    let r = control(&server, "POST", "/clients/k/drop").await;
    assert_eq!(r["connections"], 1);
    assert_dropped(&mut ws).await;
    let stats = wait_stats(&server, "k", |s| s["open"] == 0).await;
    assert_eq!(stats["connections"], 2);

    let (status, _, body) = http(server.control_addr, "POST", "/clients/k/close?code=12", "").await;
    assert_eq!(status, 400);
    assert!(body.contains("code"), "{body}");
}

#[tokio::test]
async fn bad_frames_reach_the_client_as_the_protocol_errors_they_are() {
    let server = start().await;
    for (kind, want) in [("utf8", "Utf8"), ("opcode", "InvalidOpcode(3)")] {
        let mut ws = connect(&server, "/ws/b").await;
        wait_stats(&server, "b", |s| s["open"] == 1).await;
        let r = control(
            &server,
            "POST",
            &format!("/clients/b/bad-frame?kind={kind}"),
        )
        .await;
        assert_eq!(r["connections"], 1);
        // tungstenite, as a browser, refuses the frame instead of delivering it.
        match next(&mut ws).await {
            Some(Err(e)) => assert!(format!("{e:?}").contains(want), "{kind}: {e:?}"),
            other => panic!("{kind}: expected a protocol error, got {other:?}"),
        }
        drop(ws);
        wait_stats(&server, "b", |s| s["open"] == 0).await;
    }
    let (status, _, body) = http(
        server.control_addr,
        "POST",
        "/clients/b/bad-frame?kind=mask",
        "",
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("utf8, opcode"), "{body}");
}

#[tokio::test]
async fn next_script_applies_once_and_overrides_the_query() {
    let server = start().await;
    let r = control(&server, "POST", "/clients/n/next?reject=403").await;
    assert_eq!(r["next"], "reject=403");
    let url = format!("ws://{}/ws/n?close=4000", server.ws_addr);
    match connect_async(url).await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status().as_u16(), 403),
        other => panic!("expected HTTP 403, got {other:?}"),
    }
    let mut ws = connect(&server, "/ws/n").await;
    send(&mut ws, "ok").await;
    assert_eq!(next_text(&mut ws).await, "ok");

    control(&server, "POST", "/clients/n/next?close=4002&reason=bad").await;
    let mut ws = connect(&server, "/ws/n").await;
    match next(&mut ws).await {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::from(4002)),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn reset_forgets_records() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/z").await;
    send(&mut ws, "a").await;
    next_text(&mut ws).await;
    ws.close(None).await.unwrap();
    wait_stats(&server, "z", |s| s["open"] == 0).await;
    control(&server, "POST", "/clients/z/next?reject=500").await;
    control(&server, "DELETE", "/clients/z").await;
    let stats = control(&server, "GET", "/clients/z/stats").await;
    assert_eq!(
        stats,
        json!({"count":0,"bytes":0,"binaryCount":0,"connections":0,"open":0,"hanging":0})
    );
    // The pending script is gone too.
    let mut ws = connect(&server, "/ws/z").await;
    send(&mut ws, "b").await;
    assert_eq!(next_text(&mut ws).await, "b");
    control(&server, "POST", "/clients/z/reset").await;
    let received = control(&server, "GET", "/clients/z/received").await;
    assert_eq!(received["messages"], json!([]));
    assert_eq!(received["open"], 1);
}

#[tokio::test]
async fn restart_drops_everything_and_refuses_connections_for_a_while() {
    let server = start().await;
    let mut ws = connect(&server, "/ws/rs").await;
    let mut hanging = hanging_handshake(&server, "rs").await;
    wait_stats(&server, "rs", |s| s["open"] == 1).await;

    let started = Instant::now();
    let r = control(&server, "POST", "/restart?down_ms=400").await;
    assert_eq!(r, json!({"downMs":400}));
    assert_dropped(&mut ws).await;
    let mut rest = Vec::new();
    let n = timeout(STEP, hanging.read_to_end(&mut rest))
        .await
        .expect("hanging socket closed");
    assert!(
        n.is_err() || rest.is_empty(),
        "no answer to a hanging handshake"
    );
    assert!(
        TcpStream::connect(server.ws_addr).await.is_err(),
        "port refuses while down"
    );
    assert_eq!(http(server.control_addr, "GET", "/health", "").await.0, 200);

    let deadline = Instant::now() + STEP;
    let mut ws = loop {
        if let Ok((ws, _)) = connect_async(format!("ws://{}/ws/rs", server.ws_addr)).await {
            break ws;
        }
        assert!(Instant::now() < deadline, "port never came back");
        sleep(Duration::from_millis(20)).await;
    };
    assert!(started.elapsed() >= Duration::from_millis(400));
    send(&mut ws, "back").await;
    assert_eq!(next_text(&mut ws).await, "back");
}

#[tokio::test]
async fn control_http_details() {
    let report =
        std::env::temp_dir().join(format!("fault-server-report-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&report);
    let server = start_with(Some(report.clone())).await;

    let (status, head, body) = http(server.control_addr, "GET", "/health", "").await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    assert!(head.contains("Access-Control-Allow-Origin: *"));

    let (status, head, _) = http(server.control_addr, "OPTIONS", "/clients/a/next", "").await;
    assert_eq!(status, 204);
    assert!(head.contains("Access-Control-Allow-Methods: GET, POST, DELETE, OPTIONS"));
    assert!(head.contains("Access-Control-Allow-Origin: *"));

    let (status, _, _) = http(server.control_addr, "POST", "/report", r#"{"ratio": 0.98}"#).await;
    assert_eq!(status, 204);
    http(server.control_addr, "POST", "/report", r#"{"ratio": 1.01}"#).await;
    let lines = std::fs::read_to_string(&report).unwrap();
    assert_eq!(lines, "{\"ratio\":0.98}\n{\"ratio\":1.01}\n");
    let _ = std::fs::remove_file(&report);
    assert_eq!(
        http(server.control_addr, "POST", "/report", "not json")
            .await
            .0,
        400
    );

    assert_eq!(http(server.control_addr, "GET", "/nope", "").await.0, 404);
    assert_eq!(
        http(server.control_addr, "GET", "/clients/a/frobnicate", "")
            .await
            .0,
        404
    );
    assert_eq!(
        http(server.control_addr, "GET", "/clients/a/next?close=1", "")
            .await
            .0,
        400
    );
    assert_eq!(
        http(server.control_addr, "PUT", "/restart", "").await.0,
        405
    );

    // Keep-alive: two requests on one connection.
    let mut stream = TcpStream::connect(server.control_addr).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /clients HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = String::new();
    timeout(STEP, stream.read_to_string(&mut raw))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raw.matches("HTTP/1.1 200 OK").count(), 2, "{raw}");
}

/// Kills the child process when dropped, so a failing test leaves none behind.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_ready_line() {
    use std::io::BufRead;
    let mut child = KillOnDrop(
        std::process::Command::new(env!("CARGO_BIN_EXE_fault-server"))
            .args(["--ws-port", "0", "--control-port=0", "--host", "127.0.0.1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("binary starts"),
    );
    let mut line = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let rest = line
        .trim()
        .strip_prefix("fault-server ws=ws://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"));
    let (ws_port, control) = rest.split_once(" control=http://").unwrap();
    let ws: SocketAddr = format!("127.0.0.1:{ws_port}").parse().unwrap();
    let control: SocketAddr = control.parse().unwrap();
    assert_eq!(http(control, "GET", "/health", "").await.0, 200);
    assert_eq!(http(ws, "GET", "/health", "").await.0, 200);
}
