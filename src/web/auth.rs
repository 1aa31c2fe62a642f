//! Signing in and out, signing up, the interface language, and the member's sessions.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;

use super::pages::{self, Chrome, SessionView, SessionsPage, SignInPage, SignUpPage};
use super::{CsrfForm, Ctx, LANG_COOKIE, SESSION_COOKIE, WebError, i18n, local_target};
use crate::api::Q;
use crate::api::auth::ClientIp;
use crate::app::AppState;
use crate::services::accounts::{self, AccountError, RegisterError, Registration};
use crate::services::{limits, sessions};
use crate::storage::web_sessions;

/// Sign-in attempts per address in [`SIGN_IN_WINDOW`].
const SIGN_IN_ATTEMPTS: u32 = 20;
const SIGN_IN_WINDOW: Duration = Duration::from_secs(600);

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /auth/sign_in`
pub async fn sign_in_page(ctx: Ctx, Q(q): Q<NextQuery>) -> Response {
    let next = local_target(q.next.as_deref());
    if ctx.me().is_some() {
        return Redirect::to(&next).into_response();
    }
    pages::render(
        StatusCode::OK,
        &SignInPage {
            c: Chrome::new(&ctx),
            error: None,
            login: String::new(),
            next,
            notice: None,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct SignIn {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Starts a session and sends the browser on with its cookie.
async fn signed_in(
    state: &AppState,
    ctx: &Ctx,
    account: &accounts::Account,
    headers: &HeaderMap,
    ip: &str,
    next: &str,
) -> Result<Response, WebError> {
    let secret = sessions::start(state, account, &user_agent(headers), ip).await?;
    let jar = CookieJar::new().add(ctx.cookie(SESSION_COOKIE, secret, sessions::IDLE_DAYS));
    Ok((jar, Redirect::to(next)).into_response())
}

/// `POST /auth/sign_in`: by username or e-mail address.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<SignIn>,
) -> Result<Response, WebError> {
    let next = local_target(f.next.as_deref());
    let page = |error: String| SignInPage {
        c: Chrome::new(&ctx),
        error: Some(error),
        login: f.login.chars().take(320).collect(),
        next: next.clone(),
        notice: None,
    };
    if !limits::allow(&state, "web_sign_in", ip, SIGN_IN_ATTEMPTS, SIGN_IN_WINDOW).await? {
        return Ok(pages::render(
            StatusCode::TOO_MANY_REQUESTS,
            &page(ctx.tr.t("sign-in-too-many")),
        ));
    }
    match accounts::authenticate(&state, &f.login, &f.password).await {
        Some(account) => signed_in(&state, &ctx, &account, &headers, &ip.to_string(), &next).await,
        None => Ok(pages::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(ctx.tr.t("sign-in-failed")),
        )),
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /auth/sign_out`: ends this browser's session.
pub async fn sign_out(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    if let Some(s) = &ctx.session {
        sessions::end(&state, s.row.user_id, s.row.id).await?;
    }
    let jar = CookieJar::new().add(removal(&ctx, SESSION_COOKIE));
    Ok((jar, Redirect::to("/")).into_response())
}

/// A cookie that removes ours (same path, expired).
fn removal(ctx: &Ctx, name: &'static str) -> Cookie<'static> {
    let mut c = ctx.cookie(name, String::new(), 0);
    c.make_removal();
    c
}

fn sign_up_page_model(state: &AppState, ctx: &Ctx) -> SignUpPage {
    SignUpPage {
        c: Chrome::new(ctx),
        error: None,
        username: String::new(),
        email: String::new(),
        reason: String::new(),
        mode: state.config.registrations.as_str().to_owned(),
        rules: state.config.node.rules.clone(),
    }
}

/// `GET /auth/sign_up`: the form, as the node's registration mode allows.
pub async fn sign_up_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    if ctx.me().is_some() {
        return Redirect::to("/").into_response();
    }
    pages::render(StatusCode::OK, &sign_up_page_model(&state, &ctx))
}

#[derive(Debug, Deserialize)]
pub struct SignUp {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    agreement: Option<String>,
    reason: Option<String>,
}

