//! The `solver` op group: sessions of the sans-IO resolver (see `resolve::session`).
//!
//! - `solver.create {requirements, environment, python?, requires_python?, prereleases?,
//!   preferences?}` → `{"session": id}`
//! - `solver.step {session, versions?, metadata?}` → need / done / failed (data in, then run)
//! - `solver.drop {session}` → `true`
//!
//! Sessions live in this module until dropped; the module is single-threaded (wasm).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::json::Json;
use crate::resolve::session::Session;

thread_local! {
    static SESSIONS: RefCell<(u32, HashMap<u32, Session>)> = RefCell::new((0, HashMap::new()));
}

/// Most sessions alive at once: a caller that never drops them gets an error, not unbounded memory.
const MAX_SESSIONS: usize = 256;

fn session_id(args: &Json) -> Result<u32, String> {
    match args.get("session").and_then(Json::as_f64) {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(n as u32),
        _ => Err("expected a numeric 'session'".to_string()),
    }
}

/// Runs `solver.<name>`.
pub fn dispatch(name: &str, args: &Json) -> Result<Json, String> {
    match name {
        "create" => {
            let session = Session::create(args)?;
            SESSIONS.with(|s| {
                let mut s = s.borrow_mut();
                if s.1.len() >= MAX_SESSIONS {
                    return Err(format!(
                        "too many open resolver sessions ({}); drop finished ones",
                        MAX_SESSIONS
                    ));
                }
                s.0 = s.0.wrapping_add(1);
                let id = s.0;
                s.1.insert(id, session);
                Ok(Json::obj([("session", Json::Num(id as f64))]))
            })
        }
        "step" => {
            let id = session_id(args)?;
            // Taken out while it runs, so nothing else can observe a half-updated session.
            let mut session = SESSIONS
                .with(|s| s.borrow_mut().1.remove(&id))
                .ok_or_else(|| format!("no resolver session {}", id))?;
            let out = session.step(args);
            SESSIONS.with(|s| s.borrow_mut().1.insert(id, session));
            out
        }
        "drop" => {
            let id = session_id(args)?;
            SESSIONS.with(|s| s.borrow_mut().1.remove(&id));
            Ok(Json::Bool(true))
        }
        _ => Err(format!("unknown op 'solver.{}'", name)),
    }
}
