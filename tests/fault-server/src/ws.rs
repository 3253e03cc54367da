//! The WebSocket port: accepting TCP connections, going down and up again on
//! `/restart`, and taking each connection through its script's handshake.
//!
//! Paths: `/ws/<client-id>` (or `/ws`, client id `default`) for WebSockets,
//! `/health` for a 200. Plain HTTP to a `/ws` path gets 426 and one log line.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socket2::SockRef;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::conn;
use crate::handshake;
use crate::http::{self, ReadError, Request, Response};
use crate::log::log;
use crate::record::valid_client_id;
use crate::script::Script;
use crate::server::State;

/// The receive buffer of a slow reader (`read_delay_ms`), in bytes.
const SLOW_READER_BUFFER: usize = 64 * 1024;

/// A request to take the WebSocket port down for a while.
pub struct Restart {
    /// How long the port stays closed.
    pub down: Duration,
    /// Answered once the listener is closed and every connection has been
    /// told to drop (they close a moment later: poll `open` to see it).
    pub ack: oneshot::Sender<()>,
}

/// Accepts connections on `listener` until the process ends, going down for a
/// while on each [`Restart`] received on `restarts`.
pub async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    mut restarts: mpsc::Receiver<Restart>,
) {
    let addr = listener
        .local_addr()
        .expect("bound listener has an address");
    let mut listener = Some(listener);
    let mut up_at = Instant::now();
    let mut bind_failed = false;
    loop {
        let restart = match &listener {
            Some(l) => tokio::select! {
                r = l.accept() => {
                    match r {
                        Ok((stream, peer)) => {
                            let epoch = state.epoch.subscribe();
                            tokio::spawn(connection(stream, peer, state.clone(), epoch));
                        }
                        Err(e) => {
                            log!("ws: accept failed: {e}");
                            sleep(Duration::from_millis(100)).await;
                        }
                    }
                    None
                }
                Some(r) = restarts.recv() => Some(r),
            },
            None => tokio::select! {
                _ = sleep_until(up_at) => {
                    match TcpListener::bind(addr).await {
                        Ok(l) => {
                            listener = Some(l);
                            bind_failed = false;
                            log!("ws: listening again on {addr}");
                        }
                        Err(e) => {
                            if !bind_failed {
                                log!("ws: cannot listen again on {addr} yet ({e}); retrying");
                                bind_failed = true;
                            }
                            up_at = Instant::now() + Duration::from_millis(100);
                        }
                    }
                    None
                }
                Some(r) = restarts.recv() => Some(r),
            },
        };
        if let Some(Restart { down, ack }) = restart {
            let was_up = listener.take().is_some();
            state.epoch.send_modify(|e| *e += 1);
            up_at = up_at.max(Instant::now() + down);
            log!(
                "ws: restart: {} port {addr}, every connection dropped, down for {} ms",
                if was_up { "closed" } else { "kept closed" },
                down.as_millis()
            );
            let _ = ack.send(());
        }
    }
}

/// The client id a `/ws` path names: `Some(Ok(id))`, `Some(Err(..))` for a
/// `/ws/...` path with a bad id, `None` for other paths.
fn client_id(path: &str) -> Option<Result<&str, ()>> {
    let rest = path.strip_prefix("/ws")?;
    let id = match rest {
        "" | "/" => "default",
        _ => rest.strip_prefix('/')?.trim_end_matches('/'),
    };
    Some(if valid_client_id(id) { Ok(id) } else { Err(()) })
}

