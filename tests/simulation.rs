//! Named scenarios of the core engine against a fake server on a simulated
//! clock: each proves one behaviour of DESIGN.md, in milliseconds of real time.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use resilient_ws::core::{
    CloseAction, CloseCategory, CloseCause, CloseCodeRule, CloseError, CloseReport,
    ConnectionState, DirectTraffic, Direction, Event, Frame, Input, Jitter, Millis, Output,
    Overflow, PendingOnReconnect, RequestFailure, SendError, SendStatus, UrlSource,
};
use sim::{ServerMode, Sim, URL, Uplink, test_config};

fn open_sim(config: resilient_ws::core::Config) -> Sim {
    let mut sim = Sim::new(config);
    sim.connect();
    assert!(
        sim.run_until_state(ConnectionState::Open, 1_000),
        "did not open"
    );
    sim
}

// ----- states -----

#[test]
fn first_connect_goes_idle_connecting_open() {
    let mut sim = Sim::new(test_config());
    assert_eq!(sim.state(), ConnectionState::Idle);
    sim.connect();
    assert_eq!(sim.state(), ConnectionState::Connecting);
    assert!(sim.run_until_state(ConnectionState::Open, 100));
    let changes: Vec<_> = sim
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::StateChange { from, to } => Some((*from, *to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (ConnectionState::Idle, ConnectionState::Connecting),
            (ConnectionState::Connecting, ConnectionState::Open)
        ]
    );
    assert_eq!(sim.sockets_opened, 1);
}

#[test]
fn server_restart_reconnects_with_backoff() {
    let mut sim = open_sim(test_config());
    sim.server_restart(1_000);
    assert!(sim.run_until(5_000, |s| s.state() == ConnectionState::Open
        && s.now > Millis(1_000)));
    // Jitter none: 100, 200, 400, 800 ms ... until the server is back.
    let delays = sim.reconnect_delays();
    assert_eq!(&delays[..4], &[100, 200, 400, 800]);
    assert!(sim.closes().iter().all(|c| c.will_reconnect));
    assert_eq!(sim.engine.stats(sim.now).connection, sim.sockets_opened);
}

#[test]
fn first_connection_is_retried_when_refused() {
    let mut sim = Sim::new(test_config());
    sim.mode = ServerMode::Down;
    sim.connect();
    sim.run_for(350);
    assert!(
        sim.sockets_opened >= 3,
        "retried {} times",
        sim.sockets_opened
    );
    sim.mode = ServerMode::Up;
    assert!(sim.run_until_state(ConnectionState::Open, 5_000));
    assert!(!sim.closes()[0].opened);
}

#[test]
fn at_most_one_socket_exists_through_a_restart_storm() {
    // The harness asserts on every OpenSocket that no other socket exists.
    let mut sim = open_sim(test_config());
    for _ in 0..20 {
        sim.server_restart(50);
        sim.run_for(300);
    }
    assert!(sim.run_until_state(ConnectionState::Open, 5_000));
}

// ----- close codes -----

#[test]
fn close_4004_stops_and_explains() {
    let mut sim = open_sim(test_config());
    sim.server_close(4004, "project not found");
    sim.run_for(10_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    let close = &sim.closes()[0];
    assert_eq!(close.code, 4004);
    assert_eq!(close.reason, "project not found");
    assert_eq!(close.interpretation.action, CloseAction::Stop);
    assert_eq!(close.interpretation.category, CloseCategory::Application);
    assert!(!close.interpretation.hint.is_empty());
    assert!(!close.will_reconnect);
    assert_eq!(sim.sockets_opened, 1, "no attempt after a stop code");
}

#[test]
fn close_4003_4000_4002_stop_by_default() {
    for code in [4000, 4002, 4003] {
        let mut sim = open_sim(test_config());
        sim.server_close(code, "refused");
        sim.run_for(10_000);
        assert_eq!(sim.state(), ConnectionState::Closed, "code {code}");
        assert_eq!(sim.sockets_opened, 1, "code {code}");
    }
}

#[test]
fn accept_then_close_on_every_connection_with_stop_code_never_retries() {
    let mut sim = Sim::new(test_config());
    sim.mode = ServerMode::CloseOnOpen(4003, "not localhost".into());
    sim.connect();
    sim.run_for(60_000);
    assert_eq!(sim.sockets_opened, 1);
    assert_eq!(sim.closes()[0].code, 4003);
}

#[test]
fn close_1006_before_open_hints_handshake_rejection() {
    let mut sim = Sim::new(test_config());
    sim.mode = ServerMode::Down;
    sim.connect();
    sim.run_for(50);
    let before = &sim.closes()[0];
    assert_eq!(before.code, 1006);
    assert!(!before.opened);

    let mut sim = open_sim(test_config());
    sim.drop_connection();
    sim.run_for(50);
    let after = &sim.closes()[0];
    assert_eq!(after.code, 1006);
    assert!(after.opened);
    assert_ne!(
        before.interpretation.hint, after.interpretation.hint,
        "1006 hints must differ before/after open"
    );
    assert!(before.will_reconnect && after.will_reconnect);
}

#[test]
fn close_policy_override_applies_per_code_and_range() {
    let mut config = test_config();
    config.close_codes = vec![
        CloseCodeRule {
            code: 4000,
            to: Some(4099),
            action: CloseAction::Retry,
        },
        CloseCodeRule {
            code: 4050,
            to: None,
            action: CloseAction::Stop,
        },
    ];
    let mut sim = open_sim(config.clone());
    sim.server_close(4004, "retry me");
    sim.run_for(50);
    assert!(
        sim.closes()[0].will_reconnect,
        "range override turns 4004 into retry"
    );
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));

    let mut sim = open_sim(config);
    sim.server_close(4050, "last rule wins");
    sim.run_for(1_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
}

#[test]
fn close_1013_waits_at_least_the_try_later_delay() {
    let mut config = test_config();
    config.reconnect.try_later_delay_ms = 1_500;
    let mut sim = open_sim(config);
    sim.server_close(1013, "overloaded");
    sim.run_for(50);
    // The least wait plus the backoff's delay (100, no jitter here).
    assert_eq!(sim.reconnect_delays(), vec![1_600]);
    // ...and waited out: no attempt before it ends, one when it does.
    let closed_at = sim
        .events
        .iter()
        .find_map(|(at, e)| matches!(e, Event::Close(_)).then_some(*at))
        .expect("the close was reported");
    sim.run_for(closed_at.0 + 1_599 - sim.now.0);
    assert_eq!(sim.sockets_opened, 1, "retried before the delay ran out");
    sim.run_for(1);
    assert_eq!(sim.sockets_opened, 2, "retried when the delay ran out");
}

/// The first reconnect delay after `code` for 20 clients (seeds) with full
/// jitter and these delays, each checked to lie in `range`; returned sorted
/// and without repeats.
fn try_later_delays(
    code: u16,
    (initial, max, try_later): (u64, u64, u64),
    range: core::ops::RangeInclusive<u64>,
) -> Vec<u64> {
    let mut delays = Vec::new();
    for seed in 0..20 {
        let mut config = test_config();
        config.reconnect.jitter = resilient_ws::core::Jitter::Full;
        config.reconnect.initial_delay_ms = initial;
        config.reconnect.max_delay_ms = max;
        config.reconnect.try_later_delay_ms = try_later;
        let mut sim = Sim::with_source(UrlSource::Fixed(URL.to_owned()), config, seed);
        sim.connect();
        assert!(sim.run_until_state(ConnectionState::Open, 1_000));
        sim.server_close(code, "try later");
        sim.run_for(10);
        let delay = sim.reconnect_delays()[0];
        assert!(range.contains(&delay), "{delay} outside {range:?}");
        delays.push(delay);
    }
    delays.sort_unstable();
    delays.dedup();
    delays
}

#[test]
fn clients_sent_away_together_by_1012_do_not_all_come_back_at_once() {
    // Full jitter on top of the least wait: a server restart that sends
    // 1012 to many clients gets them back spread out, not in one burst.
    let delays = try_later_delays(1012, (1_000, 30_000, 1_500), 1_500..=2_500);
    assert!(delays.len() >= 15, "spread out: {delays:?}");
}

#[test]
fn try_later_keeps_its_jitter_when_try_later_delay_reaches_max_delay() {
    // tryLaterDelayMs 5000 with maxDelayMs 5000 (both valid): a cap at
    // maxDelayMs would bring every client back at exactly 5000 ms.
    let delays = try_later_delays(1013, (5_000, 5_000, 5_000), 5_000..=10_000);
    assert!(delays.len() >= 15, "spread out: {delays:?}");
}

#[test]
fn reauth_code_emits_reauth_and_retries() {
    let mut sim = open_sim(test_config());
    sim.server_close(4001, "token expired");
    sim.run_for(50);
    assert!(sim.saw(|e| matches!(e, Event::Reauth { code: 4001 })));
    assert_eq!(sim.state(), ConnectionState::Reconnecting);
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    assert_eq!(sim.sockets_opened, 2, "the retry happened");
}

#[test]
fn reauth_code_emits_reauth_when_no_retry_follows() {
    let mut config = test_config();
    config.reconnect.enabled = false;
    let mut sim = open_sim(config);
    sim.server_close(4001, "token expired");
    sim.run_for(50);
    assert!(sim.saw(|e| matches!(e, Event::Reauth { code: 4001 })));
    assert!(!sim.closes().pop().unwrap().will_reconnect);
    assert_eq!(sim.state(), ConnectionState::Closed);
}

// ----- app close -----

#[test]
fn app_close_waits_for_the_close_frame_then_stops_for_good() {
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    sim.drain();
    assert_eq!(sim.state(), ConnectionState::Closing);
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    let close = sim.closes().pop().unwrap();
    assert_eq!(close.cause, CloseCause::App);
    assert!(!close.will_reconnect);
    assert_eq!(close.interpretation.action, CloseAction::Stop);
    // The app's 1000, not "the server ended the session".
    assert!(
        close
            .interpretation
            .hint
            .starts_with("closed by this app (")
    );
    assert_eq!(sim.sockets_opened, 1);
}

#[test]
fn connect_right_after_close_reconnects_once_the_close_is_over() {
    // The restart idiom `close(); connect()`: the close completes and is
    // reported, then a new connection opens.
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "restart").unwrap();
    sim.engine.connect(sim.now);
    sim.drain();
    assert_eq!(sim.state(), ConnectionState::Closing);
    assert!(sim.run_until_state(ConnectionState::Open, 5_000));
    assert_eq!(sim.sockets_opened, 2);
    let close = &sim.closes()[0];
    assert_eq!(close.cause, CloseCause::App);
    assert!(close.was_clean);
    // It says what follows: the connect(), at once.
    assert_eq!(
        (
            close.will_reconnect,
            close.delay_ms,
            close.interpretation.action
        ),
        (true, Some(0), CloseAction::Retry)
    );
    assert!(close.interpretation.hint.starts_with("closed by this app;"));
    // In order: closing -> closed, the close, then closed -> connecting.
    let order = event_order(&sim);
    let closing = order.iter().position(|e| e == "Closing").unwrap();
    assert_eq!(
        &order[closing..closing + 4],
        ["Closing", "Closed", "close", "Connecting"]
    );

    // Sends and requests made after connect() wait for the new connection.
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "restart").unwrap();
    sim.engine.connect(sim.now);
    let sent = sim.engine.send(sim.now, Frame::Text("hello".into()));
    assert_eq!(sent, Ok(SendStatus::Queued));
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.drain();
    assert_eq!(sim.engine.stats(sim.now).pending_requests, 1);
    assert!(sim.run_until_state(ConnectionState::Open, 5_000));
    sim.run_for(10);
    assert_eq!(
        sim.engine.stats(sim.now).pending_requests,
        1,
        "still waiting for its reply"
    );
    assert_eq!(sim.received_on(2)[0], "hello");
    assert!(sim.received_on(2)[1].contains("rws-"));
    assert!(!sim.saw(|e| matches!(e, Event::RequestFailed { request: r, .. } if *r == request)));

    // Every handle dropped meanwhile (stop_reconnecting): no new connection
    // that nothing could close.
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "").unwrap();
    sim.engine.connect(sim.now);
    sim.engine.stop_reconnecting();
    sim.drain();
    sim.run_for(10_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 1);

    // close(); connect(); close(): the latest call wins, and a request made
    // in between fails at the second close(), as any pending one does.
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "").unwrap();
    sim.engine.connect(sim.now);
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.engine.close(sim.now, 1000, "").unwrap();
    sim.drain();
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request: r, .. } if *r == request)));
    sim.run_for(10_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 1);
}

#[test]
fn app_close_during_connecting_and_backoff_and_twice_stops() {
    let mut sim = Sim::new(test_config());
    sim.mode = ServerMode::Hang;
    sim.connect();
    sim.engine.close(sim.now, 1000, "").unwrap();
    sim.drain();
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert!(sim.socket.is_none(), "the hanging socket was let go");
    sim.engine.close(sim.now, 1000, "again").unwrap();
    sim.drain();
    assert_eq!(sim.closes().len(), 1, "second close is a no-op");

    let mut sim = open_sim(test_config());
    sim.drop_connection();
    sim.run_until_state(ConnectionState::Reconnecting, 100);
    sim.engine.close(sim.now, 1000, "").unwrap();
    sim.drain();
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 1);
}

#[test]
fn closing_gives_up_waiting_after_the_closing_timeout() {
    let mut sim = open_sim(test_config());
    sim.latency_ms = 100_000; // the server never answers the close
    sim.engine.close(sim.now, 1000, "").unwrap();
    sim.drain();
    sim.run_for(1_999);
    assert_eq!(
        sim.state(),
        ConnectionState::Closing,
        "gave up before the closing timeout"
    );
    sim.run_for(1);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert!(sim.socket.is_none());
}

