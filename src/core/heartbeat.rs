//! The heartbeat: pings on an interval while open, a pong deadline after each
//! ping, RTT, and tolerance for timers that a background tab fired late and
//! for a ping queued behind the app's own outbound data.

use crate::prelude::*;

use super::config::HeartbeatConfig;
use super::time::Millis;

/// Most pings remembered as unanswered; a late wake-up adds one each time, so
/// a tab that stays throttled with a silent peer must not grow this forever.
const MAX_UNANSWERED: usize = 8;

/// What the heartbeat wants done when its timer fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeartbeatAction {
    /// Nothing is due.
    Idle,
    /// Send a ping now. `late` is true when it replaces a pong deadline the
    /// timer woke up for too late to judge (throttled tab).
    SendPing {
        /// Whether this ping replaces a deadline missed through lateness.
        late: bool,
    },
    /// No pong (nor any message) arrived within the timeout: the peer is dead.
    PeerDead {
        /// How long the heartbeat waited after its ping.
        waited_ms: u64,
    },
}

/// The browser socket's outbound side when the heartbeat's timer fired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendBuffer {
    /// Bytes sent but not yet passed to the network (`bufferedAmount`).
    pub buffered: u64,
    /// Bytes the engine has sent on this client so far (`bytes_out`).
    pub bytes_out: u64,
}

impl SendBuffer {
    /// Bytes passed to the network between `earlier` and `self`, as far as
    /// they can be told apart from new sends. `bytes_out` counts text in
    /// UTF-16 units, `bufferedAmount` in UTF-8 bytes, so for text beyond
    /// ASCII this reads low: it never finds progress that did not happen.
    fn drained_since(self, earlier: SendBuffer) -> u64 {
        let added = self.bytes_out.saturating_sub(earlier.bytes_out);
        earlier
            .buffered
            .saturating_add(added)
            .saturating_sub(self.buffered)
    }
}

/// The app's data queued ahead of the newest ping. While it drains, the
/// peer is taking it, and the ping has not reached it: a missing pong
/// proves nothing yet.
#[derive(Clone, Copy, Debug, Default)]
struct PingBacklog {
    /// The send buffer at the last look: the ping, or a deadline since.
    seen: SendBuffer,
    /// Bytes queued ahead of the ping that have not been seen to leave.
    ahead: u64,
}

/// The heartbeat of one open connection.
#[derive(Clone, Debug)]
pub struct Heartbeat {
    interval_ms: u64,
    timeout_ms: u64,
    late_tolerance_ms: u64,
    next_ping_at: Option<Millis>,
    /// When each unanswered ping went out, oldest first. Usually one; a late
    /// wake-up sends a fresh ping while the old one is still in flight, and
    /// pongs answer in order.
    pings_sent: Vec<Millis>,
    /// Pings taken off `pings_sent` unanswered (see `prune_unanswered`).
    /// Their pongs may still come, queued behind data: such a pong finds no
    /// ping listed and is taken for theirs (no RTT), not handed to the app.
    dropped_unanswered: usize,
    pong_deadline: Option<Millis>,
    /// A late wake-up already asked again during this silence. Network
    /// events are not throttled, so a live peer's answer would have arrived
    /// (and `on_inbound` cleared this) by the next wake-up: that one, late
    /// or not, gives the verdict.
    late_grace_used: bool,
    /// The send buffer behind which the newest ping waits.
    backlog: PingBacklog,
    last_rtt_ms: Option<u64>,
}

impl Heartbeat {
    /// A stopped heartbeat with these options.
    pub fn new(config: &HeartbeatConfig) -> Self {
        Heartbeat {
            interval_ms: config.interval_ms,
            timeout_ms: config.timeout_ms,
            late_tolerance_ms: config.late_tolerance_ms,
            next_ping_at: None,
            pings_sent: Vec::new(),
            dropped_unanswered: 0,
            pong_deadline: None,
            late_grace_used: false,
            backlog: PingBacklog::default(),
            last_rtt_ms: None,
        }
    }

