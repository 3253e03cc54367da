//! The control port: an HTTP API to script next connections, act on open
//! ones, read what clients sent, restart the WebSocket port and collect
//! benchmark reports.
//!
//! Every response carries `Access-Control-Allow-Origin: *`; `OPTIONS` gets a
//! permissive preflight answer; actions accept GET as well as POST so a page
//! can use simple requests. Errors are `{"error": "..."}`.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::time::{sleep, timeout};

use crate::bad_frame::BadFrame;
use crate::http::{self, ReadError, Request, Response};
use crate::log::log;
use crate::record::valid_client_id;
use crate::script::{Flood, MAX_REASON, Script, parse_bool, parse_close_code, parse_ms};
use crate::server::State;
use crate::ws::Restart;

/// A keep-alive connection idle this long is closed.
const IDLE: Duration = Duration::from_secs(60);
/// `down_ms` of `/restart` when not given.
const DEFAULT_DOWN_MS: u64 = 1000;

/// Accepts control connections until the process ends.
pub async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(connection(stream, peer, state.clone()));
            }
            Err(e) => {
                log!("control: accept failed: {e}");
                sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Serves requests on one connection until it closes.
async fn connection(mut stream: TcpStream, peer: SocketAddr, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let req = match timeout(IDLE, http::read_request(&mut stream, &mut buf)).await {
            Err(_) | Ok(Err(ReadError::Closed)) => return,
            Ok(Err(ReadError::Io(e))) => {
                // A request cut off (a half-sent head, or a reset that is
                // not an idle keep-alive connection let go): the test whose
                // call failed needs to see this side of it.
                if !buf.is_empty() || e.kind() != std::io::ErrorKind::ConnectionReset {
                    log!("control: connection from {peer} failed while reading: {e}");
                }
                return;
            }
            Ok(Err(ReadError::Bad(status, msg))) => {
                log!("control: {status} for a bad request from {peer}: {msg}");
                let _ = cors(error(status, msg)).write_to(&mut stream, false).await;
                return;
            }
            Ok(Ok(req)) => req,
        };
        let keep_alive = req.keep_alive();
        let resp = cors(route(&req, &state).await);
        if let Err(e) = resp.write_to(&mut stream, keep_alive).await {
            log!(
                "control: answer to {} {} for {peer} not sent: {e}",
                req.method,
                req.path
            );
            return;
        }
        if !keep_alive {
            return;
        }
    }
}

/// Adds the CORS and caching headers every response carries.
fn cors(resp: Response) -> Response {
    resp.header("Access-Control-Allow-Origin", "*")
        .header("Cache-Control", "no-store")
}

fn error(status: u16, msg: &str) -> Response {
    Response::json(status, &json!({ "error": msg }))
}

fn ok(value: Value) -> Response {
    Response::json(200, &value)
}

/// Whether `method` may run an action (GET for simple browser requests).
fn is_action(method: &str) -> bool {
    method == "GET" || method == "POST"
}

async fn route(req: &Request, state: &State) -> Response {
    if req.method == "OPTIONS" {
        return preflight(req);
    }
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let method = req.method.as_str();
    match segments.as_slice() {
        ["health"] => Response::text(200, "ok"),
        ["restart"] if is_action(method) => restart(req, state).await,
        ["report"] if method == "POST" => report(req, state),
        ["clients"] if method == "GET" => ok(state.registry.list()),
        ["clients", id, ..] if !valid_client_id(id) => {
            error(400, "client id must be one or more of [A-Za-z0-9_-]")
        }
        ["clients", id] if method == "DELETE" => reset(state, id),
        ["clients", id, action] if is_action(method) || method == "DELETE" => {
            client_action(req, state, id, action)
        }
        ["restart" | "report" | "clients"] | ["clients", _] | ["clients", _, _] => {
            error(405, &format!("{method} is not allowed on {}", req.path))
        }
        _ => error(404, &format!("no such endpoint: {}", req.path)),
    }
}

/// Answers a CORS preflight: everything allowed.
fn preflight(req: &Request) -> Response {
    let headers = req
        .header("access-control-request-headers")
        .unwrap_or("*")
        .to_string();
    Response::empty(204)
        .header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
        .header("Access-Control-Allow-Headers", &headers)
        .header("Access-Control-Allow-Private-Network", "true")
        .header("Access-Control-Max-Age", "86400")
}

/// `POST /restart?down_ms=N`: answers once the WebSocket port is closed.
async fn restart(req: &Request, state: &State) -> Response {
    let down_ms = match parse_ms("down_ms", req.param("down_ms")) {
        Ok(d) => d.map_or(DEFAULT_DOWN_MS, |d| d.as_millis() as u64),
        Err(e) => return error(400, &e),
    };
    let (ack, acked) = oneshot::channel();
    let restart = Restart {
        down: Duration::from_millis(down_ms),
        ack,
    };
    if state.restart.send(restart).await.is_err() || acked.await.is_err() {
        return error(500, "the WebSocket port is not running");
    }
    ok(json!({ "downMs": down_ms }))
}

