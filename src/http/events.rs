//! Events on the web: `/events/{id}` (ActivityPub `Event`), and iCalendar (RFC 5545) feeds for
//! one event (`/events/{id}.ics`), a group (`/@group/calendar.ics`), the node (`/calendar.ics`)
//! and a member's own agenda (`/agenda/{token}.ics`, a private URL). Times are written as UTC
//! instants, which every calendar shows in its own zone; the event's zone is kept as a property.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus};

use super::actors::activity_json;
use super::error::{AppError, AppResult};
use super::negotiate::{Wants, wants};
use crate::app::AppState;
use crate::storage::actors::{self, KIND_GROUP};
use crate::storage::events::{self, EventRow};
use crate::text::escape_html;

use crate::text::html_to_plain as plain;

/// One VEVENT; the online link only when it is public (or `with_private_link`).
fn vevent(e: &EventRow, with_private_link: bool) -> icalendar::Event {
    let mut v = icalendar::Event::new();
    v.uid(&e.ap_id).summary(&e.title).timestamp(e.updated_at);
    if e.all_day {
        // Dates in the event's own zone; DTEND is the day after the last (RFC 5545 3.6.1).
        let tz: chrono_tz::Tz = e.timezone.parse().unwrap_or(chrono_tz::UTC);
        let first = e.starts_at.with_timezone(&tz).date_naive();
        let last = e
            .ends_at
            .map(|t| t.with_timezone(&tz).date_naive())
            .unwrap_or(first)
            .max(first);
        v.starts(first).ends(last.succ_opt().unwrap_or(last));
    } else {
        match zone(e) {
            // Wall-clock times in the event's zone, defined by the feed's VTIMEZONE.
            Some(tz) => {
                let local = |t: DateTime<Utc>| CalendarDateTime::WithTimezone {
                    date_time: t.with_timezone(&tz).naive_local(),
                    tzid: tz.name().to_owned(),
                };
                v.starts(local(e.starts_at));
                if let Some(end) = e.ends_at {
                    v.ends(local(end));
                }
            }
            None => {
                v.starts(e.starts_at);
                if let Some(end) = e.ends_at {
                    v.ends(end);
                }
            }
        }
    }
    let mut description = plain(&e.description_html);
    if let Some(link) = e
        .online_url
        .as_ref()
        .filter(|_| e.online_url_public || with_private_link)
    {
        description.push_str(&format!("\n\nOnline: {link}"));
    }
    v.description(&description);
    let place: Vec<&str> = [e.place_name.as_deref(), e.place_address.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !place.is_empty() {
        v.location(&place.join(", "));
    }
    if let Some(u) = &e.url {
        v.url(u);
    }
    v.status(match e.status.as_str() {
        "cancelled" => EventStatus::Cancelled,
        "tentative" => EventStatus::Tentative,
        _ => EventStatus::Confirmed,
    });
    v.categories(std::iter::once(e.category.to_uppercase()).chain(e.tag_list().map(str::to_owned)));
    if let Some(cover) = &e.cover_url {
        // RFC 7986 IMAGE.
        v.append_property(
            icalendar::Property::new("IMAGE", cover)
                .add_parameter("VALUE", "URI")
                .add_parameter("DISPLAY", "BADGE")
                .done(),
        );
    }
    v.done()
}

/// The zone an event's times are written in: its own, unless that is UTC (written as `Z`).
fn zone(e: &EventRow) -> Option<chrono_tz::Tz> {
    e.timezone.parse::<chrono_tz::Tz>().ok().filter(|tz| {
        !matches!(
            tz.name(),
            "UTC" | "Etc/UTC" | "Etc/UCT" | "Etc/Universal" | "Etc/Zulu" | "UCT" | "Universal" | "Zulu"
        )
    })
}

/// One VTIMEZONE for each zone the timed events use, covering their years, as iCalendar text.
fn timezones(events: &[EventRow]) -> String {
    let mut years: BTreeMap<&'static str, (chrono_tz::Tz, i32, i32)> = BTreeMap::new();
    for e in events.iter().filter(|e| !e.all_day) {
        if let Some(tz) = zone(e) {
            let first = e.starts_at.year();
            let last = e.ends_at.unwrap_or(e.starts_at).year();
            let entry = years.entry(tz.name()).or_insert((tz, first, last));
            entry.1 = entry.1.min(first);
            entry.2 = entry.2.max(last);
        }
    }
    years
        .values()
        .map(|(tz, first, last)| super::vtimezone::vtimezone(*tz, *first, *last))
        .collect()
}

fn calendar(name: &str, events: &[EventRow], with_private_links: bool) -> Response {
    // `Calendar::new()` would add the crate's own PRODID beside ours: RFC 5545 allows one.
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property((
            "PRODID",
            concat!("-//Staffroom//Staffroom ", env!("CARGO_PKG_VERSION"), "//EN"),
        ))
        .append_property(("CALSCALE", "GREGORIAN"))
        .name(name);
    for e in events {
        cal.push(vevent(e, with_private_links));
    }
    // The zones go in as text, before the events: the icalendar crate has no VTIMEZONE
    // builder, and its generic components would carry a DTSTAMP and a UID, which RFC 5545
    // does not allow there.
    let mut body = cal.done().to_string();
    let zones = timezones(events);
    if let Some(at) = body.find("BEGIN:VEVENT\r\n") {
        body.insert_str(at, &zones);
    }
    (
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn visible_event(
    state: &AppState,
    id: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> AppResult<EventRow> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let e = events::find(&state.db, id)
        .await?
        .filter(|e| e.local)
        .ok_or(AppError::NotFound)?;
    if e.visibility == crate::model::Visibility::Members {
        let g = actors::find_by_id(&state.db, e.group_id.ok_or(AppError::NotFound)?)
            .await?
            .ok_or(AppError::NotFound)?;
        if !super::groups::signed_by_member(state, &g, method, uri, headers).await? {
            return Err(AppError::NotFound);
        }
    }
    Ok(e)
}

/// `GET /events/{id}` (ActivityPub) and `GET /events/{id}.ics`.
pub async fn event(
    State(state): State<AppState>,
    Path(file): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    ctx: crate::web::Ctx,
) -> AppResult<Response> {
    if let Some(id) = file.strip_suffix(".ics") {
        let e = visible_event(&state, id, &method, &uri, &headers).await?;
        return Ok(calendar(&e.title, std::slice::from_ref(&e), false));
    }
    // A browser gets the event's page, which asks who the signed-in viewer is.
    if wants(&headers) == Wants::Html {
        return Ok(crate::web::events::page(&state, &ctx, &file).await.into_response());
    }
    let e = visible_event(&state, &file, &method, &uri, &headers).await?;
    if wants(&headers) == Wants::Html {
        return page(&state, &e).await;
    }
    Ok(activity_json(&crate::services::events::wire(&state, &e).await?))
}

/// The page a browser gets at an event's address (Mastodon links there): when and where, the
/// description, the calendar file, and how to take part.
async fn page(state: &AppState, e: &EventRow) -> AppResult<Response> {
    let by = crate::services::events::host(state, e).await?;
    let going = events::count(&state.db, e.id, "going").await?;
    let cover = e
        .cover_url
        .as_ref()
        .map(|u| {
            format!(
                "<img src=\"{}\" alt=\"{}\">",
                escape_html(u),
                escape_html(&e.cover_description)
            )
        })
        .unwrap_or_default();
    // The summary names the place; the address follows it.
    let place = e.place_address.as_deref().map(escape_html).unwrap_or_default();
    let places = match e.capacity {
        Some(c) => match (c as i64 - going).max(0) {
            1 => format!("{going} going, 1 place left"),
            left => format!("{going} going, {left} places left"),
        },
        None => format!("{going} going"),
    };
    let tags = e
        .tag_list()
        .map(|t| {
            format!(
                "<a href=\"{}\" rel=\"tag\">#{}</a>",
                escape_html(state.urls.tag(t).as_str()),
                escape_html(t)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let handle = format!("@{}@{}", by.username, state.config.domain);
    let body = format!(
        "<header><h1>{}</h1><p class=\"handle\">{} · {} · {}</p></header>\n{cover}\n\
         <p><strong>{}</strong>{}</p>\n<section>{}</section>\n<p>{tags}</p>\n\
         <p>Take part from your Staffroom node or Mobilizon, or follow <strong>{}</strong> from any fediverse app. \
         <a href=\"{}.ics\">Add to your calendar</a>.</p>\n",
        escape_html(&e.title),
        escape_html(&handle),
        escape_html(&e.category.replace('_', " ")),
        escape_html(&places),
        escape_html(&crate::federation::events::summary(e)),
        if place.is_empty() {
            String::new()
        } else {
            format!("<br>{place}")
        },
        e.description_html,
        escape_html(&handle),
        escape_html(&e.ap_id),
    );
    let head = format!(
        "<link rel=\"alternate\" type=\"{}\" href=\"{}\">\n<link rel=\"alternate\" type=\"text/calendar\" href=\"{}.ics\">",
        crate::federation::ACTIVITY_JSON,
        escape_html(&e.ap_id),
        escape_html(&e.ap_id)
    );
    Ok(super::html::page(axum::http::StatusCode::OK, &e.title, &head, &body))
}

/// `GET /@{group}/calendar.ics`: a group's public events.
pub async fn group_calendar(State(state): State<AppState>, Path(segment): Path<String>) -> AppResult<Response> {
    let name = segment.strip_prefix('@').ok_or(AppError::NotFound)?;
    let g = actors::find_local(&state.db, name)
        .await?
        .filter(|a| a.kind == KIND_GROUP)
        .ok_or(AppError::NotFound)?;
    let list = events::list(&state.db, "group_id = $1 AND visibility = 'public'", g.id, 500).await?;
    let title = if g.display_name.is_empty() {
        g.username.clone()
    } else {
        g.display_name.clone()
    };
    Ok(calendar(&title, &list, false))
}

/// `GET /calendar.ics`: every public event organised on this node.
pub async fn node_calendar(State(state): State<AppState>) -> AppResult<Response> {
    let list = events::list(&state.db, "local AND visibility = 'public' AND $1 = $1", 0, 500).await?;
    Ok(calendar(&state.config.node.name, &list, false))
}

/// `GET /agenda/{token}.ics`: the events a member takes part in, here and on other nodes,
/// with the online links kept for participants.
pub async fn agenda(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let user = events::calendar_token_user(&state.db, &crate::api::auth::hash_secret(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let list = events::agenda(&state.db, user).await?;
    Ok(calendar("My agenda", &list, true))
}

/// `GET /events/{id}/attendees`: an `OrderedCollection` of the people going. Its items are
/// shown as the organiser chose: to everyone, or only to requests signed by a participant or
/// an organiser; others see the count alone (as Mastodon hides a follower list).
pub async fn attendees(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let e = visible_event(&state, &id, &method, &uri, &headers).await?;
    let going = events::participants(&state.db, e.id, "going").await?;
    let signer = if e.attendees_visibility == "public" {
        None
    } else {
        crate::federation::inbox::verify_signed(&state, &method, &uri, &headers, None)
            .await
            .ok()
            .flatten()
    };
    let mut doc = serde_json::json!({
        "@context": crate::federation::activities::AS_CONTEXT,
        "id": format!("{}/attendees", e.ap_id),
        "type": "OrderedCollection",
        "totalItems": going.len(),
    });
    if crate::services::events::may_list_attendees(&state, &e, signer.as_ref()).await? {
        let mut items = Vec::new();
        for p in going.iter().take(crate::services::events::MAX_LISTED_ATTENDEES) {
            if let Some(a) = actors::find_by_id(&state.db, p.actor_id).await? {
                items.push(a.ap_id);
            }
        }
        doc["orderedItems"] = serde_json::json!(items);
    }
    Ok(activity_json(&doc))
}
