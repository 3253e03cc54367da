//! Flapping: connections that open and die within a short window, again and
//! again (a heartbeat the server rejects, an auth check after open, a second
//! client kicking this one out).

use crate::prelude::*;

use super::text::{concat, decimal};

/// Counts short-lived connections in a row.
#[derive(Clone, Debug)]
pub struct FlappingDetector {
    window_ms: u64,
    threshold: u32,
    short_in_row: u32,
}

impl FlappingDetector {
    /// A detector: a connection shorter than `window_ms` counts, and
    /// `threshold` in a row are reported.
    pub fn new(window_ms: u64, threshold: u32) -> Self {
        FlappingDetector {
            window_ms,
            threshold,
            short_in_row: 0,
        }
    }

    /// An opened connection ended after `open_ms`. A lasting one ends the
    /// streak; a short one adds to it when `short_counts` (a short connection
    /// that ended while offline, or by the app, says nothing of the server).
    /// Returns the count of short connections in a row when this one counted
    /// and the count has reached the threshold.
    pub fn on_connection_ended(&mut self, open_ms: u64, short_counts: bool) -> Option<u32> {
        if open_ms >= self.window_ms {
            self.short_in_row = 0;
            return None;
        }
        if !short_counts {
            return None;
        }
        self.short_in_row += 1;
        (self.short_in_row >= self.threshold).then_some(self.short_in_row)
    }

    /// Whether the last connections were flapping.
    pub fn is_flapping(&self) -> bool {
        self.short_in_row >= self.threshold
    }

    /// Whether the connections would be flapping if one open for `open_ms`
    /// ended now.
    pub fn would_be_flapping(&self, open_ms: u64) -> bool {
        open_ms < self.window_ms && self.short_in_row + 1 >= self.threshold
    }
}

/// Likely causes of an open-then-close loop, given what the last connection saw.
pub fn likely_causes(last_code: u16, pinged_before_close: bool, received_any: bool) -> Vec<String> {
    let mut causes = Vec::new();
    if pinged_before_close {
        causes.push(String::from(
            "the server closed soon after a heartbeat ping: it may not understand the ping message (check heartbeat.message, or set heartbeat.intervalMs to 0 to confirm)",
        ));
    }
    if (4000..=4999).contains(&last_code)
        || last_code == 1008
        || last_code == 3000
        || last_code == 3003
    {
        causes.push(concat(&[
            "the server accepts the connection, then refuses it with close code ",
            &decimal(u64::from(last_code)),
            ": check credentials, parameters or the resource in the URL",
        ]));
    }
    if last_code == 1002 || last_code == 1003 || last_code == 1007 {
        causes.push(String::from("protocol mismatch: the server does not accept what this client sends (subprotocol, message format)"));
    }
    if !received_any {
        causes.push(String::from(
            "the server closes before saying anything: an auth or origin check after the upgrade, or another client with the same id replacing this one",
        ));
    }
    causes.push(String::from(
        "a proxy or load balancer that drops idle or long-lived connections",
    ));
    causes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn reports_after_threshold_short_connections_in_a_row() {
        let mut detector = FlappingDetector::new(1_000, 3);
        assert_eq!(detector.on_connection_ended(10, true), None);
        assert_eq!(detector.on_connection_ended(10, true), None);
        assert_eq!(detector.on_connection_ended(10, true), Some(3));
        assert_eq!(detector.on_connection_ended(10, true), Some(4));
        assert!(detector.is_flapping());
    }

    #[test]
    fn a_long_connection_ends_the_streak() {
        let mut detector = FlappingDetector::new(1_000, 2);
        detector.on_connection_ended(10, true);
        detector.on_connection_ended(5_000, true);
        assert_eq!(detector.on_connection_ended(10, true), None);
    }

    #[test]
    fn a_short_connection_that_does_not_count_neither_adds_nor_ends_the_streak() {
        let mut detector = FlappingDetector::new(1_000, 2);
        detector.on_connection_ended(10, true);
        assert_eq!(detector.on_connection_ended(10, false), None);
        assert!(!detector.is_flapping());
        assert_eq!(detector.on_connection_ended(10, true), Some(2));
        // A lasting one ends it whether or not short ones would count.
        assert_eq!(detector.on_connection_ended(5_000, false), None);
        assert!(!detector.is_flapping());
    }

    #[test]
    fn causes_mention_the_heartbeat_when_it_pinged_before_the_close() {
        let causes = likely_causes(1011, true, true);
        assert!(causes[0].contains("heartbeat"));
        assert!(
            likely_causes(4003, false, false)
                .iter()
                .any(|c| c.contains("4003"))
        );
    }
}
