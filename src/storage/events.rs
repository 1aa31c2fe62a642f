//! Events and who takes part in them.

use chrono::{DateTime, Utc};

use super::{Exec, Tx};
use crate::model::Visibility;
use crate::{with_exec, with_tx, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub ap_id: String,
    pub url: Option<String>,
    pub organizer_id: i64,
    pub group_id: Option<i64>,
    pub series_id: Option<i64>,
    pub title: String,
    pub description_html: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub timezone: String,
    pub all_day: bool,
    pub place_name: Option<String>,
    pub place_address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub online_url_public: bool,
    pub category: String,
    pub status: String,
    pub capacity: Option<i32>,
    pub join_mode: String,
    pub external_url: Option<String>,
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    pub local: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Lower-case hashtags without `#`, separated by single spaces.
    pub tags: String,
    pub cover_url: Option<String>,
    pub cover_media_type: Option<String>,
    pub cover_description: String,
    /// Who may list the attendees: `public`, `participants` or `organisers`.
    pub attendees_visibility: String,
}

impl EventRow {
    pub fn tag_list(&self) -> impl Iterator<Item = &str> {
        self.tags.split(' ').filter(|t| !t.is_empty())
    }
}

/// Inserts an event, or (remote events) updates the stored copy; true when new.
pub async fn upsert(tx: &mut Tx, e: &EventRow) -> Result<bool, sqlx::Error> {
    with_tx!(tx, c => {
        let updated = sqlx::query(
            "UPDATE events SET title = $1, description_html = $2, starts_at = $3, ends_at = $4, timezone = $5, all_day = $6, \
             place_name = $7, place_address = $8, latitude = $9, longitude = $10, online_url = $11, online_url_public = $12, \
             category = $13, status = $14, capacity = $15, join_mode = $16, external_url = $17, url = $18, updated_at = $19, \
             tags = $21, cover_url = $22, cover_media_type = $23, cover_description = $24, attendees_visibility = $25 \
             WHERE ap_id = $20")
            .bind(&e.title).bind(&e.description_html).bind(e.starts_at).bind(e.ends_at).bind(&e.timezone).bind(e.all_day)
            .bind(&e.place_name).bind(&e.place_address).bind(e.latitude).bind(e.longitude).bind(&e.online_url)
            .bind(e.online_url_public).bind(&e.category).bind(&e.status).bind(e.capacity).bind(&e.join_mode)
            .bind(&e.external_url).bind(&e.url).bind(e.updated_at).bind(&e.ap_id)
            .bind(&e.tags).bind(&e.cover_url).bind(&e.cover_media_type).bind(&e.cover_description).bind(&e.attendees_visibility)
            .execute(&mut *c).await?.rows_affected();
        if updated > 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO events (id, ap_id, url, organizer_id, group_id, series_id, title, description_html, starts_at, ends_at, \
             timezone, all_day, place_name, place_address, latitude, longitude, online_url, online_url_public, category, status, \
             capacity, join_mode, external_url, visibility, local, created_at, updated_at, tags, cover_url, cover_media_type, \
             cover_description, attendees_visibility) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)")
            .bind(e.id).bind(&e.ap_id).bind(&e.url).bind(e.organizer_id).bind(e.group_id).bind(e.series_id).bind(&e.title)
            .bind(&e.description_html).bind(e.starts_at).bind(e.ends_at).bind(&e.timezone).bind(e.all_day).bind(&e.place_name)
            .bind(&e.place_address).bind(e.latitude).bind(e.longitude).bind(&e.online_url).bind(e.online_url_public)
            .bind(&e.category).bind(&e.status).bind(e.capacity).bind(&e.join_mode).bind(&e.external_url).bind(e.visibility.as_str())
            .bind(e.local).bind(e.created_at).bind(e.updated_at).bind(&e.tags).bind(&e.cover_url).bind(&e.cover_media_type)
            .bind(&e.cover_description).bind(&e.attendees_visibility)
            .execute(&mut *c).await?;
        Ok(true)
    })
}

pub async fn find(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<EventRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, EventRow>("SELECT * FROM events WHERE id = $1").bind(id).fetch_optional(p).await)
}

