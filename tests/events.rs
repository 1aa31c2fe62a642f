//! The events JSON API and calendar feeds, in process, on either engine.

mod common;

use common::TestApp;
use icalendar::{Calendar, CalendarComponent, Component, EventLike};
use serde_json::{Value, json};
use staffroom::services::accounts::{Account, Role};
use staffroom::storage::actors::ActorRow;

fn openapi() -> Value {
    serde_json::from_str(include_str!("../src/api/events_openapi.json")).unwrap()
}

fn assert_event_entity(e: &Value) {
    let doc = openapi();
    let schema = &doc["components"]["schemas"]["Event"];
    for r in schema["required"].as_array().unwrap() {
        assert!(e.get(r.as_str().unwrap()).is_some(), "Event lacks {r}: {e}");
    }
    for (k, p) in schema["properties"].as_object().unwrap() {
        if let (Some(v), Some(allowed)) = (e.get(k), p["enum"].as_array()) {
            assert!(allowed.contains(v), "{k} = {v} is not one of {allowed:?}");
        }
    }
}

#[tokio::test]
async fn events_api_capacity_waitlist_approval_cancellation_and_calendars() {
    let app = TestApp::new().await;
    let (_, ada, _, to, ta, tb, group) = organiser_two_members_and_group(&app).await;

    // Only stewards organise a group's events; times are wall-clock in the event's zone.
    let body = json!({
        "title": "Lab safety", "description": "Bring goggles.", "starts_at": "2027-07-01T10:00", "ends_at": "2027-07-01T12:00",
        "timezone": "Europe/Helsinki", "place_name": "Room 12", "online_url": "https://meet.example/lab", "category": "workshop",
        "capacity": 1, "group_id": group.id.to_string(),
    });
    assert_eq!(
        app.api("POST", "/api/staffroom/v1/events", Some(&ta), Some(body.clone()))
            .await
            .status,
        403
    );
    let r = app.api("POST", "/api/staffroom/v1/events", Some(&to), Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let e = r.json();
    assert_event_entity(&e);
    assert_eq!(
        e["starts_at"], "2027-07-01T07:00:00.000Z",
        "10:00 in Helsinki in summer is 07:00 UTC"
    );
    assert_eq!(
        e["online_url"], "https://meet.example/lab",
        "the organiser sees the link"
    );
    let id = e["id"].as_str().unwrap().to_owned();
    let bad = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(json!({ "title": "x", "starts_at": "2027-07-01T10:00", "timezone": "Mars/Olympus" })),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"].as_str().unwrap().contains("time zone"));
    let gap = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(json!({ "title": "x", "starts_at": "2026-03-29T02:30", "timezone": "Europe/Paris" })),
        )
        .await;
    assert_eq!(
        gap.status, 422,
        "02:30 does not exist in Paris on the night clocks go forward"
    );

    // Capacity 1: ada goes, bob waits, and moves up when ada leaves.
    let anon = app
        .api("GET", &format!("/api/staffroom/v1/events/{id}"), None, None)
        .await
        .json();
    assert!(anon["online_url"].is_null(), "the link is for participants");
    assert_eq!(
        app.api("POST", &format!("/api/staffroom/v1/events/{id}/join"), Some(&ta), None)
            .await
            .json()["participation"],
        "going"
    );
    let b = app
        .api("POST", &format!("/api/staffroom/v1/events/{id}/join"), Some(&tb), None)
        .await
        .json();
    assert_eq!(
        (
            b["participation"].as_str(),
            b["remaining_capacity"].as_i64(),
            b["waitlist_count"].as_i64()
        ),
        (Some("waitlist"), Some(0), Some(1))
    );
    assert!(b["online_url"].is_null());
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/staffroom/v1/events/{id}/participants"),
            Some(&tb),
            None
        )
        .await
        .status,
        403
    );
    app.api("POST", &format!("/api/staffroom/v1/events/{id}/leave"), Some(&ta), None)
        .await;
    let b = app
        .api("GET", &format!("/api/staffroom/v1/events/{id}"), Some(&tb), None)
        .await
        .json();
    assert_eq!(b["participation"], "going");
    let people = app
        .api(
            "GET",
            &format!("/api/staffroom/v1/events/{id}/participants"),
            Some(&to),
            None,
        )
        .await
        .json();
    assert_eq!(people.as_array().unwrap().len(), 1);
    assert_eq!(people[0]["account"]["username"], "bob");

    // Approval mode.
    let e2 = app.api("POST", "/api/staffroom/v1/events", Some(&to), Some(json!({ "title": "Olympiad coaching", "starts_at": "2027-09-01T16:00", "timezone": "Europe/Helsinki", "join_mode": "approval" }))).await.json();
    let id2 = e2["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.api("POST", &format!("/api/staffroom/v1/events/{id2}/join"), Some(&ta), None)
            .await
            .json()["participation"],
        "pending"
    );
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/staffroom/v1/events/{id2}/participants/{}/approve", ada.actor.id),
            Some(&tb),
            None
        )
        .await
        .status,
        403
    );
    let r = app
        .api(
            "POST",
            &format!("/api/staffroom/v1/events/{id2}/participants/{}/approve", ada.actor.id),
            Some(&to),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        app.api("GET", &format!("/api/staffroom/v1/events/{id2}"), Some(&ta), None)
            .await
            .json()["participation"],
        "going"
    );

    // A course of two sessions, joined as a whole; each session names its course on the wire.
    let course = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(json!({ "title": "Course: day 1", "starts_at": "2027-10-01T09:00", "timezone": "Europe/Helsinki" })),
        )
        .await
        .json();
    let course_id = course["id"].as_str().unwrap().to_owned();
    let day2 = app.api("POST", "/api/staffroom/v1/events", Some(&to), Some(json!({ "title": "Course: day 2", "starts_at": "2027-10-08T09:00", "timezone": "Europe/Helsinki", "series_id": course_id }))).await.json();
    assert_eq!(day2["series_id"], course_id.as_str());
    let joined = app
        .api(
            "POST",
            &format!("/api/staffroom/v1/events/{course_id}/join?series=true"),
            Some(&tb),
            None,
        )
        .await
        .json();
    assert_eq!(joined["participation"], "going");
    assert_eq!(joined["sessions"], json!([day2["id"]]));
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/staffroom/v1/events/{}", day2["id"].as_str().unwrap()),
            Some(&tb),
            None
        )
        .await
        .json()["participation"],
        "going"
    );
    let wire = app
        .get_accept(
            &format!("/events/{}", day2["id"].as_str().unwrap()),
            "application/activity+json",
        )
        .await
        .json();
    assert_eq!(wire["superEvent"], course["uri"]);

    // Listing, by start time, with filters.
    let all = app
        .api("GET", "/api/staffroom/v1/events?local=true", None, None)
        .await
        .json();
    assert_eq!(
        all.as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["Lab safety", "Olympiad coaching", "Course: day 1", "Course: day 2"]
    );
    let workshops = app
        .api("GET", "/api/staffroom/v1/events?category=workshop", None, None)
        .await
        .json();
    assert_eq!(workshops.as_array().unwrap().len(), 1);
    let later = app
        .api("GET", "/api/staffroom/v1/events?from=2027-08-01T00:00:00Z", None, None)
        .await
        .json();
    assert_eq!(later.as_array().unwrap().len(), 3, "the coaching and both course days");
    assert_eq!(
        app.api("GET", "/api/staffroom/v1/events?from=yesterday", None, None)
            .await
            .status,
        400
    );

    // The organiser moves the event an hour later and opens a second place: participants hear of it.
    let moved = app.api("PUT", &format!("/api/staffroom/v1/events/{id}"), Some(&to), Some(json!({
        "title": "Lab safety", "description": "Bring goggles.", "starts_at": "2027-07-01T11:00", "ends_at": "2027-07-01T13:00",
        "timezone": "Europe/Helsinki", "place_name": "Room 12", "online_url": "https://meet.example/lab", "category": "workshop", "capacity": 2,
    }))).await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_eq!(moved.json()["starts_at"], "2027-07-01T08:00:00.000Z");
    assert_eq!(moved.json()["remaining_capacity"], 1);
    assert_eq!(
        app.api(
            "PUT",
            &format!("/api/staffroom/v1/events/{id}"),
            Some(&tb),
            Some(json!({ "title": "x", "starts_at": "2027-07-01T11:00", "timezone": "UTC" }))
        )
        .await
        .status,
        403
    );
    let updates = app
        .api("GET", "/api/v1/notifications?types[]=update", Some(&tb), None)
        .await
        .json();
    assert_eq!(
        updates.as_array().unwrap().len(),
        1,
        "bob, going, is told of the change"
    );

    // In Mastodon apps: the group's event is a status from the group in its members' home timelines.
    app.api(
        "POST",
        &format!("/api/v1/accounts/{}/follow", group.id),
        Some(&tb),
        None,
    )
    .await;
    let home = app.api("GET", "/api/v1/timelines/home", Some(&tb), None).await.json();
    let shown = home
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .expect("the event at home");
    assert_eq!(shown["account"]["group"], true);
    assert!(
        shown["content"].as_str().unwrap().contains("Lab safety")
            && shown["content"].as_str().unwrap().contains("Room 12")
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/statuses/{id}"), Some(&tb), None)
            .await
            .json()["uri"],
        e["uri"]
    );

    // Cancelled: participants are notified, and the calendars say so.
    let c = app
        .api(
            "POST",
            &format!("/api/staffroom/v1/events/{id}/cancel"),
            Some(&to),
            None,
        )
        .await
        .json();
    assert_eq!(c["status"], "cancelled");
    let notes = app
        .api("GET", "/api/v1/notifications?types[]=update", Some(&tb), None)
        .await
        .json();
    assert_eq!(notes.as_array().unwrap().len(), 2, "the change and the cancellation");
    assert_eq!(notes[0]["status"]["id"], id.as_str(), "{notes}");
    assert!(notes[0]["status"]["content"].as_str().unwrap().contains("CANCELLED"));
    assert_eq!(
        app.api("POST", &format!("/api/staffroom/v1/events/{id}/join"), Some(&ta), None)
            .await
            .status,
        403
    );
    let ics = app.get(&format!("/events/{id}.ics")).await;
    assert!(ics.header("content-type").starts_with("text/calendar"));
    let cal: Calendar = ics.text().parse().unwrap();
    let v = cal.components.iter().find_map(|c| c.as_event()).expect("a VEVENT");
    // Wall-clock times in Helsinki (UTC+3 in July), with the zone's definition in the feed.
    let start = v.properties().get("DTSTART").unwrap();
    assert_eq!(
        (start.value(), start.params().get("TZID").map(|p| p.value())),
        ("20270701T110000", Some("Europe/Helsinki"))
    );
    assert_eq!(v.property_value("DTEND"), Some("20270701T130000"));
    let zone = cal
        .components
        .iter()
        .find(|c| matches!(c, CalendarComponent::Other(o) if o.property_value("TZID") == Some("Europe/Helsinki")))
        .expect("a VTIMEZONE for Helsinki");
    let CalendarComponent::Other(zone) = zone else {
        unreachable!()
    };
    let text = ics.text();
    let block = &text[text.find("BEGIN:VTIMEZONE").unwrap()..text.find("END:VTIMEZONE").unwrap()];
    assert!(
        !block.contains("UID:") && !block.contains("DTSTAMP:"),
        "RFC 5545 allows neither in a VTIMEZONE: {block}"
    );
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.contains("PRODID:-//Staffroom//Staffroom "));
    assert_eq!(text.matches("PRODID").count(), 1, "RFC 5545: one PRODID: {text}");
    assert!(
        zone.components()
            .iter()
            .any(|o| o.property_value("TZOFFSETTO") == Some("+0300")
                && o.property_value("DTSTART") == Some("20270328T030000")),
        "summer time from 28 March 2027, 03:00: {}",
        ics.text()
    );
    assert_eq!(v.property_value("STATUS"), Some("CANCELLED"));
    assert_eq!(v.property_value("LOCATION"), Some("Room 12"));
    assert!(!ics.text().contains("meet.example"), "no private link in a public feed");
    let node: Calendar = app.get("/calendar.ics").await.text().parse().unwrap();
    assert_eq!(node.components.iter().filter(|c| c.as_event().is_some()).count(), 4);
    let group_feed: Calendar = app.get("/@science/calendar.ics").await.text().parse().unwrap();
    assert_eq!(
        group_feed.components.iter().filter(|c| c.as_event().is_some()).count(),
        1,
        "the second event is olga's own, not the group's"
    );
    assert_eq!(app.get("/agenda/nonsense.ics").await.status, 404);
    assert_eq!(
        app.get("/api/staffroom/v1/openapi.json").await.json()["openapi"],
        "3.1.0"
    );
}