    /// Whether pings are configured at all.
    pub fn enabled(&self) -> bool {
        self.interval_ms > 0
    }

    /// Starts pinging on a connection that just opened.
    pub fn start(&mut self, now: Millis) {
        self.stop();
        if self.enabled() {
            self.next_ping_at = Some(now + self.interval_ms);
        }
    }

    /// Stops pinging (the connection ended).
    pub fn stop(&mut self) {
        self.next_ping_at = None;
        self.pings_sent.clear();
        self.dropped_unanswered = 0;
        self.pong_deadline = None;
        self.late_grace_used = false;
        self.backlog = PingBacklog::default();
    }

    /// The next time the heartbeat needs the timer.
    pub fn deadline(&self) -> Option<Millis> {
        self.pong_deadline.or(self.next_ping_at)
    }

    /// Whether a ping is waiting for its pong (only then are inbound messages
    /// checked against the pong matcher).
    pub fn awaiting_pong(&self) -> bool {
        !self.pings_sent.is_empty() || self.dropped_unanswered > 0
    }

    /// Whether a pong deadline runs: the next inbound message, whatever it
    /// is, lifts it and so moves the heartbeat's timer.
    pub fn awaits_any_message(&self) -> bool {
        self.pong_deadline.is_some()
    }

    /// The last measured round trip.
    pub fn last_rtt_ms(&self) -> Option<u64> {
        self.last_rtt_ms
    }

    /// Any inbound message proves the peer alive: the pong deadline is
    /// lifted, and the silence (with its late grace) is over.
    pub fn on_inbound(&mut self) {
        self.pong_deadline = None;
        self.late_grace_used = false;
    }

    /// A pong arrived: returns the round trip of the oldest unanswered ping
    /// (the one it answers). With none listed, it answers a dropped ping.
    pub fn on_pong(&mut self, now: Millis) -> Option<u64> {
        self.pong_deadline = None;
        if self.pings_sent.is_empty() {
            self.dropped_unanswered = self.dropped_unanswered.saturating_sub(1);
            return None;
        }
        let rtt = now.since(self.pings_sent.remove(0));
        self.last_rtt_ms = Some(rtt);
        Some(rtt)
    }

    /// The timer fired at `now`, with the socket's send buffer as it is:
    /// decides whether to ping, wait longer, or declare the peer dead.
    pub fn on_timer(&mut self, now: Millis, send_buffer: SendBuffer) -> HeartbeatAction {
        if let Some(deadline) = self.pong_deadline {
            if now < deadline {
                return HeartbeatAction::Idle;
            }
            if now.since(deadline) > self.late_tolerance_ms && !self.late_grace_used {
                // The timer woke far past the deadline: the tab was throttled
                // or asleep, so silence proves nothing. Ask again, once: a
                // tab that stays throttled must still find a dead peer.
                self.late_grace_used = true;
                self.ping(now, send_buffer);
                return HeartbeatAction::SendPing { late: true };
            }
            if self.still_draining(send_buffer) {
                // The ping may still sit behind the app's data, which the
                // network keeps taking: the peer reads. Look again later.
                self.pong_deadline = Some(now + self.timeout_ms);
                return HeartbeatAction::Idle;
            }
            let waited_ms = self
                .pings_sent
                .last()
                .map_or(self.timeout_ms, |&sent| now.since(sent));
            self.stop();
            return HeartbeatAction::PeerDead { waited_ms };
        }
        match self.next_ping_at {
            Some(at) if now >= at => {
                self.prune_unanswered(now, at);
                self.ping(now, send_buffer);
                HeartbeatAction::SendPing { late: false }
            }
            _ => HeartbeatAction::Idle,
        }
    }

