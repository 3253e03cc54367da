//! Running Rust code once in a microtask (`Promise.resolve().then(...)`).

use alloc::rc::Rc;
use core::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

/// The callback handed to `then`, kept alive by itself until it has run.
type Slot = Rc<RefCell<Option<Closure<dyn FnMut(JsValue)>>>>;

/// Runs `run` in a microtask, after the current JS call stack unwinds.
///
/// The callback owns itself (an `Rc` cycle through its slot) until it runs,
/// then frees itself; the browser always runs a queued microtask, so nothing
/// is left behind. Pass a weak link to anything that may be gone by then.
pub fn queue(run: impl FnOnce() + 'static) {
    let slot: Slot = Rc::new(RefCell::new(None));
    let own = Rc::clone(&slot);
    let callback = Closure::once(move |_: JsValue| {
        // Dropping the running closure is deferred until it returns.
        let _freed = own.borrow_mut().take();
        run();
    });
    let _ = Promise::resolve(&JsValue::UNDEFINED).then(&callback);
    *slot.borrow_mut() = Some(callback);
}
