//! The JavaScript facade (wasm32 only).
