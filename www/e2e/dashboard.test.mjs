// The built dashboard (vite preview + its proxy) against the running fault
// server: connect, recover from a restart, explain a 4004, inspect, export.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  control,
  launchBrowser,
  openPage,
  pageNow,
  requireFaultServer,
  screenshotPath,
  startVite,
  uniqueId,
  until,
  waitForRttPointsSince,
  waitForTestIdText,
  WEBSOCKET_FAILURE,
} from "./harness.mjs";

/**
 * Short delays so faults resolve fast; a heartbeat so RTT is charted.
 * `overrides` replace those settings (the page reads the first of a repeated
 * parameter, so appending one would change nothing).
 */
function dashboardUrl(base, client, overrides = {}) {
  const params = new URLSearchParams({
    client,
    initialDelayMs: "50",
    maxDelayMs: "300",
    heartbeatMs: "250",
    heartbeatTimeoutMs: "2000",
  });
  for (const [name, value] of Object.entries(overrides)) params.set(name, String(value));
  return `${base}/?${params}`;
}

/** What the fault server recorded from client `id`: `{ messages: [{ connection, text }], ... }`. */
function received(id) {
  return control(`/clients/${encodeURIComponent(id)}/received`, { method: "GET" });
}

/** The fault server's connection numbers on which client `id` sent exactly `text`. */
async function connectionsThatSent(id, text) {
  return (await received(id)).messages.filter((m) => m.text === text).map((m) => m.connection);
}

/** A number shown in the stats panel (the first, for "a / b"). */
async function stat(page, name) {
  return Number((await page.getByTestId(`stat-${name}`).textContent()).split("/")[0]);
}

/** The replay value the tests set, exactly as the SDK sends it (JSON text as typed). */
const REVERB = '{"type":"param","plugin":"reverb","mix":0.3}';
const HELLO = '{"type":"hello","n":1}';

/** How many bands of `state` the timeline shows. */
function bands(page, state) {
  return page.locator(`[data-testid="timeline"] rect[data-state="${state}"]`).count();
}

