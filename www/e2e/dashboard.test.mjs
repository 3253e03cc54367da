// The built dashboard (vite preview + its proxy) against the running fault
// server: connect, recover from a restart, explain a 4004, inspect, export.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  launchBrowser,
  openPage,
  pageNow,
  requireFaultServer,
  screenshotPath,
  startVite,
  uniqueId,
  waitForRttPointsSince,
  waitForTestIdText,
  WEBSOCKET_FAILURE,
} from "./harness.mjs";

/** Short delays so faults resolve fast; a heartbeat so RTT is charted. */
function dashboardUrl(base, client) {
  return `${base}/?client=${client}&initialDelayMs=50&maxDelayMs=300&heartbeatMs=250&heartbeatTimeoutMs=2000`;
}

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
      await page.getByTestId("replay-new-value").fill('{"type":"param","mix":0.3}');
      await page.getByTestId("replay-add").click();
      await page.locator('[data-testid="replay-row"][data-key="plugin:reverb"]').waitFor();

      // Messages in and out for the inspector.
      await page.getByTestId("send-text").fill('{"type":"hello","n":1}');
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
      await waitForTestIdText(page, "retry", /^retries/);
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
      const text = JSON.stringify(exported);
      assert.ok(text.includes("hello"), "the export holds the message sent");

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
      assert.match(await page.getByTestId("retry").textContent(), /no retry/);

      // Connect again from the page: it opens a new connection.
      await page.getByTestId("connect").click();
      await waitForTestIdText(page, "state", /^open$/);

      // 1011 is retried.
      await page.getByTestId("fault-close-1011").click();
      await waitForTestIdText(page, "close-code", /^1011$/);
      await waitForTestIdText(page, "state", /^open$/);
      assert.doesNotMatch(await page.getByTestId("retry").textContent(), /no retry/);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("detects a silent server by the heartbeat and reconnects", async () => {
    const client = uniqueId("e2e-silent");
    const { page, problems, context } = await openPage(browser);
    try {
      await page.goto(`${dashboardUrl(server.url, client)}&heartbeatTimeoutMs=400`);
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("fault-silent").click();
      await page.waitForFunction(() =>
        /cause heartbeatTimeout/.test(document.querySelector('[data-testid="last-close"]')?.textContent ?? ""),
      );
      await waitForTestIdText(page, "state", /^open$/);
      await waitForTestIdText(page, "fault-silent", /Go silent/);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });

  it("takes a flood of 5000 messages", async () => {
    const client = uniqueId("e2e-flood");
    const { page, problems, context } = await openPage(browser);
    try {
      await page.goto(dashboardUrl(server.url, client));
      await waitForTestIdText(page, "state", /^open$/);
      await page.getByTestId("flood-count").fill("5000");
      await page.getByTestId("fault-flood").click();
      await page.waitForFunction(() => {
        const text = document.querySelector('[data-testid="stat-messages-in-out"]')?.textContent ?? "";
        return Number(text.split("/")[0]) >= 5000;
      });
      assert.equal(await page.getByTestId("state").textContent(), "open");
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
      // The drop closes with 1006 after opening; the rejected attempt with 1006 before opening.
      await page.waitForFunction(() => /before opening/.test(document.querySelector('[data-testid="last-close"]')?.textContent ?? ""));
      await waitForTestIdText(page, "state", /^open$/);
      assert.deepEqual(problems(), []);
    } finally {
      await context.close();
    }
  });
  it("shows options the SDK refuses instead of a blank page, and refuses a non-ws URL inline", async () => {
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
    } finally {
      await context.close();
    }
  });
});
