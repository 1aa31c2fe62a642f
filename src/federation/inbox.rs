//! Receiving activities. The HTTP side verifies the sender (federation policy, HTTP signature,
//! origin) and stores the activity; a worker then processes stored activities, idempotently.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use url::Url;

use super::fetch::FetchError;
use super::objects::{POST_TYPES, RemoteObject, remote_object_to_row};
use super::policy::{self, authority};
use super::protocol::id_of;
use super::relay::Relayed;
use super::remote::{ResolveError, refresh_actor, resolve_actor};
use super::signatures::{self, SignatureError};
use super::{activities, delivery, event_inbox};
use crate::app::AppState;
use crate::services::groups;
use crate::services::social::personal_inbox;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::{self, follows, inbox, posts};

/// Activities larger than this are refused.
pub const MAX_ACTIVITY_BYTES: usize = 256 * 1024;
/// A signature failing with a known key fetches the actor again only when it was fetched longer ago.
const KEY_REFETCH_SECONDS: i64 = 60;
/// Embedded activities (an Announce of a Create of a Note) deeper than this are refused.
const MAX_DEPTH: usize = 3;

fn reject(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// Finds and checks the actor who signed a request. `Ok(None)` means unsigned.
pub async fn verify_signed(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<Option<ActorRow>, (StatusCode, String)> {
    let sig = match signatures::parse_signature(headers) {
        Ok(s) => s,
        Err(SignatureError::Missing) => return Ok(None),
        Err(e) => return Err((StatusCode::UNAUTHORIZED, e.to_string())),
    };
    let mut key_url =
        Url::parse(&sig.key_id).map_err(|_| (StatusCode::UNAUTHORIZED, "keyId is not a URL".to_owned()))?;
    if !policy::allows(&state.config, &authority(&key_url)) {
        return Err((
            StatusCode::FORBIDDEN,
            "this node does not federate with your domain".into(),
        ));
    }
    // The signature covers `host` (checked by `verify_request`): it must name us, so that a
    // request signed for another server cannot be replayed here.
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !host.eq_ignore_ascii_case(&state.config.domain) {
        return Err((StatusCode::UNAUTHORIZED, "the signature is for another host".into()));
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let known = actors::find_by_key_id(&state.db, &sig.key_id).await.map_err(internal)?;
    let actor = match known {
        Some(a) => a,
        None => {
            key_url.set_fragment(None);
            resolve_actor(state, &key_url).await.map_err(|e| {
                // The cause stays in our log: it may tell how a host name resolves here.
                tracing::info!(key = %sig.key_id, error = %e, "signing key not fetched");
                (
                    StatusCode::UNAUTHORIZED,
                    "the signing key could not be fetched".to_owned(),
                )
            })?
        }
    };
    if actor.key_id != sig.key_id {
        return Err((
            StatusCode::UNAUTHORIZED,
            "the key does not belong to a known actor".into(),
        ));
    }
    match signatures::verify_request(method.as_str(), path, headers, body, &sig, &actor.public_key_pem) {
        Ok(()) => Ok(Some(actor)),
        // The actor may have rotated its key: fetch it again, at most once a minute per actor,
        // so that bad signatures cannot make us fetch the same actor over and over.
        Err(SignatureError::Invalid)
            if !actor.is_local()
                && actor
                    .fetched_at
                    .is_none_or(|t| storage::now() - t > chrono::Duration::seconds(KEY_REFETCH_SECONDS)) =>
        {
            actors::touch_fetched(&state.db, actor.id, storage::now())
                .await
                .map_err(internal)?;
            let fresh = refresh_actor(state, &Url::parse(&actor.ap_id).map_err(internal)?)
                .await
                .map_err(|e| {
                    tracing::info!(actor = %actor.ap_id, error = %e, "signing key not refreshed");
                    (
                        StatusCode::UNAUTHORIZED,
                        "the signing key could not be fetched".to_owned(),
                    )
                })?;
            signatures::verify_request(method.as_str(), path, headers, body, &sig, &fresh.public_key_pem)
                .map(|()| Some(fresh))
                .map_err(|e| (StatusCode::UNAUTHORIZED, e.to_string()))
        }
        Err(e) => Err((StatusCode::UNAUTHORIZED, e.to_string())),
    }
}

fn internal(e: impl Into<anyhow::Error>) -> (StatusCode, String) {
    let e = e.into();
    tracing::error!(error = %e, "inbox");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
}

/// `POST /inbox`, `/users/{name}/inbox`, `/groups/{name}/inbox`, `/actor/inbox`.
pub async fn post_inbox(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if body.len() > MAX_ACTIVITY_BYTES {
        return reject(StatusCode::PAYLOAD_TOO_LARGE, "activity too large");
    }
    if String::from_utf8_lossy(&body).contains("\\u0000") {
        return reject(StatusCode::BAD_REQUEST, "the activity contains a NUL character");
    }
    let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
        return reject(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let (Some(id), Some(actor_id)) = (
        activity.get("id").and_then(id_of),
        activity.get("actor").and_then(id_of),
    ) else {
        return reject(StatusCode::BAD_REQUEST, "an activity needs an id and an actor");
    };
    if activity["type"].as_str().is_none() {
        return reject(StatusCode::BAD_REQUEST, "an activity needs a type");
    }
    if !policy::allows(&state.config, &authority(&actor_id)) {
        return reject(StatusCode::FORBIDDEN, "this node does not federate with your domain");
    }
    if authority(&id) != authority(&actor_id) {
        return reject(
            StatusCode::BAD_REQUEST,
            "the activity id and its actor are on different hosts",
        );
    }
    if authority(&actor_id) == state.config.domain {
        return reject(
            StatusCode::BAD_REQUEST,
            "activities of local actors are not accepted from outside",
        );
    }
    // An actor deleting itself can no longer be fetched for its key: nothing of theirs is kept
    // that the Delete would need, so acknowledge it without work.
    let self_delete =
        activity["type"] == "Delete" && activity.get("object").and_then(id_of).as_ref() == Some(&actor_id);
    let signer = match verify_signed(&state, &method, &uri, &headers, Some(&body)).await {
        Ok(Some(a)) => a,
        Ok(None) => return reject(StatusCode::UNAUTHORIZED, "missing HTTP signature"),
        Err(_)
            if self_delete
                && actors::find_by_ap_id(&state.db, actor_id.as_str())
                    .await
                    .ok()
                    .flatten()
                    .is_none() =>
        {
            return StatusCode::ACCEPTED.into_response();
        }
        Err((status, message)) => return reject(status, &message),
    };
    if signer.ap_id != actor_id.as_str() {
        return reject(StatusCode::UNAUTHORIZED, "the signature is not the actor's");
    }
    match inbox::insert(
        &state.db,
        id.as_str(),
        actor_id.as_str(),
        &String::from_utf8_lossy(&body),
        storage::now(),
    )
    .await
    {
        Ok(_) => {
            state.inbox_wake.notify_one();
            StatusCode::ACCEPTED.into_response()
        }
        Err(e) => internal(e).into_response(),
    }
}

/// Why processing an activity stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// Worth trying again (a remote server did not answer).
    #[error("temporary: {0}")]
    Temporary(String),
    /// The activity is not acceptable; it is dropped.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ProcessError {
    fn from(e: sqlx::Error) -> Self {
        ProcessError::Internal(e.into())
    }
}

impl From<ResolveError> for ProcessError {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::Fetch(FetchError::Network(..)) | ResolveError::Fetch(FetchError::Status(..)) => {
                ProcessError::Temporary(e.to_string())
            }
            other => ProcessError::Invalid(other.to_string()),
        }
    }
}

pub(super) fn invalid(m: impl Into<String>) -> ProcessError {
    ProcessError::Invalid(m.into())
}

/// Activities of one sending host processed at once in this process.
const PER_HOST: usize = 4;
/// Batches of claimed activities in flight at once in this process.
const BATCHES: usize = 4;
/// One activity (its turn in its lane and its processing, fetches included) gets this long;
/// then it is tried again later, and the lease (60 s) has not run out.
const DEADLINE: Duration = Duration::from_secs(45);

/// Who waits for whom while activities are processed concurrently: activities of one actor in
/// the order they arrived (a Delete never overtakes its Create), and at most [`PER_HOST`] of one
/// sending host at once, so that one slow or flooding host cannot hold up the others.
#[derive(Default)]
pub struct Lanes {
    hosts: delivery::HostLimits,
    actors: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl Lanes {
    fn actor(&self, ap_id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut map = self.actors.lock().expect("inbox lanes lock");
        // Forget the lanes nobody holds or waits for.
        if map.len() > 1024 {
            map.retain(|_, l| std::sync::Arc::strong_count(l) > 1);
        }
        map.entry(ap_id.to_owned()).or_default().clone()
    }
}

/// Processes one claimed activity and records the outcome.
async fn handle(state: &AppState, lanes: &Lanes, row: inbox::InboxRow) -> anyhow::Result<()> {
    let host = Url::parse(&row.actor_ap_id).map(|u| authority(&u)).unwrap_or_default();
    let work = async {
        let lane = lanes.actor(&row.actor_ap_id);
        let _turn = lane.lock().await;
        let _permit = lanes.hosts.acquire(&host, PER_HOST).await;
        match serde_json::from_str::<Value>(&row.payload) {
            Ok(activity) => match actors::find_by_ap_id(&state.db, &row.actor_ap_id).await? {
                Some(actor) => process(state, &actor, &activity, 0).await,
                None => Err(invalid("unknown actor")),
            },
            Err(e) => Err(invalid(e.to_string())),
        }
    };
    let result = tokio::time::timeout(DEADLINE, work)
        .await
        .unwrap_or_else(|_| Err(ProcessError::Temporary("processing took too long".into())));
    let now = storage::now();
    match result {
        Ok(()) => {
            tracing::debug!(activity = %row.ap_id, "activity processed");
            inbox::finish(&state.db, row.id, None, None, now).await?
        }
        Err(ProcessError::Temporary(e)) if row.attempts < 5 => {
            // 2, 4, 8, 16 seconds: a peer that was briefly busy is tried again soon.
            let retry_at = now + chrono::Duration::seconds(2i64 << row.attempts.clamp(0, 4));
            tracing::info!(activity = %row.ap_id, error = %e, %retry_at, "activity will be processed again");
            inbox::finish(&state.db, row.id, Some(&e), Some(retry_at), now).await?
        }
        Err(e) => {
            tracing::info!(activity = %row.ap_id, error = %e, "activity dropped");
            inbox::finish(&state.db, row.id, Some(&e.to_string()), None, now).await?
        }
    }
    Ok(())
}

/// Processes a batch concurrently (see [`Lanes`]); returns when every activity of it is done.
async fn process_batch(state: &AppState, lanes: &Lanes, rows: Vec<inbox::InboxRow>) {
    futures::future::join_all(rows.into_iter().map(|row| async move {
        if let Err(e) = handle(state, lanes, row).await {
            tracing::error!(error = %e, "inbox worker");
        }
    }))
    .await;
}

async fn claim(state: &AppState) -> anyhow::Result<Vec<inbox::InboxRow>> {
    let now = storage::now();
    Ok(inbox::claim(&state.db, now, now + chrono::Duration::seconds(60), 32).await?)
}

/// Processes one batch of stored activities; returns how many were handled.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    let rows = claim(state).await?;
    let n = rows.len();
    process_batch(state, &Lanes::default(), rows).await;
    Ok(n)
}

/// The inbox worker of this process: keeps up to [`BATCHES`] batches in flight, so activities
/// that arrive while a slow one is fetching are taken at once.
pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let lanes = std::sync::Arc::new(Lanes::default());
        let mut running = tokio::task::JoinSet::new();
        loop {
            if running.len() < BATCHES {
                match claim(&state).await {
                    Ok(rows) if !rows.is_empty() => {
                        let (state, lanes) = (state.clone(), lanes.clone());
                        running.spawn(async move { process_batch(&state, &lanes, rows).await });
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "inbox worker"),
                }
            }
            tokio::select! {
                _ = state.inbox_wake.notified() => {}
                Some(_) = running.join_next() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}

/// The object of an activity: embedded, or fetched by id (only from its own origin).
pub(super) async fn object_of(state: &AppState, activity: &Value) -> Result<Value, ProcessError> {
    match &activity["object"] {
        Value::Object(_) => Ok(activity["object"].clone()),
        Value::String(s) => {
            let url = Url::parse(s).map_err(|_| invalid("object is not a URL"))?;
            if let Some(p) = posts::find_by_ap_id(&state.db, url.as_str()).await? {
                return Ok(json!({ "id": p.ap_id, "type": p.kind }));
            }
            let signer = super::remote::node_signer(state).await?;
            let (final_url, doc) = super::fetch::fetch_json(state, &url, &signer)
                .await
                .map_err(ResolveError::from)?;
            if doc.get("id").and_then(id_of).map(|i| authority(&i)) != Some(authority(&final_url)) {
                return Err(invalid("fetched object is not from its origin"));
            }
            Ok(doc)
        }
        _ => Err(invalid("no object")),
    }
}

/// Handles one activity from `actor` (already authenticated, or vouched for by a group).
pub async fn process(state: &AppState, actor: &ActorRow, activity: &Value, depth: usize) -> Result<(), ProcessError> {
    if depth > MAX_DEPTH {
        return Err(invalid("activities nested too deeply"));
    }
    let kind = activity["type"].as_str().unwrap_or_default();
    match kind {
        "Follow" => on_follow(state, actor, activity).await,
        "Join" | "Leave" => event_inbox::on_join_or_leave(state, actor, activity).await,
        "TentativeAccept" => event_inbox::on_maybe(state, actor, activity).await,
        "Invite" => event_inbox::on_invite(state, actor, activity).await,
        "Undo" => on_undo(state, actor, activity).await,
        "Accept" => on_answer(state, actor, activity, true).await,
        "Reject" => on_answer(state, actor, activity, false).await,
        "Create" | "Update" => on_create_or_update(state, actor, activity, kind == "Update", None).await,
        "Delete" => on_delete(state, actor, activity).await,
        "Like" => on_like(state, actor, activity).await,
        "Announce" => on_announce(state, actor, activity, depth).await,
        "Block" => {
            // A group banning one of our members: their membership ends.
            if let Some(member) = activity.get("object").and_then(id_of)
                && let Some(m) = actors::find_by_ap_id(&state.db, member.as_str()).await?
            {
                let mut tx = state.db.begin().await?;
                follows::delete(&mut tx, m.id, actor.id).await?;
                tx.commit().await?;
            }
            Ok(())
        }
        "Add" | "Remove" | "Lock" if actor.kind == KIND_GROUP => {
            on_group_post_moderation(state, actor, activity, false).await
        }
        // Moderators, reports and the rest are accepted and not acted on yet.
        _ => Ok(()),
    }
}

async fn on_follow(state: &AppState, actor: &ActorRow, activity: &Value) -> Result<(), ProcessError> {
    let target_id = activity
        .get("object")
        .and_then(id_of)
        .ok_or_else(|| invalid("Follow without object"))?;
    let target = actors::find_by_ap_id(&state.db, target_id.as_str())
        .await?
        .filter(|t| t.is_local())
        .ok_or_else(|| invalid("Follow of an unknown local actor"))?;
    let follow_id = activity["id"].as_str().unwrap_or_default().to_owned();
    let banned = target.kind == KIND_GROUP && storage::groups::is_banned(&state.db, target.id, actor.id).await?;
    let mut tx = state.db.begin().await?;
    let answer = if banned {
        Some("Reject")
    } else {
        let existing = follows::find(&state.db, actor.id, target.id).await?;
        let accept_now = !target.manually_approves_followers || existing.as_ref().is_some_and(|f| f.accepted);
        follows::upsert(&mut tx, actor.id, target.id, Some(&follow_id), accept_now).await?;
        accept_now.then_some("Accept")
    };
    if let Some(kind) = answer {
        let follow = activities::follow(&follow_id, &actor.ap_id, &target.ap_id);
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        delivery::queue(
            &mut tx,
            &target,
            &activities::answer_follow(kind, &id, &target.ap_id, follow),
            &personal_inbox(state, actor),
        )
        .await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    if !banned {
        let kind = if answer.is_some() { "follow" } else { "follow_request" };
        crate::services::notify::followed(state, actor.id, target.id, kind).await;
    }
    Ok(())
}

async fn on_undo(state: &AppState, actor: &ActorRow, activity: &Value) -> Result<(), ProcessError> {
    let inner = &activity["object"];
    let inner_kind = inner["type"].as_str().unwrap_or_default();
    let inner_id = id_of(inner).map(|u| u.to_string()).unwrap_or_default();
    if inner.is_object() && inner.get("actor").and_then(id_of).map(|u| u.to_string()).as_deref() != Some(&actor.ap_id) {
        return Err(invalid("Undo of someone else's activity"));
    }
    if inner_kind == "Lock" && actor.kind == KIND_GROUP {
        return on_group_post_moderation(state, actor, inner, true).await;
    }
    match inner_kind {
        "Follow" => {
            if let Some(target) = inner.get("object").and_then(id_of)
                && let Some(t) = actors::find_by_ap_id(&state.db, target.as_str()).await?
            {
                let mut tx = state.db.begin().await?;
                follows::delete(&mut tx, actor.id, t.id).await?;
                tx.commit().await?;
            }
        }
        _ => {
            // Like, Announce, or an id only: remove the reaction it created, if any.
            posts::remove_reaction_by_ap_id(&state.db, &inner_id, actor.id).await?;
        }
    }
    Ok(())
}

async fn on_answer(state: &AppState, actor: &ActorRow, activity: &Value, accepted: bool) -> Result<(), ProcessError> {
    let inner = &activity["object"];
    if inner["type"] == "Join" {
        return event_inbox::on_join_answer(state, activity, accepted).await;
    }
    if event_inbox::on_rsvp(state, actor, activity, accepted).await? {
        return Ok(());
    }
    // Our follow of `actor` was accepted or rejected (or, later, the member removed).
    let follower = match inner.get("actor").and_then(id_of) {
        Some(a) => actors::find_by_ap_id(&state.db, a.as_str()).await?,
        None => None,
    };
    let follows_row = match follower {
        Some(f) => follows::find(&state.db, f.id, actor.id).await?,
        None => None,
    };
    let Some(f) = follows_row else { return Ok(()) };
    if accepted {
        follows::set_accepted(&state.db, f.follower_id, f.followed_id).await?;
    } else {
        let mut tx = state.db.begin().await?;
        follows::delete(&mut tx, f.follower_id, f.followed_id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The local group a post is meant for: named in its addressing or `audience`, mentioned, or
/// the group of the post it answers.
async fn local_target_group(state: &AppState, o: &RemoteObject) -> Result<Option<ActorRow>, ProcessError> {
    let mut candidates = o.recipients();
    candidates.extend(o.mentions());
    for c in candidates {
        let Ok(url) = Url::parse(&c) else { continue };
        if authority(&url) != state.config.domain {
            continue;
        }
        let path = url.path().trim_end_matches("/followers");
        if let Some(name) = path.strip_prefix("/groups/")
            && let Some(g) = actors::find_local(&state.db, name)
                .await?
                .filter(|a| a.kind == KIND_GROUP)
        {
            return Ok(Some(g));
        }
    }
    if let Some(parent) = o.in_reply_to()
        && let Some(p) = posts::find_by_ap_id(&state.db, parent.as_str()).await?
        && let Some(gid) = p.group_id
    {
        return Ok(actors::find_by_id(&state.db, gid).await?.filter(|g| g.is_local()));
    }
    Ok(None)
}

/// A remote group named in a post's addressing, if we know it.
async fn remote_group(state: &AppState, o: &RemoteObject) -> Result<Option<ActorRow>, ProcessError> {
    for c in o.recipients() {
        if let Some(a) = actors::find_by_ap_id(&state.db, &c).await?
            && a.kind == KIND_GROUP
        {
            return Ok(Some(a));
        }
    }
    Ok(None)
}

async fn on_create_or_update(
    state: &AppState,
    actor: &ActorRow,
    activity: &Value,
    update: bool,
    via_group: Option<&ActorRow>,
) -> Result<(), ProcessError> {
    let object = object_of(state, activity).await?;
    let kind = object["type"].as_str().unwrap_or_default();
    if kind == "Event" {
        return event_inbox::on_event(state, actor, &object, via_group, false).await;
    }
    if ["Person", "Group", "Service", "Application", "Organization"].contains(&kind) {
        if update && object.get("id").and_then(id_of).map(|u| u.to_string()).as_deref() == Some(&actor.ap_id) {
            refresh_actor(state, &Url::parse(&actor.ap_id).map_err(|e| invalid(e.to_string()))?).await?;
        }
        return Ok(());
    }
    if !POST_TYPES.contains(&kind) {
        return Ok(());
    }
    let o: RemoteObject =
        serde_json::from_value(object.clone()).map_err(|e| invalid(format!("unreadable object: {e}")))?;
    // Only the author's own server may speak for the object.
    let author_id = o.author().ok_or_else(|| invalid("object without attributedTo"))?;
    if author_id.as_str() != actor.ap_id || authority(&o.id) != authority(&author_id) {
        return Err(invalid("the object is not the actor's own"));
    }
    if let Some(existing) = posts::find_by_ap_id(&state.db, o.id.as_str()).await? {
        if update && existing.author_id == actor.id && existing.deleted_at.is_none() {
            let row = remote_object_to_row(&o, actor.id, existing.group_id, &existing.visibility);
            let mut tx = state.db.begin().await?;
            posts::update_content(
                &mut tx,
                existing.id,
                row.title.as_deref(),
                &row.content_html,
                row.updated_at.unwrap_or_else(storage::now),
            )
            .await?;
            if let Some(g) = local_group_of(state, &existing).await? {
                let members = follows::follower_actors(&state.db, g.0.id).await?;
                groups::fan_out(&mut tx, state, &g.0, g.1.members_only(), &members, activity, None).await?;
            }
            tx.commit().await?;
            state.delivery_wake.notify_one();
        }
        return Ok(());
    }
    let local_group = match via_group {
        Some(_) => None,
        None => local_target_group(state, &o).await?,
    };
    let mut created = None;
    let mut tx = state.db.begin().await?;
    if let Some(group) = local_group {
        let row = storage::groups::find(&state.db, group.id)
            .await?
            .ok_or_else(|| invalid("group without policy"))?;
        if let Err(why) = groups::may_post(state, &group, &row, actor).await? {
            return Err(invalid(format!("{} refused: {why}", group.ap_id)));
        }
        if let Some(parent) = o.in_reply_to()
            && let Some(p) = posts::find_by_ap_id(&state.db, parent.as_str()).await?
            && posts::thread_root(&state.db, &p).await?.locked
        {
            return Err(invalid("the thread is locked"));
        }
        let visibility = if row.members_only() {
            "members"
        } else if o.is_public() {
            "public"
        } else {
            "unlisted"
        };
        let post = remote_object_to_row(&o, actor.id, Some(group.id), visibility);
        if posts::insert(&mut tx, &post).await? {
            created = Some(post.clone());
            let members = follows::follower_actors(&state.db, group.id).await?;
            groups::fan_out(
                &mut tx,
                state,
                &group,
                row.members_only(),
                &members,
                activity,
                (!row.members_only()).then_some(o.id.as_str()),
            )
            .await?;
        }
    } else {
        let group = match via_group {
            Some(g) => Some(g.clone()),
            None => remote_group(state, &o).await?,
        };
        let members_only = match &group {
            Some(g) => storage::groups::find(&state.db, g.id)
                .await?
                .is_some_and(|r| r.members_only()),
            None => false,
        };
        let visibility = if o.is_public() && !members_only {
            "public"
        } else if group.is_some() {
            "members"
        } else {
            "direct"
        };
        let post = remote_object_to_row(&o, actor.id, group.map(|g| g.id), visibility);
        if posts::insert(&mut tx, &post).await? {
            created = Some(post);
        }
    }
    tx.commit().await?;
    if let Some(post) = created {
        crate::services::notify::post_created(state, &post).await;
    }
    state.delivery_wake.notify_one();
    Ok(())
}

async fn local_group_of(
    state: &AppState,
    post: &posts::PostRow,
) -> Result<Option<(ActorRow, storage::groups::GroupRow)>, ProcessError> {
    let Some(gid) = post.group_id else { return Ok(None) };
    let Some(g) = actors::find_by_id(&state.db, gid).await?.filter(|g| g.is_local()) else {
        return Ok(None);
    };
    Ok(storage::groups::find(&state.db, gid).await?.map(|r| (g, r)))
}

async fn on_delete(state: &AppState, actor: &ActorRow, activity: &Value) -> Result<(), ProcessError> {
    let object_id = activity
        .get("object")
        .and_then(id_of)
        .ok_or_else(|| invalid("Delete without object"))?;
    if object_id.as_str() == actor.ap_id {
        // The actor deleted itself: it no longer follows or is followed by anyone here.
        let mut tx = state.db.begin().await?;
        follows::delete_all_of(&mut tx, actor.id).await?;
        tx.commit().await?;
        actors::set_suspended(&state.db, actor.id, Some(storage::now())).await?;
        return Ok(());
    }
    if event_inbox::on_delete(state, actor, &object_id).await? {
        return Ok(());
    }
    let Some(post) = posts::find_by_ap_id(&state.db, object_id.as_str()).await? else {
        return Ok(());
    };
    if post.deleted_at.is_some() {
        return Ok(());
    }
    // The author, or the group the post is in (a steward's removal), may delete it.
    let by_group = post.group_id == Some(actor.id);
    if post.author_id != actor.id && !by_group {
        return Err(invalid("Delete of someone else's post"));
    }
    let mut tx = state.db.begin().await?;
    posts::mark_deleted(&mut tx, post.id, storage::now()).await?;
    if !by_group && let Some(g) = local_group_of(state, &post).await? {
        let members = follows::follower_actors(&state.db, g.0.id).await?;
        groups::fan_out(&mut tx, state, &g.0, g.1.members_only(), &members, activity, None).await?;
    }
    tx.commit().await?;
    state.publish(crate::app::Event::Delete(post.id));
    state.delivery_wake.notify_one();
    Ok(())
}

async fn on_like(state: &AppState, actor: &ActorRow, activity: &Value) -> Result<(), ProcessError> {
    let object_id = activity
        .get("object")
        .and_then(id_of)
        .ok_or_else(|| invalid("Like without object"))?;
    if let Some(post) = posts::find_by_ap_id(&state.db, object_id.as_str()).await?
        && posts::add_reaction(
            &state.db,
            "like",
            activity["id"].as_str(),
            actor.id,
            post.id,
            storage::now(),
        )
        .await?
    {
        crate::services::notify::reacted(state, "favourite", actor.id, &post).await;
    }
    Ok(())
}

/// An Announce: from a group, of an activity (FEP-1b12) or of an object; from anyone else, a boost.
async fn on_announce(state: &AppState, actor: &ActorRow, activity: &Value, depth: usize) -> Result<(), ProcessError> {
    let inner = &activity["object"];
    let inner_type = inner["type"].as_str().unwrap_or_default();
    if actor.kind == KIND_GROUP && inner.is_object() && !POST_TYPES.contains(&inner_type) {
        // The group relays an activity: only what the relay rule confirms is acted on.
        return match super::relay::check(state, actor, inner).await? {
            Relayed::Moderation(m) if m["type"] == "Block" => {
                // A steward banned someone: their membership of the group ends here.
                if let Some(member) = m.get("object").and_then(id_of)
                    && let Some(row) = actors::find_by_ap_id(&state.db, member.as_str()).await?
                {
                    let mut tx = state.db.begin().await?;
                    follows::delete(&mut tx, row.id, actor.id).await?;
                    tx.commit().await?;
                }
                Ok(())
            }
            Relayed::Moderation(m) => on_group_post_moderation(state, actor, &m, false).await,
            Relayed::Activity {
                actor: inner_actor,
                activity,
            } => {
                if !policy::allows(&state.config, &authority(&inner_actor)) {
                    return Ok(());
                }
                let author = resolve_actor(state, &inner_actor).await?;
                match inner_type {
                    "Create" | "Update" => {
                        Box::pin(on_create_or_update(
                            state,
                            &author,
                            &activity,
                            inner_type == "Update",
                            Some(actor),
                        ))
                        .await
                    }
                    "Delete" => Box::pin(on_delete(state, &author, &activity)).await,
                    "Like" => Box::pin(on_like(state, &author, &activity)).await,
                    _ => Box::pin(process(state, &author, &activity, depth + 1)).await,
                }
            }
        };
    }
    // An Announce of an object: store it if new (from its origin), and record the boost.
    let object_id = id_of(inner).ok_or_else(|| invalid("Announce without object"))?;
    let post = match posts::find_by_ap_id(&state.db, object_id.as_str()).await? {
        Some(p) => p,
        None => {
            let object = object_of(state, &json!({ "object": object_id.as_str() })).await?;
            let o: RemoteObject = serde_json::from_value(object).map_err(|e| invalid(e.to_string()))?;
            let author_id = o.author().ok_or_else(|| invalid("object without author"))?;
            if authority(&author_id) != authority(&o.id) {
                return Err(invalid("object attributed to another host"));
            }
            let author = resolve_actor(state, &author_id).await?;
            let group = if actor.kind == KIND_GROUP { Some(actor.id) } else { None };
            let visibility = if o.is_public() { "public" } else { "direct" };
            let row = remote_object_to_row(&o, author.id, group, visibility);
            let mut tx = state.db.begin().await?;
            let new = posts::insert(&mut tx, &row).await?;
            tx.commit().await?;
            // Whichever way a post first arrives (its Create, or a group's Announce of it),
            // the people it mentions or answers are told once.
            if new {
                crate::services::notify::post_created(state, &row).await;
            }
            posts::find_by_ap_id(&state.db, o.id.as_str())
                .await?
                .ok_or_else(|| invalid("post vanished"))?
        }
    };
    if posts::add_reaction(
        &state.db,
        "announce",
        activity["id"].as_str(),
        actor.id,
        post.id,
        storage::now(),
    )
    .await?
        && actor.kind != KIND_GROUP
    {
        crate::services::notify::reacted(state, "reblog", actor.id, &post).await;
    }
    Ok(())
}

/// A remote group pinning (Add to featured), unpinning (Remove) or locking a post in it.
async fn on_group_post_moderation(
    state: &AppState,
    group: &ActorRow,
    activity: &Value,
    undo: bool,
) -> Result<(), ProcessError> {
    let Some(object) = activity.get("object").and_then(id_of) else {
        return Ok(());
    };
    let Some(post) = posts::find_by_ap_id(&state.db, object.as_str()).await? else {
        return Ok(());
    };
    if post.group_id != Some(group.id) {
        return Err(invalid("a group acting on a post outside it"));
    }
    let target = activity.get("target").and_then(id_of).map(|u| u.to_string());
    let mut tx = state.db.begin().await?;
    match activity["type"].as_str().unwrap_or_default() {
        "Add" if target.is_some() && target == group.featured_url => {
            posts::set_pinned(&mut tx, post.id, Some(storage::now())).await?
        }
        "Remove" if target.is_some() && target == group.featured_url => {
            posts::set_pinned(&mut tx, post.id, None).await?
        }
        "Lock" => posts::set_locked(&mut tx, post.id, !undo).await?,
        _ => {}
    }
    tx.commit().await?;
    Ok(())
}
