//! What groups do: relay their members' activities (FEP-1b12 `Announce` of an activity, checked
//! by the relay rule in `federation::relay`), ban members (`Block`), and pin, unpin or lock the
//! posts they hold (`Add`/`Remove` to their featured collection, `Lock`, and its `Undo`).

use super::{ProcessError, posts, reactions};
use crate::app::AppState;
use crate::federation::inbound::{Activity, Inbound, Moderation, invalid};
use crate::federation::policy::{self, authority};
use crate::federation::relay::{self, Relayed};
use crate::federation::remote::resolve_actor;
use crate::storage::actors::{self, ActorRow};
use crate::storage::{self, follows, posts as stored_posts};

/// A group's Announce of an activity: only what the relay rule confirms is acted on, as the
/// inner actor's own activity (vouched for by the group).
pub(super) async fn relayed(
    state: &AppState,
    group: &ActorRow,
    a: &Activity,
    depth: usize,
) -> Result<(), ProcessError> {
    match relay::check(state, group, &a.object.value).await? {
        Relayed::Moderation(m) => match Inbound::parse(&m)? {
            Inbound::Moderation(inner, Moderation::Block) => ban(state, group, &inner).await,
            Inbound::Moderation(inner, kind) => moderate(state, group, &inner, kind, false).await,
            _ => Ok(()),
        },
        Relayed::Activity { actor, activity } => {
            if !policy::allows(&state.config, &authority(&actor)) {
                return Ok(());
            }
            let author = resolve_actor(state, &actor).await?;
            match Inbound::parse(&activity)? {
                Inbound::Create(inner, update) => {
                    Box::pin(posts::create_or_update(
                        state,
                        &author,
                        &inner,
                        &activity,
                        update,
                        Some(group),
                    ))
                    .await
                }
                Inbound::Delete(inner) => Box::pin(posts::delete(state, &author, &inner, &activity)).await,
                Inbound::Like(inner) => reactions::like(state, &author, &inner).await,
                _ => Box::pin(super::receive(state, &author, &activity, depth + 1)).await,
            }
        }
    }
}

/// A group banning one of our members: their membership of it ends here.
pub(super) async fn ban(state: &AppState, group: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    if let Some(member) = &a.object.id
        && let Some(m) = actors::find_by_ap_id(&state.db, member.as_str()).await?
    {
        let mut tx = state.db.begin().await?;
        follows::delete(&mut tx, m.id, group.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A remote group pinning (Add to featured), unpinning (Remove) or locking a post in it;
/// `undo` opens a locked thread again.
pub(super) async fn moderate(
    state: &AppState,
    group: &ActorRow,
    a: &Activity,
    kind: Moderation,
    undo: bool,
) -> Result<(), ProcessError> {
    let Some(object) = &a.object.id else { return Ok(()) };
    let Some(post) = stored_posts::find_by_ap_id(&state.db, object.as_str()).await? else {
        return Ok(());
    };
    if post.group_id != Some(group.id) {
        return Err(invalid("a group acting on a post outside it"));
    }
    let featured = a.target.is_some() && a.target.as_ref().map(|t| t.to_string()) == group.featured_url;
    let mut tx = state.db.begin().await?;
    match kind {
        Moderation::Add if featured => stored_posts::set_pinned(&mut tx, post.id, Some(storage::now())).await?,
        Moderation::Remove if featured => stored_posts::set_pinned(&mut tx, post.id, None).await?,
        Moderation::Lock => stored_posts::set_locked(&mut tx, post.id, !undo).await?,
        _ => {}
    }
    tx.commit().await?;
    Ok(())
}
