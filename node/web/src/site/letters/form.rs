//! Reading the letters page's forms: URL-encoded, or multipart with up to five files
//! (`attachment`), each stored as a verified private blob before the letter is filed. A
//! file that may not be attached is left out and named as a problem, so the citizen hears
//! about it together with everything else wrong with the letter.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{FromRequest as _, Multipart, Request};
use axum::http::header;
use govnode_interaction::problem::MAX_FILES;
use govnode_interaction::rules::{self, MAX_ATTACHMENT_FILE as MAX_FILE};
use govnode_interaction::{Attachment, Problem};

use crate::AppState;

/// A form as read: its text fields, the files it carried, what was wrong with the files.
pub(super) struct Read {
    pub fields: HashMap<String, String>,
    pub files: Vec<Attachment>,
    pub problems: Vec<Problem>,
}

impl Read {
    /// A text field, or "".
    pub fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Reads the form; `Err` when the body cannot be read as a form at all.
pub(super) async fn read(node: &AppState, request: Request) -> Result<Read, Problem> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(fields) = Form::<HashMap<String, String>>::from_request(request, &())
            .await
            .map_err(|e| Problem::unreadable("form", e.to_string()))?;
        return Ok(Read {
            fields,
            files: Vec::new(),
            problems: Vec::new(),
        });
    }
    let mut parts = Multipart::from_request(request, &())
        .await
        .map_err(|e| Problem::unreadable("form", e.to_string()))?;
    let mut read = Read {
        fields: HashMap::new(),
        files: Vec::new(),
        problems: Vec::new(),
    };
    let mut offered = 0;
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|e| Problem::unreadable("form", e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| Problem::unreadable("form", format!("{name}: {e}")))?;
        match file_name {
            Some(file) if name == "attachment" => {
                if file.is_empty() && bytes.is_empty() {
                    continue; // the file input was left empty
                }
                offered += 1;
                let file: String = file.chars().take(100).collect();
                let mime = match rules::attachment_type_of_name(&file) {
                    Ok(mime) => mime,
                    Err(_) => {
                        read.problems.push(Problem::file_type(&file));
                        continue;
                    }
                };
                if bytes.is_empty() || bytes.len() > MAX_FILE {
                    read.problems.push(Problem::file_size(&file));
                    continue;
                }
                if offered > MAX_FILES {
                    continue;
                }
                let info = node.blobs.put_private(&bytes, mime).await.map_err(|e| {
                    tracing::error!(error = %e, "storing a letter's attachment failed");
                    Problem::unreadable("attachment", e.to_string())
                })?;
                read.files.push(Attachment {
                    hash: info.hash,
                    name: file,
                    mime: mime.into(),
                    bytes: bytes.to_vec(),
                });
            }
            _ => {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| Problem::unreadable("form", format!("{name}: not UTF-8 text")))?;
                read.fields.insert(name, text);
            }
        }
    }
    if offered > MAX_FILES {
        read.problems.push(Problem::too_many_files());
    }
    Ok(read)
}