#[test]
fn close_validates_code_and_reason_like_browsers() {
    let mut sim = open_sim(test_config());
    assert_eq!(
        sim.engine.close(sim.now, 1006, ""),
        Err(CloseError::InvalidCode(1006))
    );
    assert_eq!(
        sim.engine.close(sim.now, 2999, ""),
        Err(CloseError::InvalidCode(2999))
    );
    assert_eq!(
        sim.engine.close(sim.now, 1000, &"x".repeat(124)),
        Err(CloseError::ReasonTooLong(124))
    );
    assert_eq!(sim.state(), ConnectionState::Open);
    assert!(sim.engine.close(sim.now, 4999, "ok").is_ok());
}

// ----- backoff -----

#[test]
fn backoff_grows_exponentially_up_to_the_cap() {
    let mut sim = Sim::new(test_config());
    sim.mode = ServerMode::Down;
    sim.connect();
    sim.run_for(20_000);
    let delays = sim.reconnect_delays();
    assert_eq!(&delays[..7], &[100, 200, 400, 800, 1_600, 2_000, 2_000]);
}

#[test]
fn full_jitter_delays_stay_within_bounds_and_spread() {
    let mut config = test_config();
    config.reconnect.jitter = Jitter::Full;
    let mut sim = Sim::with_source(UrlSource::Fixed(URL.into()), config, 77);
    sim.mode = ServerMode::Down;
    sim.connect();
    sim.run_for(60_000);
    // min(2000, 100 * 2^n), written out here rather than read from the
    // backoff under test.
    let caps = [100, 200, 400, 800, 1_600];
    let delays = sim.reconnect_delays();
    assert!(delays.len() > caps.len(), "{delays:?}");
    for (attempt, delay) in delays.iter().enumerate() {
        let cap = caps.get(attempt).copied().unwrap_or(2_000);
        assert!(*delay <= cap, "attempt {attempt}: {delay} over {cap}");
    }
    let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
    assert!(distinct.len() > delays.len() / 2);
}

#[test]
fn max_attempts_exhausted_closes() {
    let mut config = test_config();
    config.reconnect.max_attempts = Some(3);
    let mut sim = Sim::new(config);
    sim.mode = ServerMode::Down;
    sim.connect();
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 4, "first try plus three retries");
    assert!(!sim.closes().last().unwrap().will_reconnect);
}

#[test]
fn attempt_counter_resets_only_after_reset_after_ms_open() {
    let mut config = test_config();
    config.flapping.threshold = 100; // not flapping: resetAfterMs alone decides
    let mut sim = open_sim(config);
    for connection in 2..=4 {
        sim.drop_connection();
        assert!(sim.run_until(10_000, |s| s.connection() == connection
            && s.state() == ConnectionState::Open));
        sim.run_for(10); // shorter than resetAfterMs (1,000)
    }
    assert_eq!(sim.reconnect_delays(), vec![100, 200, 400]);
    sim.run_for(1_000);
    sim.drop_connection();
    sim.run_for(20);
    assert_eq!(
        *sim.reconnect_delays().last().unwrap(),
        100,
        "reset after staying open"
    );
}

#[test]
fn reconnect_disabled_stops_after_the_first_loss() {
    let mut config = test_config();
    config.reconnect.enabled = false;
    let mut sim = open_sim(config);
    sim.drop_connection();
    sim.run_for(10_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 1);
}

#[test]
fn app_reconnect_replaces_the_socket_immediately() {
    let mut sim = open_sim(test_config());
    sim.engine.reconnect(sim.now);
    sim.drain();
    assert!(sim.run_until_state(ConnectionState::Open, 100));
    assert_eq!(sim.sockets_opened, 2);
    assert_eq!(sim.closes()[0].cause, CloseCause::Replaced);
    // As for every other close: open -> connecting, then the close.
    assert_eq!(
        event_order(&sim),
        ["Connecting", "Open", "Connecting", "close", "Open"]
    );

    // Called while the app's close waits for the server: that close is
    // reported (the app's, not clean), then the new connection opens.
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 4000, "bye").unwrap();
    sim.engine.reconnect(sim.now);
    sim.drain();
    assert!(sim.run_until_state(ConnectionState::Open, 100));
    assert_eq!(sim.sockets_opened, 2);
    let close = &sim.closes()[0];
    assert_eq!(
        (close.cause, close.code, close.was_clean, close.connection),
        (CloseCause::App, 4000, false, 1)
    );
    assert_eq!((close.will_reconnect, close.delay_ms), (true, Some(0)));
    // The action says what follows: a retry, not the stop of the app's close.
    assert_eq!(close.interpretation.action, CloseAction::Retry);
    assert!(
        close.interpretation.hint.starts_with("closed by this app;"),
        "not a server's 4000: {}",
        close.interpretation.hint
    );
    assert_eq!(sim.closes().len(), 1);
    assert_eq!(
        event_order(&sim),
        [
            "Connecting",
            "Open",
            "Closing",
            "Connecting",
            "close",
            "Open"
        ]
    );
}

#[test]
fn the_sdks_own_close_before_a_fresh_attempt_says_retry_whatever_the_rule_for_1000() {
    let mut config = test_config();
    config.close_codes.push(CloseCodeRule {
        code: 1000,
        to: None,
        action: CloseAction::Stop,
    });
    let mut sim = open_sim(config);
    sim.engine.reconnect(sim.now);
    sim.drain();
    assert!(sim.run_until_state(ConnectionState::Open, 100));
    let close = &sim.closes()[0];
    assert_eq!((close.cause, close.code), (CloseCause::Replaced, 1000));
    assert_eq!(
        (close.will_reconnect, close.interpretation.action),
        (true, CloseAction::Retry)
    );
    assert!(
        close.interpretation.hint.contains("connect afresh"),
        "not a server's 1000: {}",
        close.interpretation.hint
    );
    // The rule still stops a server's 1000.
    sim.server_close(1000, "done");
    sim.run_for(1_000);
    let closes = sim.closes();
    let close = closes.last().unwrap();
    assert_eq!(
        (close.will_reconnect, close.interpretation.action),
        (false, CloseAction::Stop)
    );
    assert_eq!(sim.state(), ConnectionState::Closed);
}

#[test]
fn connect_timeout_abandons_a_hanging_handshake() {
    let mut sim = Sim::new(test_config());
    sim.next_modes = vec![ServerMode::Hang];
    sim.connect();
    sim.run_for(999);
    assert!(sim.closes().is_empty(), "gave up before connectTimeoutMs");
    sim.run_for(1);
    let close = &sim.closes()[0];
    assert_eq!(close.cause, CloseCause::ConnectTimeout);
    assert!(!close.opened);
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    assert_eq!(sim.sockets_opened, 2);
}

#[test]
fn online_cuts_the_backoff_wait_short() {
    let mut config = test_config();
    config.reconnect.initial_delay_ms = 2_000;
    let mut sim = open_sim(config);
    sim.drop_connection();
    sim.run_until_state(ConnectionState::Reconnecting, 100);
    let dropped_at = sim.now;
    sim.input(Input::Online);
    assert!(sim.run_until_state(ConnectionState::Open, 100));
    assert!(sim.now.since(dropped_at) < 100);
}

#[test]
fn attempts_failing_while_offline_do_not_use_up_max_attempts() {
    // A 20 s tunnel with maxAttempts 3: every attempt fails while the
    // browser is offline; back online, the socket reconnects instead of
    // having closed for good.
    let mut config = test_config();
    config.reconnect.max_attempts = Some(3);
    let mut sim = open_sim(config);
    sim.mode = ServerMode::Down;
    sim.input(Input::Offline);
    sim.run_for(20_000);
    let failed = sim.closes();
    assert!(
        failed.len() > 4,
        "attempts went on while offline: {failed:?}"
    );
    assert!(
        failed
            .iter()
            .all(|c| c.cause == CloseCause::Offline && c.will_reconnect)
    );
    assert_eq!(sim.state(), ConnectionState::Reconnecting);
    // Back online with the server still down: the whole budget is left.
    sim.input(Input::Online);
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    let online: Vec<_> = sim.closes().into_iter().skip(failed.len()).collect();
    assert_eq!(
        online
            .iter()
            .map(|c| (c.cause, c.will_reconnect))
            .collect::<Vec<_>>(),
        vec![
            (CloseCause::Server, true),
            (CloseCause::Server, true),
            (CloseCause::Server, false)
        ],
        "maxAttempts 3 online after the offline failures: {online:?}"
    );
}

#[test]
fn an_open_connection_proves_the_network_whatever_offline_said() {
    // navigator.onLine said offline (wrongly: a LAN server), yet the socket
    // opened: later failures count against maxAttempts again.
    let mut config = test_config();
    config.reconnect.max_attempts = Some(1);
    let mut sim = Sim::new(config);
    sim.input(Input::Offline);
    sim.connect();
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    sim.mode = ServerMode::Down;
    sim.drop_connection();
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert!(sim.closes().iter().all(|c| c.cause == CloseCause::Server));
}

#[test]
fn max_attempts_still_stops_while_online() {
    let mut config = test_config();
    config.reconnect.max_attempts = Some(3);
    let mut sim = open_sim(config);
    sim.mode = ServerMode::Down;
    sim.drop_connection();
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    let closes = sim.closes();
    assert_eq!(
        closes.len(),
        4,
        "the drop, then 3 failed attempts: {closes:?}"
    );
    assert!(closes.iter().all(|c| c.cause == CloseCause::Server));
}

#[test]
fn offline_abandons_the_socket_without_waiting() {
    let mut sim = open_sim(test_config());
    sim.input(Input::Offline);
    assert_eq!(sim.state(), ConnectionState::Reconnecting);
    assert!(sim.socket.is_none());
    assert_eq!(sim.closes()[0].cause, CloseCause::Offline);
}

#[test]
fn back_online_a_hanging_attempt_begun_offline_is_replaced_at_once() {
    for reconnect in [true, false] {
        let mut config = test_config(); // connect timeout 1,000 ms
        config.reconnect.enabled = reconnect;
        let mut sim = Sim::new(config);
        sim.input(Input::Offline);
        sim.mode = ServerMode::Hang;
        sim.connect();
        sim.run_for(100);
        assert_eq!(
            sim.state(),
            ConnectionState::Connecting,
            "the attempt hangs"
        );
        let attempts = sim.sockets_opened;
        let attempt = sim.engine.stats(sim.now).attempt;
        let events = sim.events.len();
        sim.mode = ServerMode::Up;
        let back_online = sim.now;
        sim.input(Input::Online);
        assert!(
            sim.run_until_state(ConnectionState::Open, 500),
            "{reconnect}"
        );
        assert!(
            sim.now.since(back_online) < 100,
            "at once, not after the connect timeout"
        );
        assert_eq!(sim.sockets_opened, attempts + 1);
        assert_eq!(sim.engine.stats(sim.now).attempt, attempt, "not counted");
        let replaced = sim.closes().pop().unwrap();
        assert_eq!(replaced.cause, CloseCause::Offline);
        assert!(!replaced.opened);
        assert!(replaced.will_reconnect);
        assert_eq!(replaced.delay_ms, Some(0));
        assert!(
            !sim.events[events..]
                .iter()
                .any(|(_, e)| matches!(e, Event::Reconnecting { .. })),
            "no wait announced"
        );
    }
}

#[test]
fn back_online_an_attempt_made_offline_through_the_url_provider_is_replaced_too() {
    // The attempt began online; the provider answered after `offline`, so
    // the socket was made offline.
    let mut sim = Sim::with_source(UrlSource::Provider(URL.into()), test_config(), 1);
    sim.mode = ServerMode::Hang;
    sim.connect();
    sim.input(Input::Offline);
    sim.run_for(50);
    assert_eq!(sim.state(), ConnectionState::Connecting);
    let attempts = sim.sockets_opened;
    sim.mode = ServerMode::Up;
    let back_online = sim.now;
    sim.input(Input::Online);
    assert!(sim.run_until_state(ConnectionState::Open, 500));
    assert!(sim.now.since(back_online) < 100);
    assert_eq!(sim.sockets_opened, attempts + 1);
}

#[test]
fn an_attempt_that_times_out_while_offline_is_reported_as_offline() {
    // The handshake of an attempt made offline hangs until connectTimeoutMs:
    // like every attempt that fails offline, cause `offline`, not counted
    // against maxAttempts.
    let mut config = test_config();
    config.connect_timeout_ms = 2_000;
    config.reconnect.max_attempts = Some(1);
    let mut sim = open_sim(config);
    sim.mode = ServerMode::Hang;
    sim.input(Input::Offline);
    assert!(
        sim.run_until(20_000, |s| s.closes().iter().filter(|c| !c.opened).count()
            >= 2)
    );
    for timed_out in sim.closes().iter().filter(|c| !c.opened) {
        assert_eq!(timed_out.cause, CloseCause::Offline, "{timed_out:?}");
        assert!(
            timed_out.reason.contains("connect timeout"),
            "{timed_out:?}"
        );
        assert!(timed_out.will_reconnect, "not counted against maxAttempts");
    }
}

#[test]
fn connections_dropped_for_going_offline_are_not_flapping() {
    let mut sim = open_sim(test_config());
    for _ in 0..5 {
        sim.run_for(100);
        sim.input(Input::Offline);
        sim.input(Input::Online);
        assert!(sim.run_until(5_000, |s| s.state() == ConnectionState::Open));
    }
    assert!(!sim.saw(|e| matches!(e, Event::Flapping { .. })));
    assert!(!sim.engine.stats(sim.now).flapping);
}

