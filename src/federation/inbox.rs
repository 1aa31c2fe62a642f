//! Receiving activities over HTTP: the sender is verified (federation policy, HTTP signature,
//! origin) and the activity stored; `services::inbound` then processes stored activities,
//! idempotently, one module per family.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use url::Url;

use super::policy::{self, authority};
use super::protocol::id_of;
use super::remote::{refresh_actor, resolve_actor};
use super::signatures::{self, SignatureError};
use crate::app::AppState;
use crate::storage::actors::{self, ActorRow};
use crate::storage::{self, inbox};

/// Activities larger than this are refused.
pub const MAX_ACTIVITY_BYTES: usize = 256 * 1024;
/// A signature failing with a known key fetches the actor again only when it was fetched longer ago.
const KEY_REFETCH_SECONDS: i64 = 60;
/// Why the inbox refuses a request: always a 4xx with `{"error": ...}` a peer can log, except
/// when our own database fails (503, try again: nothing was stored).
#[derive(Debug)]
pub struct InboxError {
    pub status: StatusCode,
    pub message: String,
}

impl InboxError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        InboxError {
            status,
            message: message.into(),
        }
    }

    fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "this node does not federate with your domain")
    }

    fn busy(depth: i64) -> Self {
        tracing::warn!(depth, "inbox queue full: asking senders to try again later");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the node has too many activities to process; try again later",
        )
    }

    fn unavailable(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        tracing::error!(error = %e, "inbox");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the node cannot take activities now; try again",
        )
    }
}

impl IntoResponse for InboxError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(json!({ "error": self.message }))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("10"),
            );
        }
        r
    }
}

