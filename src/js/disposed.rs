//! What a `ResilientSocket` keeps once disposed: what the app can still
//! read, held as JS values. A disposed socket's JS object may wait long for
//! the garbage collector, and while it waits, whatever it holds in wasm
//! memory cannot be reused; keeping the readout on the JS side lets the
//! driver and the app's listener table go at once, so dropped sockets
//! leave wasm memory flat (bench/ANALYSIS.md, memory). Recorded messages
//! are kept as JS values in the readout too (`web::KeptInspector`), until
//! `inspector.clear()`: a disposed socket holds the same few bytes of wasm
//! memory with or without them.

use crate::prelude::*;

use core::cell::Cell;

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::BinaryType;

use super::inspector::SocketInspector;
use super::object::Obj;
use crate::web::{DriverView, property};

/// The readable remains of a disposed socket.
pub struct DisposedSocket {
    /// `{ url, name, lastClose, stats }` as they were after `dispose()`,
    /// and `records`: the recorded messages if there were any (the app may
    /// still read them), or `null`.
    readout: JsValue,
    binary_type: Cell<BinaryType>,
}

impl DisposedSocket {
    /// Keeps what the app can read. `records` are what the disposed engine
    /// recorded (`web::Driver::kept_records`), or `None` when its inspector
    /// is empty.
    pub fn new(
        url: String,
        name: &str,
        last_close: JsValue,
        stats: JsValue,
        binary_type: BinaryType,
        records: Option<JsValue>,
    ) -> DisposedSocket {
        let readout = Obj::new()
            .set("url", url)
            .set("name", name)
            .set("lastClose", last_close)
            .set("stats", stats)
            .set("records", records.unwrap_or(JsValue::NULL))
            .build();
        DisposedSocket {
            readout,
            binary_type: Cell::new(binary_type),
        }
    }

    /// The URL of the last attempt, redacted.
    pub fn url(&self) -> String {
        self.text("url")
    }

    /// The `name` option.
    pub fn name(&self) -> String {
        self.text("name")
    }

    /// The last close, a new object on every call as for a live socket.
    pub fn last_close(&self) -> JsValue {
        copy(&property(&self.readout, "lastClose").unwrap_or(JsValue::NULL))
    }

    /// The counters at `dispose()`, a new object on every call.
    pub fn stats(&self) -> JsValue {
        copy(&property(&self.readout, "stats").unwrap_or(JsValue::NULL))
    }

    /// `binaryType`, still settable as on a live socket.
    pub fn binary_type(&self) -> BinaryType {
        self.binary_type.get()
    }

    /// Sets `binaryType` (no socket will use it).
    pub fn set_binary_type(&self, binary_type: BinaryType) {
        self.binary_type.set(binary_type);
    }

    /// The inspector: what was recorded (until the app clears it, which
    /// lets go of what the engine kept), or an empty one.
    pub fn inspector(&self) -> SocketInspector {
        let records = property(&self.readout, "records").unwrap_or(JsValue::NULL);
        SocketInspector::new(DriverView::of_kept_records(&records))
    }

    fn text(&self, key: &str) -> String {
        property(&self.readout, key)
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    }
}

/// A shallow copy of a plain object of primitives (`null` stays `null`).
fn copy(value: &JsValue) -> JsValue {
    match value.dyn_ref::<Object>() {
        Some(object) => Object::assign(&Object::new(), object).into(),
        None => JsValue::NULL,
    }
}
