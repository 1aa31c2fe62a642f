//! Fetching remote ActivityPub documents, with limits an outsider cannot stretch: size, time,
//! redirects; refusing private addresses (unless configured) and domains the policy excludes.
//! Fetches are signed by the node's application actor (or a given actor), so servers that
//! require authorized fetch answer.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::policy::{self, authority};
use super::signatures::{SigningKey, sign_request};
use crate::app::AppState;

pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
pub const MAX_REDIRECTS: usize = 3;
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
pub const ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0} is not allowed: {1}")]
    Forbidden(String, &'static str),
    #[error("{0} answered {1}")]
    Status(String, u16),
    #[error("{0} is gone")]
    Gone(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}: the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge(String),
    #[error("{0}: {1}")]
    Network(String, String),
    #[error("{0}: not JSON: {1}")]
    NotJson(String, String),
}

/// The HTTP client for federation: no automatic redirects (each hop is checked), time limits.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("Staffroom/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("HTTP client")
}

/// Checks that a URL may be contacted: scheme, policy, and (unless allowed) a public address.
pub async fn check_target(state: &AppState, url: &Url) -> Result<(), FetchError> {
    let allow_private = state.config.allow_private_addresses;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(FetchError::Forbidden(url.to_string(), "only https URLs are fetched")),
    }
    let auth = authority(url);
    if !policy::allows(&state.config, &auth) {
        return Err(FetchError::Forbidden(
            url.to_string(),
            "the federation policy excludes this domain",
        ));
    }
    if allow_private {
        return Ok(());
    }
    let host = url
        .host_str()
        .ok_or_else(|| FetchError::Forbidden(url.to_string(), "no host"))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| FetchError::Network(url.to_string(), e.to_string()))?;
    for addr in addrs {
        if policy::is_private(addr.ip()) {
            return Err(FetchError::Forbidden(
                url.to_string(),
                "private and loopback addresses are refused",
            ));
        }
    }
    Ok(())
}

/// Reads a response body, refusing more than `limit` bytes.
pub async fn read_limited(mut res: reqwest::Response, url: &str, limit: usize) -> Result<Vec<u8>, FetchError> {
    if res.content_length().is_some_and(|n| n as usize > limit) {
        return Err(FetchError::TooLarge(url.to_owned()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| FetchError::Network(url.to_owned(), e.to_string()))?
    {
        if body.len() + chunk.len() > limit {
            return Err(FetchError::TooLarge(url.to_owned()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Fetches an ActivityPub document, signed by `signer`. Returns the final URL (after
/// redirects) with the document, so callers can check the document's id against its origin.
pub async fn fetch_json(state: &AppState, url: &Url, signer: &SigningKey) -> Result<(Url, Value), FetchError> {
    let mut url = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        check_target(state, &url).await?;
        let mut req = state.http.get(url.clone()).header("accept", ACCEPT);
        for (name, value) in
            sign_request("GET", &url, None, signer).map_err(|e| FetchError::Network(url.to_string(), e.to_string()))?
        {
            req = req.header(name, value);
        }
        let res = req
            .send()
            .await
            .map_err(|e| FetchError::Network(url.to_string(), e.to_string()))?;
        let status = res.status();
        if status.is_redirection() {
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .ok_or_else(|| FetchError::Status(url.to_string(), status.as_u16()))?;
            url = location;
            continue;
        }
        if status == reqwest::StatusCode::GONE {
            return Err(FetchError::Gone(url.to_string()));
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(FetchError::NotFound(url.to_string()));
        }
        if !status.is_success() {
            return Err(FetchError::Status(url.to_string(), status.as_u16()));
        }
        let body = read_limited(res, url.as_str(), MAX_DOCUMENT_BYTES).await?;
        let value = serde_json::from_slice(&body).map_err(|e| FetchError::NotJson(url.to_string(), e.to_string()))?;
        return Ok((url, value));
    }
    Err(FetchError::Forbidden(url.to_string(), "too many redirects"))
}

/// The scheme other nodes are reached with, by the same rule as our own: http for `localhost`.
pub fn scheme_for(domain: &str) -> &'static str {
    let host = domain.split(':').next().unwrap_or_default();
    if host == "localhost" || host.ends_with(".localhost") {
        "http"
    } else {
        "https"
    }
}

/// Resolves `name@domain` to an actor URL with WebFinger. Where private addresses are allowed
/// (test and lab networks, whose nodes often speak plain http under names of their own), a host
/// that cannot be reached over https is asked again over http.
pub async fn webfinger(state: &AppState, name: &str, domain: &str) -> Result<Url, FetchError> {
    let scheme = scheme_for(domain);
    match webfinger_over(state, scheme, name, domain).await {
        Err(FetchError::Network(..)) if scheme == "https" && state.config.allow_private_addresses => {
            webfinger_over(state, "http", name, domain).await
        }
        other => other,
    }
}

async fn webfinger_over(state: &AppState, scheme: &str, name: &str, domain: &str) -> Result<Url, FetchError> {
    let url = Url::parse(&format!(
        "{scheme}://{domain}/.well-known/webfinger?resource=acct:{name}@{domain}"
    ))
    .map_err(|_| FetchError::Forbidden(format!("{name}@{domain}"), "not a valid address"))?;
    check_target(state, &url).await?;
    let res = state
        .http
        .get(url.clone())
        .header("accept", "application/jrd+json, application/json")
        .send()
        .await
        .map_err(|e| FetchError::Network(url.to_string(), e.to_string()))?;
    if res.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(FetchError::NotFound(format!("{name}@{domain}")));
    }
    if !res.status().is_success() {
        return Err(FetchError::Status(url.to_string(), res.status().as_u16()));
    }
    let body = read_limited(res, url.as_str(), 64 * 1024).await?;
    let jrd: Value = serde_json::from_slice(&body).map_err(|e| FetchError::NotJson(url.to_string(), e.to_string()))?;
    jrd["links"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| {
            l["rel"] == "self"
                && l["type"]
                    .as_str()
                    .is_some_and(|t| t.contains("activity+json") || t.contains("ld+json"))
        })
        .and_then(|l| l["href"].as_str())
        .and_then(|h| Url::parse(h).ok())
        .ok_or_else(|| FetchError::NotJson(url.to_string(), "no ActivityPub self link".into()))
}
