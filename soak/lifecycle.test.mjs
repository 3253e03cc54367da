// Page lifecycle against the heartbeat, in Chromium with the built package
// (soak/page): throttled or late timers must not make the SDK declare a
// healthy peer dead (DESIGN.md: "a late wake-up sends a fresh ping instead
// of declaring the peer dead"), and a page the browser froze must come back
// connected.
//
// - stalled: a ping goes unanswered (the server is silent for a moment) and
//   the main thread is blocked for 3 s right after it, so the pong timeout
//   fires 2.5 s late, as in a throttled background tab. The SDK must send a
//   fresh ping instead of declaring the peer dead (stats().lateWakeups);
//   the server answers it; the socket stays open.
// - frozen: Page.setWebLifecycleState "frozen" for 5 s (timers and tasks
//   stop, the page is hidden), then "active" (still hidden: timers
//   throttled to about once a second) for 3 s, then shown. Chromium itself
//   closes a frozen page's WebSockets (a plain WebSocket in the same page is
//   the control); the SDK must then reconnect on resume, never report a
//   heartbeat timeout, and keep its heartbeat going while hidden. If the
//   browser keeps the plain socket, the SDK's must stay open too.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  FAULT, control, launchBrowserForLifecycle, openSoakPage, requireFaultServer, startStaticServer, uniqueId,
} from "./lib/harness.mjs";

const HEARTBEAT = { intervalMs: 500, timeoutMs: 500 };
let server;
let chromium;

before(async () => {
  await requireFaultServer();
  server = await startStaticServer();
  chromium = await launchBrowserForLifecycle();
});

