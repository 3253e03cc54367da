// Lets the e2e test call the package's own JS glue, as an app does without
// the hook (`window.ResilientSocket`): some guarantees live at that
// boundary, where a Rust test cannot reach.
import { ResilientSocket } from "resilient-ws";

declare global {
  interface Window {
    ResilientSocket: typeof ResilientSocket;
  }
}

window.ResilientSocket = ResilientSocket;
