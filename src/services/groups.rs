//! Groups (FEP-1b12): public topical groups and members-only group spaces; membership,
//! stewards' moderation, and the group announcing accepted posts to its members.

use serde_json::{Value, json};

use crate::app::AppState;
use crate::federation::actors::new_local_actor;
use crate::federation::protocol::PUBLIC;
use crate::federation::{activities, delivery};
use crate::services::accounts::{self, Role};
use crate::services::social::personal_inbox;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::groups::{self, GroupRow};
use crate::storage::{self, Tx, follows, posts, users};
use crate::text::plain_to_html;

#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error("no group named {0:?} on this node")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for GroupError {
    fn from(e: sqlx::Error) -> Self {
        GroupError::Internal(e.into())
    }
}

pub struct NewGroup {
    pub name: String,
    pub display_name: String,
    pub summary: String,
    pub members_only: bool,
    pub posting_restricted_to_mods: bool,
    pub owner: Option<i64>,
}

pub async fn create(state: &AppState, new: NewGroup) -> Result<(ActorRow, GroupRow), GroupError> {
    accounts::validate_username(&new.name).or_else(|e| match e {
        // The node's own groups use reserved names.
        accounts::AccountError::ReservedUsername(_) if new.owner.is_none() => Ok(()),
        e => Err(e),
    })?;
    if actors::find_local(&state.db, &new.name).await?.is_some() {
        return Err(accounts::AccountError::UsernameTaken(new.name).into());
    }
    let mut actor = new_local_actor(&state.urls, KIND_GROUP, &new.name).await?;
    actor.display_name = new.display_name.chars().take(accounts::DISPLAY_NAME_MAX).collect();
    actor.summary_source = new.summary.clone();
    actor.summary_html = plain_to_html(&new.summary);
    actor.manually_approves_followers = new.members_only;
    actor.discoverable = !new.members_only;
    let row = GroupRow {
        id: actor.id,
        visibility: crate::model::Visibility::members_only(new.members_only),
        posting_restricted_to_mods: new.posting_restricted_to_mods,
        created_by: new.owner,
        created_at: actor.created_at,
    };
    let mut tx = state.db.begin().await?;
    match groups::insert(&mut tx, &actor, &row).await {
        Ok(()) => tx.commit().await?,
        Err(e) if storage::is_unique_violation(&e) => {
            return Err(accounts::AccountError::UsernameTaken(new.name).into());
        }
        Err(e) => return Err(e.into()),
    }
    Ok((actor, row))
}

/// The node's two public spaces, created on first start: `reception` (the secretariat's
/// announcements, posting restricted to moderators) and `coffeeshop` (informal).
pub async fn bootstrap_defaults(state: &AppState) -> anyhow::Result<()> {
    let defaults = [
        (
            "reception",
            "Reception",
            "Announcements from the secretariat of this node.",
            true,
        ),
        (
            "coffeeshop",
            "Coffee shop",
            "Informal talk between members: say hello, share what you are working on.",
            false,
        ),
    ];
    for (name, display, summary, restricted) in defaults {
        if actors::find_local(&state.db, name).await?.is_some() {
            continue;
        }
        let new = NewGroup {
            name: name.into(),
            display_name: display.into(),
            summary: summary.into(),
            members_only: false,
            posting_restricted_to_mods: restricted,
            owner: None,
        };
        match create(state, new).await {
            Ok(_) | Err(GroupError::Account(accounts::AccountError::UsernameTaken(_))) => {}
            Err(e) => return Err(anyhow::anyhow!("creating the {name} group: {e}")),
        }
    }
    Ok(())
}

pub async fn find_local(state: &AppState, name: &str) -> Result<(ActorRow, GroupRow), GroupError> {
    let actor = actors::find_local(&state.db, name)
        .await?
        .filter(|a| a.kind == KIND_GROUP)
        .ok_or_else(|| GroupError::NotFound(name.to_owned()))?;
    let row = groups::find(&state.db, actor.id)
        .await?
        .ok_or_else(|| GroupError::NotFound(name.to_owned()))?;
    Ok((actor, row))
}

/// Owners and stewards of the group moderate it; so do the node's admins and moderators for
/// the node's own groups.
pub async fn can_moderate(state: &AppState, group: &ActorRow, actor: &ActorRow) -> anyhow::Result<bool> {
    if groups::role_of(&state.db, group.id, actor.id).await?.is_some() {
        return Ok(true);
    }
    if group.is_local()
        && actor.is_local()
        && let Some(user) = users::find_by_id(&state.db, actor.id).await?
    {
        return Ok(user.role == Role::Admin.as_str() || user.role == Role::Moderator.as_str());
    }
    Ok(false)
}

