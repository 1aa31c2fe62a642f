//! Our actors on the wire: new local actors (their URLs and keys), the node's application actor,
//! and the converters from actor rows to ActivityPub actors.

use activitypub_federation::protocol::public_key::PublicKey;
use url::Url;

use super::keys;
use super::protocol::{Actor, Endpoints, Image, actor_context, wire_time};
use crate::app::{AppState, Urls};
use crate::ids;
use crate::storage::actor_keys::{self, ActorKeyRow};
use crate::storage::actors::{self, ActorRow, KIND_APPLICATION};
use crate::storage::groups::GroupRow;
use crate::storage::{self, is_unique_violation};

fn parse(u: &Option<String>) -> Option<Url> {
    u.as_deref().and_then(|s| Url::parse(s).ok())
}

/// A local actor's Ed25519 key (FEP-521a), made and stored on first use.
pub async fn ed25519_key(db: impl Into<storage::Exec<'_>>, actor: &ActorRow) -> anyhow::Result<ActorKeyRow> {
    let (public, secret) = super::integrity::generate();
    Ok(actor_keys::insert_if_missing(
        db,
        &ActorKeyRow {
            actor_id: actor.id,
            key_id: format!("{}#ed25519-key", actor.ap_id),
            public_multibase: public,
            secret_multibase: Some(secret),
        },
    )
    .await?)
}

/// An actor document with the actor's Ed25519 key as its `assertionMethod` (FEP-521a).
pub async fn with_ed25519_key(db: &storage::Db, row: &ActorRow, mut actor: Actor) -> anyhow::Result<Actor> {
    let key = match actor_keys::find(db, row.id).await? {
        Some(k) => k,
        None => ed25519_key(db, row).await?,
    };
    actor.assertion_method = vec![super::integrity::multikey(
        &key.key_id,
        &row.ap_id,
        &key.public_multibase,
    )];
    Ok(actor)
}

/// `activity` with an integrity proof (FEP-8b32) by `actor`, when it is ours and the activity's
/// own (one that already carries a proof is left as it is).
pub async fn with_proof(
    tx: &mut storage::Tx,
    actor: &ActorRow,
    activity: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    if !actor.is_local() || activity.get("proof").is_some() || activity["actor"].as_str() != Some(&actor.ap_id) {
        return Ok(activity.clone());
    }
    let key = match actor_keys::find(&mut *tx, actor.id).await? {
        Some(k) => k,
        None => ed25519_key(&mut *tx, actor).await?,
    };
    let Some(secret) = key.secret_multibase.as_deref() else {
        return Ok(activity.clone());
    };
    let signing = super::integrity::signing_key(secret)?;
    Ok(super::integrity::sign(
        activity,
        &signing,
        &key.key_id,
        &wire_time(storage::now()),
    )?)
}

/// A guess of an image's media type from its file name, for the `mediaType` hint.
fn image(url: &Option<String>) -> Option<Image> {
    let url = parse(url)?;
    let ext = url.path().rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let media_type = match ext.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "avif" => Some("image/avif"),
        _ => None,
    };
    Some(Image {
        kind: "Image".into(),
        url,
        media_type: media_type.map(str::to_owned),
    })
}

/// A local group as the Group actor (FEP-1b12, with Lemmy's moderators and posting policy).
pub fn local_group_to_ap(row: &ActorRow, group: &GroupRow) -> anyhow::Result<Actor> {
    let mut actor = local_actor_to_ap(row)?;
    actor.featured = parse(&row.featured_url);
    actor.attributed_to = Some(Url::parse(&format!("{}/moderators", row.ap_id))?);
    actor.posting_restricted_to_mods = Some(group.posting_restricted_to_mods);
    Ok(actor)
}

