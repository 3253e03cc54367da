//! `fault-server [--ws-port 8765] [--control-port 8766] [--host 127.0.0.1]
//! [--report-file PATH]`
//!
//! Ports default to `FAULT_SERVER_WS_PORT` / `FAULT_SERVER_CONTROL_PORT`, then
//! 8765 / 8766; 0 picks a free port. Once both ports listen, prints exactly one
//! line on stdout, `fault-server ws=ws://HOST:PORT control=http://HOST:PORT`,
//! and logs events on stderr.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use fault_server::Config;

const USAGE: &str =
    "usage: fault-server [--ws-port PORT] [--control-port PORT] [--host HOST] [--report-file PATH]
  --ws-port       WebSocket port (env FAULT_SERVER_WS_PORT, default 8765; 0 = any free port)
  --control-port  HTTP control port (env FAULT_SERVER_CONTROL_PORT, default 8766; 0 = any free port)
  --host          address to bind both ports to (default 127.0.0.1)
  --report-file   file that POST /report appends JSON lines to";

/// What the command line asks for.
enum Command {
    Run(Config),
    Help,
}

fn port(name: &str, value: &str) -> Result<u16, String> {
    value
        .parse()
        .map_err(|_| format!("{name} must be a port number 0-65535, not {value:?}"))
}

/// Reads the command line (`--flag value` or `--flag=value`) over the
/// environment's defaults.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut config = Config::default();
    if let Ok(v) = std::env::var("FAULT_SERVER_WS_PORT") {
        config.ws_port = port("FAULT_SERVER_WS_PORT", &v)?;
    }
    if let Ok(v) = std::env::var("FAULT_SERVER_CONTROL_PORT") {
        config.control_port = port("FAULT_SERVER_CONTROL_PORT", &v)?;
    }
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--ws-port" => config.ws_port = port("--ws-port", &value()?)?,
            "--control-port" => config.control_port = port("--control-port", &value()?)?,
            "--host" => config.host = value()?,
            "--report-file" => config.report_file = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(Command::Run(config))
}

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("fault-server: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fault-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match fault_server::start(config).await {
            Ok(server) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", server.ready_line());
                let _ = out.flush();
                drop(out);
                std::future::pending::<ExitCode>().await
            }
            Err(e) => {
                eprintln!("fault-server: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
