//! Posts written by local members: into a group (by naming it, mentioning it or replying in
//! its threads), with mentions and hashtags; stored and federated in one transaction.

use serde_json::{Value, json};

use crate::app::AppState;
use crate::federation::objects::post_to_ap;
use crate::federation::remote::resolve_handle;
use crate::federation::{activities, delivery};
use crate::model::Visibility;
use crate::services::content::{self, Token};
use crate::services::groups;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::posts::{self, PostRow};
use crate::storage::{self, follows};

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PostError {
    fn from(e: sqlx::Error) -> Self {
        PostError::Internal(e.into())
    }
}

#[derive(Debug, Default)]
pub struct NewPost {
    pub title: Option<String>,
    pub text: String,
    /// The group to post into, which must accept the author's post. A group mentioned, or the
    /// group of the thread answered, takes the post when the author may post there and it is
    /// meant for it (public, unlisted, or members-only in a members-only group); otherwise the
    /// post is an ordinary one that names the group.
    pub group: Option<ActorRow>,
    /// The id (URL) of the post answered.
    pub in_reply_to: Option<String>,
    /// Uploaded media of the author, not attached to another post yet.
    pub media: Vec<crate::storage::media::MediaRow>,
    /// Who may read it (public when not given). `Members` outside groups is followers-only.
    pub visibility: Option<Visibility>,
    /// A content warning.
    pub summary: Option<String>,
    /// Media (or the whole post) not to show at first sight; implied by a content warning.
    pub sensitive: bool,
    /// The language it is written in (ISO 639).
    pub language: Option<String>,
    /// A poll (the post is then a `Question`).
    pub poll: Option<super::polls::NewPoll>,
}

/// A content warning as stored: trimmed, `None` when empty, at most [`MAX_SUMMARY_CHARS`] characters.
///
/// [`MAX_SUMMARY_CHARS`]: crate::model::MAX_SUMMARY_CHARS
pub fn summary(text: Option<&str>) -> Result<Option<String>, PostError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > crate::model::MAX_SUMMARY_CHARS {
        return Err(PostError::Invalid(format!(
            "content warnings are limited to {} characters",
            crate::model::MAX_SUMMARY_CHARS
        )));
    }
    Ok(Some(t.to_owned()))
}

/// A language as stored, or an error naming what is expected.
pub fn language(tag: Option<&str>) -> Result<Option<String>, PostError> {
    match tag.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => crate::model::normalize_language(t)
            .map(Some)
            .ok_or_else(|| PostError::Invalid(format!("`{t}` is not an ISO 639 language code"))),
    }
}

/// Creates a post by a local member and queues its federation.
pub async fn create(state: &AppState, author: &ActorRow, new: NewPost) -> Result<PostRow, PostError> {
    create_once(state, author, new, None).await
}

