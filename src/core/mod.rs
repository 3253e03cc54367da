//! The sans-IO connection engine: pure Rust, no clock, no JS, no network.
//!
//! Every call that changes state takes `now`; the driver feeds events in with
//! `handle`, drains what to do with `poll_output`, and arms one timer for
//! `poll_timeout`.

mod close_code;
mod inspector;
pub mod json_scan;
mod payload;
mod redact;
mod time;

pub use close_code::*;
pub use inspector::*;
pub use payload::*;
pub use redact::*;
pub use time::*;
