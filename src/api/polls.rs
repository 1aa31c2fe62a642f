//! `/api/v1/polls/{id}` and its votes. A poll's id is its post's.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::auth::{Auth, MaybeAuth};
use super::model::Poll;
use super::statuses::visible;
use super::{ApiError, ApiResult, Body};
use crate::app::AppState;
use crate::services::events::Rsvp;
use crate::services::polls::{self as service, PollError};
use crate::storage::actors::ActorRow;
use crate::storage::events::EventRow;
use crate::storage::posts::PostRow;

impl From<PollError> for ApiError {
    fn from(e: PollError) -> Self {
        match e {
            PollError::NotFound => ApiError::not_found(),
            PollError::Invalid(m) => ApiError::unprocessable(m),
            PollError::Internal(e) => e.into(),
        }
    }
}

/// A post's poll as `viewer` sees it.
pub async fn poll_of(state: &AppState, p: &PostRow, viewer: Option<&ActorRow>) -> ApiResult<Poll> {
    let row = crate::storage::polls::find(&state.db, p.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let figures = service::figures(state, &[(row.clone(), p.local)], viewer).await?;
    let f = figures.get(&p.id).cloned().unwrap_or_default();
    Ok(super::entities::poll_entity(
        &row,
        &f,
        viewer,
        p.author_id,
        crate::storage::now(),
    ))
}

/// An event the viewer may see, by the id its status (and poll) has in apps.
async fn event(state: &AppState, id: &str, viewer: Option<&ActorRow>) -> ApiResult<EventRow> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    match crate::storage::events::find(&state.db, id).await? {
        Some(e) if crate::services::visibility::may_see_event(state, &e, viewer).await? => Ok(e),
        _ => Err(ApiError::not_found()),
    }
}

/// `GET /api/v1/polls/{id}`: a post's poll, or an event's answers.
pub async fn get(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Poll>> {
    let viewer = auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone());
    match visible(&state, &id, viewer.as_ref()).await {
        Ok(p) => Ok(Json(poll_of(&state, &p, viewer.as_ref()).await?)),
        Err(not_a_post) => {
            let e = event(&state, &id, viewer.as_ref()).await.map_err(|_| not_a_post)?;
            Ok(Json(super::entities::event_poll(&state, &e, viewer.as_ref()).await?))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Votes {
    #[serde(default, deserialize_with = "super::lenient::ids")]
    choices: Vec<String>,
    #[serde(default, rename = "choices[]", deserialize_with = "super::lenient::ids")]
    choices_form: Vec<String>,
}

/// `POST /api/v1/polls/{id}/votes` (`choices[]`: option indexes)
pub async fn vote(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(v): Body<Votes>,
) -> ApiResult<Json<Poll>> {
    let me = auth.member("write:statuses")?.actor.clone();
    let mut choices = Vec::new();
    for c in v.choices.iter().chain(&v.choices_form) {
        choices.push(
            c.parse::<i64>()
                .map_err(|_| ApiError::unprocessable(format!("{c} is not an option number")))?,
        );
    }
    let p = match visible(&state, &id, Some(&me)).await {
        Ok(p) => p,
        // An event's poll: the answer is an RSVP.
        Err(not_a_post) => {
            let e = event(&state, &id, Some(&me)).await.map_err(|_| not_a_post)?;
            let answer = match choices.as_slice() {
                [c] => Rsvp::from_choice(*c),
                _ => None,
            }
            .ok_or_else(|| ApiError::unprocessable("choose one of Going (0), Maybe (1) and Can't go (2)"))?;
            crate::services::events::rsvp(&state, &e, &me, answer)
                .await
                .map_err(|e| match e {
                    // Apps read a refused vote as a 422, whatever the reason.
                    crate::services::events::EventError::Refused(m) => ApiError::unprocessable(m),
                    other => super::events::event_error(other),
                })?;
            return Ok(Json(super::entities::event_poll(&state, &e, Some(&me)).await?));
        }
    };
    service::vote(&state, &me, &p, &choices).await?;
    Ok(Json(poll_of(&state, &p, Some(&me)).await?))
}
