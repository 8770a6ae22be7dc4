//! The password policy: every rule a new password breaks, named in English and Chinese.
//! Hashing is in [`hash`].

pub(crate) mod hash;

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// Characters a password may have at most (argon2 takes any length; this bounds the work
/// and the form).
pub const MAX_LENGTH: usize = 200;

/// Words shorter than this are not looked up once the digits and symbols around them are
/// dropped ("abc" is a common password, "abc" inside a long one is not).
const MIN_CORE: usize = 4;

/// The shipped list of common passwords (`common.txt`).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// What passwords must be, and how long they last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Characters at least (10).
    pub min_length: usize,
    /// Character classes at least, of lower-case, upper-case, digit and symbol (3).
    pub min_classes: usize,
    /// Days a password lasts before it must be changed; 0: never expires.
    pub expiry_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            min_classes: 3,
            expiry_days: 0,
        }
    }
}

/// A rule of the policy that a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRule {
    /// Fewer characters than the minimum.
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// More than the maximum (200) characters.
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// Too few kinds of characters.
    TooFewClasses {
        /// Kinds required.
        min: usize,
    },
    /// Contains the login name.
    ContainsLogin,
    /// On the list of common passwords (or a common word with digits and symbols around it).
    Common,
    /// The same as the current password.
    SameAsCurrent,
}

impl PasswordRule {
    /// The rule in Chinese.
    pub fn chinese(&self) -> String {
        match self {
            PasswordRule::TooShort { min } => format!("密码至少 {min} 位"),
            PasswordRule::TooLong { max } => format!("密码最多 {max} 位"),
            PasswordRule::TooFewClasses { min } => {
                format!("密码须包含小写字母、大写字母、数字、符号中的至少 {min} 类")
            }
            PasswordRule::ContainsLogin => "密码不得包含登录名".into(),
            PasswordRule::Common => "密码过于常见（常用密码或常见词加数字、符号），请换一个".into(),
            PasswordRule::SameAsCurrent => "新密码不能与当前密码相同".into(),
        }
    }
}

impl fmt::Display for PasswordRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordRule::TooShort { min } => {
                write!(f, "the password must have at least {min} characters")
            }
            PasswordRule::TooLong { max } => {
                write!(f, "the password may have at most {max} characters")
            }
            PasswordRule::TooFewClasses { min } => write!(
                f,
                "the password must mix at least {min} of: lower-case letters, upper-case letters, digits, symbols"
            ),
            PasswordRule::ContainsLogin => f.write_str("the password must not contain the login name"),
            PasswordRule::Common => f.write_str(
                "the password is too common (a frequent password, or a common word with digits or symbols around it)",
            ),
            PasswordRule::SameAsCurrent => {
                f.write_str("the new password must differ from the current one")
            }
        }
    }
}

/// A password refused: every rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRejected {
    /// The rules broken, in the policy's order.
    pub rules: Vec<PasswordRule>,
}

impl PasswordRejected {
    /// The refusal in Chinese: each rule, separated by "；".
    pub fn chinese(&self) -> String {
        self.rules
            .iter()
            .map(PasswordRule::chinese)
            .collect::<Vec<_>>()
            .join("；")
    }
}

impl fmt::Display for PasswordRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules: Vec<String> = self.rules.iter().map(ToString::to_string).collect();
        write!(f, "password: {}", rules.join("; "))
    }
}

/// The kinds of characters in `password`: lower-case, upper-case, digits, other.
fn classes(password: &str) -> usize {
    let mut seen = [false; 4];
    for c in password.chars() {
        let i = if c.is_lowercase() {
            0
        } else if c.is_uppercase() {
            1
        } else if c.is_numeric() {
            2
        } else {
            3
        };
        seen[i] = true;
    }
    seen.iter().filter(|s| **s).count()
}

/// `lower` with look-alike digits and symbols read as letters (`p@ssw0rd` → `password`);
/// `one` is what `1` stands for (`i` or `l`).
fn unleet(lower: &str, one: char) -> String {
    lower
        .chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '3' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            '!' => 'i',
            '1' => one,
            c => c,
        })
        .collect()
}

/// `s` without the non-letters before and after it (`2024summer!!` → `summer`).
fn core(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphabetic())
}

/// Whether `password` is common: on the list as typed (case aside), or its word (the
/// letters between the digits and symbols around it, look-alikes read as letters) is.
pub(crate) fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return true;
    }
    let typed = core(&lower);
    if typed.chars().count() >= MIN_CORE && COMMON.contains(typed) {
        return true;
    }
    ['i', 'l'].into_iter().any(|one| {
        let read = unleet(typed, one);
        let word = core(&read);
        COMMON.contains(read.as_str())
            || (word.chars().count() >= MIN_CORE && COMMON.contains(word))
    })
}

