//! What `std`'s prelude would bring, for a `no_std` crate: the crate is
//! `no_std` so the npm package links neither std's panic runtime nor its
//! formatting machinery (see `runtime.rs`).

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::format;
pub(crate) use alloc::string::{String, ToString};
pub(crate) use alloc::vec::Vec;
