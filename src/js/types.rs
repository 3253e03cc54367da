//! The TypeScript declarations of every option, event and record, added to
//! the generated `.d.ts`. The exported class and functions refer to these
//! names through `unchecked_param_type` / `unchecked_return_type`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Connection states. `closed` is terminal until `connect()` or `reconnect()`. */
export type ConnectionState = "idle" | "connecting" | "open" | "closing" | "reconnecting" | "closed";

/** What the SDK does after a close code. */
export type CloseAction = "retry" | "stop" | "reauth";

/** The family of a close code. */
export type CloseCategory =
  | "normal" | "goingAway" | "protocol" | "policy" | "serverError" | "temporary"
  | "abnormal" | "tls" | "reserved" | "registered" | "application" | "invalid";

/**
 * What ended a connection. "offline": the browser went offline (the socket
 * was dropped at once), or an attempt failed while it was offline (such
 * attempts do not count against `reconnect.maxAttempts`), or an attempt made
 * while offline was replaced by a fresh one when the browser came back online
 * (`willReconnect` true, `delayMs` 0). "refused": the browser refused to
 * open the socket for the constructor's URL (`new WebSocket` threw: `ws://`
 * from an `https:` page; `reason` has its message): not
 * retried (action "stop"), as every attempt would be refused; `connect()`
 * tries again.
 */
export type CloseCause =
  | "server" | "app" | "replaced" | "heartbeatTimeout" | "connectTimeout"
  | "offline" | "urlProvider" | "refused" | "disposed";

/** Why a `request()` Promise was rejected (`error.reason`). */
export type RequestFailureReason = "timeout" | "connectionLost" | "closed" | "disposed" | "queueOverflow";

/** What `send()` accepts: text is sent as is, binary data as is (a `SharedArrayBuffer` or a view of one throws, as `WebSocket.send` does). */
export type SendData = string | ArrayBuffer | Blob | ArrayBufferView;

/** What a message event carries, depending on `binaryType`. */
export type MessageData = string | ArrayBuffer | Blob;

/** Returns the URL for the next attempt (called before each one). */
export type UrlProvider = () => string | URL | PromiseLike<string | URL>;

/** Reconnection with exponential backoff. */
export interface ReconnectOptions {
  /** Whether to reconnect at all. Default: true. */
  enabled?: boolean;
  /** Delay cap for the first retry, ms; at least 1 while `enabled` (0 would retry in a tight loop). Default: 500. */
  initialDelayMs?: number;
  /** Largest delay, ms; at least `initialDelayMs`. Default: 30000. */
  maxDelayMs?: number;
  /** Growth per attempt, a number (fractions allowed) from 1 to 100. Default: 2. */
  multiplier?: number;
  /** Jitter mode. Default: "full". */
  jitter?: "full" | "equal" | "none";
  /**
   * Give up after this many reconnects in a row (the first connection
   * attempt is not one of them: 3 means up to 4 attempts in all); a
   * connection that stayed open less than `resetAfterMs` does not end the
   * row. Retries while the browser is offline are not counted. At least 1
   * (`enabled: false` never retries); null retries forever. Default: null.
   */
  maxAttempts?: number | null;
  /** The attempt counter resets only after a connection stayed open this long (and is not flapping), ms. Default: 5000. */
  resetAfterMs?: number;
  /**
   * Least delay after 1012/1013/1014 ("try later"), ms: the backoff's
   * (jittered) delay is added to it, so that clients the server sent away
   * together do not all come back at once; the sum is not capped at
   * `maxDelayMs` (it is at most `tryLaterDelayMs + maxDelayMs`). Default: 5000.
   */
  tryLaterDelayMs?: number;
}

