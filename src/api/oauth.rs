//! OAuth 2 for client apps: app registration, the sign-in and consent page, tokens
//! (authorization code with PKCE S256, client credentials, and a password grant only when
//! configured for testing), revocation and the server metadata document.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{self, Auth, hash_secret, new_secret, parse_scopes, pkce_s256};
use super::{ApiError, ApiResult, Body};
use crate::app::AppState;
use crate::http::html;
use crate::services::accounts;
use crate::storage;
use crate::storage::oauth::{self, AppRow, CodeRow, TokenRow};
use crate::text::escape_html;

pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
const CODE_LIFETIME_MINUTES: i64 = 10;

/// `redirect_uris` as a string (newline or space separated) or an array.
#[derive(Debug, Deserialize, Default)]
#[serde(untagged)]
pub enum Uris {
    One(String),
    Many(Vec<String>),
    #[default]
    None,
}

impl Uris {
    fn list(&self) -> Vec<String> {
        match self {
            Uris::One(s) => s.split_whitespace().map(str::to_owned).collect(),
            Uris::Many(v) => v.iter().flat_map(|s| s.split_whitespace().map(str::to_owned)).collect(),
            Uris::None => Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct NewApp {
    client_name: Option<String>,
    #[serde(default)]
    redirect_uris: Uris,
    #[serde(rename = "redirect_uris[]", default)]
    redirect_uris_array: Vec<String>,
    scopes: Option<String>,
    website: Option<String>,
}

/// Schemes a browser would run or read locally instead of handing to an app.
const REFUSED_SCHEMES: [&str; 9] = [
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "about",
    "filesystem",
    "view-source",
    "jar",
];

/// A redirect URI an app may register: http(s), an app's own scheme (`tusky://`,
/// `com.example.app:/cb`), or out-of-band; never one a browser would run or read locally.
fn valid_redirect(uri: &str) -> bool {
    if uri == OOB {
        return true;
    }
    uri.len() <= 2000
        && url::Url::parse(uri).is_ok_and(|u| {
            u.fragment().is_none()
                && !REFUSED_SCHEMES.contains(&u.scheme())
                && (!matches!(u.scheme(), "http" | "https") || u.host_str().is_some_and(|h| !h.is_empty()))
        })
}

fn app_entity(app: &AppRow, secret: Option<&str>) -> Value {
    let uris: Vec<&str> = app.redirect_uris.split('\n').collect();
    let mut v = json!({
        "id": app.id.to_string(),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split(' ').collect::<Vec<_>>(),
        "redirect_uri": app.redirect_uris,
        "redirect_uris": uris,
        "vapid_key": "",
    });
    if let Some(secret) = secret {
        v["client_id"] = json!(app.client_id);
        v["client_secret"] = json!(secret);
        v["client_secret_expires_at"] = json!(0);
    }
    v
}

/// `POST /api/v1/apps`
pub async fn create_app(State(state): State<AppState>, Body(new): Body<NewApp>) -> ApiResult<Json<Value>> {
    let name = new.client_name.unwrap_or_default().trim().to_owned();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ApiError::unprocessable(
            "Validation failed: Application name must be 1 to 60 characters",
        ));
    }
    let mut uris = new.redirect_uris.list();
    uris.extend(new.redirect_uris_array);
    if uris.is_empty() || uris.len() > 20 || !uris.iter().all(|u| valid_redirect(u)) {
        return Err(ApiError::unprocessable(
            "Validation failed: Redirect URI must be an absolute URI.",
        ));
    }
    let scopes = parse_scopes(new.scopes.as_deref().unwrap_or("read"))
        .map_err(|e| ApiError::unprocessable(format!("Validation failed: {e}")))?;
    let secret = new_secret();
    let now = storage::now();
    let app = AppRow {
        id: crate::ids::id_at(now),
        client_id: new_secret(),
        client_secret_hash: hash_secret(&secret),
        name,
        website: new.website.filter(|w| !w.is_empty() && w.len() <= 2000),
        redirect_uris: uris.join("\n"),
        scopes,
        created_at: now,
    };
    oauth::insert_app(&state.db, &app).await?;
    Ok(Json(app_entity(&app, Some(&secret))))
}

/// `GET /api/v1/apps/verify_credentials`
pub async fn verify_app(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let app = match auth.token.app_id {
        Some(id) => oauth::find_app_by_id(&state.db, id).await?,
        None => None,
    }
    .ok_or_else(ApiError::not_found)?;
    Ok(Json(app_entity(&app, None)))
}

#[derive(Debug, Deserialize, Default)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    #[serde(default)]
    pub deny: Option<String>,
    /// The web session's CSRF token (consent by a signed-in member, without a password).
    pub csrf: Option<String>,
}

