#!/usr/bin/env node
// Whether WASM memory grows when sockets are only disposed because of a leak
// or because the garbage collector frees their JS objects late
// (bench/ANALYSIS.md section 3). Runs cycles in Node of the built package:
// create a socket (to a port nobody listens on), add a listener, dispose it,
// drop it; prints WASM memory over a warm-up every 5,000 cycles.
//
//   node --expose-gc --experimental-wasm-modules --experimental-websocket \
//     bench/tools/dispose-cycles.mjs [--cycles N] [--gc-every N] [--free]
//
// --cycles N: how many (default 30,000);
// --gc-every N: a forced gc() every N cycles (the collector keeping up);
// --free: free() right after dispose(). PKG=dir picks another build of pkg/.
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const number = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const cycles = number("--cycles", 30_000);
const gcEvery = number("--gc-every", 0);
const free = args.includes("--free");
if (!(Number.isInteger(cycles) && cycles > 0 && Number.isInteger(gcEvery) && gcEvery >= 0)) {
  console.error("dispose-cycles: --cycles takes a whole number above 0, --gc-every a whole number");
  process.exit(2);
}
if (typeof gc !== "function" || typeof WebSocket !== "function") {
  console.error("dispose-cycles: run node with --expose-gc --experimental-wasm-modules --experimental-websocket");
  process.exit(2);
}
const pkgDir = process.env.PKG ?? fileURLToPath(new URL("../../pkg", import.meta.url));
const pkgUrl = pathToFileURL(resolve(pkgDir)).href;
const { ResilientSocket } = await import(`${pkgUrl}/index.js`);
const { memory } = await import(`${pkgUrl}/resilient_ws_bg.wasm`);

const url = "ws://127.0.0.1:9/none";
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function cycle() {
  const socket = new ResilientSocket(url, {});
  socket.addEventListener("open", () => socket.state);
  await tick();
  socket.dispose();
  if (free) socket.free();
}

for (let i = 0; i < 200; i++) await cycle();
gc();
await tick();
const base = memory.buffer.byteLength;
const readings = [];
for (let i = 1; i <= cycles; i++) {
  await cycle();
  if (gcEvery && i % gcEvery === 0) {
    gc();
    await tick();
  }
  if (i % 5_000 === 0) {
    gc();
    await tick();
    await tick();
    readings.push(`${i}: +${(memory.buffer.byteLength - base) / 1024} KiB`);
  }
}
console.log(`dispose-cycles (gc every ${gcEvery || "-"}, free ${free}): ${readings.join(", ")}`);