    /// At a missed pong deadline: whether the ping was still queued behind
    /// the app's data at the last look and some of it has left since (then
    /// the ping may have left only now, so it gets a full timeout). Data
    /// the browser still holds waits for the buffers below it (Chromium's
    /// network process, the OS's socket buffer), which take a few MB at
    /// once and then only what the peer takes: a dead peer's drain stops
    /// within a look or two, and the next deadline gives the verdict.
    fn still_draining(&mut self, now: SendBuffer) -> bool {
        let backlog = self.backlog;
        let drained = now.drained_since(backlog.seen);
        self.backlog = PingBacklog {
            seen: now,
            ahead: backlog.ahead.saturating_sub(drained),
        };
        backlog.ahead > 0 && drained > 0
    }

    /// Before an on-time ping that was due at `due`: takes off the list the
    /// pings past their timeout (inbound traffic lifted their deadline, so
    /// no verdict came). Left at the head, they would take the next pongs
    /// and skew every later RTT. They are counted, not forgotten: a pong of
    /// theirs may still arrive. A late (throttled) timer keeps them, as in
    /// `on_timer`: their pongs are likely still queued.
    fn prune_unanswered(&mut self, now: Millis, due: Millis) {
        if now.since(due) > self.late_tolerance_ms {
            return;
        }
        let listed = self.pings_sent.len();
        self.pings_sent
            .retain(|&sent| now.since(sent) < self.timeout_ms);
        self.owe_pongs(listed - self.pings_sent.len());
    }

    /// How many pongs the pings sent are owed (answered ones are not).
    pub fn owed_pongs(&self) -> usize {
        self.pings_sent.len() + self.dropped_unanswered
    }

    /// Counts `dropped` pings taken off the list unanswered as still owed
    /// their pongs (at most [`MAX_UNANSWERED`]).
    pub fn owe_pongs(&mut self, dropped: usize) {
        self.dropped_unanswered = (self.dropped_unanswered + dropped).min(MAX_UNANSWERED);
    }

    /// The page became visible before its throttled timer ran: a missed
    /// pong deadline is judged now, as the timer would judge it (a deadline
    /// missed by more than the late tolerance gets the one fresh ping of
    /// this silence, else the verdict, unless the ping is still draining);
    /// an overdue ping goes out now.
    pub fn on_visible(&mut self, now: Millis, send_buffer: SendBuffer) -> HeartbeatAction {
        if self.pong_deadline.is_some_and(|deadline| now >= deadline) {
            return self.on_timer(now, send_buffer);
        }
        match self.next_ping_at {
            Some(due) if self.pong_deadline.is_none() && now >= due => {
                self.prune_unanswered(now, due);
                self.ping(now, send_buffer);
                HeartbeatAction::SendPing { late: false }
            }
            _ => HeartbeatAction::Idle,
        }
    }