/// Serves one TCP connection on the WebSocket port.
async fn connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    state: Arc<State>,
    mut epoch: watch::Receiver<u64>,
) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    let req = tokio::select! {
        r = http::read_request(&mut stream, &mut buf) => r,
        _ = epoch.changed() => return,
    };
    let req = match req {
        Ok(req) => req,
        Err(ReadError::Closed | ReadError::Io(_)) => return,
        Err(ReadError::Bad(status, msg)) => {
            log!("ws: {status} for a bad request from {peer}: {msg}");
            return refuse(stream, Response::text(status, msg)).await;
        }
    };
    if req.path == "/health" {
        return refuse(stream, Response::text(200, "ok")).await;
    }
    let id = match client_id(&req.path) {
        Some(Ok(id)) => id.to_string(),
        Some(Err(())) => {
            log!(
                "ws: 400 for {} {} from {peer}: bad client id",
                req.method,
                req.path
            );
            let msg = "client id must be letters, digits, '_' or '-': /ws/<client-id>";
            return refuse(stream, Response::text(400, msg)).await;
        }
        None => {
            log!("ws: 404 for {} {} from {peer}", req.method, req.path);
            let msg = "not found: WebSockets are at /ws/<client-id>, health at /health";
            return refuse(stream, Response::text(404, msg)).await;
        }
    };
    if !handshake::is_upgrade(&req) {
        log!(
            "ws: 426 for plain HTTP {} {} from {peer} user-agent={:?} origin={:?} (no WebSocket upgrade)",
            req.method,
            req.path,
            req.header("user-agent").unwrap_or("-"),
            req.header("origin").unwrap_or("-"),
        );
        let resp = Response::text(
            426,
            "this is a WebSocket endpoint: connect with a WebSocket client",
        )
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13");
        return refuse(stream, resp).await;
    }
    let key = match handshake::check(&req) {
        Ok(key) => key.to_string(),
        Err(resp) => {
            log!(
                "ws: client {id}: {} for a bad upgrade request from {peer}",
                resp.status
            );
            return refuse(stream, resp).await;
        }
    };
    let script = match state.registry.take_next(&id) {
        Some(s) => s,
        None => match Script::from_params(&req.query) {
            Ok(s) => s,
            Err(e) => {
                log!("ws: client {id}: 400 bad script from {peer}: {e}");
                return refuse(stream, Response::text(400, &format!("bad script: {e}"))).await;
            }
        },
    };
    if let Some(status) = script.reject {
        log!("ws: client {id}: upgrade rejected with {status} by script");
        let msg = format!("fault-server: upgrade rejected with {status} by script");
        return refuse(stream, Response::text(status, &msg)).await;
    }
    if script.hang {
        log!("ws: client {id}: handshake left hanging by script ({peer})");
        let started = Instant::now();
        let client = state.registry.hang_started(&id);
        tokio::select! {
            _ = read_until_closed(&mut stream) => {}
            _ = epoch.changed() => {}
        }
        client.hang_ended();
        log!(
            "ws: client {id}: hanging handshake ended after {} ms",
            started.elapsed().as_millis()
        );
        return;
    }
    upgrade(stream, buf, peer, &state, &id, &req, &key, &script, epoch).await;
}

/// Answers 101 and runs the connection until it ends.
#[allow(clippy::too_many_arguments)]
async fn upgrade(
    mut stream: TcpStream,
    read_ahead: Vec<u8>,
    peer: SocketAddr,
    state: &State,
    id: &str,
    req: &Request,
    key: &str,
    script: &Script,
    epoch: watch::Receiver<u64>,
) {
    let offered = req.header("sec-websocket-protocol");
    let protocol = handshake::select_protocol(offered, script.protocol.as_deref());
    let head = handshake::switching_protocols(key, protocol.as_deref());
    // Registered before the 101 goes out: a test that calls the control
    // port as soon as its `open` fires finds the connection (what it sends
    // waits in the queue until the connection runs). A 101 that cannot be
    // written (the client left mid-handshake) still used a connection
    // number: `connections` counts it, `open` does not.
    if !script.read_delay.is_zero() {
        // The OS would take megabytes for a slow reader (receive buffer
        // autotuning): a small fixed buffer keeps the backlog in the
        // client's send buffer, where the client can see it.
        let _ = SockRef::from(&stream).set_recv_buffer_size(SLOW_READER_BUFFER);
    }
    let (handle, queue) = conn::handle(script.silent);
    let (client, key, number) = state.registry.attach(id, handle.clone());
    if stream.write_all(&head).await.is_err() {
        client.detach(key);
        return;
    }
    let ws = WebSocketStream::from_partially_read(stream, read_ahead, Role::Server, None).await;
    let proto_note = match (&protocol, offered) {
        (Some(p), _) => format!("; subprotocol {p:?} selected"),
        (None, Some(o)) => format!("; client offered subprotocols {o:?}, none selected"),
        (None, None) => String::new(),
    };
    log!("ws: client {id} conn {number} open from {peer} script: {script}{proto_note}");
    let started = Instant::now();
    let end = conn::run(ws, script, &client, number, &handle, queue, epoch).await;
    client.detach(key);
    log!(
        "ws: client {id} conn {number} {end} after {} ms",
        started.elapsed().as_millis()
    );
}

/// Writes a final HTTP response and closes the connection. The response
/// allows any origin, so a page can `fetch` `/health` to see the port is up.
async fn refuse(mut stream: TcpStream, resp: Response) {
    let resp = resp.header("Access-Control-Allow-Origin", "*");
    if resp.write_to(&mut stream, false).await.is_ok() {
        let _ = stream.shutdown().await;
    }
}

/// Reads and discards until the peer closes or the socket fails.
async fn read_until_closed(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}