/// `POST /report`: appends the JSON body as one line to the report file.
fn report(req: &Request, state: &State) -> Response {
    let value: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return error(400, &format!("the body must be JSON: {e}")),
    };
    let line = value.to_string();
    match &state.report_file {
        Some(path) => {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                log!("control: report not written to {}: {e}", path.display());
                return error(500, &format!("cannot write the report file: {e}"));
            }
            log!(
                "control: report of {} bytes appended to {}",
                line.len(),
                path.display()
            );
        }
        None => log!("control: report (no --report-file): {line}"),
    }
    Response::empty(204)
}

/// `DELETE /clients/<id>` or `POST /clients/<id>/reset`.
fn reset(state: &State, id: &str) -> Response {
    let existed = state.registry.reset(id);
    log!("control: client {id}: records reset");
    ok(json!({ "client": id, "reset": existed }))
}

/// `/clients/<id>/<action>`.
fn client_action(req: &Request, state: &State, id: &str, action: &str) -> Response {
    let reg = &state.registry;
    if req.method == "DELETE" && action != "reset" {
        return error(405, &format!("DELETE is not allowed on {}", req.path));
    }
    let result: Result<Value, String> = match action {
        "received" => return ok(reg.received(id)),
        "stats" => return ok(reg.stats(id)),
        "reset" => return reset(state, id),
        "next" => Script::from_params(&req.query).map(|script| {
            log!("control: client {id}: next connection scripted: {script}");
            let summary = script.to_string();
            reg.set_next(id, script);
            json!({ "client": id, "next": summary })
        }),
        "close" => close_params(req).map(|(code, reason)| {
            let handles = reg.handles(id);
            handles.iter().for_each(|h| h.close(code, &reason));
            log!(
                "control: client {id}: close {code} {reason:?} on {} connection(s)",
                handles.len()
            );
            json!({ "client": id, "connections": handles.len() })
        }),
        "drop" => {
            let handles = reg.handles(id);
            handles.iter().for_each(|h| h.drop_tcp());
            log!("control: client {id}: drop {} connection(s)", handles.len());
            Ok(json!({ "client": id, "connections": handles.len() }))
        }
        "silent" => parse_bool("on", req.param("on").unwrap_or("1")).map(|on| {
            let handles = reg.handles(id);
            handles.iter().for_each(|h| h.set_silent(on));
            log!(
                "control: client {id}: silent={} on {} connection(s)",
                u8::from(on),
                handles.len()
            );
            json!({ "client": id, "silent": on, "connections": handles.len() })
        }),
        "flood" => flood_params(req).map(|flood| {
            let handles = reg.handles(id);
            handles.iter().for_each(|h| h.flood(flood));
            log!(
                "control: client {id}: flood {} x {} B on {} connection(s)",
                flood.count,
                flood.size,
                handles.len()
            );
            json!({ "client": id, "connections": handles.len() })
        }),
        "send" => send_text(req).map(|text| {
            let handles = reg.handles(id);
            handles.iter().for_each(|h| h.send_text(&text));
            log!(
                "control: client {id}: sent {} bytes to {} connection(s)",
                text.len(),
                handles.len()
            );
            json!({ "client": id, "connections": handles.len() })
        }),
        "bad-frame" => BadFrame::parse(req.param("kind").unwrap_or("utf8")).map(|bad| {
            let handles = reg.handles(id);
            handles.iter().for_each(|h| h.send_bad_frame(bad));
            log!(
                "control: client {id}: sent {bad} to {} connection(s)",
                handles.len()
            );
            json!({ "client": id, "connections": handles.len() })
        }),
        _ => return error(404, &format!("no such client action: {action}")),
    };
    match result {
        Ok(v) => ok(v),
        Err(e) => error(400, &e),
    }
}

fn close_params(req: &Request) -> Result<(u16, String), String> {
    let code = parse_close_code("code", req.param("code").unwrap_or("1000"))?;
    let reason = req.param("reason").unwrap_or_default().to_string();
    if reason.len() > MAX_REASON {
        return Err(format!(
            "reason is {} bytes; a close reason holds at most {MAX_REASON}",
            reason.len()
        ));
    }
    Ok((code, reason))
}

fn flood_params(req: &Request) -> Result<Flood, String> {
    let count = req
        .param("count")
        .or_else(|| req.param("flood"))
        .ok_or("count is required: flood?count=N&size=S")?;
    Flood::parse(count, req.param("size")).map_err(|e| e.replacen("flood", "count", 1))
}

/// The text to send: the `text` parameter, else the request body.
fn send_text(req: &Request) -> Result<String, String> {
    match req.param("text") {
        Some(t) => Ok(t.to_string()),
        None if !req.body.is_empty() => String::from_utf8(req.body.clone())
            .map_err(|_| "the body must be UTF-8 text".to_string()),
        None => Err("text is required: send?text=... (or the text as the body)".into()),
    }
}
