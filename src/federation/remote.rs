//! Remote actors: fetched, checked against their origin, stored and cached.

use chrono::Duration;
use url::Url;

use super::fetch::{self, FetchError};
use super::policy::authority;
use super::protocol::{RemoteActor, first_url};
use super::signatures::SigningKey;
use crate::app::AppState;
use crate::ids;
use crate::storage::actors::{self, ActorRow};
use crate::storage::{self};

/// How long a fetched actor is trusted before it is fetched again.
pub const ACTOR_TTL_HOURS: i64 = 24;

/// The key the node signs its own fetches with (the application actor's).
pub async fn node_signer(state: &AppState) -> anyhow::Result<SigningKey> {
    let app = super::actors::ensure_application_actor(state).await?;
    SigningKey::from_pem(&app.key_id, app.private_key_pem.as_deref().unwrap_or_default())
}

/// The signing key of a local actor.
pub fn signer_of(actor: &ActorRow) -> anyhow::Result<SigningKey> {
    let pem = actor
        .private_key_pem
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("{} has no private key", actor.ap_id))?;
    SigningKey::from_pem(&actor.key_id, pem)
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{0}: not a usable actor: {1}")]
    Invalid(String, String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ResolveError {
    fn from(e: sqlx::Error) -> Self {
        ResolveError::Internal(e.into())
    }
}

/// Converts a fetched actor into a row (keeping `id` and `created_at` of a known one).
pub fn remote_actor_to_row(a: &RemoteActor, existing: Option<&ActorRow>) -> Result<ActorRow, String> {
    let domain = authority(&a.id);
    if a.public_key.owner != a.id {
        return Err("publicKey.owner is not the actor".into());
    }
    let username = a
        .preferred_username
        .clone()
        .filter(|u| !u.is_empty() && u.len() <= 100)
        .unwrap_or_else(|| {
            a.id.path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .unwrap_or_default()
        });
    let now = storage::now();
    let clip = |s: &Option<String>, n: usize| s.as_deref().unwrap_or_default().chars().take(n).collect::<String>();
    Ok(ActorRow {
        id: existing.map(|e| e.id).unwrap_or_else(|| ids::id_at(now)),
        kind: match a.kind.as_str() {
            "Group" => "Group",
            "Application" => "Application",
            "Service" => "Service",
            _ => "Person",
        }
        .to_owned(),
        username,
        domain: Some(domain),
        ap_id: a.id.to_string(),
        url: first_url(&a.url).map(|u| u.to_string()),
        inbox_url: a.inbox.to_string(),
        shared_inbox_url: a
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .map(Url::to_string),
        outbox_url: a.outbox.as_ref().map(Url::to_string),
        followers_url: a.followers.as_ref().map(Url::to_string),
        following_url: a.following.as_ref().map(Url::to_string),
        featured_url: a.featured.as_ref().map(Url::to_string),
        display_name: clip(&a.name, 200),
        summary_source: String::new(),
        summary_html: crate::model::sanitize_html(&clip(&a.summary, 5000)),
        avatar_url: first_url(&a.icon).map(|u| u.to_string()),
        header_url: first_url(&a.image).map(|u| u.to_string()),
        key_id: a.public_key.id.clone(),
        public_key_pem: a.public_key.public_key_pem.clone(),
        private_key_pem: None,
        manually_approves_followers: a.manually_approves_followers.unwrap_or(false),
        discoverable: a.discoverable.unwrap_or(false),
        suspended_at: existing.and_then(|e| e.suspended_at),
        fetched_at: Some(now),
        created_at: existing.map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
    })
}

/// Fetches an actor by id and stores it, whatever the cache says.
pub async fn refresh_actor(state: &AppState, id: &Url) -> Result<ActorRow, ResolveError> {
    let signer = node_signer(state).await?;
    let (final_url, doc) = fetch::fetch_json(state, id, &signer).await?;
    let ed25519 = super::integrity::published_key(&doc);
    let actor: RemoteActor =
        serde_json::from_value(doc).map_err(|e| ResolveError::Invalid(id.to_string(), e.to_string()))?;
    // The document must come from the origin of its id.
    if authority(&actor.id) != authority(&final_url) || authority(&actor.id) != authority(id) {
        return Err(ResolveError::Invalid(
            id.to_string(),
            "its id is on another host".into(),
        ));
    }
    if actor.id.as_str() == state.urls.base().as_str() || authority(&actor.id) == state.config.domain {
        return Err(ResolveError::Invalid(id.to_string(), "a local id".into()));
    }
    let existing = actors::find_by_ap_id(&state.db, actor.id.as_str()).await?;
    let row = remote_actor_to_row(&actor, existing.as_ref()).map_err(|e| ResolveError::Invalid(id.to_string(), e))?;
    actors::upsert_remote(&state.db, &row).await?;
    let stored = actors::find_by_ap_id(&state.db, &row.ap_id).await?.unwrap_or(row);
    if let Some((key_id, public)) = ed25519 {
        crate::storage::actor_keys::upsert_remote(&state.db, stored.id, &key_id, &public).await?;
    }
    if stored.kind == actors::KIND_GROUP {
        // A group that approves its members is treated as a members-only space.
        crate::storage::groups::upsert_remote(
            &state.db,
            stored.id,
            stored.manually_approves_followers,
            actor.posting_restricted_to_mods.unwrap_or(false),
            storage::now(),
        )
        .await?;
    }
    Ok(stored)
}

/// An actor by id: local, cached, or fetched.
pub async fn resolve_actor(state: &AppState, id: &Url) -> Result<ActorRow, ResolveError> {
    if let Some(a) = actors::find_by_ap_id(&state.db, id.as_str()).await? {
        let fresh = a
            .fetched_at
            .is_some_and(|t| storage::now() - t < Duration::hours(ACTOR_TTL_HOURS));
        if a.is_local() || fresh {
            return Ok(a);
        }
        return match refresh_actor(state, id).await {
            Ok(a) => Ok(a),
            // A server that is down for a while should not make its cached actors unusable.
            Err(ResolveError::Fetch(FetchError::Network(..))) => Ok(a),
            Err(e) => Err(e),
        };
    }
    if authority(id) == state.config.domain {
        return Err(ResolveError::Invalid(id.to_string(), "no such local actor".into()));
    }
    refresh_actor(state, id).await
}

/// An actor by `name@domain` handle (with or without leading `@`), local or remote.
pub async fn resolve_handle(state: &AppState, handle: &str) -> Result<ActorRow, ResolveError> {
    let h = handle.trim().trim_start_matches('@');
    let (name, domain) = h.split_once('@').unwrap_or((h, state.config.domain.as_str()));
    if domain.eq_ignore_ascii_case(&state.config.domain) {
        return actors::find_local(&state.db, name)
            .await?
            .ok_or_else(|| ResolveError::Invalid(handle.to_owned(), "no such local actor".into()));
    }
    if let Some(a) = actors::find_remote(&state.db, name, &domain.to_ascii_lowercase()).await? {
        return Ok(a);
    }
    let id = fetch::webfinger(state, name, domain).await?;
    resolve_actor(state, &id).await
}

/// A public key an actor signs with.
pub enum ActorKey {
    /// Its `publicKey` (RSA, or Ed25519 as PEM).
    Pem(String),
    /// Its FEP-521a Multikey.
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// The actor whose key is `key_id` (its `publicKey` or its Multikey), and the key: known here,
/// or read from `actor_id`'s document (the key id without its fragment).
pub async fn actor_key(state: &AppState, key_id: &str, actor_id: &Url) -> Result<(ActorRow, ActorKey), ResolveError> {
    let known = match actors::find_by_key_id(&state.db, key_id).await? {
        Some(a) => Some(a),
        None => match crate::storage::actor_keys::find_by_key_id(&state.db, key_id).await? {
            Some(k) => actors::find_by_id(&state.db, k.actor_id).await?,
            None => None,
        },
    };
    let actor = match known {
        Some(a) => a,
        None => refresh_actor(state, actor_id).await?,
    };
    if actor.key_id == key_id {
        let pem = actor.public_key_pem.clone();
        return Ok((actor, ActorKey::Pem(pem)));
    }
    let multikey = crate::storage::actor_keys::find(&state.db, actor.id)
        .await?
        .filter(|k| k.key_id == key_id)
        .and_then(|k| super::integrity::verifying_key(&k.public_multibase).ok());
    match multikey {
        Some(k) => Ok((actor, ActorKey::Ed25519(k))),
        None => Err(ResolveError::Invalid(
            key_id.to_owned(),
            "not a key of its actor".into(),
        )),
    }
}

/// An actor named by a handle (`name`, `name@domain`, `@name@domain`) or by its id (a URL, as
/// the command line and ActivityPub print them).
pub async fn resolve_reference(state: &AppState, reference: &str) -> Result<ActorRow, ResolveError> {
    let reference = reference.trim();
    if reference.starts_with("https://") || reference.starts_with("http://") {
        let id = Url::parse(reference).map_err(|e| ResolveError::Invalid(reference.to_owned(), e.to_string()))?;
        return resolve_actor(state, &id).await;
    }
    resolve_handle(state, reference).await
}

/// Pages of a group's member list read to find one member.
const MEMBER_LIST_PAGES: usize = 50;

/// Whether a remote group's host lists `member` (an actor id) among the group's members: its
/// followers collection, fetched signed by `signer` (a member here: a members-only group shows
/// its list only to members), at most [`MEMBER_LIST_PAGES`] pages.
pub async fn group_lists_member(
    state: &AppState,
    group: &ActorRow,
    member: &str,
    signer: &ActorRow,
) -> Result<bool, ResolveError> {
    let Some(list) = group.followers_url.as_deref().and_then(|u| Url::parse(u).ok()) else {
        return Ok(false);
    };
    if authority(&list) != authority(&Url::parse(&group.ap_id).map_err(|e| ResolveError::Internal(e.into()))?) {
        return Ok(false);
    }
    let key = signer_of(signer)?;
    let (_, doc) = fetch::fetch_json(state, &list, &key).await?;
    let mut next = first_url(&doc["first"]);
    let mut items = doc["orderedItems"].clone();
    for _ in 0..MEMBER_LIST_PAGES {
        let listed = items
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| super::protocol::id_of(i).is_some_and(|u| u.as_str() == member));
        if listed {
            return Ok(true);
        }
        let Some(url) = next.take().filter(|u| authority(u) == authority(&list)) else {
            return Ok(false);
        };
        let (_, page) = fetch::fetch_json(state, &url, &key).await?;
        items = page["orderedItems"].clone();
        next = first_url(&page["next"]);
    }
    Ok(false)
}
