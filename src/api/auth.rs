//! Bearer tokens and scopes; secrets; the client's address (behind trusted proxies).

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use base64::Engine;

use super::ApiError;
use crate::app::AppState;
use crate::services::accounts::{self, Account};
use crate::storage::oauth::{self, TokenRow};
use crate::storage::{actors, users};

/// The scopes Staffroom knows: the four top-level ones and their sub-scopes.
pub const TOP_SCOPES: &[&str] = &["read", "write", "follow", "push", "profile"];
pub const SUB_SCOPES: &[&str] = &[
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
];

/// Checks a space-separated scope list; returns it normalised, or an error naming the bad scope.
pub fn parse_scopes(s: &str) -> Result<String, String> {
    let scopes: Vec<&str> = s.split([' ', '+', ',']).filter(|x| !x.is_empty()).collect();
    for sc in &scopes {
        if !TOP_SCOPES.contains(sc) && !SUB_SCOPES.contains(sc) {
            return Err(format!("unknown scope {sc:?}"));
        }
    }
    Ok(if scopes.is_empty() {
        "read".into()
    } else {
        scopes.join(" ")
    })
}

/// Whether `granted` covers `needed` (`read` covers `read:statuses`; legacy `follow` covers
/// reading and writing follows, blocks and mutes).
pub fn covers(granted: &str, needed: &str) -> bool {
    let top = needed.split(':').next().unwrap_or_default();
    granted.split(' ').any(|g| {
        g == needed
            || g == top
            || (g == "follow"
                && [
                    "read:follows",
                    "write:follows",
                    "read:blocks",
                    "write:blocks",
                    "read:mutes",
                    "write:mutes",
                ]
                .contains(&needed))
    })
}

/// A new random secret: 32 bytes, URL-safe base64.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex: what is stored.
pub fn hash_secret(s: &str) -> String {
    openssl::sha::sha256(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether two secrets are equal, compared in constant time (lengths may differ).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && openssl::memcmp::eq(a.as_bytes(), b.as_bytes())
}

/// PKCE S256: base64url(SHA-256(verifier)).
pub fn pkce_s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(openssl::sha::sha256(verifier.as_bytes()))
}

/// The caller of an API request: a token, and the member it acts for (none for app tokens).
pub struct Auth {
    pub token: TokenRow,
    pub account: Option<Account>,
}

impl Auth {
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if covers(&self.token.scopes, scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden("This action is outside the authorized scopes"))
        }
    }

    /// The member, for endpoints that act as one; `scope` is checked too.
    pub fn member(&self, scope: &str) -> Result<&Account, ApiError> {
        self.require(scope)?;
        self.account
            .as_ref()
            .ok_or_else(|| ApiError::unprocessable("This method requires an authenticated user"))
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let h = parts.headers.get("authorization")?.to_str().ok()?;
    let t = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer "))?.trim();
    (!t.is_empty() && t.len() <= 256).then(|| t.to_owned())
}

async fn authenticate(state: &AppState, token: &str) -> Result<Auth, ApiError> {
    let invalid = || ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid");
    let row = oauth::find_token(&state.db, &hash_secret(token))
        .await?
        .ok_or_else(invalid)?;
    let account = match row.user_id {
        Some(uid) => {
            let actor = actors::find_by_id(&state.db, uid).await?.ok_or_else(invalid)?;
            let user = users::find_by_id(&state.db, uid).await?.ok_or_else(invalid)?;
            if actor.is_suspended() {
                return Err(ApiError::forbidden("Your login is currently disabled"));
            }
            if !user.approved {
                return Err(ApiError::forbidden(
                    "Your login is missing a confirmed e-mail address or is awaiting approval",
                ));
            }
            Some(accounts::Account { actor, user })
        }
        None => None,
    };
    Ok(Auth { token: row, account })
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token =
            bearer(parts).ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid"))?;
        authenticate(state, &token).await
    }
}

/// An optional caller: public endpoints answer anonymous requests too.
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match bearer(parts) {
            Some(token) => Ok(MaybeAuth(Some(authenticate(state, &token).await?))),
            None => Ok(MaybeAuth(None)),
        }
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy (`trusted_proxies`);
/// then the last `X-Forwarded-For` hop that is not itself a trusted proxy. Forwarded addresses
/// from anyone else are ignored, so a client cannot choose its own address.
pub fn client_ip(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let peer_ip = peer.map(|p| p.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer_ip)
}

/// The client's address as an extractor (see [`client_ip`]).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientIp(client_ip(
            &parts.headers,
            peer,
            &state.config.trusted_proxy_networks(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert!(covers("read write", "read:statuses"));
        assert!(covers("read:statuses", "read:statuses"));
        assert!(!covers("read:accounts", "read:statuses"));
        assert!(!covers("read", "write:statuses"));
        assert!(covers("follow", "write:follows"));
        assert_eq!(parse_scopes("read write follow").unwrap(), "read write follow");
        assert_eq!(parse_scopes("").unwrap(), "read");
        assert!(parse_scopes("read admin:read").is_err());
    }

    #[test]
    // The challenge was computed independently: base64url(hashlib.sha256(verifier)) in Python.
    fn pkce_s256_is_base64url_of_sha256() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mJ0OLXk5uCU6ejp8i7mGgYdyRPUrwM"),
            "5zEgpsyr5eb_D6KOK8wb4_9X2vaFqeWTL6SwsA-VW0Y"
        );
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.2".parse().unwrap());
        let peer: std::net::SocketAddr = "10.0.0.1:4000".parse().unwrap();
        let nets: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(&h, Some(peer), &[]),
            peer.ip(),
            "no trusted proxies: the peer"
        );
        assert_eq!(
            client_ip(&h, Some(peer), &nets),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let outsider: std::net::SocketAddr = "198.51.100.7:4000".parse().unwrap();
        assert_eq!(
            client_ip(&h, Some(outsider), &nets),
            outsider.ip(),
            "an untrusted peer's header"
        );
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.1".parse().unwrap());
        assert_eq!(
            client_ip(&h, Some(peer), &nets),
            "198.51.100.1".parse::<IpAddr>().unwrap(),
            "only the hop the trusted proxy saw, not what the client claimed before it"
        );
    }
}
