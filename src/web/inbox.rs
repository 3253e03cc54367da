//! The inbox: the message fast path. Entering WASM costs more per message
//! than a small message takes to arrive, so while the connection is open
//! ([`Engine::delivers_directly`]) the browser socket's `message` handler
//! stays in JS for every message the engine's sieve lets through (one that
//! cannot be the pong or the reply it awaits, see `core::sieve`): it counts
//! the message, keeps the newest ones for the inspector, and calls the
//! app's `message` listeners itself. The driver takes what it counted
//! ([`Inbox::take`]) before anything else reaches the engine, so the engine
//! sees every message, in order, before its next input.
//!
//! The other messages (and all of them while a `once` message listener is
//! registered, whose removal is the listener list's to do) go to the
//! driver's slow path, as one closure call.
//!
//! App work the listeners set off (a `close()` in a `message` listener) is
//! run after the message's last listener, as when the driver delivers it:
//! the driver defers it ([`Inbox::defer`]) and the handler calls the slow
//! path with no event once its listeners are done. It does the same when
//! the payloads it holds for the inspector pass the inspector's `maxBytes`,
//! so the driver takes them (and the inspector's caps apply) even when
//! nothing else enters it; a payload over `maxBytes` on its own is not held
//! at all (the inspector keeps only its metadata).
//!
//! Sends have the mirror path: while the engine sends directly
//! ([`Engine::sends_directly`]) and the app holds the socket, the package's
//! `send()` (`src/js/send_fast_path.js`) hands text within `maxMessageBytes` to the
//! open browser socket here, counts it and keeps it in the same ring, so
//! the inspector records both ways in the order they passed. Everything
//! else goes to the module's `send`.
//!
//! [`Engine::delivers_directly`]: crate::core::Engine::delivers_directly
//! [`Engine::sends_directly`]: crate::core::Engine::sends_directly

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::core::{DirectTraffic, Direction};

