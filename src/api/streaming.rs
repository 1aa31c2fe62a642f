//! Streaming: `GET /api/v1/streaming` (WebSocket; the token in `Sec-WebSocket-Protocol` or
//! `access_token`, streams chosen with `subscribe` messages) and the HTTP event streams
//! `/api/v1/streaming/user`, `public`, `public/local` and `hashtag`.
//!
//! Events come from this process's broadcast channel: a node run as several processes behind
//! one PostgreSQL streams what the process a client is connected to sees (see ARCHITECTURE.md).

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::auth::{Auth, MaybeAuth};
use super::entities::{notification, status};
use super::{ApiError, ApiResult, Q};
use crate::app::{AppState, Event};
use crate::services::visibility::{may_see_post, shows};
use crate::storage::actors::ActorRow;
use crate::storage::{notifications, posts};

/// A stream a client listens to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Channel {
    User,
    Public,
    PublicLocal,
    Hashtag(String),
}

impl Channel {
    fn parse(name: &str, tag: Option<&str>) -> Option<Channel> {
        Some(match name {
            "user" | "user:notification" => Channel::User,
            "public" => Channel::Public,
            "public:local" => Channel::PublicLocal,
            "hashtag" | "hashtag:local" => Channel::Hashtag(tag?.trim_start_matches('#').to_lowercase()),
            _ => return None,
        })
    }
    fn names(&self) -> Vec<String> {
        match self {
            Channel::User => vec!["user".into()],
            Channel::Public => vec!["public".into()],
            Channel::PublicLocal => vec!["public:local".into()],
            Channel::Hashtag(t) => vec!["hashtag".into(), t.clone()],
        }
    }
}

/// What one channel makes of an event: (event name, payload) when it concerns the listener.
async fn render(
    state: &AppState,
    channel: &Channel,
    viewer: Option<&ActorRow>,
    event: Event,
) -> anyhow::Result<Option<(&'static str, String)>> {
    match event {
        Event::Update(id) => {
            let Some(p) = posts::find_by_id(&state.db, id).await? else {
                return Ok(None);
            };
            if !shows(state, &p, viewer).await? {
                return Ok(None);
            }
            let wanted = match channel {
                Channel::Public => p.visibility == crate::model::Visibility::Public,
                Channel::PublicLocal => p.visibility == crate::model::Visibility::Public && p.local,
                Channel::Hashtag(t) => {
                    p.visibility == crate::model::Visibility::Public
                        && p.tags.to_lowercase().contains(&format!("\"#{t}\""))
                }
                Channel::User => {
                    let Some(v) = viewer else { return Ok(None) };
                    let follows =
                        crate::storage::follows::follows_either(&state.db, v.id, p.author_id, p.group_id.unwrap_or(-1))
                            .await?;
                    p.author_id == v.id || follows
                }
            };
            if !wanted {
                return Ok(None);
            }
            Ok(Some((
                "update",
                serde_json::to_string(&status(state, &p, viewer).await?)?,
            )))
        }
        Event::Delete(id) => {
            // Only those who could see the post learn that it is gone (never its id otherwise).
            let Some(mut p) = posts::find_by_id(&state.db, id).await? else {
                return Ok(None);
            };
            p.deleted_at = None;
            let wanted = match channel {
                Channel::User => viewer.is_some(),
                Channel::Public | Channel::PublicLocal => p.visibility == crate::model::Visibility::Public,
                Channel::Hashtag(_) => false,
            };
            Ok((wanted && may_see_post(state, &p, viewer).await?).then(|| ("delete", id.to_string())))
        }
        Event::Notification(recipient, id) => {
            let Some(v) = viewer.filter(|v| v.id == recipient && *channel == Channel::User) else {
                return Ok(None);
            };
            let Some(n) = notifications::find(&state.db, v.id, id).await? else {
                return Ok(None);
            };
            Ok(match notification(state, &n, v).await? {
                Some(n) => Some(("notification", serde_json::to_string(&n)?)),
                None => None,
            })
        }
    }
}

fn viewer_of(auth: &Option<Auth>) -> Option<ActorRow> {
    auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone())
}

/// The HTTP event stream of one channel.
fn sse(
    state: AppState,
    channel: Channel,
    viewer: Option<ActorRow>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = state.events.subscribe();
    let stream = futures::stream::unfold(
        (state, channel, viewer, rx),
        |(state, channel, viewer, mut rx)| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => match render(&state, &channel, viewer.as_ref(), event).await {
                        Ok(Some((name, payload))) => {
                            let e = SseEvent::default().event(name).data(payload);
                            return Some((Ok(e), (state, channel, viewer, rx)));
                        }
                        Ok(None) => continue,
                        Err(e) => tracing::error!(error = %e, "streaming"),
                    },
                    Err(RecvError::Lagged(n)) => tracing::info!(missed = n, "a streaming client fell behind"),
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(10)).text("thump"))
}