/// Whether `author` may post into a local group: a member (or moderator), not banned, and a
/// moderator where posting is restricted.
pub async fn may_post(
    state: &AppState,
    group: &ActorRow,
    row: &GroupRow,
    author: &ActorRow,
) -> anyhow::Result<Result<(), &'static str>> {
    if groups::is_banned(&state.db, group.id, author.id).await? {
        return Ok(Err("banned from the group"));
    }
    let moderator = can_moderate(state, group, author).await?;
    if row.posting_restricted_to_mods && !moderator {
        return Ok(Err("only the group's stewards may post here"));
    }
    if !moderator && !follows::is_member(&state.db, author.id, group.id).await? {
        return Ok(Err("only members may post into the group"));
    }
    Ok(Ok(()))
}

/// Who a group's announcements are addressed to: its members only, or the public with its
/// members in copy.
fn announce_addressing(group: &ActorRow, members_only: bool) -> (Vec<String>, Vec<String>) {
    let followers = group.followers_url.clone().unwrap_or_default();
    if members_only {
        (vec![followers], vec![])
    } else {
        (vec![PUBLIC.to_owned()], vec![followers])
    }
}

/// The group announces an accepted activity to its remote members, twice (FEP-1b12): the
/// activity itself (for groups-aware servers) and the object (for Mastodon-style servers,
/// which ignore an Announce of a Create). Never back to the server the activity came from (it
/// has it, and Lemmy refuses its own objects from elsewhere), and the object's Announce not to
/// servers that refused one before (Lemmy reads only the activity's).
pub async fn fan_out(
    tx: &mut Tx,
    state: &AppState,
    group: &ActorRow,
    members_only: bool,
    members: &[ActorRow],
    activity: &Value,
    object_id: Option<&str>,
) -> anyhow::Result<()> {
    let origin = activity["actor"]
        .as_str()
        .and_then(|a| url::Url::parse(a).ok())
        .map(|u| crate::federation::policy::authority(&u));
    let mut inboxes = delivery::inboxes_for(state, members.iter());
    inboxes.retain(|(_, host)| Some(host) != origin.as_ref());
    let (to, cc) = announce_addressing(group, members_only);
    let announce = activities::announce(
        state.urls.activity(crate::ids::new_id()).as_str(),
        &group.ap_id,
        activity.clone(),
        to.clone(),
        cc.clone(),
    );
    delivery::queue(tx, group, &announce, &inboxes).await?;
    if let Some(object_id) = object_id {
        let refusing = crate::storage::deliveries::hosts_needing(
            &mut *tx,
            crate::storage::deliveries::HostNeed::NoObjectAnnounces,
        )
        .await?;
        inboxes.retain(|(_, host)| !refusing.contains(host));
        let announce = activities::announce(
            state.urls.activity(crate::ids::new_id()).as_str(),
            &group.ap_id,
            json!(object_id),
            to,
            cc,
        );
        delivery::queue(tx, group, &announce, &inboxes).await?;
    }
    Ok(())
}

/// Who acts: a named local member, or (None) the node's secretariat.
async fn moderator(state: &AppState, group: &ActorRow, by: Option<&ActorRow>) -> Result<Option<i64>, GroupError> {
    match by {
        Some(m) if !can_moderate(state, group, m).await? => Err(GroupError::Refused(format!(
            "@{} is not a steward of this group",
            m.username
        ))),
        Some(m) => Ok(Some(m.id)),
        None => Ok(None),
    }
}

async fn answer_follow(
    tx: &mut Tx,
    state: &AppState,
    group: &ActorRow,
    member: &ActorRow,
    kind: &str,
) -> anyhow::Result<()> {
    if member.is_local() {
        return Ok(());
    }
    let follow_id = follows::find(&state.db, member.id, group.id)
        .await?
        .and_then(|f| f.ap_id)
        .unwrap_or_else(|| format!("{}#follow", member.ap_id));
    let follow = activities::follow(&follow_id, &member.ap_id, &group.ap_id);
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    delivery::queue(
        tx,
        group,
        &activities::answer_follow(kind, &id, &group.ap_id, follow),
        &personal_inbox(state, member),
    )
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Reject,
    Remove,
    Ban,
}