/// Checks an authorization request; returns the app, redirect URI and scopes.
pub async fn check_request(state: &AppState, p: &AuthorizeParams) -> Result<(AppRow, String, String), String> {
    let app = oauth::find_app(&state.db, p.client_id.as_deref().unwrap_or_default())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("Unknown client_id: register the app first (POST /api/v1/apps).")?;
    let redirect = p
        .redirect_uri
        .clone()
        .unwrap_or_else(|| app.redirect_uris.split('\n').next().unwrap_or_default().to_owned());
    if !valid_redirect(&redirect) || !app.redirect_uris.split('\n').any(|u| u == redirect) {
        return Err("The redirect_uri is not one the app registered.".into());
    }
    if p.response_type.as_deref().unwrap_or("code") != "code" {
        return Err("Only response_type=code is supported.".into());
    }
    let scopes = parse_scopes(p.scope.as_deref().unwrap_or(&app.scopes))?;
    if !scopes.split(' ').all(|s| auth::covers(&app.scopes, s)) {
        return Err("The requested scopes exceed the app's registered scopes.".into());
    }
    if let Some(m) = &p.code_challenge_method
        && m != "S256"
    {
        return Err("Only the S256 code_challenge_method is supported.".into());
    }
    if p.code_challenge.as_ref().is_some_and(|c| c.len() < 43 || c.len() > 128) {
        return Err("The code_challenge must be 43 to 128 characters.".into());
    }
    Ok((app, redirect, scopes))
}

pub fn error_page(message: &str) -> Response {
    html::page(
        StatusCode::BAD_REQUEST,
        "Authorization failed",
        "",
        &format!("<h1>Authorization failed</h1><p>{}</p>", escape_html(message)),
    )
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => uri.to_owned(),
    }
}

/// The answer to a refused request: back to the app with `access_denied` (or a page, out-of-band).
pub fn denied(redirect: &str, p: &AuthorizeParams) -> Response {
    if redirect == OOB {
        return error_page("You denied the request.");
    }
    let mut pairs = vec![("error", "access_denied")];
    if let Some(s) = &p.state {
        pairs.push(("state", s));
    }
    Redirect::to(&with_query(redirect, &pairs)).into_response()
}

/// Grants the app a code for the member who consented: back to the app with the code (or a page
/// showing it, out-of-band).
pub async fn grant(
    state: &AppState,
    app: &AppRow,
    account: &accounts::Account,
    redirect: String,
    scopes: String,
    p: &AuthorizeParams,
) -> Response {
    let code = new_secret();
    let row = CodeRow {
        app_id: app.id,
        user_id: account.user.id,
        redirect_uri: redirect.clone(),
        scopes,
        code_challenge: p.code_challenge.clone(),
        expires_at: storage::now() + chrono::Duration::minutes(CODE_LIFETIME_MINUTES),
    };
    if let Err(e) = oauth::insert_code(&state.db, &hash_secret(&code), &row).await {
        tracing::error!(error = %e, "storing an authorization code");
        return error_page("Something went wrong; please try again.");
    }
    if redirect == OOB {
        let body = format!(
            "<h1>Authorization code</h1><p>Copy this code into <strong>{}</strong>:</p><p><code id=\"code\">{}</code></p>",
            escape_html(&app.name),
            escape_html(&code)
        );
        return html::page(StatusCode::OK, "Authorization code", "", &body);
    }
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &p.state {
        pairs.push(("state", s));
    }
    Redirect::to(&with_query(&redirect, &pairs)).into_response()
}

