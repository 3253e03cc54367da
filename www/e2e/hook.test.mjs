// useResilientSocket mounted under React.StrictMode (hook-test.html): exactly
// one browser socket per mounted hook, none after unmount, no reconnect for
// an equal options object, one new socket for changed options, no console
// errors. Runs on the dev server (where StrictMode double-mounts) and on the
// production build; on the dev server, Fast Refresh edits of the component
// that uses the hook (state kept, or remounted) leave exactly one working
// socket.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  control,
  launchBrowser,
  openPage,
  requireFaultServer,
  startVite,
  uniqueId,
  until,
  waitForTestIdText,
  WWW,
} from "./harness.mjs";

const PROBE = join(WWW, "src/hook-test/HookProbe.tsx");
/** The lines of HookProbe.tsx the Fast Refresh test edits (whatever a killed run left in them). */
const EDITION_LINE = /const EDITION = "[^"]*";/;
const HOOK_LINE = /^( *)(?:useRef\(0\); )?(\/\* fast-refresh: .*\*\/)$/m;
/** HookProbe.tsx with `name` rendered, and an extra hook (a new hook signature: React remounts) or not. */
function probeSource(source, name, extraHook) {
  return source
    .replace(EDITION_LINE, `const EDITION = "${name}";`)
    .replace(HOOK_LINE, extraHook ? "$1useRef(0); $2" : "$1$2");
}

const sockets = (page) =>
  page.evaluate(() => ({ created: window.socketTracker.all.length, live: window.socketTracker.live() }));

/** What the fault server received from `id`, once it saw `connections` connections, the last one open. */
async function receivedOnceOpen(id, connections) {
  const received = () => control(`/clients/${encodeURIComponent(id)}/received`, { method: "GET" });
  await until(`the server to see ${connections} connections, 1 open`, async () => {
    const r = await received();
    return r.connections === connections && r.open === 1;
  });
  return received();
}

/** Resolves once HookProbe committed again (its effects, and the hook's, ran). */
async function afterCommit(page, action) {
  const before = await page.evaluate(() => window.probeCommits);
  await action();
  await page.waitForFunction((n) => window.probeCommits > n, before);
}

