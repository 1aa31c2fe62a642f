//! Reading and writing: the home feed with the compose form, public and tag feeds, threads,
//! profiles, likes and boosts, and the page about the node.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_templates::fluent_bundle::FluentValue;
use serde::Deserialize;

use super::pages::{self, AboutPage, Chrome, Compose, FeedPage, ProfilePage, ThreadPage};
use super::{CsrfForm, Ctx, WebError, local_target};
use crate::api::model::Status;
use crate::api::timelines::{self, Filtering};
use crate::api::{Page, Q};
use crate::app::AppState;
use crate::model::Visibility;
use crate::services::posts::{self as svc, NewPost, PostError};
use crate::storage::actors::{self, ActorRow};
use crate::storage::posts::{self, Timeline};

/// Posts per page.
pub const PAGE: i64 = 20;

#[derive(Debug, Deserialize, Default)]
pub struct Older {
    max_id: Option<String>,
}

impl Older {
    pub fn page(&self) -> Page {
        Page {
            max_id: self.max_id.clone().filter(|s| s.parse::<i64>().is_ok()),
            ..Default::default()
        }
    }
}

/// The link to the page after `ids` (none when this page was not full).
pub fn older_link(path: &str, ids: &[i64]) -> Option<String> {
    (ids.len() as i64 >= PAGE)
        .then(|| ids.last().map(|last| format!("{path}?max_id={last}")))
        .flatten()
}

fn me_acct(ctx: &Ctx) -> Option<String> {
    ctx.me().map(|a| a.actor.username.clone())
}

fn cards(ctx: &Ctx, statuses: &[Status]) -> Vec<pages::PostCard> {
    pages::post_cards(&ctx.tr, statuses, me_acct(ctx).as_deref())
}

