//! Frames a browser must refuse, for the `bad-frame` control action: what a
//! buggy server, or a proxy that mangles frames, puts on the wire. RFC 6455
//! has the client fail the connection on one, which its page sees as a close
//! with code 1006 (not 1002 or 1007: those go to the server, if anywhere).

use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

/// Which rule the frame breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadFrame {
    /// A text frame whose payload is not UTF-8 (RFC 6455 section 8.1).
    InvalidUtf8,
    /// A data frame with reserved opcode 3 (section 5.2).
    ReservedOpcode,
}

impl BadFrame {
    /// The `kind` parameter's values, as the control API names them.
    pub const KINDS: &str = "utf8, opcode";

    /// Reads the `kind` parameter.
    pub fn parse(kind: &str) -> Result<Self, String> {
        match kind {
            "utf8" => Ok(BadFrame::InvalidUtf8),
            "opcode" => Ok(BadFrame::ReservedOpcode),
            other => Err(format!(
                "kind must be one of {}; got {other:?}",
                Self::KINDS
            )),
        }
    }

    /// The frame, as a message the writer sends unchecked.
    pub fn message(self) -> Message {
        let frame = match self {
            // 0xC3 opens a two-byte sequence that 0x28 ('(') does not continue.
            BadFrame::InvalidUtf8 => {
                Frame::message(&b"bad \xC3\x28 text"[..], OpCode::Data(Data::Text), true)
            }
            BadFrame::ReservedOpcode => {
                Frame::message(&b"reserved"[..], OpCode::Data(Data::Reserved(3)), true)
            }
        };
        Message::Frame(frame)
    }
}

impl std::fmt::Display for BadFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BadFrame::InvalidUtf8 => "a text frame that is not UTF-8",
            BadFrame::ReservedOpcode => "a frame with reserved opcode 3",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_others_are_refused_by_name() {
        assert_eq!(BadFrame::parse("utf8"), Ok(BadFrame::InvalidUtf8));
        assert_eq!(BadFrame::parse("opcode"), Ok(BadFrame::ReservedOpcode));
        let refused = BadFrame::parse("mask").unwrap_err();
        assert!(
            refused.contains("utf8, opcode") && refused.contains("\"mask\""),
            "{refused}"
        );
    }

    #[test]
    fn the_utf8_frame_is_really_not_utf8() {
        let Message::Frame(frame) = BadFrame::InvalidUtf8.message() else {
            panic!("a raw frame");
        };
        assert!(std::str::from_utf8(frame.payload()).is_err());
    }
}
