//! Mastodon entities (Account, Status, Relationship, Notification…) and the converters from our
//! rows. Ids are numeric strings; times `YYYY-MM-DDTHH:MM:SS.sssZ`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::model::{
    Account, MediaAttachment, MediaMeta, MediaSize, Mention, Notification, Poll, PollOption, Relationship, Source,
    Status, Tag,
};
use crate::app::AppState;
use crate::storage::actors::{self, ActorRow, KIND_GROUP};
use crate::storage::posts::{self, PostRow};
use crate::storage::{follows, notifications::NotificationRow};

pub fn api_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn default_image(state: &AppState, kind: &str) -> String {
    format!("{}{kind}/original/missing.png", state.urls.base())
}

/// `username` for local actors, `username@domain` for remote ones.
pub fn acct(a: &ActorRow) -> String {
    match &a.domain {
        Some(d) => format!("{}@{d}", a.username),
        None => a.username.clone(),
    }
}

/// An actor (person or group, local or remote) as a Mastodon Account.
pub async fn account(state: &AppState, a: &ActorRow) -> anyhow::Result<Account> {
    let stats = actors::find_many_with_stats(&state.db, &[a.id])
        .await?
        .pop()
        .map(|x| x.stats)
        .unwrap_or_default();
    Ok(account_entity(state, a, &stats))
}

/// The Account entity of an actor with its counts.
pub fn account_entity(state: &AppState, a: &ActorRow, stats: &actors::ActorStats) -> Account {
    let avatar = a.avatar_url.clone().unwrap_or_else(|| default_image(state, "avatars"));
    let header = a.header_url.clone().unwrap_or_else(|| default_image(state, "headers"));
    Account {
        id: a.id.to_string(),
        username: a.username.clone(),
        acct: acct(a),
        display_name: a.display_name.clone(),
        locked: a.manually_approves_followers,
        bot: a.kind == "Service" || a.kind == "Application",
        discoverable: a.discoverable,
        indexable: a.discoverable,
        group: a.kind == KIND_GROUP,
        created_at: api_time(a.created_at),
        note: a.summary_html.clone(),
        url: a.url.clone().unwrap_or_else(|| a.ap_id.clone()),
        uri: a.ap_id.clone(),
        avatar_static: avatar.clone(),
        avatar,
        header_static: header.clone(),
        header,
        followers_count: stats.followers,
        following_count: stats.following,
        statuses_count: stats.statuses,
        last_status_at: stats.last_status_at.map(|t| t.format("%Y-%m-%d").to_string()),
        hide_collections: false,
        noindex: !a.discoverable,
        emojis: Vec::new(),
        roles: Vec::new(),
        fields: Vec::new(),
        source: None,
    }
}

/// The signed-in member's own Account, with `source` (what verify_credentials returns).
pub async fn credential_account(state: &AppState, a: &ActorRow) -> anyhow::Result<Account> {
    let mut v = account(state, a).await?;
    v.source = Some(Source {
        privacy: "public",
        sensitive: false,
        language: None,
        note: a.summary_source.clone(),
        fields: Vec::new(),
        follow_requests_count: follows::pending_actors(&state.db, a.id).await?.len(),
        discoverable: a.discoverable,
        indexable: a.discoverable,
        hide_collections: false,
        attribution_domains: Vec::new(),
    });
    Ok(v)
}

