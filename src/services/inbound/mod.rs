//! What an accepted activity does here, one module per family, the way Lemmy's `activities/`
//! folder is laid out: each owns the checks of its activities (who may do this) and what
//! receiving them changes. The HTTP side (`federation::inbox`) only verifies and stores; the
//! [`worker`] takes stored activities and hands each to [`receive`].
//!
//! Adding an activity type: its variant in `federation::inbound::Inbound`, a function in its
//! family's module here, a line in [`receive`], and a test.

mod events;
mod follows;
mod groups;
mod posts;
mod reactions;
pub mod worker;

use serde_json::Value;

use crate::app::AppState;
pub use crate::federation::inbound::ProcessError;
use crate::federation::inbound::{Inbound, Moderation, invalid};
use crate::storage::actors::{ActorRow, KIND_GROUP};
pub use worker::{Lanes, run_once, spawn_worker};

/// Embedded activities (an Announce of a Create of a Note) deeper than this are refused.
const MAX_DEPTH: usize = 3;

/// Handles one activity from `actor` (already authenticated, or vouched for by a group).
/// `raw` is the activity as it arrived: a group relays it to its members unchanged.
pub async fn receive(state: &AppState, actor: &ActorRow, raw: &Value, depth: usize) -> Result<(), ProcessError> {
    if depth > MAX_DEPTH {
        return Err(invalid("activities nested too deeply"));
    }
    match Inbound::parse(raw)? {
        Inbound::Follow(a) => follows::follow(state, actor, &a).await,
        Inbound::Undo(a) => Box::pin(undo(state, actor, &a)).await,
        Inbound::Answer(a, accepted) => {
            if a.object.is("Join") {
                return events::join_answer(state, &a, accepted).await;
            }
            if events::rsvp(state, actor, &a, raw, accepted).await? {
                return Ok(());
            }
            follows::answer(state, actor, &a, accepted).await
        }
        Inbound::TentativeAccept(a) => events::maybe(state, actor, &a).await,
        Inbound::Join(a) => events::join(state, actor, &a, raw).await,
        Inbound::Leave(a) => events::leave(state, actor, &a).await,
        Inbound::Invite(a) => events::invite(state, actor, &a).await,
        Inbound::Create(a, update) => posts::create_or_update(state, actor, &a, raw, update, None).await,
        Inbound::Delete(a) => posts::delete(state, actor, &a, raw).await,
        Inbound::Like(a) => reactions::like(state, actor, &a).await,
        Inbound::Announce(a) => {
            if actor.kind == KIND_GROUP && a.object.is_embedded() && !a.object.kind.as_deref().is_some_and(is_post_type)
            {
                groups::relayed(state, actor, &a, depth).await
            } else {
                reactions::announce(state, actor, &a).await
            }
        }
        Inbound::Moderation(a, Moderation::Block) if actor.kind == KIND_GROUP => groups::ban(state, actor, &a).await,
        Inbound::Moderation(a, Moderation::Block) => follows::block(state, actor, &a).await,
        Inbound::Moderation(a, m) if actor.kind == KIND_GROUP => groups::moderate(state, actor, &a, m, false).await,
        Inbound::Flag(_) => crate::services::reports::received(state, actor, raw).await,
        // Moderators' lists and the rest are accepted and not acted on yet.
        Inbound::Moderation(..) | Inbound::Other(_) => Ok(()),
    }
}

fn is_post_type(kind: &str) -> bool {
    crate::federation::objects::POST_TYPES.contains(&kind)
}

/// An Undo: of a Follow (the follow ends), of a person's Block (it ends), of a group's Lock (the thread opens again), or of a
/// Like or Announce (the reaction it created goes).
async fn undo(
    state: &AppState,
    actor: &ActorRow,
    a: &crate::federation::inbound::Activity,
) -> Result<(), ProcessError> {
    let inner = &a.object;
    if inner.is_embedded() && inner.actor.as_ref().map(|u| u.as_str()) != Some(actor.ap_id.as_str()) {
        return Err(invalid("Undo of someone else's activity"));
    }
    if inner.is("Lock") && actor.kind == KIND_GROUP {
        let lock: crate::federation::inbound::Activity =
            serde_json::from_value(inner.value.clone()).map_err(|e| invalid(format!("unreadable Lock: {e}")))?;
        return groups::moderate(state, actor, &lock, Moderation::Lock, true).await;
    }
    if inner.is("Follow") {
        return follows::unfollow(state, actor, inner.object.as_ref()).await;
    }
    if inner.is("Block") && actor.kind != KIND_GROUP {
        return follows::unblock(state, actor, inner).await;
    }
    if !inner.is_embedded()
        && let Some(id) = &inner.id
        && crate::storage::blocks::find_by_ap_id(&state.db, id.as_str())
            .await?
            .is_some()
    {
        return follows::unblock(state, actor, inner).await;
    }
    reactions::undo(state, actor, inner).await
}
