//! The rules the web layer applies at the edge of the interaction system, kept here so
//! the API, the letters form and any later console apply the same ones: which files a
//! citizen may attach, and whose tickets a member of staff may handle.

use govnode_accounts::{Access, Role};

use crate::InteractionError;

/// File types a citizen may attach: (extension, media type).
pub const ATTACHMENT_TYPES: [(&str, &str); 6] = [
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("txt", "text/plain"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
];

/// The largest file a citizen may attach.
pub const MAX_ATTACHMENT_FILE: usize = 5 << 20;

/// The most files one letter may carry.
pub const MAX_ATTACHMENT_FILES: usize = 5;

/// The media type of an accepted file name (by its extension).
pub fn attachment_type_of_name(file: &str) -> Result<&'static str, InteractionError> {
    let ext = file.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    ATTACHMENT_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| *m)
        .ok_or_else(|| crate::problem::Problem::file_type(file).into())
}

/// Checks an uploaded file's declared media type (parameters such as `charset` ignored)
/// and size; returns the bare media type.
pub fn check_attachment(media_type: &str, len: usize) -> Result<String, InteractionError> {
    let mime = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !ATTACHMENT_TYPES.iter().any(|(_, m)| *m == mime) {
        return Err(InteractionError::Invalid(format!(
            "Content-Type: `{mime}` is not accepted; attach PDF, JPEG, PNG, plain text or DOCX"
        )));
    }
    if len == 0 {
        return Err(InteractionError::Invalid("body: empty upload".into()));
    }
    if len > MAX_ATTACHMENT_FILE {
        return Err(InteractionError::TooLarge(format!(
            "body: {len} bytes; an attachment may have at most {MAX_ATTACHMENT_FILE}"
        )));
    }
    Ok(mime)
}

/// Whose tickets `who` may handle, asked about `body` (a ticket's body, or none):
/// `Ok(None)` every body's (a platform admin), `Ok(Some(b))` only body `b`'s (a handler of
/// `b`; asked about none, the body of their first handler grant).
pub fn handled_body(who: &Access, body: Option<&str>) -> Result<Option<String>, InteractionError> {
    if who.is_platform_admin() {
        return Ok(body.map(str::to_string));
    }
    let mine: Vec<&str> = who
        .grants
        .iter()
        .filter(|g| g.role == Role::Handler)
        .filter_map(|g| g.scope.body())
        .collect();
    match (body, mine.first()) {
        (_, None) => Err(InteractionError::Forbidden(format!(
            "`{}` holds no handler grant and may not handle tickets",
            who.person()
        ))),
        (None, Some(first)) => Ok(Some(first.to_string())),
        (Some(b), Some(_)) if mine.contains(&b) => Ok(Some(b.to_string())),
        (Some(b), Some(_)) => Err(InteractionError::Forbidden(format!(
            "a handler for body `{}` may not handle the tickets of body `{b}`",
            mine.join("`, `")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use govnode_accounts::{Grant, Principal, Scope};

    use super::*;

    fn who(role: Role, scope: Scope) -> Access {
        Principal {
            name: "x".into(),
            role,
            scope,
        }
        .into()
    }

    #[test]
    fn attachments_are_checked_by_type_and_size() {
        assert_eq!(check_attachment("Image/PNG; q=1", 10).unwrap(), "image/png");
        assert!(check_attachment("text/html", 10).is_err());
        assert!(check_attachment("application/pdf", 0).is_err());
        assert!(matches!(
            check_attachment("application/pdf", MAX_ATTACHMENT_FILE + 1),
            Err(InteractionError::TooLarge(_))
        ));
        assert_eq!(attachment_type_of_name("扫描件.JPG").unwrap(), "image/jpeg");
        assert!(attachment_type_of_name("run.exe").is_err());
    }

    #[test]
    fn handlers_handle_their_own_body_only() {
        let h = who(Role::Handler, Scope::Body("440000.hrss".into()));
        assert_eq!(
            handled_body(&h, None).unwrap().as_deref(),
            Some("440000.hrss")
        );
        assert!(handled_body(&h, Some("440000.hrss")).is_ok());
        assert!(handled_body(&h, Some("440000.zjj")).is_err());
        let admin = who(Role::PlatformAdmin, Scope::Node);
        assert_eq!(handled_body(&admin, None).unwrap(), None);
        let editor = who(Role::Editor, Scope::Site("gd".into()));
        assert!(handled_body(&editor, None).is_err());
        let two = Access::user(
            1,
            "li",
            vec![Grant::body("440000.hrss"), Grant::body("440000.zjj")],
        );
        assert!(handled_body(&two, Some("440000.zjj")).is_ok());
        assert!(handled_body(&two, Some("440000.jyt")).is_err());
    }
}
