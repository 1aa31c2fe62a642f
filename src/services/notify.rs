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

/// The local people a new post notifies: those it mentions and the author of the post it
/// answers (never its own author; each once).
pub async fn post_recipients(state: &AppState, post: &PostRow) -> anyhow::Result<Vec<i64>> {
    let tags: Value = serde_json::from_str(&post.tags).unwrap_or_default();
    let mut out = Vec::new();
    let mentioned: Vec<String> = tags
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "Mention")
        .filter_map(|t| t["href"].as_str().map(str::to_owned))
        .collect();
    for a in actors::find_many_by_ap_id(&state.db, &mentioned).await? {
        out.push(a);
    }
    if let Some(parent) = &post.in_reply_to
        && let Some(p) = posts::find_by_ap_id(&state.db, parent).await?
        && let Some(a) = actors::find_by_id(&state.db, p.author_id).await?
    {
        out.push(a);
    }
    let mut ids: Vec<i64> = out
        .into_iter()
        .filter(|a| a.is_local() && a.kind == KIND_PERSON && a.id != post.author_id)
        .map(|a| a.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Records a new post's notifications (and, for a direct message, its participants'
/// conversations) in the post's own transaction; returns what to publish once it commits
/// ([`published`]).
pub async fn record_post(
    tx: &mut storage::Tx,
    post: &PostRow,
    recipients: &[i64],
) -> anyhow::Result<Vec<crate::app::Event>> {
    let mut events = vec![crate::app::Event::Update(post.id)];
    if post.visibility == crate::model::Visibility::Direct {
        // Each local participant's conversation moves to this message: unread but for its author.
        let root = crate::storage::conversations::root_of(&mut *tx, post.in_reply_to.as_deref())
            .await?
            .unwrap_or_else(|| post.ap_id.clone());
        let author = post.local.then_some(post.author_id);
        for person in recipients.iter().copied().chain(author) {
            crate::storage::conversations::touch(&mut *tx, person, &root, post.id, Some(person) == author).await?;
        }
    }
    for r in recipients {
        if let Some(id) =
            notifications::insert(&mut *tx, *r, "mention", post.author_id, Some(post.id), storage::now()).await?
        {
            events.push(crate::app::Event::Notification(*r, id));
        }
    }
    Ok(events)
}

/// Tells streaming clients, after the change committed.
pub fn published(state: &AppState, events: Vec<crate::app::Event>) {
    for e in events {
        state.publish(e);
    }
}

/// A new post that arrived from elsewhere: streaming clients hear of it; local people it
/// mentions, and the local author of the post it answers, are notified.
pub async fn post_created(state: &AppState, post: &PostRow) {
    let result: anyhow::Result<()> = async {
        let recipients = post_recipients(state, post).await?;
        let mut tx = state.db.begin().await?;
        let events = record_post(&mut tx, post, &recipients).await?;
        tx.commit().await?;
        published(state, events);
        Ok(())
    }
    .await;
    if let Err(e) = result {
        state.publish(crate::app::Event::Update(post.id));
        tracing::error!(error = %e, "notifying a post");
    }
}

/// A local member's favourite or boost (`kind`), recorded in the reaction's own transaction;
/// returns what to publish once it commits.
pub async fn record_reaction(
    tx: &mut storage::Tx,
    kind: &str,
    actor_id: i64,
    post: &PostRow,
    author: &crate::storage::actors::ActorRow,
) -> anyhow::Result<Vec<crate::app::Event>> {
    if actor_id == post.author_id || !author.is_local() || author.kind != KIND_PERSON {
        return Ok(Vec::new());
    }
    Ok(
        notifications::insert(tx, author.id, kind, actor_id, Some(post.id), storage::now())
            .await?
            .map(|id| vec![crate::app::Event::Notification(author.id, id)])
            .unwrap_or_default(),
    )
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
                    && let Some(id) =
                        notifications::insert_for_event(&state.db, a.id, "update", from, e.id, storage::now()).await?
                {
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
            && let Some(id) =
                notifications::insert_for_event(&state.db, a.id, "mention", from, e.id, storage::now()).await?
        {
            state.publish(crate::app::Event::Notification(a.id, id));
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "notifying an invitation");
    }
}
