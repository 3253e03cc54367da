// What `npm install resilient-ws` gives a user, not the file:../pkg link the
// other tests use: `npm pack` of pkg/, installed as a real copy into a fresh
// Vite + React + strict TypeScript app (consumer/, copied to a temp dir).
// Checks the tarball against package.json "files", type-checks the app and
// README.md's ```ts/```tsx blocks against the shipped .d.ts, builds the app,
// and runs it (vite preview, then the dev server) in headless Chromium
// against the fault server: echo, request reply, the "resilient-ws/react" hook.
//
// Needs pkg/ built (scripts/build-pkg.sh), www's npm dependencies
// (playwright-core) and the fault server (scripts/fault-server.sh start).
// RWS_PKG_DIR packs another package directory instead of pkg/.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { control, FAULT, launchBrowser, openPage, requireFaultServer, startVite, uniqueId, until, WWW } from "../e2e/harness.mjs";
import { blockSource, isConfigBlock, readmeBlocks, toReadmeLines } from "./readme-blocks.mjs";
import { relativeLinks } from "./readme-links.mjs";
import { neededFiles, promisedFiles, tarballFiles } from "./tarball.mjs";

const execFileP = promisify(execFile);
const ROOT = resolve(WWW, "..");
const PKG = resolve(process.env.RWS_PKG_DIR ?? join(ROOT, "pkg"));
const FIXTURE = fileURLToPath(new URL("./consumer/", import.meta.url));
const README = join(ROOT, "README.md");