#[test]
fn stats_read_attempt_and_flapping_as_settled_once_a_connection_lasts() {
    let mut config = test_config();
    config.reconnect.reset_after_ms = 1_000;
    config.flapping.window_ms = 3_000;
    config.flapping.threshold = 2;
    let mut sim = open_sim(config);
    for _ in 0..2 {
        sim.run_for(100);
        sim.server_close(1011, "crash");
        assert!(sim.run_until_state(ConnectionState::Reconnecting, 1_000));
        assert!(sim.run_until_state(ConnectionState::Open, 5_000));
    }
    let stats = sim.engine.stats(sim.now);
    assert_eq!((stats.attempt, stats.flapping), (2, true));
    // Open past resetAfterMs but inside the window: ending now would flap,
    // so the counter would not reset.
    sim.run_for(1_500);
    let stats = sim.engine.stats(sim.now);
    assert_eq!((stats.attempt, stats.flapping), (2, true));
    // Past the window: this connection ends the flapping and resets the
    // counter whenever it ends.
    sim.run_for(1_600);
    let stats = sim.engine.stats(sim.now);
    assert_eq!((stats.attempt, stats.flapping), (0, false));
    sim.server_close(1011, "crash");
    assert!(sim.run_until_state(ConnectionState::Reconnecting, 1_000));
    let stats = sim.engine.stats(sim.now);
    assert_eq!(
        (stats.attempt, stats.flapping),
        (1, false),
        "reset, then one retry"
    );
}

#[test]
fn a_lasting_connection_ends_flapping_however_it_ends() {
    let mut config = test_config();
    config.flapping.window_ms = 3_000;
    config.flapping.threshold = 2;
    for end in ["offline", "app close"] {
        let mut sim = open_sim(config.clone());
        for _ in 0..2 {
            sim.run_for(100);
            sim.server_close(1011, "crash");
            assert!(sim.run_until_state(ConnectionState::Reconnecting, 1_000));
            assert!(sim.run_until_state(ConnectionState::Open, 5_000));
        }
        sim.run_for(10_000);
        let stats = sim.engine.stats(sim.now);
        assert_eq!((stats.attempt, stats.flapping), (0, false), "{end}: open");
        if end == "offline" {
            sim.input(Input::Offline);
        } else {
            sim.engine.close(sim.now, 1000, "bye").unwrap();
            sim.run_for(100);
        }
        let stats = sim.engine.stats(sim.now);
        assert!(!stats.flapping, "{end}: still not flapping once it ended");
        assert!(
            stats.attempt <= 1,
            "{end}: the counter was reset: {}",
            stats.attempt
        );
    }
}

// ----- heartbeat -----

fn heartbeat_config() -> resilient_ws::core::Config {
    let mut config = test_config();
    config.heartbeat.interval_ms = 1_000;
    config.heartbeat.timeout_ms = 500;
    config
}

#[test]
fn heartbeat_pings_and_measures_rtt() {
    let mut sim = open_sim(heartbeat_config());
    sim.latency_ms = 20;
    sim.run_for(1_100);
    assert!(sim.received.iter().any(|(_, t)| t == r#"{"type":"ping"}"#));
    assert!(sim.saw(|e| matches!(e, Event::Heartbeat { rtt_ms: 20 })));
    assert_eq!(sim.engine.stats(sim.now).rtt_ms, Some(20));
}

#[test]
fn a_pong_arriving_while_the_app_s_close_is_in_progress_is_not_delivered() {
    let mut sim = open_sim(heartbeat_config());
    sim.latency_ms = 20;
    assert!(sim.run_until(2_000, |s| {
        s.received.iter().any(|(_, t)| t.contains("ping"))
    }));
    // The server answers the ping before it reads the close frame: the pong
    // arrives while the socket is closing.
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    sim.drain();
    assert_eq!(sim.state(), ConnectionState::Closing);
    sim.run_for(200);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert!(
        sim.delivered.is_empty(),
        "a pong reached the app: {:?}",
        sim.delivered_texts()
    );
}

#[test]
fn silent_server_is_detected_within_interval_plus_timeout() {
    let mut sim = open_sim(heartbeat_config());
    let opened = sim.now;
    sim.answers_pings = false;
    assert!(sim.run_until(10_000, |s| !s.closes().is_empty()));
    let close = &sim.closes()[0];
    assert_eq!(close.cause, CloseCause::HeartbeatTimeout);
    assert!(
        sim.now.since(opened) <= 1_500,
        "detected after {} ms",
        sim.now.since(opened)
    );
    assert!(close.will_reconnect);
}

#[test]
fn any_inbound_message_counts_as_liveness() {
    let mut sim = open_sim(heartbeat_config());
    sim.answers_pings = false;
    sim.run_for(1_000); // ping sent
    sim.server_send(r#"{"type":"data"}"#);
    sim.run_for(600);
    assert!(
        sim.closes().is_empty(),
        "a message after the ping proves the peer alive"
    );
}

/// Opens with the heartbeat on (a ping 1,000 ms after open, 500 ms to
/// answer) and this uplink; 900 ms after open the app sends 20,000 bytes,
/// so the ping queues behind them. Returns the sim and when it opened.
fn open_with_an_upload_ahead_of_the_ping(uplink: Uplink) -> (Sim, Millis) {
    let mut sim = open_sim(heartbeat_config());
    let opened = sim.now;
    sim.latency_ms = 20;
    sim.uplink = uplink;
    sim.run_for(900);
    let upload = Frame::Text("u".repeat(20_000));
    assert_eq!(sim.send_directly(upload), Ok(SendStatus::Sent));
    (sim, opened)
}

#[test]
fn a_ping_queued_behind_the_app_s_upload_waits_while_the_upload_leaves() {
    // At 10 bytes a ms the upload takes 2,000 ms to leave, four timeouts;
    // the server takes it all along, so the connection is alive.
    let (mut sim, opened) = open_with_an_upload_ahead_of_the_ping(Uplink::BytesPerMs(10));
    assert!(sim.run_until(5_000, |s| s.saw(|e| matches!(e, Event::Heartbeat { .. }))));
    assert!(sim.closes().is_empty(), "{:?}", sim.closes());
    // The ping's last byte left 2,902 ms after open; its pong came 20 ms
    // later.
    assert_eq!(sim.engine.stats(sim.now).rtt_ms, Some(1_922));
    assert_eq!(sim.now.since(opened), 2_922);
    assert_eq!(sim.state(), ConnectionState::Open);
}

#[test]
fn a_silent_peer_behind_an_upload_is_found_dead_a_timeout_after_the_ping_left() {
    let (mut sim, opened) = open_with_an_upload_ahead_of_the_ping(Uplink::BytesPerMs(10));
    sim.answers_pings = false;
    assert!(sim.run_until(10_000, |s| !s.closes().is_empty()));
    assert_eq!(sim.closes()[0].cause, CloseCause::HeartbeatTimeout);
    // The ping left at 2,902: the deadline looked at 3,000 saw the buffer
    // drained since 2,500 and gave it one more timeout.
    assert_eq!(sim.now.since(opened), 3_500);
}

#[test]
fn a_peer_that_takes_no_more_data_is_found_dead_with_the_upload_still_held() {
    let (mut sim, opened) = open_with_an_upload_ahead_of_the_ping(Uplink::Stalled);
    assert!(sim.run_until(10_000, |s| !s.closes().is_empty()));
    assert_eq!(sim.closes()[0].cause, CloseCause::HeartbeatTimeout);
    assert_eq!(sim.now.since(opened), 1_500, "no drain, no extra wait");
    assert_eq!(sim.send_buffered(), 0, "the socket is gone");
}

#[test]
fn pongs_are_hidden_from_the_app_unless_asked() {
    let mut sim = open_sim(heartbeat_config());
    sim.run_for(1_100);
    assert!(sim.delivered.is_empty());

    let mut config = heartbeat_config();
    config.heartbeat.deliver_pongs = true;
    let mut sim = open_sim(config);
    sim.run_for(1_100);
    assert_eq!(sim.delivered_texts(), vec![r#"{"type":"pong"}"#.to_owned()]);
}

#[test]
fn exact_text_pong_matcher() {
    // Non-ASCII too: payload sizes are UTF-16 units, as in the browser.
    for (ping, pong) in [("ping", "pong"), ("ping ♥ 𝄞", "pong ♥ 𝄞")] {
        let mut config = heartbeat_config();
        config.heartbeat.message = ping.into();
        config.heartbeat.pong_text = Some(pong.into());
        let mut sim = open_sim(config);
        sim.run_for(5_000);
        assert!(sim.closes().is_empty(), "{pong}");
        assert!(
            sim.delivered.is_empty(),
            "{pong}: {:?}",
            sim.delivered_texts()
        );
        assert!(sim.saw(|e| matches!(e, Event::Heartbeat { .. })), "{pong}");
    }
}

#[test]
fn unsolicited_pong_shaped_message_is_delivered() {
    let mut sim = open_sim(heartbeat_config());
    sim.server_send(r#"{"type":"pong","note":"app data"}"#);
    sim.run_for(100);
    assert_eq!(
        sim.delivered.len(),
        1,
        "no ping outstanding: the message is the app's"
    );
}

#[test]
fn throttled_timer_does_not_kill_socket() {
    let mut sim = open_sim(heartbeat_config());
    // The server answers, but the tab's timers fire a minute late.
    sim.timer_lag_ms = 60_000;
    sim.run_for(10 * 60_000);
    assert!(sim.closes().is_empty(), "{:?}", sim.closes());
    assert_eq!(sim.state(), ConnectionState::Open);
}

#[test]
fn late_wakeup_with_silent_server_sends_fresh_ping_then_detects() {
    let mut sim = open_sim(heartbeat_config());
    sim.answers_pings = false;
    sim.run_for(1_000); // ping sent at 1,000 + open time
    sim.timer_lag_ms = 30_000; // the pong deadline fires very late
    sim.step(Millis(u64::MAX));
    assert!(sim.closes().is_empty(), "lateness alone is no verdict");
    assert_eq!(sim.engine.stats(sim.now).late_wakeups, 1);
    sim.timer_lag_ms = 0;
    assert!(sim.run_until(1_000, |s| !s.closes().is_empty()));
    assert_eq!(sim.closes()[0].cause, CloseCause::HeartbeatTimeout);
}

#[test]
fn a_tab_that_stays_throttled_still_finds_a_silent_server_dead() {
    // Chrome's intensive throttling: every timer a minute late, for good.
    // The first late wake-up asks again; nothing answers; the next one
    // gives the verdict instead of asking forever.
    let mut sim = open_sim(heartbeat_config());
    sim.answers_pings = false;
    sim.run_for(1_000);
    sim.timer_lag_ms = 60_000;
    assert!(sim.run_until(200_000, |s| !s.closes().is_empty()));
    assert_eq!(sim.closes()[0].cause, CloseCause::HeartbeatTimeout);
    assert_eq!(sim.engine.stats(sim.now).late_wakeups, 1);
}

#[test]
fn after_a_late_fresh_ping_both_pongs_are_absorbed_in_order() {
    let mut sim = open_sim(heartbeat_config());
    sim.answers_pings = false;
    sim.run_for(1_000); // ping 1
    sim.timer_lag_ms = 30_000;
    sim.step(Millis(u64::MAX)); // wakes 30 s late: ping 2
    sim.timer_lag_ms = 0;
    let pings = sim
        .received
        .iter()
        .filter(|(_, t)| t.contains("ping"))
        .count();
    assert_eq!(pings, 2);
    // The answers to both pings arrive, in order, 10 ms after ping 2.
    sim.latency_ms = 10;
    let pong = r#"{"type":"pong"}"#;
    sim.server_send(pong);
    sim.server_send(pong);
    sim.run_for(50);
    assert!(sim.delivered.is_empty(), "{:?}", sim.delivered_texts());
    let rtts: Vec<u64> = sim
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Heartbeat { rtt_ms } => Some(*rtt_ms),
            _ => None,
        })
        .collect();
    assert_eq!(rtts.len(), 2, "{rtts:?}");
    assert!(rtts[0] > 30_000, "the first pong answers ping 1: {rtts:?}");
    assert_eq!(rtts[1], 10, "the second answers ping 2: {rtts:?}");
    assert_eq!(sim.state(), ConnectionState::Open);
}

#[test]
fn a_pong_queued_behind_data_for_a_dropped_ping_never_reaches_the_app() {
    // Ping A goes unanswered while data keeps the connection alive; at the
    // next ping (B) it is dropped as past its timeout. Then A's pong and B's
    // pong both arrive: both belong to the heartbeat, neither to the app.
    let mut sim = open_sim(heartbeat_config());
    sim.answers_pings = false;
    let pings = |s: &Sim| {
        s.received
            .iter()
            .filter(|(_, t)| t == r#"{"type":"ping"}"#)
            .count()
    };
    assert!(sim.run_until(2_000, |s| pings(s) == 1));
    sim.run_for(100);
    sim.server_send(r#"{"type":"data"}"#);
    assert!(sim.run_until(2_000, |s| pings(s) == 2));
    sim.run_for(200);
    let pong = r#"{"type":"pong"}"#;
    sim.server_send(pong);
    sim.run_for(50);
    sim.server_send(pong);
    sim.run_for(10);
    assert_eq!(sim.delivered_texts(), vec![r#"{"type":"data"}"#.to_owned()]);
    assert_eq!(sim.state(), ConnectionState::Open);
}

#[test]
fn becoming_visible_after_a_missed_deadline_sends_a_fresh_ping() {
    let mut sim = open_sim(heartbeat_config());
    sim.input(Input::Hidden);
    let pings_before = sim.received.len();
    sim.now = sim.now + 5_000; // asleep: no timer ran
    sim.visible();
    assert_eq!(sim.received.len(), pings_before + 1);
    sim.run_for(100);
    assert_eq!(sim.state(), ConnectionState::Open);
}

#[test]
fn becoming_visible_after_the_late_grace_was_used_gives_the_verdict() {
    // Hidden and throttled: the first late wake-up asked again, and nothing
    // answered. Becoming visible before the timer runs again gives the
    // verdict: a second fresh ping would leave a dead connection `open`
    // (sends taken as sent) for another timeout.
    let mut sim = open_sim(heartbeat_config());
    sim.input(Input::Hidden);
    sim.answers_pings = false;
    sim.run_for(1_000); // ping sent at 1,000 + open time
    sim.timer_lag_ms = 30_000;
    sim.step(Millis(u64::MAX)); // the late wake-up's fresh ping
    assert_eq!(sim.engine.stats(sim.now).late_wakeups, 1);
    assert!(sim.closes().is_empty());
    sim.now = sim.now + 5_000; // its deadline passed; the timer has not run
    let sent = sim.received.len();
    sim.visible();
    let closes = sim.closes();
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0].cause, CloseCause::HeartbeatTimeout);
    sim.run_for(10);
    assert_eq!(sim.received.len(), sent, "no second fresh ping");
    assert_eq!(sim.engine.stats(sim.now).late_wakeups, 1);
}

#[test]
fn going_offline_while_the_server_closes_keeps_the_servers_code() {
    // The server's close frame is in (the browser socket is closing), its
    // close event not yet: going offline then must not let the socket go,
    // or the server's 4004 (stop) is lost and the SDK retries.
    let mut sim = open_sim(test_config());
    sim.input(Input::SocketClosing);
    sim.input(Input::Offline);
    sim.server_close(4004, "not found");
    sim.run_for(50);
    let closes = sim.closes();
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0].code, 4004);
    assert!(!closes[0].will_reconnect);
    assert_eq!(sim.state(), ConnectionState::Closed);
    sim.input(Input::Online);
    sim.run_for(60_000);
    assert_eq!(sim.sockets_opened, 1, "no retry after a stop");
}

#[test]
fn becoming_visible_while_the_browser_socket_is_closing_sends_no_ping() {
    let mut sim = open_sim(heartbeat_config());
    sim.input(Input::Hidden);
    sim.input(Input::SocketClosing);
    let sent_before = sim.received.len();
    sim.now = sim.now + 5_000; // asleep: no timer ran
    sim.visible();
    sim.run_for(10);
    assert_eq!(sim.received.len(), sent_before, "a ping would be dropped");
}

#[test]
fn heartbeat_disabled_with_interval_zero_sends_nothing() {
    let mut sim = open_sim(test_config());
    sim.run_for(60 * 60_000);
    assert!(sim.received.is_empty());
    assert_eq!(sim.engine.poll_timeout(), None);
}

// ----- flapping -----

#[test]
fn flapping_is_reported() {
    let mut sim = Sim::new(heartbeat_config());
    sim.mode = ServerMode::CloseOnOpen(1011, "boom".into());
    sim.connect();
    sim.run_for(5_000);
    let flapping: Vec<_> = sim
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Flapping {
                count,
                likely_causes,
            } => Some((*count, likely_causes.clone())),
            _ => None,
        })
        .collect();
    assert!(!flapping.is_empty());
    assert_eq!(flapping[0].0, 3);
    assert!(!flapping[0].1.is_empty());
    assert!(sim.engine.stats(sim.now).flapping);
    // Told after the close it is about: statechange, close, flapping, then
    // the next reconnecting.
    let kinds: Vec<&str> = sim
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::StateChange { .. } => Some("state"),
            Event::Close(_) => Some("close"),
            Event::Flapping { .. } => Some("flapping"),
            Event::Reconnecting { .. } => Some("reconnecting"),
            _ => None,
        })
        .collect();
    let at = kinds.iter().position(|k| *k == "flapping").unwrap();
    assert_eq!(
        &kinds[at - 2..=at + 1],
        ["state", "close", "flapping", "reconnecting"]
    );
}

