//! The sans-IO connection engine: pure Rust, no clock, no JS, no network.
//!
//! Every call that changes state takes `now`; the driver feeds events in with
//! [`Engine::handle`], drains what to do with [`Engine::poll_output`], and arms
//! one timer for [`Engine::poll_timeout`].

mod backoff;
mod close_code;
mod config;
mod disposed;
mod engine;
mod error;
mod event;
mod flapping;
mod heartbeat;
mod inspector;
mod io;
pub mod json_scan;
mod payload;
mod queue;
mod redact;
mod replay;
mod requests;
mod rng;
mod sieve;
mod state;
mod stats;
mod subprotocol;
pub(crate) mod text;
mod time;
mod url;

pub use backoff::Backoff;
pub use close_code::*;
pub use config::*;
pub use disposed::{DisposedEngine, EngineReadout};
pub use engine::{Engine, SendStatus, UrlSource};
pub use error::*;
pub use event::*;
pub use flapping::{FlappingDetector, likely_causes};
pub use heartbeat::{Heartbeat, HeartbeatAction, SendBuffer};
pub use inspector::*;
pub use io::*;
pub use payload::*;
pub use queue::{OutboundQueue, QueuedMessage};
pub use redact::*;
pub use replay::{ReplaySet, ReplayStore};
pub use requests::{LatencyWindow, PendingRequest, RequestId, Requests};
pub use rng::SeededRng;
pub use sieve::{MessageSieve, PongSieve};
pub use state::ConnectionState;
pub use stats::Stats;
pub use subprotocol::check_subprotocols;
pub use time::*;
pub use url::check_url;
