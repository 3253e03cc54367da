//! An open WebSocket connection: reading, replying, scripted faults, and the
//! handle the control API uses to act on it.
//!
//! The connection runs as one future made of a reader, a writer and timers.
//! The reader records every message and queues replies; the writer sends what
//! is queued (replies, floods, control messages, the close frame). Dropping the
//! whole future drops the TCP socket without a close frame: that is how
//! `drop_after_ms`, the `drop` action and `/restart` cut a connection.

use std::fmt;
use std::future::pending;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::{Instant, sleep, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::bad_frame::BadFrame;
use crate::record::Client;
use crate::reply::pong_for;
use crate::script::{Flood, Script};

/// How long the server waits for the client's close frame after sending its
/// own before it closes the TCP connection anyway.
pub const CLOSE_GRACE: Duration = Duration::from_secs(5);

type Ws = WebSocketStream<TcpStream>;

/// Something for the writer to send.
enum Out {
    /// A message, sent no earlier than the given instant.
    Message(Message, Option<Instant>),
    /// A burst of text messages.
    Flood(Flood),
    /// A close frame; the writer sends nothing after it.
    Close(u16, String),
}

/// State shared by a connection and its handles.
#[derive(Default)]
struct Shared {
    /// No automatic replies while set.
    silent: AtomicBool,
    /// Notified to drop the connection without a close frame.
    kill: Notify,
    /// The close frame the server sent, if it did.
    server_close: Mutex<Option<(u16, String)>>,
}

/// A handle to act on an open connection from elsewhere (the control API).
#[derive(Clone)]
pub struct ConnHandle {
    out: mpsc::UnboundedSender<Out>,
    shared: Arc<Shared>,
}

/// The receiving end of a [`ConnHandle`], consumed by [`run`].
pub struct ConnQueue(mpsc::UnboundedReceiver<Out>);

/// Makes a handle for a connection about to open.
pub fn handle(silent: bool) -> (ConnHandle, ConnQueue) {
    let (out, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared::default());
    shared.silent.store(silent, Ordering::Relaxed);
    (ConnHandle { out, shared }, ConnQueue(rx))
}

impl ConnHandle {
    /// Sends a close frame with `code` and `reason` (after anything queued).
    pub fn close(&self, code: u16, reason: &str) {
        let _ = self.out.send(Out::Close(code, reason.to_string()));
    }

    /// Drops the TCP connection at once, with no close frame.
    pub fn drop_tcp(&self) {
        self.shared.kill.notify_one();
    }

    /// Stops (`true`) or resumes (`false`) automatic replies.
    pub fn set_silent(&self, on: bool) {
        self.shared.silent.store(on, Ordering::Relaxed);
    }

    /// Sends a burst of text messages.
    pub fn flood(&self, flood: Flood) {
        let _ = self.out.send(Out::Flood(flood));
    }

    /// Sends one text message.
    pub fn send_text(&self, text: &str) {
        let _ = self.out.send(Out::Message(Message::text(text), None));
    }

    /// Sends a frame the client must refuse (after anything queued).
    pub fn send_bad_frame(&self, bad: BadFrame) {
        let _ = self.out.send(Out::Message(bad.message(), None));
    }

    fn silent(&self) -> bool {
        self.shared.silent.load(Ordering::Relaxed)
    }

    fn reply(&self, msg: Message, delay: Duration) {
        let at = (!delay.is_zero()).then(|| Instant::now() + delay);
        let _ = self.out.send(Out::Message(msg, at));
    }
}

/// How a connection ended, for the log.
#[derive(Debug)]
pub enum End {
    /// The client sent a close frame first.
    ClientClosed(Option<CloseFrame>),
    /// The server sent a close frame and the client answered it.
    ServerClosed(u16, String),
    /// The server sent a close frame and the client did not answer in time.
    CloseTimeout(u16, String),
    /// The server dropped the TCP connection on purpose.
    Dropped(&'static str),
    /// The client's TCP connection went away without a close frame.
    Gone(String),
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::ClientClosed(Some(fr)) => {
                write!(
                    f,
                    "closed by client with {} {:?}",
                    u16::from(fr.code),
                    fr.reason.as_str()
                )
            }
            End::ClientClosed(None) => write!(f, "closed by client (no status code)"),
            End::ServerClosed(code, reason) => write!(f, "closed by server with {code} {reason:?}"),
            End::CloseTimeout(code, reason) => write!(
                f,
                "closed by server with {code} {reason:?}; no answer from client in {}s, TCP closed",
                CLOSE_GRACE.as_secs()
            ),
            End::Dropped(why) => write!(f, "dropped by {why} (no close frame)"),
            End::Gone(why) => write!(f, "client went away without a close frame ({why})"),
        }
    }
}