/// `GET /api/v1/streaming/user` (and `user/notification`)
pub async fn user(State(state): State<AppState>, auth: Auth) -> ApiResult<Response> {
    let me = auth.member("read:statuses")?.actor.clone();
    Ok(sse(state, Channel::User, Some(me)).into_response())
}

/// `GET /api/v1/streaming/public`
pub async fn public(State(state): State<AppState>, MaybeAuth(auth): MaybeAuth) -> Response {
    let v = viewer_of(&auth);
    sse(state, Channel::Public, v).into_response()
}

/// `GET /api/v1/streaming/public/local`
pub async fn public_local(State(state): State<AppState>, MaybeAuth(auth): MaybeAuth) -> Response {
    let v = viewer_of(&auth);
    sse(state, Channel::PublicLocal, v).into_response()
}

#[derive(Debug, Deserialize, Default)]
pub struct StreamQuery {
    tag: Option<String>,
    stream: Option<String>,
    access_token: Option<String>,
}

/// `GET /api/v1/streaming/hashtag?tag=…`
pub async fn hashtag(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Q(q): Q<StreamQuery>,
) -> ApiResult<Response> {
    let channel = Channel::parse("hashtag", q.tag.as_deref())
        .ok_or_else(|| ApiError::bad_request("the tag parameter is required"))?;
    let v = viewer_of(&auth);
    Ok(sse(state, channel, v).into_response())
}

/// `GET /api/v1/streaming/health`
pub async fn health() -> &'static str {
    "OK"
}

/// `GET /api/v1/streaming`: the WebSocket. The token comes in `Sec-WebSocket-Protocol` (and is
/// echoed back, as browsers require) or as `access_token`; `stream` subscribes at once.
pub async fn websocket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Q(q): Q<StreamQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let protocol = headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned());
    let token = protocol.clone().or(q.access_token.clone());
    let viewer = match &token {
        Some(t) => {
            let mut parts = axum::http::Request::builder()
                .header("authorization", format!("Bearer {t}"))
                .body(())
                .expect("request")
                .into_parts()
                .0;
            let auth =
                <Auth as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, &state).await?;
            Some(auth.member("read:statuses")?.actor.clone())
        }
        None => None,
    };
    let initial = q.stream.as_deref().and_then(|s| Channel::parse(s, q.tag.as_deref()));
    let ws = match protocol {
        Some(p) => ws.protocols([p]),
        None => ws,
    };
    Ok(ws.on_upgrade(move |socket| run_socket(state, socket, viewer, initial)))
}

async fn run_socket(state: AppState, mut socket: WebSocket, viewer: Option<ActorRow>, initial: Option<Channel>) {
    let mut channels: HashSet<Channel> = initial.into_iter().collect();
    let mut rx = state.events.subscribe();
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => {
                    if text.len() > 4096 {
                        continue;
                    }
                    let Ok(cmd) = serde_json::from_str::<Value>(&text) else { continue };
                    let Some(channel) = Channel::parse(cmd["stream"].as_str().unwrap_or_default(), cmd["tag"].as_str()) else {
                        let _ = socket.send(Message::Text(json!({ "error": "Unknown stream type", "status": 400 }).to_string().into())).await;
                        continue;
                    };
                    if channel == Channel::User && viewer.is_none() {
                        let _ = socket.send(Message::Text(json!({ "error": "Missing access token", "status": 401 }).to_string().into())).await;
                        continue;
                    }
                    match cmd["type"].as_str() {
                        Some("subscribe") if channels.len() < 16 => { channels.insert(channel); }
                        Some("unsubscribe") => { channels.remove(&channel); }
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            event = rx.recv() => match event {
                Ok(event) => {
                    for channel in channels.clone() {
                        match render(&state, &channel, viewer.as_ref(), event).await {
                            Ok(Some((name, payload))) => {
                                let frame = json!({ "stream": channel.names(), "event": name, "payload": payload });
                                if socket.send(Message::Text(frame.to_string().into())).await.is_err() {
                                    return;
                                }
                            }
                            Ok(None) => {}
                            Err(e) => tracing::error!(error = %e, "streaming"),
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}
