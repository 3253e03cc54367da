//! Time as the core sees it: milliseconds on the driver's monotonic clock.

use core::ops::{Add, Sub};

/// A point in time in milliseconds, read by the driver (e.g. from
/// `performance.now()`) and passed in; the core never reads a clock itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// The start of the clock.
    pub const ZERO: Millis = Millis(0);

    /// Milliseconds elapsed since `earlier`, or 0 if `earlier` is later.
    pub fn since(self, earlier: Millis) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<u64> for Millis {
    type Output = Millis;
    fn add(self, ms: u64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }
}

impl Sub<u64> for Millis {
    type Output = Millis;
    fn sub(self, ms: u64) -> Millis {
        Millis(self.0.saturating_sub(ms))
    }
}