/// Finds and checks the actor who signed a request. `Ok(None)` means unsigned.
pub async fn verify_signed(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<Option<ActorRow>, InboxError> {
    if super::rfc9421::is_signed(headers) {
        return verify_rfc9421(state, method, uri, headers, body).await.map(Some);
    }
    let sig = match signatures::parse_signature(headers) {
        Ok(s) => s,
        Err(SignatureError::Missing) => return Ok(None),
        Err(e) => return Err(InboxError::unauthorized(e.to_string())),
    };
    let mut key_url = Url::parse(&sig.key_id).map_err(|_| InboxError::unauthorized("keyId is not a URL"))?;
    if !policy::allows(&state.config, &authority(&key_url)) {
        return Err(InboxError::forbidden());
    }
    // The signature covers `host` (checked by `verify_request`): it must name us, so that a
    // request signed for another server cannot be replayed here.
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !host.eq_ignore_ascii_case(&state.config.domain) {
        return Err(InboxError::unauthorized("the signature is for another host"));
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let known = actors::find_by_key_id(&state.db, &sig.key_id)
        .await
        .map_err(InboxError::unavailable)?;
    let actor = match known {
        Some(a) => a,
        None => {
            key_url.set_fragment(None);
            resolve_actor(state, &key_url).await.map_err(|e| {
                // The cause stays in our log: it may tell how a host name resolves here.
                tracing::info!(key = %sig.key_id, error = %e, "signing key not fetched");
                InboxError::unauthorized("the signing key could not be fetched")
            })?
        }
    };
    if actor.key_id != sig.key_id {
        return Err(InboxError::unauthorized("the key does not belong to a known actor"));
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
                .map_err(InboxError::unavailable)?;
            let fresh = refresh_actor(state, &Url::parse(&actor.ap_id).map_err(InboxError::unavailable)?)
                .await
                .map_err(|e| {
                    tracing::info!(actor = %actor.ap_id, error = %e, "signing key not refreshed");
                    InboxError::unauthorized("the signing key could not be fetched")
                })?;
            signatures::verify_request(method.as_str(), path, headers, body, &sig, &fresh.public_key_pem)
                .map(|()| Some(fresh))
                .map_err(|e| InboxError::unauthorized(e.to_string()))
        }
        Err(e) => Err(InboxError::unauthorized(e.to_string())),
    }
}

/// An RFC 9421 signed request: finds the key named by `keyid` (fetching its actor when unknown)
/// and verifies the signature over the request as it reached us.
async fn verify_rfc9421(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<ActorRow, InboxError> {
    let sig = super::rfc9421::parse(headers).map_err(|e| InboxError::unauthorized(e.to_string()))?;
    let key_id = sig
        .key_id
        .clone()
        .ok_or_else(|| InboxError::unauthorized("the signature names no keyid"))?;
    let mut key_url = Url::parse(&key_id).map_err(|_| InboxError::unauthorized("keyid is not a URL"))?;
    if !policy::allows(&state.config, &authority(&key_url)) {
        return Err(InboxError::forbidden());
    }
    key_url.set_fragment(None);
    let (actor, key) = super::remote::actor_key(state, &key_id, &key_url).await.map_err(|e| {
        tracing::info!(key = %key_id, error = %e, "signing key not found");
        InboxError::unauthorized("the signing key could not be found")
    })?;
    let target = state
        .urls
        .base()
        .join(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
        .map_err(|_| InboxError::bad_request("unreadable request target"))?;
    let request = super::rfc9421::Request {
        method: method.as_str(),
        target_uri: &target,
        headers,
    };
    let key = match &key {
        super::remote::ActorKey::Pem(pem) => super::rfc9421::Key::Pem(pem),
        super::remote::ActorKey::Ed25519(k) => super::rfc9421::Key::Ed25519(*k),
    };
    super::rfc9421::verify(&request, body, &sig, &key, storage::now().timestamp())
        .map_err(|e| InboxError::unauthorized(e.to_string()))?;
    Ok(actor)
}

/// `POST /inbox`, `/users/{name}/inbox`, `/groups/{name}/inbox`, `/actor/inbox`.
pub async fn post_inbox(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, InboxError> {
    if body.len() > MAX_ACTIVITY_BYTES {
        return Err(InboxError::new(StatusCode::PAYLOAD_TOO_LARGE, "activity too large"));
    }
    if String::from_utf8_lossy(&body).contains("\\u0000") {
        return Err(InboxError::bad_request("the activity contains a NUL character"));
    }
    let activity =
        serde_json::from_slice::<Value>(&body).map_err(|_| InboxError::bad_request("the body is not JSON"))?;
    let (Some(id), Some(actor_id)) = (
        activity.get("id").and_then(id_of),
        activity.get("actor").and_then(id_of),
    ) else {
        return Err(InboxError::bad_request("an activity needs an id and an actor"));
    };
    let kind = super::inbound::type_of(&activity).ok_or_else(|| InboxError::bad_request("an activity needs a type"))?;
    if !policy::allows(&state.config, &authority(&actor_id)) {
        return Err(InboxError::forbidden());
    }
    // Backpressure: a full queue is said before any work is spent on the request.
    let depth = state.inbox_backlog.depth(&state.db).await;
    if depth >= state.config.federation.inbox_queue_limit {
        return Err(InboxError::busy(depth));
    }
    if authority(&id) != authority(&actor_id) {
        return Err(InboxError::bad_request(
            "the activity id and its actor are on different hosts",
        ));
    }
    if authority(&actor_id) == state.config.domain {
        return Err(InboxError::bad_request(
            "activities of local actors are not accepted from outside",
        ));
    }
    // An actor deleting itself can no longer be fetched for its key: nothing of theirs is kept
    // that the Delete would need, so acknowledge it without work.
    let self_delete = kind == "Delete" && activity.get("object").and_then(id_of).as_ref() == Some(&actor_id);
    let signer = match verify_signed(&state, &method, &uri, &headers, Some(&body)).await {
        Ok(Some(a)) => a,
        Ok(None) => return Err(InboxError::unauthorized("missing HTTP signature")),
        Err(_)
            if self_delete
                && actors::find_by_ap_id(&state.db, actor_id.as_str())
                    .await
                    .ok()
                    .flatten()
                    .is_none() =>
        {
            return Ok(StatusCode::ACCEPTED);
        }
        Err(e) => return Err(e),
    };
    if signer.ap_id != actor_id.as_str() {
        return Err(InboxError::unauthorized("the signature is not the actor's"));
    }
    // Stored with the activities that arrive alongside it, in one commit (storage::batch).
    let (id, actor, payload) = (
        id.to_string(),
        actor_id.to_string(),
        String::from_utf8_lossy(&body).into_owned(),
    );
    state
        .db
        .write(move |tx| Box::pin(async move { inbox::insert(tx, &id, &actor, &payload, storage::now()).await }))
        .await
        .map_err(InboxError::unavailable)?;
    state.inbox_backlog.accepted();
    state.inbox_wake.notify_one();
    Ok(StatusCode::ACCEPTED)
}