/// [`create`], once per `Idempotency-Key` (the member's user id and the key): a request repeated
/// with the same key, even concurrently or after a crash, gets the post the first one made. The
/// post, its key, its deliveries and its notifications commit together.
pub async fn create_once(
    state: &AppState,
    author: &ActorRow,
    new: NewPost,
    key: Option<(i64, &str)>,
) -> Result<PostRow, PostError> {
    if let Some(existing) = earlier_post(state, key).await? {
        return Ok(existing);
    }
    let text = new.text.trim();
    let summary = summary(new.summary.as_deref())?;
    let language = language(new.language.as_deref())?;
    let asked = new.visibility.unwrap_or(Visibility::Public);
    if text.is_empty() && new.media.is_empty() {
        return Err(PostError::Invalid("the post is empty".into()));
    }
    if new.poll.is_some() && !new.media.is_empty() {
        return Err(PostError::Invalid("a post has media or a poll, not both".into()));
    }
    if new.media.len() > crate::services::media::MAX_ATTACHMENTS {
        return Err(PostError::Invalid(format!(
            "at most {} attachments per post",
            crate::services::media::MAX_ATTACHMENTS
        )));
    }
    if new.media.iter().any(|m| m.owner_id != author.id || m.post_id.is_some()) {
        return Err(PostError::Invalid(
            "media must be your own uploads, not attached to another post".into(),
        ));
    }
    if text.chars().count() > content::MAX_CONTENT_CHARS {
        return Err(PostError::Invalid(format!(
            "posts are limited to {} characters",
            content::MAX_CONTENT_CHARS
        )));
    }
    if let Some(t) = &new.title
        && t.chars().count() > content::MAX_TITLE_CHARS
    {
        return Err(PostError::Invalid(format!(
            "titles are limited to {} characters",
            content::MAX_TITLE_CHARS
        )));
    }
    let tokens = content::tokenize(text);
    let mentions: Vec<(String, Option<String>)> = tokens
        .iter()
        .filter_map(|t| {
            if let Token::Mention { name, domain } = t {
                Some((name.clone(), domain.clone()))
            } else {
                None
            }
        })
        .collect();
    if mentions.len() > content::MAX_MENTIONS {
        return Err(PostError::Invalid(format!(
            "at most {} mentions per post",
            content::MAX_MENTIONS
        )));
    }
    let hashtags: Vec<String> = tokens
        .iter()
        .filter_map(|t| {
            if let Token::Hashtag(h) = t {
                Some(h.clone())
            } else {
                None
            }
        })
        .collect();
    if hashtags.len() > content::MAX_HASHTAGS {
        return Err(PostError::Invalid(format!(
            "at most {} hashtags per post",
            content::MAX_HASHTAGS
        )));
    }
    // Resolve mentions (WebFinger for remote ones); unresolvable ones stay plain text.
    let mut resolved: Vec<((String, Option<String>), ActorRow)> = Vec::new();
    for (name, domain) in &mentions {
        let handle = match domain {
            Some(d) => format!("{name}@{d}"),
            None => name.clone(),
        };
        match resolve_handle(state, &handle).await {
            Ok(actor) => resolved.push(((name.clone(), domain.clone()), actor)),
            Err(e) => tracing::info!(%handle, error = %e, "mention not resolved"),
        }
    }
    // The thread answered decides the group; otherwise the named or first mentioned group.
    let parent = match &new.in_reply_to {
        Some(id) => Some(
            posts::find_by_ap_id(&state.db, id)
                .await?
                .ok_or_else(|| PostError::Invalid(format!("unknown post {id}")))?,
        ),
        None => None,
    };
    if let Some(p) = &parent
        && posts::thread_root(&state.db, p).await?.locked
    {
        return Err(PostError::Refused("this thread is locked".into()));
    }
    // The group it goes into: the one named, else the thread's, else the first mentioned.
    let named = new.group.is_some();
    let mut group = match (&new.group, parent.as_ref().and_then(|p| p.group_id)) {
        (Some(g), _) => Some(g.clone()),
        (None, Some(gid)) => actors::find_by_id(&state.db, gid).await?,
        (None, None) => resolved.iter().map(|(_, a)| a).find(|a| a.kind == KIND_GROUP).cloned(),
    };
    let mut group_row = match &group {
        Some(g) => storage::groups::find(&state.db, g.id).await?,
        None => None,
    };
    let refusal = match (&group, &group_row) {
        (Some(g), Some(row)) if g.is_local() => groups::may_post(state, g, row, author).await?.err(),
        (Some(g), Some(row)) if row.members_only() && !follows::is_member(&state.db, author.id, g.id).await? => {
            Some("only members may post into the group")
        }
        _ => None,
    };
    // A direct message, or a followers-only post naming an open group, is not the group's.
    let meant_for_group = match asked {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Members => group_row.as_ref().is_some_and(|r| r.members_only()),
        Visibility::Direct => false,
    };
    if named && let Some(why) = refusal {
        return Err(PostError::Refused(why.into()));
    }
    if named && !meant_for_group {
        return Err(PostError::Invalid(format!(
            "a {} post cannot go into a group",
            asked.mastodon()
        )));
    }
    if group.is_some() && (refusal.is_some() || !meant_for_group) {
        group = None;
        group_row = None;
    }
    let members_only = group_row.as_ref().is_some_and(|r| r.members_only());
    let visibility = match (&group, members_only) {
        (Some(_), true) => Visibility::Members,
        (Some(_), false) if asked == Visibility::Unlisted => Visibility::Unlisted,
        (Some(_), false) => Visibility::Public,
        (None, _) => asked,
    };

    let html = content::render(
        &tokens,
        |name, domain| {
            resolved
                .iter()
                .find(|((n, d), _)| n == name && d.as_deref() == domain)
                .map(|(_, a)| a.url.clone().unwrap_or_else(|| a.ap_id.clone()))
        },
        |tag| state.urls.tag(tag).to_string(),
    );
    let mut tags: Vec<Value> = resolved
        .iter()
        .map(|((name, _), a)| {
            let domain = a.domain.clone().unwrap_or_else(|| state.config.domain.clone());
            json!({ "type": "Mention", "href": a.ap_id, "name": format!("@{name}@{domain}") })
        })
        .collect();
    tags.extend(
        hashtags
            .iter()
            .map(|h| json!({ "type": "Hashtag", "href": state.urls.tag(h), "name": format!("#{}", h.to_lowercase()) })),
    );

    let now = storage::now();
    let id = crate::ids::id_at(now);
    let ap_id = state.urls.post(id).to_string();
    let post = PostRow {
        id,
        ap_id: ap_id.clone(),
        url: Some(ap_id.clone()),
        author_id: author.id,
        group_id: group.as_ref().map(|g| g.id),
        in_reply_to: parent.as_ref().map(|p| p.ap_id.clone()),
        kind: if new.poll.is_some() {
            "Question"
        } else if new.title.is_some() {
            "Page"
        } else {
            "Note"
        }
        .into(),
        title: new.title.clone(),
        content_html: html,
        source: Some(text.to_owned()),
        sensitive: new.sensitive || summary.is_some(),
        summary,
        language,
        visibility,
        tags: Value::Array(tags).to_string(),
        attachments: Value::Array(
            new.media
                .iter()
                .map(|m| crate::services::media::attachment_json(state, m))
                .collect(),
        )
        .to_string(),
        local: true,
        pinned_at: None,
        locked: false,
        published_at: now,
        updated_at: None,
        deleted_at: None,
        created_at: now,
        relay_id: group.as_ref().map(|_| crate::ids::id_at(now)),
    };

    let poll = match &new.poll {
        Some(p) => Some(super::polls::prepare(p, id, now).map_err(PostError::Invalid)?),
        None => None,
    };
    let mut object = post_to_ap(&post, author, group.as_ref());
    if let Some(p) = &poll {
        let zeros = vec![0; p.titles().len()];
        crate::federation::objects::add_poll(&mut object, p, &zeros, Some(0), now);
    }
    let create = activities::create_or_update(
        "Create",
        state.urls.activity(crate::ids::id_at(now)).as_str(),
        &author.ap_id,
        &object,
    );
    let mentioned: Vec<ActorRow> = resolved.iter().map(|(_, a)| a.clone()).collect();
    let audience = audience(state, author, group.as_ref(), visibility, &mentioned).await?;
    let recipients = crate::services::notify::post_recipients(state, &post).await?;
    let mut tx = state.db.begin().await?;
    posts::insert(&mut tx, &post).await?;
    if let Some((user_id, k)) = key
        && !crate::storage::oauth::remember_idempotent_post(&mut tx, user_id, k, post.id, now).await?
    {
        // Another request with this key got there first: its post is the answer, and this
        // one is rolled back.
        drop(tx);
        return earlier_post(state, key)
            .await?
            .ok_or_else(|| PostError::Invalid("the Idempotency-Key is in use".into()));
    }
    for m in &new.media {
        crate::storage::media::attach(&mut tx, m.id, post.id).await?;
    }
    if let Some(p) = &poll {
        crate::storage::polls::insert(&mut tx, p).await?;
    }
    send(
        &mut tx,
        state,
        author,
        &create,
        &audience,
        visibility.is_open().then_some(ap_id.as_str()),
    )
    .await?;
    let events = crate::services::notify::record_post(&mut tx, &post, &recipients).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    crate::services::notify::published(state, events);
    Ok(post)
}

