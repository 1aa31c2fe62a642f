//! `/api/v1/statuses…`: posting (into groups by mentioning them or replying in their threads),
//! reading with visibility rules, context, edits, deletes, favourites and boosts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Auth, MaybeAuth};
use super::entities::status;
use super::model::{Account, Status, StatusEdit};
use super::{ApiError, ApiResult, Body};
use crate::app::AppState;
use crate::services::filters::Verdict;
use crate::services::posts::{self as svc, NewPost, PostError};
use crate::services::visibility::may_see_post;
use crate::storage;
use crate::storage::actors::ActorRow;
use crate::storage::posts::{self, PostRow};

/// A post by API id that the viewer may see. The id of a group's boost of a post names the
/// post, as a boost's id does in Mastodon (favouriting a boost favourites what it boosts).
pub async fn visible(state: &AppState, id: &str, viewer: Option<&ActorRow>) -> ApiResult<PostRow> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let p = match posts::find_by_id(&state.db, id).await? {
        Some(p) => p,
        None => posts::find_by_relay_id(&state.db, id)
            .await?
            .ok_or_else(ApiError::not_found)?,
    };
    if !may_see_post(state, &p, viewer).await? {
        return Err(ApiError::not_found());
    }
    Ok(p)
}

fn post_error(e: PostError) -> ApiError {
    match e {
        PostError::Invalid(m) => ApiError::unprocessable(format!("Validation failed: {m}")),
        PostError::Refused(m) => ApiError::forbidden(m),
        PostError::Internal(e) => e.into(),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct NewStatus {
    status: Option<String>,
    in_reply_to_id: Option<String>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    sensitive: Option<bool>,
    language: Option<String>,
    #[serde(rename = "media_ids[]", default, deserialize_with = "super::lenient::ids")]
    media_ids_form: Vec<String>,
    #[serde(default, deserialize_with = "super::lenient::ids")]
    media_ids: Vec<String>,
    /// A poll in a JSON body: `{"options": […], "expires_in": …, "multiple": …, "hide_totals": …}`.
    poll: Option<PollJson>,
    /// The same in a form body.
    #[serde(rename = "poll[options][]", default, deserialize_with = "super::lenient::ids")]
    poll_options_form: Vec<String>,
    #[serde(rename = "poll[expires_in]", default, deserialize_with = "super::lenient::number")]
    poll_expires_in_form: Option<i64>,
    #[serde(rename = "poll[multiple]", default, deserialize_with = "super::lenient::flag")]
    poll_multiple_form: Option<bool>,
    #[serde(rename = "poll[hide_totals]", default, deserialize_with = "super::lenient::flag")]
    poll_hide_totals_form: Option<bool>,
}

#[derive(Debug, Deserialize, Default)]
pub struct PollJson {
    #[serde(default, deserialize_with = "super::lenient::ids")]
    options: Vec<String>,
    #[serde(default, deserialize_with = "super::lenient::number")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    multiple: Option<bool>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    hide_totals: Option<bool>,
}

impl NewStatus {
    /// The poll asked for, in either body; none when no options are given.
    fn poll(&mut self) -> ApiResult<Option<crate::services::polls::NewPoll>> {
        let json = self.poll.take().unwrap_or_default();
        let options = if json.options.is_empty() {
            std::mem::take(&mut self.poll_options_form)
        } else {
            json.options
        };
        if options.is_empty() {
            return Ok(None);
        }
        let expires_in = json
            .expires_in
            .or(self.poll_expires_in_form)
            .ok_or_else(|| ApiError::unprocessable("Validation failed: a poll needs expires_in (seconds)"))?;
        Ok(Some(crate::services::polls::NewPoll {
            options,
            expires_in,
            multiple: json.multiple.or(self.poll_multiple_form).unwrap_or(false),
            hide_totals: json.hide_totals.or(self.poll_hide_totals_form).unwrap_or(false),
        }))
    }
}

/// A visibility by Mastodon's name; none given is none chosen.
fn visibility(name: Option<&str>) -> ApiResult<Option<crate::model::Visibility>> {
    match name.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => crate::model::Visibility::from_mastodon(v).map(Some).ok_or_else(|| {
            ApiError::unprocessable("Validation failed: visibility must be public, unlisted, private or direct")
        }),
    }
}

/// `POST /api/v1/statuses` (with `Idempotency-Key`).
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Body(mut n): Body<NewStatus>,
) -> ApiResult<Json<Status>> {
    let me = auth.member("write:statuses")?;
    let poll = n.poll()?;
    let mut media = Vec::new();
    for id in n.media_ids.iter().chain(n.media_ids_form.iter()) {
        if media.len() >= crate::services::media::MAX_ATTACHMENTS {
            return Err(ApiError::unprocessable(
                "Validation failed: at most 4 attachments per post",
            ));
        }
        let id: i64 = id
            .parse()
            .map_err(|_| ApiError::unprocessable("Validation failed: unknown media id"))?;
        let m = crate::storage::media::find(&state.db, me.actor.id, id)
            .await?
            .ok_or_else(|| ApiError::unprocessable("Validation failed: unknown media id"))?;
        media.push(m);
    }
    let visibility = visibility(n.visibility.as_deref())?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(str::to_owned);
    let in_reply_to = match n.in_reply_to_id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Some(visible(&state, id, Some(&me.actor)).await?.ap_id),
        None => None,
    };
    let post = svc::create_once(
        &state,
        &me.actor,
        NewPost {
            text: n.status.unwrap_or_default(),
            media,
            in_reply_to,
            visibility,
            summary: n.spoiler_text,
            sensitive: n.sensitive.unwrap_or(false),
            language: n.language,
            poll,
            ..Default::default()
        },
        key.as_deref().map(|k| (me.user.id, k)),
    )
    .await
    .map_err(post_error)?;
    Ok(Json(status(&state, &post, Some(&me.actor)).await?))
}

