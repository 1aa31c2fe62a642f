//! Group spaces in the browser: the directory, a group's page with its posts and the join,
//! request and leave buttons, and posting into it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_templates::fluent_bundle::FluentValue;

use super::feed::{Back, Older, PAGE, older_link};
use super::pages::{self, Chrome, Compose, GroupCard, GroupPage, GroupsPage};
use super::{CsrfForm, Ctx, WebError, local_target};
use crate::api::Q;
use crate::api::timelines::{self, Filtering};
use crate::app::AppState;
use crate::services::social::{self, FollowState, SocialError};
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::posts::{self, Timeline};
use crate::storage::{follows, groups};

fn members_text(ctx: &Ctx, n: i64) -> String {
    ctx.tr.with("group-members", &[("count", FluentValue::from(n))])
}

/// `GET /groups`: the node's groups, and the remote ones the member joined.
pub async fn directory(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let viewer = ctx.me().map(|a| a.actor.id);
    let rows = groups::directory(&state.db, viewer).await?;
    let cards = rows
        .into_iter()
        .map(|r| {
            let acct = match &r.domain {
                Some(d) => format!("{}@{d}", r.username),
                None => r.username.clone(),
            };
            GroupCard {
                name: if r.display_name.is_empty() {
                    r.username.clone()
                } else {
                    r.display_name
                },
                handle: format!(
                    "@{}@{}",
                    r.username,
                    r.domain.as_deref().unwrap_or(&state.config.domain)
                ),
                link: if r.domain.is_none() {
                    format!("/@{acct}")
                } else {
                    format!("/groups/remote/{}", r.id)
                },
                summary: r.summary_html,
                kind: ctx.tr.t(if r.visibility.as_deref() == Some("members") {
                    "group-members-only"
                } else {
                    "group-public"
                }),
                members: members_text(&ctx, r.members),
                local: r.domain.is_none(),
            }
        })
        .collect();
    Ok(pages::render(
        StatusCode::OK,
        &GroupsPage {
            c: Chrome::new(&ctx),
            groups: cards,
        },
    ))
}

/// Where the viewer stands with a group.
fn relation(member: Option<bool>, banned: bool) -> &'static str {
    match (banned, member) {
        (true, _) => "banned",
        (false, Some(true)) => "member",
        (false, Some(false)) => "pending",
        (false, None) => "none",
    }
}

/// A group's page (local or remote): what it is, the viewer's standing, and its posts the viewer
/// may see.
pub async fn page(state: &AppState, ctx: &Ctx, g: &ActorRow, q: &Older) -> Result<Response, WebError> {
    let row = groups::find(&state.db, g.id).await?;
    let viewer = ctx.me().map(|a| a.actor.clone());
    let (standing, banned) = match &viewer {
        Some(v) => (
            follows::find(&state.db, v.id, g.id).await?.map(|f| f.accepted),
            groups::is_banned(&state.db, g.id, v.id).await?,
        ),
        None => (None, false),
    };
    let members_only = row.as_ref().is_some_and(|r| r.members_only());
    let rows = posts::timeline(
        &state.db,
        &Timeline::Group(g.id),
        timelines::window(&q.page())?,
        PAGE * 3,
    )
    .await?;
    let (statuses, ids) = timelines::render(state, rows, viewer.as_ref(), PAGE, Filtering::Feed, |_| None).await?;
    let members = follows::count(&state.db, g.id, true).await?;
    let relation = relation(standing, banned);
    let link = match &g.domain {
        None => format!("/@{}", g.username),
        Some(_) => format!("/groups/remote/{}", g.id),
    };
    let page = GroupPage {
        c: Chrome::new(ctx),
        id: g.id.to_string(),
        name: pages::actor_name(g),
        handle: pages::actor_handle(g, &state.config.domain),
        summary: g.summary_html.clone(),
        kind: ctx.tr.t(if members_only {
            "group-members-only"
        } else {
            "group-public"
        }),
        members: members_text(ctx, members),
        relation: relation.to_owned(),
        members_only,
        compose: (relation == "member").then(|| Compose {
            visibility: if members_only {
                "private".into()
            } else {
                "public".into()
            },
            group: Some(g.id.to_string()),
            ..Default::default()
        }),
        posts: pages::post_cards(&ctx.tr, &statuses, ctx.me().map(|a| a.actor.username.as_str())),
        older: older_link(&link, &ids),
        alternate: g.domain.is_none().then(|| g.ap_id.clone()),
        requests_link: match &viewer {
            Some(v) if g.domain.is_none() && crate::services::groups::can_moderate(state, g, v).await? => {
                let n = follows::pending_actors(&state.db, g.id).await?.len();
                Some((format!("/groups/{}/requests", g.username), n))
            }
            _ => None,
        },
        remote_url: g
            .domain
            .is_some()
            .then(|| g.url.clone().unwrap_or_else(|| g.ap_id.clone())),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

/// `GET /groups/remote/{id}`: a group of another server this node knows.
pub async fn remote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Q(q): Q<Older>,
) -> Result<Response, WebError> {
    let g = group_by_id(&state, &id).await?;
    page(&state, &ctx, &g, &q).await
}

async fn group_by_id(state: &AppState, id: &str) -> Result<ActorRow, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    actors::find_by_id(&state.db, id)
        .await?
        .filter(|a| a.kind == KIND_GROUP && !a.is_suspended())
        .ok_or(WebError::NotFound)
}

