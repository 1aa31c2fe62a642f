//! Real ActivityPub JSON from Mastodon, Lemmy, Mobilizon, Friendica, PeerTube, mbin and others
//! (`../shared/fixtures/wire`, other projects' test data, never committed here): every actor and
//! post they contain must read into our rows, with the fields that matter.

use std::path::{Path, PathBuf};

use serde_json::Value;
use staffroom::federation::objects::{POST_TYPES, RemoteObject, remote_object_to_row};
use staffroom::federation::protocol::{RemoteActor, id_of};
use staffroom::federation::remote::remote_actor_to_row;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wire");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n!!! {} is missing: the wire-fixture tests are SKIPPED !!!\n",
            dir.display()
        );
        None
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn load(rel: &str) -> Option<Value> {
    let dir = corpus()?;
    Some(serde_json::from_str(&std::fs::read_to_string(dir.join(rel)).unwrap()).unwrap())
}

/// Actors we refuse on purpose: GNU social's group publishes a key owned by another actor, so
/// a signature with it cannot be attributed to the group.
const REFUSED_ACTORS: &[&str] = &["gnusocial/objects/group.json"];

const ACTIVITY_TYPES: &[&str] = &[
    "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Announce", "Like", "Dislike", "Block", "Add",
    "Remove", "Join", "Leave", "Invite", "Flag", "Lock",
];

const ACTOR_TYPES: &[&str] = &["Person", "Group", "Application", "Service", "Organization"];

/// Every post object inside a document: itself, or embedded in (nested) activities.
fn embedded_posts(v: &Value, out: &mut Vec<Value>) {
    let t = v["type"].as_str().unwrap_or_default();
    if POST_TYPES.contains(&t) || t == "Video" {
        out.push(v.clone());
    } else if v["object"].is_object() {
        embedded_posts(&v["object"], out);
    }
}

