//! Handshake subprotocols (`Sec-WebSocket-Protocol`), checked up front: a
//! browser refuses an invalid list when each socket is constructed, which
//! would turn a typo into an endless retry loop instead of an error.

use crate::prelude::*;

use super::error::ConfigError;
use super::text::concat;

/// What `protocols` allows, as the error says it.
const ALLOWED: &str = "non-empty tokens (letters, digits and !#$%&'*+-.^_`|~), each at most once";

/// Checks `protocols` as browsers do: every entry an RFC 7230 token, no
/// entry twice.
pub fn check_subprotocols(protocols: &[String]) -> Result<(), ConfigError> {
    for (index, protocol) in protocols.iter().enumerate() {
        let got = |why: &str| concat(&["\"", protocol, "\" (", why, ")"]);
        if protocol.is_empty() || !protocol.bytes().all(is_token_byte) {
            return Err(ConfigError::new("protocols", ALLOWED, got("not a token")));
        }
        if protocols[..index].contains(protocol) {
            return Err(ConfigError::new("protocols", ALLOWED, got("twice")));
        }
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
            (vec![""], "\"\" (not a token)"),
            (vec!["a b"], "\"a b\" (not a token)"),
            (vec!["chat,v2"], "\"chat,v2\" (not a token)"),
            (vec!["é"], "\"é\" (not a token)"),
            (vec!["v1", "v2", "v1"], "\"v1\" (twice)"),
        ] {
            let message = check(&list).unwrap_err();
            assert!(
                message.starts_with("invalid option `protocols`: expected non-empty tokens"),
                "{message}"
            );
            assert!(message.ends_with(&concat(&["got ", got])), "{message}");
        }
    }
}
