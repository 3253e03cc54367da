//! The app's listeners, per event type: `addEventListener` entries and the
//! `on<type>` handler properties, called in the order they were added (a
//! handler property keeps the place where it was first set, as in the DOM).
//! A listener that throws is reported and does not stop the others.

use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::bindings::{call_with, report_app_error};
use super::inbox::Inbox;

/// The events a socket emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// `open`.
    Open,
    /// `message`.
    Message,
    /// `close`.
    Close,
    /// `error`.
    Error,
    /// `statechange`.
    StateChange,
    /// `reconnecting`.
    Reconnecting,
    /// `heartbeat`.
    Heartbeat,
    /// `flapping`.
    Flapping,
    /// `replay`.
    Replay,
    /// `slow`.
    Slow,
    /// `queueoverflow`.
    QueueOverflow,
    /// `reauth`.
    Reauth,
}

impl EventType {
    /// Every event type, in the order of [`EventType::name`].
    pub const ALL: [EventType; 12] = [
        EventType::Open,
        EventType::Message,
        EventType::Close,
        EventType::Error,
        EventType::StateChange,
        EventType::Reconnecting,
        EventType::Heartbeat,
        EventType::Flapping,
        EventType::Replay,
        EventType::Slow,
        EventType::QueueOverflow,
        EventType::Reauth,
    ];

    /// The event's name in JS.
    pub fn name(self) -> &'static str {
        match self {
            EventType::Open => "open",
            EventType::Message => "message",
            EventType::Close => "close",
            EventType::Error => "error",
            EventType::StateChange => "statechange",
            EventType::Reconnecting => "reconnecting",
            EventType::Heartbeat => "heartbeat",
            EventType::Flapping => "flapping",
            EventType::Replay => "replay",
            EventType::Slow => "slow",
            EventType::QueueOverflow => "queueoverflow",
            EventType::Reauth => "reauth",
        }
    }

    /// The event type named `name`.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// One registered listener.
#[derive(Clone)]
struct Entry {
    /// Unique per registration: a listener removed and added again is a new
    /// entry, as in the DOM. 64 bits never wrap in practice (a wrapped id
    /// could stand for an older, still registered entry).
    id: u64,
    function: Function,
    /// Set through the `on<type>` property rather than `addEventListener`.
    handler: bool,
    /// Removed before its first call (`addEventListener` option `once`).
    once: bool,
}

/// Listener lists, each an immutable snapshot replaced on change, so a
/// dispatch holds no borrow while app code runs (a listener may add or
/// remove listeners). The `message` list is mirrored into the inbox, whose
/// fast path calls it the same way from JS.
#[derive(Default)]
pub struct Listeners {
    lists: RefCell<[Option<Rc<[Entry]>>; EventType::ALL.len()]>,
    next_id: Cell<u64>,
    /// Set by [`Listeners::close`]: nothing is kept any more.
    closed: Cell<bool>,
    inbox: Inbox,
}

impl Listeners {
    /// The inbox that calls the `message` listeners on the fast path.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    /// Adds `function` for `kind`, unless it is already there; with `once`,
    /// it is removed before its first call.
    pub fn add(&self, kind: EventType, function: Function, once: bool) {
        let id = self.new_id();
        self.update(kind, |entries| {
            if !entries.iter().any(|e| !e.handler && e.function == function) {
                entries.push(Entry {
                    id,
                    function,
                    handler: false,
                    once,
                });
            }
        });
    }

    /// Removes `function` from `kind`'s listeners.
    pub fn remove(&self, kind: EventType, function: &Function) {
        self.update(kind, |entries| {
            entries.retain(|e| e.handler || e.function != *function);
        });
    }

    /// Sets (or clears, with `None`) the `on<type>` handler of `kind`.
    pub fn set_handler(&self, kind: EventType, function: Option<Function>) {
        let id = self.new_id();
        self.update(kind, |entries| {
            let at = entries.iter().position(|e| e.handler);
            match (at, function) {
                (Some(at), Some(function)) => entries[at].function = function,
                (Some(at), None) => {
                    entries.remove(at);
                }
                (None, Some(function)) => entries.push(Entry {
                    id,
                    function,
                    handler: true,
                    once: false,
                }),
                (None, None) => {}
            }
        });
    }

    /// The `on<type>` handler of `kind`.
    pub fn handler(&self, kind: EventType) -> Option<Function> {
        self.snapshot(kind)?
            .iter()
            .find(|e| e.handler)
            .map(|e| e.function.clone())
    }

    /// Whether anyone listens to `kind` (to skip building unwanted events).
    pub fn has(&self, kind: EventType) -> bool {
        self.snapshot(kind).is_some()
    }

    /// Calls every listener of `kind` with `event`, in order. Exceptions are
    /// reported (`reportError`) and do not stop the others. As in the DOM, a
    /// listener removed by an earlier one (or by `dispose()`) is not called,
    /// even if added again; one added during the dispatch waits for the next
    /// event; a handler property set during it runs its new value.
    pub fn emit(&self, kind: EventType, event: &JsValue) {
        let Some(entries) = self.snapshot(kind) else {
            return;
        };
        for (index, entry) in entries.iter().enumerate() {
            let latest;
            // Nothing ran before the first listener: no need to look again.
            let function = if index == 0 {
                &entry.function
            } else {
                latest = self.snapshot(kind);
                match latest
                    .as_deref()
                    .and_then(|now| now.iter().find(|e| e.id == entry.id))
                {
                    Some(current) => &current.function,
                    None => continue,
                }
            };
            if entry.once {
                self.update(kind, |entries| entries.retain(|e| e.id != entry.id));
            }
            if let Err(error) = call_with(function, event) {
                report_app_error(&error);
            }
        }
    }

    fn new_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        id
    }

    /// Removes every listener and keeps none added later (dispose): no
    /// listener could run any more, so none is held in memory.
    pub fn close(&self) {
        self.closed.set(true);
        if let Ok(mut lists) = self.lists.try_borrow_mut() {
            *lists = Default::default();
        }
        self.inbox.mirror_listeners(core::iter::empty());
    }

    fn snapshot(&self, kind: EventType) -> Option<Rc<[Entry]>> {
        self.lists.try_borrow().ok()?[kind as usize].clone()
    }

    fn update(&self, kind: EventType, change: impl FnOnce(&mut Vec<Entry>)) {
        let mut entries = self.copy(kind);
        change(&mut entries);
        self.store(kind, entries);
    }

    /// A copy of `kind`'s list to change. Not inlined, nor is `store`: one
    /// copy of each serves every `update`.
    #[inline(never)]
    fn copy(&self, kind: EventType) -> Vec<Entry> {
        self.snapshot(kind)
            .map(|entries| entries.to_vec())
            .unwrap_or_default()
    }

    /// Replaces `kind`'s list.
    #[inline(never)]
    fn store(&self, kind: EventType, entries: Vec<Entry>) {
        if self.closed.get() {
            return;
        }
        if kind == EventType::Message {
            self.inbox
                .mirror_listeners(entries.iter().map(|e| (e.id, &e.function, e.once)));
        }
        if let Ok(mut lists) = self.lists.try_borrow_mut() {
            lists[kind as usize] = (!entries.is_empty()).then(|| Rc::from(entries));
        }
    }
}