#[derive(Debug, Deserialize, Default)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    scope: Option<String>,
    username: Option<String>,
    password: Option<String>,
    token: Option<String>,
}

fn token_entity(token: &str, scopes: &str, created: chrono::DateTime<chrono::Utc>) -> Value {
    json!({ "access_token": token, "token_type": "Bearer", "scope": scopes, "created_at": created.timestamp() })
}

/// HTTP Basic client authentication, as RFC 6749 prefers.
fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let h = headers.get("authorization")?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(h.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Issues a token for an app (and member).
pub async fn issue_token(
    state: &AppState,
    app_id: Option<i64>,
    user_id: Option<i64>,
    scopes: &str,
) -> ApiResult<Value> {
    let token = new_secret();
    let now = storage::now();
    let row = TokenRow {
        id: crate::ids::id_at(now),
        app_id,
        user_id,
        scopes: scopes.to_owned(),
        created_at: now,
    };
    oauth::insert_token(&state.db, &hash_secret(&token), &row).await?;
    Ok(token_entity(&token, scopes, now))
}

/// The scopes a token request asks for (`read` when it names none), each within the app's own.
fn app_scopes(app: &AppRow, requested: Option<&str>) -> ApiResult<String> {
    let scopes = parse_scopes(requested.unwrap_or("read"))
        .map_err(|e| ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_scope", e))?;
    if !scopes.split(' ').all(|s| auth::covers(&app.scopes, s)) {
        return Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ));
    }
    Ok(scopes)
}

/// `POST /oauth/token`
pub async fn token(
    State(state): State<AppState>,
    auth::ClientIp(ip): auth::ClientIp,
    headers: HeaderMap,
    Body(r): Body<TokenRequest>,
) -> ApiResult<Json<Value>> {
    let invalid_client = || {
        ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        )
    };
    let invalid_grant = || {
        ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        )
    };
    let (client_id, client_secret) = match basic_client(&headers) {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (r.client_id.clone(), r.client_secret.clone()),
    };
    let app = oauth::find_app(&state.db, client_id.as_deref().unwrap_or_default())
        .await?
        .ok_or_else(invalid_client)?;
    let secret_ok = client_secret
        .as_deref()
        .is_some_and(|s| hash_secret(s) == app.client_secret_hash);
    match r.grant_type.as_deref().unwrap_or_default() {
        "authorization_code" => {
            // Public clients may omit the secret when they prove possession with PKCE.
            if !secret_ok && (client_secret.is_some() || r.code_verifier.is_none()) {
                return Err(invalid_client());
            }
            let refuse = |why: &str| {
                tracing::info!(client = %app.name, reason = why, "authorization code refused");
                invalid_grant()
            };
            let code = oauth::take_code(&state.db, &hash_secret(r.code.as_deref().unwrap_or_default()))
                .await?
                .ok_or_else(|| refuse("unknown or already used code"))?;
            if code.app_id != app.id {
                return Err(refuse("code issued to another client"));
            }
            if code.expires_at < storage::now() {
                return Err(refuse("code expired"));
            }
            if let Some(uri) = &r.redirect_uri
                && uri != &code.redirect_uri
            {
                return Err(refuse("redirect_uri differs from the authorization request"));
            }
            match (&code.code_challenge, &r.code_verifier) {
                (Some(challenge), Some(verifier)) if &pkce_s256(verifier) == challenge => {}
                (None, None) => {}
                _ => return Err(refuse("PKCE code_verifier missing or wrong")),
            }
            Ok(Json(
                issue_token(&state, Some(app.id), Some(code.user_id), &code.scopes).await?,
            ))
        }
        "client_credentials" => {
            if !secret_ok {
                return Err(invalid_client());
            }
            let scopes = app_scopes(&app, r.scope.as_deref())?;
            Ok(Json(issue_token(&state, Some(app.id), None, &scopes).await?))
        }
        "password" if state.config.api.password_grant => {
            if !secret_ok {
                return Err(invalid_client());
            }
            if !crate::services::limits::allow(
                &state,
                "login",
                ip,
                state.config.api.login_attempts_per_minute,
                Duration::from_secs(60),
            )
            .await?
            {
                return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests"));
            }
            let account = accounts::authenticate(
                &state,
                r.username.as_deref().unwrap_or_default(),
                r.password.as_deref().unwrap_or_default(),
            )
            .await
            .ok_or_else(invalid_grant)?;
            let scopes = app_scopes(&app, r.scope.as_deref())?;
            Ok(Json(
                issue_token(&state, Some(app.id), Some(account.user.id), &scopes).await?,
            ))
        }
        _ => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )),
    }
}