/// The message for a refused registration, in the page's language.
fn register_message(tr: &i18n::Tr, e: &RegisterError) -> Option<String> {
    let key = match e {
        RegisterError::Closed => "error-registrations-closed",
        RegisterError::InviteOnly => "error-registrations-invite",
        RegisterError::TooMany => "error-too-many",
        RegisterError::NoAgreement => "error-agreement",
        RegisterError::NoReason => "error-reason",
        RegisterError::Account(a) => match a {
            AccountError::InvalidUsername(_) => "account-invalid-username",
            AccountError::ReservedUsername(_) => "account-reserved-username",
            AccountError::UsernameTaken(_) => "account-username-taken",
            AccountError::InvalidEmail(_) => "account-invalid-email",
            AccountError::EmailTaken(_) => "account-email-taken",
            AccountError::WeakPassword(_) => "account-weak-password",
            AccountError::TooLong(..) => "account-too-long",
            _ => return None,
        },
    };
    Some(tr.t(key))
}

/// `POST /auth/sign_up`: an open node signs the new member in; an approval node says to wait.
pub async fn sign_up(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<SignUp>,
) -> Result<Response, WebError> {
    let registration = Registration {
        username: f.username.clone(),
        email: f.email.clone(),
        password: f.password,
        agreement: f
            .agreement
            .as_deref()
            .and_then(crate::api::lenient::truth)
            .unwrap_or(false),
        reason: f.reason.clone(),
    };
    match accounts::register(&state, ip, registration).await {
        Ok(account) if account.user.approved => signed_in(&state, &ctx, &account, &headers, &ip.to_string(), "/").await,
        Ok(_) => Ok(pages::render(
            StatusCode::OK,
            &SignInPage {
                c: Chrome::new(&ctx),
                error: None,
                login: f.username,
                next: "/".into(),
                notice: Some(ctx.tr.t("signed-up-approval")),
            },
        )),
        Err(e) => {
            let Some(message) = register_message(&ctx.tr, &e) else {
                return Err(WebError::Internal(anyhow::anyhow!(e)));
            };
            let status = if matches!(e, RegisterError::TooMany) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut page = sign_up_page_model(&state, &ctx);
            page.error = Some(message);
            page.username = f.username.chars().take(30).collect();
            page.email = f.email.chars().take(320).collect();
            page.reason = f
                .reason
                .unwrap_or_default()
                .chars()
                .take(accounts::REASON_MAX)
                .collect();
            Ok(pages::render(status, &page))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Language {
    #[serde(default)]
    language: String,
    next: Option<String>,
}

/// `POST /settings/language`: remembered in a cookie, and on the member's account.
pub async fn set_language(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<Language>,
) -> Result<Response, WebError> {
    let Some(tag) = i18n::supported(&f.language) else {
        return Err(WebError::BadRequest(ctx.tr.t("error-form")));
    };
    if let Some(me) = ctx.me() {
        web_sessions::set_locale(&state.db, me.user.id, Some(&tag)).await?;
    }
    let jar = CookieJar::new().add(ctx.cookie(LANG_COOKIE, tag, 365));
    Ok((jar, Redirect::to(&local_target(f.next.as_deref()))).into_response())
}

/// `GET /settings/sessions`: the browsers signed in to the member's account.
pub async fn sessions_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let current = ctx.session.as_ref().map(|s| s.row.id);
    let sessions = sessions::list(&state, me.user.id)
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.id.to_string(),
            agent: if s.user_agent.is_empty() {
                "?".into()
            } else {
                s.user_agent
            },
            ip: s.ip,
            created: ctx.tr.datetime(s.created_at),
            last_seen: ctx.tr.datetime(s.last_seen_at),
            current: Some(s.id) == current,
        })
        .collect();
    Ok(pages::render(
        StatusCode::OK,
        &SessionsPage {
            c: Chrome::new(&ctx),
            sessions,
        },
    ))
}

/// `POST /settings/sessions/{id}/revoke`: signs that browser out (this one too, if chosen).
pub async fn revoke_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    if !sessions::end(&state, me.user.id, id).await? {
        return Err(WebError::NotFound);
    }
    if ctx.session.as_ref().is_some_and(|s| s.row.id == id) {
        let jar = CookieJar::new().add(removal(&ctx, SESSION_COOKIE));
        return Ok((jar, Redirect::to("/")).into_response());
    }
    Ok(Redirect::to("/settings/sessions").into_response())
}