/// `POST /web/groups/{id}/{join|leave}`: joins (or asks to, in a members-only group) or leaves.
pub async fn membership(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<Back>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let g = group_by_id(&state, &id).await?;
    let result = match action.as_str() {
        "join" => social::follow(&state, &me.actor, &g)
            .await
            .map(|s| s == FollowState::Accepted),
        "leave" => social::unfollow(&state, &me.actor, &g).await.map(|_| true),
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&local_target(f.next.as_deref())).into_response()),
        Err(SocialError::Refused(m)) => Err(WebError::Forbidden(m.to_owned())),
        Err(e) => Err(WebError::Internal(anyhow::anyhow!(e))),
    }
}

/// The local group `name`, when the signed-in member is one of its stewards.
async fn stewarded(state: &AppState, ctx: &Ctx, name: &str) -> Result<ActorRow, WebError> {
    let me = ctx.member()?;
    let g = actors::find_local(&state.db, name)
        .await?
        .filter(|g| g.kind == KIND_GROUP)
        .ok_or(WebError::NotFound)?;
    if !crate::services::groups::can_moderate(state, &g, &me.actor).await? {
        return Err(WebError::Forbidden(ctx.tr.t("error-stewards-only")));
    }
    Ok(g)
}

/// `GET /groups/{name}/requests`: who asks to join, for the group's stewards.
pub async fn requests(State(state): State<AppState>, ctx: Ctx, Path(name): Path<String>) -> Result<Response, WebError> {
    let g = stewarded(&state, &ctx, &name).await?;
    let people = follows::pending_actors(&state.db, g.id)
        .await?
        .into_iter()
        .take(500)
        .map(|a| pages::PersonRow {
            id: a.id.to_string(),
            name: pages::actor_name(&a),
            handle: pages::actor_handle(&a, &state.config.domain),
        })
        .collect();
    let page = pages::RequestsPage {
        c: Chrome::new(&ctx),
        group_name: pages::actor_name(&g),
        group_link: format!("/@{}", g.username),
        username: g.username.clone(),
        people,
    };
    Ok(pages::render(StatusCode::OK, &page))
}

/// `POST /groups/{name}/requests/{actor_id}/{approve|reject}`: a steward's decision, federated
/// and logged as from the command line.
pub async fn decide_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((name, actor_id, decision)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, WebError> {
    let g = stewarded(&state, &ctx, &name).await?;
    let me = ctx.member()?;
    let decision = match decision.as_str() {
        "approve" => crate::services::groups::Moderation::Approve,
        "reject" => crate::services::groups::Moderation::Reject,
        _ => return Err(WebError::NotFound),
    };
    let actor_id: i64 = actor_id.parse().map_err(|_| WebError::NotFound)?;
    let person = actors::find_by_id(&state.db, actor_id)
        .await?
        .ok_or(WebError::NotFound)?;
    if follows::find(&state.db, person.id, g.id)
        .await?
        .is_none_or(|f| f.accepted)
    {
        return Err(WebError::NotFound);
    }
    crate::services::groups::moderate(&state, &g, &person, Some(&me.actor), decision, "")
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e)))?;
    Ok(Redirect::to(&format!("/groups/{}/requests", g.username)).into_response())
}