/** App-level ping/pong. */
export interface HeartbeatOptions {
  /** Time between pings while open, ms; 0 disables. Default: 25000. */
  intervalMs?: number;
  /**
   * How long to wait for a pong (or any message) after a ping, ms; at least
   * 1 while `intervalMs` > 0. Default: 10000. A ping queued behind data the
   * browser still holds (`bufferedAmount`) waits longer while that data
   * drains, and gets this long once it has left the browser. What the
   * browser already passed on (a few MB at most, to its network process
   * and the OS), and a message that has not fully arrived, count against
   * it: make it longer than moving those takes, or a healthy, busy
   * connection is declared dead.
   */
  timeoutMs?: number;
  /** The ping message; not empty while `intervalMs` > 0. Default: '{"type":"ping"}'. */
  message?: string;
  /**
   * A pong is a JSON message whose `type` equals this (and at most 512
   * UTF-16 units long). Default: "pong". `null`: no pong is matched by type
   * (set `pongText`, or let any message meet the timeout).
   */
  pongType?: string | null;
  /** A pong is a message exactly equal to this text (wins over `pongType`). Default: null. */
  pongText?: string | null;
  /**
   * Deliver pongs to `message` listeners too. Default: false. A message is
   * taken as a pong only while a ping awaits one; at other times a message
   * that looks like a pong reaches `message` listeners like any other.
   */
  deliverPongs?: boolean;
  /** A timer this late (ms) is treated as throttled: a fresh ping instead of a verdict. Default: 1000. */
  lateToleranceMs?: number;
}

/** The outbound queue used while not open. */
export interface QueueOptions {
  /** Most messages held; 0 disables queueing. Default: 1000. */
  maxMessages?: number;
  /** Most bytes held (UTF-16 units for text, as `maxMessageBytes`). Default: 1048576. */
  maxBytes?: number;
  /** What `send()` does when full. Default: "reject". */
  overflow?: "reject" | "dropOldest";
}

/** The message inspector ring buffer. */
export interface InspectorOptions {
  /** Most records kept; 0 disables. Default: 200. */
  maxEntries?: number;
  /** Most payload bytes kept (UTF-16 units for text). Default: 1048576. */
  maxBytes?: number;
}

/** Request/response by id. */
export interface RequestsOptions {
  /** Default timeout per request, ms; at least 1. Default: 10000. */
  timeoutMs?: number;
  /**
   * Requests in flight when the connection drops. Default: "fail". Re-sent
   * requests go out after the replay state and after the messages queued
   * during the outage.
   */
  onReconnect?: "fail" | "resend";
  /** Replies slower than this (ms, from when the request went out) emit `slow`. Default: 1000. */
  slowMs?: number;
  /** The JSON field carrying the id; a reply matches a request when this field holds the same JSON value as sent: strings by their text (escapes decoded), numbers as written (`1.0` does not answer `1`), and never across types (`"7"` does not answer `7`). Not empty. Default: "id". */
  idField?: string;
}

/** Detection of open-then-die loops. */
export interface FlappingOptions {
  /** A connection that dies within this long after opening counts as short, ms (one that ends while the browser is offline does not count). Default: 3000. */
  windowMs?: number;
  /** Short connections in a row before `flapping` is emitted (and again for each further short connection); at least 1. Default: 3. */
  threshold?: number;
}

/** Overrides the action for one close code or an inclusive range. */
export interface CloseCodeRule {
  /** The code, or the first of the range: 1000 to 4999. */
  code: number;
  /** The last code of the range: from `code` to 4999. Default: `code`. */
  to?: number | null;
  /** What to do. */
  action: CloseAction;
}

/**
 * Options of `new ResilientSocket(url, options)`. Every option is optional.
 * Numbers are integers unless said otherwise; every `...Ms` option is from 0
 * to 86400000 (a day), counts from 0 to 4294967295 (each unless said). A value out of range
 * throws an `Error` naming the option and what it allows.
 */
