//! Who may see what: the one decision every read path asks (client API, ActivityPub, pages,
//! calendars, media files, streams). Posts, events, a group's member list and uploaded files.
//!
//! A group's space is open to its members (accepted follows), its stewards, the node's admins and
//! moderators for a local group, and the group itself. Pending, removed and banned people are
//! outsiders.

use std::collections::HashSet;

use crate::app::AppState;
use crate::storage::actors::{self, ActorRow};
use crate::storage::blocks::{self, Filter};
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
    groups: HashSet<i64>,
    filters: Filters,
}

impl Spaces {
    /// Two statements for a member (their memberships, stewardships, and every local group for
    /// the node's admins and moderators; their blocks and mutes); none for an anonymous viewer.
    pub async fn load(state: &AppState, viewer: Option<&ActorRow>) -> anyhow::Result<Spaces> {
        let (groups, filters) = match viewer {
            Some(v) => (
                group_store::spaces_of(&state.db, v.id).await?.into_iter().collect(),
                Filters::load(state, v).await?,
            ),
            None => Default::default(),
        };
        Ok(Spaces {
            viewer: viewer.cloned(),
            groups,
            filters,
        })
    }

    /// [`Spaces::shows`] for the home timeline, which also leaves out the people and groups on
    /// the viewer's exclusive lists.
    pub fn shows_at_home(&self, p: &PostRow) -> bool {
        let own = self.viewer.as_ref().is_some_and(|v| v.id == p.author_id);
        self.shows(p)
            && (own
                || !(self.filters.exclusive.contains(&p.author_id)
                    || p.group_id.is_some_and(|g| self.filters.exclusive.contains(&g))))
    }

    /// The viewer's blocks, mutes and filters.
    pub fn filters(&self) -> &Filters {
        &self.filters
    }

    /// Whether a feed (timelines, a group's posts, a thread's replies, streams) shows the viewer
    /// this post: one they may see, by nobody they block or mute and from no domain they block.
    pub fn shows(&self, p: &PostRow) -> bool {
        self.may_see_post(p)
            && (self.viewer.as_ref().is_some_and(|v| v.id == p.author_id) || !self.filters.hides_post(p))
    }

    fn in_group(&self, group_id: i64) -> bool {
        self.viewer.as_ref().is_some_and(|v| v.id == group_id) || self.groups.contains(&group_id)
    }

    /// Whether the viewer may see a post: public and unlisted posts anyone; members-only posts
    /// the group's space only; followers-only posts (members-only outside groups) the author's
    /// accepted followers; and, groups' spaces apart, every post its author and the people it
    /// mentions.
    pub fn may_see_post(&self, p: &PostRow) -> bool {
        if p.deleted_at.is_some() || self.filters.blocked_by.contains(&p.author_id) {
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
        // Public, unless its author blocks the viewer.
        return Ok(match viewer {
            Some(v) if v.id != p.author_id => blocks::find_block(&state.db, p.author_id, v.id).await?.is_none(),
            _ => true,
        });
    }
    Ok(Spaces::load(state, viewer).await?.may_see_post(p))
}

/// Whether a feed shows `viewer` this post (see [`Spaces::shows`]).
pub async fn shows(state: &AppState, p: &PostRow, viewer: Option<&ActorRow>) -> anyhow::Result<bool> {
    Ok(Spaces::load(state, viewer).await?.shows(p))
}

/// What a member keeps away from their feeds and notifications: the people they block or mute
/// and the domains they block; and the people who block them, whose posts they may not see.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    blocks: HashSet<i64>,
    blocked_by: HashSet<i64>,
    /// Muted actors, and whether their notifications are muted too.
    mutes: std::collections::HashMap<i64, bool>,
    domains: Vec<String>,
    exclusive: HashSet<i64>,
    keyword_filters: i64,
}

impl Filters {
    /// One statement.
    pub async fn load(state: &AppState, viewer: &ActorRow) -> anyhow::Result<Filters> {
        let mut f = Filters::default();
        for filter in blocks::filters_of(&state.db, viewer.id).await? {
            match filter {
                Filter::Blocks(a) => drop(f.blocks.insert(a)),
                Filter::BlockedBy(a) => drop(f.blocked_by.insert(a)),
                Filter::Mutes { actor, notifications } => drop(f.mutes.insert(actor, notifications)),
                Filter::Domain(d) => f.domains.push(d),
                Filter::Exclusive(a) => drop(f.exclusive.insert(a)),
                Filter::KeywordFilters(n) => f.keyword_filters = n,
            }
        }
        Ok(f)
    }

    /// Whether the viewer has filters (keywords, posts) in force: then a page reads them.
    pub fn has_keyword_filters(&self) -> bool {
        self.keyword_filters > 0
    }

    /// Whether the viewer blocks this actor.
    pub fn blocks(&self, actor: i64) -> bool {
        self.blocks.contains(&actor)
    }

    /// Whether this actor blocks the viewer.
    pub fn blocked_by(&self, actor: i64) -> bool {
        self.blocked_by.contains(&actor)
    }

    /// Whether the viewer mutes this actor: `Some(true)` with their notifications.
    pub fn mutes(&self, actor: i64) -> Option<bool> {
        self.mutes.get(&actor).copied()
    }

    /// Whether the viewer blocks the domain of this actor.
    pub fn blocks_domain_of(&self, actor: &ActorRow) -> bool {
        !actor.is_local()
            && url::Url::parse(&actor.ap_id)
                .ok()
                .is_some_and(|u| self.domains.iter().any(|d| domain_matches(d, &u)))
    }

    /// Whether a post is by (or in a group) the viewer blocks or mutes, or from a blocked domain.
    pub fn hides_post(&self, p: &PostRow) -> bool {
        let hidden = |a: i64| self.blocks.contains(&a) || self.mutes.contains_key(&a);
        hidden(p.author_id)
            || p.group_id.is_some_and(hidden)
            || (!self.domains.is_empty()
                && url::Url::parse(&p.ap_id)
                    .ok()
                    .is_some_and(|u| self.domains.iter().any(|d| domain_matches(d, &u))))
    }
}

/// Whether a blocked domain covers a URL: the same host (any port), or a subdomain of it.
pub fn domain_matches(blocked: &str, u: &url::Url) -> bool {
    let Some(host) = u.host_str() else { return false };
    let authority = match u.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let blocked = blocked.to_ascii_lowercase();
    authority == blocked || host == blocked || host.ends_with(&format!(".{blocked}"))
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
