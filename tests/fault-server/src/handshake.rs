//! The WebSocket opening handshake (RFC 6455 section 4.2), written by hand so
//! the server decides per connection whether to answer it, refuse it or leave
//! it hanging, and which subprotocol to select.

use crate::http::{Request, Response};

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Whether `req` asks for a WebSocket upgrade at all (`Upgrade: websocket`).
pub fn is_upgrade(req: &Request) -> bool {
    req.header_has_token("upgrade", "websocket")
}

/// Checks an upgrade request; returns its `Sec-WebSocket-Key`, or the error
/// response to send.
pub fn check(req: &Request) -> Result<&str, Response> {
    if req.method != "GET" {
        return Err(Response::text(405, "a WebSocket upgrade must use GET").header("Allow", "GET"));
    }
    if !req.header_has_token("connection", "upgrade") {
        return Err(Response::text(
            400,
            "Connection header must include Upgrade",
        ));
    }
    if req.header("sec-websocket-version").map(str::trim) != Some("13") {
        return Err(
            Response::text(426, "only WebSocket version 13 is supported")
                .header("Sec-WebSocket-Version", "13"),
        );
    }
    match req.header("sec-websocket-key").map(str::trim) {
        Some(key) if !key.is_empty() => Ok(key),
        _ => Err(Response::text(400, "missing Sec-WebSocket-Key")),
    }
}

/// The subprotocol to select: `wanted` if the client offered it; with no
/// `wanted`, the first one offered. `None` when nothing matches (a browser that
/// offered protocols then fails the connection: a protocol mismatch).
pub fn select_protocol(offered: Option<&str>, wanted: Option<&str>) -> Option<String> {
    let mut offered = offered
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty());
    match wanted {
        Some(w) => offered.find(|p| *p == w).map(str::to_string),
        None => offered.next().map(str::to_string),
    }
}

/// The `101 Switching Protocols` response head for `key`.
pub fn switching_protocols(key: &str, protocol: Option<&str>) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
        accept_key(key)
    );
    if let Some(p) = protocol {
        head.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
pub fn accept_key(key: &str) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    base64(&sha.digest().bytes())
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_key_matches_rfc_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn selects_protocol() {
        assert_eq!(
            select_protocol(Some("a, b"), Some("b")).as_deref(),
            Some("b")
        );
        assert_eq!(select_protocol(Some("a, b"), None).as_deref(), Some("a"));
        assert_eq!(select_protocol(Some("a"), Some("c")), None);
        assert_eq!(select_protocol(None, Some("c")), None);
        assert_eq!(select_protocol(None, None), None);
    }
}
