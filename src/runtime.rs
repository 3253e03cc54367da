//! What `std` would provide to the wasm module, for the npm package build
//! (feature `standalone`): the crate is `no_std`, because linking std only for
//! its panic handler and allocator brings its panic runtime, which formats
//! messages with Rust's formatting machinery (about 5 KB gzip of this wasm),
//! and dlmalloc (about 3 KB gzip).
//!
//! - the allocator is talc, which is smaller and faster than the dlmalloc std
//!   uses on wasm32;
//! - a panic traps (`unreachable`) without formatting a message, which is what
//!   `panic = "abort"` did anyway: the JS caller sees a `RuntimeError`. The SDK
//!   is written not to panic (no `unwrap` on input-dependent paths).

/// The global allocator of the standalone module.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[panic_handler]
fn trap_on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
