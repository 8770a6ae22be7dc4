//! Text helpers for what the web layer writes: the platform's one markup escaper and URL
//! encoding of query values.

pub use govnode_topology::markup::escape;

/// Percent-encodes a query value (everything but unreserved characters).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