/// `POST /oauth/revoke`: always 200 for a known client, as RFC 7009 asks.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(r): Body<TokenRequest>,
) -> ApiResult<Json<Value>> {
    let (client_id, client_secret) = match basic_client(&headers) {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (r.client_id.clone(), r.client_secret.clone()),
    };
    let app = oauth::find_app(&state.db, client_id.as_deref().unwrap_or_default()).await?;
    let Some(app) = app.filter(|a| {
        client_secret
            .as_deref()
            .is_some_and(|s| hash_secret(s) == a.client_secret_hash)
    }) else {
        return Err(ApiError::oauth(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "You are not authorized to revoke this token",
        ));
    };
    oauth::revoke_token(
        &state.db,
        &hash_secret(r.token.as_deref().unwrap_or_default()),
        app.id,
        storage::now(),
    )
    .await?;
    Ok(Json(json!({})))
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
pub async fn server_metadata(State(state): State<AppState>) -> Json<Value> {
    let base = state.urls.base().as_str().trim_end_matches('/').to_owned();
    let mut grants = vec!["authorization_code", "client_credentials"];
    if state.config.api.password_grant {
        grants.push("password");
    }
    let mut scopes: Vec<&str> = auth::TOP_SCOPES.to_vec();
    scopes.extend(auth::SUB_SCOPES);
    Json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": grants,
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }))
}

/// The web origins an app's pages run on: those of its http(s) redirect URIs and website.
fn app_origins(app: &AppRow) -> Vec<String> {
    app.redirect_uris
        .split('\n')
        .chain(app.website.as_deref())
        .filter_map(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.origin().ascii_serialization())
        .collect()
}

/// CORS for `/oauth/token` and `/oauth/revoke`, never a wildcard: a browser app (Phanpy, Elk)
/// may read the answer from a page on its own origin (one of its redirect URIs or its website),
/// and no other origin may. Preflights are answered for any origin; the answer's
/// `Access-Control-Allow-Origin` is what decides.
pub async fn token_cors(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::{HeaderValue, Method, header};
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned)
    else {
        return next.run(req).await;
    };
    let allow = |res: &mut Response, origin: &str| {
        if let Ok(v) = HeaderValue::from_str(origin) {
            res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Origin"));
    };
    if req.method() == Method::OPTIONS {
        let mut res = StatusCode::NO_CONTENT.into_response();
        allow(&mut res, &origin);
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        return res;
    }
    // Which app is asking: from Basic authentication, else the body's client_id.
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return ApiError::bad_request("the request body is too large").into_response();
    };
    let client_id = basic_client(&parts.headers).map(|(id, _)| id).or_else(|| {
        let form: Option<TokenRequest> = serde_json::from_slice(&bytes)
            .ok()
            .or_else(|| serde_html_form::from_bytes(&bytes).ok());
        form.and_then(|f| f.client_id)
    });
    let allowed = match client_id {
        Some(id) => oauth::find_app(&state.db, &id)
            .await
            .ok()
            .flatten()
            .is_some_and(|app| app_origins(&app).contains(&origin)),
        None => false,
    };
    let mut res = next
        .run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await;
    if allowed {
        allow(&mut res, &origin);
    }
    res
}
