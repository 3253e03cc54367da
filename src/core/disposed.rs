//! What an engine keeps once its socket is disposed: what the app can still
//! read (`state`, `url`, `lastClose`, `stats()`, the inspector), without the
//! queue, timers, policies and options. After `dispose()` the socket takes
//! its own copy, as JS values (`src/js/disposed.rs`,
//! `src/web/kept_inspector.rs`), and the driver keeps only the records,
//! also as JS values, for the inspector views taken before. A socket
//! dropped without `dispose()` never takes a copy: its views keep this,
//! records included. A disposed socket may wait long for the garbage
//! collector, so it keeps nothing of this in wasm (bench/ANALYSIS.md,
//! memory).

use super::{CloseReport, ConnectionState, Inspector, Millis, Redactor, Stats};
use crate::prelude::*;

/// The readable remains of a disposed engine ([`super::Engine::into_disposed`]).
pub struct DisposedEngine<P> {
    pub(super) url: String,
    pub(super) stats: Stats,
    pub(super) last_close: Option<CloseReport>,
    pub(super) inspector: Inspector<P>,
    pub(super) redactor: Redactor,
}

/// What the app can read of an engine, live or disposed.
pub trait EngineReadout<P> {
    /// The current state (`closed` once disposed).
    fn state(&self) -> ConnectionState;
    /// The URL of the last attempt (or the configured one), redacted.
    fn url_for_display(&self) -> String;
    /// The last close, if any.
    fn last_close(&self) -> Option<&CloseReport>;
    /// Counters at `now`.
    fn stats(&self, now: Millis) -> Stats;
    /// The inspector.
    fn inspector(&self) -> &Inspector<P>;
    /// The inspector, to clear it.
    fn inspector_mut(&mut self) -> &mut Inspector<P>;
    /// The redactor its entries are shown through.
    fn redactor(&self) -> &Redactor;
}

impl<P> EngineReadout<P> for DisposedEngine<P> {
    fn state(&self) -> ConnectionState {
        self.stats.state
    }

    fn url_for_display(&self) -> String {
        self.url.clone()
    }

    fn last_close(&self) -> Option<&CloseReport> {
        self.last_close.as_ref()
    }

    fn stats(&self, _now: Millis) -> Stats {
        // Closed: no uptime runs, nothing changes any more.
        self.stats.clone()
    }

    fn inspector(&self) -> &Inspector<P> {
        &self.inspector
    }

    fn inspector_mut(&mut self) -> &mut Inspector<P> {
        &mut self.inspector
    }

    fn redactor(&self) -> &Redactor {
        &self.redactor
    }
}