#[wasm_bindgen(inline_js = r#"
export function inbox() {
  const clock = typeof performance === "object" && performance ? performance : Date;
  // A received message's time is its event's timeStamp, read only when the
  // driver takes the newest few: reading the clock for every message cost
  // more than the rest of the fast path. That needs timeStamp on the
  // clock's own scale (a DOMHighResTimeStamp), which some runtimes do not
  // give (0 in some workers, epoch milliseconds in old engines): the first
  // message checks it against one clock reading; if it is off, every kept
  // message reads the clock instead.
  let stamped;
  const onClock = (event) => {
    if (clock === Date) return false;
    const at = event.timeStamp, now = clock.now();
    return at > 0 && at <= now && now - at < 1000;
  };
  const report = (error) => {
    try { reportError(error); } catch { console.error("resilient-ws: a listener threw", error); }
  };
  let slow, fast = false, once = false, ids = [], fns = [], keep = 0, maxBytes = 0, held = 0;
  let pongOn = false, pongNeedle = "", pongMax = 0, replyOn = false, replyKey = "";
  // The open browser socket while sends may take the fast path, else null.
  let out = null, maxSend = 0;
  // How many handler calls are calling listeners (more than one only if a
  // listener spins a nested event loop): deferral holds until all are done.
  let delivering = 0, deferred = false;
  let received = 0, receivedBytes = 0, sent = 0, sentBytes = 0, next = 0;
  // The ring of the newest messages both ways, in the order they passed:
  // the message event (its time: NaN, read from the event), or a payload
  // or kind ("" or null) with its time; its size; whether it was sent.
  const kept = [], times = [], sizes = [], outbound = [];
  const keepEntry = (entry, at, size, small, isSent) => {
    // The entry overwritten leaves the ring: its payload is no longer held.
    if (kept[next] !== undefined && sizes[next] <= maxBytes) held -= sizes[next];
    kept[next] = entry;
    times[next] = at;
    sizes[next] = size;
    outbound[next] = isSent;
    next = next + 1 === keep ? 0 : next + 1;
    if (small) held += size;
  };
  // core::sieve's MessageSieve::must_see.
  const mustSee = (text) => {
    const escaped = text.includes("\\");
    return (pongOn && text.length <= pongMax && (escaped || text.includes(pongNeedle)))
      || (replyOn && (escaped || text.includes(replyKey)));
  };
  return {
    handler(event) {
      if (!fast || once) return slow?.(event);
      const value = event.data;
      if ((pongOn || replyOn) && typeof value === "string" && mustSee(value)) return slow?.(event);
      const size = typeof value === "string" ? value.length : value.byteLength ?? value.size;
      received++;
      receivedBytes += size;
      if (keep > 0) {
        // Too large for the inspector: its kind only ("" or null).
        const small = size <= maxBytes;
        stamped ??= onClock(event);
        if (small && stamped) keepEntry(event, NaN, size, true, false);
        else keepEntry(small ? value : typeof value === "string" ? "" : null, clock.now(), size, small, false);
      }
      // The lists as the event began: a listener may change them.
      const calling = fns, order = ids;
      delivering++;
      for (let i = 0; i < calling.length; i++) {
        let f = calling[i];
        if (i > 0) {
          const now = ids.indexOf(order[i]);
          if (now < 0) continue;
          f = fns[now];
        }
        try { f(event); } catch (error) { report(error); }
      }
      if (--delivering > 0) return;
      if (deferred || held > maxBytes) {
        deferred = false;
        slow?.();
      }
    },
    // The package's send(): text the engine would send at once goes to the
    // open socket here (true); anything else is the driver's (false).
    send(data) {
      if (out === null || typeof data !== "string" || data.length > maxSend || out.readyState !== 1) {
        return false;
      }
      out.send(data);
      const size = data.length;
      sent++;
      sentBytes += size;
      if (keep > 0) {
        const small = size <= maxBytes;
        keepEntry(small ? data : "", clock.now(), size, small, true);
        // Inside a listener the handler takes it after the last one.
        if (held > maxBytes && delivering === 0) slow?.();
      }
      return true;
    },
    attach(driver, newest, maxHeldBytes, pong, pongLength, reply, maxSendLength) {
      slow = driver; keep = newest; maxBytes = maxHeldBytes; fast = false; out = null;
      pongNeedle = pong; pongMax = pongLength; replyKey = reply; maxSend = maxSendLength;
    },
    setMode(on, pong, reply, socket) { fast = on; pongOn = pong; replyOn = reply; out = socket; },
    defer() { return delivering > 0 && (deferred = true); },
    mirror(listenerIds, listeners, anyOnce) { ids = listenerIds; fns = listeners; once = anyOnce; },
    take() {
      if (received === 0 && sent === 0) return null;
      const newest = Math.min(received + sent, keep);
      const taken = [received, receivedBytes, sent, sentBytes];
      // A timeStamp that is off the clock all the same reads as now.
      const now = newest > 0 ? clock.now() : 0;
      for (let k = 0, i = (next - newest + keep) % keep; k < newest; k++, i = (i + 1) % keep) {
        const entry = kept[i], at = times[i];
        if (Number.isNaN(at)) {
          const stamp = entry.timeStamp;
          taken.push(entry.data, stamp > 0 && stamp <= now ? stamp : now, sizes[i], false);
        } else taken.push(entry, at, sizes[i], outbound[i]);
        kept[i] = undefined;
      }
      received = receivedBytes = sent = sentBytes = next = held = 0;
      return taken;
    },
  };
}
"#)]
extern "C" {
    /// The JS half of the inbox.
    #[derive(Clone)]
    pub type Inbox;

    #[wasm_bindgen(js_name = inbox)]
    fn new_inbox() -> Inbox;

    /// The function to set as a browser socket's `onmessage`.
    #[wasm_bindgen(method, getter)]
    pub fn handler(this: &Inbox) -> Function;

    /// Connects the driver: `slow` gets the messages that cannot take the
    /// fast path (and no argument to take what the inbox holds and run
    /// deferred app work); the fast path keeps the newest `keep` messages
    /// (both ways) for the inspector, their payloads only up to
    /// `max_bytes`, sieves with the pong needle and length and the reply
    /// key of the engine's [`MessageSieve`], and sends text of at most
    /// `max_send_length` UTF-16 units. Fast paths off.
    ///
    /// [`MessageSieve`]: crate::core::MessageSieve
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(method)]
    pub fn attach(
        this: &Inbox,
        slow: &JsValue,
        keep: usize,
        max_bytes: usize,
        pong_needle: &str,
        pong_max_len: usize,
        reply_key: &str,
        max_send_length: f64,
    );

    /// Sets whether messages may take the fast path, which of the sieve's
    /// checks apply (a pong awaited, a reply awaited), and the socket sends
    /// may take the fast path to (null: none may).
    #[wasm_bindgen(method, js_name = setMode)]
    pub fn set_mode(this: &Inbox, fast: bool, pong: bool, reply: bool, sending_to: &JsValue);

    /// While the fast path is calling a message's listeners: asks it to
    /// call the slow path (with no event) after the last of them, and
    /// returns true. Otherwise returns false.
    #[wasm_bindgen(method)]
    pub fn defer(this: &Inbox) -> bool;

    #[wasm_bindgen(method)]
    fn mirror(this: &Inbox, ids: &Array, functions: &Array, once: bool);

    #[wasm_bindgen(method, js_name = take)]
    fn take_all(this: &Inbox) -> Option<Array>;
}

