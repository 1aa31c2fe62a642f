//! Events across three real nodes: a training course of two sessions on A, joined from B and C,
//! with approval, capacity, a waiting list and a cancellation; B's member's agenda feed.

use federation_tests::{Node, eventually, ics_events, ics_instant};
use icalendar::{Calendar, Component};

async fn state_on(node: &Node, who: &str, event: &str) -> Option<String> {
    let sql = format!(
        "SELECT COUNT(*) FROM participations p JOIN actors a ON a.id = p.actor_id JOIN events e ON e.id = p.event_id \
         WHERE a.username = '{who}' AND e.ap_id = '{event}' AND p.state = '{{}}'"
    );
    for s in ["going", "waitlist", "pending"] {
        if node.count(&sql.replace("{}", s)).await > 0 {
            return Some(s.to_owned());
        }
    }
    None
}

#[tokio::test]
async fn a_training_course_federates_with_approval_capacity_waitlist_and_cancellation() {
    let (a, b, c) = tokio::join!(Node::start("a"), Node::start("b"), Node::start("c"));
    a.create_user("olga");
    b.create_user("bob");
    c.create_user("cleo");
    a.run(&[
        "group",
        "create",
        "training",
        "--owner",
        "olga",
        "--display-name",
        "Teacher training",
    ]);
    b.run(&["member", "bob", "follow", &a.handle("training")]);
    c.run(&["member", "cleo", "follow", &a.handle("training")]);
    let group = format!("http://{}/groups/training", a.domain);
    for n in [&b, &c] {
        eventually(20, "membership accepted", || async {
            n.count(&format!("SELECT COUNT(*) FROM follows f JOIN actors g ON g.id = f.followed_id WHERE g.ap_id = '{group}' AND f.accepted")).await == 1
        })
        .await;
    }

    // A course of two sessions, in Paris time.
    let first = a.run(&[
        "event",
        "create",
        "--by",
        "olga",
        "--group",
        "training",
        "--title",
        "Inclusive classrooms, session 1",
        "--start",
        "2026-12-01T09:00",
        "--end",
        "2026-12-01T12:00",
        "--timezone",
        "Europe/Paris",
        "--place",
        "Lycée Victor Hugo",
        "--address",
        "27 rue de Sévigné, Paris",
        "--category",
        "training_course",
        "--join-mode",
        "approval",
        "--capacity",
        "20",
    ]);
    let second = a.run(&[
        "event",
        "create",
        "--by",
        "olga",
        "--group",
        "training",
        "--title",
        "Inclusive classrooms, session 2",
        "--start",
        "2026-12-08T09:30",
        "--timezone",
        "Europe/Paris",
        "--online",
        "https://meet.example/room",
        "--category",
        "training_course",
        "--capacity",
        "1",
        "--series",
        &first,
    ]);
    let (_, wire) = a
        .get_json(
            &second.replace(&format!("http://{}", a.domain), ""),
            "application/activity+json",
        )
        .await;
    assert_eq!(wire["type"], "Event");
    assert_eq!(
        wire["startTime"], "2026-12-08T08:30:00Z",
        "09:30 in Paris is 08:30 UTC in December"
    );
    assert_eq!(wire["timezone"], "Europe/Paris");
    assert_eq!(wire["maximumAttendeeCapacity"], 1);
    assert!(
        wire.get("location").is_none(),
        "the online link stays with participants"
    );
    for n in [&b, &c] {
        eventually(20, "both sessions reach the members' nodes", || async {
            n.count(&format!(
                "SELECT COUNT(*) FROM events WHERE ap_id IN ('{first}', '{second}')"
            ))
            .await
                == 2
        })
        .await;
    }

    let linked = format!(
        "SELECT COUNT(*) FROM events s JOIN events c ON c.id = s.series_id WHERE s.ap_id = '{second}' AND c.ap_id = '{first}'"
    );
    assert_eq!(
        b.count(&linked).await,
        1,
        "B links the session to its course (superEvent)"
    );

    // Approval mode: bob waits until the organiser accepts him.
    assert!(b.run(&["event", "join", "bob", &first]).contains("pending"));
    eventually(20, "bob's request on A", || async {
        state_on(&a, "bob", &first).await.as_deref() == Some("pending")
    })
    .await;
    a.run(&["event", "approve", &first, &b.handle("bob"), "--by", "olga"]);
    eventually(20, "bob going, as B learns", || async {
        state_on(&b, "bob", &first).await.as_deref() == Some("going")
    })
    .await;

    // Capacity 1: cleo takes the place, bob waits, and moves up when cleo leaves.
    c.run(&["event", "join", "cleo", &second]);
    eventually(20, "cleo going", || async {
        state_on(&c, "cleo", &second).await.as_deref() == Some("going")
    })
    .await;
    b.run(&["event", "join", "bob", &second]);
    eventually(20, "bob on A's waiting list", || async {
        state_on(&a, "bob", &second).await.as_deref() == Some("waitlist")
    })
    .await;
    assert_eq!(
        state_on(&b, "bob", &second).await.as_deref(),
        Some("pending"),
        "no place yet"
    );
    c.run(&["event", "leave", "cleo", &second]);
    eventually(20, "cleo's place freed on A", || async {
        state_on(&a, "cleo", &second).await.is_none()
    })
    .await;
    eventually(20, "bob promoted, as B learns", || async {
        state_on(&b, "bob", &second).await.as_deref() == Some("going")
    })
    .await;

    // The first session is cancelled: B's copy says so.
    a.run(&["event", "cancel", &first, "--by", "olga"]);
    eventually(20, "the cancellation on B", || async {
        b.count(&format!(
            "SELECT COUNT(*) FROM events WHERE ap_id = '{first}' AND status = 'cancelled'"
        ))
        .await
            == 1
    })
    .await;

    // Bob's agenda on B lists both sessions at the right instants, read with an iCalendar parser.
    let url = b.run(&["event", "agenda-url", "bob"]);
    let ics = b.http.get(&url).send().await.unwrap().text().await.unwrap();
    let cal: Calendar = ics.parse().unwrap_or_else(|e| panic!("not iCalendar ({e}):\n{ics}"));
    let mut sessions: Vec<(String, String, String, String)> = ics_events(&cal)
        .into_iter()
        .map(|e| {
            (
                e.get_summary().unwrap_or_default().to_owned(),
                e.property_value("DTSTART").unwrap_or_default().to_owned(),
                ics_instant(&cal, e, "DTSTART")
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                e.property_value("STATUS").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    sessions.sort();
    assert_eq!(
        sessions,
        vec![
            (
                "Inclusive classrooms, session 1".into(),
                "20261201T090000".into(),
                "2026-12-01 08:00:00".into(),
                "CANCELLED".into()
            ),
            (
                "Inclusive classrooms, session 2".into(),
                "20261208T093000".into(),
                "2026-12-08 08:30:00".into(),
                "CONFIRMED".into()
            ),
        ],
        "Paris wall-clock times, read through the feed's VTIMEZONE as UTC instants: {ics}"
    );
    assert!(ics.contains("DTSTART;TZID=Europe/Paris:20261201T090000"), "{ics}");
    assert!(!ics.contains("meet.example"), "B only knows what A published: {ics}");
    let group_ics = a
        .http
        .get(a.url("/@training/calendar.ics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(ics_events(&group_ics.parse::<Calendar>().unwrap()).len(), 2);
}

/// An invitation-only, all-day event on A: a member of B is invited without following anyone,
/// B fetches the event and notifies him; he joins, another member of B says maybe
/// (TentativeAccept); the attendees collection lists him; A deletes the event and B's copy goes.
#[tokio::test]
async fn invitations_maybe_attendees_and_deletion_across_nodes() {
    let (a, b) = tokio::join!(Node::start("a"), Node::start("b"));
    a.create_user("olga");
    b.create_user("bob");
    b.create_user("bea");
    a.run(&[
        "group",
        "create",
        "fair",
        "--owner",
        "olga",
        "--display-name",
        "Science fair",
    ]);
    let event = a.run(&[
        "event",
        "create",
        "--by",
        "olga",
        "--group",
        "fair",
        "--title",
        "Science fair jury",
        "--all-day",
        "--start",
        "2027-03-12",
        "--end",
        "2027-03-13",
        "--timezone",
        "Europe/Lisbon",
        "--join-mode",
        "invite",
        "--tag",
        "STEM",
        "--tag",
        "#jury",
        "--attendees",
        "public",
    ]);
    a.run(&["event", "invite", &event, &b.handle("bob"), "--by", "olga"]);
    let bobs_invitation = format!(
        "SELECT COUNT(*) FROM event_invitations i JOIN actors a ON a.id = i.actor_id JOIN events e ON e.id = i.event_id \
         WHERE a.username = 'bob' AND e.ap_id = '{event}'"
    );
    eventually(20, "B stores the invitation (fetching the event)", || async {
        b.count(&bobs_invitation).await == 1
    })
    .await;
    assert_eq!(
        b.count(&format!(
            "SELECT COUNT(*) FROM events WHERE ap_id = '{event}' AND tags = 'stem jury' AND join_mode = 'invite'"
        ))
        .await,
        1
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM notifications n JOIN actors a ON a.id = n.recipient_id \
             WHERE a.username = 'bob' AND n.kind = 'mention' AND n.event_id IS NOT NULL"
        )
        .await,
        1,
        "bob is told of the invitation"
    );

    // Bea, not invited, is refused; bob, invited, goes.
    b.run(&["event", "join", "bea", &event]);
    b.run(&["event", "join", "bob", &event]);
    eventually(20, "bob going, as B learns", || async {
        state_on(&b, "bob", &event).await.as_deref() == Some("going")
    })
    .await;
    eventually(20, "bea refused, as B learns", || async {
        state_on(&b, "bea", &event).await.is_none()
    })
    .await;
    assert_eq!(state_on(&a, "bea", &event).await, None);

    // Bea says maybe instead: A records it, taking no place.
    b.run(&["event", "maybe", "bea", &event]);
    eventually(20, "bea interested on A", || async {
        a.count(&format!(
            "SELECT COUNT(*) FROM participations p JOIN actors a ON a.id = p.actor_id JOIN events e ON e.id = p.event_id \
             WHERE a.username = 'bea' AND e.ap_id = '{event}' AND p.state = 'interested'"
        ))
        .await
            == 1
    })
    .await;

    // The attendees collection, public by the organiser's choice, lists bob alone.
    let (status, attendees) = a
        .get_json(
            &format!("{}/attendees", event.replace(&format!("http://{}", a.domain), "")),
            "application/activity+json",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(attendees["totalItems"], 1);
    assert_eq!(
        attendees["orderedItems"],
        serde_json::json!([format!("http://{}/users/bob", b.domain)])
    );

    // All-day in B's agenda: the dates, not instants.
    let url = b.run(&["event", "agenda-url", "bob"]);
    let ics = b.http.get(&url).send().await.unwrap().text().await.unwrap();
    let cal: Calendar = ics.parse().unwrap();
    let v = ics_events(&cal)[0];
    assert_eq!(
        (v.property_value("DTSTART"), v.property_value("DTEND")),
        (Some("20270312"), Some("20270314")),
        "{ics}"
    );

    // Deleted on A: gone on B, with the invitation and the participations.
    a.run(&["event", "delete", &event, "--by", "olga"]);
    eventually(20, "the event deleted on B", || async {
        b.count(&format!("SELECT COUNT(*) FROM events WHERE ap_id = '{event}'"))
            .await
            == 0
    })
    .await;
    assert_eq!(b.count(&bobs_invitation).await, 0);
}
