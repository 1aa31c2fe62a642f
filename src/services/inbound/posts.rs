//! Create, Update and Delete of posts (Note, Page, Article, Question) and of events, and an
//! actor's Update of itself. Decided here: which group a remote post belongs to, whether its
//! author may post into one of our groups, and which visibility it gets.

use serde_json::Value;
use url::Url;

use super::{ProcessError, events};
use crate::app::AppState;
use crate::federation::inbound::{Activity, invalid, object_of};
use crate::federation::objects::{POST_TYPES, RemoteObject, remote_object_to_row};
use crate::federation::policy::authority;
use crate::federation::protocol::id_of;
use crate::federation::remote::refresh_actor;
use crate::model::Visibility;
use crate::services::{groups, notify};
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::groups::GroupRow;
use crate::storage::{self, follows, posts};

/// Actor types whose Update refreshes our copy of the actor.
const ACTOR_TYPES: [&str; 5] = ["Person", "Group", "Service", "Application", "Organization"];

/// A Create or Update, sent by `actor` or relayed to us by `via_group` (FEP-1b12).
pub(super) async fn create_or_update(
    state: &AppState,
    actor: &ActorRow,
    a: &Activity,
    raw: &Value,
    update: bool,
    via_group: Option<&ActorRow>,
) -> Result<(), ProcessError> {
    let object = object_of(state, &a.object).await?;
    let kind = crate::federation::inbound::type_of(&object).unwrap_or_default();
    if kind == "Event" {
        return events::event(state, actor, &object, via_group, false).await;
    }
    if ACTOR_TYPES.contains(&kind) {
        if update && object.get("id").and_then(id_of).map(|u| u.to_string()).as_deref() == Some(&actor.ap_id) {
            refresh_actor(state, &Url::parse(&actor.ap_id).map_err(|e| invalid(e.to_string()))?).await?;
        }
        return Ok(());
    }
    if !POST_TYPES.contains(&kind) {
        return Ok(());
    }
    let o: RemoteObject =
        serde_json::from_value(object.clone()).map_err(|e| invalid(format!("unreadable object: {e}")))?;
    // Only the author's own server may speak for the object.
    let author_id = o.author().ok_or_else(|| invalid("object without attributedTo"))?;
    if author_id.as_str() != actor.ap_id || authority(&o.id) != authority(&author_id) {
        return Err(invalid("the object is not the actor's own"));
    }
    // A vote on one of our polls is a Note that names an option: counted, never a reply.
    if !update && crate::services::polls::received_vote(state, actor, &object).await? {
        return Ok(());
    }
    if let Some(existing) = posts::find_by_ap_id(&state.db, o.id.as_str()).await? {
        if update && existing.author_id == actor.id && existing.deleted_at.is_none() {
            if existing.kind == "Question" {
                crate::services::polls::received_question(state, existing.id, &object).await?;
            }
            return edit(state, actor, &existing, &o, raw).await;
        }
        return Ok(());
    }
    let local_group = match via_group {
        Some(_) => None,
        None => local_target_group(state, &o).await?,
    };
    // Everything is read first: on SQLite a transaction holds the node's one writer, which
    // every other write waits for.
    let (post, recipients, relay) = if let Some(group) = local_group {
        let row = storage::groups::find(&state.db, group.id)
            .await?
            .ok_or_else(|| invalid("group without policy"))?;
        if let Err(why) = groups::may_post(state, &group, &row, actor).await? {
            return Err(invalid(format!("{} refused: {why}", group.ap_id)));
        }
        if let Some(parent) = o.in_reply_to()
            && let Some(p) = posts::find_by_ap_id(&state.db, parent.as_str()).await?
            && posts::thread_root(&state.db, &p).await?.locked
        {
            return Err(invalid("the thread is locked"));
        }
        let post = remote_object_to_row(&o, actor.id, Some(group.id), visibility_in_our_group(&row, &o));
        let recipients = notify::post_recipients(state, &post).await?;
        // The group relays the post to its members (FEP-1b12).
        let members = follows::follower_actors(&state.db, group.id).await?;
        (post, recipients, Some((group, row.members_only(), members)))
    } else {
        let group = match via_group {
            Some(g) => Some(g.clone()),
            None => remote_group(state, &o).await?,
        };
        let members_only = match &group {
            Some(g) => storage::groups::find(&state.db, g.id)
                .await?
                .is_some_and(|r| r.members_only()),
            None => false,
        };
        let mut post = remote_object_to_row(
            &o,
            actor.id,
            group.as_ref().map(|g| g.id),
            visibility_elsewhere(&o, actor, group.is_some(), members_only),
        );
        mention_addressees(state, &o, &mut post).await?;
        let recipients = notify::post_recipients(state, &post).await?;
        (post, recipients, None)
    };
    // Stored, relayed and notified in one write, committed with the others of the moment.
    let question = (post.kind == "Question").then_some(post.id);
    let (writer, raw, object_id) = (state.clone(), raw.clone(), o.id.to_string());
    let events = state
        .db
        .write(move |tx| {
            Box::pin(async move {
                if !posts::insert(tx, &post).await? {
                    return Ok(None);
                }
                if let Some((group, members_only, members)) = relay {
                    let object_id = (!members_only).then_some(object_id.as_str());
                    groups::fan_out(tx, &writer, &group, members_only, &members, &raw, object_id).await?;
                }
                // Whichever way a post first arrives, the people it mentions or answers are
                // told once, in the transaction that stores it.
                Ok::<_, anyhow::Error>(Some(notify::record_post(tx, &post, &recipients).await?))
            })
        })
        .await?;
    let Some(events) = events else { return Ok(()) };
    if let Some(post_id) = question {
        crate::services::polls::received_question(state, post_id, &object).await?;
    }
    notify::published(state, events);
    state.delivery_wake.notify_one();
    Ok(())
}

