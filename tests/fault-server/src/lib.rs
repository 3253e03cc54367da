//! fault-server: a WebSocket server that tests, the demo and benchmarks
//! script per connection to inject faults (close codes, rejected or hanging
//! handshakes, dropped TCP, silence, floods, restarts), with an HTTP control
//! API to act on connected clients and read what they sent.
//!
//! See `README.md` beside this crate for the URL and API reference.

pub mod bad_frame;
pub mod conn;
pub mod control;
pub mod handshake;
pub mod http;
mod log;
pub mod record;
pub mod reply;
pub mod script;
pub mod server;
pub mod ws;

pub use server::{Config, Server, start};
