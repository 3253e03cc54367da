//! The automatic answer to a text message: a pong for a ping, else an echo.
//!
//! - `ping` (exactly) gets `pong`.
//! - a JSON object whose top-level `"type"` is `"ping"` gets
//!   `{"type":"pong"}`, with the ping's `id` and `ts` fields copied when present.
//! - anything else is echoed as it is, which also answers a request
//!   `{"type":"request","id":7,...}` with a reply carrying the same `id`.

use serde_json::Value;

/// The pong for `text` if it is a ping (and pongs are on); `None` means echo.
pub fn pong_for(text: &str) -> Option<String> {
    if text == "ping" {
        return Some("pong".to_string());
    }
    // Cheap tests first: benchmarks send many messages that are not pings.
    if !text.trim_start().starts_with('{') || !text.contains("ping") {
        return None;
    }
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    if obj.get("type").and_then(Value::as_str) != Some("ping") {
        return None;
    }
    let mut pong = String::from(r#"{"type":"pong""#);
    for field in ["id", "ts"] {
        if let Some(v) = obj.get(field) {
            pong.push_str(&format!(",\"{field}\":{v}"));
        }
    }
    pong.push('}');
    Some(pong)
}

#[cfg(test)]
mod tests {
    use super::pong_for;

    #[test]
    fn answers_pings_only() {
        assert_eq!(pong_for("ping").as_deref(), Some("pong"));
        assert_eq!(
            pong_for(r#"{"type":"ping"}"#).as_deref(),
            Some(r#"{"type":"pong"}"#)
        );
        assert_eq!(
            pong_for(r#" {"ts":12.5,"type":"ping","id":"a"}"#).as_deref(),
            Some(r#"{"type":"pong","id":"a","ts":12.5}"#)
        );
        assert_eq!(pong_for("Ping"), None);
        assert_eq!(pong_for(r#"{"type":"pingpong"}"#), None);
        assert_eq!(pong_for(r#"{"type":"request","id":1,"q":"ping"}"#), None);
        assert_eq!(pong_for(r#"{"type":"ping""#), None);
        assert_eq!(pong_for(r#"["ping"]"#), None);
    }
}
