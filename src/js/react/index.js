// useResilientSocket: the React hook shipped as "resilient-ws/react".
//
// Hand-written ESM, copied into the npm package by scripts/build-pkg.sh (next
// to the wasm-pack output, which is why the import below is relative). React
// is an optional peer dependency and is never bundled.
//
// Lifecycle rules, in order of importance:
// - A socket is created in an effect, never during render, and at most one
//   socket is alive per mounted hook.
// - StrictMode's simulated unmount/remount runs an effect's cleanup and then
//   its setup again in the same commit (as a Fast Refresh that re-runs
//   effects would). The cleanup only schedules `dispose()` (a microtask); a
//   setup with the same key that follows at once cancels it and keeps the
//   socket, so no second browser socket is opened. A real unmount (also a
//   Fast Refresh remount, after an edit of the component's hooks) disposes
//   it on that microtask.
// - The socket is recreated only when the url or the options' content changes:
//   the key is `url` plus the JSON of the options (keys sorted), each function
//   replaced by a marker. Function options (`urlProvider`) always call the
//   latest function passed. The replaced socket is disposed on a microtask,
//   after the commit's other effects, which may still hold it.
// - `<Activity mode="hidden">` runs the effects' cleanups and keeps the
//   state: the socket is let go as at unmount (the snapshot turns idle), and
//   showing it again attaches a new one. Sends in between wait until the end
//   of the task, or, while a layout effect says the component is shown (the
//   show's layout effects run before its passive ones, which a transition
//   may defer to a later task), until the hook's effect attaches a socket.

import {
  useCallback,
  useEffect,
  useInsertionEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { ResilientSocket } from "./index.js";

/** Minimum interval between re-renders caused by incoming messages. */
const MESSAGE_RENDER_INTERVAL_MS = 16;

/**
 * Most messages `send` keeps while there is no socket yet (before the hook's
 * effect ran, or while `url` is null) when the options set no
 * `queue.maxMessages`: the SDK's default.
 */
const MAX_PENDING_SENDS = 1000;

/**
 * What `send` applies to the data that waits for a socket: the options'
 * `queue.maxMessages` and `queue.overflow`, as the socket would. With
 * `maxMessages` 0 (queueing disabled) data still waits, for a socket coming
 * in the same commit, which refuses it (reported); absent or invalid values
 * (the socket's constructor names an invalid one) give the SDK's defaults.
 */
function pendingLimits(options) {
  let maxMessages = MAX_PENDING_SENDS;
  let dropOldest = false;
  try {
    const queue = options?.queue;
    if (Number.isSafeInteger(queue?.maxMessages) && queue.maxMessages >= 1) maxMessages = queue.maxMessages;
    dropOldest = queue?.overflow === "dropOldest";
  } catch {
    // A getter that throws: the socket's constructor refuses these options.
  }
  return { maxMessages, dropOldest };
}

/** What `ResilientSocket.send` refuses as neither text nor binary data. */
function isNotData(data) {
  return data == null || Array.isArray(data) || Object.prototype.toString.call(data) === "[object Object]";
}

const NOT_DATA =
  'send: data is a plain object (not binary data), an array, null or undefined, which a WebSocket would send as text such as "[object Object]"; pass a string (JSON.stringify(data)), an ArrayBuffer, a typed array or a Blob';

/**
 * Disposes a socket the hook replaced (url or options changed), reporting
 * the messages its queue drops.
 */
function disposeReplaced(socket) {
  const queued = socket.stats().queued;
  socket.dispose();
  if (queued > 0) {
    report(
      new Error(
        `useResilientSocket: url or options changed; the replaced socket's ${queued} queued message(s) were dropped`,
      ),
    );
  }
}

/** Reports an error without throwing, as the SDK reports a listener's. */
function report(error) {
  if (typeof reportError === "function") reportError(error);
  else console.error("resilient-ws/react:", error);
}

/** Socket events after which the hook refreshes its snapshot. */
const REFRESH_EVENTS = ["statechange", "close", "reconnecting", "heartbeat", "replay", "flapping"];

/**
 * The key that decides whether a socket must be recreated: the url plus the
 * options' content, with each function replaced by a marker (so adding or
 * removing one counts, but passing a new closure does not).
 */
function socketKey(url, options) {
  try {
    // No options and empty options make the same socket.
    return JSON.stringify([url, options == null ? {} : options], (_key, value) => {
      if (typeof value === "function") return "\u0000function";
      if (isPlainObject(value)) {
        // Key order is not content: { a, b } and { b, a } are the same options.
        const sorted = {};
        for (const key of Object.keys(value).sort()) sorted[key] = value[key];
        return sorted;
      }
      return value;
    });
  } catch {
    // Options that cannot be read (a revoked Proxy, a throwing getter) or
    // written as JSON (a BigInt, a cycle): keyed by identity, so that the
    // SDK refuses them by name from the effect, not this render.
    return `\u0000unreadable ${identityOf(options)} ${String(url)}`;
  }
}

/** A number per object, for the key of options socketKey cannot read. */
const identities = new WeakMap();
let lastIdentity = 0;

function identityOf(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return typeof value;
  let identity = identities.get(value);
  if (identity === undefined) {
    identity = ++lastIdentity;
    identities.set(value, identity);
  }
  return identity;
}

/** An object literal, or one made with Object.create(null) (the SDK reads both). */
function isPlainObject(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Reads the value at `path` in `root`, or undefined. */
function valueAt(root, path) {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = value[part];
  }
  return value;
}

/**
 * Copies `options`, replacing every function with a stable wrapper that calls
 * the function found at the same place in the latest options. Plain objects
 * and arrays are copied; other values are kept as they are.
 */
function bindLatest(value, getLatest, path = []) {
  try {
    return bindLatestOf(value, getLatest, path);
  } catch {
    // Unreadable (a revoked Proxy): passed as it is, for the SDK to refuse
    // by the option's name.
    return value;
  }
}

function bindLatestOf(value, getLatest, path) {
  if (typeof value === "function") {
    return function latestOption(...args) {
      const fn = valueAt(getLatest(), path);
      return typeof fn === "function" ? fn.apply(this, args) : value.apply(this, args);
    };
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => bindLatest(item, getLatest, [...path, i]));
  }
  if (isPlainObject(value)) {
    const copy = {};
    for (const key of Object.keys(value)) copy[key] = bindLatest(value[key], getLatest, [...path, key]);
    return copy;
  }
  return value;
}

