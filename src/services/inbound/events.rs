//! Incoming activities about events: an `Event` created or changed, Join and Leave, the
//! organiser's Accept or Reject, RSVPs as Friendica sends them (Accept, TentativeAccept or
//! Reject of the Event itself), Invite, and the Delete of an event.

use serde_json::Value;
use url::Url;

use super::ProcessError;
use crate::app::AppState;
use crate::federation::inbound::{Activity, ObjectRef, fetch_object, invalid};
use crate::federation::policy::authority;
use crate::federation::protocol::id_of;
use crate::federation::{activities, delivery};
use crate::services::events::{self as svc, EventError};
use crate::services::social::personal_inbox;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::events::{self, EventRow};
use crate::storage::{self, follows};

/// An Event created or updated by its organiser (or relayed by its group): stored, updated.
/// A new event is kept only when someone here follows its organiser or its group, or when
/// `solicited` (we fetched it ourselves, for an invitation): like Mastodon, a node does not
/// store what nobody here asked for.
pub(super) async fn event(
    state: &AppState,
    actor: &ActorRow,
    object: &Value,
    via_group: Option<&ActorRow>,
    solicited: bool,
) -> Result<(), ProcessError> {
    let id = object
        .get("id")
        .and_then(id_of)
        .ok_or_else(|| invalid("Event without id"))?;
    if authority(&id) != authority(&Url::parse(&actor.ap_id).map_err(|e| invalid(e.to_string()))?) {
        return Err(invalid("the event is not the actor's own"));
    }
    let group = via_group
        .cloned()
        .or_else(|| (actor.kind == KIND_GROUP).then(|| actor.clone()));
    if !solicited && events::find_by_ap_id(&state.db, id.as_str()).await?.is_none() {
        let followed = follows::has_local_follower(&state.db, actor.id).await?
            || match &group {
                Some(g) => follows::has_local_follower(&state.db, g.id).await?,
                None => false,
            };
        if !followed {
            tracing::debug!(event = %id, actor = %actor.ap_id, "an Event nobody here follows: not kept");
            return Ok(());
        }
    }
    let mut row = crate::federation::events::remote_event_to_row(object, actor.id, group.map(|g| g.id))
        .ok_or_else(|| invalid("an Event needs an id and a startTime"))?;
    if let Some(series) = object.get("superEvent").and_then(id_of)
        && authority(&series) == authority(&id)
    {
        row.series_id = match events::find_by_ap_id(&state.db, series.as_str()).await? {
            Some(s) => Some(s.id),
            // Sessions may arrive before their course: fetch the course from its origin first.
            // If it cannot be fetched (a members-only course), the session is kept unlinked.
            None => {
                let fetched = fetch_object(state, &series).await.unwrap_or_default();
                match crate::federation::events::remote_event_to_row(&fetched, actor.id, row.group_id) {
                    Some(course) if fetched["type"] == "Event" => {
                        let mut tx = state.db.begin().await?;
                        events::upsert(&mut tx, &course).await?;
                        tx.commit().await?;
                        events::find_by_ap_id(&state.db, &course.ap_id).await?.map(|s| s.id)
                    }
                    _ => None,
                }
            }
        };
    }
    if let Some(existing) = events::find_by_ap_id(&state.db, &row.ap_id).await?
        && existing.local
    {
        return Err(invalid("a remote copy of a local event"));
    }
    let before = events::find_by_ap_id(&state.db, &row.ap_id).await?;
    let mut tx = state.db.begin().await?;
    events::upsert(&mut tx, &row).await?;
    tx.commit().await?;
    // Participants here hear of changes to the time, the place or the status.
    if let Some(b) = before
        && (b.starts_at != row.starts_at
            || b.ends_at != row.ends_at
            || b.status != row.status
            || b.place_name != row.place_name)
        && let Some(stored) = events::find_by_ap_id(&state.db, &row.ap_id).await?
    {
        crate::services::notify::event_changed(state, &stored).await;
    }
    Ok(())
}

/// Someone joins one of our events.
pub(super) async fn join(state: &AppState, actor: &ActorRow, a: &Activity, raw: &Value) -> Result<(), ProcessError> {
    let object = a.object_id("Join")?;
    let Some(event) = events::find_by_ap_id(&state.db, object.as_str())
        .await?
        .filter(|e| e.local)
    else {
        return Ok(());
    };
    join_or_reject(state, actor, &event, a, raw).await
}

/// Someone leaves one of our events.
pub(super) async fn leave(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let object = a.object_id("Leave")?;
    if let Some(event) = events::find_by_ap_id(&state.db, object.as_str())
        .await?
        .filter(|e| e.local)
    {
        svc::leave(state, &event, actor)
            .await
            .map_err(|e| invalid(e.to_string()))?;
    }
    Ok(())
}

