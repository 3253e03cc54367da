// The main entry "resilient-ws": a ResilientSocket against the fault
// server's echo endpoint sends a text (queued until open), gets it echoed,
// then gets the reply to a request (the echo carries the request's id back),
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
  const info = describeCloseCode(4004);
  if (info.action !== "stop") throw new Error(`describeCloseCode(4004).action is ${info.action}, expected stop`);
  const kib = memory.buffer.byteLength / 1024;
  if (!(kib > 0)) throw new Error("the wasm subpath's memory is empty");
  return {
    ok: true,
    detail: `echo (sent ${sentNow ? "at once" : "after open"}), request reply, 4004 = ${info.name}, wasm memory ${kib} KiB`,
  };
}
