//! Follow, its Undo, and the Accept or Reject of a follow we sent. Whether a Follow is
//! accepted at once (an open account or group), waits for approval, or is refused (banned from
//! the group) is decided here.

use url::Url;

use super::ProcessError;
use crate::app::AppState;
use crate::federation::inbound::{Activity, ObjectRef, invalid};
use crate::federation::{activities, delivery};
use crate::services::social::personal_inbox;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::{self, follows};

/// Someone follows one of our members or groups.
pub(super) async fn follow(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let target_id = a.object_id("Follow")?;
    let target = actors::find_by_ap_id(&state.db, target_id.as_str())
        .await?
        .filter(|t| t.is_local())
        .ok_or_else(|| invalid("Follow of an unknown local actor"))?;
    let follow_id = a.id_str().unwrap_or_default().to_owned();
    // Refused: a group's banned people, and anyone the member blocks (or who blocks them).
    let banned = (target.kind == KIND_GROUP && storage::groups::is_banned(&state.db, target.id, actor.id).await?)
        || storage::blocks::between(&state.db, actor.id, target.id).await?;
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

/// An Undo of a Follow: `actor` no longer follows `followed`.
pub(super) async fn unfollow(state: &AppState, actor: &ActorRow, followed: Option<&Url>) -> Result<(), ProcessError> {
    if let Some(target) = followed
        && let Some(t) = actors::find_by_ap_id(&state.db, target.as_str()).await?
    {
        let mut tx = state.db.begin().await?;
        follows::delete(&mut tx, actor.id, t.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Our follow of `actor` was accepted or rejected (or, later, the member removed).
pub(super) async fn answer(
    state: &AppState,
    actor: &ActorRow,
    a: &Activity,
    accepted: bool,
) -> Result<(), ProcessError> {
    // The Follow embedded (Mastodon, Lemmy), or named by its id alone (bovine): either way,
    // only the followee answers it.
    let f = match (&a.object.actor, &a.object.id) {
        (Some(f), _) => match actors::find_by_ap_id(&state.db, f.as_str()).await? {
            Some(f) => follows::find(&state.db, f.id, actor.id).await?,
            None => None,
        },
        (None, Some(id)) => follows::find_by_ap_id(&state.db, id.as_str()).await?,
        (None, None) => None,
    };
    let Some(f) = f.filter(|f| f.followed_id == actor.id) else {
        return Ok(());
    };
    if accepted {
        follows::set_accepted(&state.db, f.follower_id, f.followed_id).await?;
    } else {
        let mut tx = state.db.begin().await?;
        follows::delete(&mut tx, f.follower_id, f.followed_id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A remote person blocks one of our members: follows between them end both ways here, and the
/// block is kept (the member cannot follow them, and does not see their posts).
pub(super) async fn block(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let target_id = a.object_id("Block")?;
    let Some(target) = actors::find_by_ap_id(&state.db, target_id.as_str())
        .await?
        .filter(|t| t.is_local())
    else {
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    storage::blocks::block(&mut tx, actor.id, target.id, a.id_str()).await?;
    follows::delete(&mut tx, actor.id, target.id).await?;
    follows::delete(&mut tx, target.id, actor.id).await?;
    tx.commit().await?;
    Ok(())
}

/// The Undo of a remote person's Block, matched by its actor and object (or by its id when only
/// the id is given).
pub(super) async fn unblock(state: &AppState, actor: &ActorRow, inner: &ObjectRef) -> Result<(), ProcessError> {
    let target = match &inner.object {
        Some(o) => actors::find_by_ap_id(&state.db, o.as_str()).await?,
        None => match &inner.id {
            Some(id) => match storage::blocks::find_by_ap_id(&state.db, id.as_str()).await? {
                Some(b) if b.actor_id == actor.id => actors::find_by_id(&state.db, b.target_id).await?,
                _ => None,
            },
            None => None,
        },
    };
    if let Some(t) = target {
        storage::blocks::unblock(&state.db, actor.id, t.id).await?;
    }
    Ok(())
}