    /// Lists a ping sent at `now`, behind what `send_buffer` held.
    fn ping(&mut self, now: Millis, send_buffer: SendBuffer) {
        self.backlog = PingBacklog {
            seen: send_buffer,
            ahead: send_buffer.buffered,
        };
        if self.pings_sent.len() == MAX_UNANSWERED {
            // Its pong may still come: owed, like a pruned ping's.
            self.pings_sent.remove(0);
            self.owe_pongs(1);
        }
        self.pings_sent.push(now);
        self.pong_deadline = Some(now + self.timeout_ms);
        self.next_ping_at = Some(now + self.interval_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    const NOTHING_HELD: SendBuffer = SendBuffer {
        buffered: 0,
        bytes_out: 0,
    };

    fn heartbeat() -> Heartbeat {
        Heartbeat::new(&HeartbeatConfig {
            interval_ms: 1_000,
            timeout_ms: 500,
            ..HeartbeatConfig::default()
        })
    }

    #[test]
    fn pings_after_interval_and_declares_dead_after_timeout() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        assert_eq!(hb.deadline(), Some(Millis(1_000)));
        assert_eq!(
            hb.on_timer(Millis(1_000), NOTHING_HELD),
            HeartbeatAction::SendPing { late: false }
        );
        assert_eq!(hb.deadline(), Some(Millis(1_500)));
        assert_eq!(
            hb.on_timer(Millis(1_500), NOTHING_HELD),
            HeartbeatAction::PeerDead { waited_ms: 500 }
        );
    }

    fn held(buffered: u64, bytes_out: u64) -> SendBuffer {
        SendBuffer {
            buffered,
            bytes_out,
        }
    }

    /// A heartbeat that pinged at 1,000 with `ahead` as the send buffer.
    fn pinged_behind(ahead: SendBuffer) -> Heartbeat {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        assert_eq!(
            hb.on_timer(Millis(1_000), ahead),
            HeartbeatAction::SendPing { late: false }
        );
        hb
    }

    #[test]
    fn a_ping_queued_behind_draining_data_gets_a_timeout_after_it_left() {
        // 5,000 bytes ahead of the 16-byte ping.
        let mut hb = pinged_behind(held(5_000, 100));
        // 3,000 left by the deadline, and the app sent 1,000 more.
        assert_eq!(
            hb.on_timer(Millis(1_500), held(3_016, 1_116)),
            HeartbeatAction::Idle
        );
        assert_eq!(hb.deadline(), Some(Millis(2_000)));
        // The buffer is empty: the ping left at some point since the last
        // look, so it gets one more timeout...
        assert_eq!(
            hb.on_timer(Millis(2_000), held(0, 1_116)),
            HeartbeatAction::Idle
        );
        assert_eq!(hb.deadline(), Some(Millis(2_500)));
        // ...and no more.
        assert_eq!(
            hb.on_timer(Millis(2_500), held(0, 1_116)),
            HeartbeatAction::PeerDead { waited_ms: 1_500 }
        );
    }

    #[test]
    fn a_pong_after_the_backlog_drained_keeps_the_connection() {
        let mut hb = pinged_behind(held(5_000, 0));
        assert_eq!(
            hb.on_timer(Millis(1_500), held(1_000, 16)),
            HeartbeatAction::Idle
        );
        assert_eq!(hb.on_pong(Millis(1_900)), Some(900));
        assert_eq!(hb.deadline(), Some(Millis(2_000)), "the next ping");
    }

    #[test]
    fn a_send_buffer_that_stopped_draining_is_no_excuse() {
        let mut hb = pinged_behind(held(5_000, 0));
        // Only the ping joined the buffer: nothing left it.
        assert_eq!(
            hb.on_timer(Millis(1_500), held(5_016, 16)),
            HeartbeatAction::PeerDead { waited_ms: 500 }
        );
        // It drained for a while, then stopped: the verdict one timeout later.
        let mut hb = pinged_behind(held(5_000, 0));
        assert_eq!(
            hb.on_timer(Millis(1_500), held(4_016, 16)),
            HeartbeatAction::Idle
        );
        assert_eq!(
            hb.on_timer(Millis(2_000), held(4_016, 16)),
            HeartbeatAction::PeerDead { waited_ms: 1_000 }
        );
    }

    #[test]
    fn new_data_behind_a_ping_that_left_at_once_is_no_excuse() {
        // Nothing ahead of the ping; the app's upload after it drains.
        let mut hb = pinged_behind(held(0, 0));
        assert_eq!(
            hb.on_timer(Millis(1_500), held(30_000, 50_016)),
            HeartbeatAction::PeerDead { waited_ms: 500 }
        );
    }

    #[test]
    fn a_ping_on_becoming_visible_waits_behind_held_data_only_while_it_drains() {
        for (at_deadline, verdict) in [
            // 2,000 of the 8,000 bytes ahead left: look again later.
            (held(6_016, 32), HeartbeatAction::Idle),
            // Only the ping joined them: the peer takes nothing.
            (
                held(8_016, 32),
                HeartbeatAction::PeerDead { waited_ms: 500 },
            ),
        ] {
            let mut hb = heartbeat();
            hb.start(Millis(0));
            hb.on_timer(Millis(1_000), NOTHING_HELD);
            hb.on_inbound();
            assert_eq!(
                hb.on_visible(Millis(2_005), held(8_000, 16)),
                HeartbeatAction::SendPing { late: false }
            );
            assert_eq!(hb.on_timer(Millis(2_505), at_deadline), verdict);
        }
    }

    #[test]
    fn text_beyond_ascii_never_counts_as_drained_when_it_did_not() {
        // 1,000 UTF-16 units of "é" are 2,000 bytes in the buffer: the
        // engine's count reads low, so the buffer looks to have grown.
        let before = held(5_000, 0);
        assert_eq!(held(7_000, 1_000).drained_since(before), 0);
        assert_eq!(held(6_000, 1_000).drained_since(before), 0);
        assert_eq!(held(5_500, 1_000).drained_since(before), 500);
    }

    #[test]
    fn pong_measures_rtt_and_any_message_counts_as_liveness() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        hb.on_inbound();
        assert_eq!(hb.deadline(), Some(Millis(2_000)));
        assert!(hb.awaiting_pong());
        assert_eq!(hb.on_pong(Millis(1_042)), Some(42));
        assert!(!hb.awaiting_pong());
    }