export interface ResilientSocketOptions {
  /** Reconnection with backoff. */
  reconnect?: ReconnectOptions;
  /** App-level ping/pong. */
  heartbeat?: HeartbeatOptions;
  /** The outbound queue. */
  queue?: QueueOptions;
  /** The message inspector. */
  inspector?: InspectorOptions;
  /** Request/response by id. */
  requests?: RequestsOptions;
  /** Flapping detection. */
  flapping?: FlappingOptions;
  /**
   * Close code policy overrides, last matching rule wins. They judge what
   * the server did: a 1006 while the browser is offline, or from a failing
   * `urlProvider`, retries whatever a rule on 1006 says. Default: [].
   */
  closeCodes?: readonly CloseCodeRule[];
  /**
   * Handshake (including the URL provider) time limit, ms. Default: 10000.
   * 0 disables it: a handshake or a `urlProvider` Promise that never answers
   * then keeps the socket `connecting` for good (once the app drops a socket
   * waiting for its `urlProvider`, it is disposed; a hanging browser
   * handshake runs on, as a `WebSocket`'s would).
   */
  connectTimeoutMs?: number;
  /** How long `close()` waits for the server's close frame, ms. Default: 2000. */
  closingTimeoutMs?: number;
  /** Largest message `send()`, `setReplayState()` and `request()` accept (UTF-16 units for text); 1 to 2^53 - 1. Default: 16777216. */
  maxMessageBytes?: number;
  /**
   * Field and query parameter names whose values are redacted, matched by
   * containment in any ASCII case (none empty; `[]`: no field or parameter
   * is redacted, though a URL's `user:password@` password still is).
   * Setting it replaces the defaults. Default: ["token", "authorization",
   * "password", "passwd", "passphrase", "secret", "apikey", "api_key",
   * "api-key", "signature", "credential", "cookie", "sessionid",
   * "session_id", "session-id", "sessid", "privatekey", "private_key",
   * "private-key"].
   */
  redactKeys?: readonly string[];
  /** Refuse ws:// URLs. Default: false. */
  requireSecure?: boolean;
  /** With `requireSecure`, still allow ws:// to localhost. Default: true. */
  allowInsecureLocalhost?: boolean;
  /** Subprotocols for the handshake: tokens, each at most once (checked here, as the browser would refuse them at every attempt). Default: none. */
  protocols?: string | readonly string[];
  /** How binary messages arrive. Default: "blob". */
  binaryType?: BinaryType;
  /** Called before each attempt for the URL (e.g. to refresh a token), after the attempt's `statechange` listeners. Default: none (the `url` argument is used; so does `null`). */
  urlProvider?: UrlProvider | null;
  /** A name for your logs and dashboards, returned by `socket.name`. Default: "". */
  name?: string;
  /** Connect in the constructor. Default: true. */
  autoConnect?: boolean;
}

/** A close code explained. */
export interface CloseCodeInfo {
  /** The code. */
  code: number;
  /** Short name, e.g. "normal closure", "not found". */
  name: string;
  /** The family of the code. */
  category: CloseCategory;
  /**
   * What the SDK does after it: on a `close` event, with the app's
   * `closeCodes` applied ("retry" for a socket let go for a fresh attempt:
   * `reconnect()`, or back online); from `describeCloseCode`, which knows
   * no socket, the default.
   */
  action: CloseAction;
  /**
   * What probably happened and what to check. It names what the SDK does
   * next only as the code's default ("retried by default"): `action` and,
   * on a `close` event, `willReconnect` say what it does.
   */
  hint: string;
}

/** Options of `describeCloseCode`. */
export interface DescribeCloseCodeOptions {
  /** Whether the connection had opened (1006 gets different hints). Default: true. */
  opened?: boolean;
}

/** `open`: replay state and queued messages went out before it. */
export interface OpenEvent {
  readonly type: "open";
  /** Connection number: 1 for the first attempt, and each attempt takes the next (also one that ended before its `urlProvider`'s URL came). */
  readonly connection: number;
  /** Replay keys sent. */
  readonly replayed: number;
  /** Queued messages sent. */
  readonly flushed: number;
}

/**
 * `close`: a connection (or an attempt) ended, with everything known about
 * why. It fires after the `statechange` out of that connection (if the state
 * changed), so the state read in a `close` listener is the one that follows:
 * `reconnecting`, `connecting` (after `reconnect()`, or `connect()` called
 * while closing) or `closed`.
 */