/// A stored attachment (`services::media::attachment_json`, or a remote one) as a
/// MediaAttachment.
pub fn media_attachment(a: &Value) -> MediaAttachment {
    let original = match (a["width"].as_i64(), a["height"].as_i64()) {
        (Some(width), Some(height)) if height > 0 => Some(MediaSize {
            width,
            height,
            size: format!("{width}x{height}"),
            aspect: width as f64 / height as f64,
        }),
        _ => None,
    };
    let url = a["url"].as_str().unwrap_or_default().to_owned();
    MediaAttachment {
        id: match &a["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        kind: a["type"].as_str().unwrap_or("unknown").to_owned(),
        preview_url: url.clone(),
        url,
        remote_url: a["remote_url"].as_str().map(str::to_owned),
        text_url: None,
        meta: MediaMeta { original },
        description: a["description"].as_str().filter(|d| !d.is_empty()).map(str::to_owned),
        blurhash: None,
    }
}

/// A post as a Mastodon Status, seen by `viewer`.
pub async fn status(state: &AppState, p: &PostRow, viewer: Option<&ActorRow>) -> anyhow::Result<Status> {
    PageData::load(state, std::slice::from_ref(p), &[], viewer)
        .await?
        .status(state, p)
}

/// A group's relay of a post, as a boost by the group (how members see group posts at home).
pub async fn group_boost(
    state: &AppState,
    p: &PostRow,
    group: &ActorRow,
    viewer: Option<&ActorRow>,
) -> anyhow::Result<Status> {
    PageData::load(state, std::slice::from_ref(p), &[group.id], viewer)
        .await?
        .group_boost(state, p, group.id)
}

/// What the entities of a whole page need, read in a fixed number of statements whatever the
/// page holds: the authors and groups with their counts, the accounts mentioned, the posts
/// answered, each post's counts and what the viewer did with it.
pub struct PageData {
    viewer: Option<ActorRow>,
    actors: HashMap<i64, ActorRow>,
    stats: HashMap<i64, actors::ActorStats>,
    /// The known actors each post mentions, by post id.
    mentioned: HashMap<i64, Vec<ActorRow>>,
    parents: HashMap<String, PostRow>,
    post_stats: HashMap<i64, posts::PostStats>,
    links: HashMap<String, String>,
    /// The polls of the page's posts, as the viewer sees them.
    polls: HashMap<i64, Poll>,
}

/// The ActivityPub `tag` array of a post.
fn tags_of(p: &PostRow) -> Vec<Value> {
    match serde_json::from_str::<Value>(&p.tags) {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn attachments_of(p: &PostRow) -> Vec<Value> {
    match serde_json::from_str::<Value>(&p.attachments) {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

impl PageData {
    /// Reads what `page` (and the accounts `extra`, such as groups that boost) needs.
    pub async fn load(
        state: &AppState,
        page: &[PostRow],
        extra: &[i64],
        viewer: Option<&ActorRow>,
    ) -> anyhow::Result<PageData> {
        let mut ids: Vec<i64> = page.iter().map(|p| p.author_id).chain(extra.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut parent_ids: Vec<String> = page.iter().filter_map(|p| p.in_reply_to.clone()).collect();
        parent_ids.sort_unstable();
        parent_ids.dedup();
        let post_ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        let loaded = actors::find_many_with_stats(&state.db, &ids).await?;
        let mut mentioned: HashMap<i64, Vec<ActorRow>> = HashMap::new();
        for m in posts::mentioned(&state.db, &post_ids).await? {
            mentioned.entry(m.post_id).or_default().push(m.actor);
        }
        let parents = posts::find_many_by_ap_id(&state.db, &parent_ids).await?;
        let post_stats = posts::stats_many(&state.db, &post_ids, viewer.map(|v| v.id)).await?;
        // Files of posts that are not public are linked with signed, expiring links.
        let mut links = HashMap::new();
        for p in page.iter().filter(|p| {
            p.visibility != crate::model::Visibility::Public && p.visibility != crate::model::Visibility::Unlisted
        }) {
            for a in attachments_of(p) {
                if let Some(url) = a["url"].as_str() {
                    links.insert(url.to_owned(), crate::services::media::private_link(state, url).await?);
                }
            }
        }
        // Polls, read only when the page holds some (two statements).
        let mut polls = HashMap::new();
        let questions: Vec<&PostRow> = page.iter().filter(|p| p.kind == "Question").collect();
        if !questions.is_empty() {
            let ids: Vec<i64> = questions.iter().map(|p| p.id).collect();
            let rows: Vec<(crate::storage::polls::PollRow, bool)> = crate::storage::polls::find_many(&state.db, &ids)
                .await?
                .into_iter()
                .map(|r| {
                    let local = questions.iter().any(|p| p.id == r.post_id && p.local);
                    (r, local)
                })
                .collect();
            let figures = crate::services::polls::figures(state, &rows, viewer).await?;
            let now = crate::storage::now();
            for (row, _) in &rows {
                let author = questions.iter().find(|p| p.id == row.post_id).map(|p| p.author_id);
                if let (Some(f), Some(author)) = (figures.get(&row.post_id), author) {
                    polls.insert(row.post_id, poll_entity(row, f, viewer, author, now));
                }
            }
        }
        Ok(PageData {
            polls,
            viewer: viewer.cloned(),
            stats: loaded.iter().map(|x| (x.actor.id, x.stats.clone())).collect(),
            actors: loaded.into_iter().map(|x| (x.actor.id, x.actor)).collect(),
            mentioned,
            parents: parents.into_iter().map(|p| (p.ap_id.clone(), p)).collect(),
            post_stats: post_stats.into_iter().map(|s| (s.id, s)).collect(),
            links,
        })
    }

    /// Whether a loaded actor is a group.
    pub fn is_group(&self, id: i64) -> bool {
        self.actors.get(&id).is_some_and(|a| a.kind == KIND_GROUP)
    }

    /// The Account of a loaded actor.
    pub fn account(&self, state: &AppState, id: i64) -> anyhow::Result<Account> {
        let a = self
            .actors
            .get(&id)
            .ok_or_else(|| anyhow::anyhow!("actor {id} not loaded"))?;
        Ok(account_entity(
            state,
            a,
            self.stats.get(&id).unwrap_or(&Default::default()),
        ))
    }

    /// The people of a loaded post but `viewer`: its author and the known actors it mentions.
    pub fn participants(&self, state: &AppState, p: &PostRow, viewer: i64) -> anyhow::Result<Vec<Account>> {
        let mut out = Vec::new();
        if p.author_id != viewer {
            out.push(self.account(state, p.author_id)?);
        }
        for a in self.mentioned.get(&p.id).into_iter().flatten() {
            if a.id != viewer && a.id != p.author_id {
                out.push(account_entity(
                    state,
                    a,
                    self.stats.get(&a.id).unwrap_or(&Default::default()),
                ));
            }
        }
        Ok(out)
    }

    /// A loaded post as a Status.
    pub fn status(&self, state: &AppState, p: &PostRow) -> anyhow::Result<Status> {
        let parent = p.in_reply_to.as_ref().and_then(|id| self.parents.get(id));
        let mentions: Vec<Mention> = self
            .mentioned
            .get(&p.id)
            .into_iter()
            .flatten()
            .map(|a| Mention {
                id: a.id.to_string(),
                username: a.username.clone(),
                acct: acct(a),
                url: a.url.clone().unwrap_or(a.ap_id.clone()),
            })
            .collect();
        let mut hashtags = Vec::new();
        for t in tags_of(p) {
            if t["type"] == "Hashtag" {
                let name = t["name"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches('#')
                    .to_lowercase();
                hashtags.push(Tag {
                    url: state.urls.tag(&name).to_string(),
                    name,
                });
            }
        }
        let media: Vec<MediaAttachment> = attachments_of(p)
            .into_iter()
            .map(|mut a| {
                if let Some(link) = a["url"].as_str().and_then(|u| self.links.get(u)) {
                    a["url"] = json!(link);
                }
                media_attachment(&a)
            })
            .collect();
        let stats = self.post_stats.get(&p.id).cloned().unwrap_or_default();
        let viewer = self.viewer.as_ref();
        // A titled post shows its title first, as Mastodon shows Lemmy posts.
        let content = match &p.title {
            Some(t) => format!(
                "<p><strong>{}</strong></p>{}",
                crate::text::escape_html(t),
                p.content_html
            ),
            None => p.content_html.clone(),
        };
        Ok(Status {
            id: p.id.to_string(),
            uri: p.ap_id.clone(),
            url: p.url.clone().unwrap_or(p.ap_id.clone()),
            created_at: api_time(p.published_at),
            edited_at: p.updated_at.map(api_time),
            account: self.account(state, p.author_id)?,
            content,
            text: if viewer.is_some_and(|v| v.id == p.author_id) {
                p.source.clone()
            } else {
                None
            },
            visibility: p.visibility.mastodon(),
            sensitive: p.sensitive,
            spoiler_text: p.summary.clone().unwrap_or_default(),
            media_attachments: media,
            application: None,
            mentions,
            tags: hashtags,
            emojis: Vec::new(),
            reblogs_count: stats.reblogs,
            favourites_count: stats.favourites,
            replies_count: stats.replies,
            in_reply_to_id: parent.map(|x| x.id.to_string()),
            in_reply_to_account_id: parent.map(|x| x.author_id.to_string()),
            reblog: None,
            poll: self.polls.get(&p.id).cloned(),
            card: None,
            language: p.language.clone(),
            favourited: viewer.is_some() && stats.favourited > 0,
            reblogged: viewer.is_some() && stats.reblogged > 0,
            muted: false,
            bookmarked: viewer.is_some() && stats.bookmarked > 0,
            pinned: p.pinned_at.is_some(),
            filtered: Vec::new(),
        })
    }

    /// A loaded post as a boost by a loaded group.
    pub fn group_boost(&self, state: &AppState, p: &PostRow, group_id: i64) -> anyhow::Result<Status> {
        let inner = self.status(state, p)?;
        let mut wrapper = inner.clone();
        wrapper.id = p.relay_id.unwrap_or(p.id).to_string();
        wrapper.account = self.account(state, group_id)?;
        wrapper.content = String::new();
        wrapper.mentions = Vec::new();
        wrapper.tags = Vec::new();
        wrapper.reblog = Some(Box::new(inner));
        Ok(wrapper)
    }
}

pub async fn relationship(state: &AppState, me: &ActorRow, other: &ActorRow) -> anyhow::Result<Relationship> {
    let filters = crate::services::visibility::Filters::load(state, me).await?;
    relationship_with(state, me, other, &filters).await
}

/// [`relationship`] with the viewer's blocks and mutes read once for many.
pub async fn relationship_with(
    state: &AppState,
    me: &ActorRow,
    other: &ActorRow,
    filters: &crate::services::visibility::Filters,
) -> anyhow::Result<Relationship> {
    let out = follows::find(&state.db, me.id, other.id).await?;
    let inbound = follows::find(&state.db, other.id, me.id).await?;
    Ok(Relationship {
        id: other.id.to_string(),
        following: out.as_ref().is_some_and(|f| f.accepted),
        requested: out.as_ref().is_some_and(|f| !f.accepted),
        followed_by: inbound.as_ref().is_some_and(|f| f.accepted),
        requested_by: inbound.as_ref().is_some_and(|f| !f.accepted),
        showing_reblogs: true,
        notifying: false,
        languages: None,
        blocking: filters.blocks(other.id),
        blocked_by: filters.blocked_by(other.id),
        muting: filters.mutes(other.id).is_some(),
        muting_notifications: filters.mutes(other.id) == Some(true),
        domain_blocking: filters.blocks_domain_of(other),
        endorsed: false,
        note: String::new(),
    })
}

pub async fn notification(
    state: &AppState,
    n: &NotificationRow,
    viewer: &ActorRow,
) -> anyhow::Result<Option<Notification>> {
    Ok(notifications(state, std::slice::from_ref(n), viewer)
        .await?
        .pop()
        .map(|(_, v)| v))
}

/// Notifications as entities, read together: the ids kept and their entities, in order. A
/// notification whose post or event the viewer may no longer see (they left the group since),
/// or whose post is gone, is left out.
pub async fn notifications(
    state: &AppState,
    rows: &[NotificationRow],
    viewer: &ActorRow,
) -> anyhow::Result<Vec<(i64, Notification)>> {
    let spaces = crate::services::visibility::Spaces::load(state, Some(viewer)).await?;
    let active = super::timelines::active_filters(state, &spaces, Some(viewer)).await?;
    let post_ids: Vec<i64> = rows.iter().filter_map(|n| n.post_id).collect();
    let found: HashMap<i64, PostRow> = posts::find_many(&state.db, &post_ids)
        .await?
        .into_iter()
        .filter(|p| spaces.may_see_post(p))
        .map(|p| (p.id, p))
        .collect();
    let page: Vec<PostRow> = found.values().cloned().collect();
    let from: Vec<i64> = rows.iter().map(|n| n.from_actor_id).collect();
    let data = PageData::load(state, &page, &from, Some(viewer)).await?;
    let mut out = Vec::new();
    for n in rows {
        if !data.actors.contains_key(&n.from_actor_id) {
            continue;
        }
        let status = match (n.post_id, n.event_id) {
            (Some(pid), _) => match found.get(&pid) {
                Some(p) => {
                    let verdict = active.check(p, "notifications");
                    if verdict == crate::services::filters::Verdict::Hide {
                        continue;
                    }
                    let mut s = data.status(state, p)?;
                    super::timelines::warn(&mut s, &active, &verdict);
                    Some(s)
                }
                None => continue,
            },
            (None, Some(eid)) => match crate::storage::events::find(&state.db, eid).await? {
                Some(e) if crate::services::visibility::may_see_event(state, &e, Some(viewer)).await? => {
                    Some(event_status(state, &e, Some(viewer)).await?)
                }
                _ => continue,
            },
            (None, None) => None,
        };
        let report = match n.report_id {
            Some(r) => match crate::storage::reports::find(&state.db, r).await? {
                Some(r) => Some(report_entity(state, &r).await?),
                None => continue,
            },
            None => None,
        };
        out.push((
            n.id,
            Notification {
                id: n.id.to_string(),
                kind: n.kind.clone(),
                group_key: format!("ungrouped-{}", n.id),
                created_at: api_time(n.created_at),
                account: data.account(state, n.from_actor_id)?,
                status,
                report,
            },
        ));
    }
    Ok(out)
}

/// An event as a Mastodon Status from its group (or organiser), so app users see it: the title,
/// the date and place, the description and a link.
pub async fn event_status(
    state: &AppState,
    e: &crate::storage::events::EventRow,
    _viewer: Option<&ActorRow>,
) -> anyhow::Result<Status> {
    let by = crate::services::events::host(state, e).await?;
    let summary = crate::federation::events::summary(e);
    let link = e.url.clone().unwrap_or_else(|| e.ap_id.clone());
    let content = format!(
        "<p><strong>{}</strong></p><p>{}</p>{}<p><a href=\"{}\">{}</a></p>",
        crate::text::escape_html(&e.title),
        crate::text::escape_html(&summary),
        e.description_html,
        crate::text::escape_html(&link),
        crate::text::escape_html(&link)
    );
    let tags: Vec<Tag> = e
        .tag_list()
        .map(|t| Tag {
            name: t.to_owned(),
            url: state.urls.tag(t).to_string(),
        })
        .collect();
    let mut media = Vec::new();
    if let Some(u) = &e.cover_url {
        let url = if e.visibility == crate::model::Visibility::Public {
            u.clone()
        } else {
            crate::services::media::private_link(state, u).await?
        };
        media.push(media_attachment(&json!({
            "id": format!("{}-cover", e.id), "type": "image", "url": url, "media_type": e.cover_media_type,
            "description": e.cover_description,
        })));
    }
    Ok(Status {
        id: e.id.to_string(),
        uri: e.ap_id.clone(),
        url: link,
        created_at: api_time(e.created_at),
        edited_at: (e.updated_at != e.created_at).then(|| api_time(e.updated_at)),
        account: account(state, &by).await?,
        content,
        text: None,
        visibility: e.visibility.mastodon(),
        sensitive: false,
        spoiler_text: String::new(),
        media_attachments: media,
        application: None,
        mentions: Vec::new(),
        tags,
        emojis: Vec::new(),
        reblogs_count: 0,
        favourites_count: 0,
        replies_count: 0,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        reblog: None,
        poll: Some(event_poll(state, e, _viewer).await?),
        card: None,
        language: None,
        favourited: false,
        reblogged: false,
        muted: false,
        bookmarked: false,
        pinned: false,
        filtered: Vec::new(),
    })
}

/// The named converter: a report row as Mastodon's `Report`.
pub async fn report_entity(
    state: &AppState,
    r: &crate::storage::reports::ReportRow,
) -> anyhow::Result<super::model::Report> {
    let target = actors::find_by_id(&state.db, r.target_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("reported actor {} is gone", r.target_id))?;
    Ok(super::model::Report {
        id: r.id.to_string(),
        action_taken: r.resolved_at.is_some(),
        action_taken_at: r.resolved_at.map(api_time),
        category: r.category.clone(),
        comment: r.comment.clone(),
        forwarded: r.forwarded,
        created_at: api_time(r.created_at),
        status_ids: r.posts().iter().map(i64::to_string).collect(),
        rule_ids: Vec::new(),
        target_account: account(state, &target).await?,
    })
}

/// The named converter: a poll with its figures as Mastodon's `Poll`, as `viewer` sees it (its
/// author counts as having voted; hidden totals stay hidden until it ends, but from its author).
pub fn poll_entity(
    poll: &crate::storage::polls::PollRow,
    f: &crate::services::polls::Figures,
    viewer: Option<&ActorRow>,
    author_id: i64,
    now: DateTime<Utc>,
) -> Poll {
    let expired = poll.expired(now);
    let hidden = poll.hide_totals && !expired && viewer.is_none_or(|v| v.id != author_id);
    let options = poll
        .titles()
        .into_iter()
        .enumerate()
        .map(|(i, title)| PollOption {
            title,
            votes_count: (!hidden).then(|| f.counts.get(i).copied().unwrap_or(0)),
        })
        .collect();
    Poll {
        id: poll.post_id.to_string(),
        expires_at: poll.expires_at.map(api_time),
        expired,
        multiple: poll.multiple,
        votes_count: f.counts.iter().sum(),
        voters_count: if poll.multiple {
            f.voters
        } else {
            f.voters.or(Some(f.counts.iter().sum()))
        },
        options,
        emojis: Vec::new(),
        voted: viewer.map(|v| v.id == author_id || !f.mine.is_empty()),
        own_votes: viewer.map(|_| f.mine.iter().map(|c| *c as usize).collect()),
    }
}

/// The poll apps show on an event, by which any Mastodon app answers it: Going (a Join), Maybe
/// (a TentativeAccept), Can't go (a Leave). Its counts are the people going (with the waiting
/// list and those awaiting approval) and the maybes; it closes when the event starts.
pub async fn event_poll(
    state: &AppState,
    e: &crate::storage::events::EventRow,
    viewer: Option<&ActorRow>,
) -> anyhow::Result<Poll> {
    use crate::services::events::Rsvp;
    let store = crate::storage::events::count;
    let going = store(&state.db, e.id, "going").await?
        + store(&state.db, e.id, "waitlist").await?
        + store(&state.db, e.id, "pending").await?;
    let maybe = store(&state.db, e.id, "interested").await?;
    let mine = match viewer {
        Some(v) => crate::storage::events::participation(&state.db, e.id, v.id)
            .await?
            .and_then(|p| Rsvp::of_state(&p.state)),
        None => None,
    };
    let counts = [going, maybe, 0];
    Ok(Poll {
        id: e.id.to_string(),
        expires_at: Some(api_time(e.starts_at)),
        expired: e.starts_at <= crate::storage::now() || e.status == "cancelled",
        multiple: false,
        votes_count: going + maybe,
        voters_count: Some(going + maybe),
        options: Rsvp::TITLES
            .iter()
            .zip(counts)
            .map(|(t, n)| PollOption {
                title: (*t).to_owned(),
                votes_count: Some(n),
            })
            .collect(),
        emojis: Vec::new(),
        voted: viewer.map(|_| mine.is_some()),
        own_votes: viewer.map(|_| mine.map(|m| vec![m as usize]).unwrap_or_default()),
    })
}
