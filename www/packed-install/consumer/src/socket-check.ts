// The main entry "resilient-ws": a ResilientSocket against the fault
// server's echo endpoint sends a text (queued until open), gets it echoed,
// then gets the reply to a request (the echo carries the request's id back),
// behaves as a WebSocket (readyState constants, `this` undefined in
// listeners, bufferedAmount), free() works inside a listener the socket calls,
// and describeCloseCode answers from the wasm. The "./resilient_ws_bg.wasm"
// subpath gives the module's own memory (typed), the instance the SDK runs in.
// The socket is a `using` declaration: the block's end disposes it.
import { ResilientSocket, describeCloseCode } from "resilient-ws";
import { memory } from "resilient-ws/resilient_ws_bg.wasm";
import type { Outcome } from "./outcome";

/** A message typed by an interface (no index signature): `request()` takes it. */
interface GetRequest {
  type: "get";
  what: string;
}

export async function checkSocket(url: string, timeoutMs: number): Promise<Outcome> {
  // `using`: leaving the block closes the socket (the test checks that the
  // fault server saw the connection end), not only its handle.
  // A readonly (`as const`) array is a valid option value.
  using ws = new ResilientSocket(url, { reconnect: { maxDelayMs: 1000 }, redactKeys: ["token", "secret"] as const });
  const text = "hello from the packed install";
  const echoed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no echo of the sent text within ${timeoutMs} ms (state ${ws.state})`)),
      timeoutMs,
    );
    ws.addEventListener("message", (event) => {
      if (event.data !== text) return;
      clearTimeout(timer);
      resolve();
    });
  });
  const sentNow = ws.send(text);
  await echoed;

  const get: GetRequest = { type: "get", what: "mix" };
  // The reply's type is the app's word for it (not checked): check it here.
  const reply = await ws.request<{ what?: unknown } | null>(get, { timeoutMs });
  if (typeof reply !== "object" || reply === null || reply.what !== "mix") {
    throw new Error(`unexpected request reply ${JSON.stringify(reply)}`);
  }
  // As a WebSocket: the readyState constants, `this` in listeners, and
  // bufferedAmount counting what the browser has not sent yet.
  const constants = [ResilientSocket.CONNECTING, ResilientSocket.OPEN, ResilientSocket.CLOSING, ResilientSocket.CLOSED];
  if (constants.join() !== "0,1,2,3") throw new Error(`readyState constants are ${constants.join()}`);
  if (ws.readyState !== ResilientSocket.OPEN) throw new Error(`readyState ${ws.readyState} while open`);
  const big = "x".repeat(512 * 1024);
  let listenerThis: unknown = "not called";
  const bigEchoed = new Promise<void>((resolve) => {
    ws.addEventListener("message", function (this: void, event) {
      if (event.data !== big) return;
      listenerThis = this;
      resolve();
    });
  });
  ws.send(big);
  const buffered = ws.bufferedAmount;
  if (!(buffered > 0)) throw new Error(`bufferedAmount ${buffered} right after sending 512 KiB`);
  await bigEchoed;
  if (listenerThis !== undefined) throw new Error(`a listener's this is ${String(listenerThis)}, not undefined`);

  // The package's send() (its entry point's fast path): while open, text
  // reaches the browser's send with no WebAssembly frame on the stack, and
  // is counted all the same; binary data goes through the module (the
  // control that a wasm frame shows on the stack).
  const path = { text: sendStack(ws, "fast"), binary: sendStack(ws, new Uint8Array([1, 2])) };
  if (!path.text || !path.binary) throw new Error("the browser's send was not called");
  if (WASM_FRAME.test(path.text)) throw new Error(`text took the module's send:\n${path.text}`);
  if (!WASM_FRAME.test(path.binary)) throw new Error(`no wasm frame under a binary send:\n${path.binary}`);
  const counted = ws.stats().messagesOut;
  if (counted !== 5) throw new Error(`stats().messagesOut is ${counted} after 5 sends`);
  // The entry point's send() on a frozen socket (it cannot keep the fast
  // path on the object) and on a disposed one: the module's answers.
  const frozen = Object.freeze(new ResilientSocket(url, {}));
  if (frozen.send("queued") !== false) throw new Error("a frozen socket's send before open was not queued");
  // close() takes no argument, as a WebSocket's (the types say so too).
  frozen.close();
  frozen.dispose();
  const refusal = (() => {
    try {
      frozen.send("late");
      return "no error";
    } catch (error) {
      return String(error);
    }
  })();
  if (!refusal.includes("disposed")) throw new Error(`send() after dispose(): ${refusal}`);

  // free() from a listener that close() calls inside its own call (an
  // attempt in progress ends at once): no error, and the rest of the
  // listener runs. wasm-bindgen's own free() throws for a handle in use;
  // the package lets the socket go when close() returns.
  const freed = new ResilientSocket(url, {});
  await new Promise((resolve) => freed.addEventListener("statechange", resolve, { once: true }));
  let afterFree = "listener not called inside close()";
  freed.addEventListener("close", () => {
    afterFree = "free() threw";
    freed.dispose();
    freed.free();
    afterFree = "ran";
  });
  freed.close();
  if (afterFree !== "ran") throw new Error(`free() in a close listener: ${afterFree}`);

  const info = describeCloseCode(4004);
  if (info.action !== "stop") throw new Error(`describeCloseCode(4004).action is ${info.action}, expected stop`);
  const kib = memory.buffer.byteLength / 1024;
  if (!(kib > 0)) throw new Error("the wasm subpath's memory is empty");
  return {
    ok: true,
    detail: `echo (sent ${sentNow ? "at once" : "after open"}), text sent from JS, request reply, WebSocket constants, bufferedAmount ${buffered}, 4004 = ${info.name}, wasm memory ${kib} KiB`,
  };
}

/** A stack frame of the WebAssembly module (V8's formats). */
const WASM_FRAME = /wasm-function|\.wasm|wasm:\/\//;

/** The stack under which `ws.send(data)` called the browser's `send`. */
function sendStack(ws: ResilientSocket, data: string | Uint8Array): string {
  const browserSend = WebSocket.prototype.send;
  let stack = "";
  WebSocket.prototype.send = function (this: WebSocket, sent) {
    stack = new Error().stack ?? "";
    browserSend.call(this, sent);
  };
  try {
    ws.send(data);
  } finally {
    WebSocket.prototype.send = browserSend;
  }
  return stack;
}