const IDLE_SNAPSHOT = Object.freeze({ socket: null, state: "idle", lastMessage: null, stats: null });

/**
 * Per-hook store: owns at most one socket and the snapshot React reads.
 * Created once per hook instance (useState initializer, no side effects).
 */
class SocketStore {
  /** `readOptions`: the options of the latest commit. */
  constructor(readOptions) {
    this.readOptions = readOptions;
    this.snapshot = IDLE_SNAPSHOT;
    this.listeners = new Set();
    this.socket = null;
    this.key = null;
    this.detach = null;
    this.pendingDispose = false;
    // The socket was let go at unmount (or an <Activity> hid the component,
    // which may show it again: the next effect attaches a new socket).
    this.unmounted = false;
    // The socket's constructor threw in the effect: React removes the
    // component, and its cleanups may still send.
    this.failed = false;
    this.pendingSends = [];
    // Sends dropped from `pendingSends` by `queue.overflow: "dropOldest"`,
    // not yet reported.
    this.droppedOldest = 0;
    // A microtask will drop what was sent after the socket was let go.
    this.dropCheckScheduled = false;
    // Between the hook's layout effect and its cleanup: the component is
    // mounted and shown, even before its passive effect (re)attaches.
    this.shown = false;
    this.messageTimer = null;
    this.lastMessageRender = 0;
    this.latestMessage = null;
    // Whether `lastMessage` was ever read: only then do messages re-render.
    this.readsMessages = false;
    this.subscribe = this.subscribe.bind(this);
    this.getSnapshot = this.getSnapshot.bind(this);
    this.send = this.send.bind(this);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot() {
    return this.snapshot;
  }

  /** Rebuilds the snapshot from the live socket and tells React. */
  refresh() {
    const socket = this.socket;
    this.snapshot = socket
      ? { socket, state: socket.state, lastMessage: this.latestMessage, stats: socket.stats() }
      : IDLE_SNAPSHOT;
    for (const listener of this.listeners) listener();
  }

  /**
   * What the hook returns for `snapshot`. Reading `lastMessage` (in a
   * render, an effect, or by spreading the result) turns on message-driven
   * re-renders for this hook instance for good: a component that never
   * reads it is not re-rendered for every message.
   */
  result(snapshot, send) {
    const store = this;
    return {
      socket: snapshot.socket,
      state: snapshot.state,
      get lastMessage() {
        if (!store.readsMessages) {
          store.readsMessages = true;
          // Messages came while nobody read them: show the latest soon.
          if (store.latestMessage !== snapshot.lastMessage) {
            queueMicrotask(() => {
              if (store.socket) store.refresh();
            });
          }
        }
        return snapshot.lastMessage;
      },
      send,
      stats: snapshot.stats,
    };
  }

  /** Makes sure the live socket matches `key`; creates it if needed. */
  attach(key, url, makeOptions) {
    this.unmounted = false;
    this.failed = false;
    if (this.socket && this.key === key) {
      this.pendingDispose = false; // StrictMode's remount: keep it.
      this.flushPendingSends();
      return;
    }
    // Effects that run after this one in the same commit (the component's
    // later ones, a parent's) still hold the replaced socket from the render:
    // it is let go now, but disposed only once they have run, so they act on
    // a live socket and run again with the new one.
    const replaced = this.letGo();
    if (replaced) queueMicrotask(() => disposeReplaced(replaced));
    this.key = key;
    this.latestMessage = null;
    if (url === null || url === undefined) {
      this.refresh();
      return;
    }
    let socket;
    try {
      socket = new ResilientSocket(url, makeOptions());
    } catch (error) {
      // An effect that throws gets no cleanup, and React removes the
      // component: send() must not wait for a socket from now on. It does
      // not throw either: the cleanups React runs while removing it would
      // throw a second error, which the error boundary could show instead.
      this.failed = true;
      this.dropPendingSends("the socket could not be created");
      this.refresh();
      throw error;
    }
    this.socket = socket;
    const onChange = () => {
      if (this.socket === socket) this.refresh();
    };
    const onMessage = (event) => {
      if (this.socket === socket) this.messageArrived(event);
    };
    for (const type of REFRESH_EVENTS) socket.addEventListener(type, onChange);
    socket.addEventListener("message", onMessage);
    this.detach = () => {
      for (const type of REFRESH_EVENTS) socket.removeEventListener(type, onChange);
      socket.removeEventListener("message", onMessage);
    };
    // Nothing may throw from here on: an effect that throws gets no cleanup,
    // and the socket would live on after unmount.
    this.flushPendingSends();
    this.refresh();
  }

  /**
   * Hands the sends that waited to the socket, in order. What it refuses (a
   * full or disabled queue, a message too large) is reported, not thrown:
   * in one report, however many it refused.
   */
  flushPendingSends() {
    this.reportDroppedOldest();
    const waiting = this.pendingSends;
    this.pendingSends = [];
    const refused = [];
    for (const data of waiting) {
      try {
        this.socket.send(data);
      } catch (error) {
        refused.push(error);
      }
    }
    if (refused.length === 1) report(refused[0]);
    if (refused.length > 1) {
      const first = refused[0] instanceof Error ? refused[0].message : String(refused[0]);
      report(
        new AggregateError(
          refused,
          `useResilientSocket: the socket refused ${refused.length} messages that waited for it; the first: ${first}`,
        ),
      );
    }
  }

  /**
   * Effect cleanup: dispose on the next microtask unless re-attached (then
   * the component has unmounted, or an <Activity> hid it).
   */
  scheduleRelease() {
    this.pendingDispose = true;
    const socket = this.socket;
    queueMicrotask(() => {
      if (!this.pendingDispose || this.socket !== socket) return;
      // What the unmount's other cleanups sent (a "leave") is for this
      // socket: while it is open it still sends, before its close.
      if (socket?.state === "open") this.flushPendingSends();
      // What the socket still queues (it was not open, or the server's close
      // frame was already in) is never sent: say so, as for a url change.
      const queued = socket ? socket.stats().queued : 0;
      this.release();
      this.unmounted = true;
      this.dropPendingSends("there was no open socket when the component unmounted (or an <Activity> hid it)");
      if (queued > 0) {
        report(
          new Error(
            `useResilientSocket: the socket let go when the component unmounted (or an <Activity> hid it) dropped its ${queued} queued message(s)`,
          ),
        );
      }
      // Effects that run before the next attach (an <Activity> showing the
      // component again) must see no socket, not the disposed one.
      this.refresh();
    });
  }

  /** Reports what `queue.overflow: "dropOldest"` dropped while there was no socket, in one report. */
  reportDroppedOldest() {
    if (this.droppedOldest === 0) return;
    report(
      new Error(
        `useResilientSocket: ${this.droppedOldest} message(s) sent while there was no socket were dropped, oldest first (queue.overflow "dropOldest")`,
      ),
    );
    this.droppedOldest = 0;
  }

  /** Drops the sends that waited, reporting how many and `why`. */
  dropPendingSends(why) {
    this.reportDroppedOldest();
    const dropped = this.pendingSends.length;
    this.pendingSends = [];
    if (dropped > 0) {
      report(new Error(`useResilientSocket: ${dropped} message(s) were dropped: ${why}`));
    }
  }

  /** Disposes the socket now (listeners first, so nothing fires after). */
  release() {
    this.letGo()?.dispose();
  }

  /**
   * Lets go of the socket without disposing it: removes the hook's
   * listeners and returns it (null if there was none).
   */
  letGo() {
    this.pendingDispose = false;
    clearTimeout(this.messageTimer);
    this.messageTimer = null;
    const socket = this.socket;
    if (!socket) return null;
    this.socket = null;
    this.key = null;
    const detach = this.detach;
    this.detach = null;
    if (detach) detach();
    return socket;
  }

  /**
   * Keeps the latest message; re-renders for it only once something read
   * `lastMessage`, coalesced to one per MESSAGE_RENDER_INTERVAL_MS.
   */
  messageArrived(event) {
    this.latestMessage = event;
    if (!this.readsMessages || this.messageTimer !== null) return;
    const wait = this.lastMessageRender + MESSAGE_RENDER_INTERVAL_MS - performance.now();
    const flush = () => {
      this.messageTimer = null;
      this.lastMessageRender = performance.now();
      if (this.socket) this.refresh();
    };
    if (wait <= 0) flush();
    else this.messageTimer = setTimeout(flush, wait);
  }

  /**
   * `send` for the app: before the socket exists, data waits for it (at most
   * `queue.maxMessages`, 1,000 by default; when that many wait it throws, or
   * with `queue.overflow: "dropOldest"` drops the oldest, reported once the
   * socket comes). So does data sent between the effect's
   * cleanup and its next setup (a child's effect in the commit that changes
   * url or options): it is meant for the socket that follows, which is the
   * same one only if the key did not change. Throws when that many already
   * wait, instead of keeping data that is never sent. After the component
   * unmounted (or was hidden), and after the socket's constructor threw,
   * reports the data as dropped and returns false.
   */
  send(data) {
    if (this.socket && !this.pendingDispose) return this.socket.send(data);
    // Refused now, as the socket would refuse it, not reported later.
    if (isNotData(data)) throw new Error(NOT_DATA);
    if (this.failed) {
      report(new Error("useResilientSocket: send() dropped its data: the socket could not be created (see the error the effect threw)"));
      return false;
    }
    const { maxMessages, dropOldest } = pendingLimits(this.readOptions());
    if (this.pendingSends.length >= maxMessages) {
      if (this.unmounted) {
        report(new Error("useResilientSocket: send() dropped its data: the component unmounted (or an <Activity> hid it)"));
        return false;
      }
      if (!dropOldest) {
        throw new Error(
          `useResilientSocket: send(): no socket yet (url is null or the effect has not run) and ${maxMessages} messages already wait for one (queue.maxMessages)`,
        );
      }
      this.pendingSends.shift();
      this.droppedOldest++;
    }
    this.pendingSends.push(data);
    if (this.unmounted) this.dropUnlessAttachedThisTask();
    return false;
  }

  /**
   * Data sent after the socket was let go: the component unmounted, or an
   * `<Activity>` hid it. In the commit that shows it again a child's effect
   * runs before the hook's, so its sends wait for the end of the task, and
   * for as long as the hook's layout effect says the component is shown (a
   * transition may run the passive effects in a later task); if neither
   * holds they are dropped and reported.
   */
  dropUnlessAttachedThisTask() {
    if (this.dropCheckScheduled) return;
    this.dropCheckScheduled = true;
    queueMicrotask(() => {
      this.dropCheckScheduled = false;
      if (this.unmounted && !this.shown) {
        this.dropPendingSends("they were sent after the component unmounted (or while an <Activity> hid it), when it has no socket");
      }
    });
  }
}

/**
 * Opens a ResilientSocket for as long as the calling component is mounted.
 * See index.d.ts for the full contract.
 */
export function useResilientSocket(url, options) {
  const latestOptions = useRef(options);
  const [store] = useState(() => new SocketStore(() => latestOptions.current));
  // Not during render: a render that never commits (a transition, Suspense)
  // must not leave its functions behind for the socket to call.
  useInsertionEffect(() => {
    latestOptions.current = options;
  });

  useLayoutEffect(() => {
    store.shown = true;
    return () => {
      store.shown = false;
      // Hidden again before a socket came: what waited is dropped now.
      if (store.unmounted && store.pendingSends.length > 0) store.dropUnlessAttachedThisTask();
    };
  }, [store]);

  const key = socketKey(url ?? null, options);
  useEffect(() => {
    store.attach(key, url ?? null, () =>
      latestOptions.current === undefined
        ? undefined
        : bindLatest(latestOptions.current, () => latestOptions.current),
    );
    return () => store.scheduleRelease();
    // `key` stands for url and the options' content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, key]);

  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const send = useCallback((data) => store.send(data), [store]);
  return useMemo(() => store.result(snapshot, send), [store, snapshot, send]);
}
