// Counts the browser WebSockets this page opens: window.WebSocket is replaced
// by a subclass that records every instance. Imported before anything else.

export interface SocketTracker {
  /** Every WebSocket constructed, in order. */
  all: WebSocket[];
  /** How many are not CLOSED yet. */
  live(): number;
}

declare global {
  interface Window {
    socketTracker: SocketTracker;
  }
}

const NativeWebSocket = window.WebSocket;
const all: WebSocket[] = [];

class TrackedWebSocket extends NativeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    all.push(this);
  }
}

window.WebSocket = TrackedWebSocket;
window.socketTracker = {
  all,
  live: () => all.filter((s) => s.readyState !== NativeWebSocket.CLOSED).length,
};
