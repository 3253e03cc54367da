//! One-line event log on stderr.
//!
//! Every notable event (a connection opened or closed, a handshake rejected, a
//! control action, a restart) is one line: a UTC wall-clock time and a message.
//! Nothing is logged per message, so floods and benchmarks stay quiet.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes one log line to stderr: `HH:MM:SS.mmm message`.
///
/// Uses `eprintln!` so that the test harness captures it in tests.
pub fn line(args: fmt::Arguments<'_>) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let ms = now.as_millis() % 86_400_000;
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    eprintln!("{h:02}:{m:02}:{s:02}.{milli:03} {args}");
}

/// Logs one line, `format!`-style.
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!($($arg)*))
    };
}
pub(crate) use log;
