import { useEffect, useLayoutEffect, useRef } from "react";
import { useResilientSocket } from "resilient-ws/react";

interface Props {
  /** `null`: no socket (until the test gives the URL). */
  url: string | null;
  /** Part of the options' content: changing it must recreate the socket. */
  variant: number;
  /** `queue.maxMessages: 0`: the early send is refused when the socket appears. */
  noQueue?: boolean;
  /** `queue: { maxMessages: N, overflow: "dropOldest" }`, when set. */
  dropOldestOver?: number | undefined;
  /** Never read `lastMessage`: messages must then not re-render the probe. */
  quiet?: boolean;
  /**
   * An option the socket refuses: the hook's effect throws. `"revoked"`: the
   * `reconnect` options are a revoked Proxy (a stale Immer draft), which
   * throws on every read.
   */
  invalid?: boolean | "revoked";
  /** Set replay state in an effect that depends on `socket` (the README's pattern). */
  replay?: boolean;
  /** A child that also sends from a layout effect (it runs before any passive effect). */
  layoutSender?: boolean;
}

declare global {
  interface Window {
    /** Commits of HookProbe whose effects ran (the hook's effect runs first). */
    probeCommits: number;
    /** Every message the probe's socket delivered, as text. */
    probeMessages: string[];
    /** The hook's `send`, as last rendered (kept after the probe is gone). */
    probeSend?: (data: string) => boolean;
  }
}
// `??=`: a Fast Refresh runs this module again; a page load starts afresh.
window.probeCommits ??= 0;
window.probeMessages ??= [];

/** Rendered as is: the Fast Refresh test edits this line and waits for the text. */
const EDITION = "original";

/**
 * Sends from a child effect, which runs before the parent's hook effect: on
 * mount, and again in the commit that changes the options (`variant`), when
 * it must reach the new socket, not the one being replaced. Its cleanup
 * sends a "leave": in that commit it runs before the hook's cleanup (the old
 * socket gets it), at unmount after it (the socket being disposed must
 * still send it).
 */
function EarlySender({ send, variant }: { send: (data: string) => boolean; variant: number }) {
  useEffect(() => {
    const sendReporting = (type: string) => {
      try {
        send(JSON.stringify({ type, variant, from: "child effect" }));
      } catch (error) {
        reportError(error);
      }
    };
    sendReporting("early");
    return () => sendReporting("leave");
  }, [send, variant]);
  return null;
}

/** Sends from a layout effect: on show, before the hook's passive effect attaches a socket. */
function LayoutSender({ send }: { send: (data: string) => boolean }) {
  useLayoutEffect(() => {
    try {
      send(JSON.stringify({ type: "layout", from: "child layout effect" }));
    } catch (error) {
      reportError(error);
    }
  }, [send]);
  return null;
}

/** A Proxy that throws on every read, as a stale Immer draft does. */
function revokedProxy(): { initialDelayMs: number } {
  const { proxy, revoke } = Proxy.revocable({ initialDelayMs: 50 }, {});
  revoke();
  return proxy;
}

/** Uses the hook with a new (but equal) inline options object every render. */
export function HookProbe({
  url,
  variant,
  noQueue = false,
  dropOldestOver,
  quiet = false,
  invalid = false,
  replay = false,
  layoutSender = false,
}: Props) {
  const renders = useRef(0);
  renders.current += 1;
  /* fast-refresh: the Fast Refresh test adds a hook on this line, so React remounts the component */
  const result = useResilientSocket(url, {
    name: `probe-${variant}`,
    reconnect:
      invalid === "revoked"
        ? revokedProxy()
        : invalid
          ? { initialDelayMs: -1 }
          : { initialDelayMs: 50, maxDelayMs: 500 },
    heartbeat: { intervalMs: 0 },
    ...(noQueue ? { queue: { maxMessages: 0 } } : {}),
    ...(dropOldestOver === undefined ? {} : { queue: { maxMessages: dropOldestOver, overflow: "dropOldest" as const } }),
    // A new function every render: must not reconnect either.
    urlProvider: () => url ?? "",
  });
  const { socket, state, send, stats } = result;
  window.probeSend = send;
  const lastMessage = quiet ? null : result.lastMessage;

  useEffect(() => {
    window.probeCommits += 1;
  });

  useEffect(() => {
    // Throws on a disposed socket: an effect must never be given one.
    if (replay && socket) socket.setReplayState("probe", { type: "replay", variant });
  }, [replay, socket, variant]);

  useEffect(() => {
    if (!socket) return;
    const onMessage = (e: MessageEvent) => {
      window.probeMessages.push(typeof e.data === "string" ? e.data : "(binary)");
    };
    socket.addEventListener("message", onMessage);
    return () => socket.removeEventListener("message", onMessage);
  }, [socket]);

  return (
    <div>
      <EarlySender send={send} variant={variant} />
      {layoutSender && <LayoutSender send={send} />}
      <p>
        state <b data-testid="hook-state">{state}</b> (edition <span data-testid="probe-edition">{EDITION}</span>)
      </p>
      <p>
        last message <code data-testid="hook-last-message">{typeof lastMessage?.data === "string" ? lastMessage.data : ""}</code>
      </p>
      <p>
        messages in <span data-testid="hook-messages-in">{stats?.messagesIn ?? 0}</span>, renders {renders.current}
      </p>
      <button type="button" data-testid="hook-send" onClick={() => send('{"type":"hello","from":"hook"}')}>
        send
      </button>
    </div>
  );
}
