#!/usr/bin/env node
// Prints where an echo's round trip goes, per client: the medians over
// rounds of the echo test's `split` (a run with `bench/run.sh --echo-split 1`,
// see echoSplitter in bench/page/main.js), in microseconds.
//
//   node bench/tools/echo-split.mjs bench/out/partial/results.json
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/tools/echo-split.mjs <results.json of a --echo-split 1 run>");
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, "utf8")).results.filter((r) => r.test === "echo" && r.split);
if (!results.length) {
  console.error(`${file}: no echo results with a split (run bench/run.sh --echo-split 1 --tests echo)`);
  process.exit(1);
}
const byClient = new Map();
for (const r of results) byClient.set(r.client, [...(byClient.get(r.client) || []), r.split]);
const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};
const us = (x) => (Number.isFinite(x) ? (1000 * x).toFixed(1) : "-").padStart(8);
// A mark a round lacks (its socket was not wrapped) stays missing, not 0.
const minus = (a, b) => (a == null || b == null ? null : a - b);
const rows = [["client", "before send", "browser send", "after send", "send to reply", "reply to app", "round trip", "rounds"]];
for (const [client, splits] of byClient) {
  const m = (f) => median(splits.map(f));
  rows.push([
    client,
    us(m((s) => s.nativeSend)),
    us(m((s) => minus(s.nativeSent, s.nativeSend))),
    us(m((s) => minus(s.returned, s.nativeSent))),
    us(m((s) => minus(s.nativeMessage, s.nativeSend))),
    us(m((s) => minus(s.app, s.nativeMessage))),
    us(m((s) => s.app)),
    String(splits.length).padStart(6),
  ]);
}
const width = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  "));
console.log(
  "(us; each mark a trimmed mean per round, its differences medians over rounds. 'send to reply': from the\n" +
    " browser socket's send() to the reply's event (the send itself, loopback, the server); 'reply to app': to\n" +
    " the app's message listener (where the round trip ends); '-': a mark the rounds lack)",
);
