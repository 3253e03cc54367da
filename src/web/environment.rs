//! Page and network signals: `online`/`offline` on the global object and
//! `visibilitychange` on the document (when there is one). The listeners are
//! removed when the [`Environment`] is dropped.

use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::{Document, EventTarget};

use super::bindings::{global, property};
#[cfg(not(feature = "standalone"))]
use super::live_count::LiveCount;

/// Receives the page signals.
pub trait EnvironmentEvents: Clone + 'static {
    /// The browser went online.
    fn online(&self);
    /// The browser went offline.
    fn offline(&self);
    /// The page became hidden (`true`) or visible (`false`).
    fn visibility(&self, hidden: bool);
}

/// One listener attached to a target, removed on drop.
struct Attached {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut()>,
}

impl Attached {
    fn new(target: &EventTarget, kind: &'static str, callback: Closure<dyn FnMut()>) -> Attached {
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        Attached {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for Attached {
    fn drop(&mut self) {
        let function: &Function = self.callback.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, function);
    }
}

/// The attached page listeners.
pub struct Environment {
    document: Option<Document>,
    _listeners: Vec<Attached>,
}

#[cfg(not(feature = "standalone"))]
static ATTACHED: LiveCount = LiveCount::new();

/// How many sockets have their page listeners attached.
#[cfg(not(feature = "standalone"))]
pub fn attached_environments() -> usize {
    ATTACHED.get()
}

#[cfg(not(feature = "standalone"))]
impl Drop for Environment {
    fn drop(&mut self) {
        ATTACHED.dropped();
    }
}

impl Environment {
    /// Attaches the listeners that this global object supports.
    pub fn attach(events: impl EnvironmentEvents) -> Environment {
        let mut listeners = Vec::new();
        let global = global();
        if has_method(&global, "addEventListener") {
            let target: &EventTarget = global.unchecked_ref();
            let on_online = events.clone();
            listeners.push(Attached::new(
                target,
                "online",
                Closure::new(move || on_online.online()),
            ));
            let on_offline = events.clone();
            listeners.push(Attached::new(
                target,
                "offline",
                Closure::new(move || on_offline.offline()),
            ));
        }
        let document = property(&global, "document")
            .filter(|document| has_method(document, "addEventListener"))
            .map(JsCast::unchecked_into::<Document>);
        if let Some(document) = &document {
            let watched = document.clone();
            listeners.push(Attached::new(
                document.unchecked_ref(),
                "visibilitychange",
                Closure::new(move || events.visibility(is_hidden(&watched))),
            ));
        }
        #[cfg(not(feature = "standalone"))]
        ATTACHED.created();
        Environment {
            document,
            _listeners: listeners,
        }
    }

    /// Whether the browser says it is offline now (`navigator.onLine` is
    /// `false`; anything else, or no `navigator`, counts as online).
    pub fn offline(&self) -> bool {
        property(&global(), "navigator")
            .and_then(|navigator| property(&navigator, "onLine"))
            .is_some_and(|on_line| on_line == JsValue::FALSE)
    }

    /// Whether the page is hidden now.
    pub fn hidden(&self) -> bool {
        self.document.as_ref().is_some_and(is_hidden)
    }
}

/// `document.hidden`: the same as `visibilityState === "hidden"`, read as a
/// bool (the enum binding carries a panic path for unknown values).
fn is_hidden(document: &Document) -> bool {
    document.hidden()
}

/// Whether `value` is an object with a function property `name`.
fn has_method(value: &JsValue, name: &str) -> bool {
    property(value, name).is_some_and(|method| method.is_function())
}
