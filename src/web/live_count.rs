//! Counts of live objects (drivers, attached page listeners) for the browser
//! tests' leak checks. Not in the package build.

use core::sync::atomic::{AtomicUsize, Ordering};

/// How many objects of one kind exist: created and not yet dropped.
pub struct LiveCount(AtomicUsize);

impl LiveCount {
    /// A count of zero.
    pub const fn new() -> LiveCount {
        LiveCount(AtomicUsize::new(0))
    }

    /// One more was created.
    pub fn created(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// One was dropped.
    pub fn dropped(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    /// How many exist now.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}
