//! Events: created by a group's stewards (or a member), joined by anyone the join mode allows,
//! with a capacity and a waiting list; changes and cancellations federate to participants.

use chrono::{NaiveDateTime, TimeZone};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::federation::events::event_to_ap;
use crate::federation::{activities, delivery};
use crate::services::groups;
use crate::services::social::personal_inbox;
use crate::storage::actors::{self, ActorRow};
use crate::storage::events::{self, EventRow};
use crate::storage::{self, Tx, follows};

pub const CATEGORIES: &[&str] = &[
    "conference",
    "seminar",
    "training_course",
    "workshop",
    "virtual_meeting",
    "other",
];

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for EventError {
    fn from(e: sqlx::Error) -> Self {
        EventError::Internal(e.into())
    }
}

fn invalid(m: impl Into<String>) -> EventError {
    EventError::Invalid(m.into())
}

#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub title: String,
    pub description: String,
    /// Wall-clock start and end in `timezone`.
    pub starts: Option<NaiveDateTime>,
    pub ends: Option<NaiveDateTime>,
    pub timezone: String,
    pub all_day: bool,
    pub place_name: Option<String>,
    pub place_address: Option<String>,
    pub online_url: Option<String>,
    pub online_url_public: bool,
    pub category: String,
    pub capacity: Option<i32>,
    pub join_mode: String,
    pub external_url: Option<String>,
    pub tentative: bool,
    /// The series (training course, programme) this session belongs to.
    pub series: Option<i64>,
}

/// Who an event's activities come from, and who receives them: the group and its members, or
/// the organiser and their followers; and the remote people taking part.
async fn audience(
    state: &AppState,
    e: &EventRow,
) -> anyhow::Result<(ActorRow, Option<ActorRow>, Vec<(String, String)>)> {
    let organizer = actors::find_by_id(&state.db, e.organizer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("organizer gone"))?;
    let group = match e.group_id {
        Some(g) => actors::find_by_id(&state.db, g).await?,
        None => None,
    };
    let sender = group.clone().unwrap_or_else(|| organizer.clone());
    let mut recipients = follows::follower_actors(&state.db, sender.id).await?;
    for state_name in ["going", "waitlist", "pending"] {
        for p in events::participants(&state.db, e.id, state_name).await? {
            if let Some(a) = actors::find_by_id(&state.db, p.actor_id).await? {
                recipients.push(a);
            }
        }
    }
    Ok((sender, group, delivery::inboxes_for(state, recipients.iter())))
}

async fn object(state: &AppState, e: &EventRow) -> anyhow::Result<Value> {
    let organizer = actors::find_by_id(&state.db, e.organizer_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("organizer gone"))?;
    let group = match e.group_id {
        Some(g) => actors::find_by_id(&state.db, g).await?,
        None => None,
    };
    let series = match e.series_id {
        Some(s) => events::find(&state.db, s).await?.map(|x| x.ap_id),
        None => None,
    };
    Ok(event_to_ap(
        e,
        &organizer,
        group.as_ref(),
        events::count(&state.db, e.id, "going").await?,
        series.as_deref(),
    ))
}

/// Queues a Create or Update of the event to its audience, in `tx`.
async fn announce(tx: &mut Tx, state: &AppState, e: &EventRow, kind: &str) -> anyhow::Result<()> {
    let (sender, _, inboxes) = audience(state, e).await?;
    let o = object(state, e).await?;
    let activity = activities::create_or_update(
        kind,
        state.urls.activity(crate::ids::new_id()).as_str(),
        &sender.ap_id,
        &o,
    );
    delivery::queue(tx, &sender, &activity, &inboxes).await
}

