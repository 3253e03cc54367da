//! Browser driver (wasm32 only): owns the `WebSocket`, its listeners, one
//! timer and the page listeners, feeds browser events into the core engine
//! and carries the engine's outputs out. No policy lives here.

mod bindings;
mod clock;
mod driver;
mod environment;
mod inbox;
mod kept_inspector;
mod listeners;
#[cfg(not(feature = "standalone"))]
mod live_count;
mod microtask;
mod payload;
mod socket;
mod timer;
mod url_provider;

pub use bindings::{
    array_items, call_with, error_message, has_own, is_array, js_number, js_string, json_parse,
    json_stringify, own_keys, property,
};
pub use driver::{App, Driver, DriverOptions, DriverView};
#[cfg(not(feature = "standalone"))]
pub use driver::{live_drivers, live_engines, live_remains};
#[cfg(not(feature = "standalone"))]
pub use environment::attached_environments;
pub use listeners::{EventType, Listeners};
pub use payload::JsPayload;
pub use socket::Protocols;
pub use url_provider::{is_parsable_url, url_text};
