//! Starting the server: binding both ports and spawning their tasks.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::record::Registry;
use crate::ws::Restart;
use crate::{control, ws};

/// Where to listen and where to write reports.
#[derive(Debug, Clone)]
pub struct Config {
    /// Host or address both ports bind to.
    pub host: String,
    /// WebSocket port; 0 picks a free one.
    pub ws_port: u16,
    /// Control port; 0 picks a free one.
    pub control_port: u16,
    /// File that `POST /report` appends JSON lines to.
    pub report_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            ws_port: 8765,
            control_port: 8766,
            report_file: None,
        }
    }
}

/// State shared by both ports.
pub struct State {
    /// Per-client records and open connections.
    pub registry: Registry,
    /// Bumped on every restart; open connections drop when it changes.
    pub epoch: watch::Sender<u64>,
    /// Asks the WebSocket port to go down for a while.
    pub restart: mpsc::Sender<Restart>,
    /// Where reports go.
    pub report_file: Option<PathBuf>,
}

/// A running server's addresses.
#[derive(Debug, Clone, Copy)]
pub struct Server {
    /// The WebSocket port's address.
    pub ws_addr: SocketAddr,
    /// The control port's address.
    pub control_addr: SocketAddr,
}

impl Server {
    /// `fault-server ws=ws://HOST:PORT control=http://HOST:PORT`, the line
    /// printed on start.
    pub fn ready_line(&self) -> String {
        format!(
            "fault-server ws=ws://{} control=http://{}",
            self.ws_addr, self.control_addr
        )
    }
}

/// Binds both ports and serves them on the current Tokio runtime until it
/// shuts down. Fails if a port cannot be bound.
pub async fn start(config: Config) -> io::Result<Server> {
    let bind = |port: u16| {
        let host = config.host.clone();
        async move {
            TcpListener::bind((host.as_str(), port)).await.map_err(|e| {
                io::Error::new(e.kind(), format!("cannot listen on {host}:{port}: {e}"))
            })
        }
    };
    let ws_listener = bind(config.ws_port).await?;
    let control_listener = bind(config.control_port).await?;
    let server = Server {
        ws_addr: ws_listener.local_addr()?,
        control_addr: control_listener.local_addr()?,
    };
    let (restart, restarts) = mpsc::channel(8);
    let state = Arc::new(State {
        registry: Registry::default(),
        epoch: watch::channel(0).0,
        restart,
        report_file: config.report_file,
    });
    tokio::spawn(ws::accept_loop(ws_listener, state.clone(), restarts));
    tokio::spawn(control::accept_loop(control_listener, state));
    Ok(server)
}
