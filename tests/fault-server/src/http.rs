//! A small HTTP/1.1 reader and writer, shared by both ports.
//!
//! Enough for browsers, curl and the tests: a request head terminated by an
//! empty line, an optional `Content-Length` body, keep-alive. No chunked
//! request bodies (answered 411), no pipelining guarantees beyond reading
//! requests in order.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request head accepted (request line plus headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body accepted.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// One parsed HTTP request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method as sent, e.g. `GET`.
    pub method: String,
    /// The path part of the target, without the query (not percent-decoded).
    pub path: String,
    /// The query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// Header names and values as sent.
    pub headers: Vec<(String, String)>,
    /// The body (empty when there is none).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether header `name` holds `token` in its comma-separated list
    /// (case-insensitive), as `Connection: keep-alive, Upgrade` does.
    pub fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the connection stays open after the response.
    pub fn keep_alive(&self) -> bool {
        self.version == "HTTP/1.1" && !self.header_has_token("connection", "close")
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed the connection before sending a byte of a request.
    Closed,
    /// The request was not valid HTTP; answer with this status and message.
    Bad(u16, &'static str),
    /// The socket failed (or closed half-way through a request).
    Io(io::Error),
}

/// Reads one request from `stream`.
///
/// `buf` holds bytes read ahead of the previous request and, on return, bytes
/// read ahead of this one (the start of a next request, or WebSocket frames a
/// client sent right after its handshake).
pub async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Result<Request, ReadError> {
    let head_end = loop {
        if let Some(i) = find_head_end(buf) {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Bad(431, "request head too large"));
        }
        let n = read_more(stream, buf).await.map_err(ReadError::Io)?;
        if n == 0 {
            return Err(if buf.is_empty() {
                ReadError::Closed
            } else {
                ReadError::Io(io::ErrorKind::UnexpectedEof.into())
            });
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut req = parse_head(&head)?;

    if req.header("transfer-encoding").is_some() {
        return Err(ReadError::Bad(
            411,
            "chunked request bodies are not supported",
        ));
    }
    let len = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| ReadError::Bad(400, "bad Content-Length"))?,
    };
    if len > MAX_BODY {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    while buf.len() < len {
        if read_more(stream, buf).await.map_err(ReadError::Io)? == 0 {
            return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
    }
    req.body = buf.drain(..len).collect();
    Ok(req)
}

async fn read_more<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

fn parse_head(head: &str) -> Result<Request, ReadError> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() {
        return Err(ReadError::Bad(400, "malformed request line"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Bad(400, "malformed header line"));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, parse_query(q)),
        None => (target, Vec::new()),
    };
    Ok(Request {
        method: method.to_string(),
        path: path.to_string(),
        query,
        version: version.to_string(),
        headers,
        body: Vec::new(),
    })
}

/// Parses `a=1&b=x%20y` into decoded pairs (`+` is a space; a key without `=`
/// gets an empty value).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes and `+`; invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escaped = (b == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (b, escaped) {
            (_, Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The standard reason phrase of a status code (empty for unknown codes).
pub fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        418 => "I'm a teapot",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// An HTTP response to write.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers other than `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with no body and no headers.
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A `text/plain` response; a newline is appended to the body.
    pub fn text(status: u16, body: &str) -> Self {
        Response::empty(status)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(format!("{body}\n").into_bytes())
    }

    /// An `application/json` response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response::empty(status)
            .header("Content-Type", "application/json")
            .body(value.to_string().into_bytes())
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// Serializes status line, headers and body.
    pub fn to_bytes(&self, keep_alive: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if self.status != 204 && self.status >= 200 {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }

    /// Writes the response and flushes.
    pub async fn write_to<S: AsyncWrite + Unpin>(
        &self,
        stream: &mut S,
        keep_alive: bool,
    ) -> io::Result<()> {
        stream.write_all(&self.to_bytes(keep_alive)).await?;
        stream.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query() {
        let q = parse_query("a=1&reason=not%20found&b=x+y&flag&bad=%zz&e=%C3%A9");
        assert_eq!(
            q,
            vec![
                ("a".into(), "1".into()),
                ("reason".into(), "not found".into()),
                ("b".into(), "x y".into()),
                ("flag".into(), "".into()),
                ("bad".into(), "%zz".into()),
                ("e".into(), "é".into()),
            ]
        );
    }

    #[test]
    fn parses_head() {
        let req =
            parse_head("GET /ws/a?x=1 HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade")
                .unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/ws/a");
        assert_eq!(req.param("x"), Some("1"));
        assert_eq!(req.header("host"), Some("h"));
        assert!(req.header_has_token("connection", "upgrade"));
        assert!(req.keep_alive());
        assert!(parse_head("GET /\r\n").is_err());
    }
}
