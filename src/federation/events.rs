//! Events on the wire, compatible with Mobilizon, Gancio and FEP-8a8e: our rows as `Event`
//! objects, and `Event` objects from elsewhere as rows.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::protocol::{PUBLIC, first_url, id_of, wire_time};
use crate::storage::actors::ActorRow;
use crate::storage::events::EventRow;

pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "mz": "https://joinmobilizon.org/ns#",
            "schema": "http://schema.org#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "joinMode": "mz:joinMode",
            "timezone": { "@id": "mz:timezone", "@type": "schema:Text" },
            "category": "mz:category",
            "isOnline": "mz:isOnline",
            "participantCount": "mz:participantCount",
            "maximumAttendeeCapacity": "schema:maximumAttendeeCapacity",
            "remainingAttendeeCapacity": "schema:remainingAttendeeCapacity",
            "eventStatus": "ical:status",
            "superEvent": { "@id": "schema:superEvent", "@type": "@id" },
            "PostalAddress": "schema:PostalAddress",
            "VirtualLocation": "schema:VirtualLocation",
            "address": { "@id": "schema:address", "@type": "schema:PostalAddress" },
            "streetAddress": "schema:streetAddress",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "attendees": { "@id": "schema:attendee", "@type": "@id" }
        }
    ])
}

fn join_mode_out(m: &str) -> &'static str {
    match m {
        "approval" => "restricted",
        "invite" => "invite",
        "external" => "external",
        _ => "free",
    }
}

/// A human summary for servers that show an Event as a post (Mastodon): when and where.
pub fn summary(e: &EventRow) -> String {
    let tz: chrono_tz::Tz = e.timezone.parse().unwrap_or(chrono_tz::UTC);
    let start = e.starts_at.with_timezone(&tz);
    let when = if e.all_day {
        start.format("%A %-d %B %Y").to_string()
    } else {
        start.format("%A %-d %B %Y, %H:%M (%Z)").to_string()
    };
    let place = match (&e.place_name, e.online_url.is_some()) {
        (Some(p), true) => format!(" · {p} and online"),
        (Some(p), false) => format!(" · {p}"),
        (None, true) => " · online".to_owned(),
        (None, false) => String::new(),
    };
    let status = if e.status == "cancelled" { "CANCELLED: " } else { "" };
    format!("{status}{when}{place}")
}