/// The organiser of a remote event accepted or rejected one of our members' Join.
pub(super) async fn join_answer(state: &AppState, a: &Activity, accepted: bool) -> Result<(), ProcessError> {
    let (Some(who), Some(event)) = (&a.object.actor, &a.object.object) else {
        return Ok(());
    };
    let (Some(who), Some(event)) = (
        actors::find_by_ap_id(&state.db, who.as_str())
            .await?
            .filter(|a| a.is_local()),
        events::find_by_ap_id(&state.db, event.as_str()).await?,
    ) else {
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    if accepted {
        events::set_participation(&mut tx, event.id, who.id, "going", None, storage::now()).await?;
    } else {
        events::remove_participation(&mut tx, event.id, who.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Someone says maybe (`TentativeAccept` of one of our events, as Friendica sends it).
pub(super) async fn maybe(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let Some(event) = local_event(state, a.object.id.as_ref()).await? else {
        return Ok(());
    };
    match svc::interested(state, &event, actor, a.id_str()).await {
        Ok(()) | Err(EventError::Refused(_)) => Ok(()),
        Err(e) => Err(invalid(e.to_string())),
    }
}

/// The local event an activity's object names (an id, or the Event itself), if any.
async fn local_event(state: &AppState, id: Option<&Url>) -> Result<Option<EventRow>, ProcessError> {
    let Some(id) = id else { return Ok(None) };
    Ok(events::find_by_ap_id(&state.db, id.as_str()).await?.filter(|e| e.local))
}

/// An Accept or Reject about events that is not an answer to a Join: an RSVP to one of our
/// events (Friendica: Accept = going, Reject = not going), or an answer to our `Invite`
/// (Accept = join, Reject = decline). True when it was one of these.
pub(super) async fn rsvp(
    state: &AppState,
    actor: &ActorRow,
    a: &Activity,
    raw: &Value,
    accepted: bool,
) -> Result<bool, ProcessError> {
    let inner: &ObjectRef = &a.object;
    let event = if inner.is("Invite") {
        let Some(event) = local_event(state, inner.object.as_ref()).await? else {
            return Ok(false);
        };
        if inner.target.as_ref().map(|t| t.as_str()) != Some(actor.ap_id.as_str()) {
            return Err(invalid("an answer to an invitation of someone else"));
        }
        event
    } else if let Some(invitation) = match inner.value.as_str() {
        // Our Invite named by its id alone.
        Some(id) => events::invitation_by_ap_id(&state.db, id).await?,
        None => None,
    } {
        if invitation.actor_id != actor.id {
            return Err(invalid("an answer to an invitation of someone else"));
        }
        match events::find(&state.db, invitation.event_id).await?.filter(|e| e.local) {
            Some(e) => e,
            None => return Ok(false),
        }
    } else {
        match local_event(state, inner.id.as_ref()).await? {
            Some(e) => e,
            None => return Ok(false),
        }
    };
    if !accepted {
        svc::leave(state, &event, actor)
            .await
            .map_err(|e| invalid(e.to_string()))?;
        return Ok(true);
    }
    join_or_reject(state, actor, &event, a, raw).await?;
    Ok(true)
}

/// Admits `actor` to a local event for `a` (a Join, or an Accept that means one); when the
/// event refuses (invitation only, cancelled…), the participant's server hears a Reject of
/// `raw`, the activity as it was sent.
async fn join_or_reject(
    state: &AppState,
    actor: &ActorRow,
    event: &EventRow,
    a: &Activity,
    raw: &Value,
) -> Result<(), ProcessError> {
    match svc::admit(state, event, actor, a.id_str()).await {
        Ok(_) => Ok(()),
        Err(EventError::Refused(_)) => {
            let organizer = svc::host(state, event).await?;
            let id = state.urls.activity(crate::ids::new_id()).to_string();
            let mut tx = state.db.begin().await?;
            delivery::queue(
                &mut tx,
                &organizer,
                &activities::answer_follow("Reject", &id, &organizer.ap_id, raw.clone()),
                &personal_inbox(state, actor),
            )
            .await?;
            tx.commit().await?;
            state.delivery_wake.notify_one();
            Ok(())
        }
        Err(e) => Err(invalid(e.to_string())),
    }
}

/// A remote organiser invites one of our members to their event: the invitation is kept and
/// the member notified; joining from the app then sends the Join. Invites to a group
/// (Mobilizon's membership invitations) are not handled.
pub(super) async fn invite(state: &AppState, actor: &ActorRow, a: &Activity) -> Result<(), ProcessError> {
    let Some(target) = &a.target else {
        return Ok(());
    };
    let Some(who) = actors::find_by_ap_id(&state.db, target.as_str())
        .await?
        .filter(|a| a.is_local() && a.kind == actors::KIND_PERSON)
    else {
        return Ok(());
    };
    let Some(event_id) = &a.object.id else {
        return Ok(());
    };
    let event = match events::find_by_ap_id(&state.db, event_id.as_str()).await? {
        Some(e) => e,
        None => {
            // An event we have not seen yet: fetch it from its origin (the inviter's server).
            let fetched = fetch_object(state, event_id).await?;
            if fetched["type"] != "Event" {
                return Ok(());
            }
            event(state, actor, &fetched, None, true).await?;
            events::find_by_ap_id(&state.db, event_id.as_str())
                .await?
                .ok_or_else(|| invalid("the invited event could not be stored"))?
        }
    };
    if event.local {
        return Err(invalid("an invitation to a local event from elsewhere"));
    }
    if event.organizer_id != actor.id && event.group_id != Some(actor.id) {
        return Err(invalid("only the event's organiser invites"));
    }
    let mut tx = state.db.begin().await?;
    let new = events::insert_invitation(
        &mut tx,
        &events::InvitationRow {
            event_id: event.id,
            actor_id: who.id,
            invited_by: actor.id,
            ap_id: a.id_str().map(str::to_owned),
            created_at: storage::now(),
        },
    )
    .await?;
    tx.commit().await?;
    if new {
        crate::services::notify::invited(state, &event, actor.id, who.id).await;
    }
    Ok(())
}

/// The Delete of a remote event by its organiser or its group; true when `object` was one.
pub(super) async fn delete(state: &AppState, actor: &ActorRow, object: &Url) -> Result<bool, ProcessError> {
    let Some(event) = events::find_by_ap_id(&state.db, object.as_str()).await? else {
        return Ok(false);
    };
    if event.local || (event.organizer_id != actor.id && event.group_id != Some(actor.id)) {
        return Err(invalid("Delete of someone else's event"));
    }
    let mut tx = state.db.begin().await?;
    events::delete(&mut tx, event.id).await?;
    tx.commit().await?;
    Ok(true)
}
