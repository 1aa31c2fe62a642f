//! Posts written by local members: into a group (by naming it, mentioning it or replying in
//! its threads), with mentions and hashtags; stored and federated in one transaction.

use serde_json::{Value, json};

use crate::app::AppState;
use crate::federation::objects::post_to_ap;
use crate::federation::remote::resolve_handle;
use crate::federation::{activities, delivery};
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

pub struct NewPost {
    pub title: Option<String>,
    pub text: String,
    /// The group to post into; a mentioned group counts too.
    pub group: Option<ActorRow>,
    /// The id (URL) of the post answered.
    pub in_reply_to: Option<String>,
}

/// Creates a post by a local member and queues its federation.
pub async fn create(state: &AppState, author: &ActorRow, new: NewPost) -> Result<PostRow, PostError> {
    let text = new.text.trim();
    if text.is_empty() {
        return Err(PostError::Invalid("the post is empty".into()));
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
    let mut group = match parent.as_ref().and_then(|p| p.group_id) {
        Some(gid) => actors::find_by_id(&state.db, gid).await?,
        None => new.group.clone(),
    };
    if group.is_none() {
        group = resolved.iter().map(|(_, a)| a).find(|a| a.kind == KIND_GROUP).cloned();
    }
    let group_row = match &group {
        Some(g) => storage::groups::find(&state.db, g.id).await?,
        None => None,
    };
    let members_only = group_row.as_ref().is_some_and(|r| r.members_only());
    if let (Some(g), Some(row)) = (&group, &group_row)
        && g.is_local()
        && let Err(why) = groups::may_post(state, g, row, author).await?
    {
        return Err(PostError::Refused(why.into()));
    }
    if let Some(g) = &group
        && !g.is_local()
        && members_only
        && !follows::is_member(&state.db, author.id, g.id).await?
    {
        return Err(PostError::Refused("only members may post into the group".into()));
    }

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
        kind: if new.title.is_some() { "Page" } else { "Note" }.into(),
        title: new.title.clone(),
        content_html: html,
        source: Some(text.to_owned()),
        visibility: if members_only { "members" } else { "public" }.into(),
        tags: Value::Array(tags).to_string(),
        sensitive: false,
        local: true,
        published_at: now,
        updated_at: None,
        deleted_at: None,
        created_at: now,
    };

    let object = post_to_ap(&post, author, group.as_ref());
    let create = activities::create_or_update(
        "Create",
        state.urls.activity(crate::ids::id_at(now)).as_str(),
        &author.ap_id,
        &object,
    );
    // Who receives the Create from the author: a remote group, remote mentions, and (for
    // public posts outside a group) the author's remote followers.
    let mut recipients: Vec<ActorRow> = resolved
        .iter()
        .map(|(_, a)| a.clone())
        .filter(|a| !a.is_local())
        .collect();
    if members_only {
        recipients.retain(|a| Some(a.id) == group.as_ref().map(|g| g.id));
    }
    if let Some(g) = &group
        && !g.is_local()
    {
        recipients.push(g.clone());
    }
    if group.is_none() {
        recipients.extend(follows::follower_actors(&state.db, author.id).await?);
    }
    let local_group_members = match &group {
        Some(g) if g.is_local() => Some(follows::follower_actors(&state.db, g.id).await?),
        _ => None,
    };

    let mut tx = state.db.begin().await?;
    posts::insert(&mut tx, &post).await?;
    let mut inboxes = delivery::inboxes_for(state, recipients.iter());
    if let Some(g) = group.as_ref().filter(|g| !g.is_local()) {
        // The group itself gets the Create in its own inbox.
        inboxes.retain(|(i, _)| Some(i.as_str()) != g.shared_inbox_url.as_deref());
        inboxes.extend(crate::services::social::personal_inbox(state, g));
    }
    delivery::queue(&mut tx, author, &create, &inboxes).await?;
    if let (Some(g), Some(members)) = (&group, &local_group_members) {
        groups::fan_out(
            &mut tx,
            state,
            g,
            members_only,
            members,
            &create,
            (!members_only).then_some(ap_id.as_str()),
        )
        .await?;
    }
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(post)
}