/// A stored event as the `Event` object other servers fetch. The online link is left out
/// when the organiser keeps it for participants; a session names its series (`superEvent`).
pub fn event_to_ap(
    e: &EventRow,
    organizer: &ActorRow,
    group: Option<&ActorRow>,
    going: i64,
    series: Option<&str>,
) -> Value {
    let mut locations = Vec::new();
    if e.place_name.is_some() || e.place_address.is_some() {
        let mut place = json!({ "type": "Place", "name": e.place_name.clone().unwrap_or_default() });
        if let Some(a) = &e.place_address {
            place["address"] = json!({ "type": "PostalAddress", "streetAddress": a });
        }
        if let (Some(lat), Some(lon)) = (e.latitude, e.longitude) {
            place["latitude"] = json!(lat);
            place["longitude"] = json!(lon);
        }
        locations.push(place);
    }
    if let Some(url) = e.online_url.as_ref().filter(|_| e.online_url_public) {
        locations.push(json!({ "type": "VirtualLocation", "url": url }));
    }
    let followers = group
        .or(Some(organizer))
        .and_then(|g| g.followers_url.clone())
        .unwrap_or_default();
    let (to, cc) = if e.visibility == crate::model::Visibility::Members {
        (
            json!([group.map(|g| g.ap_id.clone()).unwrap_or_default(), followers]),
            json!([]),
        )
    } else {
        (json!([PUBLIC]), json!([followers]))
    };
    let summary = summary(e);
    let mut o = json!({
        "@context": context(),
        "id": e.ap_id,
        "type": "Event",
        "name": e.title,
        "summary": summary,
        "content": format!("<p><strong>{}</strong></p>{}", crate::text::escape_html(&summary), e.description_html),
        "mediaType": "text/html",
        "url": e.url.clone().unwrap_or_else(|| e.ap_id.clone()),
        "attributedTo": group.map(|g| g.ap_id.clone()).unwrap_or_else(|| organizer.ap_id.clone()),
        "startTime": wire_time(e.starts_at),
        "timezone": e.timezone,
        "eventStatus": e.status.to_uppercase(),
        "joinMode": join_mode_out(&e.join_mode),
        "category": e.category.to_uppercase(),
        "isOnline": e.online_url.is_some(),
        "participantCount": going,
        "published": wire_time(e.created_at),
        "updated": wire_time(e.updated_at),
        "to": to,
        "cc": cc,
    });
    if let Some(end) = e.ends_at {
        o["endTime"] = json!(wire_time(end));
    }
    match locations.len() {
        0 => {}
        1 => o["location"] = locations.remove(0),
        _ => o["location"] = Value::Array(locations),
    }
    if let Some(c) = e.capacity {
        o["maximumAttendeeCapacity"] = json!(c);
        o["remainingAttendeeCapacity"] = json!((c as i64 - going).max(0));
    }
    if let Some(g) = group {
        o["audience"] = json!(g.ap_id);
    }
    if let Some(s) = series {
        o["superEvent"] = json!(s);
    }
    let mut attachment = Vec::new();
    if let Some(x) = &e.external_url {
        attachment.push(json!({ "type": "Link", "mediaType": "text/html", "name": "Registration", "href": x }));
    }
    if let Some(cover) = &e.cover_url {
        // Mobilizon reads its banner from a Document named "Banner"; Mastodon shows attachments.
        let media_type = e.cover_media_type.clone().unwrap_or_else(|| "image/jpeg".into());
        attachment.push(
            json!({ "type": "Document", "mediaType": media_type, "name": "Banner", "url": cover,
            "summary": e.cover_description }),
        );
        o["image"] = json!({ "type": "Image", "mediaType": media_type, "url": cover });
    }
    if !attachment.is_empty() {
        o["attachment"] = Value::Array(attachment);
    }
    let tags: Vec<Value> = e
        .tag_list()
        .map(|t| {
            let href = url::Url::parse(&e.ap_id)
                .and_then(|u| u.join(&format!("/tags/{t}")))
                .map(|u| u.to_string())
                .unwrap_or_default();
            json!({ "type": "Hashtag", "name": format!("#{t}"), "href": href })
        })
        .collect();
    if !tags.is_empty() {
        o["tag"] = Value::Array(tags);
    }
    o["attendees"] = json!(format!("{}/attendees", e.ap_id));
    o
}

/// Hashtags named in an object's `tag`, normalised, at most `MAX_TAGS`.
fn remote_tags(o: &Value) -> String {
    let mut out: Vec<String> = Vec::new();
    for t in super::protocol::items(&o["tag"]) {
        if t["type"] == "Hashtag"
            && let Some(n) = t["name"].as_str().and_then(crate::model::normalize_tag)
            && !out.contains(&n)
            && out.len() < crate::model::MAX_EVENT_TAGS
        {
            out.push(n);
        }
    }
    out.join(" ")
}