/// Checks a new or changed event and builds its row (a fresh id and URL).
async fn build(
    state: &AppState,
    organizer: &ActorRow,
    group: Option<&ActorRow>,
    new: NewEvent,
) -> Result<EventRow, EventError> {
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(invalid("the title needs 1 to 200 characters"));
    }
    if new.description.chars().count() > crate::services::content::MAX_CONTENT_CHARS {
        return Err(invalid("the description is too long"));
    }
    let tz: chrono_tz::Tz = new.timezone.parse().map_err(|_| {
        invalid(format!(
            "unknown time zone {:?}: use an IANA name such as Europe/Paris",
            new.timezone
        ))
    })?;
    let starts_local = new.starts.ok_or_else(|| invalid("a start time is required"))?;
    let local = |t: NaiveDateTime| {
        tz.from_local_datetime(&t)
            .earliest()
            .map(|x| x.with_timezone(&chrono::Utc))
            .ok_or_else(|| invalid(format!("{t} does not exist in {tz}")))
    };
    let starts_at = local(starts_local)?;
    let ends_at = match new.ends {
        Some(e) => Some(local(e)?),
        None => None,
    };
    if ends_at.is_some_and(|e| e < starts_at) {
        return Err(invalid("the event ends before it starts"));
    }
    let category = if new.category.is_empty() {
        "other".to_owned()
    } else {
        new.category.clone()
    };
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(invalid(format!("category must be one of {}", CATEGORIES.join(", "))));
    }
    let join_mode = if new.join_mode.is_empty() {
        "free".to_owned()
    } else {
        new.join_mode.clone()
    };
    if !["free", "approval", "invite", "external"].contains(&join_mode.as_str()) {
        return Err(invalid("join mode must be free, approval, invite or external"));
    }
    if join_mode == "external" && new.external_url.is_none() {
        return Err(invalid("an external registration link is required"));
    }
    if new.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        return Err(invalid("capacity must be between 1 and 100000"));
    }
    for u in [&new.online_url, &new.external_url].into_iter().flatten() {
        if url::Url::parse(u)
            .map(|u| u.scheme() != "https" && u.scheme() != "http")
            .unwrap_or(true)
        {
            return Err(invalid(format!("{u} is not a web address")));
        }
    }
    let members_only = match group {
        Some(g) => {
            if !groups::can_moderate(state, g, organizer).await? {
                return Err(EventError::Refused(
                    "only the group's stewards organise its events".into(),
                ));
            }
            storage::groups::find(&state.db, g.id)
                .await?
                .is_some_and(|r| r.members_only())
        }
        None => false,
    };
    if let Some(s) = new.series {
        let series = events::find(&state.db, s)
            .await?
            .filter(|x| x.local && x.organizer_id == organizer.id);
        if series.is_none() {
            return Err(invalid("the series must be one of your own events"));
        }
    }
    let now = storage::now();
    let id = crate::ids::id_at(now);
    let ap_id = state
        .urls
        .base()
        .join(&format!("events/{id}"))
        .expect("valid")
        .to_string();
    let e = EventRow {
        id,
        ap_id: ap_id.clone(),
        url: Some(ap_id),
        organizer_id: organizer.id,
        group_id: group.map(|g| g.id),
        series_id: new.series,
        title: title.to_owned(),
        description_html: crate::text::plain_to_html(&new.description),
        starts_at,
        ends_at,
        timezone: tz.name().to_owned(),
        all_day: new.all_day,
        place_name: new.place_name.filter(|s| !s.trim().is_empty()),
        place_address: new.place_address.filter(|s| !s.trim().is_empty()),
        latitude: None,
        longitude: None,
        online_url: new.online_url,
        online_url_public: new.online_url_public,
        category,
        status: if new.tentative { "tentative" } else { "confirmed" }.into(),
        capacity: new.capacity,
        join_mode,
        external_url: new.external_url,
        visibility: if members_only { "members" } else { "public" }.into(),
        local: true,
        created_at: now,
        updated_at: now,
    };
    Ok(e)
}

pub async fn create(
    state: &AppState,
    organizer: &ActorRow,
    group: Option<&ActorRow>,
    new: NewEvent,
) -> Result<EventRow, EventError> {
    let e = build(state, organizer, group, new).await?;
    let mut tx = state.db.begin().await?;
    events::upsert(&mut tx, &e).await?;
    announce(&mut tx, state, &e, "Create").await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(e)
}

/// The organisers change an event (everything `create` takes, in full): an Update reaches the
/// group's members and every participant's server, participants here are notified, and places
/// a larger capacity opens go to the waiting list.
pub async fn update(state: &AppState, e: &EventRow, by: &ActorRow, new: NewEvent) -> Result<EventRow, EventError> {
    if !e.local || !is_organiser(state, e, by).await? {
        return Err(EventError::Refused("only the organisers change an event".into()));
    }
    if e.status == "cancelled" {
        return Err(EventError::Refused("the event is cancelled".into()));
    }
    let organizer = actors::find_by_id(&state.db, e.organizer_id)
        .await?
        .ok_or_else(|| invalid("organizer gone"))?;
    let group = match e.group_id {
        Some(g) => actors::find_by_id(&state.db, g).await?,
        None => None,
    };
    let mut changed = build(
        state,
        &organizer,
        group.as_ref(),
        NewEvent {
            series: e.series_id,
            ..new
        },
    )
    .await?;
    changed.id = e.id;
    changed.ap_id = e.ap_id.clone();
    changed.url = e.url.clone();
    changed.created_at = e.created_at;
    changed.visibility = e.visibility.clone();
    let mut tx = state.db.begin().await?;
    events::upsert(&mut tx, &changed).await?;
    announce(&mut tx, state, &changed, "Update").await?;
    while promote(&mut tx, state, &changed).await?.is_some() {}
    tx.commit().await?;
    state.delivery_wake.notify_one();
    crate::services::notify::event_changed(state, &changed).await;
    Ok(changed)
}