/// The post an Idempotency-Key already made, if any.
async fn earlier_post(state: &AppState, key: Option<(i64, &str)>) -> Result<Option<PostRow>, PostError> {
    let Some((user_id, k)) = key else { return Ok(None) };
    match crate::storage::oauth::idempotent_post(&state.db, user_id, k).await? {
        Some(id) => Ok(posts::find_by_id(&state.db, id).await?),
        None => Ok(None),
    }
}

/// Who receives an activity about a post: remote mentions and a remote group get it from the
/// author; a local group relays it to its members; posts outside groups go to the author's
/// remote followers.
pub struct Audience {
    inboxes: Vec<(String, String)>,
    local_group: Option<(ActorRow, bool, Vec<ActorRow>)>,
}

pub async fn audience(
    state: &AppState,
    author: &ActorRow,
    group: Option<&ActorRow>,
    visibility: Visibility,
    mentioned: &[ActorRow],
) -> anyhow::Result<Audience> {
    let members_only = visibility == Visibility::Members && group.is_some();
    let mut recipients: Vec<ActorRow> = mentioned.iter().filter(|a| !a.is_local()).cloned().collect();
    if members_only {
        // Members-only posts never leave the group, not even to mentioned outsiders.
        recipients.retain(|a| Some(a.id) == group.map(|g| g.id));
    }
    // Direct: the people mentioned, nobody else.
    if group.is_none() && visibility != Visibility::Direct {
        recipients.extend(follows::follower_actors(&state.db, author.id).await?);
    }
    let mut inboxes = delivery::inboxes_for(state, recipients.iter());
    let mut local_group = None;
    if let Some(g) = group {
        if g.is_local() {
            local_group = Some((
                g.clone(),
                members_only,
                follows::follower_actors(&state.db, g.id).await?,
            ));
        } else {
            // The group itself gets the activity in its own inbox.
            inboxes.retain(|(i, _)| Some(i.as_str()) != g.shared_inbox_url.as_deref());
            inboxes.extend(crate::services::social::personal_inbox(state, g));
        }
    }
    Ok(Audience { inboxes, local_group })
}

