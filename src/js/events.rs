//! Engine events as the JS event objects listeners receive.

use wasm_bindgen::JsValue;

use super::object::{Obj, cause_name};
use crate::core::{CloseReport, Event};
use crate::web::{EventType, JsPayload};

/// The listener type of an event; `None` for request settlements, which
/// go to Promises instead.
pub fn event_type(event: &Event<JsPayload>) -> Option<EventType> {
    Some(match event {
        Event::StateChange { .. } => EventType::StateChange,
        Event::Open { .. } => EventType::Open,
        Event::Close(_) => EventType::Close,
        Event::Reconnecting { .. } => EventType::Reconnecting,
        Event::Heartbeat { .. } => EventType::Heartbeat,
        Event::Flapping { .. } => EventType::Flapping,
        Event::Replay { .. } => EventType::Replay,
        Event::Slow { .. } => EventType::Slow,
        Event::QueueOverflow { .. } => EventType::QueueOverflow,
        Event::Reauth { .. } => EventType::Reauth,
        Event::Error { .. } => EventType::Error,
        Event::Reply { .. } | Event::RequestFailed { .. } => return None,
    })
}

/// The event object for a listener event (see [`event_type`]).
pub fn event_object(kind: EventType, event: &Event<JsPayload>) -> JsValue {
    let object = Obj::event(kind.name());
    match event {
        Event::StateChange { from, to } => object.set("from", from.as_str()).set("to", to.as_str()),
        Event::Open {
            connection,
            replayed,
            flushed,
        } => object
            .num("connection", u64::from(*connection))
            .num("replayed", *replayed as u64)
            .num("flushed", *flushed as u64),
        Event::Close(report) => return close_object(report),
        Event::Reconnecting { attempt, delay_ms } => object
            .num("attempt", u64::from(*attempt))
            .num("delayMs", *delay_ms),
        Event::Heartbeat { rtt_ms } => object.num("rttMs", *rtt_ms),
        Event::Flapping {
            count,
            likely_causes,
        } => object
            .num("count", u64::from(*count))
            .strings("likelyCauses", likely_causes),
        Event::Replay { keys, connection } => object
            .strings("keys", keys)
            .num("connection", u64::from(*connection)),
        Event::Slow { id, latency_ms } => {
            object.set("id", id.as_str()).num("latencyMs", *latency_ms)
        }
        Event::QueueOverflow { dropped } => object.num("dropped", *dropped as u64),
        Event::Reauth { code } => object.num("code", u64::from(*code)),
        Event::Error { message } => object.set("message", message.as_str()),
        Event::Reply { .. } | Event::RequestFailed { .. } => object,
    }
    .build()
}

/// The `close` event object (also `lastClose`).
pub fn close_object(report: &CloseReport) -> JsValue {
    Obj::event("close")
        .close_info(&report.interpretation)
        .num("code", u64::from(report.code))
        .set("reason", report.reason.as_str())
        .set("wasClean", report.was_clean)
        .set("opened", report.opened)
        .set("willReconnect", report.will_reconnect)
        .opt("delayMs", report.delay_ms)
        .set("cause", cause_name(report.cause))
        .num("connection", u64::from(report.connection))
        .build()
}
