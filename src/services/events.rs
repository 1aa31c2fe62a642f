//! Events: created by a group's stewards (or a member), joined by anyone the join mode allows,
//! with a capacity and a waiting list; changes and cancellations federate to participants.

use chrono::{Datelike, NaiveDateTime, TimeZone};
use serde_json::Value;

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

/// Events are dated within these years (older dates have no sane time zone rules; an event far
/// ahead is a typo).
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2999;

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
    /// Hashtags, with or without `#`.
    pub tags: Vec<String>,
    /// An image the organiser uploaded (`/api/v2/media`) as the cover; on a change, `None`
    /// keeps the cover the event has unless `remove_cover`.
    pub cover_media_id: Option<i64>,
    pub remove_cover: bool,
    /// Who may list the attendees: public, participants or organisers (the default).
    pub attendees_visibility: String,
}

pub use crate::model::MAX_EVENT_TAGS as MAX_TAGS;
/// Attendee lists (API and ActivityPub) show the first this many, by arrival; counts are exact.
pub const MAX_LISTED_ATTENDEES: usize = 1000;
pub const ATTENDEES_VISIBILITY: &[&str] = &["public", "participants", "organisers"];

/// Tags as stored: normalised, without repeats, space-separated.
fn tags_column(tags: &[String]) -> Result<String, EventError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let n = crate::services::content::normalize_tag(t)
            .ok_or_else(|| invalid(format!("{t:?} is not a hashtag: letters, digits and _ only")))?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(invalid(format!("at most {MAX_TAGS} tags")));
    }
    Ok(out.join(" "))
}

