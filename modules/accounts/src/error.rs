//! The accounts module's one error type; each refusal a member of staff reads also has
//! its Chinese text ([`AccountsError::chinese`]).

use crate::delegation::Refusal;
use crate::password::PasswordRejected;
use crate::signin::SignInRefusal;
use crate::totp::SecondFactorRefusal;

/// Errors of the accounts module.
///
/// How the web layer answers them: `SignIn` 401 (`Throttled` 429), `SecondFactor` 401,
/// `Refused` 403, `NotFound` 404, `LoginTaken` 409, `Db` 500, the rest 400.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Unknown role name.
    #[error(
        "unknown role `{0}`: expected platform-admin, site-admin, editor, reviewer, handler or auditor"
    )]
    UnknownRole(String),
    /// A site-scoped role without a site, or a platform role with one (command-line tokens).
    #[error("{0}")]
    BadScope(String),
    /// A field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
        /// What is wrong, in Chinese.
        chinese: String,
    },
    /// A new password breaks the password policy (every rule it breaks).
    #[error("{0}")]
    Password(PasswordRejected),
    /// Sign-in refused.
    #[error("{0}")]
    SignIn(SignInRefusal),
    /// The second factor was refused (or is not set up as asked).
    #[error("{0}")]
    SecondFactor(SecondFactorRefusal),
    /// Not allowed by the delegation rules.
    #[error("{0}")]
    Refused(Refusal),
    /// Something named does not exist.
    #[error("no {what} {id}")]
    NotFound {
        /// What kind of thing: user, grant, token, session.
        what: &'static str,
        /// Its id or name.
        id: String,
    },
    /// The login name is taken (or was, by an account since deleted).
    #[error("login: `{0}` is taken")]
    LoginTaken(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl AccountsError {
    /// An invalid field, with its English and Chinese texts.
    pub(crate) fn invalid(
        field: &'static str,
        message: impl Into<String>,
        chinese: impl Into<String>,
    ) -> Self {
        AccountsError::Invalid {
            field,
            message: message.into(),
            chinese: chinese.into(),
        }
    }

    /// A missing user.
    pub(crate) fn no_user(id: i64) -> Self {
        AccountsError::NotFound {
            what: "user",
            id: id.to_string(),
        }
    }

    /// The error in Chinese, as a member of staff reads it.
    pub fn chinese(&self) -> String {
        match self {
            AccountsError::UnknownRole(r) => {
                format!("未知角色“{r}”：应为平台管理员、站点管理员、编辑、审核员、办理人员或审计员")
            }
            AccountsError::BadScope(_) => "角色与范围不符".into(),
            AccountsError::Invalid { chinese, .. } => chinese.clone(),
            AccountsError::Password(p) => p.chinese(),
            AccountsError::SignIn(s) => s.chinese(),
            AccountsError::SecondFactor(s) => s.chinese(),
            AccountsError::Refused(r) => r.chinese(),
            AccountsError::NotFound { what, .. } => {
                let what = match *what {
                    "user" => "该人员",
                    "grant" => "该授权",
                    "token" => "该令牌",
                    "session" => "该会话",
                    _ => "该记录",
                };
                format!("{what}不存在")
            }
            AccountsError::LoginTaken(login) => format!("登录名“{login}”已被使用"),
            AccountsError::Db(_) => "系统暂时无法处理，请稍后再试".into(),
        }
    }
}

impl From<PasswordRejected> for AccountsError {
    fn from(p: PasswordRejected) -> Self {
        AccountsError::Password(p)
    }
}

impl From<SignInRefusal> for AccountsError {
    fn from(s: SignInRefusal) -> Self {
        AccountsError::SignIn(s)
    }
}

impl From<SecondFactorRefusal> for AccountsError {
    fn from(s: SecondFactorRefusal) -> Self {
        AccountsError::SecondFactor(s)
    }
}

impl From<Refusal> for AccountsError {
    fn from(r: Refusal) -> Self {
        AccountsError::Refused(r)
    }
}
