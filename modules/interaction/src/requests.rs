//! What citizens and handlers send: a filing and a handler's action, with the constraints
//! the API's document states for them. The rules themselves are checked in `problem.rs`
//! (a filing) and `handling.rs` (an action); the patterns here say the same in JSON
//! Schema, some a little stricter (lengths count every character, not the trimmed text).
//!
//! Text fields share three patterns: no control characters but tab and line breaks, and
//! at least one, two or five characters that are not white space.

/// What a citizen submits.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filing {
    /// Kind code: leader_mailbox, consultation, complaint, suggestion, report, site_error,
    /// disclosure.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::TicketKind))]
    pub kind: String,
    /// Responsible body id, "<node>.<slug>"; empty: the site's letters desk passes it on
    /// (refused when the site has none).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^((0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})\.[a-z0-9_-]{1,40})?$"
        )
    )]
    pub body: String,
    /// Subject, 2–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
        )
    )]
    pub subject: String,
    /// The letter, 5–5000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 5000,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){5}$"
        )
    )]
    pub content: String,
    /// Name, 1–40 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 40,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub name: String,
    /// Phone: 6–20 digits, spaces, '-' or '+'.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9 +-]{6,20}$"))]
    pub phone: String,
    /// ID number, 18 digits (the last may be X): required for disclosure applications.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^([0-9]{17}[0-9Xx])?$"))]
    pub id_number: String,
    /// E-mail, at most 100 characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, pattern = r"^([ -?A-~]*@[ -~]*)?$")
    )]
    pub email: String,
    /// May the letter and its reply be published.
    #[serde(default)]
    pub consent_public: bool,
    /// Attachments already uploaded (`POST /api/interaction/attachments`): at most 5 of
    /// [blake3 hash, file name of 1–100 characters].
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = attachments_schema))]
    pub attachments: Vec<(String, String)>,
}

/// `Filing::attachments`: pairs of a hash and a file name.
#[cfg(feature = "openapi")]
fn attachments_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ArrayItems, ObjectBuilder, Type};
    let hash = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^[0-9a-fA-F]{64}$"));
    let name = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(100));
    let pair = ArrayBuilder::new()
        .prefix_items([hash, name])
        .items(ArrayItems::False)
        .min_items(Some(2));
    ArrayBuilder::new()
        .items(pair)
        .max_items(Some(crate::problem::MAX_FILES))
        .description(Some(
            "Attachments already uploaded (`POST /api/interaction/attachments`): at most 5 of [blake3 hash, file name of 1–100 characters].",
        ))
        .build()
}

/// What a filing must also satisfy, beyond each field's own constraints: an application
/// for disclosure carries an ID number. `Filing`'s schema in the API's document is both.
#[cfg(feature = "openapi")]
pub fn filing_rule() -> utoipa::openapi::schema::AnyOf {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
    let other_kinds = crate::TicketKind::ALL
        .into_iter()
        .filter(|k| *k != crate::TicketKind::Disclosure)
        .map(|k| k.code());
    let kind = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(other_kinds));
    let id_number = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(18));
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().property("kind", kind))
        .item(
            ObjectBuilder::new()
                .property("id_number", id_number)
                .required("id_number"),
        )
        .description(Some("An application for disclosure carries an ID number."))
        .build()
}

/// A handler's action on a ticket held here.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HandlerAction {
    /// Accept: the deadline starts.
    Accept,
    /// Refuse, with a reason.
    Refuse {
        /// Why it is refused, 2–500 characters.
        #[cfg_attr(
            feature = "openapi",
            schema(
                max_length = 500,
                pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
            )
        )]
        reason: String,
    },
    /// Transfer (转办) to another body, with a reason.
    Transfer {
        /// The body it goes to: "<node>.<slug>", anywhere in the province.
        #[cfg_attr(
            feature = "openapi",
            schema(
                pattern = r"^(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})\.[a-z0-9_-]{1,40}$"
            )
        )]
        body: String,
        /// Why, 2–500 characters.
        #[cfg_attr(
            feature = "openapi",
            schema(
                max_length = 500,
                pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
            )
        )]
        reason: String,
    },
    /// Start handling.
    Start,
    /// Ask the citizen for more information (the clock pauses).
    RequestInfo {
        /// What the citizen is asked, 2–1000 characters.
        #[cfg_attr(
            feature = "openapi",
            schema(
                max_length = 1000,
                pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
            )
        )]
        question: String,
    },
    /// Reply.
    Reply {
        /// The reply, 2–10000 characters.
        #[cfg_attr(
            feature = "openapi",
            schema(
                max_length = 10000,
                pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
            )
        )]
        text: String,
    },
    /// Extend the deadline once (disclosure applications only), with a reason.
    Extend {
        /// Why, 2–500 characters.
        #[cfg_attr(
            feature = "openapi",
            schema(
                max_length = 500,
                pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*([^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*){2}$"
            )
        )]
        reason: String,
    },
    /// Close.
    Close,
}
