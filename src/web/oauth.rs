//! The OAuth sign-in and consent page apps open (`/oauth/authorize`): a member already signed in
//! consents with one click (the form carries the session's CSRF token); otherwise they sign in
//! on the page itself. Scopes are explained in words, in the member's language.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fluent_templates::fluent_bundle::FluentValue;

use super::Ctx;
use super::i18n::Tr;
use super::pages::{self, AuthorizePage, Chrome};
use crate::api::auth::{self, ClientIp};
use crate::api::oauth::{self, AuthorizeParams};
use crate::api::{Body, Q};
use crate::app::AppState;
use crate::services::{accounts, limits};
use crate::storage::oauth::AppRow;

/// A scope in words: `read` is "See everything…", `write:media` is "Change your media".
pub fn scope_in_words(tr: &Tr, scope: &str) -> String {
    match scope.split_once(':') {
        None => tr.t(&format!("scope-{scope}")),
        Some((top, part)) => {
            let what = tr.t(&format!("scope-noun-{part}"));
            tr.with(&format!("scope-{top}-part"), &[("what", FluentValue::from(what))])
        }
    }
}

fn page(ctx: &Ctx, p: &AuthorizeParams, app: &AppRow, scopes: &str, error: Option<String>) -> Response {
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let hidden: Vec<(&'static str, String)> = [
        ("client_id", p.client_id.clone()),
        ("redirect_uri", p.redirect_uri.clone()),
        ("scope", Some(scopes.to_owned())),
        ("state", p.state.clone()),
        ("code_challenge", p.code_challenge.clone()),
        ("code_challenge_method", p.code_challenge_method.clone()),
        ("response_type", Some("code".into())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let page = AuthorizePage {
        c: Chrome::new(ctx),
        app_name: app.name.clone(),
        app_website: app
            .website
            .clone()
            .filter(|w| w.starts_with("https://") || w.starts_with("http://")),
        scopes: scopes.split(' ').map(|s| scope_in_words(&ctx.tr, s)).collect(),
        hidden,
        login: p.username.clone().unwrap_or_default().chars().take(320).collect(),
        error,
        sign_up_next: "/auth/sign_up".into(),
    };
    pages::render(status, &page)
}

/// `GET /oauth/authorize`
pub async fn authorize_page(State(state): State<AppState>, ctx: Ctx, Q(p): Q<AuthorizeParams>) -> Response {
    match oauth::check_request(&state, &p).await {
        Ok((app, _, scopes)) => page(&ctx, &p, &app, &scopes, None),
        Err(e) => oauth::error_page(&e),
    }
}

/// `POST /oauth/authorize`: consent by the signed-in member (with the session's CSRF token), or
/// sign in with a password and consent at once; or deny.
pub async fn authorize(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    Body(p): Body<AuthorizeParams>,
) -> Response {
    let (app, redirect, scopes) = match oauth::check_request(&state, &p).await {
        Ok(x) => x,
        Err(e) => return oauth::error_page(&e),
    };
    let with_session = p.password.is_none() && ctx.me().is_some();
    if with_session && !auth::same_secret(p.csrf.as_deref().unwrap_or_default(), &ctx.csrf) {
        return super::WebError::Csrf.into_response();
    }
    if p.deny.is_some() {
        return oauth::denied(&redirect, &p);
    }
    if with_session {
        let account = ctx.me().expect("checked above").clone();
        return oauth::grant(&state, &app, &account, redirect, scopes, &p).await;
    }
    let allowed = limits::allow(
        &state,
        "login",
        ip,
        state.config.api.login_attempts_per_minute,
        Duration::from_secs(60),
    )
    .await;
    match allowed {
        Ok(true) => {}
        Err(e) => return super::WebError::Internal(e).into_response(),
        Ok(false) => return page(&ctx, &p, &app, &scopes, Some(ctx.tr.t("sign-in-too-many"))),
    }
    let Some(account) = accounts::authenticate(
        &state,
        p.username.as_deref().unwrap_or_default(),
        p.password.as_deref().unwrap_or_default(),
    )
    .await
    else {
        return page(&ctx, &p, &app, &scopes, Some(ctx.tr.t("oauth-invalid")));
    };
    oauth::grant(&state, &app, &account, redirect, scopes, &p).await
}
