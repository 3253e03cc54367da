//! The browser `WebSocket` with its handlers: `open`, `close` and `error`
//! kept as fields, `message` the driver's inbox (JS). Dropping a [`Socket`]
//! removes the handlers first, then drops the closures, so the browser never
//! calls a dropped closure; a socket still connecting or open is closed.

use crate::prelude::*;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, Event, WebSocket};

use super::bindings::{new_web_socket, property, send_value};

/// Subprotocols asked for in the handshake.
#[derive(Clone, Debug, Default)]
pub enum Protocols {
    /// None.
    #[default]
    None,
    /// One subprotocol.
    One(String),
    /// Several, in order of preference.
    Many(Array),
}

/// A close event copied into Rust at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketClosed {
    /// Close code.
    pub code: u16,
    /// Close reason.
    pub reason: String,
    /// Whether the closing handshake completed.
    pub was_clean: bool,
}

/// Receives the events of one socket.
pub trait SocketEvents: Clone + 'static {
    /// `open`.
    fn opened(&self);
    /// `close`.
    fn closed(&self, closed: SocketClosed);
    /// `error`.
    fn error(&self);
}

/// One browser socket and its handlers.
pub struct Socket {
    ws: WebSocket,
    // Kept alive while the socket points at them; dropped after `Drop::drop`
    // has removed them from the socket.
    _on_open: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Socket {
    /// Opens a socket to `url`, with `on_message` as its `message` handler.
    /// Fails (with the browser's exception message) on a URL or subprotocol
    /// the browser refuses.
    pub fn open(
        url: &str,
        protocols: &Protocols,
        binary_type: BinaryType,
        events: impl SocketEvents,
        on_message: &Function,
    ) -> Result<Socket, JsValue> {
        let ws = match protocols {
            Protocols::None => new_web_socket(url, None),
            Protocols::One(protocol) => new_web_socket(url, Some(&JsValue::from_str(protocol))),
            Protocols::Many(list) => new_web_socket(url, Some(list)),
        }?;
        ws.set_binary_type(binary_type);
        let on_open = {
            let events = events.clone();
            Closure::<dyn FnMut(Event)>::new(move |_| events.opened())
        };
        let on_close = {
            let events = events.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                events.closed(SocketClosed {
                    code: event.code(),
                    reason: event.reason(),
                    was_clean: event.was_clean(),
                })
            })
        };
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_| events.error());
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_close: on_close,
            _on_error: on_error,
        })
    }

    /// Sends a payload as it is. Only fails if the browser refuses (never
    /// while open).
    pub fn send(&self, data: &JsValue) -> Result<(), JsValue> {
        send_value(&self.ws, data)
    }

    /// Bytes sent but not yet passed to the network (`bufferedAmount`, 0 if
    /// unreadable): a heartbeat ping may wait behind them.
    pub fn send_buffered(&self) -> u64 {
        property(&self.ws, "bufferedAmount")
            .and_then(|amount| amount.as_f64())
            .map_or(0, |amount| amount as u64)
    }

    /// Starts the closing handshake with `code` and `reason`; the browser's
    /// plain `close()` if it refuses those.
    pub fn close(&self, code: u16, reason: &str) {
        if self.ws.close_with_code_and_reason(code, reason).is_err() {
            let _ = self.ws.close();
        }
    }

    /// Whether the browser socket is closing or closed (the server's close
    /// frame arrived) while its `close` event has not come yet: a send now
    /// would be dropped by the browser.
    pub fn is_closing(&self) -> bool {
        self.ws.ready_state() > WebSocket::OPEN
    }

    /// The browser socket, for its read-only properties.
    pub fn ws(&self) -> &WebSocket {
        &self.ws
    }

    /// Sets `binaryType` on the live socket.
    pub fn set_binary_type(&self, binary_type: BinaryType) {
        self.ws.set_binary_type(binary_type);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Handlers off first: the closures are dropped right after this.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }
}
