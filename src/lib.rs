//! resilient-ws: a WebSocket client that stays connected, explains why it went
//! down, and restores what the app had.
//!
//! The crate has three layers:
//! - [`core`]: a pure, sans-IO connection engine (no clock, no JS, no network),
//!   tested natively with a simulated clock;
//! - `web` (wasm32 only): the browser driver that owns the `WebSocket`, its
//!   listeners and one timer, and feeds browser events into the core;
//! - `js` (wasm32 only): the `#[wasm_bindgen]` facade exported to JavaScript.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;
// The code uses only `core` and `alloc`; std is linked (for its allocator and
// panic handler) except in the standalone wasm build, see src/runtime.rs.
#[cfg(not(all(target_arch = "wasm32", feature = "standalone")))]
extern crate std;

mod prelude;

#[cfg(all(target_arch = "wasm32", feature = "standalone"))]
mod runtime;

// Test harnesses link std, whose panic handler and allocator would clash
// with src/runtime.rs.
#[cfg(all(test, target_arch = "wasm32", feature = "standalone"))]
compile_error!("feature `standalone` is for the npm package build only; test without it");

pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
mod js;

#[cfg(target_arch = "wasm32")]
pub use js::{ResilientSocket, SocketInspector, describe_close_code};

/// How many sockets' drivers are alive (created, not yet freed): the
/// browser tests' leak check. Not in the npm package build.
#[cfg(all(target_arch = "wasm32", not(feature = "standalone")))]
#[doc(hidden)]
pub use web::live_drivers;

/// How many sockets still hold their engine: created and neither disposed
/// nor freed (dispose keeps only what the app can read). The browser tests'
/// check. Not in the npm package build.
#[cfg(all(target_arch = "wasm32", not(feature = "standalone")))]
#[doc(hidden)]
pub use web::live_engines;

/// How many disposed engines' remains are alive in wasm (held by a
/// disposed driver that an inspector view keeps): the browser tests' check
/// that a disposed socket holds none of them, and that clearing the
/// inspector lets go of them. Not in the npm package build.
#[cfg(all(target_arch = "wasm32", not(feature = "standalone")))]
#[doc(hidden)]
pub use web::live_remains;

/// How many sockets have their page listeners (`online`, `offline`,
/// `visibilitychange`) attached: the browser tests' check that a socket let
/// go of them. Not in the npm package build.
#[cfg(all(target_arch = "wasm32", not(feature = "standalone")))]
#[doc(hidden)]
pub use web::attached_environments;
