//! `/api/v1/conversations`: direct messages grouped by thread, as each participant sees them.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::Auth;
use super::entities::PageData;
use super::model::Conversation;
use super::{ApiError, ApiResult, Page, Q, link_header, paged};
use crate::app::AppState;
use crate::services::visibility::Spaces;
use crate::storage::actors::ActorRow;
use crate::storage::conversations::{self, ConversationRow};
use crate::storage::posts;

/// Conversations as entities, with their latest posts read together; those whose latest post
/// the viewer may no longer read are left out.
async fn entities(state: &AppState, rows: &[ConversationRow], me: &ActorRow) -> ApiResult<Vec<(i64, Conversation)>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.last_post_id).collect();
    let spaces = Spaces::load(state, Some(me)).await?;
    let latest: Vec<_> = posts::find_many(&state.db, &ids)
        .await?
        .into_iter()
        .filter(|p| spaces.shows(p))
        .collect();
    let data = PageData::load(state, &latest, &[], Some(me)).await?;
    let mut out = Vec::new();
    for c in rows {
        let Some(p) = latest.iter().find(|p| p.id == c.last_post_id) else {
            continue;
        };
        out.push((
            c.last_post_id,
            Conversation {
                id: c.id.to_string(),
                unread: c.unread,
                accounts: data.participants(state, p, me.id)?,
                last_status: Some(data.status(state, p)?),
            },
        ));
    }
    Ok(out)
}

/// `GET /api/v1/conversations`, newest message first.
pub async fn list(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    let me = auth.member("read:statuses")?.actor.clone();
    let limit = page.limit()?;
    let rows = conversations::page(
        &state.db,
        me.id,
        page.max_id()?,
        page.min_id()?,
        page.ascending(),
        limit,
    )
    .await?;
    let (ids, items): (Vec<i64>, Vec<Conversation>) = entities(&state, &rows, &me).await?.into_iter().unzip();
    Ok(paged(items, link_header(&state, "/api/v1/conversations", &ids, limit)))
}

async fn own(state: &AppState, me: &ActorRow, id: &str) -> ApiResult<ConversationRow> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    conversations::find(&state.db, me.id, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `POST /api/v1/conversations/{id}/read`
pub async fn read(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Conversation>> {
    let me = auth.member("write:conversations")?.actor.clone();
    let mut c = own(&state, &me, &id).await?;
    conversations::mark_read(&state.db, me.id, c.id).await?;
    c.unread = false;
    entities(&state, &[c], &me)
        .await?
        .pop()
        .map(|(_, c)| Json(c))
        .ok_or_else(ApiError::not_found)
}

/// `DELETE /api/v1/conversations/{id}`: hidden until its next message.
pub async fn remove(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("write:conversations")?.actor.clone();
    let c = own(&state, &me, &id).await?;
    conversations::remove(&state.db, me.id, c.id).await?;
    Ok(Json(json!({})))
}