export interface ResilientCloseEvent extends Readonly<CloseCodeInfo> {
  readonly type: "close";
  /** Close reason, redacted. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Whether this connection had opened. */
  readonly opened: boolean;
  /**
   * Whether the SDK will try again. `false` with an `action` of "retry" or
   * "reauth" means it stopped on its own terms: `reconnect.maxAttempts` ran
   * out, `reconnect.enabled` is false, the app dropped every handle on the
   * socket (nothing could stop what it would open), or (in `lastClose`)
   * the socket was disposed while it waited to reconnect. Never `true` with
   * "stop".
   */
  readonly willReconnect: boolean;
  /** Delay before the next attempt, ms, when it will reconnect. */
  readonly delayMs: number | null;
  /** What ended it. */
  readonly cause: CloseCause;
  /** The number of the connection (or attempt) that ended, as its `open` would have had. */
  readonly connection: number;
}

/** `error`: a browser socket error (a close follows) or a URL provider failure. */
export interface SocketErrorEvent {
  readonly type: "error";
  /** What happened, redacted. */
  readonly message: string;
}

/** `statechange`. */
export interface StateChangeEvent {
  readonly type: "statechange";
  readonly from: ConnectionState;
  readonly to: ConnectionState;
}

/** `reconnecting`: an attempt is scheduled. */
export interface ReconnectingEvent {
  readonly type: "reconnecting";
  /** 1 for the first retry; counts retries made while offline too (so it can pass `maxAttempts`). */
  readonly attempt: number;
  /** Delay before it, ms. */
  readonly delayMs: number;
}

/** `heartbeat`: a pong arrived. */
export interface HeartbeatEvent {
  readonly type: "heartbeat";
  /** Round trip of the ping, whole ms (the SDK's clock ticks in ms). */
  readonly rttMs: number;
}

/** `flapping`: connections keep opening and dying right away. */
export interface FlappingEvent {
  readonly type: "flapping";
  /** Short connections in a row. */
  readonly count: number;
  /** What probably causes it. */
  readonly likelyCauses: readonly string[];
}

/** `replay`: the replay state was sent on a new connection. */
export interface ReplayEvent {
  readonly type: "replay";
  /** Keys replayed, in order. */
  readonly keys: readonly string[];
  readonly connection: number;
}

/** `slow`: a reply took longer than `requests.slowMs`. */
export interface SlowEvent {
  readonly type: "slow";
  /** The request id. */
  readonly id: string;
  readonly latencyMs: number;
}

/** `queueoverflow`: queued messages were dropped (`queue.overflow` = "dropOldest"). */
export interface QueueOverflowEvent {
  readonly type: "queueoverflow";
  readonly dropped: number;
}

/**
 * `reauth`: credentials were refused (a close code whose action is
 * "reauth"), after its `close` (and any `flapping`) event, whether a retry follows or not
 * (the close event's `willReconnect` says). When one does, the URL provider
 * runs before it; with a fixed URL (no `urlProvider`) the next attempt uses
 * the same URL: give a `urlProvider` that returns a fresh token, or
 * `close()` here.
 */
export interface ReauthEvent {
  readonly type: "reauth";
  /** The close code. */
  readonly code: number;
}

/** Every event a `ResilientSocket` emits, by name. */
export interface ResilientSocketEventMap {
  open: OpenEvent;
  /** The browser's own `MessageEvent`, passed through. */
  message: MessageEvent<MessageData>;
  close: ResilientCloseEvent;
  error: SocketErrorEvent;
  statechange: StateChangeEvent;
  reconnecting: ReconnectingEvent;
  heartbeat: HeartbeatEvent;
  flapping: FlappingEvent;
  replay: ReplayEvent;
  slow: SlowEvent;
  queueoverflow: QueueOverflowEvent;
  reauth: ReauthEvent;
}

