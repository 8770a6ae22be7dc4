//! The second factor: TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, ±1 step of
//! clock skew, each step accepted once) with 10 one-time recovery codes. Required for
//! people holding platform-admin or site-admin grants, optional for others.
//!
//! The codes are computed by `totp-rs`; the secret (20 random bytes) is stored as hex in
//! `totp` and never leaves this crate except in the [`TotpEnrolment`] shown once.

pub(crate) mod recovery;
mod store;

use std::fmt;

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use totp_rs::{Algorithm, Builder, Totp};

use crate::{Role, Secret, User};

pub use recovery::RecoveryCodes;

/// Bytes of a TOTP secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;
/// Seconds of a step.
const STEP_SECONDS: u64 = 30;

/// Whether `user`'s grants require a second factor: platform and site administrators.
pub fn needs_second_factor(user: &User) -> bool {
    user.grants
        .iter()
        .any(|g| matches!(g.role, Role::PlatformAdmin | Role::SiteAdmin))
}

/// Where a user stands with the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondFactor {
    /// Their grants require one.
    pub required: bool,
    /// They have an authenticator set up.
    pub enrolled: bool,
}

impl SecondFactor {
    /// `user`'s.
    pub fn of(user: &User) -> SecondFactor {
        SecondFactor {
            required: needs_second_factor(user),
            enrolled: user.second_factor_enrolled,
        }
    }

    /// What a sign-in asks after the password: a code when an authenticator is set up
    /// (required or not), enrolment when one is required and missing, else nothing.
    pub fn next_step(self) -> crate::NextStep {
        match (self.enrolled, self.required) {
            (true, _) => crate::NextStep::EnterCode,
            (false, true) => crate::NextStep::Enrol,
            (false, false) => crate::NextStep::SignedIn,
        }
    }
}

/// Why a second factor is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorRefusal {
    /// Neither the current code nor a recovery code.
    WrongCode,
    /// A right code whose time step was already used: wait for the next.
    CodeReused,
    /// No authenticator is set up.
    NotEnrolled,
    /// An authenticator is set up already (remove it first, or an administrator resets it).
    AlreadyEnrolled,
    /// No enrolment is under way to confirm.
    NoEnrolment,
    /// Administrators keep their second factor (an administrator may reset it).
    Required,
}

impl SecondFactorRefusal {
    /// The refusal in Chinese.
    pub fn chinese(&self) -> String {
        match self {
            SecondFactorRefusal::WrongCode => "验证码不正确".into(),
            SecondFactorRefusal::CodeReused => "该验证码已使用过，请等待下一个验证码".into(),
            SecondFactorRefusal::NotEnrolled => "该账号尚未绑定身份验证器".into(),
            SecondFactorRefusal::AlreadyEnrolled => {
                "该账号已绑定身份验证器：请先解除绑定，或请管理员重置".into()
            }
            SecondFactorRefusal::NoEnrolment => "没有正在进行的绑定，请重新开始".into(),
            SecondFactorRefusal::Required => {
                "管理员必须使用双重验证，不能解除绑定（可请其他管理员重置）".into()
            }
        }
    }
}

impl fmt::Display for SecondFactorRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecondFactorRefusal::WrongCode => "the code is wrong",
            SecondFactorRefusal::CodeReused => {
                "this code was used already: wait for the next one"
            }
            SecondFactorRefusal::NotEnrolled => "no authenticator is set up for this account",
            SecondFactorRefusal::AlreadyEnrolled => {
                "an authenticator is set up already: remove it first, or ask an administrator to reset it"
            }
            SecondFactorRefusal::NoEnrolment => "no enrolment is under way: start again",
            SecondFactorRefusal::Required => {
                "administrators keep their second factor (another administrator may reset it)"
            }
        })
    }
}

/// How a second factor was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorMethod {
    /// A TOTP code.
    Totp,
    /// A recovery code (now used up).
    RecoveryCode {
        /// Recovery codes left.
        remaining: i64,
    },
}

/// Proof that user `user_id` passed the second factor just now: what
/// [`crate::SessionStore::complete_second_factor`] takes (only this crate makes one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecondFactorPassed {
    /// The user.
    pub user_id: i64,
    /// How.
    pub method: SecondFactorMethod,
}

impl SecondFactorPassed {
    pub(crate) fn new(user_id: i64, method: SecondFactorMethod) -> Self {
        SecondFactorPassed { user_id, method }
    }
}