/// `GET /`: the member's home feed with the compose form; for visitors, the node's public posts.
pub async fn home(State(state): State<AppState>, ctx: Ctx, Q(q): Q<Older>) -> Result<Response, WebError> {
    let Some(me) = ctx.me() else {
        return public_feed(&state, &ctx, &q, "/", true).await;
    };
    let (statuses, ids) = timelines::home_statuses(&state, &me.actor, &q.page(), PAGE).await?;
    let page = FeedPage {
        c: Chrome::new(&ctx),
        title: ctx.tr.t("home-title"),
        subtitle: None,
        intro: None,
        compose: Some(Compose {
            visibility: "public".into(),
            ..Default::default()
        }),
        posts: cards(&ctx, &statuses),
        older: older_link("/", &ids),
        empty: ctx.tr.t("home-empty"),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

async fn public_feed(state: &AppState, ctx: &Ctx, q: &Older, path: &str, landing: bool) -> Result<Response, WebError> {
    let viewer = ctx.me().map(|a| a.actor.clone());
    let page = q.page();
    let rows = posts::timeline(
        &state.db,
        &Timeline::Public(Some(true)),
        timelines::window(&page)?,
        PAGE,
    )
    .await?;
    let (statuses, ids) = timelines::render(state, rows, viewer.as_ref(), PAGE, Filtering::Feed, |_| None).await?;
    let (title, intro) = if landing {
        (
            state.config.node.name.clone(),
            Some(state.config.node.description.clone()).filter(|d| !d.is_empty()),
        )
    } else {
        (ctx.tr.t("public-title"), Some(ctx.tr.t("public-intro")))
    };
    let page = FeedPage {
        c: Chrome::new(ctx),
        subtitle: landing.then(|| state.config.domain.clone()),
        title,
        intro,
        compose: None,
        posts: cards(ctx, &statuses),
        older: older_link(path, &ids),
        empty: ctx.tr.t("public-empty"),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

/// `GET /public`: public posts written on this node.
pub async fn public(State(state): State<AppState>, ctx: Ctx, Q(q): Q<Older>) -> Result<Response, WebError> {
    public_feed(&state, &ctx, &q, "/public", false).await
}

/// `GET /tags/{tag}`: public posts with a hashtag.
pub async fn tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(tag): Path<String>,
    Q(q): Q<Older>,
) -> Result<Response, WebError> {
    let tag: String = tag
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .take(100)
        .collect::<String>()
        .to_lowercase();
    if tag.is_empty() {
        return Err(WebError::NotFound);
    }
    let viewer = ctx.me().map(|a| a.actor.clone());
    let rows = posts::timeline(
        &state.db,
        &Timeline::Tag(tag.clone()),
        timelines::window(&q.page())?,
        PAGE,
    )
    .await?;
    let (statuses, ids) = timelines::render(&state, rows, viewer.as_ref(), PAGE, Filtering::Feed, |_| None).await?;
    let page = FeedPage {
        c: Chrome::new(&ctx),
        title: ctx.tr.with("tag-title", &[("tag", FluentValue::from(tag.clone()))]),
        subtitle: None,
        intro: None,
        compose: None,
        posts: cards(&ctx, &statuses),
        older: older_link(&format!("/tags/{tag}"), &ids),
        empty: ctx.tr.t("tag-empty"),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

/// `GET /@{acct}/{id}`: a post and its thread, with a reply form for members.
pub async fn thread(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((at_name, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if !at_name.starts_with('@') || id.parse::<i64>().is_err() {
        return Err(WebError::NotFound);
    }
    let viewer = ctx.me().map(|a| a.actor.clone());
    let post = crate::api::statuses::visible(&state, &id, viewer.as_ref()).await?;
    let status = crate::api::entities::status(&state, &post, viewer.as_ref()).await?;
    if at_name[1..] != status.account.acct {
        let canonical = format!("/@{}/{}", status.account.acct, status.id);
        return Ok(Redirect::permanent(&canonical).into_response());
    }
    let (ancestors, descendants) = crate::api::statuses::thread(&state, &post, viewer.as_ref()).await?;
    let compose = ctx.me().map(|me| {
        let mut text = String::new();
        if status.account.acct != me.actor.username {
            text = format!("@{} ", status.account.acct);
        }
        Compose {
            in_reply_to: Some(status.id.clone()),
            text,
            visibility: status.visibility.to_owned(),
            // A reply in a group's thread goes to the group by itself.
            group: None,
        }
    });
    let page = ThreadPage {
        c: Chrome::new(&ctx),
        ancestors: cards(&ctx, &ancestors),
        focus: pages::post_card(&ctx.tr, &status, me_acct(&ctx).as_deref()),
        descendants: cards(&ctx, &descendants),
        compose,
    };
    Ok(pages::render(StatusCode::OK, &page))
}

/// A person's page: their profile and the posts the viewer may see.
pub async fn profile(state: &AppState, ctx: &Ctx, actor: &ActorRow, q: &Older) -> Result<Response, WebError> {
    let viewer = ctx.me().map(|a| a.actor.clone());
    let account = crate::api::entities::account(state, actor).await?;
    let rows = posts::timeline(
        &state.db,
        &Timeline::Author(actor.id),
        timelines::window(&q.page())?,
        PAGE * 3,
    )
    .await?;
    let (statuses, ids) = timelines::render(state, rows, viewer.as_ref(), PAGE, Filtering::Profile, |_| None).await?;
    let counts = ctx.tr.with(
        "profile-counts",
        &[
            ("posts", FluentValue::from(account.statuses_count)),
            ("followers", FluentValue::from(account.followers_count)),
            ("following", FluentValue::from(account.following_count)),
        ],
    );
    let page = ProfilePage {
        c: Chrome::new(ctx),
        name: if account.display_name.is_empty() {
            account.username.clone()
        } else {
            account.display_name.clone()
        },
        handle: pages::actor_handle(actor, &state.config.domain),
        bio: account.note.clone(),
        avatar: account.avatar.clone(),
        header: account.header.clone(),
        counts,
        older: older_link(&pages::account_link(&account), &ids),
        posts: cards(ctx, &statuses),
        remote_url: actor.domain.is_some().then(|| account.url.clone()),
        alternate: actor.domain.is_none().then(|| actor.ap_id.clone()),
        follow: match &viewer {
            Some(v) if v.id != actor.id => {
                let state_word = match crate::storage::follows::find(&state.db, v.id, actor.id).await? {
                    Some(f) if f.accepted => "following",
                    Some(_) => "requested",
                    None => "none",
                };
                Some((actor.id.to_string(), state_word.to_owned()))
            }
            _ => None,
        },
    };
    Ok(pages::render(StatusCode::OK, &page))
}

/// `GET /@{name}@{host}`: a remote person this node knows.
pub async fn remote_profile(state: &AppState, ctx: &Ctx, acct: &str, q: &Older) -> Result<Response, WebError> {
    let (name, host) = acct.split_once('@').ok_or(WebError::NotFound)?;
    let actor = actors::find_remote(&state.db, name, &host.to_ascii_lowercase())
        .await?
        .filter(|a| !a.is_suspended() && a.kind == actors::KIND_PERSON)
        .ok_or(WebError::NotFound)?;
    profile(state, ctx, &actor, q).await
}

/// `GET /about`
pub async fn about(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let usage = crate::services::node::usage(&state).await?;
    let node = &state.config.node;
    let page = AboutPage {
        c: Chrome::new(&ctx),
        domain: state.config.domain.clone(),
        description: node.description.clone(),
        members: ctx
            .tr
            .with("members-count", &[("count", FluentValue::from(usage.users_total))]),
        registrations: ctx
            .tr
            .t(&format!("registrations-{}", state.config.registrations.as_str())),
        rules: node.rules.clone(),
        contact: node.contact_email.clone(),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct ComposeForm {
    #[serde(default)]
    status: String,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    in_reply_to_id: Option<String>,
    group_id: Option<String>,
}

fn post_error(e: PostError) -> WebError {
    match e {
        PostError::Invalid(m) => WebError::BadRequest(m),
        PostError::Refused(m) => WebError::Forbidden(m),
        PostError::Internal(e) => WebError::Internal(e),
    }
}

/// Images a post from the web may carry (each with its description).
pub const WEB_ATTACHMENTS: usize = 2;

/// The compose form as sent: urlencoded, or multipart when it carries images.
async fn read_compose(
    ctx: &Ctx,
    state: &AppState,
    req: Request,
) -> Result<(ComposeForm, Vec<(Vec<u8>, String)>), WebError> {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if !multipart {
        let CsrfForm(f) = CsrfForm::<ComposeForm>::from_request(req, state).await?;
        return Ok((f, Vec::new()));
    }
    let bad = || WebError::BadRequest(ctx.tr.t("error-form"));
    let mut form = Multipart::from_request(req, state).await.map_err(|_| bad())?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut files: Vec<(usize, Vec<u8>)> = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(n) = name.strip_prefix("media_").and_then(|n| n.parse::<usize>().ok()) {
            if n == 0 || n > WEB_ATTACHMENTS {
                return Err(bad());
            }
            let bytes = field
                .bytes()
                .await
                .map_err(|_| WebError::BadRequest(ctx.tr.t("error-too-large")))?;
            if !bytes.is_empty() {
                files.push((n, bytes.to_vec()));
            }
        } else if fields.len() < 20 {
            fields.push((name, field.text().await.map_err(|_| bad())?));
        }
    }
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if !crate::api::auth::same_secret(&get("csrf").unwrap_or_default(), &ctx.csrf) {
        return Err(WebError::Csrf);
    }
    let form = ComposeForm {
        status: get("status").unwrap_or_default(),
        spoiler_text: get("spoiler_text"),
        visibility: get("visibility"),
        in_reply_to_id: get("in_reply_to_id"),
        group_id: get("group_id"),
    };
    let images = files
        .into_iter()
        .map(|(n, bytes)| (bytes, get(&format!("description_{n}")).unwrap_or_default()))
        .collect();
    Ok((form, images))
}

/// `POST /web/statuses`: publishes (with up to [`WEB_ATTACHMENTS`] images), then shows the new
/// post in its thread.
pub async fn compose(State(state): State<AppState>, ctx: Ctx, req: Request) -> Result<Response, WebError> {
    let me = ctx.member()?.clone();
    let (f, images) = read_compose(&ctx, &state, req).await?;
    let visibility = match f.visibility.as_deref().filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(Visibility::from_mastodon(v).ok_or_else(|| WebError::BadRequest(ctx.tr.t("error-form")))?),
    };
    let in_reply_to = match f.in_reply_to_id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Some(crate::api::statuses::visible(&state, id, Some(&me.actor)).await?.ap_id),
        None => None,
    };
    let group = match f.group_id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => {
            let id: i64 = id.parse().map_err(|_| WebError::BadRequest(ctx.tr.t("error-form")))?;
            let g = actors::find_by_id(&state.db, id)
                .await?
                .filter(|g| g.kind == actors::KIND_GROUP)
                .ok_or(WebError::NotFound)?;
            Some(g)
        }
        None => None,
    };
    let mut media = Vec::new();
    for (bytes, description) in images {
        let row = crate::services::media::upload(&state, me.actor.id, &bytes, &description)
            .await
            .map_err(|e| match e {
                crate::services::media::MediaError::Invalid(m) => WebError::BadRequest(m),
                crate::services::media::MediaError::Internal(e) => WebError::Internal(e),
            })?;
        media.push(row);
    }
    let post = svc::create(
        &state,
        &me.actor,
        NewPost {
            text: f.status,
            in_reply_to,
            visibility,
            media,
            group,
            summary: f.spoiler_text.filter(|s| !s.trim().is_empty()),
            ..Default::default()
        },
    )
    .await
    .map_err(post_error)?;
    Ok(Redirect::to(&format!("/@{}/{}", me.actor.username, post.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Back {
    pub next: Option<String>,
}

/// `POST /web/statuses/{id}/{action}`: like, boost, take back, or delete one's own post.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<Back>,
) -> Result<Response, WebError> {
    let me = ctx.member()?;
    let post = crate::api::statuses::visible(&state, &id, Some(&me.actor)).await?;
    match action.as_str() {
        "favourite" => svc::react(&state, &me.actor, &post, "Like", false).await,
        "unfavourite" => svc::react(&state, &me.actor, &post, "Like", true).await,
        "reblog" => svc::react(&state, &me.actor, &post, "Announce", false).await,
        "unreblog" => svc::react(&state, &me.actor, &post, "Announce", true).await,
        "delete" if post.author_id == me.actor.id => svc::delete(&state, &me.actor, &post).await,
        "delete" => return Err(WebError::NotFound),
        _ => return Err(WebError::NotFound),
    }
    .map_err(post_error)?;
    Ok(Redirect::to(&local_target(f.next.as_deref())).into_response())
}