/// How someone stands with an event after asking to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Going,
    Waitlist,
    Pending,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Going => "going",
            Standing::Waitlist => "waitlist",
            Standing::Pending => "pending",
        }
    }
}

fn join_activity(id: &str, actor: &ActorRow, e: &EventRow) -> Value {
    json!({ "@context": activities::AS_CONTEXT, "id": id, "type": "Join", "actor": actor.ap_id, "object": e.ap_id })
}

/// Queues the organiser's Accept of a remote participant's Join.
async fn accept_join(
    tx: &mut Tx,
    state: &AppState,
    e: &EventRow,
    who: &ActorRow,
    join_id: Option<&str>,
    kind: &str,
) -> anyhow::Result<()> {
    if who.is_local() {
        return Ok(());
    }
    let (sender, _, _) = audience(state, e).await?;
    let join = join_activity(join_id.unwrap_or(&format!("{}#join-{}", e.ap_id, who.id)), who, e);
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    delivery::queue(
        tx,
        &sender,
        &activities::answer_follow(kind, &id, &sender.ap_id, join),
        &personal_inbox(state, who),
    )
    .await
}

async fn is_full(state: &AppState, e: &EventRow) -> anyhow::Result<bool> {
    Ok(match e.capacity {
        Some(c) => events::count(&state.db, e.id, "going").await? >= c as i64,
        None => false,
    })
}

/// The organiser, or a steward of the organising group.
pub async fn is_organiser(state: &AppState, e: &EventRow, who: &ActorRow) -> anyhow::Result<bool> {
    if e.organizer_id == who.id {
        return Ok(true);
    }
    match e.group_id {
        Some(g) => match actors::find_by_id(&state.db, g).await? {
            Some(g) => groups::can_moderate(state, &g, who).await,
            None => Ok(false),
        },
        None => Ok(false),
    }
}