/// A local actor row as the ActivityPub actor other servers fetch.
pub fn local_actor_to_ap(row: &ActorRow) -> anyhow::Result<Actor> {
    let id = Url::parse(&row.ap_id)?;
    Ok(Actor {
        context: actor_context(),
        id: id.clone(),
        kind: row.kind.clone(),
        preferred_username: row.username.clone(),
        name: (!row.display_name.is_empty()).then(|| row.display_name.clone()),
        summary: (!row.summary_html.is_empty()).then(|| row.summary_html.clone()),
        url: parse(&row.url),
        inbox: Url::parse(&row.inbox_url)?,
        outbox: parse(&row.outbox_url),
        followers: parse(&row.followers_url),
        following: parse(&row.following_url),
        featured: None,
        attributed_to: None,
        posting_restricted_to_mods: None,
        endpoints: parse(&row.shared_inbox_url).map(|shared_inbox| Endpoints { shared_inbox }),
        public_key: PublicKey {
            id: row.key_id.clone(),
            owner: id,
            public_key_pem: row.public_key_pem.clone(),
        },
        icon: image(&row.avatar_url),
        image: image(&row.header_url),
        published: wire_time(row.created_at),
        updated: (row.updated_at != row.created_at).then(|| wire_time(row.updated_at)),
        manually_approves_followers: row.manually_approves_followers,
        discoverable: row.discoverable,
        indexable: Some(row.discoverable),
        assertion_method: Vec::new(),
    })
}

/// The actor row of a new local actor of `kind`, with fresh keys and this node's URLs.
pub async fn new_local_actor(urls: &Urls, kind: &str, username: &str) -> anyhow::Result<ActorRow> {
    let keys = keys::generate_async().await?;
    let now = storage::now();
    let group = kind == crate::storage::actors::KIND_GROUP;
    let ap_id = if group {
        urls.group(username)
    } else {
        urls.person(username)
    };
    let part = |p: &str| {
        if group {
            urls.group_part(username, p)
        } else {
            urls.person_part(username, p)
        }
    };
    Ok(ActorRow {
        id: ids::id_at(now),
        kind: kind.to_owned(),
        username: username.to_owned(),
        domain: None,
        ap_id: ap_id.to_string(),
        url: Some(urls.profile(username).to_string()),
        inbox_url: part("inbox").to_string(),
        shared_inbox_url: Some(urls.shared_inbox().to_string()),
        outbox_url: Some(part("outbox").to_string()),
        followers_url: Some(part("followers").to_string()),
        following_url: (!group).then(|| part("following").to_string()),
        featured_url: group.then(|| part("featured").to_string()),
        display_name: String::new(),
        summary_source: String::new(),
        summary_html: String::new(),
        avatar_url: None,
        header_url: None,
        key_id: Urls::key_id(&ap_id),
        public_key_pem: keys.public_pem,
        private_key_pem: Some(keys.private_pem),
        manually_approves_followers: false,
        discoverable: true,
        suspended_at: None,
        fetched_at: None,
        created_at: now,
        updated_at: now,
    })
}

/// The node's application actor (FEP-d556, FEP-2677), which signs the node's own fetches.
/// Created on first start; several processes starting at once agree on one.
pub async fn ensure_application_actor(state: &AppState) -> anyhow::Result<ActorRow> {
    if let Some(actor) = actors::find_application(&state.db).await? {
        return Ok(actor);
    }
    let urls = &state.urls;
    let mut actor = new_local_actor(urls, KIND_APPLICATION, &state.config.domain).await?;
    let ap_id = urls.application_actor();
    actor.key_id = crate::app::Urls::key_id(&ap_id);
    actor.ap_id = ap_id.to_string();
    actor.url = Some(urls.base().to_string());
    actor.inbox_url = urls.application_inbox().to_string();
    actor.outbox_url = Some(urls.application_outbox().to_string());
    actor.followers_url = None;
    actor.following_url = None;
    actor.display_name = state.config.node.name.clone();
    actor.manually_approves_followers = true;
    actor.discoverable = false;
    match actors::insert(&state.db, &actor).await {
        Ok(()) => Ok(actor),
        Err(e) if is_unique_violation(&e) => Ok(actors::find_application(&state.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("application actor vanished"))?),
        Err(e) => Err(e.into()),
    }
}
