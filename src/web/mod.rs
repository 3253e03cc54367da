//! Browser driver (wasm32 only).
