//! The app side of a socket: its listeners, and the Promises of pending
//! requests. Receives what the driver hands out and converts it for JS.

use crate::prelude::*;

use core::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::events::{event_object, event_type};
use crate::core::text::{concat, decimal};
use crate::core::{Event, Payload, RequestFailure};
use crate::web::{self, EventType, JsPayload, Listeners, call_with, json_parse};

/// A request's Promise, waiting for its reply.
struct Pending {
    handle: u64,
    resolve: Function,
    reject: Function,
    timeout_ms: u64,
}

/// Listeners and pending request Promises of one socket.
#[derive(Default)]
pub struct App {
    /// The app's listeners.
    pub listeners: Listeners,
    pending: RefCell<Vec<Pending>>,
}

impl App {
    /// Remembers the Promise of request `handle`.
    pub fn add_pending(&self, handle: u64, resolve: Function, reject: Function, timeout_ms: u64) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            pending.push(Pending {
                handle,
                resolve,
                reject,
                timeout_ms,
            });
        }
    }

    fn take_pending(&self, handle: u64) -> Option<Pending> {
        let mut pending = self.pending.try_borrow_mut().ok()?;
        let index = pending.iter().position(|p| p.handle == handle)?;
        Some(pending.swap_remove(index))
    }
}

impl web::App for App {
    fn deliver(&self, message: &JsValue) {
        self.listeners.emit(EventType::Message, message);
    }

    fn event(&self, event: Event<JsPayload>) {
        match event {
            Event::Reply {
                request, payload, ..
            } => {
                if let Some(pending) = self.take_pending(request) {
                    let value = if payload.is_text() {
                        json_parse(payload.value()).unwrap_or_else(|| payload.into_value())
                    } else {
                        payload.into_value()
                    };
                    let _ = call_with(&pending.resolve, &value);
                }
            }
            Event::RequestFailed { request, reason } => {
                if let Some(pending) = self.take_pending(request) {
                    let error = request_error(reason, pending.timeout_ms);
                    let _ = call_with(&pending.reject, &error);
                }
            }
            event => {
                if let Some(kind) = event_type(&event)
                    && self.listeners.has(kind)
                {
                    self.listeners.emit(kind, &event_object(kind, &event));
                }
            }
        }
    }

    fn disposed(&self) {
        self.listeners.close();
    }
}

/// The `Error` a request Promise is rejected with; `error.reason` says why
/// in one word.
pub fn request_error(reason: RequestFailure, timeout_ms: u64) -> JsValue {
    let (word, message) = match reason {
        RequestFailure::Timeout => (
            "timeout",
            concat(&[
                "request timed out: no reply within ",
                &decimal(timeout_ms),
                " ms",
            ]),
        ),
        RequestFailure::ConnectionLost => (
            "connectionLost",
            String::from(
                "request failed: the connection was lost before the reply (requests.onReconnect is \"fail\")",
            ),
        ),
        RequestFailure::Closed => (
            "closed",
            String::from(
                "request failed: the socket is closed for good, so no reply will come; call connect(), then send the request again",
            ),
        ),
        RequestFailure::Disposed => (
            "disposed",
            String::from("request failed: the socket was disposed"),
        ),
        RequestFailure::QueueOverflow => (
            "queueOverflow",
            String::from(
                "request failed: its message was dropped from the full send queue before it went out (queue.overflow is \"dropOldest\")",
            ),
        ),
    };
    let error: JsValue = js_sys::Error::new(&message).into();
    let _ = js_sys::Reflect::set(
        &error,
        &JsValue::from_str("reason"),
        &JsValue::from_str(word),
    );
    error
}

/// An `Error` with `message`, as thrown by the facade.
pub fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}