/// The events whose cover is the image at `url`.
pub async fn with_cover(db: impl Into<Exec<'_>>, url: &str) -> Result<Vec<EventRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, EventRow>("SELECT * FROM events WHERE cover_url = $1 LIMIT 10").bind(url).fetch_all(p).await)
}

pub async fn find_by_ap_id(db: impl Into<Exec<'_>>, ap_id: &str) -> Result<Option<EventRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, EventRow>("SELECT * FROM events WHERE ap_id = $1").bind(ap_id).fetch_optional(p).await)
}

/// Events matching a filter on `events` (using `$1`), by start time, at most `limit`.
pub async fn list(db: impl Into<Exec<'_>>, filter: &str, bind: i64, limit: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    let sql = format!(
        "SELECT * FROM events WHERE {filter} ORDER BY starts_at LIMIT {}",
        limit.clamp(1, 500)
    );
    with_exec!(db, p => sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql)).bind(bind).fetch_all(p).await)
}

pub async fn set_status(tx: impl Into<Exec<'_>>, id: i64, status: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query("UPDATE events SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status).bind(now).bind(id).execute(c).await.map(|_| ()))
}

/// The states of taking part: going, waiting for a place, waiting for approval, maybe.
pub const STATES: &[&str] = &["going", "waitlist", "pending", "interested"];

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ParticipationRow {
    pub id: i64,
    pub event_id: i64,
    pub actor_id: i64,
    pub state: String,
    pub ap_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn participation(
    db: impl Into<Exec<'_>>,
    event_id: i64,
    actor_id: i64,
) -> Result<Option<ParticipationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ParticipationRow>("SELECT * FROM participations WHERE event_id = $1 AND actor_id = $2")
        .bind(event_id).bind(actor_id).fetch_optional(p).await)
}

pub async fn set_participation(
    tx: impl Into<Exec<'_>>,
    event_id: i64,
    actor_id: i64,
    state: &str,
    ap_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query(
        "INSERT INTO participations (id, event_id, actor_id, state, ap_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (event_id, actor_id) DO UPDATE SET state = excluded.state, ap_id = COALESCE(excluded.ap_id, participations.ap_id)")
        .bind(crate::ids::id_at(now)).bind(event_id).bind(actor_id).bind(state).bind(ap_id).bind(now)
        .execute(c).await.map(|_| ()))
}

pub async fn remove_participation(tx: impl Into<Exec<'_>>, event_id: i64, actor_id: i64) -> Result<bool, sqlx::Error> {
    with_write!(tx, c => sqlx::query("DELETE FROM participations WHERE event_id = $1 AND actor_id = $2")
        .bind(event_id).bind(actor_id).execute(c).await.map(|r| r.rows_affected() > 0))
}

/// Participations of an event in a state, first come first.
pub async fn participants(
    db: impl Into<Exec<'_>>,
    event_id: i64,
    state: &str,
) -> Result<Vec<ParticipationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, ParticipationRow>(
        "SELECT * FROM participations WHERE event_id = $1 AND state = $2 ORDER BY id")
        .bind(event_id).bind(state).fetch_all(p).await)
}

pub async fn count(db: impl Into<Exec<'_>>, event_id: i64, state: &str) -> Result<i64, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM participations WHERE event_id = $1 AND state = $2")
        .bind(event_id).bind(state).fetch_one(p).await)
}

/// Events an actor takes part in (going or waiting), by start time: their agenda.
pub async fn agenda(db: impl Into<Exec<'_>>, actor_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, EventRow>(
        "SELECT e.* FROM events e JOIN participations pa ON pa.event_id = e.id WHERE pa.actor_id = $1 \
         AND pa.state IN ('going', 'waitlist', 'pending', 'interested') ORDER BY e.starts_at LIMIT 500")
        .bind(actor_id).fetch_all(p).await)
}

