// The main entry "resilient-ws": a ResilientSocket against the fault
// server's echo endpoint sends a text (queued until open), gets it echoed,
// then gets the reply to a request (the echo carries the request's id back),
// and describeCloseCode answers from the wasm.
import { ResilientSocket, describeCloseCode } from "resilient-ws";
import type { Outcome } from "./outcome";

export async function checkSocket(url: string, timeoutMs: number): Promise<Outcome> {
  const ws = new ResilientSocket(url, { reconnect: { maxDelayMs: 1000 } });
  try {
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

    const reply = await ws.request({ type: "get", what: "mix" }, { timeoutMs });
    if (typeof reply !== "object" || reply === null || !("what" in reply) || reply.what !== "mix") {
      throw new Error(`unexpected request reply ${JSON.stringify(reply)}`);
    }
    const info = describeCloseCode(4004);
    if (info.action !== "stop") throw new Error(`describeCloseCode(4004).action is ${info.action}, expected stop`);
    return {
      ok: true,
      detail: `echo (sent ${sentNow ? "at once" : "after open"}), request reply, 4004 = ${info.name}`,
    };
  } finally {
    ws.dispose();
  }
}