    #[test]
    fn a_tab_that_stays_throttled_finds_a_silent_peer_dead_at_the_second_late_wakeup() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        // Throttled to a wake-up a minute: the first late one asks again...
        assert_eq!(
            hb.on_timer(Millis(60_000), NOTHING_HELD),
            HeartbeatAction::SendPing { late: true }
        );
        // ...and nothing came back by the next one: dead.
        assert_eq!(
            hb.on_timer(Millis(120_000), NOTHING_HELD),
            HeartbeatAction::PeerDead { waited_ms: 60_000 }
        );
    }

    #[test]
    fn any_message_gives_the_throttled_heartbeat_its_late_grace_back() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        hb.on_timer(Millis(60_000), NOTHING_HELD);
        hb.on_pong(Millis(60_020));
        hb.on_inbound();
        hb.on_timer(Millis(120_000), NOTHING_HELD); // the next ping, late
        assert_eq!(
            hb.on_timer(Millis(180_000), NOTHING_HELD),
            HeartbeatAction::SendPing { late: true },
            "a new silence: asked again before any verdict"
        );
    }

    #[test]
    fn late_wakeup_sends_fresh_ping_instead_of_declaring_dead() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        assert_eq!(
            hb.on_timer(Millis(60_000), NOTHING_HELD),
            HeartbeatAction::SendPing { late: true }
        );
        assert_eq!(hb.deadline(), Some(Millis(60_500)));
    }

    #[test]
    fn an_unanswered_ping_whose_deadline_was_lifted_does_not_skew_later_rtts() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        // Other data arrives (lifting the pong deadline), but no pong.
        hb.on_inbound();
        for at in [2_000, 3_000] {
            assert_eq!(
                hb.on_timer(Millis(at), NOTHING_HELD),
                HeartbeatAction::SendPing { late: false }
            );
            hb.on_inbound();
            assert_eq!(hb.on_pong(Millis(at + 10)), Some(10));
        }
        // The dropped ping is still owed a pong: if it comes, it is taken
        // for that ping's (no RTT), not handed on as app data.
        assert!(hb.awaiting_pong());
        assert_eq!(hb.on_pong(Millis(3_500)), None);
        assert!(!hb.awaiting_pong());
    }

    #[test]
    fn a_late_pong_of_a_dropped_ping_leaves_the_next_pong_to_the_heartbeat() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD); // ping A
        hb.on_inbound(); // data lifts A's deadline
        hb.on_timer(Millis(2_000), NOTHING_HELD); // ping B; A dropped
        // A's pong, queued behind the data, is taken for B's: one RTT that
        // cannot be told apart from B's.
        assert_eq!(hb.on_pong(Millis(2_200)), Some(200));
        // B's own pong still belongs to the heartbeat.
        assert!(hb.awaiting_pong());
        assert_eq!(hb.on_pong(Millis(2_250)), None);
        assert!(!hb.awaiting_pong());
    }

    #[test]
    fn pings_dropped_unanswered_are_counted_up_to_the_cap() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        for second in 1..=20 {
            hb.on_timer(Millis(second * 1_000), NOTHING_HELD);
            hb.on_inbound();
        }
        assert_eq!(hb.pings_sent.len(), 1);
        assert_eq!(hb.dropped_unanswered, MAX_UNANSWERED);
        hb.stop();
        assert!(!hb.awaiting_pong());
    }

    #[test]
    fn a_ping_pushed_out_of_a_full_list_is_still_owed_its_pong() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        // A throttled tab: every timer is late, every ping stays listed
        // (data keeps arriving, so the late grace is never used up).
        let mut at = 1_000;
        for _ in 0..=MAX_UNANSWERED {
            hb.on_timer(Millis(at), NOTHING_HELD);
            hb.on_inbound();
            at += 60_000;
        }
        assert_eq!(hb.pings_sent.len(), MAX_UNANSWERED);
        // All their pongs arrive: none is left over for the app.
        for _ in 0..=MAX_UNANSWERED {
            assert!(hb.awaiting_pong());
            hb.on_pong(Millis(at));
        }
        assert!(!hb.awaiting_pong());
    }

    #[test]
    fn becoming_visible_far_past_a_deadline_asks_again_once_per_silence() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        // The deadline (1,500) missed by more than the late tolerance: the
        // tab slept, so silence proves nothing yet.
        assert_eq!(
            hb.on_visible(Millis(5_000), NOTHING_HELD),
            HeartbeatAction::SendPing { late: true }
        );
        // Hidden again, and that ping's deadline missed too: the grace is
        // used, so the verdict.
        assert_eq!(
            hb.on_visible(Millis(9_000), NOTHING_HELD),
            HeartbeatAction::PeerDead { waited_ms: 4_000 }
        );
    }

    #[test]
    fn becoming_visible_just_past_a_deadline_gives_the_verdict() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        // Within the late tolerance: the timer would have judged the same.
        assert_eq!(
            hb.on_visible(Millis(1_600), NOTHING_HELD),
            HeartbeatAction::PeerDead { waited_ms: 600 }
        );
    }

    #[test]
    fn a_ping_on_becoming_visible_does_not_inherit_an_unanswered_one() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        hb.on_inbound();
        // Visible just after the next ping was due (the timer had not run).
        assert_eq!(
            hb.on_visible(Millis(2_005), NOTHING_HELD),
            HeartbeatAction::SendPing { late: false }
        );
        assert_eq!(hb.on_pong(Millis(2_015)), Some(10));
    }

    #[test]
    fn a_late_timer_keeps_unanswered_pings_for_their_queued_pongs() {
        let mut hb = heartbeat();
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        hb.on_inbound();
        // The tab was throttled: the pong to the first ping may still be queued.
        assert_eq!(
            hb.on_timer(Millis(60_000), NOTHING_HELD),
            HeartbeatAction::SendPing { late: false }
        );
        assert_eq!(hb.on_pong(Millis(60_001)), Some(59_001));
        assert_eq!(hb.on_pong(Millis(60_010)), Some(10));
        assert!(!hb.awaiting_pong());
    }

    #[test]
    fn pings_within_their_timeout_stay_listed_when_the_interval_is_shorter() {
        let mut hb = Heartbeat::new(&HeartbeatConfig {
            interval_ms: 1_000,
            timeout_ms: 5_000,
            ..HeartbeatConfig::default()
        });
        hb.start(Millis(0));
        hb.on_timer(Millis(1_000), NOTHING_HELD);
        hb.on_inbound();
        hb.on_timer(Millis(2_000), NOTHING_HELD);
        assert_eq!(hb.on_pong(Millis(2_500)), Some(1_500));
        assert_eq!(hb.on_pong(Millis(2_510)), Some(510));
    }

    #[test]
    fn disabled_heartbeat_never_asks_for_the_timer() {
        let mut hb = Heartbeat::new(&HeartbeatConfig {
            interval_ms: 0,
            ..HeartbeatConfig::default()
        });
        hb.start(Millis(0));
        assert_eq!(hb.deadline(), None);
        assert_eq!(
            hb.on_timer(Millis(1_000_000), NOTHING_HELD),
            HeartbeatAction::Idle
        );
    }
}