#[test]
fn flapping_backoff_keeps_growing() {
    let mut sim = Sim::new(test_config());
    sim.mode = ServerMode::CloseOnOpen(1011, "boom".into());
    sim.connect();
    sim.run_for(10_000);
    let delays = sim.reconnect_delays();
    assert_eq!(
        &delays[..6],
        &[100, 200, 400, 800, 1_600, 2_000],
        "no reset while flapping"
    );
}

#[test]
fn flapping_backoff_keeps_growing_when_connections_outlive_reset_after() {
    // Each connection lives 1.5 s: longer than resetAfterMs (1 s), shorter
    // than the flapping window (3 s).
    let mut config = test_config();
    config.flapping.threshold = 2;
    let mut sim = open_sim(config);
    for connection in 2..=6 {
        sim.run_for(1_500);
        sim.server_close(1011, "boom");
        assert!(sim.run_until(10_000, |s| s.connection() == connection
            && s.state() == ConnectionState::Open));
    }
    assert!(sim.engine.stats(sim.now).flapping);
    assert_eq!(
        sim.reconnect_delays(),
        [100, 200, 400, 800, 1_600],
        "reset only before flapping is detected (2nd short connection)"
    );
}

#[test]
fn flapping_names_the_heartbeat_when_the_server_closes_after_a_ping() {
    let mut config = heartbeat_config();
    config.heartbeat.interval_ms = 10;
    config.flapping.threshold = 2;
    let mut sim = open_sim(config);
    for connection in 2..=4 {
        sim.run_until(1_000, |s| {
            s.received
                .last()
                .is_some_and(|(c, t)| *c == s.connection() && t.contains("ping"))
        });
        sim.server_close(1011, "cannot parse message");
        sim.run_until(10_000, |s| {
            s.connection() == connection && s.state() == ConnectionState::Open
        });
    }
    assert!(sim.saw(|e| matches!(e, Event::Flapping { likely_causes, .. } if likely_causes[0].contains("heartbeat"))));
}

// ----- queue and replay -----

#[test]
fn queue_flushes_in_order_after_reconnect_once() {
    let mut sim = open_sim(test_config());
    sim.drop_connection();
    sim.run_until_state(ConnectionState::Reconnecting, 100);
    for i in 0..5 {
        assert_eq!(
            sim.engine.send(sim.now, Frame::Text(format!("m{i}"))),
            Ok(SendStatus::Queued)
        );
    }
    sim.drain();
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    sim.run_for(10_000);
    let all: Vec<String> = sim.received.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(all, vec!["m0", "m1", "m2", "m3", "m4"]);
    assert_eq!(sim.received_on(2).len(), 5);
}

#[test]
fn messages_sent_before_the_first_open_are_delivered_after_it() {
    let mut sim = Sim::new(test_config());
    assert_eq!(
        sim.engine.send(sim.now, Frame::Text("early".into())),
        Ok(SendStatus::Queued)
    );
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    assert_eq!(sim.received_on(1), vec!["early"]);
}

#[test]
fn replay_precedes_queued_messages() {
    let mut sim = open_sim(test_config());
    sim.engine
        .set_replay(
            sim.now,
            "plugin:reverb",
            Frame::Text("reverb=0.3".into()),
            0,
        )
        .unwrap();
    sim.engine
        .set_replay(sim.now, "plugin:delay", Frame::Text("delay=120".into()), 0)
        .unwrap();
    sim.drain();
    sim.drop_connection();
    sim.run_until_state(ConnectionState::Reconnecting, 100);
    sim.engine
        .send(sim.now, Frame::Text("queued-1".into()))
        .unwrap();
    sim.engine
        .send(sim.now, Frame::Text("queued-2".into()))
        .unwrap();
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    assert_eq!(
        sim.received_on(2),
        vec!["reverb=0.3", "delay=120", "queued-1", "queued-2"]
    );
    // The open event comes after the sends: the server had all four when
    // the app was told.
    let at_open = sim.received_at_open[1];
    assert_eq!(
        sim.received[..at_open]
            .iter()
            .filter(|(connection, _)| *connection == 2)
            .count(),
        4,
        "open was reported before the replay and the queue went out"
    );
    // The replay event names the keys.
    let replay_keys = sim.events.iter().find_map(|(_, e)| match e {
        Event::Replay { keys, .. } => Some(keys.clone()),
        _ => None,
    });
    assert_eq!(
        replay_keys,
        Some(vec!["plugin:reverb".to_owned(), "plugin:delay".to_owned()])
    );
}

#[test]
fn an_open_that_comes_after_the_close_began_delivers_what_came_and_sends_nothing() {
    // The page's events were held (frozen): the socket's open, a message
    // and its close arrive together, readyState already CLOSING at open.
    let mut sim = Sim::new(test_config());
    sim.next_modes = vec![ServerMode::Hang];
    sim.engine
        .set_replay(sim.now, "k", Frame::Text("state".into()), 0)
        .unwrap();
    sim.connect();
    sim.engine
        .send(sim.now, Frame::Text("queued".into()))
        .unwrap();
    sim.drain();
    if let Some(socket) = &mut sim.socket {
        (socket.open, socket.closing) = (true, true);
    }
    sim.input(Input::Opened { closing: true });
    sim.input(Input::Message(Frame::Text("from the server".into())));
    assert!(
        sim.received.is_empty(),
        "sent into a closing socket: {:?}",
        sim.received
    );
    assert_eq!(sim.delivered_texts(), ["from the server"]);
    assert!(sim.saw(|e| matches!(
        e,
        Event::Open {
            connection: 1,
            replayed: 0,
            flushed: 0
        }
    )));
    sim.socket = None;
    sim.input(Input::Closed {
        code: 1000,
        reason: "bye".into(),
        was_clean: true,
    });
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    assert_eq!(sim.received_on(2), ["state", "queued"]);
}

#[test]
fn replay_runs_after_every_reconnect_in_first_set_order_with_latest_values() {
    let mut sim = open_sim(test_config());
    sim.engine
        .set_replay(sim.now, "b", Frame::Text("b1".into()), 0)
        .unwrap();
    sim.engine
        .set_replay(sim.now, "a", Frame::Text("a1".into()), 0)
        .unwrap();
    sim.engine
        .set_replay(sim.now, "b", Frame::Text("b2".into()), 0)
        .unwrap();
    sim.drain();
    for connection in 2..=4 {
        sim.drop_connection();
        assert!(sim.run_until(10_000, |s| s.state() == ConnectionState::Open
            && s.connection() == connection));
        assert_eq!(sim.received_on(connection), vec!["b2", "a1"]);
    }
}

#[test]
fn replay_state_set_while_disconnected_is_sent_once_on_open() {
    let mut sim = Sim::new(test_config());
    assert_eq!(
        sim.engine
            .set_replay(sim.now, "k", Frame::Text("v".into()), 0),
        Ok(SendStatus::Queued)
    );
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    sim.run_for(1_000);
    assert_eq!(sim.received_on(1), vec!["v"]);
}

#[test]
fn debounced_replay_sends_only_the_last_value() {
    let mut sim = open_sim(test_config());
    for i in 0..500 {
        sim.engine
            .set_replay(sim.now, "slider", Frame::Text(format!("mix={i}")), 50)
            .unwrap();
        sim.drain();
        if i % 100 == 99 {
            sim.run_for(1);
        }
    }
    sim.run_for(100);
    assert_eq!(sim.received_on(1), vec!["mix=499"]);
}

#[test]
fn deleted_replay_key_is_not_replayed() {
    let mut sim = open_sim(test_config());
    sim.engine
        .set_replay(sim.now, "a", Frame::Text("a".into()), 0)
        .unwrap();
    sim.engine
        .set_replay(sim.now, "b", Frame::Text("b".into()), 0)
        .unwrap();
    assert!(sim.engine.delete_replay("a"));
    sim.drain();
    sim.drop_connection();
    sim.run_until(10_000, |s| {
        s.connection() == 2 && s.state() == ConnectionState::Open
    });
    assert_eq!(sim.received_on(2), vec!["b"]);
}

#[test]
fn queue_reject_policy_errors_when_full_and_keeps_what_it_accepted() {
    let mut config = test_config();
    config.queue.max_messages = 2;
    let mut sim = Sim::new(config);
    sim.engine.send(sim.now, Frame::Text("1".into())).unwrap();
    sim.engine.send(sim.now, Frame::Text("2".into())).unwrap();
    let error = sim
        .engine
        .send(sim.now, Frame::Text("3".into()))
        .unwrap_err();
    assert!(matches!(
        error,
        SendError::QueueFull {
            queued: 2,
            max_messages: 2,
            ..
        }
    ));
    assert!(error.to_string().contains("queue.maxMessages"));
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    assert_eq!(sim.received_on(1), vec!["1", "2"]);
}

#[test]
fn queue_drop_oldest_reports_overflow() {
    let mut config = test_config();
    config.queue.max_messages = 2;
    config.queue.overflow = Overflow::DropOldest;
    let mut sim = Sim::new(config);
    for i in 0..4 {
        sim.engine
            .send(sim.now, Frame::Text(format!("{i}")))
            .unwrap();
    }
    sim.drain();
    assert!(sim.saw(|e| matches!(e, Event::QueueOverflow { dropped: 1 })));
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    assert_eq!(sim.received_on(1), vec!["2", "3"]);
}

#[test]
fn a_request_dropped_from_the_full_queue_fails_as_queue_overflow() {
    let mut config = test_config();
    config.queue.max_messages = 1;
    config.queue.overflow = Overflow::DropOldest;
    let mut sim = Sim::new(config);
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.engine
        .send(sim.now, Frame::Text("newer".into()))
        .unwrap();
    sim.drain();
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request, reason: RequestFailure::QueueOverflow } if *request == handle)));
    // A message that can never fit is refused, whatever the policy.
    let error = sim
        .engine
        .send(sim.now, Frame::Text("x".repeat(2_000_000)))
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::QueueTooSmall {
                size: 2_000_000,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.to_string().contains("dropOldest"), "{error}");
}