/// Queues `activity` from `author` to an audience, and has a local group announce it.
pub async fn send(
    tx: &mut storage::Tx,
    state: &AppState,
    author: &ActorRow,
    activity: &Value,
    audience: &Audience,
    announce_object: Option<&str>,
) -> anyhow::Result<()> {
    // Signed once (FEP-8b32), so the copy the group relays carries the author's proof too.
    let activity = &crate::federation::actors::with_proof(tx, author, activity).await?;
    delivery::queue(tx, author, activity, &audience.inboxes).await?;
    if let Some((g, members_only, members)) = &audience.local_group {
        groups::fan_out(tx, state, g, *members_only, members, activity, announce_object).await?;
    }
    Ok(())
}

/// The group, its policy and the actors a stored post mentions.
pub(crate) async fn context(
    state: &AppState,
    post: &PostRow,
) -> anyhow::Result<(Option<ActorRow>, Visibility, Vec<ActorRow>)> {
    let group = match post.group_id {
        Some(g) => actors::find_by_id(&state.db, g).await?,
        None => None,
    };
    let tags: Value = serde_json::from_str(&post.tags).unwrap_or(json!([]));
    let mut mentioned = Vec::new();
    for href in tags
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "Mention")
        .filter_map(|t| t["href"].as_str())
    {
        if let Some(a) = actors::find_by_ap_id(&state.db, href).await? {
            mentioned.push(a);
        }
    }
    Ok((group, post.visibility, mentioned))
}

fn own(author: &ActorRow, post: &PostRow) -> Result<(), PostError> {
    if post.author_id != author.id || !post.local {
        return Err(PostError::Refused("only the author may change a post".into()));
    }
    if post.deleted_at.is_some() {
        return Err(PostError::Invalid("the post was deleted".into()));
    }
    Ok(())
}

/// A new version of a post, as its author writes it.
#[derive(Debug, Default)]
pub struct Changes {
    pub text: String,
    /// A new title (the old one is kept when none).
    pub title: Option<String>,
    /// The content warning from now on (none: no warning), as Mastodon's edits replace it.
    pub summary: Option<String>,
    pub sensitive: bool,
    /// A new language (the old one is kept when none).
    pub language: Option<String>,
}

/// The author edits a post: new text, title, content warning, sensitivity or language; an
/// Update reaches everyone who got it.
pub async fn edit(state: &AppState, author: &ActorRow, post: &PostRow, changes: Changes) -> Result<PostRow, PostError> {
    own(author, post)?;
    let summary = summary(changes.summary.as_deref())?;
    let language = language(changes.language.as_deref())?;
    let text = changes.text.trim();
    if text.is_empty() || text.chars().count() > content::MAX_CONTENT_CHARS {
        return Err(PostError::Invalid(format!(
            "posts need 1 to {} characters",
            content::MAX_CONTENT_CHARS
        )));
    }
    let (group, visibility, mentioned) = context(state, post).await?;
    let tokens = content::tokenize(text);
    let html = content::render(
        &tokens,
        |name, domain| {
            mentioned
                .iter()
                .find(|a| a.username.eq_ignore_ascii_case(name) && (domain.is_none() || a.domain.as_deref() == domain))
                .map(|a| a.url.clone().unwrap_or_else(|| a.ap_id.clone()))
        },
        |tag| state.urls.tag(tag).to_string(),
    );
    let now = storage::now();
    let mut updated = post.clone();
    updated.content_html = html;
    updated.source = Some(text.to_owned());
    updated.title = changes.title.or(post.title.clone());
    updated.sensitive = changes.sensitive || summary.is_some();
    updated.summary = summary;
    updated.language = language.or(post.language.clone());
    updated.updated_at = Some(now);
    let object = super::polls::object(state, &updated, author, group.as_ref()).await?;
    let update = activities::create_or_update(
        "Update",
        state.urls.activity(crate::ids::id_at(now)).as_str(),
        &author.ap_id,
        &object,
    );
    let audience = audience(state, author, group.as_ref(), visibility, &mentioned).await?;
    let mut tx = state.db.begin().await?;
    posts::update_content(&mut tx, &updated).await?;
    send(&mut tx, state, author, &update, &audience, None).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(updated)
}