/** An event name. */
export type ResilientSocketEventType = keyof ResilientSocketEventMap;

/** A listener for event `K`. */
export type ResilientSocketListener<K extends ResilientSocketEventType> = (
  this: void,
  event: ResilientSocketEventMap[K],
) => void;

/** Counters and measurements, from `stats()`. */
export interface SocketStats {
  state: ConnectionState;
  /** The current (or last) connection or attempt's number (see `OpenEvent.connection`). */
  connection: number;
  /** Retries scheduled since the attempt counter last reset (a connection open `reconnect.resetAfterMs` without flapping: 0 from then on while it lasts; `connect()` from `idle` or `closed`; `reconnect()`; a `connect()` that cuts a wait short keeps it), including those while offline. */
  attempt: number;
  /** Reconnects scheduled over the socket's life. */
  reconnects: number;
  /** How long the current connection has been open, ms (0 if not open). */
  uptimeMs: number;
  /** Total time open, ms. */
  totalUptimeMs: number;
  /** Last heartbeat round trip, whole ms (0 on a local network); kept through a reconnect until the next pong, null before the first. */
  rttMs: number | null;
  messagesIn: number;
  messagesOut: number;
  /** Bytes received (UTF-16 units for text). */
  bytesIn: number;
  /** Bytes sent (UTF-16 units for text). */
  bytesOut: number;
  /** Messages waiting in the queue. */
  queued: number;
  /** Their size (UTF-16 units for text). */
  queuedBytes: number;
  /** Requests waiting for a reply. */
  pendingRequests: number;
  /** Request latency over the last 512 replies, ms from when each request went out (not through an outage it waited in the queue); `null` before any reply. */
  requestP50Ms: number | null;
  requestP99Ms: number | null;
  /** Whether the last connections were flapping; false once the open connection stayed open `flapping.windowMs`. */
  flapping: boolean;
  /** Timers that fired late enough to be treated as throttled. */
  lateWakeups: number;
}

/** Which inspector entries to return. */
export interface InspectorFilter {
  /** Only this direction. */
  direction?: "in" | "out";
  /** Only JSON messages whose `type` is this string. */
  type?: string;
  /**
   * Only JSON messages whose top-level fields have these values, of the same
   * JSON type: `{ id: 7 }` matches `"id":7`, not `"id":"7"`. Numbers compare
   * as JS writes them with the JSON as written: `7` does not match `7.0`,
   * `-0` reads `0`, and a BigInt (`12345678901234567891n`) finds ids past
   * 2^53. Strings compare with the field as the full `preview` shows it
   * (redacted), unescaped and redacted again as text (as `type` and `id`
   * are shown); a filter
   * on a secret key (`redactKeys`) matches nothing, so it cannot confirm a
   * secret. Objects and arrays match no filter value.
   */
  fields?: Record<string, string | number | bigint | boolean | null>;
  /** At most this many entries, the newest. */
  limit?: number;
  /** Each entry's `preview` holds the whole text (redacted), not its first 200 characters. Default: false. */
  fullText?: boolean;
}

/** One inspector record, parsed and redacted. */
export interface InspectorEntry {
  /** Sequence number over the socket's life. */
  seq: number;
  direction: "in" | "out";
  /** Time on the `performance.now()` clock, ms (whole): when the message was sent or arrived (its event's `timeStamp` where the browser's is on that clock, else when the SDK saw it). */
  atMs: number;
  /** Wall-clock time, ms since the epoch (as `Date.now()`), to line entries up with server logs: `atMs` from `performance.timeOrigin`, the same in every query. Browsers stop the `performance` clock while the system sleeps, so after a sleep this reads earlier than `Date.now()` did by the time slept. */
  time: number;
  /** Size (UTF-16 units for text, bytes for binary). */
  size: number;
  connection: number;
  binary: boolean;
  /** The JSON `type` field as text (`[redacted]` if `type` is a secret key). */
  type: string | null;
  /**
   * The JSON field named `id` as text, whatever `requests.idField` is (filter
   * on another field with `fields`); `[redacted]` if `id` is a secret key.
   */
  id: string | null;
  /** The start of the text, redacted (binary: a summary). */
  preview: string;
}