/// Runs an open connection until it ends: replies as `script` says, records
/// what arrives into `client` as connection `number`, acts on `handle`'s
/// commands, and drops the connection when `epoch` changes (a restart).
pub async fn run(
    ws: Ws,
    script: &Script,
    client: &Client,
    number: u64,
    handle: &ConnHandle,
    queue: ConnQueue,
    mut epoch: watch::Receiver<u64>,
) -> End {
    let (sink, stream) = ws.split();
    if let Some(flood) = script.flood {
        handle.flood(flood);
    }
    let close_timer = async {
        if let Some(c) = &script.close {
            sleep(c.after).await;
            handle.close(c.code, &c.reason);
        }
        pending::<End>().await
    };
    let drop_timer = async {
        match script.drop_after {
            Some(d) => {
                sleep(d).await;
                End::Dropped("script drop_after_ms")
            }
            None => pending().await,
        }
    };
    tokio::select! {
        end = read_loop(stream, script, client, number, handle) => end,
        end = write_loop(sink, queue, &handle.shared) => end,
        end = close_timer => end,
        end = drop_timer => end,
        _ = handle.shared.kill.notified() => End::Dropped("control drop"),
        _ = epoch.changed() => End::Dropped("restart"),
    }
}

/// Reads until the connection ends, recording messages and queueing replies.
async fn read_loop(
    mut stream: SplitStream<Ws>,
    script: &Script,
    client: &Client,
    number: u64,
    handle: &ConnHandle,
) -> End {
    let mut client_close = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(Message::Text(text)) => {
                client.record_text(number, &text, script.store);
                if !handle.silent() {
                    let pong = if script.pong { pong_for(&text) } else { None };
                    match pong {
                        Some(pong) => handle.reply(Message::text(pong), script.reply_delay),
                        None if script.echo => {
                            handle.reply(Message::Text(text), script.reply_delay)
                        }
                        None => {}
                    }
                }
            }
            Ok(Message::Binary(data)) => {
                client.record_binary(data.len());
                if !handle.silent() && script.echo {
                    handle.reply(Message::Binary(data), script.reply_delay);
                }
            }
            Ok(Message::Close(frame)) => client_close = Some(frame),
            Ok(_) => {}
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => break,
            Err(e) => return End::Gone(e.to_string()),
        }
        // A slow reader: what the client sends meanwhile waits in its buffers.
        if !script.read_delay.is_zero() {
            sleep(script.read_delay).await;
        }
    }
    let server_close = handle
        .shared
        .server_close
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    match (server_close, client_close) {
        (Some((code, reason)), _) => End::ServerClosed(code, reason),
        (None, Some(frame)) => End::ClientClosed(frame),
        (None, None) => End::Gone("end of stream".into()),
    }
}

/// Sends what is queued. Never ends by itself except after a close frame
/// that the client does not answer; a send error leaves the reader to report
/// how the connection ended.
async fn write_loop(mut sink: SplitSink<Ws, Message>, queue: ConnQueue, shared: &Shared) -> End {
    let mut rx = queue.0;
    while let Some(out) = rx.recv().await {
        let sent = match out {
            Out::Message(msg, at) => {
                if let Some(at) = at.filter(|at| *at > Instant::now()) {
                    if sink.flush().await.is_err() {
                        break;
                    }
                    sleep_until(at).await;
                }
                sink.feed(msg).await
            }
            Out::Flood(flood) => flood_into(&mut sink, flood).await,
            Out::Close(code, reason) => {
                *shared
                    .server_close
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some((code, reason.clone()));
                let frame = CloseFrame {
                    code: code.into(),
                    reason: reason.as_str().into(),
                };
                if sink.send(Message::Close(Some(frame))).await.is_err() {
                    break;
                }
                sleep(CLOSE_GRACE).await;
                return End::CloseTimeout(code, reason);
            }
        };
        if sent.is_err() || (rx.is_empty() && sink.flush().await.is_err()) {
            break;
        }
    }
    pending().await
}

async fn flood_into(sink: &mut SplitSink<Ws, Message>, flood: Flood) -> Result<(), WsError> {
    for i in 0..flood.count {
        sink.feed(Message::text(flood.message(i))).await?;
    }
    Ok(())
}