/// The author deletes a post: a Delete reaches everyone who got it.
pub async fn delete(state: &AppState, author: &ActorRow, post: &PostRow) -> Result<(), PostError> {
    own(author, post)?;
    let (group, visibility, mentioned) = context(state, post).await?;
    let object = post_to_ap(post, author, group.as_ref());
    let to = crate::federation::protocol::addresses(&object["to"]);
    let cc = crate::federation::protocol::addresses(&object["cc"]);
    let delete = activities::delete(
        state.urls.activity(crate::ids::new_id()).as_str(),
        &author.ap_id,
        &post.ap_id,
        to,
        cc,
    );
    let audience = audience(state, author, group.as_ref(), visibility, &mentioned).await?;
    let mut tx = state.db.begin().await?;
    posts::mark_deleted(&mut tx, post.id, storage::now()).await?;
    send(&mut tx, state, author, &delete, &audience, None).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    state.publish(crate::app::Event::Delete(post.id));
    Ok(())
}

/// A local member likes (`kind = "Like"`) or boosts (`"Announce"`) a post, or (`undo`) takes it back.
pub async fn react(
    state: &AppState,
    actor: &ActorRow,
    post: &PostRow,
    kind: &str,
    undo: bool,
) -> Result<(), PostError> {
    if post.deleted_at.is_some() {
        return Err(PostError::Invalid("the post was deleted".into()));
    }
    if kind == "Announce" && !post.visibility.is_open() {
        return Err(PostError::Refused(
            "only public and unlisted posts can be boosted".into(),
        ));
    }
    let reaction = if kind == "Like" { "like" } else { "announce" };
    let (group, visibility, _) = context(state, post).await?;
    let author = actors::find_by_id(&state.db, post.author_id)
        .await?
        .ok_or_else(|| PostError::Invalid("unknown author".into()))?;
    let now = storage::now();
    // The activity id is stable per (actor, post, kind), so an Undo can name it.
    let id = format!("{}#{}-{}", state.urls.activity(post.id), reaction, actor.id);
    let mut recipients = vec![author.clone()];
    if kind == "Announce" {
        recipients.extend(follows::follower_actors(&state.db, actor.id).await?);
    }
    // The author, the group, and (for a boost, already in `recipients`) the booster's followers;
    // nobody else.
    let reach = if visibility == Visibility::Members && group.is_some() {
        Visibility::Members
    } else {
        Visibility::Direct
    };
    let audience = audience(state, actor, group.as_ref(), reach, &recipients).await?;
    let activity = activities::posts::reaction(
        kind,
        &id,
        &actor.ap_id,
        &post.ap_id,
        &author.ap_id,
        group.as_ref().map(|g| g.ap_id.as_str()),
    );
    let mut tx = state.db.begin().await?;
    let mut events = Vec::new();
    if undo {
        if !posts::remove_reaction_by_ap_id(&mut tx, &id, actor.id).await? {
            return Ok(());
        }
        let undo = activities::undo(
            state.urls.activity(crate::ids::id_at(now)).as_str(),
            &actor.ap_id,
            activity,
        );
        send(&mut tx, state, actor, &undo, &audience, None).await?;
    } else {
        if !posts::add_reaction(&mut tx, reaction, Some(&id), actor.id, post.id, now).await? {
            return Ok(());
        }
        send(&mut tx, state, actor, &activity, &audience, None).await?;
        let kind = if kind == "Like" { "favourite" } else { "reblog" };
        events = crate::services::notify::record_reaction(&mut tx, kind, actor.id, post, &author).await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    crate::services::notify::published(state, events);
    Ok(())
}
