//! Timelines: home (people followed, and groups joined, whose posts appear as boosts by the
//! group), public (`local`, `remote`) and hashtag.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::auth::{Auth, MaybeAuth};
use super::entities::PageData;
use super::model::Status;
use super::{ApiResult, Page, Q, link_header, paged};
use crate::app::AppState;
use crate::services::filters::{Active, Verdict};
use crate::services::visibility::Spaces;
use crate::storage::actors::ActorRow;
use crate::storage::posts::{self, PostRow, Timeline, Window};

/// The page's id window.
pub fn window(page: &Page) -> ApiResult<Window> {
    Ok(Window {
        max_id: page.max_id()?,
        min_id: page.min_id()?,
        ascending: page.ascending(),
    })
}

/// Whether a page leaves out what the viewer blocks and mutes: feeds do; one person's profile
/// does not (the viewer opened it), as in Mastodon. Each is also the context of the viewer's
/// filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filtering {
    /// A feed that also leaves out the people and groups on the viewer's exclusive lists.
    Home,
    /// A list's timeline (filtered as home is).
    List,
    /// Public and hashtag timelines, a group's posts.
    Feed,
    Profile,
}

impl Filtering {
    /// The context of the viewer's filters.
    pub fn context(self) -> &'static str {
        match self {
            Filtering::Home | Filtering::List => "home",
            Filtering::Feed => "public",
            Filtering::Profile => "account",
        }
    }
}

/// Applies the viewer's filters to statuses: a warning verdict goes in `filtered` (of the
/// boosted status, for a boost), as Mastodon shows it.
pub fn warn(status: &mut Status, active: &Active, verdict: &Verdict) {
    let results = crate::api::filters::results(active, verdict);
    if results.is_empty() {
        return;
    }
    match status.reblog.as_mut() {
        Some(inner) => inner.filtered = results,
        None => status.filtered = results,
    }
}

/// The viewer's filters, read when they have some in force.
pub async fn active_filters(state: &AppState, spaces: &Spaces, viewer: Option<&ActorRow>) -> anyhow::Result<Active> {
    Ok(match viewer {
        Some(v) if spaces.filters().has_keyword_filters() => Active::load(state, v).await?,
        _ => Active::default(),
    })
}

/// The statuses of a page the viewer may see (at most `limit`), as entities read together;
/// `as_boosts` names the group a post is shown boosted by.
pub async fn render(
    state: &AppState,
    rows: Vec<PostRow>,
    viewer: Option<&ActorRow>,
    limit: i64,
    filtering: Filtering,
    as_boosts: impl Fn(&PostRow) -> Option<i64>,
) -> ApiResult<(Vec<Status>, Vec<i64>)> {
    let spaces = Spaces::load(state, viewer).await?;
    let active = active_filters(state, &spaces, viewer).await?;
    let context = filtering.context();
    let page: Vec<(PostRow, Verdict)> = rows
        .into_iter()
        .filter(|p| match filtering {
            Filtering::Home => spaces.shows_at_home(p),
            Filtering::List | Filtering::Feed => spaces.shows(p),
            Filtering::Profile => spaces.may_see_post(p),
        })
        .map(|p| {
            let verdict = active.check(&p, context);
            (p, verdict)
        })
        .filter(|(_, v)| *v != Verdict::Hide)
        .take(limit.max(0) as usize)
        .collect();
    let (page, verdicts): (Vec<PostRow>, Vec<Verdict>) = page.into_iter().unzip();
    let boosters: Vec<Option<i64>> = page.iter().map(&as_boosts).collect();
    let groups: Vec<i64> = boosters.iter().flatten().copied().collect();
    let data = PageData::load(state, &page, &groups, viewer).await?;
    let mut items = Vec::with_capacity(page.len());
    for ((p, booster), verdict) in page.iter().zip(boosters).zip(&verdicts) {
        let mut status = match booster.filter(|g| data.is_group(*g)) {
            Some(g) => data.group_boost(state, p, g)?,
            None => data.status(state, p)?,
        };
        warn(&mut status, &active, verdict);
        items.push(status);
    }
    Ok((items, page.iter().map(|p| p.id).collect()))
}

