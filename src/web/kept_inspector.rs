//! A disposed socket's recorded messages, held as JS values. A disposed
//! socket's JS object may wait long for the garbage collector, which does
//! not see wasm memory: records kept in wasm, or even a wasm handle to
//! them, would make it grow with every dropped socket (bench/ANALYSIS.md,
//! memory). So the disposed socket keeps them in its JS readout
//! ([`KeptInspector::to_js`]). A query rebuilds the records in wasm for as
//! long as it runs, so every filter works as on a live socket.

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

use super::payload::JsPayload;
use crate::core::{Direction, Inspector, InspectorRecord, Millis, Redactor};

/// JS values per record: seq, direction (true for in), time, size,
/// connection, binary, payload (null when it was not kept).
const FIELDS: u32 = 7;

/// The records and the redaction keys of a disposed engine's inspector.
/// Clones share the records: clearing one clears them all.
#[derive(Clone)]
pub struct KeptInspector {
    /// [`FIELDS`] values per record, oldest first.
    records: Array,
    secret_keys: Array,
}

impl KeptInspector {
    /// Copies `inspector`'s records and `redactor`'s keys out of wasm.
    pub fn new(inspector: &Inspector<JsPayload>, redactor: &Redactor) -> KeptInspector {
        let records = Array::new();
        for record in inspector.records() {
            let fields = [
                JsValue::from_f64(record.seq as f64),
                JsValue::from_bool(record.direction == Direction::In),
                JsValue::from_f64(record.at.0 as f64),
                JsValue::from_f64(record.size as f64),
                JsValue::from_f64(f64::from(record.connection)),
                JsValue::from_bool(record.binary),
                record
                    .payload
                    .as_ref()
                    .map_or(JsValue::NULL, |payload| payload.value().clone()),
            ];
            for field in &fields {
                records.push(field);
            }
        }
        let secret_keys = Array::new();
        for key in redactor.secret_keys() {
            secret_keys.push(&JsValue::from_str(key));
        }
        KeptInspector {
            records,
            secret_keys,
        }
    }

    /// As one JS value, with the engine's `epoch_origin_ms` (what a view
    /// needs besides the records).
    pub fn to_js(&self, epoch_origin_ms: u64) -> JsValue {
        Array::of3(
            &self.records,
            &self.secret_keys,
            &JsValue::from_f64(epoch_origin_ms as f64),
        )
        .into()
    }

    /// Reads back what [`KeptInspector::to_js`] made (`None` from anything
    /// else).
    pub fn from_js(value: &JsValue) -> Option<(KeptInspector, u64)> {
        let parts = value.dyn_ref::<Array>()?;
        let kept = KeptInspector {
            records: parts.get(0).dyn_into().ok()?,
            secret_keys: parts.get(1).dyn_into().ok()?,
        };
        Some((kept, parts.get(2).as_f64()? as u64))
    }

    /// Forgets the records, for every clone.
    pub fn clear(&self) {
        self.records.set_length(0);
    }

    /// Reads the records through an inspector and redactor rebuilt in wasm
    /// for the call.
    pub fn read(&self, read: &mut dyn FnMut(&Inspector<JsPayload>, &Redactor)) {
        let number = |index: u32| self.records.get(index).as_f64().unwrap_or(0.0);
        let records = (0..self.records.length() / FIELDS).map(|record| {
            let at = record * FIELDS;
            let size = number(at + 3) as usize;
            let payload = self.records.get(at + 6);
            InspectorRecord {
                seq: number(at) as u64,
                direction: if self.records.get(at + 1).is_truthy() {
                    Direction::In
                } else {
                    Direction::Out
                },
                at: Millis(number(at + 2) as u64),
                size,
                connection: number(at + 4) as u32,
                binary: self.records.get(at + 5).is_truthy(),
                payload: (!payload.is_null()).then(|| JsPayload::sized(payload, size)),
            }
        });
        let inspector = Inspector::from_records(records);
        let keys = self
            .secret_keys
            .iter()
            .filter_map(|key| key.as_string())
            .collect();
        read(&inspector, &Redactor::new(keys));
    }
}