#[test]
fn every_actor_and_post_in_the_corpus_reads() {
    let Some(dir) = corpus() else { return };
    let (mut actors, mut posts, mut activities) = (0, 0, 0);
    for path in files(&dir) {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = doc["type"].as_str().unwrap_or_default().to_owned();
        if ACTOR_TYPES.contains(&t.as_str()) {
            if doc.get("publicKey").is_none() {
                continue; // an actor without a key cannot sign or be verified: we do not store it
            }
            let a: RemoteActor = serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            if REFUSED_ACTORS.contains(&name.as_str()) {
                assert!(remote_actor_to_row(&a, None).is_err(), "{name} must be refused");
                continue;
            }
            let row = remote_actor_to_row(&a, None).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(row.ap_id, id_of(&doc["id"]).unwrap().to_string(), "{name}");
            assert!(!row.username.is_empty(), "{name}: a username");
            assert!(row.public_key_pem.contains("PUBLIC KEY"), "{name}: the key");
            assert!(row.domain.is_some(), "{name}");
            assert!(!row.summary_html.contains("<script"), "{name}");
            actors += 1;
        }
        let mut found = Vec::new();
        embedded_posts(&doc, &mut found);
        for object in found {
            let o: RemoteObject = serde_json::from_value(object.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(o.author().is_some(), "{name}: an author");
            let row = remote_object_to_row(&o, 1, None, staffroom::model::Visibility::Public);
            // Ids are compared after URL normalisation everywhere (`https://x.org?a` is `https://x.org/?a`).
            assert_eq!(row.ap_id, id_of(&object["id"]).unwrap().to_string(), "{name}");
            assert!(!row.content_html.contains("<script"), "{name}");
            assert!(serde_json::from_str::<Value>(&row.tags).unwrap().is_array(), "{name}");
            posts += 1;
        }
        if ACTIVITY_TYPES.contains(&t.as_str()) {
            assert!(doc.get("actor").and_then(id_of).is_some(), "{name}: an actor id");
            assert!(doc.get("object").is_some(), "{name}: an object");
            activities += 1;
        }
    }
    eprintln!("read {actors} actors, {posts} posts and {activities} activities from the corpus");
    assert!(
        actors >= 20 && posts >= 40 && activities >= 60,
        "the corpus is smaller than expected: {actors}/{posts}/{activities}"
    );
}

#[test]
fn mastodon_create_note() {
    let Some(doc) = load("mastodon/activities/create_note.json") else {
        return;
    };
    let o: RemoteObject = serde_json::from_value(doc["object"].clone()).unwrap();
    assert_eq!(
        o.author().unwrap().as_str(),
        doc["actor"].as_str().unwrap(),
        "attributed to the actor"
    );
    assert!(o.is_public());
    assert_eq!(
        o.in_reply_to().unwrap().as_str(),
        "https://mamot.fr/users/retiolus/statuses/107224244380204526"
    );
    assert!(o.mentions().contains(&"https://mamot.fr/users/retiolus".to_owned()));
    let row = remote_object_to_row(&o, 1, None, staffroom::model::Visibility::Public);
    assert_eq!(row.published_at.to_rfc3339(), "2021-11-05T11:46:50+00:00");
    assert!(row.content_html.contains("<p>"));
}

#[test]
fn lemmy_group_and_announced_page() {
    let Some(group) = load("lemmy/objects/group.json") else {
        return;
    };
    let a: RemoteActor = serde_json::from_value(group).unwrap();
    assert_eq!(a.kind, "Group");
    assert_eq!(a.preferred_username.as_deref(), Some("tenforward"));
    let row = remote_actor_to_row(&a, None).unwrap();
    assert_eq!(row.kind, "Group");
    assert_eq!(row.domain.as_deref(), Some("enterprise.lemmy.ml"));
    assert!(row.shared_inbox_url.is_some() || row.inbox_url.ends_with("/inbox"));
    assert!(row.avatar_url.as_deref().unwrap().ends_with(".webp"));
    assert!(a.featured.is_some(), "Lemmy publishes featured posts");
    assert!(a.posting_restricted_to_mods.is_some());

    let Some(announce) = load("lemmy/activities/community/announce_create_page.json") else {
        return;
    };
    assert_eq!(announce["type"], "Announce");
    let create = &announce["object"];
    assert_eq!(create["type"], "Create");
    let page: RemoteObject = serde_json::from_value(create["object"].clone()).unwrap();
    assert_eq!(page.kind, "Page");
    assert_eq!(page.name.as_deref(), Some("post 4"));
    assert!(
        page.recipients()
            .contains(&"http://enterprise.lemmy.ml/c/main".to_owned()),
        "addressed to the group"
    );
    assert_eq!(page.author().unwrap().as_str(), create["actor"].as_str().unwrap());
}

#[test]
fn mastodon_and_mobilizon_people() {
    let Some(person) = load("mastodon/objects/person.json") else {
        return;
    };
    let a: RemoteActor = serde_json::from_value(person).unwrap();
    let row = remote_actor_to_row(&a, None).unwrap();
    assert_eq!(row.kind, "Person");
    assert!(row.shared_inbox_url.is_some(), "Mastodon has a shared inbox");
    assert!(row.key_id.ends_with("#main-key"));

    let Some(follow) = load("mastodon/activities/follow.json") else {
        return;
    };
    assert_eq!(follow["type"], "Follow");
    assert!(id_of(&follow["object"]).is_some());
    let Some(undo) = load("mastodon/activities/undo_follow.json") else {
        return;
    };
    assert_eq!(undo["object"]["type"], "Follow");
    assert_eq!(
        id_of(&undo["object"]["actor"]),
        id_of(&undo["actor"]),
        "an Undo of one's own Follow"
    );

    for rel in [
        "mobilizon-tests/mobilizon-join-activity.json",
        "mobilizon-tests/mobilizon-leave-activity.json",
    ] {
        let Some(doc) = load(rel) else { return };
        assert!(
            id_of(&doc["actor"]).is_some() && id_of(&doc["object"]).is_some(),
            "{rel}"
        );
    }
}

#[test]
fn mobilizon_and_gancio_events() {
    use staffroom::federation::events::remote_event_to_row;
    let Some(m) = load("mobilizon/objects/event.json") else {
        return;
    };
    let e = remote_event_to_row(&m, 1, Some(2)).expect("a Mobilizon event");
    assert_eq!(e.title, "Caledonian scottish dance class");
    assert_eq!(e.starts_at.to_rfc3339(), "2022-12-11T19:00:00+00:00");
    assert_eq!(e.ends_at.unwrap().to_rfc3339(), "2022-12-11T21:00:00+00:00");
    assert_eq!(e.timezone, "Europe/London");
    assert_eq!(e.place_name.as_deref(), Some("The Kenn Centre"));
    assert_eq!(
        e.place_address.as_deref(),
        Some("Devon Expressway, EX6 7TW, Teignbridge, England, United Kingdom")
    );
    assert!((e.latitude.unwrap() - 50.668816).abs() < 1e-5 && (e.longitude.unwrap() + 3.537739).abs() < 1e-5);
    assert_eq!(e.capacity, None, "Mobilizon's 0 means no limit");
    assert_eq!(
        (e.join_mode.as_str(), e.status.as_str(), e.group_id),
        ("free", "confirmed", Some(2))
    );
    assert_eq!(e.tags, "dance caledonian lesson");
    assert!(
        e.cover_url
            .as_deref()
            .unwrap()
            .starts_with("https://rendezvous.nomagic.uk/media/cd75bf2f"),
        "Mobilizon's Banner is the cover"
    );
    assert_eq!(e.cover_media_type.as_deref(), Some("image/jpeg"));
    assert!(!e.all_day);
    // A Mobilizon post-as-event with links and an image: the image is the cover, links are not.
    let Some(media) = load("mobilizon-tests/mobilizon-post-activity-media.json") else {
        return;
    };
    let e = remote_event_to_row(&media["object"], 1, None).expect("an event with media");
    assert_eq!(e.cover_url.as_deref(), Some("https://mobilizon.fr/some-image"));
    assert_eq!(e.tags, "", "mentions are no tags");

    let Some(g) = load("mobilizon-tests/gancio-event-activity.json") else {
        return;
    };
    assert_eq!(g["type"], "Create");
    let e = remote_event_to_row(&g["object"], 1, None).expect("a Gancio event");
    assert_eq!(e.title, "Demo event");
    assert_eq!(
        e.starts_at.to_rfc3339(),
        "2021-07-14T15:30:57+00:00",
        "17:30:57+02:00 as an instant"
    );
    assert_eq!(e.ends_at.unwrap().to_rfc3339(), "2021-07-14T16:30:57+00:00");
    assert_eq!(e.place_name.as_deref(), Some("Colosseo"));
    assert_eq!(e.timezone, "UTC", "Gancio sends no zone");
    assert_eq!(e.tags, "test");
    assert_eq!(e.cover_url, None);

    // Mobilizon's Invite (here to a group, which we leave alone) names its target and object.
    if let Some(invite) = load("mobilizon-tests/mobilizon-invite-activity.json") {
        assert_eq!(invite["type"], "Invite");
        assert!(id_of(&invite["target"]).is_some() && id_of(&invite["object"]).is_some());
    }
}
