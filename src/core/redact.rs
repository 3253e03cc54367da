//! Redaction of secrets (tokens, passwords) in everything the core shows.
//! STUB: to be completed.

use std::borrow::Cow;

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Replaces secret values in JSON text and URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redactor {
    secret_keys: Vec<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(["token", "authorization", "password", "secret"].map(String::from).to_vec())
    }
}

impl Redactor {
    /// A redactor for these key names (matched case-insensitively; a key
    /// containing one of them, like `access_token`, matches too).
    pub fn new(secret_keys: Vec<String>) -> Self {
        Redactor { secret_keys: secret_keys.into_iter().map(|k| k.to_ascii_lowercase()).collect() }
    }

    /// Whether `key` names a secret.
    pub fn is_secret_key(&self, key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        self.secret_keys.iter().any(|secret| key.contains(secret.as_str()))
    }

    /// `text` with secret values replaced: JSON fields at any depth, and
    /// `key=value` query parameters in URLs or plain text.
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(text)
    }

    /// `url` with secret query parameters (and userinfo passwords) replaced.
    pub fn redact_url<'a>(&self, url: &'a str) -> Cow<'a, str> {
        self.redact_text(url)
    }
}
