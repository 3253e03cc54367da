// The dashboard through the Vite dev server and its WebSocket proxy (what
// `scripts/demo.sh` runs): it connects and recovers from a restart.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  launchBrowser,
  openPage,
  pageNow,
  requireFaultServer,
  startVite,
  uniqueId,
  waitForRttPointsSince,
  waitForTestIdText,
  WEBSOCKET_FAILURE,
} from "./harness.mjs";

describe("dashboard (vite dev server)", () => {
  let server;
  let browser;

  before(async () => {
    await requireFaultServer();
    server = await startVite("dev");
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("connects through the dev proxy and reconnects after a restart", async () => {
    const client = uniqueId("e2e-dev");
    const { page, problems, context } = await openPage(browser, { allow: [WEBSOCKET_FAILURE] });
    try {
      await page.goto(`${server.url}/?client=${client}&initialDelayMs=50&maxDelayMs=300&heartbeatMs=250`);
      await waitForTestIdText(page, "state", /^open$/, 30_000);
      await page.locator('[data-testid="fault-restart"] + label input').fill("300");
      await page.getByTestId("fault-restart").click();
      await page.locator('[data-testid="timeline"] rect[data-state="reconnecting"]').first().waitFor();
      await waitForTestIdText(page, "state", /^open$/);
      await waitForRttPointsSince(page, await pageNow(page));
      assert.deepEqual(problems(), []);
      assert.doesNotMatch(server.output(), /Unhandled|uncaught|EPIPE.*\n\s+at /i, "no unhandled proxy error");
    } finally {
      await context.close();
    }
  });
});