/// The visibility of a post sent into one of our groups: the group's members only, or as its
/// author addressed it.
fn visibility_in_our_group(group: &GroupRow, o: &RemoteObject) -> Visibility {
    if group.members_only() {
        Visibility::Members
    } else if o.is_listed() {
        Visibility::Public
    } else {
        Visibility::Unlisted
    }
}

/// The visibility of a post from elsewhere, read from its addressing as Mastodon writes it:
/// the public in `to` is public, in `cc` only unlisted; the author's followers without the
/// public is followers-only; anything else is direct. Filed under a group, it is the group's
/// members' unless the group is open and the post public.
pub(super) fn visibility_elsewhere(
    o: &RemoteObject,
    author: &ActorRow,
    in_group: bool,
    members_only: bool,
) -> Visibility {
    if o.is_public() && !members_only {
        if o.is_listed() {
            Visibility::Public
        } else {
            Visibility::Unlisted
        }
    } else if in_group
        || author
            .followers_url
            .as_ref()
            .is_some_and(|f| o.recipients().contains(f))
    {
        Visibility::Members
    } else {
        Visibility::Direct
    }
}

/// Local people a post not for everyone is addressed to (`to`, `cc`) without a `Mention` tag
/// (a direct message some servers send without one) become mentions of it, as Mastodon's
/// silent mentions: they may then read it, and are told of it.
async fn mention_addressees(state: &AppState, o: &RemoteObject, post: &mut posts::PostRow) -> anyhow::Result<()> {
    if post.visibility.is_open() || post.group_id.is_some() {
        return Ok(());
    }
    let mut tags: Vec<Value> = serde_json::from_str(&post.tags).unwrap_or_default();
    let known = o.mentions();
    let mut added = false;
    for address in o
        .recipients()
        .into_iter()
        .filter(|a| a.starts_with(state.urls.base().as_str()))
        .take(crate::model::MAX_MENTIONS)
    {
        if known.contains(&address) || tags.len() >= crate::model::MAX_MENTIONS + crate::model::MAX_HASHTAGS {
            continue;
        }
        if let Some(a) = actors::find_by_ap_id(&state.db, &address)
            .await?
            .filter(|a| a.is_local())
        {
            tags.push(serde_json::json!({
                "type": "Mention", "href": a.ap_id, "name": format!("@{}@{}", a.username, state.config.domain),
            }));
            added = true;
        }
    }
    if added {
        post.tags = Value::Array(tags).to_string();
    }
    Ok(())
}

