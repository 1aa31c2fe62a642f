//! Keeping people away, as Mastodon does: blocks (federated as `Block`, undone with `Undo`),
//! mutes (here only, with an optional end) and domain blocks. What they hide is decided by
//! `visibility::Filters` (feeds) and by the notifications' insert (storage).

use chrono::{DateTime, Utc};
use url::Url;

use super::social::{SocialError, personal_inbox};
use crate::app::AppState;
use crate::federation::{activities, delivery};
use crate::storage::actors::ActorRow;
use crate::storage::{blocks, follows, notifications};

/// The longest a mute can be set for (Mastodon sets no bound; a year covers every app's menu).
pub const MAX_MUTE: chrono::Duration = chrono::Duration::days(366);

/// `me` blocks `target`: follows between them end both ways, their notifications go, and a
/// remote target's server receives a `Block` (Mastodon then drops the follows on its side too).
pub async fn block(state: &AppState, me: &ActorRow, target: &ActorRow) -> Result<(), SocialError> {
    if me.id == target.id {
        return Err(SocialError::Refused("you cannot block yourself"));
    }
    if blocks::find_block(&state.db, me.id, target.id).await?.is_some() {
        return Ok(());
    }
    let outgoing = follows::find(&state.db, me.id, target.id).await?;
    let incoming = follows::find(&state.db, target.id, me.id).await?;
    let inbox = personal_inbox(state, target);
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let mut tx = state.db.begin().await?;
    blocks::block(&mut tx, me.id, target.id, Some(&id)).await?;
    if let Some(f) = outgoing {
        follows::delete(&mut tx, me.id, target.id).await?;
        crate::storage::lists::remove_everywhere(&mut tx, me.id, target.id).await?;
        if !inbox.is_empty() {
            let follow_id = f.ap_id.unwrap_or_else(|| state.urls.activity(f.id).to_string());
            let undo_id = state.urls.activity(crate::ids::new_id()).to_string();
            let follow = activities::follow(&follow_id, &me.ap_id, &target.ap_id);
            delivery::queue(&mut tx, me, &activities::undo(&undo_id, &me.ap_id, follow), &inbox).await?;
        }
    }
    if let Some(f) = incoming {
        follows::delete(&mut tx, target.id, me.id).await?;
        if !inbox.is_empty() {
            reject(state, &mut tx, me, target, &f, &inbox).await?;
        }
    }
    notifications::delete_from(&mut tx, me.id, target.id).await?;
    if !inbox.is_empty() {
        delivery::queue(
            &mut tx,
            me,
            &activities::follows::personal_block(&id, &me.ap_id, &target.ap_id),
            &inbox,
        )
        .await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// A `Reject` of a remote follower's follow (they are removed).
async fn reject(
    state: &AppState,
    tx: &mut crate::storage::Tx,
    me: &ActorRow,
    follower: &ActorRow,
    f: &follows::FollowRow,
    inbox: &[(String, String)],
) -> Result<(), SocialError> {
    let follow_id = f.ap_id.clone().unwrap_or_else(|| state.urls.activity(f.id).to_string());
    let follow = activities::follow(&follow_id, &follower.ap_id, &me.ap_id);
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    delivery::queue(
        tx,
        me,
        &activities::answer_follow("Reject", &id, &me.ap_id, follow),
        inbox,
    )
    .await?;
    Ok(())
}

/// `me` removes a follower (Mastodon's "remove follower"): their follow ends, and a remote
/// follower's server receives a `Reject` of it. They may follow again.
pub async fn remove_follower(state: &AppState, me: &ActorRow, follower: &ActorRow) -> Result<(), SocialError> {
    let Some(f) = follows::find(&state.db, follower.id, me.id).await? else {
        return Ok(());
    };
    let inbox = personal_inbox(state, follower);
    let mut tx = state.db.begin().await?;
    follows::delete(&mut tx, follower.id, me.id).await?;
    if !inbox.is_empty() {
        reject(state, &mut tx, me, follower, &f, &inbox).await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// `me` unblocks `target`; a remote target's server receives the `Undo` of our `Block`.
pub async fn unblock(state: &AppState, me: &ActorRow, target: &ActorRow) -> Result<(), SocialError> {
    let mut tx = state.db.begin().await?;
    let Some(row) = blocks::unblock(&mut tx, me.id, target.id).await? else {
        return Ok(());
    };
    let inbox = personal_inbox(state, target);
    if !inbox.is_empty() {
        let block_id = row.ap_id.unwrap_or_else(|| state.urls.activity(row.id).to_string());
        let undo_id = state.urls.activity(crate::ids::new_id()).to_string();
        let block = activities::follows::personal_block(&block_id, &me.ap_id, &target.ap_id);
        delivery::queue(&mut tx, me, &activities::undo(&undo_id, &me.ap_id, block), &inbox).await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// `me` mutes `target`'s posts (and their notifications when `notifications`), for `duration`
/// or until unmuted. Muting again changes the settings.
pub async fn mute(
    state: &AppState,
    me: &ActorRow,
    target: &ActorRow,
    notifications: bool,
    duration: Option<chrono::Duration>,
) -> Result<Option<DateTime<Utc>>, SocialError> {
    if me.id == target.id {
        return Err(SocialError::Refused("you cannot mute yourself"));
    }
    let expires = match duration {
        Some(d) if d > MAX_MUTE => return Err(SocialError::Refused("a mute lasts at most a year")),
        Some(d) if d > chrono::Duration::zero() => Some(crate::storage::now() + d),
        _ => None,
    };
    blocks::mute(&state.db, me.id, target.id, notifications, expires).await?;
    Ok(expires)
}

pub async fn unmute(state: &AppState, me: &ActorRow, target: &ActorRow) -> Result<(), SocialError> {
    blocks::unmute(&state.db, me.id, target.id).await?;
    Ok(())
}

/// A domain as people type it (`example.org`, `https://example.org/`, `Example.ORG`), checked
/// and lowercased; `None` when it is not a host name.
pub fn domain(input: &str) -> Option<String> {
    let input = input.trim();
    if input.is_empty() || input.len() > 253 {
        return None;
    }
    let with_scheme = if input.contains("://") {
        input.to_owned()
    } else {
        format!("https://{input}")
    };
    let u = Url::parse(&with_scheme).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    if !(u.path() == "/" || u.path().is_empty())
        || u.query().is_some()
        || !host.contains(['.', ':']) && host != "localhost"
    {
        return None;
    }
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// `me` hides a domain: its posts and notifications, and their followers there are removed
/// (each receives a `Reject`), as Mastodon does.
pub async fn block_domain(state: &AppState, me: &ActorRow, input: &str) -> Result<(), SocialError> {
    let Some(domain) = domain(input) else {
        return Err(SocialError::Refused("that is not a domain name"));
    };
    if domain == crate::federation::policy::authority(state.urls.base()) {
        return Err(SocialError::Refused("you cannot block your own node"));
    }
    let followers = follows::followers_from_domain(&state.db, me.id, &domain).await?;
    let mut tx = state.db.begin().await?;
    blocks::block_domain(&mut tx, me.id, &domain).await?;
    for f in followers {
        follows::delete(&mut tx, f.follower_id, me.id).await?;
        if let Some(follower) = crate::storage::actors::find_by_id(&state.db, f.follower_id).await? {
            let inbox = personal_inbox(state, &follower);
            if !inbox.is_empty() {
                reject(state, &mut tx, me, &follower, &f, &inbox).await?;
            }
        }
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

pub async fn unblock_domain(state: &AppState, me: &ActorRow, input: &str) -> Result<(), SocialError> {
    if let Some(domain) = domain(input) {
        blocks::unblock_domain(&state.db, me.id, &domain).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::domain;

    #[test]
    fn domains_are_read_as_people_type_them() {
        assert_eq!(domain("example.org").as_deref(), Some("example.org"));
        assert_eq!(domain(" https://Example.ORG/ ").as_deref(), Some("example.org"));
        assert_eq!(domain("localhost:8081").as_deref(), Some("localhost:8081"));
        assert_eq!(domain("example.org/users/ada"), None);
        assert_eq!(domain("not a domain"), None);
        assert_eq!(domain(""), None);
    }
}
