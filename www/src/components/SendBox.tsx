import { useState } from "react";
import type { ResilientSocket } from "resilient-ws";
import { formatMs } from "../lib/time";

interface Props {
  socket: ResilientSocket | null;
  send: (data: string) => boolean;
}

/** Send a message, or send it as a request and wait for the reply. */
export function SendBox({ socket, send }: Props) {
  const [text, setText] = useState('{"type":"hello","text":"hi"}');
  const [result, setResult] = useState("");

  const sendNow = () => {
    try {
      setResult(send(text) ? "sent" : "queued (not open)");
    } catch (err) {
      setResult(`refused: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const request = async () => {
    if (!socket) return;
    const started = performance.now();
    try {
      const reply: unknown = await socket.request(text, { timeoutMs: 5000 });
      const body = typeof reply === "string" ? reply : JSON.stringify(reply);
      setResult(`reply after ${formatMs(performance.now() - started)}: ${body}`);
    } catch (err) {
      setResult(`request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <div className="send-box">
      <textarea
        data-testid="send-text"
        aria-label="message to send"
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="toolbar">
        <button type="button" data-testid="send" onClick={sendNow}>
          Send
        </button>
        <button type="button" data-testid="request" disabled={!socket} onClick={request}>
          Request (waits for the reply with the same id)
        </button>
        <span className="muted" role="status" data-testid="send-result">
          {result}
        </span>
      </div>
    </div>
  );
}
