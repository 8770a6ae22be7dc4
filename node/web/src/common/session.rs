//! The staff session cookie and the CSRF header: one place names them, sets the cookie
//! with its flags and reads it back.
//!
//! The cookie holds the session's opaque id only (the store keeps its hash). It is
//! `HttpOnly` (no script reads it), `SameSite=Lax` (not sent with another site's form
//! POSTs), `Path=/` (the console under `/admin/` and the JSON API under `/api/` both accept
//! it) and `Secure` when the node is reached over https. A request a session cookie
//! authenticates that changes something must also carry the session's CSRF token: the
//! `X-CSRF-Token` header for the API, a hidden form field for the console's forms.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "govnode_session";

/// The cookie holding the sign-in form's pre-session id (its CSRF token is in the form).
pub const SIGN_IN_COOKIE: &str = "govnode_sign_in";

/// The header an API request authenticated by the session cookie carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The form field a console form carries its CSRF token in.
pub const CSRF_FIELD: &str = "csrf";

/// The session id the request's cookie holds, if any.
pub fn session_id(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

/// The sign-in form's pre-session id the request's cookie holds, if any.
pub fn sign_in_id(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SIGN_IN_COOKIE)
}

/// The value of cookie `name`, if the request has it (and it is not empty).
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value giving the browser the sign-in form's pre-session id: sent back
/// only to the sign-in form's own address, never with another site's request
/// (`SameSite=Strict`), for an hour.
pub fn set_sign_in(id: &str, secure: bool) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{SIGN_IN_COOKIE}={id}; Path=/admin/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        if secure { "; Secure" } else { "" }
    ))
    .ok()
}

/// The `Set-Cookie` value giving the browser session id `secret` (a session cookie: it
/// ends with the browser; the server ends the session itself after its time-outs).
pub fn set_session(secret: &str, secure: bool) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| clear_session(secure))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static(
            "govnode_session=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0",
        )
    } else {
        HeaderValue::from_static("govnode_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// Adds `cookie` as a `Set-Cookie` header.
pub fn append_cookie(headers: &mut HeaderMap, cookie: HeaderValue) {
    headers.append(SET_COOKIE, cookie);
}

/// Whether `method` changes something (and so needs the CSRF token).
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_back_and_carries_its_flags() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("a=1; govnode_session=abc ; b=2"),
        );
        assert_eq!(session_id(&h), Some("abc"));
        let set = set_session("abc", true);
        let set = set.to_str().unwrap();
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
            assert!(set.contains(flag), "{set}");
        }
        assert!(
            !set_session("abc", false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
        assert!(clear_session(false).to_str().unwrap().contains("Max-Age=0"));
        assert!(session_id(&HeaderMap::new()).is_none());
        assert!(changes_state(&Method::POST) && changes_state(&Method::DELETE));
        assert!(!changes_state(&Method::GET));
    }
}
