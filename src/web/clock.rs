//! The clock the engine runs on (`performance.now()`), and the jitter seed.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Performance;

use super::bindings::{global, property};
use crate::core::Millis;

/// Monotonic milliseconds from `performance.now()`, with the `Performance`
/// object looked up once (works in a Window and in a Worker). Falls back to
/// `Date.now()` where there is no `performance`.
#[derive(Debug)]
pub struct Clock {
    performance: Option<Performance>,
}

impl Clock {
    /// Finds `performance` on the global object.
    pub fn new() -> Clock {
        let performance = property(&global(), "performance")
            .filter(JsValue::is_object)
            .map(JsCast::unchecked_into::<Performance>);
        Clock { performance }
    }

    /// What turns a reading into wall-clock time (ms since the epoch):
    /// `performance.timeOrigin`, or 0 where the clock is `Date.now()`. The
    /// same reading always gives the same time.
    pub fn epoch_origin_ms(&self) -> u64 {
        self.performance
            .as_ref()
            .map_or(0.0, |performance| performance.time_origin()) as u64
    }

    /// The time now.
    pub fn now(&self) -> Millis {
        let ms = match &self.performance {
            Some(performance) => performance.now(),
            None => js_sys::Date::now(),
        };
        Millis(ms as u64)
    }
}

/// 64 random bits for the backoff jitter, from `Math.random()`.
pub fn random_seed() -> u64 {
    let half = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (half() << 32) | half()
}
