// Types of "resilient-ws/react" (src/js/react/index.js).
import type {
  ConnectionState,
  MessageData,
  ResilientSocket,
  ResilientSocketOptions,
  SendData,
  SocketStats,
} from "./resilient_ws.js";

/**
 * What `useResilientSocket` returns: the same object until something in it
 * changed. Read-only: the hook owns it.
 */
export interface UseResilientSocketResult {
  /**
   * The socket of this hook instance, for `addEventListener`, `inspector`,
   * `setReplayState`, `request`, `close()`, `connect()`... `null` before the
   * first effect ran and while `url` is `null`. Do not call `dispose()` on
   * it: the hook does that on unmount and when url or options change. Nor
   * `close()` it from an effect cleanup: under StrictMode's development
   * double mount the hook keeps the same socket, which stays closed.
   */
  readonly socket: ResilientSocket | null;
  /** The socket's state; `"idle"` while there is no socket. */
  readonly state: ConnectionState;
  /**
   * The latest message received (the browser's `MessageEvent`), or `null`.
   * Reading it (in a render, an effect, or by spreading the result) turns
   * on message-driven re-renders for this hook for good (a component that
   * never reads it is not re-rendered for every message). They are
   * coalesced to one per ~16 ms, so under a burst some messages are never
   * seen here: use `socket.addEventListener("message", ...)` in an effect to
   * see every one.
   */
  readonly lastMessage: MessageEvent<MessageData> | null;
  /**
   * Sends now (`true`) or queues (`false`), as `ResilientSocket.send` does
   * (a plain object, an array, `null` or `undefined` throws, also while
   * there is no socket).
   * Stable across renders. Called before the socket exists (e.g. from a child
   * component's effect, layout effects too, on the first mount or when an
   * `<Activity>` shows it again, or while `url` is null), the data
   * waits and is handed to the socket as soon as it is created. At most
   * `queue.maxMessages` wait (1,000 by default; with 0 data still waits, for
   * a socket coming in the same commit, which refuses it): past that `send`
   * throws, or with `queue.overflow: "dropOldest"` drops the oldest, reported
   * once (`reportError`) when the socket comes. What the socket refuses then
   * (queue full or disabled, too large) is reported with `reportError`, not
   * thrown: one report, an `AggregateError` when it refused more than one. Data sent from a child's `useEffect` in the commit that changes
   * `url` or `options` waits the same way and goes to the new socket, not the
   * one being replaced (a `useLayoutEffect` or ref callback runs before the
   * hook learns of the change: its sends reach the old socket). In that
   * commit an effect cleanup that runs before the hook's own (a child's, or
   * one declared before the hook) sends to the socket being replaced, one
   * that runs after it (a parent's, or declared after the hook) to the new
   * one; the old `socket` object is disposed once that commit's effects have
   * run, so a cleanup in a later commit cannot send on it. At unmount, data sent from cleanups
   * goes out on the socket before it is disposed if it is open; what it
   * cannot send (not open, or still queued) is dropped and reported. After
   * the component unmounted, while an `<Activity>` hides it, and after the
   * socket's constructor threw in the effect, it reports the data as
   * dropped and returns `false`, with `state` `"idle"` (cleanups run while
   * React removes the component must not throw a second error).
   */
  readonly send: (data: SendData) => boolean;
  /** `socket.stats()` as of the hook's last refresh (a connection event, or a message once `lastMessage` was read); `null` without a socket. */
  readonly stats: SocketStats | null;
}

/**
 * Opens a `ResilientSocket` to `url` for as long as the component is mounted,
 * and re-renders on `statechange`, `close`, `reconnecting`, `heartbeat`,
 * `replay` and `flapping` events, and on messages once `lastMessage` was
 * read.
 *
 * Importing this module loads the SDK's `.wasm`: render the component on the
 * client only (with server rendering, import it dynamically with SSR off).
 *
 * - One browser socket per mounted hook, also under `<StrictMode>` (its
 *   simulated unmount/remount keeps the socket) and Vite/React Fast Refresh
 *   (an edit keeps the socket; one that changes the component's hooks
 *   remounts it: its socket is disposed, one new one opens).
 * - Inside `<Activity mode="hidden">` React runs effect cleanups and keeps
 *   the state: the socket is disposed while hidden (`socket` null, `state`
 *   "idle"), a new one opens when shown.
 * - Unmounting disposes the socket (closing the browser socket); messages it
 *   still queued are dropped and reported with `reportError`.
 * - The socket is recreated only when `url` or the *content* of `options`
 *   changes (compared as JSON in any key order, a function standing for
 *   "a function here"), so an inline options object is fine. Function
 *   options such as `urlProvider` may be new functions at every render: the
 *   socket always calls the latest one (adding or removing one recreates
 *   the socket).
 * - A recreated socket starts empty: the old one's queued messages are
 *   dropped (reported with `reportError`) and its replay state is not carried
 *   over, so set replay state in an effect that depends on `socket`. The old
 *   one is disposed once the commit's effects have run: an effect later in
 *   that commit that still holds it (declared after the hook, or a
 *   parent's) acts on a live socket, then runs again with the new one.
 * - `url` is a string or a `URL`, as `new ResilientSocket` takes it (a `URL`
 *   counts as changed only when its `href` does); null or undefined means no
 *   socket (e.g. until the user picks a server).
 * - Invalid options or URL throw from the effect, as `new ResilientSocket`
 *   does, so the nearest error boundary shows the message.
 */
export function useResilientSocket(
  url: string | URL | null | undefined,
  options?: ResilientSocketOptions,
): UseResilientSocketResult;
