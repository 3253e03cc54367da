//! `socket.inspector`: the last messages in and out, parsed and redacted on
//! demand.

use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::app::error;
use super::number::whole_number;
use super::object::Obj;
use super::options::{call_option, call_option_shown_as, check_call_options, describe, unreadable};
use crate::core::text::concat;
use crate::core::{Direction, FieldValue, InspectorEntry, InspectorFilter, SendError};
use crate::web::{self, DriverView, js_string, json_stringify};

/// The message inspector of a `ResilientSocket`: a ring buffer of the last
/// messages in and out (direction, time, size, connection), with JSON
/// `type`/`id` and a redacted preview computed when asked.
///
/// It is a view, not a handle: an inspector the app keeps does not keep a
/// dropped socket reconnecting, and still reads what was recorded.
#[wasm_bindgen]
pub struct SocketInspector {
    /// `None` for a disposed socket whose inspector was empty.
    driver: Option<DriverView>,
}

impl SocketInspector {
    /// The inspector of the driver `driver` views; with `None`, an empty one.
    pub fn new(driver: Option<DriverView>) -> SocketInspector {
        SocketInspector { driver }
    }

    /// The matching entries as JS objects, each with its wall-clock `time`
    /// (its engine time from `performance.timeOrigin`, so recording a
    /// message costs no `Date.now()`, and every query gives the same time).
    fn query(&self, filter: &InspectorFilter) -> Array {
        let Some(driver) = &self.driver else {
            return Array::new();
        };
        let origin = driver.epoch_origin_ms();
        driver
            .read(|inspector, redactor| inspector.entries(filter, redactor))
            .unwrap_or_default()
            .iter()
            .map(|entry| entry_object(entry, origin + entry.at_ms))
            .collect()
    }
}

#[wasm_bindgen]
impl SocketInspector {
    /// The recorded messages matching `filter`, oldest first. Throws on an
    /// invalid filter.
    #[wasm_bindgen(unchecked_return_type = "InspectorEntry[]")]
    pub fn entries(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "InspectorFilter")] filter: JsValue,
    ) -> Result<Array, JsValue> {
        let filter = parse_filter(&filter, "inspector.entries").map_err(|m| error(&m))?;
        Ok(self.query(&filter))
    }

    /// The matching entries as a JSON array (redacted), for bug reports:
    /// `JSON.stringify` of what `entries` returns.
    #[wasm_bindgen(js_name = exportJson, unchecked_return_type = "string")]
    pub fn export_json(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "InspectorFilter")] filter: JsValue,
    ) -> Result<JsValue, JsValue> {
        let filter = parse_filter(&filter, "inspector.exportJson").map_err(|m| error(&m))?;
        let entries = self.query(&filter);
        // Entries hold strings, numbers, booleans and null only: stringify
        // cannot fail on them.
        Ok(json_stringify(&entries).unwrap_or_else(|| JsValue::from_str("[]")))
    }

    /// Forgets every recorded message. Throws the busy `Error` when called
    /// from inside the SDK's own call into the browser.
    pub fn clear(&self) -> Result<(), JsValue> {
        match &self.driver {
            Some(driver) if !driver.clear_inspector() => {
                Err(error(&SendError::Busy.message_for("inspector.clear")))
            }
            _ => Ok(()),
        }
    }

    /// How many messages are recorded.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        self.driver
            .as_ref()
            .and_then(|driver| driver.read(|inspector, _| inspector.len() as u32))
            .unwrap_or(0)
    }
}

fn entry_object(entry: &InspectorEntry, time: u64) -> JsValue {
    let text = |value: &Option<String>| match value {
        Some(text) => JsValue::from_str(text),
        None => JsValue::NULL,
    };
    Obj::new()
        .num("seq", entry.seq)
        .set("direction", entry.direction.as_str())
        .num("atMs", entry.at_ms)
        .num("time", time)
        .num("size", entry.size as u64)
        .num("connection", u64::from(entry.connection))
        .set("binary", entry.binary)
        .set("type", text(&entry.message_type))
        .set("id", text(&entry.id))
        .set("preview", entry.preview.as_str())
        .build()
}

/// Reads `{ direction, type, fields, limit }`.
#[inline(never)]
fn parse_filter(value: &JsValue, call: &str) -> Result<InspectorFilter, String> {
    check_call_options(
        value,
        call,
        &["direction", "type", "fields", "limit", "fullText"],
    )?;
    let mut filter = InspectorFilter::default();
    let direction = call_option(value, call, "direction")?;
    if !direction.is_undefined() {
        filter.direction = Some(match direction.as_string().as_deref() {
            Some("in") => Direction::In,
            Some("out") => Direction::Out,
            _ => {
                return Err(invalid(
                    call,
                    "direction must be \"in\" or \"out\"",
                    &direction,
                ));
            }
        });
    }
    let kind = call_option(value, call, "type")?;
    if !kind.is_undefined() {
        filter.message_type = Some(
            kind.as_string()
                .ok_or_else(|| invalid(call, "type must be a string", &kind))?,
        );
    }
    let fields = call_option(value, call, "fields")?;
    if !fields.is_undefined() {
        if !fields.is_object() || web::is_array(&fields) {
            return Err(invalid(
                call,
                "fields must be an object of field values",
                &fields,
            ));
        }
        let keys = web::own_keys(&fields)
            .map_err(|thrown| unreadable(&concat(&[call, ": option"]), "fields", &thrown))?;
        for key in keys.iter() {
            let name = key.as_string().unwrap_or_default();
            let field = call_option_shown_as(&fields, call, &name, &concat(&["fields.", &name]))?;
            let literal = field.is_null()
                || field.is_bigint()
                || field.as_bool().is_some()
                || field.as_f64().is_some_and(f64::is_finite);
            let wanted = if let Some(text) = field.as_string() {
                FieldValue::Text(text)
            } else if let Some(written) = literal.then(|| js_string(&field).ok()).flatten() {
                // As JS writes it, which is how JSON writes it (`7`,
                // `1e+21`, `true`; a BigInt's digits, for ids past 2^53).
                FieldValue::Literal(written.as_string().unwrap_or_default())
            } else {
                let what = concat(&[
                    "fields.",
                    &name,
                    " must be a string, a finite number, a BigInt, a boolean or null",
                ]);
                return Err(invalid(call, &what, &field));
            };
            filter.fields.push((name, wanted));
        }
    }
    let limit = call_option(value, call, "limit")?;
    if !limit.is_undefined() {
        filter.limit = Some(
            // No inspector keeps 2^32 entries: a larger limit is no limit.
            match limit
                .as_f64()
                .and_then(|n| whole_number(n, 9_007_199_254_740_991.0))
            {
                Some(n) => n.min(u64::from(u32::MAX)) as usize,
                None => {
                    return Err(invalid(
                        call,
                        "limit must be an integer from 0 to 9007199254740991",
                        &limit,
                    ));
                }
            },
        );
    }
    let full_text = call_option(value, call, "fullText")?;
    if !full_text.is_undefined() {
        filter.full_text = full_text
            .as_bool()
            .ok_or_else(|| invalid(call, "fullText must be a boolean", &full_text))?;
    }
    Ok(filter)
}

/// `CALL: WHAT, got VALUE`.
#[inline(never)]
fn invalid(call: &str, what: &str, got: &JsValue) -> String {
    concat(&[call, ": ", what, ", got ", &describe(got)])
}
