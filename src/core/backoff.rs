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
        // Multiplied step by step (`f64::powi` is std only), stopping once
        // the cap is reached (`multiplier` is at least 1, so it only grows)
        // and after 1,000 steps, so a delay that never grows (multiplier 1)
        // costs no more than that however long the outage.
        let max = self.max_delay_ms as f64;
        let mut grown = self.initial_delay_ms as f64;
        for _ in 0..attempt.min(1_000) {
            if grown >= max {
                break;
            }
            grown *= self.multiplier;
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
            Jitter::Equal => (cap / 2, cap / 2 + cap / 2),
            Jitter::None => (cap, cap),
        }
    }

    /// The delay before retry number `attempt`.
    pub fn delay(&mut self, attempt: u32) -> u64 {
        let cap = self.cap(attempt);
        match self.jitter {
            Jitter::Full => self.rng.up_to(cap),
            Jitter::Equal => cap / 2 + self.rng.up_to(cap / 2),
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
    fn the_exponent_stops_at_a_thousand() {
        // As `powi(attempt.min(1000))` did: 1.0000001^1000 is about 1.0001,
        // so the cap stays at the initial delay. Without the limit, attempt
        // u32::MAX would multiply until the cap (1.8e8 steps) and return it;
        // a delay that never grows (initialDelayMs 0) would loop 4e9 times.
        let backoff = Backoff::new(
            &ReconnectConfig {
                initial_delay_ms: 1,
                max_delay_ms: 86_400_000,
                multiplier: 1.000_000_1,
                jitter: Jitter::None,
                ..ReconnectConfig::default()
            },
            1,
        );
        assert_eq!(backoff.cap(u32::MAX), 1);
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
    fn full_jitter_spreads_delays() {
        let mut backoff = Backoff::new(&config(Jitter::Full), 3);
        let delays: alloc::collections::BTreeSet<u64> = (0..50).map(|_| backoff.delay(6)).collect();
        assert!(
            delays.len() > 40,
            "full jitter should rarely repeat: {delays:?}"
        );
    }
}