/// Messages the fast paths passed since the last [`Inbox::take`].
pub struct Taken {
    /// How many each way, and their total size.
    pub traffic: DirectTraffic,
    /// `[received, bytes, sent, bytes, data, time, size, sent?, ...]`: the
    /// newest messages both ways (at most the inspector's `max_entries`),
    /// oldest first.
    all: Array,
}

/// Fields before the first kept message in [`Taken::all`].
const COUNTERS: u32 = 4;
/// Fields per kept message in [`Taken::all`].
const FIELDS: u32 = 4;

impl Taken {
    /// The newest messages, oldest first: `(direction, data, time, size)`,
    /// the time on the engine clock (a received message's event
    /// `timeStamp` where that is on the clock, else the clock read when it
    /// passed).
    pub fn newest(&self) -> impl ExactSizeIterator<Item = (Direction, JsValue, f64, usize)> + '_ {
        let number = |at| self.all.get(at).as_f64().unwrap_or(0.0);
        let messages = self.all.length().saturating_sub(COUNTERS) / FIELDS;
        (0..messages).map(move |k| {
            let at = COUNTERS + FIELDS * k;
            let direction = if self.all.get(at + 3).is_truthy() {
                Direction::Out
            } else {
                Direction::In
            };
            (
                direction,
                self.all.get(at),
                number(at + 1),
                number(at + 2) as usize,
            )
        })
    }
}

impl Default for Inbox {
    fn default() -> Inbox {
        new_inbox()
    }
}

impl Inbox {
    /// Disconnects the driver (it is being freed): nothing reaches it again.
    pub fn detach(&self) {
        self.attach(&JsValue::UNDEFINED, 0, 0, "", 0, "", 0.0);
    }

    /// Mirrors the app's `message` listeners: `(id, function, once)` in
    /// calling order. With a `once` listener among them, messages take the
    /// slow path (the listener list removes it before its call).
    pub fn mirror_listeners<'a>(&self, entries: impl Iterator<Item = (u64, &'a Function, bool)>) {
        let (ids, functions) = (Array::new(), Array::new());
        let mut once = false;
        for (id, function, is_once) in entries {
            once |= is_once;
            ids.push(&JsValue::from_f64(id as f64));
            functions.push(function);
        }
        self.mirror(&ids, &functions, once);
    }

    /// What the fast paths passed since the last call, if anything.
    pub fn take(&self) -> Option<Taken> {
        let all = self.take_all()?;
        let counter = |at| all.get(at).as_f64().unwrap_or(0.0) as u64;
        Some(Taken {
            traffic: DirectTraffic {
                messages_in: counter(0),
                bytes_in: counter(1),
                messages_out: counter(2),
                bytes_out: counter(3),
            },
            all,
        })
    }
}
