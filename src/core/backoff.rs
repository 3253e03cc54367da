//! The reconnect delay: `min(maxDelay, initialDelay * multiplier^attempt)`,
//! spread by jitter. This file is the only place the formula lives.

use super::config::{Jitter, ReconnectConfig};
use super::rng::SeededRng;

/// Computes reconnect delays from the options and a seeded generator.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial_delay_ms: u64,
    max_delay_ms: u64,
    multiplier: f64,
    jitter: Jitter,
    rng: SeededRng,
}

impl Backoff {
    /// A backoff for these options; `seed` drives the jitter.
    pub fn new(config: &ReconnectConfig, seed: u64) -> Self {
        Backoff {
            initial_delay_ms: config.initial_delay_ms,
            max_delay_ms: config.max_delay_ms,
            multiplier: config.multiplier,
            jitter: config.jitter,
            rng: SeededRng::new(seed),
        }
    }

    /// The cap for retry number `attempt` (0 for the first retry):
    /// `min(maxDelay, initialDelay * multiplier^attempt)`.
    pub fn cap(&self, attempt: u32) -> u64 {
        // multiplier^attempt by squaring (`f64::powi` is std only): at most
        // 32 squarings for any attempt, stopping once past the cap
        // (`multiplier` is at least 1, so what is left only grows it).
        let max = self.max_delay_ms as f64;
        let mut grown = self.initial_delay_ms as f64;
        let mut power = self.multiplier;
        let mut rest = attempt;
        while rest > 0 && grown < max {
            if rest & 1 == 1 {
                grown *= power;
            }
            rest >>= 1;
            power *= power;
        }
        if grown < max {
            grown as u64
        } else {
            self.max_delay_ms
        }
    }

    /// The inclusive range a delay for `attempt` falls in, given the jitter.
    pub fn bounds(&self, attempt: u32) -> (u64, u64) {
        let cap = self.cap(attempt);
        match self.jitter {
            Jitter::Full => (0, cap),
            Jitter::Equal => (cap - cap / 2, cap),
            Jitter::None => (cap, cap),
        }
    }

    /// The delay before retry number `attempt`.
    pub fn delay(&mut self, attempt: u32) -> u64 {
        let cap = self.cap(attempt);
        match self.jitter {
            Jitter::Full => self.rng.up_to(cap),
            // Half fixed (rounded up, so a 1 ms cap is no 0 ms retry),
            // half random.
            Jitter::Equal => cap - cap / 2 + self.rng.up_to(cap / 2),
            Jitter::None => cap,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;
    use std::vec;

    #[test]
    fn the_cap_follows_the_formula_for_any_attempt() {
        // A slow growth reaches its cap: 10 ms x 1.005^n passes 30 s near
        // n = 1,605 (a loop stopped at 1,000 steps froze it at ~1.5 s).
        let slow = Backoff::new(
            &ReconnectConfig {
                initial_delay_ms: 10,
                max_delay_ms: 30_000,
                multiplier: 1.005,
                jitter: Jitter::None,
                ..ReconnectConfig::default()
            },
            1,
        );
        // 10 x 1.005^1000 = 1,465.76; 10 x 1.005^1600 = 29,221.25 (the
        // product's rounding may differ from a step-by-step one by 1 ms).
        assert!(slow.cap(1_000).abs_diff(1_465) <= 1, "{}", slow.cap(1_000));
        assert!(slow.cap(1_600).abs_diff(29_221) <= 1, "{}", slow.cap(1_600));
        assert_eq!(slow.cap(1_700), 30_000);
        // Any attempt costs at most 32 squarings, even one that never
        // reaches the cap: 1.0000001^(2^32 - 1) is e^429.
        let flat = Backoff::new(
            &ReconnectConfig {
                initial_delay_ms: 1,
                max_delay_ms: 86_400_000,
                multiplier: 1.000_000_1,
                jitter: Jitter::None,
                ..ReconnectConfig::default()
            },
            1,
        );
        assert_eq!(flat.cap(1_000), 1);
        assert_eq!(flat.cap(u32::MAX), 86_400_000);
    }

    #[test]
    fn equal_jitter_never_retries_at_once() {
        // A fixed cap (initial = max), equal jitter.
        let equal = |cap| {
            let config = ReconnectConfig {
                initial_delay_ms: cap,
                max_delay_ms: cap,
                jitter: Jitter::Equal,
                ..ReconnectConfig::default()
            };
            Backoff::new(&config, 1)
        };
        let mut tiny = equal(1);
        assert!((0..50).all(|_| tiny.delay(0) == 1));
        let mut odd = equal(101);
        let delays: Vec<u64> = (0..200).map(|_| odd.delay(0)).collect();
        assert!(delays.iter().all(|d| (51..=101).contains(d)), "{delays:?}");
        assert!(delays.contains(&101), "the cap itself is reachable");
    }

    fn config(jitter: Jitter) -> ReconnectConfig {
        ReconnectConfig {
            initial_delay_ms: 100,
            max_delay_ms: 5_000,
            multiplier: 2.0,
            jitter,
            ..ReconnectConfig::default()
        }
    }

    #[test]
    fn cap_grows_exponentially_then_stays_at_max() {
        let backoff = Backoff::new(&config(Jitter::None), 1);
        let caps: Vec<u64> = (0..8).map(|n| backoff.cap(n)).collect();
        assert_eq!(caps, vec![100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
        assert_eq!(backoff.cap(u32::MAX), 5_000);
    }

    #[test]
    fn every_jitter_mode_stays_within_its_bounds() {
        for jitter in [Jitter::Full, Jitter::Equal, Jitter::None] {
            let mut backoff = Backoff::new(&config(jitter), 9);
            for attempt in 0..40 {
                let (low, high) = backoff.bounds(attempt);
                let delay = backoff.delay(attempt);
                assert!(
                    (low..=high).contains(&delay),
                    "{jitter:?} {attempt}: {delay} not in {low}..={high}"
                );
            }
        }
    }

    #[test]
    fn jitter_ranges_are_the_documented_ones() {
        // Attempt 3 of 100 ms x 2: cap 800. Full: 0-800; equal: 400-800
        // (half fixed, half random); each spread over its whole range.
        for (jitter, low, high) in [(Jitter::Full, 0, 800), (Jitter::Equal, 400, 800)] {
            let mut backoff = Backoff::new(&config(jitter), 5);
            let delays: Vec<u64> = (0..200).map(|_| backoff.delay(3)).collect();
            let (min, max) = (*delays.iter().min().unwrap(), *delays.iter().max().unwrap());
            assert!(
                low <= min && max <= high,
                "{jitter:?}: {min}..{max} outside {low}..={high}"
            );
            let quarter = (high - low) / 4;
            assert!(
                min < low + quarter && max > high - quarter,
                "{jitter:?}: {min}..{max} does not spread over {low}..={high}"
            );
            let distinct: alloc::collections::BTreeSet<u64> = delays.into_iter().collect();
            assert!(
                distinct.len() > 100,
                "{jitter:?}: {} distinct",
                distinct.len()
            );
        }
        assert_eq!(Backoff::new(&config(Jitter::None), 5).delay(3), 800);
    }

    #[test]
    fn full_jitter_spreads_delays() {
        let mut backoff = Backoff::new(&config(Jitter::Full), 3);
        let delays: alloc::collections::BTreeSet<u64> = (0..50).map(|_| backoff.delay(6)).collect();
        assert!(
            delays.len() > 40,
            "full jitter should rarely repeat: {delays:?}"
        );
    }
}
