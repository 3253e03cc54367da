// Runs both checks and writes the marker the test waits for:
// <output data-testid="result" data-result="running|pass|fail">.
import { useCallback, useEffect, useState } from "react";
import { HookCheck } from "./HookCheck";
import { failure, type Outcome } from "./outcome";
import { checkSocket } from "./socket-check";

const TIMEOUT_MS = 10_000;

export function App({ server, id }: { server: string | null; id: string }) {
  const [socket, setSocket] = useState<Outcome | null>(null);
  const [hook, setHook] = useState<Outcome | null>(null);
  const onHookResult = useCallback((outcome: Outcome) => setHook((seen) => seen ?? outcome), []);

  useEffect(() => {
    if (server === null) return;
    let current = true;
    checkSocket(`${server}/ws/${id}-socket`, TIMEOUT_MS)
      .catch(failure)
      .then((outcome) => current && setSocket(outcome));
    const timer = setTimeout(
      () => onHookResult({ ok: false, detail: `the hook saw no echo within ${TIMEOUT_MS} ms` }),
      TIMEOUT_MS,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [server, id, onHookResult]);

  const outcomes =
    server === null ? [{ ok: false, detail: "no ?ws=<fault server ws:// URL> in the page URL" }] : [socket, hook];
  const result = outcomes.some((o) => o !== null && !o.ok)
    ? "fail"
    : outcomes.every((o) => o?.ok)
      ? "pass"
      : "running";
  return (
    <main>
      {server !== null && <HookCheck url={`${server}/ws/${id}-hook`} onResult={onHookResult} />}
      <p data-testid="socket-check">socket: {socket?.detail ?? "running"}</p>
      <p data-testid="hook-check">hook: {hook?.detail ?? "running"}</p>
      <output data-testid="result" data-result={result}>
        {result}: {outcomes.map((o) => o?.detail ?? "running").join("; ")}
      </output>
    </main>
  );
}
