//! Building messages and cutting text without `core::fmt`: `format!`,
//! `to_string()` and the panics of `s[a..b]` / `v[i]` (whose messages are
//! formatted) link Rust's formatting machinery (about 5 KB gzip of wasm) for
//! what is, in this SDK, always text pieces and unsigned integers.

use crate::prelude::*;

use core::slice::SliceIndex;

/// The pieces, joined.
pub fn concat(pieces: &[&str]) -> String {
    let mut text = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        text.push_str(piece);
    }
    text
}

/// Appends the decimal digits of `n`.
pub fn push_decimal(text: &mut String, n: u64) {
    // Recursion (at most 20 deep) instead of a digit buffer: no index
    // checks, each a panic path in the wasm.
    if n >= 10 {
        push_decimal(text, n / 10);
    }
    text.push(digit(n % 10));
}

/// The decimal digits of `n`.
pub fn decimal(n: u64) -> String {
    let mut text = String::new();
    push_decimal(&mut text, n);
    text
}

/// The ASCII digit for `n` (0-9; larger values give `'9'`).
fn digit(n: u64) -> char {
    char::from(b'0' + n.min(9) as u8)
}

/// `value` rounded to at most 3 decimals, written like JS numbers are
/// (`1`, `-0.5`, `2.125`, no trailing zeros), without Rust's float
/// formatter (about 10 KB gzip of wasm). `NaN` and infinities as in JS;
/// magnitudes from 2^63 thousandths (about 9.2e15) on are written as that
/// limit (error messages only: no option allows such values).
pub fn approx(value: f64) -> String {
    if value.is_nan() {
        return String::from("NaN");
    }
    if value.is_infinite() {
        return String::from(if value > 0.0 { "Infinity" } else { "-Infinity" });
    }
    // Rounds half away from zero, as `f64::round` (std only) does: `as`
    // truncates toward zero (and saturates), then the dropped fraction
    // decides (adding 0.5 first would be inexact from 2^52 on).
    let scaled = value * 1000.0;
    let truncated = scaled as i64;
    let dropped = scaled - truncated as f64;
    let thousandths = truncated
        .saturating_add(i64::from(dropped >= 0.5))
        .saturating_sub(i64::from(dropped <= -0.5));
    let mut text = String::new();
    if thousandths < 0 {
        text.push('-');
    }
    let (whole, fraction) = (
        thousandths.unsigned_abs() / 1000,
        thousandths.unsigned_abs() % 1000,
    );
    push_decimal(&mut text, whole);
    if fraction != 0 {
        text.push('.');
        // Three digits, trailing zeros dropped (divisions by constants: no
        // division-by-zero panic path).
        let digits = [fraction / 100, fraction / 10 % 10, fraction % 10];
        let shown = if digits[2] != 0 {
            3
        } else if digits[1] != 0 {
            2
        } else {
            1
        };
        for &d in digits.iter().take(shown) {
            text.push(digit(d));
        }
    }
    text
}

/// `text[range]`, or `""` when the range is out of bounds or splits a
/// character (where `text[range]` would panic).
pub fn sub<R: SliceIndex<str, Output = str>>(text: &str, range: R) -> &str {
    text.get(range).unwrap_or("")
}

/// `bytes[range]`, or empty when the range is out of bounds (where
/// `bytes[range]` would panic).
pub fn sub_bytes<R: SliceIndex<[u8], Output = [u8]>>(bytes: &[u8], range: R) -> &[u8] {
    bytes.get(range).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn decimal_matches_display() {
        for n in [
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            4999,
            65535,
            86_400_000,
            10_000_000_000_000_000_000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(decimal(n), n.to_string());
        }
        let mut text = String::from("n=");
        push_decimal(&mut text, 42);
        assert_eq!(text, "n=42");
    }

    #[test]
    fn concat_joins_in_order() {
        assert_eq!(concat(&["a", "", "bc", "d"]), "abcd");
        assert_eq!(concat(&[]), "");
    }

    #[test]
    fn approx_keeps_at_most_three_decimals_without_trailing_zeros() {
        for (value, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (0.25, "0.25"),
            (2.125, "2.125"),
            (0.05, "0.05"),
            (0.001, "0.001"),
            (0.0004, "0"),
            (0.0005, "0.001"),
            (100.1, "100.1"),
            (1.2345, "1.235"),
            (0.999_9, "1"),
            (-0.5, "-0.5"),
            (-0.0004, "0"),
            (-101.007, "-101.007"),
            (4_503_599_627_370.497, "4503599627370.497"),
            (1e300, "9223372036854775.807"),
            (-1e300, "-9223372036854775.808"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(approx(value), text, "{value}");
        }
    }

    #[test]
    fn approx_matches_rounded_display() {
        for thousandths in -20_000i64..20_000 {
            let value = thousandths as f64 / 1000.0;
            let expected = format!("{}", (value * 1000.0).round() / 1000.0);
            let expected = if expected == "-0" {
                "0".to_string()
            } else {
                expected
            };
            assert_eq!(approx(value), expected, "{thousandths}");
        }
    }

    #[test]
    fn sub_never_panics() {
        assert_eq!(sub("héllo", 0..1), "h");
        assert_eq!(sub("héllo", 0..2), "");
        assert_eq!(sub("héllo", 3..), "llo");
        assert_eq!(sub("abc", 2..9), "");
        assert_eq!(sub_bytes(b"abc", 1..), b"bc");
        assert_eq!(sub_bytes(b"abc", ..9), b"");
        assert_eq!(sub_bytes(b"abc", 3..), b"");
    }
}
