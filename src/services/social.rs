//! Following: local actors following local or remote actors and groups.

use serde_json::Value;
use url::Url;

use crate::app::AppState;
use crate::federation::{activities, delivery, policy};
use crate::storage::actors::{ActorRow, KIND_GROUP};
use crate::storage::{follows, groups};

#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SocialError {
    fn from(e: sqlx::Error) -> Self {
        SocialError::Internal(e.into())
    }
}

/// The personal inbox of a remote actor (Follow, Undo and answers go there), if federation allows.
pub fn personal_inbox(state: &AppState, actor: &ActorRow) -> Vec<(String, String)> {
    match Url::parse(&actor.inbox_url) {
        Ok(u) if !actor.is_local() && policy::allows(&state.config, &policy::authority(&u)) => {
            vec![(u.to_string(), policy::authority(&u))]
        }
        _ => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowState {
    Accepted,
    Pending,
}

/// `follower` (local) follows `target`. Local targets answer at once; remote ones get a Follow.
pub async fn follow(state: &AppState, follower: &ActorRow, target: &ActorRow) -> Result<FollowState, SocialError> {
    if follower.id == target.id {
        return Err(SocialError::Refused("an actor cannot follow itself"));
    }
    if let Some(existing) = follows::find(&state.db, follower.id, target.id).await? {
        return Ok(if existing.accepted {
            FollowState::Accepted
        } else {
            FollowState::Pending
        });
    }
    if target.kind == KIND_GROUP && groups::is_banned(&state.db, target.id, follower.id).await? {
        return Err(SocialError::Refused("you are banned from this group"));
    }
    if crate::storage::blocks::between(&state.db, follower.id, target.id).await? {
        return Err(SocialError::Refused(
            "This action is not allowed: one of you blocks the other",
        ));
    }
    let mut tx = state.db.begin().await?;
    let result = if target.is_local() {
        let needs_approval = target.manually_approves_followers;
        follows::upsert(&mut tx, follower.id, target.id, None, !needs_approval).await?;
        if needs_approval {
            FollowState::Pending
        } else {
            FollowState::Accepted
        }
    } else {
        let inbox = personal_inbox(state, target);
        if inbox.is_empty() {
            return Err(SocialError::Refused("this node does not federate with that domain"));
        }
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        follows::upsert(&mut tx, follower.id, target.id, Some(&id), false).await?;
        delivery::queue(
            &mut tx,
            follower,
            &activities::follow(&id, &follower.ap_id, &target.ap_id),
            &inbox,
        )
        .await?;
        FollowState::Pending
    };
    tx.commit().await?;
    state.delivery_wake.notify_one();
    if target.is_local() {
        let kind = if result == FollowState::Accepted {
            "follow"
        } else {
            "follow_request"
        };
        crate::services::notify::followed(state, follower.id, target.id, kind).await;
    }
    Ok(result)
}

/// `follower` (local) stops following `target` (an Undo for remote targets).
pub async fn unfollow(state: &AppState, follower: &ActorRow, target: &ActorRow) -> Result<(), SocialError> {
    let Some(existing) = follows::find(&state.db, follower.id, target.id).await? else {
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    follows::delete(&mut tx, follower.id, target.id).await?;
    crate::storage::lists::remove_everywhere(&mut tx, follower.id, target.id).await?;
    if !target.is_local() {
        let follow_id = existing
            .ap_id
            .clone()
            .unwrap_or_else(|| state.urls.activity(existing.id).to_string());
        let follow: Value = activities::follow(&follow_id, &follower.ap_id, &target.ap_id);
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        delivery::queue(
            &mut tx,
            follower,
            &activities::undo(&id, &follower.ap_id, follow),
            &personal_inbox(state, target),
        )
        .await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}
