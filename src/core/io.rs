//! What the driver feeds in and what it must carry out.

use crate::prelude::*;

/// A browser-side event fed to [`super::Engine::handle`].
#[derive(Clone, Debug, PartialEq)]
pub enum Input<P> {
    /// The URL provider answered for the attempt with this token.
    UrlResolved {
        /// The token from [`Output::ResolveUrl`].
        token: u64,
        /// The URL, or the provider's error message.
        url: Result<String, String>,
    },
    /// The socket's `open` event. `closing`: the socket was already closing
    /// when it came (the page's events were held, e.g. frozen, while the
    /// server's close arrived): open, and deliver the messages queued before
    /// the close, but send nothing on it (the browser would drop it).
    Opened {
        /// Whether the socket's `readyState` was past OPEN.
        closing: bool,
    },
    /// The socket's `message` event.
    Message(P),
    /// The socket's `close` event.
    Closed {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the close handshake completed.
        was_clean: bool,
    },
    /// The socket's `error` event.
    Error,
    /// The browser refused to make the socket (`new WebSocket` threw: a URL
    /// or subprotocols it will not use, such as `ws://` from an `https:`
    /// page): the attempt failed before it began.
    Refused {
        /// The browser's error message.
        reason: String,
    },
    /// The browser socket is closing (its `readyState` is no longer OPEN:
    /// the server's close frame arrived) though its `close` event has not
    /// come yet. Sends wait for the next connection from here on.
    SocketClosing,
    /// The timer armed from `poll_timeout` fired (possibly late).
    Timer {
        /// The browser socket's `bufferedAmount` (0 without one): a ping
        /// behind the app's data still draining is not yet overdue.
        send_buffered: u64,
    },
    /// `window` `online`.
    Online,
    /// `window` `offline`.
    Offline,
    /// The page became hidden.
    Hidden,
    /// The page became visible.
    Visible {
        /// The browser socket's `bufferedAmount`, as for [`Input::Timer`]:
        /// a ping may go out now.
        send_buffered: u64,
    },
}

/// Something the driver must do, drained with [`super::Engine::poll_output`].
#[derive(Clone, Debug, PartialEq)]
pub enum Output<P> {
    /// Call the URL provider, then feed [`Input::UrlResolved`] with this token.
    ResolveUrl {
        /// Identifies the attempt; a stale answer is ignored.
        token: u64,
    },
    /// Open a socket (there is no other socket at this point).
    OpenSocket {
        /// Where to.
        url: String,
        /// Its connection number.
        connection: u32,
    },
    /// Send a frame on the open socket.
    Send(P),
    /// Close the socket with this code and reason.
    CloseSocket {
        /// Close code to send.
        code: u16,
        /// Close reason to send.
        reason: String,
        /// If true, the engine is done with this socket: remove its listeners
        /// now; no `Closed` input is expected. If false, feed its `close` event.
        detach: bool,
    },
    /// Deliver a message to the app's `message` listeners.
    Deliver(P),
    /// Emit an event to the app.
    Event(super::event::Event<P>),
}

/// Messages that passed between the app and the open socket without the
/// engine (the browser's fast path), reported with
/// [`super::Engine::passed_directly`]: how many each way, and their total
/// size (UTF-16 units for text, bytes for binary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectTraffic {
    /// Messages the fast path delivered to the app.
    pub messages_in: u64,
    /// Their total size.
    pub bytes_in: u64,
    /// Messages the fast path handed to the socket.
    pub messages_out: u64,
    /// Their total size.
    pub bytes_out: u64,
}