/// An authenticator being set up: the secret for manual entry and the otpauth:// URI for
/// the QR code. Shown once; `Debug` shows neither.
#[derive(Clone)]
pub struct TotpEnrolment {
    /// The secret, base32 (what authenticator apps take when typed).
    pub secret: Secret,
    /// `otpauth://totp/…` with the secret, issuer and login name.
    pub uri: Secret,
}

impl TotpEnrolment {
    /// The URI as an SVG QR code (see [`otpauth_qr_svg`]).
    pub fn qr_svg(&self) -> String {
        otpauth_qr_svg(self.uri.expose())
    }
}

impl fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpEnrolment { secret: <redacted>, uri: <redacted> }")
    }
}

/// `uri` as an SVG QR code (error correction M, at least 200 px, with its quiet zone),
/// without an XML declaration so a page can inline it; empty if `uri` is too long for a
/// QR code (an otpauth URI never is).
pub fn otpauth_qr_svg(uri: &str) -> String {
    let Ok(code) = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    match image.find("<svg") {
        Some(start) => image[start..].to_string(),
        None => image,
    }
}

/// The TOTP of `secret` for `login`, as issued by `issuer`.
fn totp(secret: &[u8], issuer: &str, login: &str) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(login.replace(':', " "))
        .build()
        .expect("20-byte secret, 6 digits, 30 s and names without ':' make a valid TOTP")
}

/// A new random secret.
fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::fill(&mut bytes[..]);
    bytes
}

/// The time step a 6-digit `code` of `secret` matches at `now_ms` (±1 step), if any.
pub(crate) fn matching_step(secret: &[u8], code: &str, now_ms: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = u64::try_from(now_ms.max(0) / 1000).unwrap_or(0);
    totp(secret, "x", "x")
        .check(&code, seconds)
        .and_then(|step| i64::try_from(step).ok())
}

/// The code an authenticator set up with `secret` (base32, as in a [`TotpEnrolment`])
/// shows at `now_ms`; `None` if `secret` is not base32. For tests and tools.
pub fn totp_code(secret: &str, now_ms: i64) -> Option<String> {
    let bytes = totp_rs::Secret::try_from_base32(secret.trim()).ok()?;
    Some(code_at(bytes.as_bytes(), now_ms))
}

/// The code of `secret` at `now_ms`.
fn code_at(secret: &[u8], now_ms: i64) -> String {
    totp(secret, "x", "x")
        .generate(u64::try_from(now_ms / 1000).unwrap_or(0))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at 59 s gives
    /// 94287082 (8 digits), so 287082 with 6.
    #[test]
    fn rfc_6238_vector() {
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59_000), "287082");
        assert_eq!(matching_step(secret, "287082", 59_000), Some(1));
        assert_eq!(matching_step(secret, "287 082", 59_000), Some(1));
        assert_eq!(matching_step(secret, "28708", 59_000), None);
    }

    #[test]
    fn skew_of_one_step_either_way() {
        let secret = new_secret();
        let now = 1_700_000_000_000;
        for (offset, accepted) in [
            (-60_000, false),
            (-30_000, true),
            (0, true),
            (30_000, true),
            (60_000, false),
        ] {
            let code = code_at(&secret, now + offset);
            assert_eq!(
                matching_step(&secret, &code, now).is_some(),
                accepted,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn codes_from_the_base32_secret() {
        let secret = b"12345678901234567890";
        let base32 = totp_rs::Secret::from(secret.to_vec()).to_base32();
        assert_eq!(totp_code(&base32, 59_000).as_deref(), Some("287082"));
        assert_eq!(totp_code("not base32!", 59_000), None);
    }

    #[test]
    fn qr_codes_are_inline_svg() {
        let svg =
            otpauth_qr_svg("otpauth://totp/govnode:wang?secret=JBSWY3DPEHPK3PXP&issuer=govnode");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("width=\""));
    }

    #[test]
    fn enrolments_hide_their_secret() {
        let e = TotpEnrolment {
            secret: Secret::new("JBSWY3DPEHPK3PXP".into()),
            uri: Secret::new("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".into()),
        };
        assert!(!format!("{e:?}").contains("JBSWY3DP"));
        assert!(e.qr_svg().starts_with("<svg"));
    }
}
