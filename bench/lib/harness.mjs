// Shared by bench/run.mjs and bench/diagnose.mjs: the fault server, the static
// page server, and Chromium.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS } from "../../scripts/chromium.mjs";

/** Removes a temporary directory; Chromium's helper processes may still be
 * writing to a profile for a moment after exit, so retry and never throw. */
export function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (error) {
    console.error(`bench: could not remove ${dir}: ${error.message}`);
  }
}


export { CHROMIUM };

// --- command line: `--name value` options and bare `--flag`s ------------------
const ARGV = process.argv.slice(2);
/** The value after `--name`, or `fallback`. */
export const opt = (name, fallback) => {
  const i = ARGV.indexOf(name);
  return i >= 0 && i + 1 < ARGV.length ? ARGV[i + 1] : fallback;
};
/** Whether `--name` is given. */
export const flag = (name) => ARGV.includes(name);
/**
 * Exits (status 2) on an argument that is none of `options` (each followed
 * by a value) or `flags`, or an option without its value: a mistyped option
 * would otherwise be ignored, and a run meant to be partial would replace
 * the committed results.
 */
export function refuseUnknownArgs(options, flags) {
  const usage = `options: ${options.map((o) => `${o} VALUE`).join(", ")}; flags: ${flags.join(", ")}`;
  for (let i = 0; i < ARGV.length; i++) {
    const arg = ARGV[i];
    if (options.includes(arg) && i + 1 < ARGV.length) i++;
    else if (options.includes(arg)) exitWith(`bench: ${arg} needs a value (${usage})`);
    else if (!flags.includes(arg)) exitWith(`bench: unknown argument ${arg} (${usage})`);
  }
}
function exitWith(message) {
  console.error(message);
  process.exit(2);
}

// Every process started here is a detached group leader: killed as a group.
export const children = [];
export function killChildren() {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {}
  }
  children.length = 0;
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
}

export function portFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

// --- static server with cross-origin isolation (5 us timer resolution) ---------
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".css": "text/css" };
export function serve(dir, routes = {}) {
  return new Promise((res) => {
    const srv = createServer((req, rsp) => {
      const u = new URL(req.url, "http://x");
      if (routes[u.pathname]) return routes[u.pathname](u, rsp);
      let p = join(dir, decodeURIComponent(u.pathname));
      if (!p.startsWith(dir)) return rsp.writeHead(403).end();
      if (existsSync(p) && statSync(p).isDirectory()) p = join(p, "index.html");
      if (!existsSync(p)) return rsp.writeHead(404).end();
      rsp.writeHead(200, {
        "content-type": TYPES[extname(p)] || "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
        "cache-control": "no-store",
      });
      createReadStream(p).pipe(rsp);
    });
    srv.listen(0, "127.0.0.1", () => res(srv));
  });
}

// --- chromium -----------------------------------------------------------------
export const CHROME_ARGS = [
  "--headless=new",
  ...CHROMIUM_ARGS,
  "--js-flags=--expose-gc",
  // performance.memory is bucketed unless this is set
  "--enable-precise-memory-info",
];

export function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

/** Chromium started directly on `url`; nothing attached. */
// `nice -n N cmd` (N < 0 needs root; GNU nice still runs cmd without it).
const niced = (nice, cmd, args) => (nice ? ["nice", ["-n", String(nice), cmd, ...args]] : [cmd, args]);

export function launchChromium(url, profileDir, logFile, extraArgs = [], stdio = ["ignore", "ignore", "pipe"], nice = 0) {
  const c = spawn(...niced(nice, CHROMIUM, [...CHROME_ARGS, `--user-data-dir=${profileDir}`, ...extraArgs, url]), { detached: true, stdio });
  const chunks = [];
  if (c.stderr) c.stderr.on("data", (d) => chunks.push(d));
  c.on("exit", () => {
    try {
      writeFileSync(logFile, Buffer.concat(chunks));
    } catch {}
  });
  children.push(c);
  return c;
}

export function screenshot(svgPath, pngPath, w, h) {
  const profile = mkdtempSync(join(tmpdir(), "bench-shot-"));
  const r = spawnSync(
    CHROMIUM,
    [...CHROME_ARGS.filter((a) => !a.startsWith("--js-flags")), `--user-data-dir=${profile}`, "--hide-scrollbars",
      `--window-size=${w},${h}`, `--screenshot=${pngPath}`, `file://${svgPath}`],
    { stdio: "ignore", timeout: 60_000 },
  );
  removeDir(profile);
  return r.status === 0 && existsSync(pngPath);
}

// --- fault server ---------------------------------------------------------------
export async function startFaultServer(root, reportFile, logFile, { wsPort = 0, controlPort = 0, say = () => {}, nice = 0 } = {}) {
  say("building the fault server (cargo build --release -p fault-server)");
  run("cargo", ["build", "--release", "-p", "fault-server", "--quiet"], { cwd: root });
  for (const p of [wsPort, controlPort]) {
    if (p && !(await portFree(p))) throw new Error(`port ${p} is in use; set BENCH_WS_PORT / BENCH_CONTROL_PORT`);
  }
  writeFileSync(reportFile, "");
  const bin = join(process.env.CARGO_TARGET_DIR || join(root, "target"), "release", "fault-server");
  const fs = spawn(...niced(nice, bin, ["--ws-port", String(wsPort), "--control-port", String(controlPort), "--report-file", reportFile]), {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(fs);
  const log = [];
  fs.stderr.on("data", (d) => {
    log.push(d);
    if (log.length > 2000) log.splice(0, 1000); // keep the tail
  });
  fs.on("exit", () => {
    try {
      writeFileSync(logFile, Buffer.concat(log));
    } catch {}
  });
  const ready = await new Promise((res) => {
    let buf = "";
    const t = setTimeout(() => res(null), 30_000);
    fs.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/^fault-server ws=(\S+) control=(\S+)/m);
      if (m) {
        clearTimeout(t);
        res({ ws: m[1], control: m[2] });
      }
    });
    fs.on("exit", () => res(null));
  });
  if (!ready) throw new Error(`fault server did not start (log: ${logFile})`);
  return { proc: fs, ...ready };
}