/// Olga owns the group "science"; Ada and Bob are members of the node. With their tokens.
async fn organiser_two_members_and_group(
    app: &TestApp,
) -> (Account, Account, Account, String, String, String, ActorRow) {
    let olga = app.create_user("olga", Role::Member).await;
    let ada = app.create_user("ada", Role::Member).await;
    let bob = app.create_user("bob", Role::Member).await;
    let (to, ta, tb) = (
        app.token(&olga, "read write").await,
        app.token(&ada, "read write").await,
        app.token(&bob, "read write").await,
    );
    let group = app.create_group("science", Some(olga.actor.id), false).await;
    (olga, ada, bob, to, ta, tb, group)
}

#[tokio::test]
async fn tags_cover_attendees_maybe_invitations_all_day_and_delete() {
    let app = TestApp::new().await;
    let (_, ada, bob, to, ta, tb, group) = organiser_two_members_and_group(&app).await;
    let cover = app.upload_media(&to, &common::png(), "Pupils at the bench").await;
    assert_eq!(cover.status, 200, "{}", cover.text());
    let mut cover = cover.json();
    // The upload's link is signed for its owner until it is used; the cover's is the file's own.
    cover["url"] = json!(cover["url"].as_str().unwrap().split('?').next().unwrap());
    let not_hers = app.upload_media(&ta, &common::png(), "").await.json();

    // Tags are normalised; the cover must be the organiser's own upload.
    let body = |extra: Value| {
        let mut b = json!({ "title": "STEM fair", "starts_at": "2027-06-10T14:00", "ends_at": "2027-06-10T17:00",
            "timezone": "Europe/Lisbon", "group_id": group.id.to_string(), "capacity": 1 });
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (bad, why) in [
        (json!({ "tags": ["two words"] }), "not a hashtag"),
        (
            json!({ "tags": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>() }),
            "at most 10",
        ),
        (json!({ "cover_media_id": not_hers["id"] }), "you uploaded"),
        (json!({ "attendees_visibility": "friends" }), "attendees_visibility"),
    ] {
        let r = app
            .api("POST", "/api/staffroom/v1/events", Some(&to), Some(body(bad)))
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.json()["error"].as_str().unwrap().contains(why), "{}", r.text());
    }
    let r = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(body(
                json!({ "tags": ["#STEM", "Erasmus", "stem"], "cover_media_id": cover["id"],
                "attendees_visibility": "participants" }),
            )),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let fair = r.json();
    assert_event_entity(&fair);
    let id = fair["id"].as_str().unwrap().to_owned();
    assert_eq!(fair["tags"], json!(["stem", "erasmus"]));
    assert_eq!(fair["cover"]["url"], cover["url"]);
    assert_eq!(fair["cover"]["description"], "Pupils at the bench");
    assert_eq!(fair["attendees_visibility"], "participants");

    // On the wire: hashtags, Mobilizon's banner, an image, and the attendees collection.
    let wire = app
        .get_accept(&format!("/events/{id}"), "application/activity+json")
        .await
        .json();
    let tags: Vec<&str> = wire["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, vec!["#stem", "#erasmus"]);
    assert_eq!(wire["tag"][0]["href"], "https://staffroom.test/tags/stem");
    let banner = wire["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Banner")
        .unwrap();
    assert_eq!(
        (&banner["url"], &banner["mediaType"]),
        (&cover["url"], &json!("image/png"))
    );
    assert_eq!(wire["image"]["url"], cover["url"]);
    assert_eq!(
        wire["attendees"],
        format!("{}/attendees", fair["uri"].as_str().unwrap())
    );
    // Our own wire object reads back into the same tags and cover.
    let back = staffroom::federation::events::remote_event_to_row(&wire, 1, None).unwrap();
    assert_eq!(back.tags, "stem erasmus");
    assert_eq!(back.cover_url.as_deref(), cover["url"].as_str());

    // Browsers (following the link in a Mastodon app) get a page, not JSON.
    let html = app.get_accept(&format!("/events/{id}"), "text/html").await;
    assert!(html.header("content-type").starts_with("text/html"));
    for part in [
        "STEM fair",
        "Pupils at the bench",
        "#stem",
        &format!("/events/{id}.ics"),
        "0 people going · 1 place left",
    ] {
        assert!(html.text().contains(part), "{part} missing: {}", html.text());
    }

    // Listing by tag.
    let by_tag = |t: &str| {
        let app = &app;
        let t = t.to_owned();
        async move {
            app.api("GET", &format!("/api/staffroom/v1/events?tag={t}"), None, None)
                .await
        }
    };
    assert_eq!(by_tag("STEM").await.json().as_array().unwrap().len(), 1);
    assert_eq!(by_tag("%23erasmus").await.json().as_array().unwrap().len(), 1);
    assert_eq!(by_tag("st_m").await.json().as_array().unwrap().len(), 0, "no wildcard");
    assert_eq!(by_tag("chemistry").await.json().as_array().unwrap().len(), 0);
    assert_eq!(by_tag("two%20words").await.status, 400);

    // In Mastodon apps the cover is an image attachment and the tags are tags.
    let status = app
        .api("GET", &format!("/api/v1/statuses/{id}"), Some(&tb), None)
        .await
        .json();
    assert_eq!(status["media_attachments"][0]["url"], cover["url"]);
    assert_eq!(status["media_attachments"][0]["type"], "image");
    assert_eq!(status["tags"][0]["name"], "stem");

    // Maybe: no place is taken; bob can still join later, and takes the one place.
    let maybe = app
        .api(
            "POST",
            &format!("/api/staffroom/v1/events/{id}/interested"),
            Some(&tb),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            &maybe["participation"],
            &maybe["interested_count"],
            &maybe["remaining_capacity"]
        ),
        (&json!("interested"), &json!(1), &json!(1))
    );
    let joined = app
        .api("POST", &format!("/api/staffroom/v1/events/{id}/join"), Some(&tb), None)
        .await
        .json();
    assert_eq!(
        (&joined["participation"], &joined["remaining_capacity"]),
        (&json!("going"), &json!(0))
    );
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/staffroom/v1/events/{id}/interested"),
            Some(&tb),
            None
        )
        .await
        .status,
        403,
        "going already: leave first"
    );

    // Attendees, as the organiser chose (participants): not to strangers, yes to bob, going.
    let attendees = format!("/api/staffroom/v1/events/{id}/attendees");
    assert_eq!(app.api("GET", &attendees, None, None).await.status, 403);
    assert_eq!(app.api("GET", &attendees, Some(&ta), None).await.status, 403);
    let seen = app.api("GET", &attendees, Some(&tb), None).await.json();
    assert_eq!(seen[0]["username"], "bob");
    let collection = app
        .get_accept(&format!("/events/{id}/attendees"), "application/activity+json")
        .await
        .json();
    assert_eq!(collection["totalItems"], 1);
    assert!(collection.get("orderedItems").is_none(), "unsigned: the count alone");

    // Invitation only: ada cannot join until invited; the invitation reaches her as a
    // notification, and lets her past a full event's approval straight to the waiting list.
    let gala = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(
                json!({ "title": "Prize-giving", "starts_at": "2027-06-20T18:00", "timezone": "Europe/Lisbon",
                "join_mode": "invite", "attendees_visibility": "public" }),
            ),
        )
        .await
        .json();
    let gid = gala["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.api("POST", &format!("/api/staffroom/v1/events/{gid}/join"), Some(&ta), None)
            .await
            .status,
        403
    );
    let invite = |who: i64, token: &str| {
        let app = &app;
        let (gid, token) = (gid.clone(), token.to_owned());
        async move {
            app.api(
                "POST",
                &format!("/api/staffroom/v1/events/{gid}/invite"),
                Some(&token),
                Some(json!({ "account_id": who.to_string() })),
            )
            .await
        }
    };
    assert_eq!(
        invite(bob.actor.id, &ta).await.status,
        403,
        "only the organisers invite"
    );
    assert_eq!(invite(ada.actor.id, &to).await.status, 200);
    assert_eq!(invite(group.id, &to).await.status, 422, "people only");
    let people = app
        .api(
            "GET",
            &format!("/api/staffroom/v1/events/{gid}/participants"),
            Some(&to),
            None,
        )
        .await
        .json();
    assert_eq!(
        (&people[0]["account"]["username"], &people[0]["state"]),
        (&json!("ada"), &json!("invited"))
    );
    let notes = app.api("GET", "/api/v1/notifications", Some(&ta), None).await.json();
    let note = notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["status"]["id"] == gid.as_str())
        .expect("invited");
    assert_eq!(
        (&note["type"], &note["account"]["username"]),
        (&json!("mention"), &json!("olga"))
    );
    let mine = app
        .api("POST", &format!("/api/staffroom/v1/events/{gid}/join"), Some(&ta), None)
        .await
        .json();
    assert_eq!(
        (&mine["participation"], &mine["invited"]),
        (&json!("going"), &json!(true))
    );
    let public = app
        .get_accept(&format!("/events/{gid}/attendees"), "application/activity+json")
        .await
        .json();
    assert_eq!(public["orderedItems"], json!([ada.actor.ap_id]));

    // All-day, over three days: dates in the event's zone, DTEND the day after the last.
    let r = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(
                json!({ "title": "Summer school", "all_day": true, "starts_at": "2027-07-05", "ends_at": "2027-07-07",
                "timezone": "Pacific/Auckland", "tags": ["summer"] }),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let school = r.json();
    assert_eq!(
        school["starts_at"], "2027-07-04T12:00:00.000Z",
        "midnight in Auckland (winter, +12)"
    );
    let cal: Calendar = app
        .get(&format!("/events/{}.ics", school["id"].as_str().unwrap()))
        .await
        .text()
        .parse()
        .unwrap();
    let v = cal.components.iter().find_map(|c| c.as_event()).expect("a VEVENT");
    assert!(
        !cal.components.iter().any(|c| matches!(c, CalendarComponent::Other(_))),
        "dates need no zone"
    );
    assert_eq!(v.property_value("DTSTART"), Some("20270705"));
    assert_eq!(v.property_value("DTEND"), Some("20270708"));
    assert_eq!(v.get_categories(), Some(vec!["OTHER".to_owned(), "summer".to_owned()]));
    assert_eq!(
        app.api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&to),
            Some(json!({ "title": "x", "starts_at": "2027-07-05", "timezone": "UTC" }))
        )
        .await
        .status,
        422,
        "a date alone is for all-day events"
    );

    // Deleting: organisers only; the event is gone from the API, the wire and the calendars.
    assert_eq!(
        app.api("DELETE", &format!("/api/staffroom/v1/events/{id}"), Some(&tb), None)
            .await
            .status,
        403
    );
    let gone = app
        .api("DELETE", &format!("/api/staffroom/v1/events/{id}"), Some(&to), None)
        .await;
    assert_eq!(gone.status, 200, "{}", gone.text());
    assert_eq!(gone.json()["title"], "STEM fair");
    assert_eq!(
        app.api("GET", &format!("/api/staffroom/v1/events/{id}"), Some(&to), None)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get_accept(&format!("/events/{id}"), "application/activity+json")
            .await
            .status,
        404
    );
    let node: Calendar = app.get("/calendar.ics").await.text().parse().unwrap();
    assert_eq!(
        node.components.iter().filter(|c| c.as_event().is_some()).count(),
        2,
        "the prize-giving and the summer school"
    );
}