pub async fn insert_calendar_token(
    db: impl Into<Exec<'_>>,
    hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_write!(db, p => sqlx::query("INSERT INTO calendar_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(hash).bind(user_id).bind(now).execute(p).await.map(|_| ()))
}

pub async fn calendar_token_user(db: impl Into<Exec<'_>>, hash: &str) -> Result<Option<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar::<_, i64>("SELECT user_id FROM calendar_tokens WHERE token_hash = $1")
        .bind(hash).fetch_optional(p).await)
}

/// Events still to come (or running) at `from`, by start time, optionally in one group, one
/// category, with one tag, or organised here.
pub async fn upcoming(
    db: impl Into<Exec<'_>>,
    from: DateTime<Utc>,
    group: Option<i64>,
    category: Option<&str>,
    tag: Option<&str>,
    local_only: bool,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, EventRow>(
        "SELECT * FROM events WHERE (starts_at >= $1 OR ends_at >= $1) AND ($2 < 0 OR group_id = $2) \
         AND ($3 = '' OR category = $3) AND (NOT $4 OR local) \
         AND ($6 = '' OR (' ' || tags || ' ') LIKE ('% ' || $6 || ' %')) ORDER BY starts_at LIMIT $5")
        .bind(from).bind(group.unwrap_or(-1)).bind(category.unwrap_or("")).bind(local_only).bind(limit)
        .bind(tag.unwrap_or(""))
        .fetch_all(p).await)
}

/// The sessions of a series, by start time.
pub async fn sessions(db: impl Into<Exec<'_>>, series_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, EventRow>("SELECT * FROM events WHERE series_id = $1 ORDER BY starts_at LIMIT 200")
        .bind(series_id).fetch_all(p).await)
}

/// Removes an event (its sessions, participations, invitations and notifications go with it).
pub async fn delete(tx: impl Into<Exec<'_>>, id: i64) -> Result<(), sqlx::Error> {
    with_write!(tx, c => sqlx::query("DELETE FROM events WHERE id = $1").bind(id).execute(c).await.map(|_| ()))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvitationRow {
    pub event_id: i64,
    pub actor_id: i64,
    pub invited_by: i64,
    pub ap_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Records an invitation; false when the person was already invited.
pub async fn insert_invitation(tx: impl Into<Exec<'_>>, i: &InvitationRow) -> Result<bool, sqlx::Error> {
    with_write!(tx, c => sqlx::query(
        "INSERT INTO event_invitations (event_id, actor_id, invited_by, ap_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (event_id, actor_id) DO NOTHING")
        .bind(i.event_id).bind(i.actor_id).bind(i.invited_by).bind(&i.ap_id).bind(i.created_at)
        .execute(c).await.map(|r| r.rows_affected() > 0))
}

pub async fn invitation(
    db: impl Into<Exec<'_>>,
    event_id: i64,
    actor_id: i64,
) -> Result<Option<InvitationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, InvitationRow>("SELECT * FROM event_invitations WHERE event_id = $1 AND actor_id = $2")
        .bind(event_id).bind(actor_id).fetch_optional(p).await)
}

/// The invitation an `Invite` activity of ours (by its id) carried.
pub async fn invitation_by_ap_id(db: impl Into<Exec<'_>>, ap_id: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, InvitationRow>("SELECT * FROM event_invitations WHERE ap_id = $1")
        .bind(ap_id).fetch_optional(p).await)
}

/// The invitations of an event, oldest first.
pub async fn invitations(db: impl Into<Exec<'_>>, event_id: i64) -> Result<Vec<InvitationRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, InvitationRow>(
        "SELECT * FROM event_invitations WHERE event_id = $1 ORDER BY created_at LIMIT 1000")
        .bind(event_id).fetch_all(p).await)
}

/// Events a member's home timeline shows: their own, and those of the groups and people they
/// follow, inside the id window, newest first.
pub async fn home_page(
    db: impl Into<Exec<'_>>,
    me: i64,
    max_id: Option<i64>,
    min_id: Option<i64>,
    ascending: bool,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    const FOLLOWED: &str = "SELECT followed_id FROM follows WHERE follower_id = $1 AND accepted";
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT * FROM events WHERE (organizer_id = $1 OR group_id IN ({FOLLOWED}) OR organizer_id IN ({FOLLOWED})) \
         AND id < $2 AND id > $3 ORDER BY id {order} LIMIT $4"
    );
    with_exec!(db, p => sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql))
        .bind(me).bind(max_id.unwrap_or(i64::MAX)).bind(min_id.unwrap_or(0)).bind(limit).fetch_all(p).await)
}
