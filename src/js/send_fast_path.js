// The fast path for `send()`, installed on the wasm-bindgen class by the
// package's entry point (index.js), and by pages that load the module
// without a bundler (soak/page/soak.js).
//
// Hand-written ESM, copied into the npm package by scripts/build-pkg.sh.
//
// Entering the WebAssembly module costs more than a small message takes to
// send. So while the connection is open (and its peer not closing), text
// within `maxMessageBytes` goes to the browser socket here, in JS: the
// socket's inbox (src/web/inbox.rs) sends it, counts it and keeps it for
// the inspector, and the engine books it at its next entry, before any
// other input, as it does the messages the inbox delivered. Everything
// else (binary data, not open, too large, disposed, freed) goes through
// the module's own `send`, which queues, refuses or throws as documented.

const fastPath = Symbol("resilient-ws send fast path");
/** A disposed socket's: every send is the module's. */
const none = { send: () => false };

/** Makes `ResilientSocket.prototype.send` try the inbox's `send` first. */
export function installSendFastPath(ResilientSocket) {
  const moduleSend = ResilientSocket.prototype.send;
  Object.defineProperty(ResilientSocket.prototype, "send", {
    value: function send(data) {
      let path = this[fastPath];
      if (path === undefined) {
        path = this.__sendFastPath() ?? none;
        // A frozen socket asks each time.
        if (Object.isExtensible(this)) this[fastPath] = path;
      }
      return path.send(data) || moduleSend.call(this, data);
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
}
