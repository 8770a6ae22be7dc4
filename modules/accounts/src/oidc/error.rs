//! Why a single sign-on is refused: an English text for the log (never a token, a code or
//! the client secret), a Chinese one for the page, and the status class.

use crate::{AccountsError, SignInRefusal};

/// Who is at fault, which the web layer answers with a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcFault {
    /// The answer of the provider or the browser does not prove who signs in (401).
    Unauthenticated,
    /// The person is known but may not sign in here (403).
    Forbidden,
    /// The identity provider is unreachable or answers wrongly (502).
    Provider,
    /// Single sign-on is not configured on this node (404).
    NotConfigured,
    /// This node failed (500).
    Internal,
}

/// A refused single sign-on.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// No `[auth.oidc]` on this node.
    #[error("single sign-on is not configured")]
    NotConfigured,
    /// The discovery document or the JWKS could not be fetched or read.
    #[error("identity provider discovery failed: {0}")]
    Discovery(String),
    /// The discovery document names another issuer than the configured one.
    #[error("the discovery document's issuer `{found}` is not the configured issuer")]
    IssuerMismatch {
        /// The issuer the document names.
        found: String,
    },
    /// The provider sent the browser back with an error instead of a code.
    #[error("the identity provider answered with error `{0}`")]
    ProviderRefused(String),
    /// The callback lacks its `state` or `code`.
    #[error("the callback lacks its state or code")]
    MissingParameters,
    /// Unknown, used or expired `state`.
    #[error("unknown, used or expired sign-in state")]
    UnknownState,
    /// The state was not started by this browser (its cookie is missing or another).
    #[error("the sign-in was not started by this browser")]
    OtherBrowser,
    /// The token endpoint refused the code or failed.
    #[error("code exchange failed: {0}")]
    TokenExchange(String),
    /// The ID token is not a well-formed JWT.
    #[error("the ID token is malformed: {0}")]
    TokenMalformed(String),
    /// The ID token's algorithm is not accepted (RS256, ES256).
    #[error("the ID token is signed with an unsupported algorithm {0}")]
    TokenAlgorithm(String),
    /// No key of the provider's JWKS fits the ID token.
    #[error("no key of the provider's JWKS matches the ID token")]
    TokenKeyUnknown,
    /// The signature does not verify.
    #[error("the ID token's signature is invalid")]
    TokenSignature,
    /// `exp` is past (beyond the leeway).
    #[error("the ID token has expired")]
    TokenExpired,
    /// `nbf` or `iat` in the future.
    #[error("the ID token is not valid yet")]
    TokenNotYetValid,
    /// `iss` is not the configured issuer.
    #[error("the ID token's issuer is not the configured issuer")]
    TokenIssuer,
    /// `aud` does not name this client (or `azp` names another).
    #[error("the ID token is not addressed to this client")]
    TokenAudience,
    /// `nonce` is not the one this sign-in sent.
    #[error("the ID token's nonce does not match the sign-in's")]
    TokenNonce,
    /// A claim the node needs is missing or not a string.
    #[error("the ID token lacks claim `{0}`")]
    MissingClaim(String),
    /// The matching claim's value is not a login name of this node.
    #[error("the claim value is not a valid login name")]
    BadLogin,
    /// No user has that login name, and provisioning is off.
    #[error("no user matches the identity and provisioning is off")]
    UnknownUser,
    /// The userinfo endpoint answered about another `sub` than the ID token's.
    #[error("the userinfo answer is about another subject than the ID token")]
    UserinfoSubject,
    /// The user is linked to another person of the provider.
    #[error("the user is linked to another subject of the identity provider")]
    LinkedToAnother,
    /// The user holds no grant: nothing to sign in to.
    #[error("user `{0}` holds no grant")]
    NoGrants(String),
    /// The account may not sign in (disabled, locked).
    #[error("{0}")]
    Account(SignInRefusal),
    /// The accounts store failed.
    #[error("{0}")]
    Accounts(#[from] AccountsError),
}

