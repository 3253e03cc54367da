//! Handshake subprotocols (`Sec-WebSocket-Protocol`), checked up front: a
//! browser refuses an invalid list when each socket is constructed, which
//! would turn a typo into an endless retry loop instead of an error.

use crate::prelude::*;

use super::error::ConfigError;
use super::text::{concat, decimal};

/// What `protocols` allows, as the error says it.
const ALLOWED: &str = "non-empty tokens (letters, digits and !#$%&'*+-.^_`|~), each at most once";

/// Checks `protocols` as browsers do: every entry an RFC 7230 token, no
/// entry twice. The error names the entry by its index, never its value:
/// subprotocols often carry credentials (a token smuggled into the
/// handshake), and errors end up in logs.
pub fn check_subprotocols(protocols: &[String]) -> Result<(), ConfigError> {
    for (index, protocol) in protocols.iter().enumerate() {
        let why = if protocol.is_empty() {
            " (empty)"
        } else if !protocol.bytes().all(is_token_byte) {
            " (not a token)"
        } else if protocols[..index].contains(protocol) {
            " (given twice)"
        } else {
            continue;
        };
        let got = concat(&["entry ", &decimal(index as u64), why]);
        return Err(ConfigError::new("protocols", ALLOWED, got));
    }
    Ok(())
}

/// A `tchar` of RFC 7230.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;
    use std::vec;

    fn check(list: &[&str]) -> Result<(), String> {
        let list: Vec<String> = list.iter().map(|p| (*p).to_owned()).collect();
        check_subprotocols(&list).map_err(|e| e.message())
    }

    #[test]
    fn tokens_each_once_are_accepted() {
        assert_eq!(check(&[]), Ok(()));
        assert_eq!(
            check(&["chat", "v2.json", "x-custom_1", "a!#$%&'*+-.^_`|~"]),
            Ok(())
        );
    }

    #[test]
    fn empty_entries_separators_and_duplicates_are_refused_by_name() {
        for (list, got) in [
            (vec![""], "entry 0 (empty)"),
            (vec!["a b"], "entry 0 (not a token)"),
            (vec!["v1", "chat,v2"], "entry 1 (not a token)"),
            (vec!["é"], "entry 0 (not a token)"),
            (vec!["v1", "v2", "v1"], "entry 2 (given twice)"),
        ] {
            let message = check(&list).unwrap_err();
            assert!(
                message.starts_with("invalid option `protocols`: expected non-empty tokens"),
                "{message}"
            );
            assert!(message.ends_with(&concat(&["got ", got])), "{message}");
        }
    }

    #[test]
    fn the_error_never_quotes_the_value() {
        let message = check(&["Bearer.secret-value xyz"]).unwrap_err();
        assert!(!message.contains("secret-value"), "{message}");
    }
}