/// Someone (local or remote) asks to join a local event; `join_id` is their Join's id.
pub async fn admit(
    state: &AppState,
    e: &EventRow,
    who: &ActorRow,
    join_id: Option<&str>,
) -> Result<Standing, EventError> {
    if !e.local {
        return Err(invalid("not an event of this node"));
    }
    if e.status == "cancelled" {
        return Err(EventError::Refused("the event is cancelled".into()));
    }
    match e.join_mode.as_str() {
        "invite" => return Err(EventError::Refused("this event is by invitation only".into())),
        "external" => {
            return Err(EventError::Refused(format!(
                "register at {}",
                e.external_url.clone().unwrap_or_default()
            )));
        }
        _ => {}
    }
    if e.visibility == "members"
        && let Some(g) = e.group_id
        && !follows::is_member(&state.db, who.id, g).await?
    {
        return Err(EventError::Refused("only the group's members may join".into()));
    }
    if let Some(p) = events::participation(&state.db, e.id, who.id).await? {
        return Ok(match p.state.as_str() {
            "going" => Standing::Going,
            "waitlist" => Standing::Waitlist,
            _ => Standing::Pending,
        });
    }
    let standing = if e.join_mode == "approval" {
        Standing::Pending
    } else if is_full(state, e).await? {
        Standing::Waitlist
    } else {
        Standing::Going
    };
    let mut tx = state.db.begin().await?;
    events::set_participation(&mut tx, e.id, who.id, standing.as_str(), join_id, storage::now()).await?;
    if standing == Standing::Going {
        accept_join(&mut tx, state, e, who, join_id, "Accept").await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(standing)
}

/// Moves the first of the waiting list up when a place is free.
async fn promote(tx: &mut Tx, state: &AppState, e: &EventRow) -> anyhow::Result<Option<ActorRow>> {
    let going = events::count(&state.db, e.id, "going").await?;
    if e.capacity.is_some_and(|c| going >= c as i64) {
        return Ok(None);
    }
    let Some(next) = events::participants(&state.db, e.id, "waitlist")
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let who = actors::find_by_id(&state.db, next.actor_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("participant gone"))?;
    events::set_participation(tx, e.id, who.id, "going", None, storage::now()).await?;
    accept_join(tx, state, e, &who, next.ap_id.as_deref(), "Accept").await?;
    Ok(Some(who))
}

/// Someone leaves a local event; the first on the waiting list takes the place.
pub async fn leave(state: &AppState, e: &EventRow, who: &ActorRow) -> Result<Option<ActorRow>, EventError> {
    let mut tx = state.db.begin().await?;
    let was = events::participation(&state.db, e.id, who.id).await?;
    if !events::remove_participation(&mut tx, e.id, who.id).await? {
        return Ok(None);
    }
    tx.commit().await?;
    let mut tx = state.db.begin().await?;
    let promoted = if was.is_some_and(|p| p.state == "going") {
        promote(&mut tx, state, e).await?
    } else {
        None
    };
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(promoted)
}

/// A steward (or the organiser) accepts or rejects a pending participant of a local event.
pub async fn decide(
    state: &AppState,
    e: &EventRow,
    who: &ActorRow,
    by: &ActorRow,
    accept: bool,
) -> Result<Standing, EventError> {
    if !is_organiser(state, e, by).await? {
        return Err(EventError::Refused("only the organisers decide".into()));
    }
    let p = events::participation(&state.db, e.id, who.id)
        .await?
        .filter(|p| p.state == "pending")
        .ok_or_else(|| invalid("no pending request"))?;
    let mut tx = state.db.begin().await?;
    if !accept {
        events::remove_participation(&mut tx, e.id, who.id).await?;
        accept_join(&mut tx, state, e, who, p.ap_id.as_deref(), "Reject").await?;
        tx.commit().await?;
        state.delivery_wake.notify_one();
        return Ok(Standing::Pending);
    }
    let standing = if is_full(state, e).await? {
        Standing::Waitlist
    } else {
        Standing::Going
    };
    events::set_participation(&mut tx, e.id, who.id, standing.as_str(), None, storage::now()).await?;
    if standing == Standing::Going {
        accept_join(&mut tx, state, e, who, p.ap_id.as_deref(), "Accept").await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(standing)
}

/// The organiser cancels: every participant's server and the group's members hear it.
pub async fn cancel(state: &AppState, e: &EventRow, by: &ActorRow) -> Result<EventRow, EventError> {
    if !e.local || !is_organiser(state, e, by).await? {
        return Err(EventError::Refused("only the organisers cancel an event".into()));
    }
    let mut cancelled = e.clone();
    cancelled.status = "cancelled".into();
    cancelled.updated_at = storage::now();
    let mut tx = state.db.begin().await?;
    events::set_status(&mut tx, e.id, "cancelled", cancelled.updated_at).await?;
    announce(&mut tx, state, &cancelled, "Update").await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    crate::services::notify::event_changed(state, &cancelled).await;
    Ok(cancelled)
}

/// A local member joins an event on another node: a Join to its organiser; pending until answered.
pub async fn join_remote(state: &AppState, e: &EventRow, who: &ActorRow) -> Result<Standing, EventError> {
    let organizer = actors::find_by_id(&state.db, e.group_id.unwrap_or(e.organizer_id))
        .await?
        .ok_or_else(|| invalid("organizer unknown"))?;
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let mut tx = state.db.begin().await?;
    events::set_participation(&mut tx, e.id, who.id, "pending", Some(&id), storage::now()).await?;
    delivery::queue(
        &mut tx,
        who,
        &join_activity(&id, who, e),
        &personal_inbox(state, &organizer),
    )
    .await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(Standing::Pending)
}

/// A local member leaves an event on another node.
pub async fn leave_remote(state: &AppState, e: &EventRow, who: &ActorRow) -> Result<(), EventError> {
    let organizer = actors::find_by_id(&state.db, e.group_id.unwrap_or(e.organizer_id))
        .await?
        .ok_or_else(|| invalid("organizer unknown"))?;
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let leave =
        json!({ "@context": activities::AS_CONTEXT, "id": id, "type": "Leave", "actor": who.ap_id, "object": e.ap_id });
    let mut tx = state.db.begin().await?;
    events::remove_participation(&mut tx, e.id, who.id).await?;
    delivery::queue(&mut tx, who, &leave, &personal_inbox(state, &organizer)).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// The wire object of an event (for HTTP and tests).
pub async fn wire(state: &AppState, e: &EventRow) -> anyhow::Result<Value> {
    object(state, e).await
}

/// Joins a course or programme as a whole: the series itself and every session of it. Each
/// session keeps its own capacity, approval and waiting list.
pub async fn admit_series(
    state: &AppState,
    series: &EventRow,
    who: &ActorRow,
) -> Result<Vec<(EventRow, Standing)>, EventError> {
    let mut out = vec![(series.clone(), admit(state, series, who, None).await?)];
    for session in events::sessions(&state.db, series.id).await? {
        if session.status == "cancelled" {
            continue;
        }
        let standing = admit(state, &session, who, None).await?;
        out.push((session, standing));
    }
    Ok(out)
}