/** A replay store entry: the value as it is sent. */
export interface ReplayEntry {
  key: string;
  value: SendData;
}

/** A replay value: text and binary data are sent as they are, anything else as JSON. */
export type ReplayValue = SendData | object | number | boolean | null;

/** Options of `setReplayState`. */
export interface ReplayStateOptions {
  /**
   * At most one send per key per this many ms, carrying the latest value;
   * the first change also waits this long (`setReplayState` returns false
   * then), and a later call keeps the window already running. Default: 0
   * (sent at once when open).
   */
  debounceMs?: number;
}

/** A request: a JSON object (not an array), or its JSON text. */
export type RequestMessage = string | object;

/** Options of `request`. */
export interface RequestCallOptions {
  /**
   * Time limit, ms, from the `request()` call (time spent in the queue
   * counts). Default: `requests.timeoutMs`.
   */
  timeoutMs?: number;
}

/**
 * The Error a `request()` Promise is rejected with. `reason` is set when the
 * request was sent or queued and then failed, and when `request()` is called
 * on a closed (`"closed"`) or disposed (`"disposed"`) socket; an invalid call
 * (bad message or options, a full queue or one the message can never fit, a
 * message too large) rejects with a plain `Error`.
 */
export interface RequestError extends Error {
  reason?: RequestFailureReason;
}

/**
 * The third argument of `addEventListener`. `once` removes the listener
 * before its first call. `capture` and `passive` mean nothing here (no
 * propagation, nothing to prevent) and are ignored. `signal` is not
 * supported and throws: remove the listener with `removeEventListener`.
 */
export interface ResilientSocketListenerOptions {
  once?: boolean;
  capture?: boolean;
  passive?: boolean;
}

export interface ResilientSocket {
  /**
   * Adds a listener (once per function and type), called in the order
   * added, with `this` undefined. Throws on an unknown event type (a
   * `WebSocket` would accept it, and the listener would never fire). On a
   * disposed socket it adds nothing: no event comes after `dispose()`.
   */
  addEventListener<K extends ResilientSocketEventType>(
    type: K,
    listener: ResilientSocketListener<K>,
    options?: boolean | ResilientSocketListenerOptions,
  ): void;
  /** Removes a listener added with `addEventListener`; never throws (an unknown type or a listener that is no function removes nothing). The options (as a `WebSocket` takes them) change nothing here: a listener is added once per function and type. */
  removeEventListener<K extends ResilientSocketEventType>(
    type: K,
    listener: ResilientSocketListener<K>,
    options?: boolean | ResilientSocketListenerOptions,
  ): void;
  /**
   * Sends `message` (an object, or JSON object text) with an id (the field
   * named by `requests.idField`: yours if the message has it, else a
   * string `"rws-N"` added; give your own to match `slow` events, which
   * name the id) and resolves with the reply carrying the same id of the
   * same JSON type on the connection the request went out on: parsed JSON,
   * or the raw data if it does not parse. `T` is the reply's type as you
   * expect it (default `unknown`): a cast, not checked. Rejects with an
   * `Error` whose `reason` is "timeout", "connectionLost", "closed",
   * "disposed" or "queueOverflow" (or none for an invalid call, such as an
   * id a pending request already has): see `RequestError`.
   */
  request<T = unknown>(message: RequestMessage, options?: RequestCallOptions): Promise<T>;
  /** `open` handler, as on `WebSocket`. */
  onopen: ResilientSocketListener<"open"> | null;
  /** `message` handler, as on `WebSocket`. */
  onmessage: ResilientSocketListener<"message"> | null;
  /** `close` handler, as on `WebSocket`. */
  onclose: ResilientSocketListener<"close"> | null;
  /** `error` handler, as on `WebSocket`. */
  onerror: ResilientSocketListener<"error"> | null;
}
"#;
