//! The WebAssembly interface: one entry point taking and returning JSON.
//!
//! TypeScript writes a request `{"op": "<group>.<name>", "args": {...}}` into memory it got from
//! `ek_alloc`, calls `ek_call(ptr, len)`, and reads the response from the returned
//! `(ptr << 32) | len`, then frees both buffers with `ek_free`. A response is `{"ok": <value>}` or
//! `{"error": "<message>"}`. Each group of operations lives in its own module (`<group>_ops.rs`)
//! with a `dispatch(name, args)` function, so this file only routes.

use crate::json::Json;

/// Reserves `len` bytes of wasm memory for the caller to fill.
#[no_mangle]
pub extern "C" fn ek_alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees memory from `ek_alloc` or a response of `ek_call`.
///
/// # Safety
/// `ptr` and `len` must come from `ek_alloc(len)` or from an `ek_call` response, freed once.
#[no_mangle]
pub unsafe extern "C" fn ek_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// Runs one JSON request and returns the response buffer as `(ptr << 32) | len`.
///
/// # Safety
/// `ptr..ptr+len` must be memory from `ek_alloc(len)` holding the request.
#[no_mangle]
pub unsafe extern "C" fn ek_call(ptr: *const u8, len: usize) -> u64 {
    let input = std::slice::from_raw_parts(ptr, len);
    let response = match std::str::from_utf8(input) {
        Ok(text) => handle(text),
        Err(_) => Json::obj([("error", Json::str("request is not UTF-8"))]),
    };
    let mut bytes = response.to_json().into_bytes();
    bytes.shrink_to_fit();
    let (out_ptr, out_len) = (bytes.as_mut_ptr(), bytes.len());
    // `ek_free` rebuilds a Vec with capacity max(len, 1): keep capacity == len (and non-zero).
    if out_len == 0 {
        return 0;
    }
    std::mem::forget(bytes);
    ((out_ptr as u64) << 32) | out_len as u64
}

/// Parses a request and routes it to its group's dispatcher.
pub fn handle(text: &str) -> Json {
    let result = Json::parse(text).and_then(|request| {
        let op = request.str_field("op")?.to_string();
        let args = request.get("args").cloned().unwrap_or(Json::Null);
        let (group, name) = op.split_once('.').ok_or_else(|| format!("malformed op '{}'", op))?;
        match group {
            "json" if name == "echo" => Ok(args),
            "pep" => crate::pep_ops::dispatch(name, &args),
            "solver" => crate::solver_ops::dispatch(name, &args),
            _ => Err(format!("unknown op '{}'", op)),
        }
    });
    match result {
        Ok(value) => Json::obj([("ok", value)]),
        Err(message) => Json::obj([("error", Json::Str(message))]),
    }
}