describe("dashboard (vite preview)", () => {
  let server;
  let browser;

  before(async () => {
    await requireFaultServer();
    server = await startVite("preview");
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("connects, survives a server restart, inspects and exports", async () => {
    const client = uniqueId("e2e-dash");
    const { page, problems, context } = await openPage(browser, { allow: [WEBSOCKET_FAILURE] });
    try {
      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^open$/);
      assert.equal(await page.getByTestId("client-id").textContent(), client);

      // Replay store: a key set now is replayed after the restart.
      await page.getByTestId("replay-new-key").fill("plugin:reverb");
      await page.getByTestId("replay-new-value").fill(REVERB);
      await page.getByTestId("replay-add").click();
      await page.locator('[data-testid="replay-row"][data-key="plugin:reverb"]').waitFor();

      // Messages in and out for the inspector.
      await page.getByTestId("send-text").fill(HELLO);
      await page.getByTestId("send").click();
      await waitForTestIdText(page, "send-result", /^sent$/);
      await page.locator('[data-testid="inspector-row"][data-direction="in"]').first().waitFor();
      await page.locator('[data-testid="inspector-row"][data-direction="out"]').first().waitFor();

      // Restart: open -> reconnecting -> open, and the replay went out again.
      const reconnectingBefore = await bands(page, "reconnecting");
      await page.locator('[data-testid="fault-restart"] + label input').fill("300");
      await page.getByTestId("fault-restart").click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="timeline"] rect[data-state="reconnecting"]').length > n,
        reconnectingBefore,
      );
      await waitForTestIdText(page, "state", /^open$/);
      const reopenedAt = await pageNow(page);
      await waitForTestIdText(page, "last-replay", /plugin:reverb/);
      // The server got the key when it was set (connection 1) and again as
      // the first message of the connection after the restart (2).
      await until("the replayed key at the server", async () => {
        const seen = await connectionsThatSent(client, REVERB);
        return seen.length === 2 && seen[0] === 1 && seen[1] === 2;
      });
      // Once reopened, the retry is told in the past, not as still to come.
      await waitForTestIdText(page, "retry", /^retried after \d.*: reopened as connection \d+ at /);
      await waitForRttPointsSince(page, reopenedAt);

      // Inspector filters.
      await page.getByTestId("filter-direction").selectOption("in");
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[data-testid="inspector-row"]')];
        return rows.length > 0 && rows.every((r) => r.getAttribute("data-direction") === "in");
      });
      await page.getByTestId("filter-direction").selectOption("all");
      await page.getByTestId("filter-type").fill("hello");
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[data-testid="inspector-row"]')];
        return rows.length >= 2 && rows.every((r) => r.children[4]?.textContent === "hello");
      });
      await page.getByTestId("filter-type").fill("");

      // Export: a real download of valid JSON holding the messages.
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
      assert.match(download.suggestedFilename(), /^resilient-ws-inspector-.*\.json$/);
      const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
      // The message sent, whole, going out and coming back (the echo).
      assert.deepEqual(
        exported.filter((e) => e.preview === HELLO).map((e) => e.direction).sort(),
        ["in", "out"],
        "the export holds the message sent and its echo, exactly",
      );
      assert.deepEqual(await connectionsThatSent(client, HELLO), [1], "the server got it once, as sent");

      // A few heartbeats on the new connection, so the RTT chart has a line.
      await waitForRttPointsSince(page, reopenedAt, 4);
      const shot = screenshotPath("dashboard.png");
      await page.screenshot({ path: shot, fullPage: true });
      if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(shot, new URL("../../docs/dashboard.png", import.meta.url));

      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("explains a 4004 close and does not retry", async () => {
    const client = uniqueId("e2e-4004");
    const { page, problems, context } = await openPage(browser, { allow: [WEBSOCKET_FAILURE] });
    try {
      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("fault-close-4004").click();
      await waitForTestIdText(page, "close-code", /^4004$/);
      await waitForTestIdText(page, "state", /^closed$/);
      assert.match(await page.getByTestId("close-name").textContent(), /not found/i);
      assert.equal(await page.getByTestId("close-reason").textContent(), "project not found");
      assert.ok((await page.getByTestId("close-hint").textContent()).trim().length > 10, "a hint is shown");
      const stopped = await page.getByTestId("retry").textContent();
      assert.match(stopped, /^no retry: the policy for code 4004 is “stop”\. Fix the cause, then press Connect\.$/);

      // Connect again from the page: it opens a new connection, and the
      // panel no longer asks for one.
      await page.getByTestId("connect").click();
      await waitForTestIdText(page, "state", /^open$/);
      await waitForTestIdText(page, "retry", /^no retry; Connect: reopened as connection \d+ at /);

      // 1011 is retried, and told in the past once the socket reopened.
      await page.getByTestId("fault-close-1011").click();
      await waitForTestIdText(page, "close-code", /^1011$/);
      await waitForTestIdText(page, "state", /^open$/);
      await waitForTestIdText(page, "retry", /^retried after \d.*: reopened as connection \d+ at /);

      // Disconnect: the app closed it; there is nothing to fix.
      await page.getByTestId("disconnect").click();
      await waitForTestIdText(page, "state", /^closed$/);
      await waitForTestIdText(page, "close-code", /^1000$/);
      const byApp = await waitForTestIdText(page, "retry", /^closed by this app/);
      assert.match(byApp, /Press Connect/);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("detects a silent server by the heartbeat and reconnects", async () => {
    const client = uniqueId("e2e-silent");
    const { page, problems, context } = await openPage(browser);
    try {
      await page.goto(dashboardUrl(server.url, client, { heartbeatTimeoutMs: 400 }));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("fault-silent").click();
      await waitForTestIdText(page, "fault-silent", /Resume answering/);
      await page.waitForFunction(() =>
        /cause heartbeatTimeout/.test(document.querySelector('[data-testid="last-close"]')?.textContent ?? ""),
      );
      await waitForTestIdText(page, "state", /^open$/);
      await waitForTestIdText(page, "fault-silent", /Go silent/);

      // A reply that arrives after the connection changed speaks of the old
      // one: the new connection answers, so the button must not flip.
      let release;
      const released = new Promise((resolve) => (release = resolve));
      const silentCall = /\/control\/clients\/[^/]+\/silent/;
      await page.route(silentCall, async (route) => {
        const response = await route.fetch();
        await released;
        await route.fulfill({ response });
      });
      const connectionBefore = await stat(page, "connection");
      const connectionsBefore = (await received(client)).connections;
      await page.getByTestId("fault-silent").click();
      // The server went silent on that connection; the heartbeat replaces it.
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid="stat-connection"]')?.textContent) > n,
        connectionBefore,
      );
      await waitForTestIdText(page, "state", /^open$/);
      await until("the new connection at the server", async () => (await received(client)).connections > connectionsBefore);
      release();
      await waitForTestIdText(page, "fault-result", /^go silent: 200 /);
      assert.equal(await page.getByTestId("fault-silent").textContent(), "Go silent");
      await page.unroute(silentCall);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  // Every message in order is the SDK's (browser_faults.rs, 100,000 of
  // them); here the dashboard: its count is exact, its newest rows in order.
  it("takes a flood of 5000 messages: all counted, the newest shown in order", async () => {
    const client = uniqueId("e2e-flood");
    const { page, problems, context } = await openPage(browser);
    try {
      // No heartbeat: pongs would count as messages in and hide lost ones.
      await page.goto(dashboardUrl(server.url, client, { heartbeatMs: 0 }));
      await waitForTestIdText(page, "state", /^open$/);
      // Uptime moves between events (there are none now).
      const uptime = await page.getByTestId("stat-uptime").textContent();
      await page.waitForFunction(
        (before) => document.querySelector('[data-testid="stat-uptime"]')?.textContent !== before,
        uptime,
      );
      const before = await stat(page, "messages-in-out");
      await page.getByTestId("flood-count").fill("5000");
      await page.getByTestId("fault-flood").click();
      await page.waitForFunction((n) => {
        const text = document.querySelector('[data-testid="stat-messages-in-out"]')?.textContent ?? "";
        return Number(text.split("/")[0]) >= n;
      }, before + 5000);
      assert.equal(await stat(page, "messages-in-out"), before + 5000, "exactly the flood came in");
      // The newest rows are the flood's last messages (`i:` padded), in order.
      await waitForTestIdText(page, "inspector-row", /^\d+↓ in.*4999:\.+$/);
      const previews = await page.locator('[data-testid="inspector-row"] td.preview').allTextContents();
      assert.ok(previews.length > 10, `rows shown: ${previews.length}`);
      assert.deepEqual(
        previews.map((p) => Number(p.split(":")[0])),
        previews.map((_, i) => 4999 - i),
      );
      assert.equal(await page.getByTestId("state").textContent(), "open");
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("explains a frame the browser refused as a 1006 after opening, then recovers", async () => {
    const client = uniqueId("e2e-bad-frame");
    const { page, problems, context } = await openPage(browser, { allow: [WEBSOCKET_FAILURE] });
    try {
      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("fault-bad-frame").click();
      await waitForTestIdText(page, "fault-result", /^bad frame: 200 /);
      await page.waitForFunction(() => /after opening/.test(document.querySelector('[data-testid="last-close"]')?.textContent ?? ""));
      assert.equal(await page.getByTestId("close-code").textContent(), "1006");
      assert.match(await page.getByTestId("close-hint").textContent(), /the browser refused a frame from the server/);
      await waitForTestIdText(page, "retry", /^retried after \d.*: reopened as connection 2 at /);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("shows a rejected upgrade, then recovers", async () => {
    const client = uniqueId("e2e-403");
    const { page, problems, context } = await openPage(browser, { allow: [WEBSOCKET_FAILURE] });
    try {
      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("fault-reject-403").click();
      await waitForTestIdText(page, "fault-result", /reject/);
      assert.equal(await page.getByTestId("fault-result").getAttribute("class"), "muted", "the control call succeeded");
      await page.getByTestId("fault-drop").click();
      // The drop closes with 1006 after opening; the rejected attempt with
      // 1006 before opening, which the SDK explains as a refused handshake.
      await page.waitForFunction(() => /before opening/.test(document.querySelector('[data-testid="last-close"]')?.textContent ?? ""));
      assert.equal(await page.getByTestId("close-code").textContent(), "1006");
      const hint = await page.getByTestId("close-hint").textContent();
      assert.match(hint, /^the handshake never completed: the server refused the upgrade \(HTTP 403\/404\)/);
      await waitForTestIdText(page, "state", /^open$/);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("says when the SDK stopped retrying (maxAttempts)", async () => {
    const client = uniqueId("e2e-give-up");
    const { page, problems, context } = await openPage(browser, { allow: [WEBSOCKET_FAILURE] });
    try {
      await page.goto(dashboardUrl(server.url, client, { maxAttempts: 1 }));
      await waitForTestIdText(page, "state", /^open$/);
      // The drop uses the one retry; the server refuses it.
      await control(`/clients/${client}/next?reject=403`);
      await control(`/clients/${client}/drop`);
      await waitForTestIdText(page, "state", /^closed$/);
      const retry = await waitForTestIdText(page, "retry", /^no retry/);
      assert.match(retry, /stopped retrying \(reconnect\.maxAttempts used up/);
      assert.match(await page.getByTestId("close-hint").textContent(), /^the handshake never completed/);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("explains a URL the browser refuses to open and does not retry it", async () => {
    const client = uniqueId("e2e-refused");
    const { page, problems, context } = await openPage(browser);
    try {
      // As Chromium's WebSocket throws for ws:// from an https page (this
      // page is http): for this client's URL only.
      await page.addInitScript((marker) => {
        const BrowserWebSocket = window.WebSocket;
        window.WebSocket = class extends BrowserWebSocket {
          constructor(url, protocols) {
            if (String(url).includes(marker)) {
              throw new DOMException("An insecure WebSocket connection may not be initiated from a page loaded over HTTPS.", "SecurityError");
            }
            super(url, protocols);
          }
        };
      }, client);
      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^closed$/);
      const retry = await waitForTestIdText(page, "retry", /^no retry/);
      assert.match(retry, /the browser refused to open this URL/);
      assert.match(await page.getByTestId("last-close").textContent(), /cause refused/);
      assert.match(await page.getByTestId("close-hint").textContent(), /^the browser refused to open the socket/);
      assert.equal(await stat(page, "reconnects"), 0, "not retried");
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("says when a fault reached no connection, and offers none for a socket on another host", async () => {
    const client = uniqueId("e2e-fault-target");
    const { page, problems, context } = await openPage(browser);
    try {
      // Not connected: the fault server has no connection of this client.
      await page.goto(dashboardUrl(server.url, client, { autoConnect: 0 }));
      await waitForTestIdText(page, "client-id", new RegExp(`^${client}$`));
      await page.getByTestId("fault-close-4004").click();
      await waitForTestIdText(page, "fault-result", /nothing happened/);
      assert.equal(await page.getByTestId("fault-result").getAttribute("class"), "warning");
      assert.match(await page.getByTestId("fault-result").textContent(), /^close 4004: 200 /);

      // A URL to another host is not this fault server's client, even with
      // a /ws/<id> path; `client` next to `url` is named as ignored.
      const elsewhere = `ws://127.0.0.1:1/ws/${client}`;
      await page.goto(`${server.url}/?${new URLSearchParams({ client, url: elsewhere, autoConnect: "0" })}`);
      await waitForTestIdText(page, "ignored-params", new RegExp(`client=${client}: the url parameter names the socket`));
      assert.equal(await page.getByTestId("url").inputValue(), elsewhere);
      assert.equal(await page.getByTestId("client-id").count(), 0);
      for (const button of ["fault-silent", "fault-close-4004", "fault-flood", "fault-drop", "fault-bad-frame", "fault-reject-403"]) {
        assert.ok(await page.getByTestId(button).isDisabled(), `${button} is disabled`);
      }
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("carries replay keys to a new URL and empties a paused inspector", async () => {
    const first = uniqueId("e2e-url-a");
    const second = uniqueId("e2e-url-b");
    const { page, problems, context } = await openPage(browser);
    try {
      await page.goto(dashboardUrl(server.url, first));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("replay-new-key").fill("plugin:reverb");
      await page.getByTestId("replay-new-value").fill(REVERB);
      await page.getByTestId("replay-add").click();
      await page.getByTestId("send-text").fill(HELLO);
      await page.getByTestId("send").click();
      await page.locator('[data-testid="inspector-row"][data-direction="in"]').first().waitFor();
      await until("the key at the first client", async () => (await connectionsThatSent(first, REVERB)).length === 1);

      // Pause, then point the dashboard at another client.
      await page.getByTestId("inspector-pause").check();
      const url = await page.getByTestId("url").inputValue();
      await page.getByTestId("url").fill(url.replace(first, second));
      await page.getByTestId("connect").click();
      await waitForTestIdText(page, "client-id", new RegExp(`^${second}$`));

      // The new socket got the key: it is listed, said to be carried over,
      // and reached the server on its first connection.
      await until("the key at the second client", async () => {
        const seen = await connectionsThatSent(second, REVERB);
        return seen.length === 1 && seen[0] === 1;
      });
      await waitForTestIdText(page, "replay-carried", /^1 key\(s\) carried over/);
      await page.locator('[data-testid="replay-row"][data-key="plugin:reverb"]').waitFor();
      await waitForTestIdText(page, "state", /^open$/);

      // Paused, the table holds nothing of the old socket.
      await waitForTestIdText(page, "inspector-count", /^0 shown of 0 kept$/);
      assert.equal(await page.locator('[data-testid="inspector-row"]').count(), 0);

      // Live again: the new socket's messages, starting with the replay.
      await page.getByTestId("inspector-pause").uncheck();
      await page.locator('[data-testid="inspector-row"][data-direction="out"]').first().waitFor();
      const previews = await page.locator('[data-testid="inspector-row"] td.preview').allTextContents();
      assert.ok(previews.includes(REVERB), "the replayed key is in the new socket's inspector");
      assert.ok(!previews.includes(HELLO), "the old socket's message is not");
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("shows options the SDK refuses instead of a blank page, refuses a non-ws URL inline, names ignored parameters, and gives each page load its own client id", async () => {
    // An initial delay above the maximum: the SDK's constructor throws, the
    // hook rethrows from its effect, the error boundary shows the message.
    const client = uniqueId("e2e-bad-options");
    const { page, problems, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/?client=${client}&initialDelayMs=20000&maxDelayMs=300`);
      await waitForTestIdText(page, "dashboard-error-message", /initialDelayMs/);
      assert.ok(
        problems().every((p) => p.includes("initialDelayMs")),
        `only the refused option is reported: ${JSON.stringify(problems())}`,
      );

      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("url").fill("http://localhost/ws/x");
      await page.getByTestId("connect").click();
      await waitForTestIdText(page, "url-problem", /ws:\/\/ or wss:\/\//);
      await page.getByTestId("url").fill("ws://localhost:70000/ws/x");
      await page.getByTestId("connect").click();
      await waitForTestIdText(page, "url-problem", /cannot parse/);
      assert.equal(await page.getByTestId("state").textContent(), "open");
      assert.deepEqual(problems().filter((p) => !p.includes("initialDelayMs")), []);

      // Parameters the dashboard cannot use are named on the page, not
      // silently replaced by defaults.
      await page.goto(`${server.url}/?client=${client}&heartbeatMs=abc&maxAttempts=-1&autoConnect=0`);
      await waitForTestIdText(page, "ignored-params", /heartbeatMs=abc: not a whole number >= 0 \(using 2000\)/);
      assert.match(await page.getByTestId("ignored-params").textContent(), /maxAttempts=-1/);
      await page.goto(`${server.url}/?client=a%2Fb&autoConnect=0`);
      await waitForTestIdText(page, "ignored-params", /client=a\/b: not a fault-server client id/);
      // Without a usable `client`, each page load has its own id, so one
      // tab's fault buttons do not act on another's socket (also a
      // duplicated tab's: the id is not kept in sessionStorage).
      const pageId = /^dashboard-[0-9a-f]{8}$/;
      const firstId = await page.getByTestId("client-id").textContent();
      assert.match(firstId, pageId);
      await page.evaluate(() => sessionStorage.setItem("copied", "1"));
      await page.goto(`${server.url}/?autoConnect=0`);
      await waitForTestIdText(page, "client-id", pageId);
      assert.equal(await page.evaluate(() => sessionStorage.getItem("copied")), "1", "same tab session");
      assert.notEqual(await page.getByTestId("client-id").textContent(), firstId, "another load, another id");
    } finally {
      await context.close();
    }
  });
});
