// The package's entry point: the wasm-bindgen module, with the fast path
// for `send()` installed (send_fast_path.js).
//
// Hand-written ESM, copied into the npm package by scripts/build-pkg.sh
// next to the wasm-pack output (hence the relative imports), and named as
// the package's main module there.

import { ResilientSocket } from "./resilient_ws.js";
import { installSendFastPath } from "./send_fast_path.js";

export * from "./resilient_ws.js";

installSendFastPath(ResilientSocket);
