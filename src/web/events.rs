//! Events in the browser: what is coming up on the node, the member's agenda, and an event's
//! page with its RSVP buttons (going, maybe, can't go) and the attendees as the organiser allows.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_templates::fluent_bundle::FluentValue;
use serde::Deserialize;

use super::pages::{self, Chrome, EventCard, EventPage, EventsPage};
use super::{CsrfForm, Ctx, WebError};
use crate::app::AppState;
use crate::services::events::{self as svc, EventError, Rsvp};
use crate::services::visibility;
use crate::storage::actors::{self, ActorRow};
use crate::storage::events::{self, EventRow};
use crate::storage::now;

/// Events listed on a page.
const LISTED: i64 = 50;

/// The event's time in its own zone, in the page's language.
fn when(ctx: &Ctx, e: &EventRow) -> String {
    let tz: chrono_tz::Tz = e.timezone.parse().unwrap_or(chrono_tz::UTC);
    let start = e.starts_at.with_timezone(&tz);
    let locale = match ctx.tr.tag.as_str() {
        "fr" => chrono::Locale::fr_FR,
        "de" => chrono::Locale::de_DE,
        "tr" => chrono::Locale::tr_TR,
        _ => chrono::Locale::en_GB,
    };
    let format = if e.all_day {
        "%A %-d %B %Y"
    } else {
        "%A %-d %B %Y, %H:%M (%Z)"
    };
    start.format_localized(format, locale).to_string()
}

fn card(ctx: &Ctx, e: &EventRow) -> EventCard {
    EventCard {
        id: e.id.to_string(),
        title: e.title.clone(),
        when: when(ctx, e),
        place: e
            .place_name
            .clone()
            .or_else(|| e.online_url.as_ref().map(|_| ctx.tr.t("event-online")))
            .unwrap_or_default(),
        cancelled: e.status == "cancelled",
    }
}

async fn visible(state: &AppState, ctx: &Ctx, rows: Vec<EventRow>) -> Result<Vec<EventCard>, WebError> {
    let viewer = ctx.me().map(|a| a.actor.clone());
    let mut cards = Vec::new();
    for e in rows {
        if visibility::may_see_event(state, &e, viewer.as_ref()).await? {
            cards.push(card(ctx, &e));
        }
    }
    Ok(cards)
}

/// `GET /events`: upcoming events organised on this node, and the member's agenda.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let upcoming = events::upcoming(&state.db, now(), None, None, None, true, LISTED).await?;
    let upcoming = visible(&state, &ctx, upcoming).await?;
    let agenda = match ctx.me() {
        Some(me) => {
            let mine: Vec<EventRow> = events::agenda(&state.db, me.actor.id)
                .await?
                .into_iter()
                .filter(|e| e.ends_at.unwrap_or(e.starts_at) >= now())
                .collect();
            Some(visible(&state, &ctx, mine).await?)
        }
        None => None,
    };
    Ok(pages::render(
        StatusCode::OK,
        &EventsPage {
            c: Chrome::new(&ctx),
            upcoming,
            agenda,
        },
    ))
}

async fn event_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<EventRow, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let e = events::find(&state.db, id).await?.ok_or(WebError::NotFound)?;
    let viewer = ctx.me().map(|a| a.actor.clone());
    if !visibility::may_see_event(state, &e, viewer.as_ref()).await? {
        return Err(WebError::NotFound);
    }
    Ok(e)
}

/// The event's page (`/events/{id}` opened by a browser).
pub async fn page(state: &AppState, ctx: &Ctx, id: &str) -> Result<Response, WebError> {
    let e = event_for(state, ctx, id).await?;
    let viewer: Option<ActorRow> = ctx.me().map(|a| a.actor.clone());
    let host = svc::host(state, &e).await?;
    let going = events::count(&state.db, e.id, "going").await?;
    let standing = match &viewer {
        Some(v) => events::participation(&state.db, e.id, v.id).await?.map(|p| p.state),
        None => None,
    };
    let attendees = if svc::may_list_attendees(state, &e, viewer.as_ref()).await? {
        let mut names = Vec::new();
        for p in events::participants(&state.db, e.id, "going")
            .await?
            .iter()
            .take(svc::MAX_LISTED_ATTENDEES)
        {
            if let Some(a) = actors::find_by_id(&state.db, p.actor_id).await? {
                let handle = pages::actor_handle(&a, &state.config.domain);
                names.push(if a.display_name.is_empty() {
                    handle
                } else {
                    format!("{} ({handle})", a.display_name)
                });
            }
        }
        Some(names)
    } else {
        None
    };
    let places = e.capacity.map(|c| (i64::from(c) - going).max(0));
    let current = standing.as_deref().and_then(Rsvp::of_state);
    let buttons = [
        ("going", "event-going", Rsvp::Going),
        ("maybe", "event-maybe", Rsvp::Maybe),
        ("no", "event-no", Rsvp::No),
    ]
    .into_iter()
    .map(|(answer, key, rsvp)| pages::RsvpButton {
        answer,
        label: ctx.tr.t(key),
        pressed: current == Some(rsvp) && rsvp != Rsvp::No,
    })
    .collect();
    let page = EventPage {
        c: Chrome::new(ctx),
        card: card(ctx, &e),
        description: e.description_html.clone(),
        address: e.place_address.clone().unwrap_or_default(),
        host: pages::actor_handle(&host, &state.config.domain),
        going: ctx.tr.with("event-going-count", &[("count", FluentValue::from(going))]),
        places_left: places.map(|n| ctx.tr.with("event-places-left", &[("count", FluentValue::from(n))])),
        standing: standing.map(|s| ctx.tr.t(&format!("event-standing-{s}"))),
        open: e.starts_at > now() && e.status != "cancelled",
        buttons,
        attendees,
        cover: e.cover_url.clone().map(|u| (u, e.cover_description.clone())),
        tags: e.tag_list().map(str::to_owned).collect(),
        calendar: e.local.then(|| format!("/events/{}.ics", e.id)),
        original: (!e.local).then(|| e.url.clone().unwrap_or_else(|| e.ap_id.clone())),
        alternate: e.local.then(|| e.ap_id.clone()),
    };
    Ok(pages::render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    #[serde(default)]
    answer: String,
}

/// `POST /web/events/{id}/rsvp`: going, maybe or can't go (leaving the list or the waiting list).
pub async fn rsvp(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<Answer>,
) -> Result<Response, WebError> {
    let me = ctx.member()?.clone();
    let e = event_for(&state, &ctx, &id).await?;
    let answer = match f.answer.as_str() {
        "going" => Rsvp::Going,
        "maybe" => Rsvp::Maybe,
        "no" => Rsvp::No,
        _ => return Err(WebError::BadRequest(ctx.tr.t("error-form"))),
    };
    svc::rsvp(&state, &e, &me.actor, answer)
        .await
        .map_err(|err| match err {
            EventError::Invalid(m) => WebError::BadRequest(m),
            EventError::Refused(m) => WebError::Forbidden(m),
            EventError::Internal(e) => WebError::Internal(e),
        })?;
    Ok(Redirect::to(&format!("/events/{}", e.id)).into_response())
}
