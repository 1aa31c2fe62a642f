//! `POST /api/v1/reports`: a member reports an account and some of its posts.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::accounts::actor;
use super::auth::Auth;
use super::entities::report_entity;
use super::model::Report;
use super::{ApiError, ApiResult, Body};
use crate::app::AppState;
use crate::services::reports::{self, NewReport, ReportError};

#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default, deserialize_with = "super::lenient::ids")]
    account_id: Vec<String>,
    #[serde(default, rename = "status_ids[]", deserialize_with = "super::lenient::ids")]
    status_ids_brackets: Vec<String>,
    #[serde(default, deserialize_with = "super::lenient::ids")]
    status_ids: Vec<String>,
    comment: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    forward: Option<bool>,
    category: Option<String>,
}

/// `POST /api/v1/reports`
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Body(form): Body<ReportForm>,
) -> ApiResult<Json<Report>> {
    let me = auth.member("write:reports")?;
    let Some(account_id) = form.account_id.first() else {
        return Err(ApiError::unprocessable("account_id is required"));
    };
    let target = actor(&state, account_id).await?;
    let mut post_ids = Vec::new();
    for id in form.status_ids_brackets.iter().chain(&form.status_ids) {
        post_ids.push(
            id.parse::<i64>()
                .map_err(|_| ApiError::unprocessable(format!("{id} is not a status id")))?,
        );
    }
    let report = reports::file(
        &state,
        &me.actor,
        &target,
        NewReport {
            post_ids,
            comment: form.comment.unwrap_or_default(),
            category: form.category.filter(|c| !c.is_empty()),
            forward: form.forward.unwrap_or(false),
        },
    )
    .await
    .map_err(|e| match e {
        ReportError::Invalid(m) => ApiError::unprocessable(m),
        ReportError::Internal(e) => e.into(),
    })?;
    Ok(Json(report_entity(&state, &report).await?))
}
