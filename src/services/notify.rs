//! Notifications for local members: mentions and replies, favourites, boosts and follows.
//! Called after the change that causes them has been stored; a failure here is logged, never
//! lost work for the caller.

use serde_json::Value;

use crate::app::AppState;
use crate::storage::actors::{self, KIND_PERSON};
use crate::storage::posts::{self, PostRow};
use crate::storage::{self, notifications};

async fn to_local_person(
    state: &AppState,
    actor_id: i64,
    kind: &str,
    from: i64,
    post: Option<i64>,
) -> anyhow::Result<()> {
    if actor_id == from {
        return Ok(());
    }
    if let Some(a) = actors::find_by_id(&state.db, actor_id).await?
        && a.is_local()
        && a.kind == KIND_PERSON
        && let Some(id) = notifications::insert(&state.db, actor_id, kind, from, post, storage::now()).await?
    {
        state.publish(crate::app::Event::Notification(actor_id, id));
    }
    Ok(())
}

/// A new post: streaming clients hear of it; local people it mentions, and the local author of
/// the post it answers, are notified.
pub async fn post_created(state: &AppState, post: &PostRow) {
    state.publish(crate::app::Event::Update(post.id));
    let result: anyhow::Result<()> = async {
        let tags: Value = serde_json::from_str(&post.tags).unwrap_or_default();
        for href in tags
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["type"] == "Mention")
            .filter_map(|t| t["href"].as_str())
        {
            if let Some(a) = actors::find_by_ap_id(&state.db, href).await? {
                to_local_person(state, a.id, "mention", post.author_id, Some(post.id)).await?;
            }
        }
        if let Some(parent) = &post.in_reply_to
            && let Some(p) = posts::find_by_ap_id(&state.db, parent).await?
        {
            to_local_person(state, p.author_id, "mention", post.author_id, Some(post.id)).await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "notifying a post");
    }
}

/// `kind` is `favourite` or `reblog`.
pub async fn reacted(state: &AppState, kind: &str, actor_id: i64, post: &PostRow) {
    if let Err(e) = to_local_person(state, post.author_id, kind, actor_id, Some(post.id)).await {
        tracing::error!(error = %e, "notifying a reaction");
    }
}

/// `kind` is `follow` or `follow_request`.
pub async fn followed(state: &AppState, follower_id: i64, target_id: i64, kind: &str) {
    if let Err(e) = to_local_person(state, target_id, kind, follower_id, None).await {
        tracing::error!(error = %e, "notifying a follow");
    }
}

/// An event changed (or was cancelled): its local participants are told.
pub async fn event_changed(state: &AppState, e: &crate::storage::events::EventRow) {
    let result: anyhow::Result<()> = async {
        let from = e.group_id.unwrap_or(e.organizer_id);
        for s in crate::storage::events::STATES {
            for p in crate::storage::events::participants(&state.db, e.id, s).await? {
                if let Some(a) = actors::find_by_id(&state.db, p.actor_id).await?
                    && a.is_local()
                    && a.kind == KIND_PERSON
                {
                    let id =
                        notifications::insert_for_event(&state.db, a.id, "update", from, e.id, storage::now()).await?;
                    state.publish(crate::app::Event::Notification(a.id, id));
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "notifying an event change");
    }
}

/// A local member was invited to an event (here or on another node): a `mention`
/// notification whose status is the event, as Mastodon apps show it.
pub async fn invited(state: &AppState, e: &crate::storage::events::EventRow, from: i64, who: i64) {
    let result: anyhow::Result<()> = async {
        if let Some(a) = actors::find_by_id(&state.db, who).await?
            && a.is_local()
            && a.kind == KIND_PERSON
        {
            let id = notifications::insert_for_event(&state.db, a.id, "mention", from, e.id, storage::now()).await?;
            state.publish(crate::app::Event::Notification(a.id, id));
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "notifying an invitation");
    }
}
