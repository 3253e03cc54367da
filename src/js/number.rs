//! Whole-number checks for numbers coming from JS (`f64::fract` is std only).

/// `n` as an integer when it is a whole number from 0 to `max` (inclusive;
/// `max` at most 2^53, where every integer is exact); `None` for fractions,
/// NaN, infinities and values out of range.
pub fn whole_number(n: f64, max: f64) -> Option<u64> {
    if (0.0..=max).contains(&n) && (n as u64) as f64 == n {
        Some(n as u64)
    } else {
        None
    }
}