/// The author edits a post we hold: the new text is kept (and the old one in its history), and
/// if it is in one of our groups, the group relays the Update.
async fn edit(
    state: &AppState,
    actor: &ActorRow,
    existing: &posts::PostRow,
    o: &RemoteObject,
    raw: &Value,
) -> Result<(), ProcessError> {
    let row = remote_object_to_row(o, actor.id, existing.group_id, existing.visibility);
    // A poll's Update brings new counts with the same text: not an edit.
    let changed = row.content_html != existing.content_html
        || row.summary != existing.summary
        || row.title != existing.title
        || row.attachments != existing.attachments
        || row.sensitive != existing.sensitive;
    let updated = posts::PostRow {
        id: existing.id,
        updated_at: row.updated_at.or_else(|| Some(storage::now())),
        ..row
    };
    let mut tx = state.db.begin().await?;
    if changed {
        posts::update_content(&mut tx, &updated).await?;
    }
    if let Some((group, policy)) = local_group_of(state, existing).await? {
        let members = follows::follower_actors(&state.db, group.id).await?;
        groups::fan_out(&mut tx, state, &group, policy.members_only(), &members, raw, None).await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// The local group a post is meant for: named in its addressing or `audience`, mentioned, or
/// the group of the post it answers.
async fn local_target_group(state: &AppState, o: &RemoteObject) -> Result<Option<ActorRow>, ProcessError> {
    let mut candidates = o.recipients();
    candidates.extend(o.mentions());
    for c in candidates {
        let Ok(url) = Url::parse(&c) else { continue };
        if authority(&url) != state.config.domain {
            continue;
        }
        let path = url.path().trim_end_matches("/followers");
        if let Some(name) = path.strip_prefix("/groups/")
            && let Some(g) = actors::find_local(&state.db, name)
                .await?
                .filter(|a| a.kind == KIND_GROUP)
        {
            return Ok(Some(g));
        }
    }
    if let Some(parent) = o.in_reply_to()
        && let Some(p) = posts::find_by_ap_id(&state.db, parent.as_str()).await?
        && let Some(gid) = p.group_id
    {
        return Ok(actors::find_by_id(&state.db, gid).await?.filter(|g| g.is_local()));
    }
    Ok(None)
}

/// A remote group named in a post's addressing, if we know it.
async fn remote_group(state: &AppState, o: &RemoteObject) -> Result<Option<ActorRow>, ProcessError> {
    for c in o.recipients() {
        if let Some(a) = actors::find_by_ap_id(&state.db, &c).await?
            && a.kind == KIND_GROUP
        {
            return Ok(Some(a));
        }
    }
    Ok(None)
}

/// The post's group when it is one of ours, with its policy.
async fn local_group_of(state: &AppState, post: &posts::PostRow) -> Result<Option<(ActorRow, GroupRow)>, ProcessError> {
    let Some(gid) = post.group_id else { return Ok(None) };
    let Some(g) = actors::find_by_id(&state.db, gid).await?.filter(|g| g.is_local()) else {
        return Ok(None);
    };
    Ok(storage::groups::find(&state.db, gid).await?.map(|r| (g, r)))
}

/// A Delete: of the actor itself (its follows end, it is suspended here), of an event, or of a
/// post by its author or by the group it is in (a steward's removal).
pub(super) async fn delete(state: &AppState, actor: &ActorRow, a: &Activity, raw: &Value) -> Result<(), ProcessError> {
    let object_id = a.object_id("Delete")?;
    if object_id.as_str() == actor.ap_id {
        let mut tx = state.db.begin().await?;
        follows::delete_all_of(&mut tx, actor.id).await?;
        tx.commit().await?;
        actors::set_suspended(&state.db, actor.id, Some(storage::now())).await?;
        return Ok(());
    }
    if events::delete(state, actor, object_id).await? {
        return Ok(());
    }
    let Some(post) = posts::find_by_ap_id(&state.db, object_id.as_str()).await? else {
        return Ok(());
    };
    if post.deleted_at.is_some() {
        return Ok(());
    }
    let by_group = post.group_id == Some(actor.id);
    if post.author_id != actor.id && !by_group {
        return Err(invalid("Delete of someone else's post"));
    }
    let mut tx = state.db.begin().await?;
    posts::mark_deleted(&mut tx, post.id, storage::now()).await?;
    if !by_group && let Some((group, policy)) = local_group_of(state, &post).await? {
        let members = follows::follower_actors(&state.db, group.id).await?;
        groups::fan_out(&mut tx, state, &group, policy.members_only(), &members, raw, None).await?;
    }
    tx.commit().await?;
    state.publish(crate::app::Event::Delete(post.id));
    state.delivery_wake.notify_one();
    Ok(())
}