/// A steward's decision about a member or applicant; federated and logged.
pub async fn moderate(
    state: &AppState,
    group: &ActorRow,
    member: &ActorRow,
    by: Option<&ActorRow>,
    action: Moderation,
    reason: &str,
) -> Result<(), GroupError> {
    let moderator_id = moderator(state, group, by).await?;
    let now = storage::now();
    let follow = follows::find(&state.db, member.id, group.id).await?;
    let mut tx = state.db.begin().await?;
    let logged = match action {
        Moderation::Approve => {
            let Some(f) = follow else {
                return Err(GroupError::Refused(format!("{} has not asked to join", member.ap_id)));
            };
            if f.accepted {
                return Ok(());
            }
            follows::upsert(&mut tx, member.id, group.id, f.ap_id.as_deref(), true).await?;
            answer_follow(&mut tx, state, group, member, "Accept").await?;
            "approve"
        }
        Moderation::Reject | Moderation::Remove => {
            if follow.is_none() {
                return Err(GroupError::Refused(format!(
                    "{} is not a member or applicant",
                    member.ap_id
                )));
            }
            // Rejecting the Follow is how Mastodon and Lemmy learn a follower was removed.
            answer_follow(&mut tx, state, group, member, "Reject").await?;
            follows::delete(&mut tx, member.id, group.id).await?;
            if action == Moderation::Reject {
                "reject"
            } else {
                "remove"
            }
        }
        Moderation::Ban => {
            if follow.is_some() {
                follows::delete(&mut tx, member.id, group.id).await?;
            }
            groups::ban(&mut tx, group.id, member.id, now).await?;
            if !member.is_local() {
                // A stable id, so that lifting the ban can name this Block in its Undo.
                let id = format!("{}#block-{}", group.ap_id, member.id);
                delivery::queue(
                    &mut tx,
                    group,
                    &activities::block(&id, &group.ap_id, &member.ap_id, reason),
                    &personal_inbox(state, member),
                )
                .await?;
            }
            "ban"
        }
    };
    groups::log(&mut tx, group.id, moderator_id, logged, &member.ap_id, reason, now).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// A steward deletes a post in their group: a Delete from the group to its members, logged.
pub async fn delete_post(
    state: &AppState,
    group: &ActorRow,
    post: &posts::PostRow,
    by: Option<&ActorRow>,
    reason: &str,
) -> Result<(), GroupError> {
    if post.group_id != Some(group.id) {
        return Err(GroupError::Refused("the post is not in this group".into()));
    }
    let moderator_id = moderator(state, group, by).await?;
    let row = groups::find(&state.db, group.id)
        .await?
        .ok_or_else(|| GroupError::NotFound(group.username.clone()))?;
    let members = follows::follower_actors(&state.db, group.id).await?;
    let now = storage::now();
    let mut tx = state.db.begin().await?;
    posts::mark_deleted(&mut tx, post.id, now).await?;
    let (to, cc) = announce_addressing(group, row.members_only());
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let delete = activities::delete(&id, &group.ap_id, &post.ap_id, to, cc);
    delivery::queue(&mut tx, group, &delete, &delivery::inboxes_for(state, members.iter())).await?;
    groups::log(&mut tx, group.id, moderator_id, "delete_post", &post.ap_id, reason, now).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// What a steward does to a post: pin it to the group's featured collection, or lock its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostModeration {
    Pin,
    Unpin,
    Lock,
    Unlock,
}

/// Pins or locks a post of a local group; federated (Add/Remove to `featured`, Lemmy's
/// `Lock`/`Undo(Lock)`) to the group's members and logged.
pub async fn moderate_post(
    state: &AppState,
    group: &ActorRow,
    post: &posts::PostRow,
    by: Option<&ActorRow>,
    action: PostModeration,
) -> Result<(), GroupError> {
    if post.group_id != Some(group.id) || post.deleted_at.is_some() {
        return Err(GroupError::Refused("the post is not in this group".into()));
    }
    let moderator_id = moderator(state, group, by).await?;
    let row = groups::find(&state.db, group.id)
        .await?
        .ok_or_else(|| GroupError::NotFound(group.username.clone()))?;
    let members = follows::follower_actors(&state.db, group.id).await?;
    let now = storage::now();
    let (to, cc) = announce_addressing(group, row.members_only());
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let featured = group.featured_url.clone().unwrap_or_default();
    let base = |kind: &str, id: &str, target: Option<&str>| {
        activities::groups::moderation(kind, id, &group.ap_id, &post.ap_id, target, &to, &cc)
    };
    let mut tx = state.db.begin().await?;
    let (activity, logged) = match action {
        PostModeration::Pin | PostModeration::Unpin => {
            let pin = action == PostModeration::Pin;
            posts::set_pinned(&mut tx, post.id, pin.then_some(now)).await?;
            let a = base(if pin { "Add" } else { "Remove" }, &id, Some(&featured));
            (a, if pin { "pin" } else { "unpin" })
        }
        PostModeration::Lock => {
            posts::set_locked(&mut tx, post.id, true).await?;
            (base("Lock", &id, None), "lock")
        }
        PostModeration::Unlock => {
            posts::set_locked(&mut tx, post.id, false).await?;
            let lock = base("Lock", &format!("{}#lock", post.ap_id), None);
            (activities::undo(&id, &group.ap_id, lock), "unlock")
        }
    };
    delivery::queue(&mut tx, group, &activity, &delivery::inboxes_for(state, members.iter())).await?;
    groups::log(&mut tx, group.id, moderator_id, logged, &post.ap_id, "", now).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// Lifts a ban (an Undo of the Block for remote members), logged.
pub async fn unban(
    state: &AppState,
    group: &ActorRow,
    member: &ActorRow,
    by: Option<&ActorRow>,
) -> Result<(), GroupError> {
    let moderator_id = moderator(state, group, by).await?;
    let mut tx = state.db.begin().await?;
    if !groups::unban(&mut tx, group.id, member.id).await? {
        return Err(GroupError::Refused(format!("{} is not banned", member.ap_id)));
    }
    if !member.is_local() {
        let block = activities::block(
            &format!("{}#block-{}", group.ap_id, member.id),
            &group.ap_id,
            &member.ap_id,
            "",
        );
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        delivery::queue(
            &mut tx,
            group,
            &activities::undo(&id, &group.ap_id, block),
            &personal_inbox(state, member),
        )
        .await?;
    }
    groups::log(
        &mut tx,
        group.id,
        moderator_id,
        "unban",
        &member.ap_id,
        "",
        storage::now(),
    )
    .await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// The owner (or the node's secretariat) appoints a steward, or (`add = false`) withdraws one:
/// `Add`/`Remove` of the member to the group's moderators collection, as Lemmy federates it.
pub async fn set_steward(
    state: &AppState,
    group: &ActorRow,
    member: &ActorRow,
    by: Option<&ActorRow>,
    add: bool,
) -> Result<(), GroupError> {
    if let Some(b) = by {
        let owner = groups::role_of(&state.db, group.id, b.id).await?.as_deref() == Some("owner");
        let secretariat = users::find_by_id(&state.db, b.id)
            .await?
            .is_some_and(|u| u.role == Role::Admin.as_str());
        if !owner && !secretariat {
            return Err(GroupError::Refused(format!(
                "only the owner appoints stewards, not @{}",
                b.username
            )));
        }
    }
    if groups::role_of(&state.db, group.id, member.id).await?.as_deref() == Some("owner") {
        return Err(GroupError::Refused("the owner is always a steward".into()));
    }
    let now = storage::now();
    groups::set_role(&state.db, group.id, member.id, add.then_some("steward"), now).await?;
    let members = follows::follower_actors(&state.db, group.id).await?;
    let row = groups::find(&state.db, group.id)
        .await?
        .ok_or_else(|| GroupError::NotFound(group.username.clone()))?;
    let (to, cc) = announce_addressing(group, row.members_only());
    let activity = activities::groups::moderation(
        if add { "Add" } else { "Remove" },
        state.urls.activity(crate::ids::new_id()).as_str(),
        &group.ap_id,
        &member.ap_id,
        Some(&format!("{}/moderators", group.ap_id)),
        &to,
        &cc,
    );
    let mut tx = state.db.begin().await?;
    let mut recipients = members;
    recipients.push(member.clone());
    delivery::queue(
        &mut tx,
        group,
        &activity,
        &delivery::inboxes_for(state, recipients.iter()),
    )
    .await?;
    let moderator_id = by.map(|b| b.id);
    groups::log(
        &mut tx,
        group.id,
        moderator_id,
        if add { "add_steward" } else { "remove_steward" },
        &member.ap_id,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}
