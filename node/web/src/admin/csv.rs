//! What every CSV export of the console shares: the field rule (RFC 4180 quoting, formulas
//! neutralised so that a spreadsheet never runs what a site or a visitor wrote) and the
//! download answer (UTF-8 with the byte-order mark Excel needs for Chinese, CRLF lines).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One CSV field, quoted when it holds a comma, a quote or a line break; a leading `=`,
/// `+`, `-`, `@`, tab or carriage return is prefixed with `'`.
pub(super) fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Appends one line of fields, CRLF-terminated.
pub(super) fn line<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    let fields: Vec<String> = fields.iter().map(|f| field(f.as_ref())).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// A new document: the byte-order mark.
pub(super) fn document() -> String {
    String::from("\u{feff}")
}

/// `body` as a download named `filename` (ASCII), never cached.
pub(super) fn download(body: String, filename: &str) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("广东省人民政府"), "广东省人民政府");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("一\n二"), "\"一\n二\"");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@sum"), "'@sum");
        assert_eq!(field("\tcmd"), "'\tcmd");
    }

    #[test]
    fn a_download_is_csv_and_not_cached() {
        let mut out = document();
        line(&mut out, &["站点", "访问量"]);
        let r = download(out, "report.csv");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(
            r.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"report.csv\""
        );
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    }
}