/// `GET /api/v1/timelines/home`
pub async fn home(State(state): State<AppState>, auth: Auth, Q(page): Q<Page>) -> ApiResult<Response> {
    let me = auth.member("read:statuses")?.actor.clone();
    let limit = page.limit()?;
    let (items, ids) = home_statuses(&state, &me, &page, limit).await?;
    Ok(paged(items, link_header(&state, "/api/v1/timelines/home", &ids, limit)))
}

/// A page of the member's home: posts of the people and groups they follow (a group's post as
/// its boost), with the events of those they follow, newest first; and the page's ids.
pub async fn home_statuses(
    state: &AppState,
    me: &ActorRow,
    page: &Page,
    limit: i64,
) -> ApiResult<(Vec<Status>, Vec<i64>)> {
    let state = state.clone();
    // An app may page from the id of a group's boost: read it as its post's place.
    let mut w = window(page)?;
    for bound in [&mut w.max_id, &mut w.min_id] {
        if let Some(id) = *bound
            && let Some(p) = posts::find_by_relay_id(&state.db, id).await?
        {
            *bound = Some(p.id);
        }
    }
    let (rows, sources) = posts::home(&state.db, me.id, w, limit * 2).await?;
    let followed_people: Vec<i64> = sources.iter().filter(|s| !s.1).map(|s| s.0).collect();
    let me_id = me.id;
    let (mut items, mut ids) = render(&state, rows, Some(me), limit, Filtering::Home, |p| {
        // A post reached me through a group I joined, not through its author: a boost by the group.
        p.group_id
            .filter(|_| p.author_id != me_id && !followed_people.contains(&p.author_id))
    })
    .await?;
    // Events of the groups and people I follow appear as their statuses, in id order.
    let evs = crate::storage::events::home_page(
        &state.db,
        me.id,
        page.max_id()?,
        page.min_id()?,
        page.ascending(),
        limit,
    )
    .await?;
    if !evs.is_empty() {
        let mut merged: Vec<(i64, Status)> = ids.into_iter().zip(items).collect();
        for e in evs {
            if !crate::services::visibility::may_see_event(&state, &e, Some(me)).await? {
                continue;
            }
            merged.push((e.id, super::entities::event_status(&state, &e, Some(me)).await?));
        }
        merged.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        merged.truncate(limit as usize);
        ids = merged.iter().map(|(id, _)| *id).collect();
        items = merged.into_iter().map(|(_, v)| v).collect();
    }
    Ok((items, ids))
}

#[derive(Debug, Deserialize, Default)]
pub struct PublicQuery {
    #[serde(flatten)]
    page: Page,
    local: Option<String>,
    remote: Option<String>,
}

fn flag(v: &Option<String>) -> bool {
    v.as_deref().and_then(super::lenient::truth).unwrap_or(false)
}

/// `GET /api/v1/timelines/public[?local=true|remote=true]`
pub async fn public(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Q(q): Q<PublicQuery>,
) -> ApiResult<Response> {
    let viewer = auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone());
    let limit = q.page.limit()?;
    let local = if flag(&q.local) {
        Some(true)
    } else if flag(&q.remote) {
        Some(false)
    } else {
        None
    };
    let rows = posts::timeline(&state.db, &Timeline::Public(local), window(&q.page)?, limit).await?;
    let (items, ids) = render(&state, rows, viewer.as_ref(), limit, Filtering::Feed, |_| None).await?;
    Ok(paged(
        items,
        link_header(&state, "/api/v1/timelines/public", &ids, limit),
    ))
}

/// `GET /api/v1/timelines/tag/{tag}`
pub async fn tag(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(tag): Path<String>,
    Q(page): Q<Page>,
) -> ApiResult<Response> {
    let viewer = auth.as_ref().and_then(|a| a.account.as_ref()).map(|a| a.actor.clone());
    let limit = page.limit()?;
    let tag: String = tag
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .take(100)
        .collect::<String>()
        .to_lowercase();
    let rows = posts::timeline(&state.db, &Timeline::Tag(tag.clone()), window(&page)?, limit).await?;
    let (items, ids) = render(&state, rows, viewer.as_ref(), limit, Filtering::Feed, |_| None).await?;
    Ok(paged(
        items,
        link_header(&state, &format!("/api/v1/timelines/tag/{tag}"), &ids, limit),
    ))
}