/** Runs a command and returns its stdout; throws with its whole output when it fails. */
async function run(cmd, args, cwd) {
  try {
    const { stdout } = await execFileP(cmd, args, {
      cwd,
      maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return stdout;
  } catch (err) {
    const output = `${err.stdout ?? ""}${err.stderr ?? ""}`;
    const error = new Error(`\`${cmd} ${args.join(" ")}\` failed in ${cwd}:\n${output}`);
    Object.defineProperty(error, "output", { value: output, enumerable: false });
    throw error;
  }
}

/**
 * Pins each direct dependency in the package.json at `path` to the version
 * www's lockfile installed: npm's cache holds it, and a release of vite,
 * typescript, react or their types cannot change what this test checks
 * (the committed ranges are www's, checked below). Their own dependencies
 * still resolve within range, as a user's fresh install would.
 */
async function pinToWwwLock(path) {
  const lock = JSON.parse(await readFile(join(WWW, "package-lock.json"), "utf8"));
  const pj = JSON.parse(await readFile(path, "utf8"));
  for (const field of ["dependencies", "devDependencies"]) {
    for (const name of Object.keys(pj[field] ?? {})) {
      const locked = lock.packages?.[`node_modules/${name}`]?.version;
      assert.ok(locked, `${name} (consumer/package.json) is in www/package-lock.json`);
      pj[field][name] = locked;
    }
  }
  await writeFile(path, `${JSON.stringify(pj, null, 2)}\n`);
}

describe(`packed install of ${PKG}`, () => {
  let tmp;
  let app;
  let tgz;
  let built = false;
  // The temp dir is removed after a run in which every test that started passed.
  let started = 0;
  let passed = 0;
  const check = (name, options, fn) =>
    it(name, options, async () => {
      started++;
      await fn();
      passed++;
    });

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "rws-packed-install-"));
    const packed = await run("npm", ["pack", PKG, "--pack-destination", tmp, "--silent"], tmp);
    tgz = join(tmp, basename(packed.trim().split("\n").pop()));
    app = join(tmp, "app");
    await cp(FIXTURE, app, {
      recursive: true,
      filter: (src) => !/[\\/](node_modules|dist)$/.test(src),
    });
    // As `npm install resilient-ws` would: the app's own dependencies (the
    // direct ones at www's locked versions) plus the tarball, a real copy; --no-save keeps
    // the tarball out of the temp copy's package.json.
    await pinToWwwLock(join(app, "package.json"));
    await run(
      "npm",
      ["install", "--no-save", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tgz],
      app,
    );
  });

  after(async () => {
    if (!tmp) return;
    if (started > 0 && passed === started) await rm(tmp, { recursive: true, force: true });
    else console.error(`packed-install: ${passed} of ${started} passed; kept ${tmp} for inspection`);
  });

  check('the tarball holds exactly what package.json "files" promises, and what its files need', {}, async () => {
    const packed = await tarballFiles(tgz);
    assert.deepEqual(packed, await promisedFiles(PKG), 'tarball vs package.json "files" (+ package.json, README)');
    assert.deepEqual(packed.filter((p) => /(^|\/)target\//.test(p)), [], "nothing from target/");

    const installed = join(app, "node_modules", "resilient-ws");
    const link = await lstat(installed);
    assert.ok(link.isDirectory() && !link.isSymbolicLink(), "node_modules/resilient-ws is a real copy, not a link");

    const pj = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
    const needed = await neededFiles(pj, packed, (p) => readFile(join(installed, p)));
    const missing = [...needed].filter(([path]) => !packed.includes(path)).map(([path, by]) => `${path} (${by})`);
    assert.deepEqual(missing, [], "files the package refers to are in the tarball");
    // "MIT OR Apache-2.0": both texts ship.
    for (const required of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "react.js", "react.d.ts"]) {
      assert.ok(packed.includes(required), `${required} is packed`);
    }
    // The README npm shows: a registry page cannot follow a relative link
    // (or image), so it has none outside code.
    const readme = await readFile(join(installed, "README.md"), "utf8");
    assert.deepEqual(relativeLinks(readme), [], "relative links of the packed README.md");
    assert.ok(packed.some((p) => p.endsWith(".wasm")), "a .wasm is packed");
    assert.ok(packed.some((p) => p.startsWith("snippets/")), "snippets/ is packed");
  });

  check("the app's dependency ranges are www's (so npm's cache serves them)", {}, async () => {
    const ours = JSON.parse(await readFile(join(FIXTURE, "package.json"), "utf8"));
    const www = JSON.parse(await readFile(join(WWW, "package.json"), "utf8"));
    const wwwDeps = { ...www.dependencies, ...www.devDependencies };
    for (const [name, range] of Object.entries({ ...ours.dependencies, ...ours.devDependencies })) {
      assert.equal(range, wwwDeps[name], `${name} in consumer/package.json`);
    }
  });

  check("the app and README.md's ts/tsx blocks type-check (strict, skipLibCheck off)", {}, async () => {
    const blocks = readmeBlocks(await readFile(README, "utf8"));
    assert.ok(blocks.length > 0, "README.md has ts/tsx blocks");
    const dir = join(app, "readme");
    await mkdir(dir);
    for (const block of blocks) await writeFile(join(dir, block.file), blockSource(block));
    // The browser blocks under the app's tsconfig, config blocks under its
    // Node one (as the app's own vite.config.ts).
    const configs = ["tsconfig.json", "tsconfig.node.json"];
    for (const [forConfigs, config] of [[false, "tsconfig.json"], [true, "tsconfig.node.json"]]) {
      const files = blocks.filter((b) => isConfigBlock(b) === forConfigs).map((b) => b.file);
      if (files.length === 0) continue;
      await writeFile(join(dir, config), JSON.stringify({ extends: `../${config}`, include: [], files }, null, 2));
      configs.push(`readme/${config}`);
    }

    const tsc = join(app, "node_modules", ".bin", "tsc");
    const failures = [];
    for (const config of configs) {
      try {
        await run(tsc, ["--noEmit", "-p", config], app);
      } catch (err) {
        failures.push(`tsc -p ${config}:\n${toReadmeLines(err.output ?? err.message, blocks)}`);
      }
    }
    assert.deepEqual(failures, [], "type errors");
  });

  check("vite build", { timeout: 120_000 }, async () => {
    await run(process.execPath, [join(app, "node_modules", "vite", "bin", "vite.js"), "build"], app);
    built = true;
  });

  for (const mode of ["preview", "dev"]) {
    const what = mode === "preview" ? "the built app (vite preview)" : "the app on the vite dev server";
    check(`${what} talks to the fault server in headless Chromium`, { timeout: 60_000 }, async () => {
      if (mode === "preview") assert.ok(built, "nothing to serve: vite build failed");
      await requireFaultServer();
      const server = await startVite(mode, { root: app });
      const browser = await launchBrowser();
      try {
        const { page, problems } = await openPage(browser);
        const report = async (what) => {
          const text = await page.locator('[data-testid="result"]').textContent({ timeout: 1000 }).catch(() => null);
          return `${what}\nthe page says: ${text ?? "(no marker)"}\npage problems:\n${problems().join("\n") || "none"}`;
        };
        // The app logs no errors when it works: the first page error or
        // console error (a module that failed to load, a socket that could
        // not connect) ends the wait.
        const broke = new Promise((_, reject) => {
          page.once("pageerror", (err) => reject(err));
          page.on("console", (msg) => msg.type() === "error" && reject(new Error(`console error: ${msg.text()}`)));
        });
        broke.catch(() => {}); // handled by the race below, even if it breaks during goto
        const id = uniqueId(`packed-install-${mode}`);
        await page.goto(`${server.url}/?ws=${encodeURIComponent(FAULT.ws)}&id=${id}`);
        const marker = page.locator('[data-testid="result"]:is([data-result="pass"], [data-result="fail"])');
        try {
          await Promise.race([marker.waitFor({ timeout: 30_000 }), broke]);
        } catch (err) {
          assert.fail(await report(`no pass marker: ${err.message}`));
        }
        assert.equal(await marker.getAttribute("data-result"), "pass", await report("the page failed"));
        assert.deepEqual(problems(), [], "no page errors or console errors");

        // The fault server saw what the page sent.
        const received = async (client) =>
          (await control(`/clients/${client}/received`, { method: "GET" })).messages.map((m) => m.text);
        const socketTexts = await received(`${id}-socket`);
        assert.ok(socketTexts.includes("hello from the packed install"), `socket sent its text: ${socketTexts}`);
        assert.ok(
          socketTexts.some((t) => /"what":"mix"/.test(t) && /"id":"rws-\d+"/.test(t)),
          `socket sent a request: ${socketTexts}`,
        );
        // Once, on one connection: a new `URL` each render did not recreate the socket.
        const hookMessages = (await control(`/clients/${id}-hook/received`, { method: "GET" })).messages;
        assert.deepEqual(
          hookMessages.filter((m) => m.text === "hello from the hook").map((m) => m.connection),
          [1],
          `the hook sent its text once: ${JSON.stringify(hookMessages)}`,
        );
        // The check's `using` block ended: its socket closed the connection
        // (a handle released by `free()` alone would leave it open).
        let seen;
        await until("the `using` socket's connection to close", async () => {
          seen = await control(`/clients/${id}-socket/received`, { method: "GET" });
          // (On the dev server StrictMode runs the check twice.)
          return seen.connections >= 1 && seen.open === 0;
        }).catch((err) => assert.fail(`${err.message}: ${JSON.stringify({ ...seen, messages: undefined })}`));
      } finally {
        await browser.close();
        await server.stop();
      }
    });
  }
});
