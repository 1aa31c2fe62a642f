//! The secretariat's pages: registrations waiting for approval.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::auth::Empty;
use super::pages::{self, Chrome, RegistrationView, RegistrationsPage};
use super::{CsrfForm, Ctx, WebError};
use crate::app::AppState;
use crate::services::accounts::{self, Account, Decision, Role};
use crate::storage::users;

/// The signed-in member, when they belong to the secretariat (admins and moderators).
fn staff(ctx: &Ctx) -> Result<&Account, WebError> {
    let me = ctx.member()?;
    if me.role() == Role::Member {
        return Err(WebError::Forbidden(ctx.tr.t("error-staff-only")));
    }
    Ok(me)
}

/// `GET /admin/registrations`
pub async fn registrations(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    staff(&ctx)?;
    let rows = users::pending_registrations(&state.db).await?;
    let items = rows
        .into_iter()
        .map(|r| RegistrationView {
            id: r.id.to_string(),
            username: r.username,
            email: r.email,
            reason: r.reason.unwrap_or_default(),
            requested: ctx.tr.datetime(r.created_at),
        })
        .collect();
    Ok(pages::render(
        StatusCode::OK,
        &RegistrationsPage {
            c: Chrome::new(&ctx),
            items,
        },
    ))
}

/// `POST /admin/registrations/{id}/{approve|reject}`
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, decision)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    staff(&ctx)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(WebError::NotFound),
    };
    let done = accounts::decide_registration(&state, id, decision)
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e)))?;
    if !done {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/registrations").into_response())
}
