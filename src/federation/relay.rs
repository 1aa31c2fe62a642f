//! Activities relayed by groups (FEP-1b12): what a group's `Announce` of an activity may carry.
//!
//! The rule, also written in FEDERATION.md:
//! 1. The announcing group is one that a member of this node belongs to (an accepted follow).
//! 2. The relayed activity concerns that group: the group or its followers collection is in its
//!    (or its object's) `audience`, `to`, `cc` or `target`, or its object is a post filed under
//!    the group.
//! 3. An actor of this node is never accepted through a relay: our own members' and groups'
//!    activities only ever originate here.
//! 4. Moderation (`Add`, `Remove`, `Lock`, `Block`, and `Delete` of a post in the group) is the
//!    group's own act: it is honoured only for objects the announcing group owns.
//! 5. Anything else is taken as sent only when the activity and its actor are on the group's own
//!    host, or when it carries a valid integrity proof (FEP-8b32) by its actor's own Ed25519 key.
//!    From any other host it is fetched from its origin by id and checked there (a
//!    `Create`/`Update` by fetching its object, a `Delete` by its object being gone); what its
//!    origin does not confirm is dropped.

use serde_json::Value;
use url::Url;

use super::fetch::FetchError;
use super::inbound::{ProcessError, invalid};
use super::integrity;
use super::policy::authority;
use super::protocol::{addresses, id_of};
use super::remote::ResolveError;
use crate::app::AppState;
use crate::storage::actors::{self, ActorRow};
use crate::storage::{actor_keys, follows, posts};

/// Activity types a group performs itself on what it owns; the inner actor is then its steward.
const MODERATION: [&str; 4] = ["Add", "Remove", "Lock", "Block"];

/// What a relayed activity turned out to be, once the rule above was applied.
#[derive(Debug)]
pub enum Relayed {
    /// A steward's act on something the group owns: handled as the group's own.
    Moderation(Value),
    /// An activity of `actor`, confirmed (as sent, or as fetched from its origin).
    Activity { actor: Url, activity: Value },
}

/// Applies the relay rule to `inner`, announced by `group`.
pub async fn check(state: &AppState, group: &ActorRow, inner: &Value) -> Result<Relayed, ProcessError> {
    if !follows::has_local_member(&state.db, group.id).await? {
        return Err(invalid("relayed by a group nobody here belongs to"));
    }
    let kind = inner["type"].as_str().unwrap_or_default();
    let inner_actor = inner
        .get("actor")
        .and_then(id_of)
        .ok_or_else(|| invalid("announced activity without actor"))?;
    if authority(&inner_actor) == state.config.domain {
        return Err(invalid(
            "activities of this node's actors are not accepted through a relay",
        ));
    }
    let inner_id = inner
        .get("id")
        .and_then(id_of)
        .ok_or_else(|| invalid("announced activity without id"))?;
    if authority(&inner_id) != authority(&inner_actor) {
        return Err(invalid("the announced activity and its actor are on different hosts"));
    }
    if !concerns(state, group, inner).await? {
        return Err(invalid("the announced activity does not concern the group"));
    }
    if MODERATION.contains(&kind) {
        return Ok(Relayed::Moderation(inner.clone()));
    }
    let group_host = authority(&Url::parse(&group.ap_id).map_err(|e| invalid(e.to_string()))?);
    if authority(&inner_actor) == group_host {
        return Ok(Relayed::Activity {
            actor: inner_actor,
            activity: inner.clone(),
        });
    }
    if proven_by_its_actor(state, inner, &inner_actor).await? {
        return Ok(Relayed::Activity {
            actor: inner_actor,
            activity: inner.clone(),
        });
    }
    let activity = confirm_at_origin(state, group, inner, &inner_actor, &inner_id).await?;
    Ok(Relayed::Activity {
        actor: inner_actor,
        activity,
    })
}

/// Rule 5's shortcut: whether `inner` carries a valid integrity proof (FEP-8b32) by its own
/// actor's Ed25519 key (published in its actor document, on its host). An activity without one,
/// or whose signer's key we cannot learn, is confirmed at its origin instead; one whose proof
/// does not verify is refused.
async fn proven_by_its_actor(state: &AppState, inner: &Value, actor: &Url) -> Result<bool, ProcessError> {
    let Some(method) = integrity::proof_method(inner) else {
        return Ok(false);
    };
    let Ok(method_url) = Url::parse(method) else {
        return Ok(false);
    };
    if authority(&method_url) != authority(actor) {
        return Ok(false);
    }
    let mut key = actor_keys::find_by_key_id(&state.db, method).await?;
    if key.is_none() {
        // Learn the actor's key once: from its document, unless read in the last minute.
        let known = actors::find_by_ap_id(&state.db, actor.as_str()).await?;
        let recent = known
            .and_then(|a| a.fetched_at)
            .is_some_and(|t| crate::storage::now() - t < chrono::Duration::minutes(1));
        if !recent && super::remote::refresh_actor(state, actor).await.is_ok() {
            key = actor_keys::find_by_key_id(&state.db, method).await?;
        }
    }
    let Some(key) = key else { return Ok(false) };
    let owner = actors::find_by_id(&state.db, key.actor_id).await?;
    if owner.is_none_or(|o| o.ap_id != actor.as_str()) {
        return Ok(false);
    }
    let public = integrity::verifying_key(&key.public_multibase).map_err(|e| invalid(e.to_string()))?;
    integrity::verify(inner, &public).map_err(|e| invalid(format!("integrity proof: {e}")))?;
    Ok(true)
}

