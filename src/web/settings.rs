//! The member's settings: profile (name, bio, who may follow) and password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::{self, Chrome, ProfileSettingsPage};
use super::{CsrfForm, Ctx, WebError};
use crate::app::AppState;
use crate::services::accounts::{self, AccountError, PasswordChangeError, ProfileUpdate};

fn page(ctx: &Ctx, error: Option<String>, notice: Option<String>) -> Result<ProfileSettingsPage, WebError> {
    let me = ctx.member()?;
    Ok(ProfileSettingsPage {
        c: Chrome::new(ctx),
        display_name: me.actor.display_name.clone(),
        bio: me.actor.summary_source.clone(),
        locked: me.actor.manually_approves_followers,
        error,
        notice,
    })
}

/// `GET /settings/profile`
pub async fn profile_page(ctx: Ctx) -> Result<Response, WebError> {
    Ok(pages::render(StatusCode::OK, &page(&ctx, None, None)?))
}

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    locked: Option<String>,
}

/// `POST /settings/profile`: saved, and sent to the member's followers' servers.
pub async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<ProfileForm>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let update = ProfileUpdate {
        display_name: Some(f.display_name),
        bio: Some(f.bio),
        locked: Some(
            f.locked
                .as_deref()
                .and_then(crate::api::lenient::truth)
                .unwrap_or(false),
        ),
        ..Default::default()
    };
    match accounts::update_profile(&state, &me.actor, update).await {
        Ok(_) => Ok(Redirect::to(&format!("/@{}", me.actor.username)).into_response()),
        Err(AccountError::TooLong(..)) => Ok(pages::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&ctx, Some(ctx.tr.t("account-too-long")), None)?,
        )),
        Err(e) => Err(WebError::Internal(anyhow::anyhow!(e))),
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

/// `POST /settings/password`: needs the current password; signs out every other browser.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let keep = ctx.session.as_ref().map(|s| s.row.id);
    let (status, error, notice) = match accounts::change_password(&state, me, &f.current, &f.new, keep).await {
        Ok(()) => (StatusCode::OK, None, Some(ctx.tr.t("settings-password-changed"))),
        Err(PasswordChangeError::WrongCurrent) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(ctx.tr.t("settings-password-wrong")),
            None,
        ),
        Err(PasswordChangeError::Account(AccountError::WeakPassword(_))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(ctx.tr.t("account-weak-password")),
            None,
        ),
        Err(PasswordChangeError::Account(e)) => return Err(WebError::Internal(anyhow::anyhow!(e))),
    };
    Ok(pages::render(status, &page(&ctx, error, notice)?))
}

/// `GET /settings/apps`: the apps the member authorised, with what each may do.
pub async fn apps_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let apps = crate::services::sessions::authorized_apps(&state, me.user.id)
        .await?
        .into_iter()
        .map(|a| pages::AppView {
            id: a.app_id.to_string(),
            name: a.name,
            website: a
                .website
                .filter(|w| w.starts_with("https://") || w.starts_with("http://")),
            scopes: a
                .scopes
                .split(' ')
                .map(|s| super::oauth::scope_in_words(&ctx.tr, s))
                .collect(),
            since: ctx.tr.datetime(a.since),
        })
        .collect();
    Ok(pages::render(
        StatusCode::OK,
        &pages::AppsPage {
            c: Chrome::new(&ctx),
            apps,
        },
    ))
}

/// `POST /settings/apps/{id}/revoke`
pub async fn revoke_app(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    if !crate::services::sessions::revoke_app(&state, me.user.id, id).await? {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/settings/apps").into_response())
}
