//! `[mail]`: the SMTP server that notices of the letters desk (办件提醒) are e-mailed through.
//!
//! ```toml
//! [mail]
//! enabled = true
//! host = "smtp.gd.gov.cn"
//! port = 587
//! security = "starttls"            # none | starttls | tls
//! username = "govnode"             # optional, with password or password_file
//! password_file = "/etc/govnode/smtp-password"
//! from = "广东省政府网站平台 <noreply@gd.gov.cn>"
//! ```

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// Plain SMTP (a relay on the same host or network only).
    None,
    /// STARTTLS, required (usually port 587).
    Starttls,
    /// SMTP over TLS from the first byte (usually port 465).
    Tls,
}

/// `[mail]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSection {
    /// Whether notices are e-mailed. Default true when the section is present.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// The SMTP server's host name or address.
    pub host: String,
    /// Its port. Default 587.
    #[serde(default = "default_port")]
    pub port: u16,
    /// `none`, `starttls` or `tls`. Default `starttls`.
    #[serde(default = "default_security")]
    pub security: MailSecurity,
    /// The SMTP user name, when the server asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The password (or `password_file`; with `username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// A file holding the password (surrounding white space ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<PathBuf>,
    /// The sender, `name <address>` or `address`.
    pub from: String,
}

fn default_enabled() -> bool {
    true
}

fn default_port() -> u16 {
    587
}

fn default_security() -> MailSecurity {
    MailSecurity::Starttls
}

impl MailSection {
    /// Checks the values serde cannot, naming the key of a bad one.
    pub fn validate(&self) -> Result<(), String> {
        let host = self.host.trim();
        if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
            return Err(format!(
                "mail.host = {:?}: must be a host name or address",
                self.host
            ));
        }
        if self.port == 0 {
            return Err("mail.port = 0: must be from 1 to 65535".into());
        }
        if self
            .from
            .trim()
            .parse::<lettre::message::Mailbox>()
            .is_err()
        {
            return Err(format!(
                "mail.from = {:?}: must be an e-mail address, optionally as `name <address>`",
                self.from
            ));
        }
        if self.password.is_some() && self.password_file.is_some() {
            return Err("mail.password and mail.password_file: give one of them, not both".into());
        }
        let has_password = self.password.is_some() || self.password_file.is_some();
        match (&self.username, has_password) {
            (Some(u), _) if u.trim().is_empty() => {
                return Err("mail.username is empty (leave it out for no sign-in)".into());
            }
            (Some(_), false) => {
                return Err("mail.username needs mail.password or mail.password_file".into());
            }
            (None, true) => {
                return Err("mail.password needs mail.username".into());
            }
            _ => {}
        }
        Ok(())
    }

    /// The password, from the file when `password_file` names one (checked at start-up).
    pub fn password(&self) -> Result<Option<String>, String> {
        match (&self.password, &self.password_file) {
            (Some(p), _) => Ok(Some(p.clone())),
            (None, Some(file)) => std::fs::read_to_string(file)
                .map(|s| Some(s.trim().to_string()))
                .map_err(|e| format!("mail.password_file {}: {e}", file.display())),
            (None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> MailSection {
        MailSection {
            enabled: true,
            host: "smtp.gd.gov.cn".into(),
            port: 587,
            security: MailSecurity::Starttls,
            username: None,
            password: None,
            password_file: None,
            from: "广东省政府网站平台 <noreply@gd.gov.cn>".into(),
        }
    }

    #[test]
    fn errors_name_the_key() {
        assert!(section().validate().is_ok());
        let cases: Vec<(MailSection, &str)> = vec![
            (
                MailSection {
                    host: " ".into(),
                    ..section()
                },
                "mail.host",
            ),
            (
                MailSection {
                    port: 0,
                    ..section()
                },
                "mail.port",
            ),
            (
                MailSection {
                    from: "not an address".into(),
                    ..section()
                },
                "mail.from",
            ),
            (
                MailSection {
                    username: Some("u".into()),
                    ..section()
                },
                "mail.username",
            ),
            (
                MailSection {
                    password: Some("p".into()),
                    ..section()
                },
                "mail.password",
            ),
            (
                MailSection {
                    username: Some("u".into()),
                    password: Some("p".into()),
                    password_file: Some("/x".into()),
                    ..section()
                },
                "mail.password_file",
            ),
        ];
        for (s, key) in cases {
            let e = s.validate().unwrap_err();
            assert!(e.contains(key), "{e} should name {key}");
        }
    }
}