/// A wall-clock time as people write it, `2026-12-01T09:30` (seconds allowed); for an all-day
/// event a date, `2026-12-01`, meaning its first minute or (`end`) its last.
pub fn wall_clock(s: &str, all_day: bool, end: bool) -> Result<NaiveDateTime, EventError> {
    let time = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"));
    if let Ok(t) = time {
        return Ok(t);
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if all_day => Ok(d.and_time(if end {
            chrono::NaiveTime::from_hms_opt(23, 59, 0).expect("valid time")
        } else {
            chrono::NaiveTime::MIN
        })),
        _ => Err(invalid(format!(
            "{s:?} is not a local time such as 2026-12-01T09:30{}",
            if all_day { " or a date such as 2026-12-01" } else { "" }
        ))),
    }
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
    for state_name in events::STATES {
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
    let mut starts_local = new.starts.ok_or_else(|| invalid("a start time is required"))?;
    let mut ends_local = new.ends;
    for t in std::iter::once(starts_local).chain(ends_local) {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&t.year()) {
            return Err(invalid(format!(
                "events take place between the years {FIRST_YEAR} and {LAST_YEAR}"
            )));
        }
    }
    if new.all_day {
        // Whole days: from the first minute of the first day to the last of the last.
        starts_local = starts_local.date().and_time(chrono::NaiveTime::MIN);
        let last = ends_local.map(|e| e.date()).unwrap_or(starts_local.date());
        ends_local = Some(last.and_hms_opt(23, 59, 0).expect("valid time"));
    }
    let local = |t: NaiveDateTime| {
        tz.from_local_datetime(&t)
            .earliest()
            .map(|x| x.with_timezone(&chrono::Utc))
            .ok_or_else(|| invalid(format!("{t} does not exist in {tz}")))
    };
    let starts_at = local(starts_local)?;
    let ends_at = match ends_local {
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
    let tags = tags_column(&new.tags)?;
    let cover = match new.cover_media_id {
        Some(m) => Some(
            storage::media::find(&state.db, organizer.id, m)
                .await?
                .ok_or_else(|| invalid("the cover must be an image you uploaded"))?,
        ),
        None => None,
    };
    let attendees_visibility = if new.attendees_visibility.is_empty() {
        "organisers".to_owned()
    } else {
        new.attendees_visibility.clone()
    };
    if !ATTENDEES_VISIBILITY.contains(&attendees_visibility.as_str()) {
        return Err(invalid(
            "attendees_visibility must be public, participants or organisers",
        ));
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
        visibility: crate::model::Visibility::members_only(members_only),
        local: true,
        created_at: now,
        updated_at: now,
        tags,
        cover_url: cover.as_ref().map(|m| crate::services::media::url(state, m)),
        cover_media_type: cover.as_ref().map(|m| m.content_type.clone()),
        cover_description: cover.map(|m| m.description).unwrap_or_default(),
        attendees_visibility,
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
    let keep_cover = new.cover_media_id.is_none() && !new.remove_cover;
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
    if keep_cover {
        changed.cover_url = e.cover_url.clone();
        changed.cover_media_type = e.cover_media_type.clone();
        changed.cover_description = e.cover_description.clone();
    }
    changed.id = e.id;
    changed.ap_id = e.ap_id.clone();
    changed.url = e.url.clone();
    changed.created_at = e.created_at;
    changed.visibility = e.visibility;
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
    let join = activities::events::join(join_id.unwrap_or(&format!("{}#join-{}", e.ap_id, who.id)), who, e);
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
    let invited = events::invitation(&state.db, e.id, who.id).await?.is_some();
    match e.join_mode.as_str() {
        "invite" if !invited => return Err(EventError::Refused("this event is by invitation only".into())),
        "external" => {
            return Err(EventError::Refused(format!(
                "register at {}",
                e.external_url.clone().unwrap_or_default()
            )));
        }
        _ => {}
    }
    if e.visibility == crate::model::Visibility::Members
        && !invited
        && let Some(g) = e.group_id
        && !follows::is_member(&state.db, who.id, g).await?
    {
        return Err(EventError::Refused("only the group's members may join".into()));
    }
    if let Some(p) = events::participation(&state.db, e.id, who.id)
        .await?
        .filter(|p| p.state != "interested")
    {
        return Ok(match p.state.as_str() {
            "going" => Standing::Going,
            "waitlist" => Standing::Waitlist,
            _ => Standing::Pending,
        });
    }
    // An invitation stands for the organisers' approval.
    let standing = if e.join_mode == "approval" && !invited {
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
    events::set_participation(&mut *tx, e.id, who.id, "going", None, storage::now()).await?;
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

/// The actor that speaks for an event: its group, or its organiser.
pub async fn host(state: &AppState, e: &EventRow) -> anyhow::Result<ActorRow> {
    actors::find_by_id(&state.db, e.group_id.unwrap_or(e.organizer_id))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the organiser of {} is gone", e.ap_id))
}

/// A local member joins an event on another node: a Join to its organiser; pending until answered.
pub async fn join_remote(state: &AppState, e: &EventRow, who: &ActorRow) -> Result<Standing, EventError> {
    let organizer = host(state, e).await?;
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let mut tx = state.db.begin().await?;
    events::set_participation(&mut tx, e.id, who.id, "pending", Some(&id), storage::now()).await?;
    delivery::queue(
        &mut tx,
        who,
        &activities::events::join(&id, who, e),
        &personal_inbox(state, &organizer),
    )
    .await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(Standing::Pending)
}

/// A local member leaves an event on another node.
pub async fn leave_remote(state: &AppState, e: &EventRow, who: &ActorRow) -> Result<(), EventError> {
    let organizer = host(state, e).await?;
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let leave = activities::events::leave(&id, who, e);
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

/// Someone says they might come (Friendica's and AS2's `TentativeAccept`): shown to the
/// organisers and in their own agenda as tentative, without taking a place.
pub async fn interested(state: &AppState, e: &EventRow, who: &ActorRow, ap_id: Option<&str>) -> Result<(), EventError> {
    if e.status == "cancelled" {
        return Err(EventError::Refused("the event is cancelled".into()));
    }
    if e.local
        && e.visibility == crate::model::Visibility::Members
        && let Some(g) = e.group_id
        && !follows::is_member(&state.db, who.id, g).await?
        && events::invitation(&state.db, e.id, who.id).await?.is_none()
    {
        return Err(EventError::Refused("only the group's members may take part".into()));
    }
    if let Some(p) = events::participation(&state.db, e.id, who.id).await?
        && p.state != "interested"
    {
        return Err(EventError::Refused(format!(
            "already {}: leave first to say maybe",
            p.state
        )));
    }
    let mut tx = state.db.begin().await?;
    events::set_participation(&mut tx, e.id, who.id, "interested", ap_id, storage::now()).await?;
    if !e.local {
        // Tell the organiser's server, as Friendica and Mobilizon understand it.
        let organizer = host(state, e).await?;
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        let maybe = activities::events::tentative_accept(&id, who, e, &organizer);
        delivery::queue(&mut tx, who, &maybe, &personal_inbox(state, &organizer)).await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// The organisers invite someone, here or on another node. An invitation lets its holder
/// join an invitation-only (or approval) event directly; a remote invitee's server gets an
/// `Invite` (Mobilizon's shape: the event as object, the invitee as target). False when the
/// person was invited already.
pub async fn invite(state: &AppState, e: &EventRow, by: &ActorRow, who: &ActorRow) -> Result<bool, EventError> {
    if !e.local || !is_organiser(state, e, by).await? {
        return Err(EventError::Refused("only the organisers invite".into()));
    }
    if e.status == "cancelled" {
        return Err(EventError::Refused("the event is cancelled".into()));
    }
    if who.kind != crate::storage::actors::KIND_PERSON {
        return Err(invalid("only people can be invited"));
    }
    if events::invitations(&state.db, e.id).await?.len() >= 1000 {
        return Err(invalid("an event has at most 1000 invitations"));
    }
    let (sender, _, _) = audience(state, e).await?;
    let id = state.urls.activity(crate::ids::new_id()).to_string();
    let mut tx = state.db.begin().await?;
    let new = events::insert_invitation(
        &mut tx,
        &events::InvitationRow {
            event_id: e.id,
            actor_id: who.id,
            invited_by: by.id,
            ap_id: Some(id.clone()),
            created_at: storage::now(),
        },
    )
    .await?;
    if new && !who.is_local() {
        let activity = activities::events::invite(&id, &sender, e, who);
        delivery::queue(&mut tx, &sender, &activity, &personal_inbox(state, who)).await?;
    }
    tx.commit().await?;
    if new {
        state.delivery_wake.notify_one();
        if who.is_local() {
            crate::services::notify::invited(state, e, sender.id, who.id).await;
        }
    }
    Ok(new)
}

/// The organisers delete an event (a series with its sessions): a `Delete` with a Tombstone
/// reaches the group's members and every participant's server, then the rows go.
pub async fn delete(state: &AppState, e: &EventRow, by: &ActorRow) -> Result<(), EventError> {
    if !e.local || !is_organiser(state, e, by).await? {
        return Err(EventError::Refused("only the organisers delete an event".into()));
    }
    let mut gone = events::sessions(&state.db, e.id).await?;
    gone.push(e.clone());
    let mut tx = state.db.begin().await?;
    for x in &gone {
        let (sender, _, inboxes) = audience(state, x).await?;
        let id = state.urls.activity(crate::ids::new_id()).to_string();
        delivery::queue(&mut tx, &sender, &activities::events::delete(&id, &sender, x), &inboxes).await?;
    }
    events::delete(&mut tx, e.id).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(())
}

/// Whether `viewer` may see who attends: as the organiser chose (public, participants or
/// the organisers only). `None` is an anonymous viewer.
pub async fn may_list_attendees(state: &AppState, e: &EventRow, viewer: Option<&ActorRow>) -> anyhow::Result<bool> {
    if e.attendees_visibility == "public" {
        return Ok(true);
    }
    let Some(v) = viewer else { return Ok(false) };
    if is_organiser(state, e, v).await? || e.group_id == Some(v.id) {
        return Ok(true);
    }
    Ok(e.attendees_visibility == "participants"
        && events::participation(&state.db, e.id, v.id)
            .await?
            .is_some_and(|p| p.state == "going"))
}

/// An answer to an event, as the poll that apps show on it offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rsvp {
    Going,
    Maybe,
    No,
}

impl Rsvp {
    /// The options of an event's poll, in the order apps show them.
    pub const TITLES: [&'static str; 3] = ["Going", "Maybe", "Can't go"];

    pub fn from_choice(choice: i64) -> Option<Rsvp> {
        match choice {
            0 => Some(Rsvp::Going),
            1 => Some(Rsvp::Maybe),
            2 => Some(Rsvp::No),
            _ => None,
        }
    }

    /// The option a participation state stands for (none when the person has not answered).
    pub fn of_state(state: &str) -> Option<Rsvp> {
        match state {
            "going" | "waitlist" | "pending" => Some(Rsvp::Going),
            "interested" => Some(Rsvp::Maybe),
            _ => None,
        }
    }
}

/// A local member answers an event (here or on another node) by its poll: going is a Join
/// (`admit` here, a `Join` to the organiser elsewhere), maybe is a `TentativeAccept`, can't go
/// a `Leave`. Changing one's answer leaves first where needed. Refused once the event started.
pub async fn rsvp(state: &AppState, e: &EventRow, who: &ActorRow, answer: Rsvp) -> Result<(), EventError> {
    if e.starts_at <= storage::now() {
        return Err(EventError::Refused("the event has started: answers are closed".into()));
    }
    let now = events::participation(&state.db, e.id, who.id)
        .await?
        .and_then(|p| Rsvp::of_state(&p.state));
    if now == Some(answer) {
        return Ok(());
    }
    let leave = async {
        if e.local {
            leave(state, e, who).await.map(|_| ())
        } else {
            leave_remote(state, e, who).await
        }
    };
    match answer {
        Rsvp::Going => {
            if now == Some(Rsvp::Maybe) && !e.local {
                // The organiser's server reads a Join after a TentativeAccept as the new answer.
                events::remove_participation(&state.db, e.id, who.id).await?;
            }
            if e.local {
                admit(state, e, who, None).await.map(|_| ())
            } else {
                join_remote(state, e, who).await.map(|_| ())
            }
        }
        Rsvp::Maybe => {
            if now.is_some() {
                leave.await?;
            }
            interested(state, e, who, None).await
        }
        Rsvp::No => {
            if now.is_some() {
                leave.await?;
            }
            Ok(())
        }
    }
}