for (const mode of ["dev", "preview"]) {
  describe(`useResilientSocket under StrictMode (vite ${mode})`, () => {
    let server;
    let browser;

    before(async () => {
      await requireFaultServer();
      server = await startVite(mode);
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    it("survives a close() code whose valueOf frees the socket (the package's glue)", async () => {
      // The glue read the socket's pointer, then the browser converted the
      // code at the call into WASM: a `valueOf` that called free() there
      // freed the socket under the call (a use after free). The code is now
      // converted inside the call, which holds the socket.
      const id = uniqueId(`e2e-close-valueof-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}`);
        // The package's module finishes (its WASM instantiated) after `load`.
        await page.waitForFunction(() => typeof window.ResilientSocket === "function");
        const outcome = await page.evaluate(async (id) => {
          const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/${id}`;
          const opened = (socket) => new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
          const first = new window.ResilientSocket(url);
          await opened(first);
          const closed = new Promise((resolve) => {
            first.addEventListener("close", (e) => resolve(e.code), { once: true });
            setTimeout(() => resolve("no close event in 5 s"), 5_000);
          });
          let thrown = null;
          try {
            first.close({ valueOf: () => (first.free(), 4000) });
          } catch (error) {
            thrown = String(error);
          }
          const code = await closed;
          // The allocator still works: another socket opens and echoes.
          const second = new window.ResilientSocket(url);
          await opened(second);
          const echoed = new Promise((resolve) => second.addEventListener("message", (e) => resolve(e.data), { once: true }));
          second.send("after free");
          const echo = await echoed;
          second.close();
          return { thrown, code, echo };
        }, id);
        assert.deepEqual(outcome, { thrown: null, code: 4000, echo: "after free" });
        assert.deepEqual(problems(), []);
      } finally {
        await context.close();
      }
    });

    it("reports an early send the socket refuses, and still closes the socket on unmount", async () => {
      // queue.maxMessages 0: the child effect's send waits for the socket,
      // which refuses it while connecting. The hook's effect must not throw
      // (an effect that throws gets no cleanup: the socket would leak).
      const id = uniqueId(`e2e-hook-noqueue-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&queue=0`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        await until("the refused send to be reported", async () => problems().length > 0);
        const reported = problems();
        assert.ok(
          reported.length >= 1 && reported.every((p) => p.includes("can never be queued")),
          `only the refused send is reported: ${JSON.stringify(reported)}`,
        );
        await page.getByTestId("unmount").click();
        await until("the socket to close after unmount", async () => (await sockets(page)).live === 0);
      } finally {
        await context.close();
      }
    });

    it("throws from its effect for invalid options, and its send drops and reports from then on", async () => {
      // React gives an effect that throws no cleanup: a kept `send` must not
      // queue for a socket that never comes. Nor may it throw: React runs
      // the children's cleanups while it removes the component, and a
      // second error could take the first one's place in the boundary.
      const id = uniqueId(`e2e-hook-invalid-${mode}`);
      const { page, problems, context } = await openPage(browser, {
        allow: [/reconnect\.initialDelayMs/, /error boundary|ProbeBoundary|The above error/],
      });
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&invalid=1`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "probe-error", /reconnect\.initialDelayMs/);
        const sent = await page.evaluate(() => {
          try {
            return `returned ${window.probeSend("late")}`;
          } catch (error) {
            return `threw ${error.message}`;
          }
        });
        assert.equal(sent, "returned false");
        assert.deepEqual(await sockets(page), { created: 0, live: 0 });
        // The probe child's "early" (dropped with the failed effect), its
        // "leave" (from its cleanup as the boundary removed it) and the late
        // send are reported; nothing threw.
        const reported = problems().filter((p) => p.startsWith("pageerror"));
        assert.ok(reported.length >= 3, JSON.stringify(reported));
        assert.ok(
          reported.every((p) => /could not be created/.test(p)),
          `only the dropped sends are reported: ${JSON.stringify(reported)}`,
        );
      } finally {
        await context.close();
      }
    });

    it("refuses options holding a revoked Proxy by name, from its effect, not from render", async () => {
      // A stale Immer draft throws on every read: the hook must not throw it
      // while rendering (its key reads the options), but hand the options
      // to the SDK, whose Error names the option, from the effect.
      const id = uniqueId(`e2e-hook-revoked-${mode}`);
      const { page, problems, context } = await openPage(browser, {
        allow: [/invalid option `reconnect`/, /error boundary|ProbeBoundary|The above error/],
      });
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&invalid=revoked`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "probe-error", /^invalid option `reconnect`: reading it threw: TypeError/);
        assert.deepEqual(await sockets(page), { created: 0, live: 0 });
        const reported = problems().filter((p) => p.startsWith("pageerror"));
        assert.ok(
          reported.every((p) => /could not be created/.test(p)),
          `only the dropped sends are reported: ${JSON.stringify(reported)}`,
        );
      } finally {
        await context.close();
      }
    });

    it("applies queue.maxMessages and overflow dropOldest to what waits while url is null", async () => {
      // nourl=1: no socket until "give url"; dropOldest=3: at most 3 wait,
      // the oldest dropped. The child's early send (and, under StrictMode's
      // double mount, its leave and second early) wait too, before ours.
      const id = uniqueId(`e2e-hook-nourl-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&nourl=1&dropOldest=3`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^idle$/);
        const returned = await page.evaluate(() =>
          [1, 2, 3, 4, 5].map((n) => window.probeSend(JSON.stringify({ type: "waited", n }))),
        );
        assert.deepEqual(returned, [false, false, false, false, false], "each waits (none throws)");
        assert.deepEqual(await sockets(page), { created: 0, live: 0 });
        await page.getByTestId("give-url").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        await until("the waiting messages at the server", async () => {
          const received = await control(`/clients/${encodeURIComponent(id)}/received`, { method: "GET" });
          return received.messages.filter((m) => m.text.includes('"waited"')).length >= 3;
        });
        const received = await control(`/clients/${encodeURIComponent(id)}/received`, { method: "GET" });
        const waited = received.messages.filter((m) => m.text.includes('"waited"')).map((m) => JSON.parse(m.text).n);
        assert.deepEqual(waited, [3, 4, 5], "the newest 3, in order");
        assert.ok(!received.messages.some((m) => m.text.includes('"early"')), "the child's early send was among the dropped");
        await until("the drops to be reported", async () => problems().length > 0);
        const reported = problems();
        assert.equal(reported.length, 1, JSON.stringify(reported));
        assert.match(reported[0], /message\(s\) sent while there was no socket were dropped, oldest first \(queue\.overflow "dropOldest"\)/);
      } finally {
        await context.close();
      }
    });

    it("reports the queued messages of a socket it replaces", async () => {
      // hang=1: the handshake never completes, so every send queues.
      const id = uniqueId(`e2e-hook-replace-${mode}`);
      const { page, problems, context } = await openPage(browser, {
        allow: [/WebSocket connection to .* failed/],
      });
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&hang=1`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^connecting$/);
        await page.getByTestId("hook-send").click();
        await afterCommit(page, () => page.getByTestId("change-options").click());
        await until("the dropped queue to be reported", async () => problems().length > 0);
        const reported = problems();
        assert.equal(reported.length, 1, JSON.stringify(reported));
        assert.match(reported[0], /url or options changed; the replaced socket's \d+ queued message\(s\) were dropped/);
        // The new socket hangs too: at unmount what it queued (the child's
        // early send) and what the child's cleanup sent (its leave) are
        // reported as dropped.
        await page.getByTestId("unmount").click();
        await until("every socket to close after unmount", async () => (await sockets(page)).live === 0);
        await until("the unmount's drops to be reported", async () => problems().length >= 3);
        const atUnmount = problems().slice(1);
        assert.equal(atUnmount.length, 2, JSON.stringify(atUnmount));
        assert.ok(atUnmount.some((p) => /the socket let go when the component unmounted \(or an <Activity> hid it\) dropped its 1 queued message\(s\)/.test(p)), JSON.stringify(atUnmount));
        assert.ok(atUnmount.some((p) => /1 message\(s\) were dropped: there was no open socket when the component unmounted/.test(p)), JSON.stringify(atUnmount));
      } finally {
        await context.close();
      }
    });

    it("gives effects later in the commit that replaces the socket a live one, then the new one", async () => {
      // replay=1: an effect declared after the hook, keyed on `socket`, sets
      // replay state. In the commit that changes the options it still holds
      // the replaced socket, which must not be disposed yet (setReplayState
      // throws on a disposed socket), and it runs again with the new one.
      const id = uniqueId(`e2e-hook-replace-replay-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&replay=1`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        await afterCommit(page, () => page.getByTestId("change-options").click());
        await waitForTestIdText(page, "hook-state", /^open$/);
        await until("the old socket to close", async () => (await sockets(page)).live === 1);
        assert.deepEqual(await sockets(page), { created: 2, live: 1 });
        assert.equal(await page.getByTestId("probe-error").count(), 0, "no effect threw");
        // The new connection gets the new options' replay state (the old
        // one may get it too, from the effect that still held it).
        await receivedOnceOpen(id, 2);
        const newReplay = (m) => m.connection === 2 && m.text === '{"type":"replay","variant":2}';
        await until("the new connection's replay state", async () => {
          const received = await control(`/clients/${encodeURIComponent(id)}/received`, { method: "GET" });
          return received.messages.some(newReplay);
        });
        assert.deepEqual(problems(), []);
      } finally {
        await context.close();
      }
    });

    it("does not re-render for messages a component never reads", async () => {
      // quiet=1: the probe uses state, stats and send, never lastMessage.
      // Its stats are then refreshed by connection events only: after its
      // own message listener saw the echoes, a re-render still shows the
      // message count of the last connection event (0, at open).
      const id = uniqueId(`e2e-hook-quiet-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&quiet=1`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        await page.getByTestId("hook-send").click();
        await page.waitForFunction(() => window.probeMessages.some((m) => m.includes('"from":"hook"')));
        await afterCommit(page, () => page.getByTestId("rerender").click());
        assert.equal(await page.getByTestId("hook-messages-in").textContent(), "0");

        // Reading it (the default probe) turns message re-renders on.
        await page.goto(`${server.url}/hook-test.html?id=${id}-reads`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        await page.getByTestId("hook-send").click();
        await waitForTestIdText(page, "hook-messages-in", /^[1-9]/);
        assert.deepEqual(problems(), []);
      } finally {
        await context.close();
      }
    });

    it("disposes the socket while <Activity> hides the component, and opens one new socket when shown", async () => {
      // React runs effect cleanups when an Activity boundary hides, and keeps
      // the state: the hook must let the socket go (the child's "leave" goes
      // out first) and show no socket while hidden, so that an effect keyed
      // on `socket` (replay=1: setReplayState, which throws on a disposed
      // socket) never gets the disposed one on show. Shown again, exactly one
      // new socket opens, which the show's effects send to: the child's
      // passive effect (it runs before the hook's) and its layout effect
      // (layout=1), also when a transition runs the passive effects later.
      const id = uniqueId(`e2e-hook-activity-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}&replay=1&layout=1`);
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        assert.deepEqual(await sockets(page), { created: 1, live: 1 });

        await page.getByTestId("toggle-hidden").click();
        await until("the hidden component's socket to close", async () => (await sockets(page)).live === 0);
        assert.equal((await sockets(page)).created, 1);
        await waitForTestIdText(page, "hook-state", /^idle$/);
        // Data no socket would take throws at once, socket or not.
        assert.match(
          await page.evaluate(() => {
            try {
              return `returned ${window.probeSend({ type: "object" })}`;
            } catch (error) {
              return error.message;
            }
          }),
          /^send: data is a plain object/,
        );
        // A send while hidden has no socket to go to: dropped and reported.
        assert.equal(await page.evaluate(() => window.probeSend("while hidden")), false);
        await until("the send while hidden to be reported", async () => problems().length > 0);
        assert.deepEqual(
          problems().map((p) => /1 message\(s\) were dropped: they were sent after the component unmounted \(or while an <Activity> hid it\)/.test(p)),
          [true],
          JSON.stringify(problems()),
        );

        // Shown by a click (its effects run in the same task), hidden again,
        // then shown in a transition (its passive effects may come later).
        await page.getByTestId("toggle-hidden").click();
        await until("one new socket when shown", async () => (await sockets(page)).created === 2);
        // Open before hiding again: a cleanup's send reaches only an open
        // socket (one still connecting drops it, reported), and the check
        // below is that the hide's cleanup sends before the dispose.
        await waitForTestIdText(page, "hook-state", /^open$/);
        await page.getByTestId("toggle-hidden").click();
        await until("the socket to close when hidden again", async () => (await sockets(page)).live === 0);
        await page.getByTestId("toggle-hidden-transition").click();
        await until("one new socket when shown in a transition", async () => (await sockets(page)).created === 3);
        assert.deepEqual(await sockets(page), { created: 3, live: 1 });
        await page.getByTestId("hook-send").click();
        await waitForTestIdText(page, "hook-last-message", /"from":"hook"/);

        const received = await receivedOnceOpen(id, 3);
        const on = (type) =>
          received.messages.filter((m) => m.text.includes(`"type":"${type}"`)).map((m) => m.connection);
        // (On the dev server StrictMode's simulated unmount at mount sends one more on connection 1.)
        assert.equal(on("leave").filter((c) => c === 1).length, mode === "dev" ? 2 : 1, `leaves: ${on("leave")}`);
        assert.ok(on("leave").includes(2), `the child's cleanup at the second hide reached socket 2: ${on("leave")}`);
        for (const type of ["early", "layout", "replay"]) {
          for (const connection of [1, 2, 3]) {
            assert.ok(on(type).includes(connection), `"${type}" on connection ${connection}: ${on(type)}`);
          }
        }
        assert.ok(!received.messages.some((m) => m.text === "while hidden"), "the send while hidden went nowhere");
        assert.equal(await page.getByTestId("probe-error").count(), 0, "no effect threw");

        await page.getByTestId("unmount").click();
        await until("the socket to close after unmount", async () => (await sockets(page)).live === 0);
        assert.equal(problems().length, 1, JSON.stringify(problems()));
        // After a real unmount a kept send returns false and is reported.
        assert.equal(await page.evaluate(() => window.probeSend("after unmount")), false);
        await until("the send after unmount to be reported", async () => problems().length === 2);
        assert.match(problems()[1], /sent after the component unmounted/);
      } finally {
        await context.close();
      }
    });

    it("keeps one working socket through Fast Refresh edits of the component", { skip: mode !== "dev" }, async () => {
      // An edit that keeps the component's hooks keeps its state: the same
      // socket goes on. An edit that adds a hook makes React remount the
      // component: its socket is disposed and exactly one new one opens.
      // Either way the socket sends and delivers afterwards.
      const id = uniqueId("e2e-hook-refresh");
      const source = readFileSync(PROBE, "utf8");
      assert.match(source, EDITION_LINE, "HookProbe.tsx holds the lines this test edits");
      assert.match(source, HOOK_LINE, "HookProbe.tsx holds the lines this test edits");
      const original = probeSource(source, "original", false);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}`);
        await page.evaluate(() => {
          window.sameLoad = true;
        });
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        assert.deepEqual(await sockets(page), { created: 1, live: 1 });

        for (const [name, extraHook, created] of [
          ["edited", false, 1],
          ["remounted", true, 2],
          ["original", false, 3],
        ]) {
          writeFileSync(PROBE, probeSource(source, name, extraHook));
          await waitForTestIdText(page, "probe-edition", new RegExp(`^${name}$`));
          assert.equal(await page.evaluate(() => window.sameLoad), true, "a Fast Refresh, not a page reload");
          await until(`${created} socket(s) made, one open, after the ${name} edit`, async () => {
            const now = await sockets(page);
            return now.created === created && now.live === 1;
          });
          await waitForTestIdText(page, "hook-state", /^open$/);
          const before = await page.evaluate(() => window.probeMessages.length);
          await page.getByTestId("hook-send").click();
          await page.waitForFunction(
            (n) => window.probeMessages.slice(n).some((m) => m.includes('"from":"hook"')),
            before,
          );
          await until("the server to see one open connection", async () => {
            const record = await control(`/clients/${encodeURIComponent(id)}/received`, { method: "GET" });
            return record.open === 1 && record.connections === created;
          });
          assert.deepEqual(await sockets(page), { created, live: 1 }, `after the ${name} edit`);
        }

        await page.getByTestId("unmount").click();
        await until("the socket to close after unmount", async () => (await sockets(page)).live === 0);
        assert.deepEqual(problems(), []);
      } finally {
        if (readFileSync(PROBE, "utf8") !== original) writeFileSync(PROBE, original);
        await context.close();
      }
    });

    it("keeps exactly one socket per mounted hook and closes it on unmount", async () => {
      const id = uniqueId(`e2e-hook-${mode}`);
      const { page, problems, context } = await openPage(browser);
      try {
        await page.goto(`${server.url}/hook-test.html?id=${id}`);
        await page.getByTestId("mount").waitFor();
        assert.deepEqual(await sockets(page), { created: 0, live: 0 });

        // Mount: one socket, open, and a send from a child effect (before the
        // socket existed) reached the server and came back.
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        assert.deepEqual(await sockets(page), { created: 1, live: 1 });
        await page.waitForFunction(() => window.probeMessages.some((m) => m.includes('"early"')));

        // Re-render with an equal (new) options object and a new urlProvider: same socket.
        for (let i = 0; i < 3; i++) await afterCommit(page, () => page.getByTestId("rerender").click());
        assert.deepEqual(await sockets(page), { created: 1, live: 1 });
        assert.equal(await page.getByTestId("hook-state").textContent(), "open");

        // Messages re-render the hook.
        await page.getByTestId("hook-send").click();
        await waitForTestIdText(page, "hook-last-message", /"from":"hook"/);

        // Changed options: the old socket is closed, exactly one new one.
        // The child's effect in that commit sends (variant 2) while the old
        // socket is still open: it must go out on the new connection only.
        await afterCommit(page, () => page.getByTestId("change-options").click());
        await waitForTestIdText(page, "hook-state", /^open$/);
        await until("the old socket to close", async () => (await sockets(page)).live === 1);
        assert.deepEqual(await sockets(page), { created: 2, live: 1 });

        // Unmount: the socket is closed.
        await page.getByTestId("unmount").click();
        await until("every socket to close after unmount", async () => (await sockets(page)).live === 0);
        assert.equal((await sockets(page)).created, 2);

        // Mount again: one new socket.
        await page.getByTestId("mount").click();
        await waitForTestIdText(page, "hook-state", /^open$/);
        assert.deepEqual(await sockets(page), { created: 3, live: 1 });

        // The fault server saw the same: every connection but the last closed.
        const received = await receivedOnceOpen(id, 3);
        const early = (variant) =>
          received.messages.filter((m) => m.text.includes('"early"') && m.text.includes(`"variant":${variant}`));
        assert.ok(
          early(1).some((m) => m.connection === 1),
          "the send from a child effect reached the server on the first connection",
        );
        // (Connection 3, mounted again with the same options, sends it too.)
        assert.deepEqual(
          early(2).map((m) => m.connection).filter((c) => c < 3),
          [2],
          "the child's send in the commit that changed the options went to the new socket only",
        );
        const leave = (variant) =>
          received.messages.filter((m) => m.text.includes('"leave"') && m.text.includes(`"variant":${variant}`)).map((m) => m.connection);
        // (On the dev server StrictMode's simulated unmount at mount sends one more, on the same socket.)
        assert.ok(
          leave(1).length >= 1 && leave(1).every((c) => c === 1),
          `the child's cleanup in the commit that changed the options reached the old socket: ${leave(1)}`,
        );
        assert.deepEqual(
          leave(2).filter((c) => c < 3),
          [2],
          "the child's cleanup at unmount reached the socket being disposed",
        );

        await page.getByTestId("unmount").click();
        await until("the socket to close", async () => (await sockets(page)).live === 0);
        assert.deepEqual(problems(), []);
      } finally {
        await context.close();
      }
    });
  });
}
