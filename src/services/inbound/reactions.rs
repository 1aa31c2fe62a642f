//! Like, Announce of a post (a boost, or a group sharing a post), and their Undo.

use super::ProcessError;
use super::posts::visibility_elsewhere;
use crate::app::AppState;
use crate::federation::inbound::{Activity, ObjectRef, fetch_object, invalid};
use crate::federation::objects::{RemoteObject, remote_object_to_row};
use crate::federation::policy::authority;
use crate::federation::remote::resolve_actor;
use crate::services::notify;
use crate::storage::actors::{ActorRow, KIND_GROUP};
use crate::storage::{self, posts};

/// A favourite of a post we hold.
pub(super) async fn like(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let object_id = a.object_id("Like")?;
    if let Some(post) = posts::find_by_ap_id(&state.db, object_id.as_str()).await?
        && posts::add_reaction(&state.db, "like", a.id_str(), actor.id, post.id, storage::now()).await?
    {
        notify::reacted(state, "favourite", actor.id, &post).await;
    }
    Ok(())
}

/// An Announce of an object: the post is stored if new (fetched from its origin), and the boost
/// recorded. A group's Announce of a post files nothing new: the post reaches its members.
pub(super) async fn announce(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let object_id = a.object_id("Announce")?;
    let post = match posts::find_by_ap_id(&state.db, object_id.as_str()).await? {
        Some(p) => p,
        None => {
            let object = fetch_object(state, object_id).await?;
            let o: RemoteObject = serde_json::from_value(object.clone()).map_err(|e| invalid(e.to_string()))?;
            let author_id = o.author().ok_or_else(|| invalid("object without author"))?;
            if authority(&author_id) != authority(&o.id) {
                return Err(invalid("object attributed to another host"));
            }
            let author = resolve_actor(state, &author_id).await?;
            let group = (actor.kind == KIND_GROUP).then_some(actor.id);
            let row = remote_object_to_row(&o, author.id, group, visibility_elsewhere(&o, &author, false, false));
            let recipients = notify::post_recipients(state, &row).await?;
            let mut tx = state.db.begin().await?;
            // Whichever way a post first arrives (its Create, or a group's Announce of it),
            // the people it mentions or answers are told once.
            let inserted = posts::insert(&mut tx, &row).await?;
            let events = if inserted {
                notify::record_post(&mut tx, &row, &recipients).await?
            } else {
                Vec::new()
            };
            tx.commit().await?;
            if inserted && row.kind == "Question" {
                crate::services::polls::received_question(state, row.id, &object).await?;
            }
            notify::published(state, events);
            posts::find_by_ap_id(&state.db, o.id.as_str())
                .await?
                .ok_or_else(|| invalid("post vanished"))?
        }
    };
    if posts::add_reaction(&state.db, "announce", a.id_str(), actor.id, post.id, storage::now()).await?
        && actor.kind != KIND_GROUP
    {
        notify::reacted(state, "reblog", actor.id, &post).await;
    }
    Ok(())
}

/// An Undo of a Like or an Announce (or of an id only): the reaction it created goes. Found by
/// the inner activity's id, or else by its actor, type and object: Lemmy undoes an upvote with
/// a Like of a new id, not the one it first sent.
pub(super) async fn undo(state: &AppState, actor: &ActorRow, inner: &ObjectRef) -> Result<(), ProcessError> {
    let inner_id = inner.id.as_ref().map(|u| u.to_string()).unwrap_or_default();
    if posts::remove_reaction_by_ap_id(&state.db, &inner_id, actor.id).await? {
        return Ok(());
    }
    let kind = match inner.kind.as_deref() {
        Some("Like") => "like",
        Some("Announce") => "announce",
        _ => return Ok(()),
    };
    if let Some(object) = &inner.object
        && let Some(post) = posts::find_by_ap_id(&state.db, object.as_str()).await?
    {
        posts::remove_reaction(&state.db, kind, actor.id, post.id).await?;
    }
    Ok(())
}