impl PasswordPolicy {
    /// Checks a new password of `login` against the policy: every rule it breaks.
    pub fn check(&self, login: &str, password: &str) -> Result<(), PasswordRejected> {
        let mut rules = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            rules.push(PasswordRule::TooShort {
                min: self.min_length,
            });
        }
        if length > MAX_LENGTH {
            rules.push(PasswordRule::TooLong { max: MAX_LENGTH });
        }
        if classes(password) < self.min_classes {
            rules.push(PasswordRule::TooFewClasses {
                min: self.min_classes,
            });
        }
        let login = login.trim().to_lowercase();
        if !login.is_empty() && password.to_lowercase().contains(&login) {
            rules.push(PasswordRule::ContainsLogin);
        }
        if length <= MAX_LENGTH && is_common(password) {
            rules.push(PasswordRule::Common);
        }
        if rules.is_empty() {
            Ok(())
        } else {
            Err(PasswordRejected { rules })
        }
    }

    /// A random password of `login` that passes this policy, for an administrator to hand
    /// over once (it must be changed at the first sign-in): letters of both cases and
    /// digits without look-alikes (no 0/O, 1/l/I), in dashed groups of four, at least 16
    /// of them (≈ 90 bits).
    pub fn generate(&self, login: &str) -> crate::Secret {
        const ALPHABET: &[u8; 57] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let length = self.min_length.clamp(16, MAX_LENGTH / 2);
        loop {
            let mut chars = Vec::with_capacity(length);
            while chars.len() < length {
                for b in rand::random::<[u8; 32]>() {
                    // 228 = 4 × 57: below it every character is equally likely.
                    if b < 228 && chars.len() < length {
                        chars.push(ALPHABET[usize::from(b % 57)]);
                    }
                }
            }
            let password = chars
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            if self.check(login, &password).is_ok() {
                return crate::Secret::new(password);
            }
        }
    }

    /// Whether a password set at `changed_ms` has expired at `now_ms`.
    pub fn expired(&self, changed_ms: i64, now_ms: i64) -> bool {
        self.expiry_days > 0 && now_ms >= changed_ms + i64::from(self.expiry_days) * 86_400_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(login: &str, password: &str) -> Vec<PasswordRule> {
        match PasswordPolicy::default().check(login, password) {
            Ok(()) => vec![],
            Err(r) => r.rules,
        }
    }

    #[test]
    fn generated_passwords_pass_and_differ() {
        let policy = PasswordPolicy::default();
        let a = policy.generate("wangwei");
        let b = policy.generate("wangwei");
        assert_ne!(a.expose(), b.expose());
        for p in [a.expose(), b.expose()] {
            assert_eq!(rules("wangwei", p), vec![], "{p}");
            assert_eq!(p.chars().filter(|c| *c != '-').count(), 16, "{p}");
            assert!(!p.contains(['0', 'O', '1', 'l', 'I']), "{p}");
        }
        let long = PasswordPolicy {
            min_length: 24,
            ..PasswordPolicy::default()
        };
        assert!(long.generate("x").expose().chars().count() >= 24);
    }

    #[test]
    fn good_passwords_pass() {
        for p in [
            "Tr0ub4dor&3x",
            "hY7#kq-Lmw2",
            "correct Horse 9 battery",
            "广州Nansha-2025",
        ] {
            assert_eq!(rules("wangwei", p), vec![], "{p}");
        }
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(
            rules("wang", "Ab1!x"),
            vec![PasswordRule::TooShort { min: 10 }]
        );
        assert_eq!(
            rules("wang", "abcdefghijkmnpq"),
            vec![PasswordRule::TooFewClasses { min: 3 }]
        );
        assert_eq!(
            rules("wangwei", "WangWei@2025"),
            vec![PasswordRule::ContainsLogin, PasswordRule::Common]
        );
        assert_eq!(rules("zhao", "Password123!"), vec![PasswordRule::Common]);
        assert!(rules("x", &"Aa1!".repeat(60)).contains(&PasswordRule::TooLong { max: 200 }));
    }

    #[test]
    fn messages_name_the_rule_in_both_languages() {
        let err = PasswordPolicy::default().check("li", "xqz").unwrap_err();
        assert_eq!(
            err.rules,
            vec![
                PasswordRule::TooShort { min: 10 },
                PasswordRule::TooFewClasses { min: 3 }
            ]
        );
        assert!(
            err.chinese().contains("密码至少 10 位"),
            "{}",
            err.chinese()
        );
        assert!(err.chinese().contains("至少 3 类"));
        assert!(err.to_string().contains("at least 10 characters"), "{err}");
        assert_eq!(PasswordRule::ContainsLogin.chinese(), "密码不得包含登录名");
        assert!(PasswordRule::Common.chinese().contains("常见"));
    }

    #[test]
    fn common_passwords_are_refused_however_dressed() {
        for p in [
            "P@ssw0rd2024!",
            "Welcome@2025",
            "1qaz@WSX3edc",
            "Qwer1234!@#$",
            "2024Summer!!",
            "Woaini1314!!",
            "Zhengfu@2025",
            "Adm1n@123456",
            "Aa123456789",
        ] {
            assert!(is_common(p), "{p}");
        }
        for p in ["Tr0ub4dor&3x", "hY7#kq-Lmw2", "Summer-Orchard-42"] {
            assert!(!is_common(p), "{p}");
        }
        assert!(COMMON.len() > 2_000, "{}", COMMON.len());
    }

    #[test]
    fn expiry() {
        let never = PasswordPolicy::default();
        assert!(!never.expired(0, i64::MAX / 2));
        let ninety = PasswordPolicy {
            expiry_days: 90,
            ..Default::default()
        };
        let day = 86_400_000;
        assert!(!ninety.expired(0, 90 * day - 1));
        assert!(ninety.expired(0, 90 * day));
    }
}
