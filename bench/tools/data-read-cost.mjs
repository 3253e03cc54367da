#!/usr/bin/env node
// What one read of `MessageEvent.data` costs in Chromium, for real network
// messages (kept as they arrive, some already read once in the listener) and
// for synthetic ones (`new MessageEvent`, as the dispatch test uses): the
// fast path reads it once per message to count bytesIn, and the app's
// listener reads it again (bench/ANALYSIS.md section 2). Prints ns per read
// (including the loop and `.length`), 3 passes over 50,000 events each.
//
//   WS=ws://127.0.0.1:8765 CONTROL=http://127.0.0.1:8766 node bench/tools/data-read-cost.mjs
//
// Needs the fault server running and soak/'s npm dependencies (playwright-core).
import { launchBrowser } from "../../soak/lib/harness.mjs";

const WS = process.env.WS ?? "ws://127.0.0.1:8765";
const CONTROL = process.env.CONTROL ?? "http://127.0.0.1:8766";
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  // Any http page: the socket needs an origin.
  await page.goto(`${CONTROL}/stats`).catch(() => {});
  const out = await page.evaluate(async (WS) => {
    const N = 50_000;
    const nsPerRead = (events) => {
      const passes = [];
      for (let p = 0; p < 3; p++) {
        let total = 0;
        const t0 = performance.now();
        for (let i = 0; i < events.length; i++) total += events[i].data.length;
        passes.push(Math.round(((performance.now() - t0) * 1e6) / events.length));
        if (total !== events.length * 64) throw new Error(`read ${total} chars`);
      }
      return passes;
    };
    const flood = (readInListener) =>
      new Promise((resolve, reject) => {
        const id = Math.floor(Math.random() * 1e9);
        const ws = new WebSocket(`${WS}/ws/data-read-${id}?flood=${N}&size=64`);
        const events = [];
        let chars = 0;
        ws.onmessage = (e) => {
          if (readInListener) chars += e.data.length;
          events.push(e);
          if (events.length === N) {
            ws.close();
            resolve(events);
          }
        };
        ws.onclose = (c) => events.length < N && reject(new Error(`closed ${c.code} after ${events.length}`));
        setTimeout(() => reject(new Error(`timeout after ${events.length} (${chars} chars)`)), 20_000);
      });
    const real = await flood(false);
    const realReadOnce = await flood(true);
    const synthetic = real.map((e) => new MessageEvent("message", { data: e.data }));
    return {
      "real, not read before": nsPerRead(real),
      "real, read once in the listener": nsPerRead(realReadOnce),
      synthetic: nsPerRead(synthetic),
    };
  }, WS);
  for (const [kind, passes] of Object.entries(out)) console.log(`${kind}: ${passes.join(", ")} ns per read`);
} finally {
  await browser.close();
}
