import type { ConnectionState } from "resilient-ws";

/** Every state, in lifecycle order (for legends). */
export const STATES: readonly ConnectionState[] = ["idle", "connecting", "open", "closing", "reconnecting", "closed"];

/** One color per state, used by the badge, the timeline and the legend. */
export const STATE_COLORS: Record<ConnectionState, string> = {
  idle: "#8a8f98",
  connecting: "#e0a800",
  open: "#2e9d5b",
  closing: "#e07b00",
  reconnecting: "#6f5bd3",
  closed: "#c9372c",
};
