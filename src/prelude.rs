//! What `std`'s prelude would bring, for a `no_std` crate: the crate is
//! `no_std` so the npm package links neither std's panic runtime nor its
//! formatting machinery (see `runtime.rs`). `format!` and `ToString` are left
//! out on purpose: they link `core::fmt` (about 5 KB gzip of wasm); messages
//! are built with `core::text`.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::string::String;
pub(crate) use alloc::vec::Vec;