#[test]
fn oversized_message_is_refused_and_nothing_else_is_dropped() {
    let mut config = test_config();
    config.max_message_bytes = 10;
    let mut sim = open_sim(config);
    sim.engine
        .send(sim.now, Frame::Text("small".into()))
        .unwrap();
    let error = sim
        .engine
        .send(sim.now, Frame::Text("x".repeat(11)))
        .unwrap_err();
    assert_eq!(error, SendError::TooLarge { size: 11, max: 10 });
    sim.engine
        .send(sim.now, Frame::Text("after".into()))
        .unwrap();
    sim.drain();
    assert_eq!(sim.received_on(1), vec!["small", "after"]);
}

#[test]
fn send_after_app_close_is_refused() {
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "").unwrap();
    assert_eq!(
        sim.engine.send(sim.now, Frame::Text("late".into())),
        Err(SendError::Closed)
    );
}

// ----- requests -----

fn reply_ids(sim: &Sim) -> Vec<u64> {
    sim.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Reply { request, .. } => Some(*request),
            _ => None,
        })
        .collect()
}

#[test]
fn request_resolves_with_the_reply_carrying_the_same_id() {
    let mut sim = open_sim(test_config());
    sim.echoes = true;
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get","what":"mix"}"#, None)
        .unwrap();
    sim.drain();
    let sent = sim.received_on(1)[0].clone();
    assert!(sent.contains(&format!(r#""id":"rws-{handle}""#)), "{sent}");
    sim.run_for(100);
    assert_eq!(reply_ids(&sim), vec![handle]);
    assert!(
        sim.delivered.is_empty(),
        "the reply goes to the request, not to message listeners"
    );
    assert_eq!(sim.engine.stats(sim.now).request_p50_ms, Some(5));
}

#[test]
fn request_keeps_an_id_the_app_chose() {
    let mut sim = open_sim(test_config());
    sim.echoes = true;
    let handle = sim
        .engine
        .request(sim.now, r#"{"id":"abc","type":"get"}"#, None)
        .unwrap();
    sim.drain();
    assert_eq!(sim.received_on(1), vec![r#"{"id":"abc","type":"get"}"#]);
    sim.run_for(100);
    assert_eq!(reply_ids(&sim), vec![handle]);
}

#[test]
fn a_late_reply_on_the_closing_connection_does_not_answer_a_retry_still_queued() {
    // The app chooses its ids, and may reuse one once its request settled.
    let mut sim = open_sim(test_config());
    let first = sim
        .engine
        .request(sim.now, r#"{"id":1,"type":"get"}"#, None)
        .unwrap();
    sim.drain();
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    sim.engine.connect(sim.now);
    sim.drain();
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request, reason: RequestFailure::Closed } if *request == first)));
    let retry = sim
        .engine
        .request(sim.now, r#"{"id":1,"type":"get"}"#, None)
        .unwrap();
    assert_eq!(
        sim.engine.stats(sim.now).queued,
        1,
        "waits for the next connection"
    );
    // The server's reply to the first request, before its close frame.
    let late = r#"{"id":1,"type":"reply","n":"first"}"#;
    sim.input(Input::Message(Frame::Text(late.into())));
    assert_eq!(
        reply_ids(&sim),
        Vec::<u64>::new(),
        "the retry was not sent yet"
    );
    assert_eq!(sim.delivered.last(), Some(&Frame::Text(late.into())));

    sim.echoes = true;
    sim.run_until(5_000, |s| {
        s.connection() == 2 && s.state() == ConnectionState::Open
    });
    sim.run_for(100);
    assert_eq!(sim.received_on(2), vec![r#"{"id":1,"type":"get"}"#]);
    assert_eq!(reply_ids(&sim), vec![retry], "answered by its own reply");
}

#[test]
fn a_reply_must_carry_the_id_with_its_json_type() {
    let mut sim = open_sim(test_config());
    let added = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    let numeric = sim
        .engine
        .request(sim.now, r#"{"id":7,"type":"get"}"#, None)
        .unwrap();
    sim.drain();
    assert!(sim.received_on(1)[0].contains(&format!(r#""id":"rws-{added}""#)));
    // A push whose id is the handle (as a number or a string) is not the
    // reply to id "rws-1", and a string "7" does not answer the number 7:
    // all go to the app.
    sim.server_send(&format!(r#"{{"id":{added},"type":"push"}}"#));
    sim.server_send(&format!(r#"{{"id":"{added}","type":"push"}}"#));
    sim.server_send(r#"{"id":"7","type":"push"}"#);
    sim.run_for(10);
    assert_eq!(reply_ids(&sim), Vec::<u64>::new());
    assert_eq!(sim.delivered.len(), 3);
    sim.server_send(r#"{"id":7,"type":"reply"}"#);
    sim.server_send(&format!(r#"{{"id":"rws-{added}","type":"reply"}}"#));
    sim.run_for(10);
    assert_eq!(reply_ids(&sim), vec![numeric, added]);
    assert_eq!(sim.delivered.len(), 3);
}

#[test]
fn request_times_out() {
    let mut sim = open_sim(test_config());
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, Some(300))
        .unwrap();
    sim.drain();
    sim.run_for(299);
    assert!(!sim.saw(|e| matches!(e, Event::RequestFailed { .. })));
    sim.run_for(1);
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request, reason: RequestFailure::Timeout } if *request == handle)));
}

/// Opens, then lets the server go down for good: the socket waits to
/// reconnect, so sends and requests queue.
fn sim_with_server_down(config: resilient_ws::core::Config) -> Sim {
    let mut sim = open_sim(config);
    sim.drop_connection();
    sim.mode = ServerMode::Down;
    sim.run_until_state(ConnectionState::Reconnecting, 1_000);
    sim
}

/// Brings the server back and calls `connect()`: what the new connection
/// received by the time it opened.
fn reconnected_and_received(sim: &mut Sim) -> Vec<String> {
    sim.mode = ServerMode::Up;
    sim.engine.connect(sim.now);
    sim.drain();
    let reopened = sim.connection();
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    sim.received_on(reopened)
}

#[test]
fn close_keeps_the_queue_and_the_replay_state_and_a_later_connect_sends_them() {
    let mut sim = sim_with_server_down(test_config());
    assert_eq!(
        sim.engine.send(sim.now, Frame::Text("queued".into())),
        Ok(SendStatus::Queued)
    );
    sim.engine
        .set_replay(sim.now, "k", Frame::Text("state".into()), 0)
        .unwrap();
    sim.engine.close(sim.now, 1000, "pause").unwrap();
    sim.drain();
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.engine.stats(sim.now).queued, 1, "the queue is kept");

    assert_eq!(
        reconnected_and_received(&mut sim),
        ["state", "queued"],
        "replay first, then the queue"
    );
}

#[test]
fn close_takes_the_rejected_requests_messages_out_of_the_queue() {
    let mut sim = sim_with_server_down(test_config());
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.engine
        .send(sim.now, Frame::Text("plain".into()))
        .unwrap();
    assert_eq!(sim.engine.stats(sim.now).queued, 2);
    sim.engine.close(sim.now, 1000, "pause").unwrap();
    sim.drain();
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request: r, reason: RequestFailure::Closed } if *r == request)));
    assert_eq!(
        sim.engine.stats(sim.now).queued,
        1,
        "only the plain message is kept"
    );

    assert_eq!(
        reconnected_and_received(&mut sim),
        ["plain"],
        "the rejected request never goes out"
    );
}

#[test]
fn a_request_whose_time_ran_out_in_a_throttled_tab_is_not_sent_on_open() {
    // Timers fire a second late (a background tab): the handshake completes
    // after the request's deadline but before the timer that would fail it.
    // It must fail as timed out, not go out late.
    let mut sim = Sim::new(test_config());
    sim.latency_ms = 500;
    sim.timer_lag_ms = 1_000;
    sim.connect();
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, Some(200))
        .unwrap();
    sim.drain();
    assert!(sim.run_until_state(ConnectionState::Open, 5_000));
    assert!(sim.now.0 > 200, "opened after the deadline");
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request: r, reason: RequestFailure::Timeout } if *r == request)));
    sim.run_for(100);
    assert_eq!(sim.received_on(sim.connection()), Vec::<String>::new());
}

#[test]
fn a_reply_after_its_deadline_fails_the_request_even_before_a_late_timer() {
    // A background tab: timers fire a second late. The reply comes after
    // the request's deadline, before the timer that would fail it: the
    // request fails as timed out, and the reply goes to the listeners.
    let mut sim = open_sim(test_config());
    sim.timer_lag_ms = 1_000;
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get","id":"late"}"#, Some(300))
        .unwrap();
    sim.drain();
    sim.run_for(400);
    assert!(
        !sim.saw(|e| matches!(e, Event::RequestFailed { .. })),
        "the timer has not run"
    );
    sim.server_send(r#"{"id":"late","ok":true}"#);
    sim.run_for(10);
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request: r, reason: RequestFailure::Timeout } if *r == request)));
    assert_eq!(reply_ids(&sim), Vec::<u64>::new());
    assert_eq!(sim.delivered_texts(), [r#"{"id":"late","ok":true}"#]);
    assert_eq!(sim.engine.stats(sim.now).request_p50_ms, None);
}

#[test]
fn a_reply_just_before_its_deadline_resolves_the_request() {
    let mut sim = open_sim(test_config());
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get","id":"in-time"}"#, Some(300))
        .unwrap();
    sim.drain();
    sim.run_for(290);
    sim.server_send(r#"{"id":"in-time","ok":true}"#);
    sim.run_for(100);
    assert_eq!(reply_ids(&sim), vec![request]);
    assert!(!sim.saw(|e| matches!(e, Event::RequestFailed { .. })));
}

#[test]
fn a_queued_request_that_times_out_is_not_sent_later() {
    let mut sim = sim_with_server_down(test_config());
    let request = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, Some(200))
        .unwrap();
    sim.run_for(200);
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request: r, reason: RequestFailure::Timeout } if *r == request)));
    assert_eq!(
        sim.engine.stats(sim.now).queued,
        0,
        "its message left the queue"
    );

    sim.mode = ServerMode::Up;
    assert!(sim.run_until_state(ConnectionState::Open, 10_000));
    assert_eq!(sim.received_on(sim.connection()), Vec::<String>::new());
}

#[test]
fn after_a_reconnect_replay_goes_first_then_the_queue_then_resent_requests() {
    let mut config = test_config();
    config.requests.on_reconnect = PendingOnReconnect::Resend;
    let mut sim = open_sim(config);
    sim.engine
        .set_replay(sim.now, "k", Frame::Text("state".into()), 0)
        .unwrap();
    sim.engine
        .request(sim.now, r#"{"id":"r1","type":"get"}"#, None)
        .unwrap();
    sim.drain();
    sim.drop_connection();
    sim.mode = ServerMode::Down;
    sim.run_until_state(ConnectionState::Reconnecting, 1_000);
    sim.engine
        .send(sim.now, Frame::Text("queued".into()))
        .unwrap();
    sim.mode = ServerMode::Up;
    assert!(sim.run_until_state(ConnectionState::Open, 10_000));
    assert_eq!(
        sim.received_on(sim.connection()),
        ["state", "queued", r#"{"id":"r1","type":"get"}"#]
    );
}

#[test]
fn deleting_a_key_during_its_debounce_sends_nothing() {
    let mut sim = open_sim(test_config());
    let status = sim
        .engine
        .set_replay(sim.now, "k", Frame::Text("v1".into()), 100)
        .unwrap();
    assert_eq!(status, SendStatus::Queued, "debounced: not sent yet");
    assert!(sim.engine.delete_replay("k"));
    sim.run_for(500);
    assert_eq!(sim.received_on(1), Vec::<String>::new());
    // And not after a reconnect either.
    sim.drop_connection();
    assert!(sim.run_until(10_000, |s| s.connection() == 2
        && s.state() == ConnectionState::Open));
    assert_eq!(sim.received_on(2), Vec::<String>::new());
}

#[test]
fn request_rejects_non_object_messages() {
    let mut sim = open_sim(test_config());
    assert_eq!(
        sim.engine.request(sim.now, "[1,2]", None),
        Err(SendError::NotJsonObject)
    );
    assert_eq!(
        sim.engine.request(sim.now, "hello", None),
        Err(SendError::NotJsonObject)
    );
}

#[test]
fn pending_request_fails_on_connection_loss_by_default() {
    let mut sim = open_sim(test_config());
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.drain();
    sim.drop_connection();
    sim.run_for(50);
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request, reason: RequestFailure::ConnectionLost } if *request == handle)));
}

#[test]
fn pending_request_is_resent_after_reconnect_when_configured() {
    let mut config = test_config();
    config.requests.on_reconnect = PendingOnReconnect::Resend;
    let mut sim = open_sim(config);
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.drain();
    sim.drop_connection();
    sim.run_until(10_000, |s| {
        s.connection() == 2 && s.state() == ConnectionState::Open
    });
    assert_eq!(sim.received_on(2).len(), 1, "resent once");
    sim.echoes = true;
    sim.engine
        .send(sim.now, Frame::Text("nudge".into()))
        .unwrap();
    sim.drain();
    sim.server_send(&sim.received_on(2)[0].clone());
    sim.run_for(100);
    assert_eq!(reply_ids(&sim), vec![handle]);
}