after(async () => {
  await chromium?.close();
  await server?.close();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A page with the SDK connected to a fresh client id, two pongs seen. */
async function connectedPage(name) {
  const opened = await openSoakPage(chromium.browser, server.url, { context: chromium.context });
  const { page } = opened;
  const id = uniqueId(name);
  await page.evaluate(() => window.soak.watchLifecycle());
  await page.evaluate((a) => window.soak.create(a), {
    url: `${FAULT.ws}/ws/${id}`,
    options: { heartbeat: HEARTBEAT, reconnect: { initialDelayMs: 50, jitter: "none" } },
    logEvents: true,
  });
  await page.evaluate(() => window.soak.nextEvent("heartbeat", 3_000));
  await page.evaluate(() => window.soak.nextEvent("heartbeat", 3_000));
  return { ...opened, id };
}

async function snapshot(page, since) {
  const [lifecycle, stats, events] = await Promise.all([
    page.evaluate(() => window.soak.lifecycle()),
    page.evaluate(() => window.soak.stats()),
    page.evaluate(() => window.soak.events()),
  ]);
  const recent = events.filter((e) => e.at > since);
  return { lifecycle, stats, events: recent, context: JSON.stringify({ lifecycle, stats, events: recent }) };
}

test("a pong timeout 2.5 s late (main thread stalled 3 s): a fresh ping, not a dead peer; the socket stays open", async () => {
  const { page, problems, id } = await connectedPage("stalled");
  await page.evaluate(() => window.soak.nextEvent("heartbeat", 3_000));
  // The next ping (due in about 500 ms) gets no pong...
  await control(`/clients/${id}/silent?on=1`);
  // ...and the page stalls for 3 s right after sending it.
  const stalled = page.evaluate(() => window.soak.stallAfterNextSend(3_000));
  await sleep(1_500);
  await control(`/clients/${id}/silent?on=0`);
  const { start, end } = await stalled;
  // Wait for the heartbeat to read a normal RTT again. The first pong after
  // the stall answers the fresh ping, but pongs are taken in order and the
  // silent server never answered the ping before it, so that first RTT is
  // counted from the unanswered ping (about 3 s); the next is normal. (Not
  // `nextEvent`: the first pong may arrive before it is called.)
  await page.waitForFunction(
    (after) => window.soak.events().some((e) => e.type === "heartbeat" && e.at > after && e.rttMs < 1_000),
    end,
    { timeout: 5_000, polling: 50 },
  );
  const { lifecycle, stats, events, context } = await snapshot(page, start);
  const pongs = events.filter((e) => e.type === "heartbeat" && e.at > end);

  assert.ok(end - start >= 3_000 && lifecycle.maxGapMs >= 2_900, `timers really were late: ${context}`);
  assert.deepEqual(events.filter((e) => e.type === "close"), [], `no close, no heartbeatTimeout: ${context}`);
  assert.equal(stats.state, "open", context);
  assert.equal(stats.connection, 1, `the same connection: ${context}`);
  assert.equal(stats.lateWakeups, 1, `the late pong timeout was treated as throttling: ${context}`);
  // The fresh ping went out at the late wake-up and was answered before the
  // next interval's ping would have been (500 ms).
  assert.ok(pongs[0].at - end < 450, `the fresh ping was answered at once: ${context}`);
  assert.ok(pongs.some((e) => e.rttMs < 1_000), `the RTT is normal again: ${context}`);
  const serverStats = await control(`/clients/${id}/stats`, "GET");
  assert.equal(serverStats.connections, 1, "no reconnect at the server");
  assert.deepEqual(problems(), []);
  await page.evaluate(() => window.soak.dispose());
  await page.close();
});

test("frozen 5 s, then hidden 3 s: no heartbeat timeout; the SDK is connected after, as the browser allows", async () => {
  const { page, cdp, problems, id } = await connectedPage("frozen");
  const rawId = uniqueId("frozen-control");
  await page.evaluate((url) => window.soak.openRaw(url), `${FAULT.ws}/ws/${rawId}`);

  const frozenAt = await page.evaluate(() => performance.now());
  await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
  await sleep(5_000);
  const whileFrozen = await control(`/clients/${id}/stats`, "GET");
  await cdp.send("Page.setWebLifecycleState", { state: "active" });
  await sleep(3_000);
  const hidden = await page.evaluate(() => document.visibilityState);
  const hiddenSnapshot = await snapshot(page, frozenAt);
  await page.bringToFront();
  const pong = await page.evaluate(() => window.soak.nextEvent("heartbeat", 5_000));
  const { lifecycle, stats, events, context } = await snapshot(page, frozenAt);
  const raw = await page.evaluate(() => window.soak.raw());

  // The page really was frozen, then hidden.
  assert.equal(lifecycle.freeze, 1, `one freeze event: ${context}`);
  assert.equal(lifecycle.resume, 1, `one resume event: ${context}`);
  assert.ok(lifecycle.maxGapMs >= 4_000, `no timer ran while frozen: ${context}`);
  assert.equal(hidden, "hidden");
  assert.equal(whileFrozen.open, 1, "the server kept the connection while the page was frozen");

  const closes = events.filter((e) => e.type === "close");
  assert.deepEqual(closes.filter((e) => e.cause === "heartbeatTimeout"), [], `no heartbeat timeout: ${context}`);
  if (raw.readyState === 3) {
    // The browser closed the page's sockets: one close, reported as a drop,
    // and one reconnect.
    assert.equal(closes.length, 1, `one close: ${context}`);
    assert.equal(closes[0].code, 1006, context);
    assert.equal(closes[0].willReconnect, true, context);
    assert.equal(stats.connection, 2, `reconnected once: ${context}`);
  } else {
    assert.deepEqual(closes, [], `the browser kept the sockets, so must the SDK: ${context}`);
    assert.equal(stats.connection, 1, context);
    assert.ok(stats.lateWakeups >= 1, `the late timer was treated as throttling: ${context}`);
  }
  assert.equal(stats.state, "open", context);
  // While hidden (throttled timers) the heartbeat went on without a timeout:
  // a pong after the resume (one just before the freeze took effect would
  // also be after frozenAt).
  const resumedAt = hiddenSnapshot.lifecycle.resumedAt;
  assert.ok(typeof resumedAt === "number", `the resume's time: ${hiddenSnapshot.context}`);
  assert.ok(
    hiddenSnapshot.events.some((e) => e.type === "heartbeat" && e.at > resumedAt),
    `a pong while hidden: ${hiddenSnapshot.context}`,
  );
  assert.ok(pong.at > frozenAt && typeof pong.rttMs === "number", `an RTT after: ${context}`);
  const serverStats = await control(`/clients/${id}/stats`, "GET");
  assert.equal(serverStats.open, 1, "one connection open at the server");
  assert.equal(serverStats.connections, stats.connection);
  assert.deepEqual(problems(), []);
  await page.evaluate(() => window.soak.dispose());
  await page.close();
});