impl OidcError {
    /// Who is at fault.
    pub fn fault(&self) -> OidcFault {
        use OidcError::*;
        match self {
            NotConfigured => OidcFault::NotConfigured,
            Discovery(_) | IssuerMismatch { .. } | TokenExchange(_) | TokenKeyUnknown => {
                OidcFault::Provider
            }
            TokenMalformed(_) | TokenAlgorithm(_) => OidcFault::Provider,
            ProviderRefused(_) | MissingParameters | UnknownState | OtherBrowser
            | TokenSignature | TokenExpired | TokenNotYetValid | TokenIssuer | TokenAudience
            | TokenNonce | UserinfoSubject => OidcFault::Unauthenticated,
            MissingClaim(_) | BadLogin | UnknownUser | LinkedToAnother | NoGrants(_)
            | Account(_) => OidcFault::Forbidden,
            Accounts(AccountsError::Db(_)) => OidcFault::Internal,
            Accounts(_) => OidcFault::Forbidden,
        }
    }

    /// The refusal as a member of staff reads it.
    pub fn chinese(&self) -> String {
        use OidcError::*;
        match self {
            NotConfigured => "本节点未配置统一身份认证".into(),
            Discovery(_) => "暂时无法连接统一身份认证平台，请稍后再试".into(),
            IssuerMismatch { .. } => {
                "统一身份认证平台公布的签发者与本节点的配置不符，请联系本节点管理员".into()
            }
            ProviderRefused(_) => "统一身份认证平台未完成登录，请重新登录".into(),
            MissingParameters => "统一身份认证平台的返回缺少必要参数，请重新登录".into(),
            UnknownState => "该登录请求已过期或已使用，请重新登录".into(),
            OtherBrowser => "该登录请求不是从本浏览器发起的，请重新登录".into(),
            TokenExchange(_) => "统一身份认证平台未能签发令牌，请稍后再试".into(),
            TokenMalformed(_) => "身份认证平台返回的身份令牌格式错误".into(),
            TokenAlgorithm(_) => "身份认证平台返回的身份令牌使用了不支持的签名算法".into(),
            TokenKeyUnknown => "身份认证平台返回的身份令牌的签名密钥未在该平台公布".into(),
            TokenSignature => "身份认证平台返回的身份令牌签名无效".into(),
            TokenExpired => "身份认证平台返回的身份令牌已过期".into(),
            TokenNotYetValid => "身份认证平台返回的身份令牌尚未生效，请检查服务器时间".into(),
            TokenIssuer => "身份令牌的签发者不是本节点配置的统一身份认证平台".into(),
            TokenAudience => "身份令牌不是签发给本节点的".into(),
            TokenNonce => "身份令牌与本次登录请求不符（一次性随机数不一致），请重新登录".into(),
            MissingClaim(claim) => {
                format!("统一身份认证平台未提供用于确定账号的信息（{claim}），请联系本节点管理员")
            }
            BadLogin => {
                "统一身份认证平台提供的登录名不符合本节点的登录名规则，请联系本节点管理员".into()
            }
            UnknownUser => {
                "本节点没有与您的统一身份认证账号对应的工作人员账号，请联系本节点的管理员".into()
            }
            UserinfoSubject => "统一身份认证平台返回的用户信息与身份令牌不属于同一人".into(),
            LinkedToAnother => {
                "该工作人员账号已与统一身份认证平台的另一身份关联，请联系本节点的管理员".into()
            }
            NoGrants(_) => "您的账号尚未获得任何权限，请联系本节点的管理员为您授权后再登录".into(),
            Account(refusal) => refusal.chinese(),
            Accounts(e) => e.chinese(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_fault_and_chinese_text() {
        let all = [
            OidcError::NotConfigured,
            OidcError::Discovery("x".into()),
            OidcError::IssuerMismatch { found: "x".into() },
            OidcError::UnknownState,
            OidcError::TokenExpired,
            OidcError::TokenNonce,
            OidcError::TokenIssuer,
            OidcError::NoGrants("li.si".into()),
        ];
        for e in &all {
            assert!(!e.chinese().is_empty() && !e.to_string().is_empty());
        }
        assert_eq!(OidcError::TokenExpired.fault(), OidcFault::Unauthenticated);
        assert_eq!(
            OidcError::NoGrants("a".into()).fault(),
            OidcFault::Forbidden
        );
        assert_eq!(
            OidcError::Discovery("a".into()).fault(),
            OidcFault::Provider
        );
        assert!(OidcError::TokenExpired.chinese().contains("已过期"));
    }
}