#[test]
fn a_reply_shaped_like_a_pong_answers_its_request_and_the_pong_is_still_awaited() {
    let mut config = test_config();
    config.heartbeat.interval_ms = 1_000;
    config.heartbeat.timeout_ms = 5_000;
    let mut sim = open_sim(config);
    sim.answers_pings = false;
    assert!(sim.run_until(2_000, |s| {
        s.received.iter().any(|(_, t)| t.contains("ping"))
    }));
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"status"}"#, None)
        .unwrap();
    sim.drain();
    sim.server_send(&format!(r#"{{"type":"pong","id":"rws-{handle}"}}"#));
    sim.run_for(10);
    assert_eq!(reply_ids(&sim), vec![handle]);
    // The heartbeat's own pong, late: taken as the pong, not delivered.
    sim.server_send(r#"{"type":"pong"}"#);
    sim.run_for(10);
    assert!(sim.saw(|e| matches!(e, Event::Heartbeat { .. })));
    assert!(sim.delivered.is_empty(), "{:?}", sim.delivered_texts());
}

#[test]
fn request_latency_counts_from_when_it_went_out_not_through_the_outage() {
    let mut config = test_config();
    config.requests.slow_ms = 1_000;
    let mut sim = Sim::new(config);
    sim.echoes = true;
    sim.engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.run_for(5_000); // not connected yet: the request waits in the queue
    sim.connect();
    sim.run_for(100);
    assert_eq!(reply_ids(&sim).len(), 1);
    assert!(!sim.saw(|e| matches!(e, Event::Slow { .. })));
    assert_eq!(sim.engine.stats(sim.now).request_p50_ms, Some(5));
}

#[test]
fn an_id_already_pending_is_refused() {
    let mut sim = open_sim(test_config());
    let first = sim
        .engine
        .request(sim.now, r#"{"type":"a"}"#, None)
        .unwrap();
    let generated = format!(r#"{{"id":"rws-{first}","type":"b"}}"#);
    assert!(matches!(
        sim.engine.request(sim.now, &generated, None),
        Err(SendError::IdPending { .. })
    ));
    sim.engine
        .request(sim.now, r#"{"id":7,"type":"c"}"#, None)
        .unwrap();
    let error = sim
        .engine
        .request(sim.now, r#"{"id":7,"type":"d"}"#, None)
        .unwrap_err();
    assert_eq!(
        error.message_for("request"),
        "request: requests.idField \"id\" value 7 is already used by a pending request; \
         wait for it to settle, use another value, or leave the field out for a generated one"
    );
    // A string "7" is another id than the number 7.
    sim.engine
        .request(sim.now, r#"{"id":"7","type":"e"}"#, None)
        .unwrap();
}

#[test]
fn request_made_while_disconnected_goes_out_after_open() {
    let mut sim = Sim::new(test_config());
    sim.echoes = true;
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.connect();
    sim.run_for(100);
    assert_eq!(sim.received_on(1).len(), 1);
    assert_eq!(reply_ids(&sim), vec![handle]);
}

#[test]
fn slow_reply_emits_slow_event_and_feeds_percentiles() {
    let mut config = test_config();
    config.requests.slow_ms = 100;
    let mut sim = open_sim(config);
    sim.echoes = true;
    sim.reply_delay_ms = 200;
    sim.engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.drain();
    sim.run_for(1_000);
    assert!(sim.saw(|e| matches!(
        e,
        Event::Slow {
            latency_ms: 205,
            ..
        }
    )));
    assert_eq!(sim.engine.stats(sim.now).request_p99_ms, Some(205));
}

// ----- inspector -----

#[test]
fn inspector_records_both_directions_with_connection_numbers() {
    let mut sim = open_sim(test_config());
    sim.echoes = true;
    sim.engine
        .send(sim.now, Frame::Text(r#"{"type":"hello"}"#.into()))
        .unwrap();
    sim.drain();
    sim.run_for(100);
    let records: Vec<_> = sim
        .engine
        .inspector()
        .records()
        .map(|r| (r.direction, r.connection, r.size))
        .collect();
    use resilient_ws::core::Direction::{In, Out};
    assert_eq!(records, vec![(Out, 1, 16), (In, 1, 16)]);
}

#[test]
fn inspector_stays_within_its_caps_under_a_flood() {
    let mut config = test_config();
    config.inspector.max_entries = 50;
    config.inspector.max_bytes = 1_000;
    let mut sim = open_sim(config);
    for i in 0..10_000 {
        sim.input(Input::Message(Frame::Text(format!("{{\"n\":{i}}}"))));
        assert!(sim.engine.inspector().len() <= 50);
        assert!(sim.engine.inspector().bytes() <= 1_000);
    }
    assert_eq!(sim.delivered.len(), 10_000, "the app gets every message");
}

// ----- messages delivered outside the engine (the browser's fast path) -----

#[test]
fn open_connections_deliver_directly_what_the_sieve_lets_through() {
    let mut sim = Sim::new(heartbeat_config());
    assert!(!sim.engine.delivers_directly(), "not open yet");
    sim.connect();
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    assert!(sim.engine.delivers_directly());
    assert!(
        !sim.engine.must_see(r#"{"type":"pong"}"#),
        "no ping out yet"
    );

    sim.latency_ms = 50;
    assert!(sim.run_until(2_000, |s| s.engine.must_see(r#"{"type":"pong"}"#)));
    assert_eq!(
        sim.received.last().map(|(_, text)| text.as_str()),
        Some(r#"{"type":"ping"}"#),
        "the ping just sent awaits its pong"
    );
    assert!(
        !sim.engine.delivers_directly(),
        "the next message lifts the pong deadline: it moves the timer"
    );
    assert!(!sim.engine.must_see(r#"{"type":"data","n":1}"#));
    sim.input(Input::Message(Frame::Text(
        r#"{"type":"data","n":1}"#.into(),
    )));
    assert!(sim.engine.delivers_directly(), "deadline lifted");
    assert!(
        sim.engine.must_see(r#"{"type":"pong"}"#),
        "pong still awaited"
    );
    sim.run_for(200);
    assert!(!sim.engine.must_see(r#"{"type":"pong"}"#), "pong received");

    sim.engine
        .request(sim.now, r#"{"type":"get","id":"q1"}"#, None)
        .unwrap();
    sim.drain();
    assert!(sim.engine.must_see(r#"{"id":"q1"}"#), "may be the reply");
    assert!(!sim.engine.must_see(r#"{"type":"data","n":1}"#));
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    sim.drain();
    assert!(!sim.engine.delivers_directly(), "closing");
}

/// The sieve may only err towards "must see": every message the engine
/// takes as the awaited pong or a reply, however it is spelled, is one the
/// sieve stops.
#[test]
fn every_pong_or_reply_the_engine_would_take_is_stopped_by_the_sieve() {
    let messages = [
        r#"{"type":"pong"}"#,
        r#"{ "type" : "pong" , "ts": 1 }"#,
        r#"{"type":"po\u006eg"}"#,
        r#"{"t\u0079pe":"pong"}"#,
        r#"{"type":"pong","pad":"PADDING"}"#,
        r#"{"id":"q1","v":1}"#,
        r#"{"\u0069d":"q1"}"#,
        r#"{"id":"q\u0031"}"#,
        r#"{"id" :"q1"}"#,
        r#"{"type":"data","id":"q2"}"#,
        r#"{"type":"data","n":1}"#,
        "pong",
        "",
    ];
    let padding = "x".repeat(600);
    let (mut taken, mut passed) = (0, 0);
    for message in messages {
        let message = message.replace("PADDING", &padding);
        let mut sim = open_sim(heartbeat_config());
        sim.answers_pings = false;
        sim.run_for(1_000); // ping out, no pong coming
        sim.engine
            .request(sim.now, r#"{"type":"get","id":"q1"}"#, None)
            .unwrap();
        sim.drain();
        let must_see = sim.engine.must_see(&message);
        let delivered = sim.delivered.len();
        let events = sim.events.len();
        sim.input(Input::Message(Frame::Text(message.clone())));
        let only_delivered = sim.delivered.len() == delivered + 1 && sim.events.len() == events;
        if !only_delivered {
            taken += 1;
            assert!(
                must_see,
                "{message}: the engine took it, the sieve let it through"
            );
        }
        passed += usize::from(!must_see);
    }
    assert!(taken >= 7, "the pongs and replies above: {taken}");
    assert!(passed >= 2, "plain data passes: {passed}");
}

/// Messages delivered directly move no deadline: while a pong deadline runs
/// (which any message lifts, bringing the next ping forward), messages go
/// through the engine.
#[test]
fn a_running_pong_deadline_sends_the_next_message_through_the_engine() {
    let mut config = test_config();
    config.heartbeat.interval_ms = 50;
    config.heartbeat.timeout_ms = 5_000;
    let mut sim = open_sim(config);
    sim.answers_pings = false;
    let opened = sim.now;
    assert!(sim.run_until(1_000, |s| !s.engine.delivers_directly()));
    let pinged = sim.now;
    assert_eq!(pinged, Millis(opened.0 + 50));
    assert_eq!(sim.engine.poll_timeout(), Some(Millis(pinged.0 + 5_000)));
    sim.input(Input::Message(Frame::Text("data".into())));
    assert_eq!(
        sim.engine.poll_timeout(),
        Some(Millis(pinged.0 + 50)),
        "the next ping, no longer the pong deadline"
    );
    assert!(sim.engine.delivers_directly());
}

/// Feeds the same messages both ways to two engines, one by one and as one
/// report of direct traffic: the engines must end up the same in every
/// respect (counters, heartbeat liveness, inspector records, their order
/// and their numbers).
#[test]
fn messages_passed_directly_count_and_record_as_if_fed_one_by_one() {
    let mut config = heartbeat_config();
    config.inspector.max_entries = 4;
    config.inspector.max_bytes = 30;
    let mut one_by_one = open_sim(config.clone());
    let mut reported = open_sim(config);
    for sim in [&mut one_by_one, &mut reported] {
        sim.engine
            .send(sim.now, Frame::Text(r#"{"type":"hello"}"#.into()))
            .unwrap();
        sim.drain();
    }
    let messages: Vec<(Direction, Millis, Frame)> = (0..12u64)
        .map(|i| {
            let at = Millis(one_by_one.now.0 + i * 7);
            let frame = match i {
                // Binary, and one larger than the byte cap on its own.
                7 => Frame::Binary(vec![1, 2, 3]),
                8 | 10 => Frame::Text("x".repeat(40)),
                _ => Frame::Text(format!(r#"{{"n":{i}}}"#)),
            };
            let direction = if i == 3 || i >= 10 {
                Direction::Out
            } else {
                Direction::In
            };
            (direction, at, frame)
        })
        .collect();
    let mut traffic = DirectTraffic::default();
    for (direction, at, frame) in &messages {
        let size = resilient_ws::core::Payload::size(frame) as u64;
        match direction {
            Direction::In => {
                traffic.messages_in += 1;
                traffic.bytes_in += size;
                one_by_one.engine.handle(*at, Input::Message(frame.clone()));
            }
            Direction::Out => {
                traffic.messages_out += 1;
                traffic.bytes_out += size;
                let status = one_by_one.engine.send(*at, frame.clone());
                assert_eq!(status, Ok(SendStatus::Sent));
            }
        }
    }
    let outputs: Vec<_> = std::iter::from_fn(|| one_by_one.engine.poll_output()).collect();
    let sent = outputs
        .iter()
        .filter(|output| matches!(output, Output::Send(_)))
        .count();
    assert_eq!((outputs.len(), sent), (12, 3), "each delivered or sent");
    let newest = messages[messages.len() - 4..].iter().cloned();
    reported.engine.passed_directly(traffic, newest);
    assert_eq!(reported.engine.poll_output(), None, "already passed");

    assert_eq!(
        format!("{:?}", reported.engine),
        format!("{:?}", one_by_one.engine)
    );
    let first_seq = reported.engine.inspector().records().next().map(|r| r.seq);
    assert_eq!(first_seq, Some(10), "1 sent, 12 passed, the last 4 kept");
    let directions: Vec<Direction> = reported
        .engine
        .inspector()
        .records()
        .map(|r| r.direction)
        .collect();
    let last = [Direction::In, Direction::In, Direction::Out, Direction::Out];
    assert_eq!(directions, last);
    let stats = reported.engine.stats(reported.now);
    assert_eq!((stats.messages_in, stats.messages_out), (9, 4));
}

/// The browser driver hands a message to the open socket before it reports
/// what the inbox delivered ([`Engine::sends_at_once`], then
/// [`Engine::sent_ahead`]): the engine must end up exactly as if it had
/// been told of the deliveries first and then sent the message.
#[test]
fn a_message_sent_ahead_of_the_deliveries_books_as_a_send_after_them() {
    let mut config = heartbeat_config();
    config.inspector.max_entries = 3;
    config.max_message_bytes = 64;
    let mut in_order = open_sim(config.clone());
    let mut ahead = open_sim(config);
    let delivered = || {
        (0..5u32).map(|i| {
            let at = Millis(100 + u64::from(i));
            (Direction::In, at, Frame::Text(format!("m{i}")))
        })
    };
    let five = DirectTraffic {
        messages_in: 5,
        bytes_in: 10,
        ..DirectTraffic::default()
    };
    let message = Frame::Text(r#"{"type":"echo"}"#.into());

    in_order.engine.passed_directly(five, delivered().skip(2));
    let status = in_order.engine.send(in_order.now, message.clone());
    assert_eq!(status, Ok(SendStatus::Sent));
    assert_eq!(
        in_order.engine.poll_output(),
        Some(Output::Send(message.clone()))
    );

    let connection = ahead.engine.sends_at_once(&message);
    assert_eq!(connection, Some(1), "open: it goes out at once");
    ahead.engine.passed_directly(five, delivered().skip(2));
    assert_eq!(
        ahead.engine.sends_at_once(&message),
        Some(1),
        "the deliveries do not change the answer"
    );
    ahead.engine.sent_ahead(ahead.now, 1, message);
    assert_eq!(ahead.engine.poll_output(), None, "the driver sent it");

    assert_eq!(
        format!("{:?}", ahead.engine),
        format!("{:?}", in_order.engine)
    );
    assert_eq!(ahead.engine.stats(ahead.now).messages_out, 1);
}

#[test]
fn only_a_message_send_would_hand_over_at_once_is_sent_ahead() {
    let mut config = test_config();
    config.max_message_bytes = 8;
    let small = Frame::Text("hi".into());
    let mut sim = Sim::new(config);
    assert_eq!(sim.engine.sends_at_once(&small), None, "idle: queued");
    sim.connect();
    assert_eq!(sim.engine.sends_at_once(&small), None, "connecting: queued");
    sim.run_until_state(ConnectionState::Open, 1_000);
    assert_eq!(sim.engine.sends_at_once(&small), Some(1));
    let large = Frame::Text("x".repeat(9));
    assert_eq!(
        sim.engine.sends_at_once(&large),
        None,
        "refused as too large"
    );
    sim.engine.handle(sim.now, Input::SocketClosing);
    assert_eq!(
        sim.engine.sends_at_once(&small),
        None,
        "the peer is closing"
    );
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    assert_eq!(sim.engine.sends_at_once(&small), None, "closed for good");
}

// ----- URL provider and security -----

#[test]
fn url_provider_is_called_before_each_attempt() {
    let mut sim = Sim::with_source(UrlSource::Provider(URL.into()), test_config(), 1);
    sim.provider_urls = vec![
        Ok(format!("{URL}?token=one")),
        Ok(format!("{URL}?token=two")),
    ];
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    assert_eq!(sim.socket.as_ref().unwrap().url, format!("{URL}?token=one"));
    sim.drop_connection();
    sim.run_until(10_000, |s| {
        s.connection() == 2 && s.state() == ConnectionState::Open
    });
    assert_eq!(sim.socket.as_ref().unwrap().url, format!("{URL}?token=two"));
    assert_eq!(sim.provider_calls, 2);
}

#[test]
fn url_provider_runs_after_the_listeners_have_heard_of_the_attempt() {
    // What the app had been told when the provider ran.
    let told = |sim: &Sim, call: usize| order_of(&sim.events[..sim.provider_asked_after[call]]);
    let mut sim = Sim::with_source(UrlSource::Provider(URL.into()), test_config(), 1);
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    assert_eq!(told(&sim, 0), ["Connecting"]);
    // reconnect(): the statechange, then the close, then the provider.
    sim.engine.reconnect(sim.now);
    sim.drain();
    sim.run_until_state(ConnectionState::Open, 100);
    assert_eq!(told(&sim, 1), ["Connecting", "Open", "Connecting", "close"]);
    // A backoff's attempt: reconnecting -> connecting, then the provider.
    sim.drop_connection();
    sim.run_until(10_000, |s| s.provider_calls == 3);
    assert_eq!(told(&sim, 2).last().map(String::as_str), Some("Connecting"));
}

#[test]
fn an_attempt_closed_before_its_url_came_no_longer_awaits_it() {
    let mut engine =
        resilient_ws::core::Engine::<Frame>::new(UrlSource::Provider(URL.into()), test_config(), 1)
            .unwrap();
    let asked = |engine: &mut resilient_ws::core::Engine<Frame>| {
        core::iter::from_fn(|| engine.poll_output())
            .find_map(|output| match output {
                Output::ResolveUrl { token } => Some(token),
                _ => None,
            })
            .expect("a URL request")
    };
    engine.connect(Millis(0));
    let first = asked(&mut engine);
    assert!(engine.awaits_url(first));
    engine.close(Millis(1), 1000, "").unwrap();
    assert!(
        !engine.awaits_url(first),
        "closed: the answer would be dropped"
    );
    engine.connect(Millis(2));
    let second = asked(&mut engine);
    assert!(engine.awaits_url(second) && !engine.awaits_url(first));
    engine.reconnect(Millis(3));
    assert!(!engine.awaits_url(second), "replaced by reconnect()");
}

#[test]
fn reconnect_while_an_attempt_awaits_its_url_reports_that_attempt_closed() {
    // `close` fires for every attempt that ends, also one whose provider
    // had not answered yet; it names that attempt, and closes no socket
    // (there is none).
    let mut engine =
        resilient_ws::core::Engine::<Frame>::new(UrlSource::Provider(URL.into()), test_config(), 1)
            .unwrap();
    engine.connect(Millis(0));
    let _ = core::iter::from_fn(|| engine.poll_output()).count();
    engine.reconnect(Millis(3));
    let outputs: Vec<Output<Frame>> = core::iter::from_fn(|| engine.poll_output()).collect();
    let closes: Vec<&CloseReport> = outputs
        .iter()
        .filter_map(|output| match output {
            Output::Event(Event::Close(report)) => Some(report),
            _ => None,
        })
        .collect();
    assert_eq!(closes.len(), 1, "{outputs:?}");
    let close = closes[0];
    assert_eq!(
        (
            close.cause,
            close.opened,
            close.connection,
            close.will_reconnect
        ),
        (CloseCause::Replaced, false, 1, true)
    );
    assert!(
        !outputs
            .iter()
            .any(|output| matches!(output, Output::CloseSocket { .. })),
        "{outputs:?}"
    );
    assert_eq!(engine.stats(Millis(3)).connection, 2, "the new attempt's");
    // Disposed while that attempt awaits its URL in turn: `lastClose` says
    // so, as for an attempt with a socket.
    engine.dispose(Millis(4));
    let last = engine.last_close().expect("a last close");
    assert_eq!(
        (last.cause, last.connection, last.will_reconnect),
        (CloseCause::Disposed, 2, false)
    );
}

#[test]
fn url_provider_failure_is_retried_with_backoff() {
    let mut sim = Sim::with_source(UrlSource::Provider(URL.into()), test_config(), 1);
    sim.provider_urls = vec![Err("token service down".into())];
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 10_000);
    assert_eq!(sim.closes()[0].cause, CloseCause::UrlProvider);
    assert_eq!(sim.sockets_opened, 1);
    // The failed attempt had its own number: its close names it, and the
    // socket of the next attempt has the next.
    assert_eq!(sim.closes()[0].connection, 1);
    assert_eq!(sim.connection(), 2);
    assert!(sim.saw(|e| matches!(e, Event::Open { connection: 2, .. })));
}

/// A `closeCodes` rule for 1006 alone.
fn rule_for_1006(action: CloseAction) -> CloseCodeRule {
    CloseCodeRule {
        code: 1006,
        to: None,
        action,
    }
}

#[test]
fn a_stop_rule_on_1006_does_not_stop_retries_while_offline_or_after_a_url_provider_failure() {
    // closeCodes judge what the server did: the SDK's own 1006 for going
    // offline, or for a failing URL provider, still retries (and a reauth
    // rule on 1006 asks for no credentials).
    for action in [CloseAction::Stop, CloseAction::Reauth] {
        let mut config = test_config();
        config.close_codes = vec![rule_for_1006(action)];
        let mut sim = open_sim(config.clone());
        sim.input(Input::Offline);
        let close = sim.closes().pop().unwrap();
        assert_eq!(close.cause, CloseCause::Offline);
        assert!(close.will_reconnect, "{action:?}: retried while offline");
        sim.input(Input::Online);
        assert!(
            sim.run_until_state(ConnectionState::Open, 5_000),
            "{action:?}: back online"
        );
        assert!(
            !sim.saw(|e| matches!(e, Event::Reauth { .. })),
            "{action:?}"
        );

        let mut sim = Sim::with_source(UrlSource::Provider(URL.into()), config, 1);
        sim.provider_urls = vec![Err("token service down".into())];
        sim.connect();
        assert!(
            sim.run_until_state(ConnectionState::Open, 10_000),
            "{action:?}: asked again"
        );
        assert_eq!(sim.closes()[0].cause, CloseCause::UrlProvider);
        assert!(
            !sim.saw(|e| matches!(e, Event::Reauth { .. })),
            "{action:?}"
        );
    }
}

#[test]
fn a_provider_url_the_browser_refuses_is_the_providers_failure_and_is_retried() {
    // `new WebSocket` throws for the provider's URL (ws:// from an https:
    // page): cause urlProvider, whatever a rule on 1006 says, and retried.
    let mut config = test_config();
    config.close_codes = vec![rule_for_1006(CloseAction::Stop)];
    let mut sim = Sim::with_source(UrlSource::Provider(URL.into()), config, 1);
    sim.next_modes = vec![ServerMode::Refused(
        "SecurityError: insecure WebSocket".into(),
    )];
    sim.connect();
    assert!(sim.run_until_state(ConnectionState::Open, 10_000));
    let refused = &sim.closes()[0];
    assert_eq!(refused.cause, CloseCause::UrlProvider);
    assert_eq!(refused.reason, "SecurityError: insecure WebSocket");
    assert!(refused.will_reconnect);
    assert!(
        refused
            .interpretation
            .hint
            .starts_with("no connection was attempted"),
        "not the handshake's hint: {}",
        refused.interpretation.hint
    );
    assert_eq!(sim.sockets_opened, 1, "only the retry made a socket");
}

#[test]
fn a_fixed_url_the_browser_refuses_stops_instead_of_retrying() {
    // `new WebSocket` throws for the constructor's URL (ws:// from an https:
    // page): every attempt would, and the server saw none.
    // Not retried, whatever a rule on 1006 says; the app can still connect().
    let mut config = test_config();
    config.close_codes = vec![rule_for_1006(CloseAction::Retry)];
    let mut sim = Sim::with_source(UrlSource::Fixed(URL.into()), config, 1);
    sim.next_modes = vec![ServerMode::Refused(
        "SecurityError: An insecure WebSocket connection may not be initiated from a page loaded over HTTPS.".into(),
    )];
    sim.connect();
    sim.run_for(60_000);
    let closes = sim.closes();
    assert_eq!(closes.len(), 1, "{closes:?}");
    let refused = &closes[0];
    assert_eq!(refused.cause, CloseCause::Refused);
    assert_eq!(refused.code, 1006);
    assert!(!refused.opened);
    assert!(!refused.will_reconnect);
    assert_eq!(refused.delay_ms, None);
    assert_eq!(refused.interpretation.action, CloseAction::Stop);
    assert!(
        refused.interpretation.hint.contains("refused"),
        "{}",
        refused.interpretation.hint
    );
    assert_eq!(
        refused.reason,
        "SecurityError: An insecure WebSocket connection may not be initiated from a page loaded over HTTPS."
    );
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 0);
    assert!(!sim.saw(|e| matches!(e, Event::Reconnecting { .. })));
    sim.connect();
    assert!(sim.run_until_state(ConnectionState::Open, 10_000));
    assert_eq!(sim.sockets_opened, 1);
}

#[test]
fn a_stop_rule_on_1006_still_stops_after_a_connection_the_server_dropped() {
    let mut config = test_config();
    config.close_codes = vec![rule_for_1006(CloseAction::Stop)];
    let mut sim = open_sim(config);
    sim.drop_connection();
    sim.run_for(50);
    assert!(!sim.closes().pop().unwrap().will_reconnect);
    assert_eq!(sim.state(), ConnectionState::Closed);
}

#[test]
fn require_secure_refuses_ws_urls_before_any_connection() {
    let mut config = test_config();
    config.require_secure = true;
    config.allow_insecure_localhost = false;
    let error = resilient_ws::core::Engine::<Frame>::new(UrlSource::Fixed(URL.into()), config, 1)
        .unwrap_err();
    assert_eq!(error.option, "requireSecure");
}

// ----- dispose and long runs -----

#[test]
fn dispose_leaves_no_socket_no_timer_and_fails_requests() {
    let mut sim = open_sim(heartbeat_config());
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.engine.dispose(sim.now);
    sim.drain();
    assert!(sim.socket.is_none());
    assert_eq!(sim.engine.poll_timeout(), None);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request, reason: RequestFailure::Disposed } if *request == handle)));
    assert!(sim.closes().is_empty(), "no close event for dispose");
    let last = sim.engine.last_close().expect("lastClose records it");
    assert_eq!(
        (last.cause, last.code, last.opened),
        (CloseCause::Disposed, 1000, true)
    );
    assert!(!last.will_reconnect);
}

#[test]
fn dispose_while_waiting_to_reconnect_takes_back_the_reconnect_in_last_close() {
    let mut sim = open_sim(test_config());
    sim.drop_connection();
    assert!(sim.run_until_state(ConnectionState::Reconnecting, 1_000));
    assert!(sim.engine.last_close().unwrap().will_reconnect);
    sim.engine.dispose(sim.now);
    sim.drain();
    let last = sim.engine.last_close().unwrap();
    assert_eq!(
        (last.code, last.will_reconnect, last.delay_ms),
        (1006, false, None)
    );
}

#[test]
fn dispose_during_the_apps_close_leaves_that_close_in_last_close() {
    // close() waits for the server's close frame; dispose() meanwhile ends
    // it with no event, and `lastClose` says what the app asked for.
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 4000, "bye").unwrap();
    sim.drain();
    assert_eq!(sim.state(), ConnectionState::Closing);
    assert!(sim.engine.last_close().is_none());
    sim.engine.dispose(sim.now);
    sim.drain();
    let last = sim.engine.last_close().unwrap();
    assert_eq!(
        (
            last.code,
            last.reason.as_str(),
            last.cause,
            last.opened,
            last.will_reconnect
        ),
        (4000, "bye", CloseCause::App, true, false)
    );
}

#[test]
fn a_disposed_engine_keeps_what_the_app_reads_and_nothing_changes_it() {
    use resilient_ws::core::{EngineReadout, InspectorFilter};
    let url = UrlSource::Fixed("ws://127.0.0.1:8765/ws/sim?token=s3cr3t".into());
    let mut sim = Sim::with_source(url, test_config(), 7);
    sim.echoes = true;
    sim.connect();
    assert!(sim.run_until_state(ConnectionState::Open, 1_000));
    sim.engine
        .send(
            sim.now,
            Frame::Text(r#"{"type":"auth","token":"s3cr3t"}"#.into()),
        )
        .unwrap();
    sim.drain();
    sim.run_for(100);
    sim.engine.dispose(sim.now);
    sim.drain();
    let all = InspectorFilter::default();
    let engine = &sim.engine;
    let (state, url, last_close, stats, entries) = (
        engine.state(),
        engine.url_for_display(),
        engine.last_close().cloned(),
        engine.stats(sim.now),
        engine.inspector().entries(&all, engine.redactor()),
    );
    assert_eq!(entries.len(), 2, "the message and its echo");
    assert!(!url.contains("s3cr3t") && !format!("{entries:?}").contains("s3cr3t"));
    assert_eq!(stats.messages_in, 1);

    let later = Millis(sim.now.0 + 60_000);
    let mut disposed = sim.engine.into_disposed(sim.now);
    assert_eq!(disposed.state(), ConnectionState::Closed);
    assert_eq!(state, ConnectionState::Closed);
    assert_eq!(disposed.url_for_display(), url);
    assert_eq!(disposed.last_close().cloned(), last_close);
    assert_eq!(
        last_close.map(|close| close.cause),
        Some(CloseCause::Disposed)
    );
    assert_eq!(disposed.stats(later), stats, "no uptime runs once disposed");
    assert_eq!(
        disposed.inspector().entries(&all, disposed.redactor()),
        entries
    );
    disposed.inspector_mut().clear();
    assert!(disposed.inspector().is_empty());
}

#[test]
fn after_stop_reconnecting_the_open_connection_runs_on_but_its_end_is_final() {
    let mut sim = open_sim(test_config());
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get"}"#, None)
        .unwrap();
    sim.engine.stop_reconnecting();
    sim.drain();
    sim.server_send("still here");
    sim.run_for(10);
    assert_eq!(sim.state(), ConnectionState::Open);
    assert_eq!(sim.delivered.len(), 1, "the connection keeps delivering");
    sim.drop_connection();
    sim.run_for(60_000);
    assert_eq!(sim.state(), ConnectionState::Closed);
    assert_eq!(sim.sockets_opened, 1, "no attempt after the drop");
    let close = sim.closes().pop().unwrap();
    assert_eq!((close.code, close.will_reconnect), (1006, false));
    assert!(sim.saw(|e| matches!(e, Event::RequestFailed { request, reason: RequestFailure::ConnectionLost } if *request == handle)));
    assert_eq!(sim.engine.poll_timeout(), None);
}

#[test]
fn thirty_minute_outage_runs_in_simulated_time() {
    let mut config = heartbeat_config();
    config.reconnect.max_delay_ms = 30_000;
    let mut sim = open_sim(config);
    sim.server_restart(30 * 60_000);
    assert!(
        sim.run_until(31 * 60_000, |s| s.state() == ConnectionState::Open
            && s.connection() > 1)
    );
    // Capped at 30 s: about 60 attempts in 30 minutes, not thousands.
    assert!(
        (55..=75).contains(&sim.sockets_opened),
        "{}",
        sim.sockets_opened
    );
}

// ----- redaction and inspector queries -----

#[test]
fn inspector_filters_by_direction_type_and_field_and_redacts_secrets() {
    use resilient_ws::core::{Direction, InspectorFilter};
    let mut sim = open_sim(test_config());
    sim.echoes = true;
    sim.engine
        .send(
            sim.now,
            Frame::Text(r#"{"type":"auth","token":"s3cr3t","room":"a"}"#.into()),
        )
        .unwrap();
    sim.engine
        .send(sim.now, Frame::Text(r#"{"type":"chat","room":"b"}"#.into()))
        .unwrap();
    sim.drain();
    sim.run_for(100);
    let redactor = sim.engine.redactor().clone();
    let inspector = sim.engine.inspector();
    let all = inspector.entries(&InspectorFilter::default(), &redactor);
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|e| !e.preview.contains("s3cr3t")), "{all:?}");
    let incoming_chat = InspectorFilter {
        direction: Some(Direction::In),
        message_type: Some("chat".into()),
        ..InspectorFilter::default()
    };
    let entries = inspector.entries(&incoming_chat, &redactor);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].direction, Direction::In);
    let room_a = InspectorFilter {
        fields: vec![("room".to_owned(), "a".into())],
        ..Default::default()
    };
    assert_eq!(inspector.entries(&room_a, &redactor).len(), 2);
    let by_secret = InspectorFilter {
        fields: vec![("token".to_owned(), "s3cr3t".into())],
        ..Default::default()
    };
    assert!(
        inspector.entries(&by_secret, &redactor).is_empty(),
        "a filter must not confirm a secret"
    );
    assert!(
        all.iter().any(|e| e.preview.contains("[redacted]")),
        "{all:?}"
    );
}

#[test]
fn secrets_in_close_reasons_and_urls_are_redacted() {
    let source = UrlSource::Fixed(format!("{URL}?token=abc123&room=1"));
    let mut sim = Sim::with_source(source, test_config(), 1);
    sim.connect();
    sim.run_until_state(ConnectionState::Open, 100);
    assert!(!sim.engine.url_for_display().contains("abc123"));
    assert!(sim.engine.url_for_display().contains("room=1"));
    sim.server_close(4003, r#"bad token=abc123, password="hunter2""#);
    sim.run_for(100);
    let reason = &sim.closes()[0].reason;
    assert!(!reason.contains("abc123"), "{reason}");
    assert!(!reason.contains("hunter2"), "{reason}");
}

#[test]
fn stats_count_messages_bytes_reconnects_and_uptime() {
    let mut sim = open_sim(test_config());
    sim.echoes = true;
    sim.engine
        .send(sim.now, Frame::Text("12345".into()))
        .unwrap();
    sim.drain();
    sim.run_for(1_000);
    let stats = sim.engine.stats(sim.now);
    assert_eq!(
        (
            stats.messages_out,
            stats.bytes_out,
            stats.messages_in,
            stats.bytes_in
        ),
        (1, 5, 1, 5)
    );
    assert_eq!(stats.uptime_ms, 1_000);
    sim.drop_connection();
    sim.run_until(10_000, |s| {
        s.connection() == 2 && s.state() == ConnectionState::Open
    });
    let stats = sim.engine.stats(sim.now);
    assert_eq!(stats.reconnects, 1);
    assert_eq!(stats.connection, 2);
    assert!(stats.total_uptime_ms >= 1_005);
}

#[test]
fn app_close_reports_whether_the_close_handshake_completed() {
    let mut sim = open_sim(test_config());
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    sim.drain();
    sim.run_for(100);
    let event = sim.closes().pop().unwrap();
    assert!(event.was_clean, "the server answered the close frame");
    assert_eq!(
        sim.engine.last_close(),
        Some(&event),
        "the event and lastClose agree"
    );

    let mut sim = open_sim(test_config());
    sim.latency_ms = 100_000;
    sim.engine.close(sim.now, 1000, "bye").unwrap();
    sim.drain();
    sim.run_for(3_000);
    assert!(
        !sim.closes().pop().unwrap().was_clean,
        "gave up waiting: not clean"
    );
}

#[test]
fn becoming_visible_after_a_throttled_backoff_wait_tries_at_once() {
    let mut config = test_config();
    config.reconnect.initial_delay_ms = 2_000;
    config.reconnect.jitter = resilient_ws::core::Jitter::None;
    let mut sim = open_sim(config);
    sim.input(Input::Hidden);
    // The hidden tab's timers fire 10 s late.
    sim.timer_lag_ms = 10_000;
    sim.drop_connection();
    sim.run_until_state(ConnectionState::Reconnecting, 100);
    sim.run_for(2_500);
    assert_eq!(sim.state(), ConnectionState::Reconnecting, "throttled");
    sim.timer_lag_ms = 0;
    sim.visible();
    assert_eq!(
        sim.state(),
        ConnectionState::Connecting,
        "the wait is over: the attempt starts when the page is back"
    );
    assert!(sim.run_until_state(ConnectionState::Open, 100));

    // A visibilitychange without a hidden phase first changes nothing, even
    // with the wait over and its timer not yet run.
    let mut config = test_config();
    config.reconnect.jitter = resilient_ws::core::Jitter::None;
    let mut sim = open_sim(config);
    sim.timer_lag_ms = 10_000;
    sim.drop_connection();
    sim.run_until_state(ConnectionState::Reconnecting, 100);
    sim.run_for(2_500);
    assert_eq!(sim.state(), ConnectionState::Reconnecting);
    sim.visible();
    assert_eq!(sim.state(), ConnectionState::Reconnecting);
}

#[test]
fn coming_back_online_does_not_cut_a_try_later_wait_short_but_does_a_backoff_wait() {
    // The server said "try later" (1013): the network coming back says
    // nothing of the server, so the wait holds. A plain backoff wait (a
    // 1006) is cut short, as before.
    for (code, held) in [(1013, true), (1006, false)] {
        let mut config = test_config();
        config.reconnect.try_later_delay_ms = 5_000;
        config.reconnect.max_delay_ms = 10_000;
        config.reconnect.initial_delay_ms = 3_000;
        let mut sim = open_sim(config);
        sim.server_close(code, "going");
        assert!(sim.run_until_state(ConnectionState::Reconnecting, 100));
        let reconnecting_at = sim.times_entered(ConnectionState::Reconnecting)[0];
        sim.input(Input::Offline);
        sim.run_for(500);
        sim.input(Input::Online);
        assert!(sim.run_until_state(ConnectionState::Connecting, 10_000));
        let waited = sim.now.since(reconnecting_at);
        if held {
            assert!(
                waited >= 5_000,
                "{code}: the try-later wait held: {waited} ms"
            );
        } else {
            assert!(
                waited < 1_000,
                "{code}: the backoff wait was cut short: {waited} ms"
            );
        }
    }
}

#[test]
fn becoming_visible_does_not_cut_a_try_later_wait_short() {
    // 1013 "try again later": the SDK waits tryLaterDelayMs; a user who
    // switches tabs for a moment must not send the attempt early.
    let mut config = test_config();
    config.reconnect.try_later_delay_ms = 5_000;
    config.reconnect.max_delay_ms = 10_000;
    let mut sim = open_sim(config);
    sim.input(Input::Hidden);
    sim.server_close(1013, "overloaded");
    assert!(sim.run_until_state(ConnectionState::Reconnecting, 100));
    sim.run_for(1_000);
    sim.visible();
    assert_eq!(sim.state(), ConnectionState::Reconnecting);
    let reconnecting_at = sim.times_entered(ConnectionState::Reconnecting)[0];
    assert!(sim.run_until_state(ConnectionState::Connecting, 10_000));
    assert!(
        sim.now.since(reconnecting_at) >= 5_000,
        "the attempt waited out tryLaterDelayMs: {} ms",
        sim.now.since(reconnecting_at)
    );
}

#[test]
fn sends_while_the_browser_socket_is_closing_wait_for_the_next_connection() {
    // Between the server's close frame and the close event the browser
    // would drop what is sent: app messages and requests queue, no ping
    // goes out, and the next connection carries them, once.
    let mut sim = open_sim(heartbeat_config());
    sim.engine
        .set_replay(sim.now, "k", Frame::Text("state".into()), 0)
        .unwrap();
    sim.drain();
    sim.input(Input::SocketClosing);
    assert_eq!(sim.state(), ConnectionState::Open);
    let late = sim.engine.send(sim.now, Frame::Text("late".into()));
    assert_eq!(late, Ok(SendStatus::Queued));
    let handle = sim
        .engine
        .request(sim.now, r#"{"type":"get","id":"r1"}"#, None)
        .unwrap();
    let replay = sim
        .engine
        .set_replay(sim.now, "k", Frame::Text("newer".into()), 0);
    assert_eq!(replay, Ok(SendStatus::Queued));
    sim.drain();
    assert_eq!(
        sim.engine.poll_timeout().map(|at| at > sim.now),
        Some(true),
        "only the request's deadline"
    );
    sim.run_for(2_500);
    assert_eq!(
        sim.received_on(1),
        vec!["state"],
        "nothing after the close frame, no ping"
    );
    sim.server_close(1011, "restart");
    assert!(sim.run_until_state(ConnectionState::Reconnecting, 1_000));
    assert!(sim.run_until_state(ConnectionState::Open, 10_000));
    sim.run_for(10);
    let second = sim.received_on(2);
    assert_eq!(
        &second[..3],
        ["newer", "late", r#"{"type":"get","id":"r1"}"#]
    );
    assert!(!sim.saw(|e| matches!(e, Event::RequestFailed { request, .. } if *request == handle)));
}

/// The states entered and the closes reported, in the order emitted.
fn event_order(sim: &Sim) -> Vec<String> {
    order_of(&sim.events)
}

/// The statechanges (by target state) and closes among `events`.
fn order_of(events: &[(Millis, Event<Frame>)]) -> Vec<String> {
    events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::StateChange { to, .. } => Some(format!("{to:?}")),
            Event::Close(_) => Some(String::from("close")),
            _ => None,
        })
        .collect()
}