/// Whether `inner` is about `group` (rule 2).
async fn concerns(state: &AppState, group: &ActorRow, inner: &Value) -> Result<bool, ProcessError> {
    let names: Vec<&str> = std::iter::once(group.ap_id.as_str())
        .chain(group.followers_url.as_deref())
        .collect();
    let mut levels = vec![inner];
    if inner["object"].is_object() {
        levels.push(&inner["object"]);
        if inner["object"]["object"].is_object() {
            levels.push(&inner["object"]["object"]);
        }
    }
    for v in &levels {
        for field in ["audience", "to", "cc", "target"] {
            if addresses(&v[field]).iter().any(|a| names.contains(&a.as_str())) {
                return Ok(true);
            }
        }
    }
    // Likes, deletes and undos name only a post: it must be filed under the group.
    for v in levels {
        if let Some(object) = v.get("object").and_then(id_of)
            && let Some(p) = posts::find_by_ap_id(&state.db, object.as_str()).await?
        {
            return Ok(p.group_id == Some(group.id));
        }
    }
    Ok(false)
}

/// Rule 5: fetches what `inner` claims from its origin and returns the activity to act on.
async fn confirm_at_origin(
    state: &AppState,
    group: &ActorRow,
    inner: &Value,
    inner_actor: &Url,
    inner_id: &Url,
) -> Result<Value, ProcessError> {
    // Signed as one of our members of the group where there is one (a members-only post is
    // served to members only), else as the node.
    let signer = match follows::a_local_member(&state.db, group.id).await? {
        Some(member) => super::remote::signer_of(&member)?,
        None => super::remote::node_signer(state).await?,
    };
    match inner["type"].as_str().unwrap_or_default() {
        "Create" | "Update" => {
            // The object as its author's server serves it now, never the relayed copy.
            let object_id = inner
                .get("object")
                .and_then(id_of)
                .ok_or_else(|| invalid("announced activity without object"))?;
            if authority(&object_id) != authority(inner_actor) {
                return Err(invalid("the object is not from its actor's host"));
            }
            let (final_url, object) = super::fetch::fetch_json(state, &object_id, &signer)
                .await
                .map_err(ResolveError::from)?;
            let fetched_id = object.get("id").and_then(id_of);
            if fetched_id.as_ref() != Some(&object_id) || authority(&final_url) != authority(&object_id) {
                return Err(invalid("the fetched object is not the one announced"));
            }
            let mut activity = inner.clone();
            activity["object"] = object;
            Ok(activity)
        }
        "Delete" => {
            // Only a post filed under the group (checked by `concerns`), and only once its
            // origin no longer serves it.
            let object_id = inner
                .get("object")
                .and_then(id_of)
                .ok_or_else(|| invalid("Delete without object"))?;
            let post = posts::find_by_ap_id(&state.db, object_id.as_str()).await?;
            if post.as_ref().is_some_and(|p| p.group_id != Some(group.id)) {
                return Err(invalid("a relayed Delete of a post outside the group"));
            }
            match super::fetch::fetch_json(state, &object_id, &signer).await {
                Err(FetchError::Gone(_) | FetchError::NotFound(_)) => Ok(inner.clone()),
                Ok((_, o)) if o["type"] == "Tombstone" => Ok(inner.clone()),
                Ok(_) => Err(invalid("the object still exists at its origin")),
                Err(e) => Err(ResolveError::from(e).into()),
            }
        }
        _ => {
            let (final_url, activity) = super::fetch::fetch_json(state, inner_id, &signer)
                .await
                .map_err(ResolveError::from)?;
            let same = activity.get("id").and_then(id_of).as_ref() == Some(inner_id)
                && authority(&final_url) == authority(inner_id)
                && activity.get("actor").and_then(id_of).as_ref() == Some(inner_actor)
                && activity["type"] == inner["type"];
            if !same {
                return Err(invalid("the origin does not confirm the announced activity"));
            }
            Ok(activity)
        }
    }
}