/// The cover of a remote event: Mobilizon's "Banner" Document, else the first image
/// attachment, else `image`. Kept as a link (not copied here).
fn remote_cover(o: &Value) -> Option<(String, Option<String>, String)> {
    let images: Vec<&Value> = super::protocol::items(&o["attachment"])
        .into_iter()
        .filter(|a| {
            ["Document", "Image"].contains(&a["type"].as_str().unwrap_or_default())
                && a["mediaType"].as_str().is_none_or(|m| m.starts_with("image/"))
        })
        .collect();
    let pick = images
        .iter()
        .find(|a| a["name"] == "Banner")
        .or(images.first())
        .copied()
        .or_else(|| match &o["image"] {
            Value::Null => None,
            v => Some(v),
        })?;
    let url = first_url(pick)?;
    if (url.scheme() != "https" && url.scheme() != "http") || url.as_str().len() > 2048 {
        return None;
    }
    let describe = |k: &str| pick[k].as_str().map(|s| s.chars().take(1500).collect::<String>());
    Some((
        url.to_string(),
        pick["mediaType"].as_str().map(|m| m.chars().take(100).collect()),
        describe("summary")
            .or_else(|| describe("name").filter(|n| n != "Banner"))
            .unwrap_or_default(),
    ))
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Whether an Event is for whole days. There is no property for it on the wire: an event
/// from 00:00 to 23:59 local time in its `timezone` is taken as all-day, which is also how we
/// send ours (and how Mobilizon users write whole days).
fn is_all_day(o: &Value, starts_at: DateTime<Utc>) -> bool {
    use chrono::Timelike;
    let Some(tz) = o["timezone"].as_str().and_then(|t| t.parse::<chrono_tz::Tz>().ok()) else {
        return false;
    };
    let (Some(end), start) = (time(&o["endTime"]), starts_at.with_timezone(&tz)) else {
        return false;
    };
    let end = end.with_timezone(&tz);
    (start.hour(), start.minute()) == (0, 0) && (end.hour(), end.minute()) == (23, 59) && end > start
}

/// An `Event` from Mobilizon, Gancio, Friendica or another server, as a row organised by
/// `organizer_id` (in `group_id` when a group organises it). `None` without a start time.
pub fn remote_event_to_row(o: &Value, organizer_id: i64, group_id: Option<i64>) -> Option<EventRow> {
    let id = id_of(&o["id"])?;
    let starts_at = time(&o["startTime"])?;
    let now = crate::storage::now();
    let places: Vec<&Value> = match &o["location"] {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![&o["location"]],
        _ => Vec::new(),
    };
    let place = places.iter().find(|p| p["type"] != "VirtualLocation");
    let online = places
        .iter()
        .find(|p| p["type"] == "VirtualLocation")
        .and_then(|p| first_url(&p["url"]));
    let address = place.and_then(|p| match &p["address"] {
        Value::String(s) => Some(s.clone()),
        Value::Object(a) => {
            let parts: Vec<&str> = [
                "streetAddress",
                "postalCode",
                "addressLocality",
                "addressRegion",
                "addressCountry",
            ]
            .iter()
            .filter_map(|k| a.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    });
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let status = match o["eventStatus"]
        .as_str()
        .or(o["ical:status"].as_str())
        .unwrap_or("CONFIRMED")
        .to_ascii_uppercase()
        .as_str()
    {
        "TENTATIVE" => "tentative",
        "CANCELLED" => "cancelled",
        _ => "confirmed",
    }
    .to_owned();
    let join_mode = match o["joinMode"].as_str().unwrap_or("free") {
        "restricted" => "approval",
        "invite" => "invite",
        "external" => "external",
        _ => "free",
    }
    .to_owned();
    let content = o["content"].as_str().unwrap_or_default();
    let cover = remote_cover(o);
    Some(EventRow {
        id: crate::ids::id_at(now),
        ap_id: id.to_string(),
        url: first_url(&o["url"]).map(|u| u.to_string()),
        organizer_id,
        group_id,
        series_id: None,
        title: clip(o["name"].as_str().unwrap_or("(untitled event)"), 300),
        description_html: crate::model::sanitize_html(content),
        starts_at,
        ends_at: time(&o["endTime"]).filter(|e| *e >= starts_at),
        timezone: o["timezone"]
            .as_str()
            .filter(|t| t.parse::<chrono_tz::Tz>().is_ok())
            .unwrap_or("UTC")
            .to_owned(),
        all_day: is_all_day(o, starts_at),
        place_name: place.and_then(|p| p["name"].as_str()).map(|s| clip(s, 300)),
        place_address: address.map(|a| clip(&a, 500)),
        latitude: place.and_then(|p| p["latitude"].as_f64()),
        longitude: place.and_then(|p| p["longitude"].as_f64()),
        online_url: online.as_ref().map(|u| u.to_string()),
        online_url_public: online.is_some(),
        category: o["category"]
            .as_str()
            .unwrap_or("other")
            .to_ascii_lowercase()
            .chars()
            .take(40)
            .collect(),
        status,
        // Mobilizon writes 0 for "no limit".
        capacity: o["maximumAttendeeCapacity"]
            .as_i64()
            .filter(|c| *c > 0)
            .map(|c| c.min(i32::MAX as i64) as i32),
        join_mode,
        external_url: None,
        visibility: if super::protocol::addresses(&o["to"])
            .iter()
            .chain(super::protocol::addresses(&o["cc"]).iter())
            .any(|a| super::protocol::is_public_address(a))
        {
            crate::model::Visibility::Public
        } else {
            crate::model::Visibility::Members
        },
        local: false,
        created_at: time(&o["published"]).unwrap_or(now),
        updated_at: time(&o["updated"]).unwrap_or(now),
        tags: remote_tags(o),
        cover_media_type: cover.as_ref().and_then(|c| c.1.clone()),
        cover_description: cover.as_ref().map(|c| c.2.clone()).unwrap_or_default(),
        cover_url: cover.map(|c| c.0),
        // What the organiser's server shows is its own business; here, organisers only.
        attendees_visibility: "organisers".into(),
    })
}
