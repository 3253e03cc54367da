//! The driver's one timer: `setTimeout` with a kept callback, re-armed from
//! the engine's next deadline. Arming it again replaces (cancels) the old one.

use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::core::Millis;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Longest delay `setTimeout` honours (larger ones fire at once).
const MAX_DELAY_MS: u64 = i32::MAX as u64;

/// One `setTimeout` at a time; cancelled when re-armed, cancelled or dropped.
pub struct Timer {
    armed: Option<(Millis, JsValue)>,
    // Dropped after `Drop::drop` has cleared the pending timeout.
    callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// A disarmed timer that calls `on_fire` each time it fires.
    pub fn new(on_fire: impl FnMut() + 'static) -> Timer {
        Timer {
            armed: None,
            callback: Closure::new(on_fire),
        }
    }

    /// The deadline it is armed for.
    pub fn deadline(&self) -> Option<Millis> {
        self.armed.as_ref().map(|(deadline, _)| *deadline)
    }

    /// Arms it to fire at `deadline` (now if that is past), replacing any
    /// earlier arming.
    pub fn arm(&mut self, now: Millis, deadline: Millis) {
        self.cancel();
        let delay = deadline.since(now).min(MAX_DELAY_MS) as i32;
        let handler: &Function = self.callback.as_ref().unchecked_ref();
        if let Ok(id) = set_timeout(handler, delay) {
            self.armed = Some((deadline, id));
        }
    }

    /// Marks it as fired (nothing pending any more).
    pub fn fired(&mut self) {
        self.armed = None;
    }

    /// Cancels the pending timeout, if any.
    pub fn cancel(&mut self) {
        if let Some((_, id)) = self.armed.take() {
            clear_timeout(&id);
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}
