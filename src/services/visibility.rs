//! Who may see what: the one decision every read path asks (client API, ActivityPub, pages,
//! calendars, media files, streams). Posts, events, a group's member list and uploaded files.
//!
//! A group's space is open to its members (accepted follows), its stewards, the node's admins and
//! moderators for a local group, and the group itself. Pending, removed and banned people are
//! outsiders.

use crate::app::AppState;
use crate::storage::actors::{self, ActorRow};
use crate::storage::events::{self, EventRow};
use crate::storage::groups as group_store;
use crate::storage::media::MediaRow;
use crate::storage::posts::{self, PostRow};

/// Whether `viewer` belongs to the space of the group `group_id`.
pub async fn in_group(state: &AppState, group_id: i64, viewer: &ActorRow) -> anyhow::Result<bool> {
    Ok(Spaces::load(state, Some(viewer)).await?.in_group(group_id))
}

/// Whether a group keeps its space (posts, events, member list) to its members.
pub async fn members_only(state: &AppState, group: &ActorRow) -> anyhow::Result<bool> {
    Ok(match group_store::find(&state.db, group.id).await? {
        Some(row) => row.members_only(),
        // A remote group we hold no policy for: one that approves its followers is private.
        None => group.manually_approves_followers,
    })
}

/// The group spaces a viewer belongs to, and the people whose followers-only posts they read
/// (accepted follows), read once for a whole page (see [`in_group`] for who belongs).
#[derive(Debug, Clone, Default)]
pub struct Spaces {
    viewer: Option<ActorRow>,
    groups: std::collections::HashSet<i64>,
}

impl Spaces {
    /// One statement for a member (their memberships, stewardships, and every local group for the
    /// node's admins and moderators); none for an anonymous viewer.
    pub async fn load(state: &AppState, viewer: Option<&ActorRow>) -> anyhow::Result<Spaces> {
        let groups = match viewer {
            Some(v) => group_store::spaces_of(&state.db, v.id).await?.into_iter().collect(),
            None => Default::default(),
        };
        Ok(Spaces {
            viewer: viewer.cloned(),
            groups,
        })
    }

    fn in_group(&self, group_id: i64) -> bool {
        self.viewer.as_ref().is_some_and(|v| v.id == group_id) || self.groups.contains(&group_id)
    }

    /// Whether the viewer may see a post: public and unlisted posts anyone; members-only posts
    /// the group's space only; followers-only posts (members-only outside groups) the author's
    /// accepted followers; and, groups' spaces apart, every post its author and the people it
    /// mentions.
    pub fn may_see_post(&self, p: &PostRow) -> bool {
        if p.deleted_at.is_some() {
            return false;
        }
        if p.visibility == crate::model::Visibility::Public || p.visibility == crate::model::Visibility::Unlisted {
            return true;
        }
        let Some(v) = &self.viewer else { return false };
        if v.id == p.author_id {
            return true;
        }
        if p.visibility == crate::model::Visibility::Members {
            match p.group_id {
                // A group's space is its members', whoever the post mentions.
                Some(g) => return self.in_group(g),
                None if self.in_group(p.author_id) => return true,
                None => {}
            }
        }
        p.tags.contains(&format!("\"{}\"", v.ap_id))
    }
}

/// Whether `viewer` may see a post (see [`Spaces::may_see_post`]).
pub async fn may_see_post(state: &AppState, p: &PostRow, viewer: Option<&ActorRow>) -> anyhow::Result<bool> {
    if p.deleted_at.is_none()
        && (p.visibility == crate::model::Visibility::Public || p.visibility == crate::model::Visibility::Unlisted)
    {
        return Ok(true);
    }
    Ok(Spaces::load(state, viewer).await?.may_see_post(p))
}

/// Whether `viewer` may see an event: public ones anyone; members-only ones the group's space,
/// the organiser and the people invited.
pub async fn may_see_event(state: &AppState, e: &EventRow, viewer: Option<&ActorRow>) -> anyhow::Result<bool> {
    if e.visibility == crate::model::Visibility::Public {
        return Ok(true);
    }
    let Some(v) = viewer else { return Ok(false) };
    if e.organizer_id == v.id || events::invitation(&state.db, e.id, v.id).await?.is_some() {
        return Ok(true);
    }
    match e.group_id {
        Some(g) => in_group(state, g, v).await,
        None => Ok(false),
    }
}

/// Whether `viewer` may list who follows (or whom follows) `account`: anyone for people and
/// public groups; the group's space for a members-only group.
pub async fn may_list_connections(
    state: &AppState,
    account: &ActorRow,
    viewer: Option<&ActorRow>,
) -> anyhow::Result<bool> {
    if account.kind != actors::KIND_GROUP || !members_only(state, account).await? {
        return Ok(true);
    }
    match viewer {
        Some(v) => in_group(state, account.id, v).await,
        None => Ok(false),
    }
}

/// Whether `viewer` may see an uploaded file: the audience of the post it belongs to, or of an
/// event it is the cover of; a file not used yet, its owner only.
pub async fn may_see_file(state: &AppState, m: &MediaRow, viewer: Option<&ActorRow>) -> anyhow::Result<bool> {
    if let Some(post_id) = m.post_id {
        return match posts::find_by_id(&state.db, post_id).await? {
            Some(p) => may_see_post(state, &p, viewer).await,
            None => Ok(false),
        };
    }
    for e in events::with_cover(&state.db, &super::media::url(state, m)).await? {
        if may_see_event(state, &e, viewer).await? {
            return Ok(true);
        }
    }
    Ok(viewer.is_some_and(|v| v.id == m.owner_id))
}
