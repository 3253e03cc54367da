//! The JavaScript facade (wasm32 only): the `#[wasm_bindgen]` exports. It
//! converts values between JS and Rust and calls the driver; nothing else.

mod app;
mod close_code;
mod disposed;
mod events;
mod inspector;
mod number;
mod object;
mod options;
mod socket;
mod types;

pub use close_code::describe_close_code;
pub use inspector::SocketInspector;
pub use socket::ResilientSocket;