fn viewer(auth: &Option<Auth>) -> Option<ActorRow> {
    auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone())
}

/// `GET /api/v1/statuses/{id}`: a post, or an event shown as a status.
pub async fn get(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Status>> {
    let v = viewer(&auth);
    match visible(&state, &id, v.as_ref()).await {
        // A group's boost, by its own id.
        Ok(p) if p.relay_id.is_some_and(|r| r.to_string() == id) => {
            let group = match p.group_id {
                Some(g) => crate::storage::actors::find_by_id(&state.db, g).await?,
                None => None,
            }
            .ok_or_else(ApiError::not_found)?;
            Ok(Json(
                super::entities::group_boost(&state, &p, &group, v.as_ref()).await?,
            ))
        }
        Ok(p) => Ok(Json(status(&state, &p, v.as_ref()).await?)),
        Err(e) => {
            let Ok(n) = id.parse::<i64>() else { return Err(e) };
            let ev = crate::storage::events::find(&state.db, n).await?.ok_or(e)?;
            if !crate::services::visibility::may_see_event(&state, &ev, v.as_ref()).await? {
                return Err(ApiError::not_found());
            }
            Ok(Json(super::entities::event_status(&state, &ev, v.as_ref()).await?))
        }
    }
}

/// `GET /api/v1/statuses/{id}/context`: ancestors and descendants the viewer may see.
pub async fn context(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let v = viewer(&auth);
    let p = visible(&state, &id, v.as_ref()).await?;
    let (ancestors, descendants) = thread(&state, &p, v.as_ref()).await?;
    Ok(Json(json!({ "ancestors": ancestors, "descendants": descendants })))
}

/// The thread around a post the viewer may see: its ancestors (oldest first, at most 40) and
/// replies (in order, at most 60), leaving out what the viewer may not see, blocks, mutes or
/// filters away.
pub async fn thread(state: &AppState, p: &PostRow, v: Option<&ActorRow>) -> ApiResult<(Vec<Status>, Vec<Status>)> {
    // Replies by people the viewer blocks or mutes are left out, as Mastodon does.
    let spaces = crate::services::visibility::Spaces::load(state, v).await?;
    let active = super::timelines::active_filters(state, &spaces, v).await?;
    let mut ancestors = Vec::new();
    let mut current = p.clone();
    while let Some(parent) = current.in_reply_to.clone() {
        let Some(x) = posts::find_by_ap_id(&state.db, &parent).await? else {
            break;
        };
        if ancestors.len() >= 40 {
            break;
        }
        if spaces.may_see_post(&x) {
            let verdict = active.check(&x, "thread");
            if verdict != Verdict::Hide {
                let mut s = status(state, &x, v).await?;
                super::timelines::warn(&mut s, &active, &verdict);
                ancestors.push(s);
            }
        }
        current = x;
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut frontier = vec![p.ap_id.clone()];
    while let Some(parent) = frontier.pop() {
        if descendants.len() >= 60 {
            break;
        }
        let children = posts::replies(&state.db, &parent, 60).await?;
        for c in children.into_iter().rev() {
            frontier.push(c.ap_id.clone());
            if spaces.shows(&c) {
                let verdict = active.check(&c, "thread");
                if verdict != Verdict::Hide {
                    let mut s = status(state, &c, v).await?;
                    super::timelines::warn(&mut s, &active, &verdict);
                    descendants.push((c.id, s));
                }
            }
        }
    }
    descendants.sort_by_key(|(id, _)| *id);
    Ok((ancestors, descendants.into_iter().map(|(_, s)| s).collect()))
}

/// `GET /api/v1/statuses/{id}/source`
pub async fn source(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = auth.member("read:statuses")?;
    let p = visible(&state, &id, Some(&me.actor)).await?;
    if p.author_id != me.actor.id {
        return Err(ApiError::not_found());
    }
    Ok(Json(
        json!({ "id": p.id.to_string(), "text": p.source.unwrap_or_default(), "spoiler_text": "" }),
    ))
}

/// `DELETE /api/v1/statuses/{id}`: returns the deleted status with its text, as Mastodon does.
pub async fn delete(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    let me = auth.member("write:statuses")?;
    let p = visible(&state, &id, Some(&me.actor)).await?;
    if p.author_id != me.actor.id {
        return Err(ApiError::not_found());
    }
    let mut entity = status(&state, &p, Some(&me.actor)).await?;
    svc::delete(&state, &me.actor, &p).await.map_err(post_error)?;
    entity.text = p.source.clone();
    Ok(Json(entity))
}

#[derive(Debug, Deserialize, Default)]
pub struct EditStatus {
    status: Option<String>,
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::flag")]
    sensitive: Option<bool>,
    language: Option<String>,
}

/// `PUT /api/v1/statuses/{id}`
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(e): Body<EditStatus>,
) -> ApiResult<Json<Status>> {
    let me = auth.member("write:statuses")?;
    let p = visible(&state, &id, Some(&me.actor)).await?;
    if p.author_id != me.actor.id {
        return Err(ApiError::not_found());
    }
    let changes = svc::Changes {
        text: e.status.unwrap_or_default(),
        title: None,
        summary: e.spoiler_text,
        sensitive: e.sensitive.unwrap_or(false),
        language: e.language,
    };
    let updated = svc::edit(&state, &me.actor, &p, changes).await.map_err(post_error)?;
    Ok(Json(status(&state, &updated, Some(&me.actor)).await?))
}

async fn react(state: AppState, auth: Auth, id: String, kind: &str, undo: bool) -> ApiResult<Json<Status>> {
    let me = auth.member(if kind == "Like" {
        "write:favourites"
    } else {
        "write:statuses"
    })?;
    let p = visible(&state, &id, Some(&me.actor)).await?;
    svc::react(&state, &me.actor, &p, kind, undo)
        .await
        .map_err(post_error)?;
    Ok(Json(status(&state, &p, Some(&me.actor)).await?))
}

pub async fn favourite(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    react(state, auth, id, "Like", false).await
}
pub async fn unfavourite(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    react(state, auth, id, "Like", true).await
}
pub async fn reblog(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    react(state, auth, id, "Announce", false).await
}
pub async fn unreblog(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    react(state, auth, id, "Announce", true).await
}

/// `POST /api/v1/statuses/{id}/bookmark` and `unbookmark`.
async fn bookmark_set(state: AppState, auth: Auth, id: String, on: bool) -> ApiResult<Json<Status>> {
    let me = auth.member("write:bookmarks")?;
    let p = visible(&state, &id, Some(&me.actor)).await?;
    posts::set_bookmark(&state.db, me.actor.id, p.id, on, storage::now()).await?;
    Ok(Json(status(&state, &p, Some(&me.actor)).await?))
}

pub async fn bookmark(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    bookmark_set(state, auth, id, true).await
}
pub async fn unbookmark(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    bookmark_set(state, auth, id, false).await
}

async fn reactors(state: AppState, auth: Option<Auth>, id: String, kind: &str) -> ApiResult<Json<Vec<Account>>> {
    let v = viewer(&auth);
    let p = visible(&state, &id, v.as_ref()).await?;
    let mut out = Vec::new();
    for actor_id in posts::reactors(&state.db, p.id, kind, 80).await? {
        if let Some(a) = crate::storage::actors::find_by_id(&state.db, actor_id).await? {
            out.push(super::entities::account(&state, &a).await?);
        }
    }
    Ok(Json(out))
}

/// `GET /api/v1/statuses/{id}/favourited_by`
pub async fn favourited_by(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Account>>> {
    reactors(state, auth, id, "like").await
}

/// `GET /api/v1/statuses/{id}/reblogged_by`
pub async fn reblogged_by(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Account>>> {
    reactors(state, auth, id, "announce").await
}

/// `GET /api/v1/statuses/{id}/history`: every version, oldest first, the current one last.
pub async fn history(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<StatusEdit>>> {
    let v = viewer(&auth);
    let p = visible(&state, &id, v.as_ref()).await?;
    let current = status(&state, &p, v.as_ref()).await?;
    let version = |title: &Option<String>, content: &str, summary: &Option<String>, at| {
        let content = match title {
            Some(t) => format!("<p><strong>{}</strong></p>{content}", crate::text::escape_html(t)),
            None => content.to_owned(),
        };
        StatusEdit {
            content,
            spoiler_text: summary.clone().unwrap_or_default(),
            sensitive: p.sensitive,
            created_at: super::entities::api_time(at),
            account: current.account.clone(),
            media_attachments: current.media_attachments.clone(),
            emojis: Vec::new(),
            poll: None,
        }
    };
    let mut out: Vec<StatusEdit> = posts::edits(&state.db, p.id)
        .await?
        .iter()
        .map(|e| version(&e.title, &e.content_html, &e.summary, e.created_at))
        .collect();
    out.push(version(
        &p.title,
        &p.content_html,
        &p.summary,
        p.updated_at.unwrap_or(p.published_at),
    ));
    Ok(Json(out))
}
