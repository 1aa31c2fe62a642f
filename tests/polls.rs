//! Polls, on either engine: made from an app (JSON or form), voted on, with hidden totals and an
//! end; sent as a `Question`, votes from other servers counted (and the counts sent back as an
//! `Update`), and polls from other servers shown, voted on (a `Note` naming the option to their
//! author) and updated by their servers.

mod common;

use common::TestApp;
use common::peer::{deliver, remote_actor, sent_to};
use serde_json::{Value, json};
use staffroom::services::accounts::Role;
use staffroom::storage::follows;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn counts(poll: &Value) -> Vec<Value> {
    poll["options"]
        .as_array()
        .unwrap_or_else(|| panic!("no options: {poll}"))
        .iter()
        .map(|o| o["votes_count"].clone())
        .collect()
}

#[tokio::test]
async fn a_poll_is_made_voted_on_and_federated() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write").await;
    let bob = app.create_user("bob", Role::Member).await;
    let tb = app.token(&bob, "read write").await;
    let (rick, rick_key) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(&app.state.db, rick.id, ada.actor.id, None, true)
        .await
        .unwrap();

    // Refused polls, each with a reason.
    for poll in [
        json!({ "options": ["only one"], "expires_in": 3600 }),
        json!({ "options": ["a", "b", "c", "d", "e"], "expires_in": 3600 }),
        json!({ "options": ["a", "b"], "expires_in": 10 }),
        json!({ "options": ["a", "a"], "expires_in": 3600 }),
        json!({ "options": ["a", "b"] }),
    ] {
        let r = app
            .api(
                "POST",
                "/api/v1/statuses",
                Some(&ta),
                Some(json!({ "status": "?", "poll": poll })),
            )
            .await;
        assert_eq!(r.status, 422, "{poll}: {}", r.text());
    }
    let r = app
        .api(
            "POST",
            "/api/v1/statuses",
            Some(&ta),
            Some(json!({ "status": "Which day for the seminar?", "poll": { "options": ["Monday", "Friday"], "expires_in": "3600" } })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let status = r.json();
    let poll = &status["poll"];
    assert_eq!(
        (&poll["multiple"], &poll["expired"], &poll["voted"], &poll["own_votes"]),
        (&json!(false), &json!(false), &json!(true), &json!([])),
        "the author counts as having voted: {poll}"
    );
    assert_eq!(counts(poll), [json!(0), json!(0)]);
    let id = poll["id"].as_str().unwrap().to_owned();

    // On the wire: a Question with its options, to her followers.
    let shared = rick.shared_inbox_url.clone().unwrap();
    let sent = sent_to(&app, &shared).await;
    let q = &sent.iter().find(|a| a["type"] == "Create").unwrap()["object"];
    assert_eq!(q["type"], "Question", "{q}");
    assert_eq!(q["oneOf"][1]["name"], "Friday");
    assert_eq!(q["oneOf"][1]["replies"]["totalItems"], 0);
    assert!(q["endTime"].is_string() && q.get("closed").is_none(), "{q}");

    // Bob votes from an app (a form, as apps send it); once only, one choice, a real option.
    let r = app
        .form(&format!("/api/v1/polls/{id}/votes"), Some(&tb), &[("choices[]", "1")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let poll = r.json();
    assert_eq!((&poll["voted"], &poll["own_votes"]), (&json!(true), &json!([1])));
    assert_eq!(counts(&poll), [json!(0), json!(1)]);
    for body in [json!({ "choices": [0] }), json!({ "choices": [7] })] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/polls/{id}/votes"),
                Some(&tb),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.text());
    }
    let r = app
        .api(
            "POST",
            &format!("/api/v1/polls/{id}/votes"),
            Some(&ta),
            Some(json!({ "choices": [0, 1] })),
        )
        .await;
    assert_eq!(r.status, 422, "one choice only: {}", r.text());

    // Rick votes from his server: counted (not a reply), and the new counts go back out.
    let vote = json!({ "id": "https://remote.test/votes/1/create", "type": "Create", "actor": rick.ap_id,
        "to": [ada.actor.ap_id],
        "object": { "id": "https://remote.test/votes/1", "type": "Note", "name": "Friday",
            "attributedTo": rick.ap_id, "inReplyTo": status["uri"], "to": [ada.actor.ap_id] } });
    deliver(&app, &rick_key, vote).await;
    let poll = app
        .api("GET", &format!("/api/v1/polls/{id}"), Some(&tb), None)
        .await
        .json();
    assert_eq!(counts(&poll), [json!(0), json!(2)], "{poll}");
    assert_eq!(poll["voters_count"], 2);
    let s = app
        .api("GET", &format!("/api/v1/statuses/{id}"), Some(&ta), None)
        .await
        .json();
    assert_eq!(s["replies_count"], 0, "a vote is not a reply");
    let sent = sent_to(&app, &shared).await;
    let update = sent
        .iter()
        .rev()
        .find(|a| a["type"] == "Update")
        .expect("the new counts");
    assert_eq!(update["object"]["oneOf"][1]["replies"]["totalItems"], 2, "{update}");
    assert_eq!(update["object"]["votersCount"], 2);

    // A form-made poll with several choices and hidden totals.
    let r = app
        .form(
            "/api/v1/statuses",
            Some(&ta),
            &[
                ("status", "Which topics?"),
                ("poll[options][]", "Fractions"),
                ("poll[options][]", "Geometry"),
                ("poll[options][]", "Statistics"),
                ("poll[expires_in]", "600"),
                ("poll[multiple]", "true"),
                ("poll[hide_totals]", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let poll = r.json()["poll"].clone();
    let id2 = poll["id"].as_str().unwrap().to_owned();
    assert_eq!(poll["multiple"], true);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/polls/{id2}/votes"),
            Some(&tb),
            Some(json!({ "choices": ["0", 2] })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let seen_by_bob = r.json();
    assert_eq!(seen_by_bob["own_votes"], json!([0, 2]));
    assert_eq!(
        counts(&seen_by_bob),
        [Value::Null, Value::Null, Value::Null],
        "hidden until it ends"
    );
    let seen_by_ada = app
        .api("GET", &format!("/api/v1/polls/{id2}"), Some(&ta), None)
        .await
        .json();
    assert_eq!(counts(&seen_by_ada), [json!(1), json!(0), json!(1)]);

    // When a poll has ended, nobody votes and its totals show.
    let mut row = staffroom::storage::polls::find(&app.state.db, id2.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    row.expires_at = Some(staffroom::storage::now() - chrono::Duration::seconds(1));
    staffroom::storage::polls::insert(&app.state.db, &row).await.unwrap();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/polls/{id2}/votes"),
            Some(&ta),
            Some(json!({ "choices": [1] })),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let seen_by_bob = app
        .api("GET", &format!("/api/v1/polls/{id2}"), Some(&tb), None)
        .await
        .json();
    assert_eq!(seen_by_bob["expired"], true);
    assert_eq!(counts(&seen_by_bob), [json!(1), json!(0), json!(1)]);
    // The instance tells apps the limits.
    let v2 = app.get("/api/v2/instance").await.json();
    assert_eq!(v2["configuration"]["polls"]["max_options"], 4);
}

#[tokio::test]
async fn a_poll_from_another_server_is_shown_voted_on_and_updated() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write follow").await;
    let (rick, rick_key) = remote_actor(&app, "rick", "remote.test").await;
    follows::insert(&app.state.db, ada.actor.id, rick.id, None, true)
        .await
        .unwrap();
    let question = |counts: [i64; 2], voters: i64| {
        json!({ "id": "https://remote.test/notes/q", "type": "Question", "attributedTo": rick.ap_id,
            "content": "<p>Tea or coffee?</p>", "to": [PUBLIC], "endTime": "2099-01-01T00:00:00Z", "votersCount": voters,
            "anyOf": [
                { "type": "Note", "name": "Tea", "replies": { "type": "Collection", "totalItems": counts[0] } },
                { "type": "Note", "name": "Coffee", "replies": { "type": "Collection", "totalItems": counts[1] } }
            ] })
    };
    deliver(
        &app,
        &rick_key,
        json!({ "id": "https://remote.test/creates/q", "type": "Create", "actor": rick.ap_id, "to": [PUBLIC], "object": question([3, 1], 3) }),
    )
    .await;
    let home = app.api("GET", "/api/v1/timelines/home", Some(&ta), None).await.json();
    let status = home
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uri"] == "https://remote.test/notes/q")
        .expect("the poll at home")
        .clone();
    let poll = &status["poll"];
    assert_eq!(
        (
            &poll["multiple"],
            &poll["voters_count"],
            &poll["voted"],
            &poll["expires_at"]
        ),
        (
            &json!(true),
            &json!(3),
            &json!(false),
            &json!("2099-01-01T00:00:00.000Z")
        ),
        "{poll}"
    );
    assert_eq!(counts(poll), [json!(3), json!(1)]);
    let id = status["id"].as_str().unwrap();

    // Ada votes for both: one Note per choice, to Rick alone.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/polls/{id}/votes"),
            Some(&ta),
            Some(json!({ "choices": [0, 1] })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["own_votes"], json!([0, 1]));
    let sent: Vec<Value> = sent_to(&app, &rick.inbox_url)
        .await
        .into_iter()
        .filter(|a| a["type"] == "Create")
        .collect();
    let names: Vec<&str> = sent.iter().map(|a| a["object"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Tea", "Coffee"]);
    for a in &sent {
        assert_eq!(a["object"]["inReplyTo"], "https://remote.test/notes/q");
        assert_eq!(a["object"]["to"], json!([rick.ap_id]));
        assert!(a["object"].get("content").is_none(), "{a}");
    }

    // His server's Update brings the new counts; the post is not shown as edited.
    deliver(
        &app,
        &rick_key,
        json!({ "id": "https://remote.test/updates/q", "type": "Update", "actor": rick.ap_id, "to": [PUBLIC], "object": question([4, 2], 4) }),
    )
    .await;
    let s = app
        .api("GET", &format!("/api/v1/statuses/{id}"), Some(&ta), None)
        .await
        .json();
    assert_eq!(counts(&s["poll"]), [json!(4), json!(2)], "{s}");
    assert_eq!((&s["poll"]["voters_count"], &s["edited_at"]), (&json!(4), &Value::Null));
}

/// Any Mastodon app answers an event by the poll on its status: Going is a Join (a Join to the
/// organiser's server for an event elsewhere), Maybe a TentativeAccept, Can't go a Leave.
#[tokio::test]
async fn an_event_is_answered_by_its_poll_from_any_app() {
    let app = TestApp::new().await;
    let ada = app.create_user("ada", Role::Member).await;
    let ta = app.token(&ada, "read write follow").await;
    let bob = app.create_user("bob", Role::Member).await;
    let tb = app.token(&bob, "read write").await;
    let r = app
        .api(
            "POST",
            "/api/staffroom/v1/events",
            Some(&ta),
            Some(json!({ "title": "Open classroom", "starts_at": "2099-05-01T10:00", "timezone": "Europe/Paris", "capacity": 1 })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let status = app
        .api("GET", &format!("/api/v1/statuses/{id}"), Some(&tb), None)
        .await
        .json();
    let poll = &status["poll"];
    let titles: Vec<&str> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Going", "Maybe", "Can't go"], "{poll}");
    assert_eq!(
        (&poll["voted"], &poll["expired"], &poll["multiple"]),
        (&json!(false), &json!(false), &json!(false))
    );

    // Bob is going; then maybe; then he can't go; then going again.
    let vote = |choice: i64| {
        let (app, tb, id) = (&app, &tb, &id);
        async move {
            let r = app
                .api(
                    "POST",
                    &format!("/api/v1/polls/{id}/votes"),
                    Some(tb),
                    Some(json!({ "choices": [choice] })),
                )
                .await;
            assert_eq!(r.status, 200, "{choice}: {}", r.text());
            r.json()
        }
    };
    let standing = |who: i64| {
        let app = &app;
        let id: i64 = id.parse().unwrap();
        async move {
            staffroom::storage::events::participation(&app.state.db, id, who)
                .await
                .unwrap()
                .map(|p| p.state)
        }
    };
    let poll = vote(0).await;
    assert_eq!((&poll["own_votes"], &counts(&poll)[0]), (&json!([0]), &json!(1)));
    assert_eq!(standing(bob.actor.id).await.as_deref(), Some("going"));
    let poll = vote(1).await;
    assert_eq!(poll["own_votes"], json!([1]));
    assert_eq!(standing(bob.actor.id).await.as_deref(), Some("interested"));
    let poll = vote(2).await;
    assert_eq!((&poll["voted"], &poll["own_votes"]), (&json!(false), &json!([])));
    assert_eq!(standing(bob.actor.id).await, None);
    vote(0).await;
    assert_eq!(standing(bob.actor.id).await.as_deref(), Some("going"));
    let r = app
        .api(
            "POST",
            &format!("/api/v1/polls/{id}/votes"),
            Some(&tb),
            Some(json!({ "choices": [0, 1] })),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());

    // An event on another server: Going sends a Join to its organiser, Can't go a Leave.
    let (rita, rita_key) = remote_actor(&app, "rita", "remote.test").await;
    follows::insert(&app.state.db, ada.actor.id, rita.id, None, true)
        .await
        .unwrap();
    let event = json!({ "id": "https://remote.test/events/9", "type": "Event", "name": "Hackathon", "attributedTo": rita.ap_id,
        "startTime": "2099-06-01T08:00:00Z", "endTime": "2099-06-01T16:00:00Z", "timezone": "Europe/Berlin", "to": [PUBLIC] });
    deliver(
        &app,
        &rita_key,
        json!({ "id": "https://remote.test/events/9/create", "type": "Create", "actor": rita.ap_id, "object": event }),
    )
    .await;
    let hack = staffroom::storage::events::find_by_ap_id(&app.state.db, "https://remote.test/events/9")
        .await
        .unwrap()
        .expect("the remote event");
    for choice in [0, 1, 2] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/polls/{}/votes", hack.id),
                Some(&ta),
                Some(json!({ "choices": [choice] })),
            )
            .await;
        assert_eq!(r.status, 200, "{choice}: {}", r.text());
    }
    let kinds: Vec<String> = sent_to(&app, &rita.inbox_url)
        .await
        .iter()
        .map(|a| a["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["Join", "Leave", "TentativeAccept", "Leave"],
        "going; maybe (after leaving); can't go"
    );
}
