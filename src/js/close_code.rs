//! `describeCloseCode(code, { opened })`.

use wasm_bindgen::prelude::*;

use super::app::error;
use super::number::whole_number;
use super::object::Obj;
use super::options::{call_option, check_call_options, describe};
use crate::core::CloseCode;
use crate::core::text::concat;

/// Explains a WebSocket close code: its name, category, what the SDK does
/// after it by default, and a hint for developers. `opened` (default true)
/// says whether the connection had opened: 1006 means different things
/// before and after. Throws for a code that is not a whole number from 0
/// to 65535.
#[wasm_bindgen(js_name = describeCloseCode, unchecked_return_type = "CloseCodeInfo")]
pub fn describe_close_code(
    code: f64,
    #[wasm_bindgen(unchecked_optional_param_type = "DescribeCloseCodeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let Some(code) = whole_number(code, 65535.0) else {
        return Err(error(&concat(&[
            "describeCloseCode: code must be an integer from 0 to 65535, got ",
            &describe(&JsValue::from_f64(code)),
        ])));
    };
    let code = code as u16;
    check_call_options(&options, "describeCloseCode", &["opened"]).map_err(|m| error(&m))?;
    let opened =
        match call_option(&options, "describeCloseCode", "opened").map_err(|m| error(&m))? {
            value if value.is_undefined() => true,
            value => value.as_bool().ok_or_else(|| {
                error(&concat(&[
                    "describeCloseCode: opened must be true or false, got ",
                    &describe(&value),
                ]))
            })?,
        };
    Ok(Obj::new()
        .close_info(&CloseCode(code).interpret(opened))
        .build())
}
