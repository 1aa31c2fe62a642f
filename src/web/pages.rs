//! Page models (what a template shows) and the named converters that build them from the
//! Mastodon entities the services already assemble (so every page asks the same visibility
//! rules as the API does).

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Ctx;
use super::i18n::{self, Tr};
use crate::api::model::{Account, Status};

/// What the layout of every page needs.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub lang: String,
    pub csrf: String,
    pub node_name: String,
    pub me: Option<Me>,
    pub here: String,
    /// Every interface language: its tag and its own name.
    pub languages: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Me {
    pub username: String,
    pub name: String,
    pub is_staff: bool,
}

impl Chrome {
    pub fn new(ctx: &Ctx) -> Chrome {
        Chrome {
            tr: ctx.tr.clone(),
            lang: ctx.tr.tag.clone(),
            csrf: ctx.csrf.clone(),
            node_name: ctx.node_name.clone(),
            me: ctx.me().map(|a| Me {
                username: a.actor.username.clone(),
                name: display_name(&a.actor.display_name, &a.actor.username),
                is_staff: a.role() != crate::services::accounts::Role::Member,
            }),
            here: ctx.here.clone(),
            languages: i18n::available()
                .into_iter()
                .map(|tag| {
                    let name = Tr::new(&tag).t("language-name");
                    (tag, name)
                })
                .collect(),
        }
    }

    /// The text of `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
}

/// How a page names an actor: their display name, else their username.
pub fn actor_name(a: &crate::storage::actors::ActorRow) -> String {
    display_name(&a.display_name, &a.username)
}

/// An actor's full handle, `@name@host` (this node's domain for local ones).
pub fn actor_handle(a: &crate::storage::actors::ActorRow, local_domain: &str) -> String {
    format!("@{}@{}", a.username, a.domain.as_deref().unwrap_or(local_domain))
}

fn display_name(display: &str, username: &str) -> String {
    if display.trim().is_empty() {
        username.to_owned()
    } else {
        display.to_owned()
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Renders a page with its status; a template error is logged and answered as a plain 500.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// One attachment as a page shows it.
#[derive(Debug, Clone)]
pub struct MediaView {
    pub url: String,
    pub preview: String,
    pub description: String,
    pub is_image: bool,
}

/// One post as every list and thread shows it.
#[derive(Debug, Clone)]
pub struct PostCard {
    pub id: String,
    /// The post's page here.
    pub link: String,
    pub author_name: String,
    pub author_handle: String,
    pub author_link: String,
    pub avatar: String,
    /// Sanitised HTML (cleaned when stored or received).
    pub content: String,
    pub spoiler: String,
    pub lang: String,
    pub created: String,
    pub created_iso: String,
    /// The visibility's label in the page's language.
    pub visibility: String,
    pub replies: i64,
    pub favourites: i64,
    pub boosts: i64,
    pub favourited: bool,
    pub boosted: bool,
    pub can_boost: bool,
    pub boosted_by: Option<String>,
    pub media: Vec<MediaView>,
    pub in_reply_to: Option<String>,
    pub mine: bool,
}

/// A person's or group's page here: `/@name` for our own, `/@name@host` for others.
pub fn account_link(a: &Account) -> String {
    format!("/@{}", a.acct)
}

/// Converts a status entity (as the API would send it to this viewer) for a page.
pub fn post_card(tr: &Tr, s: &Status, me: Option<&str>) -> PostCard {
    let (shown, boosted_by) = match &s.reblog {
        Some(inner) => (
            inner.as_ref(),
            Some(display_name(&s.account.display_name, &s.account.username)),
        ),
        None => (s, None),
    };
    let created = chrono::DateTime::parse_from_rfc3339(&shown.created_at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    PostCard {
        id: shown.id.clone(),
        link: format!("/@{}/{}", shown.account.acct, shown.id),
        author_name: display_name(&shown.account.display_name, &shown.account.username),
        author_handle: format!("@{}", shown.account.acct),
        author_link: account_link(&shown.account),
        avatar: shown.account.avatar.clone(),
        content: shown.content.clone(),
        spoiler: shown.spoiler_text.clone(),
        lang: shown.language.clone().unwrap_or_default(),
        created: tr.datetime(created),
        created_iso: created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        visibility: tr.t(&format!("visibility-{}", shown.visibility)),
        replies: shown.replies_count,
        favourites: shown.favourites_count,
        boosts: shown.reblogs_count,
        favourited: shown.favourited,
        boosted: shown.reblogged,
        can_boost: matches!(shown.visibility, "public" | "unlisted"),
        boosted_by,
        media: shown
            .media_attachments
            .iter()
            .map(|m| MediaView {
                url: m.url.clone(),
                preview: m.preview_url.clone(),
                description: m.description.clone().unwrap_or_default(),
                is_image: m.kind == "image" || m.kind == "gifv",
            })
            .collect(),
        in_reply_to: shown.in_reply_to_id.clone(),
        mine: me.is_some_and(|m| m == shown.account.acct),
    }
}

pub fn post_cards(tr: &Tr, statuses: &[Status], me: Option<&str>) -> Vec<PostCard> {
    statuses.iter().map(|s| post_card(tr, s, me)).collect()
}

/// The compose form's settings.
#[derive(Debug, Clone, Default)]
pub struct Compose {
    pub in_reply_to: Option<String>,
    /// Prefilled text (mentions when replying).
    pub text: String,
    pub visibility: String,
    /// The group posted into (its actor id).
    pub group: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub message: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub c: Chrome,
    pub error: Option<String>,
    pub login: String,
    pub next: String,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_up.html")]
pub struct SignUpPage {
    pub c: Chrome,
    pub error: Option<String>,
    pub username: String,
    pub email: String,
    pub reason: String,
    pub mode: String,
    pub rules: Vec<String>,
}

#[derive(Template)]
#[template(path = "feed.html")]
pub struct FeedPage {
    pub c: Chrome,
    pub title: String,
    pub subtitle: Option<String>,
    pub intro: Option<String>,
    pub compose: Option<Compose>,
    pub posts: Vec<PostCard>,
    pub older: Option<String>,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "thread.html")]
pub struct ThreadPage {
    pub c: Chrome,
    pub ancestors: Vec<PostCard>,
    pub focus: PostCard,
    pub descendants: Vec<PostCard>,
    pub compose: Option<Compose>,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub c: Chrome,
    pub name: String,
    pub handle: String,
    pub bio: String,
    pub avatar: String,
    pub header: String,
    pub counts: String,
    pub posts: Vec<PostCard>,
    pub older: Option<String>,
    pub remote_url: Option<String>,
    /// The actor document of a local member (for software that reads pages).
    pub alternate: Option<String>,
    /// For a signed-in viewer who is someone else: the person's id and whether the viewer
    /// follows them (`following`), asked to (`requested`), or not (`none`).
    pub follow: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: String,
    pub agent: String,
    pub ip: String,
    pub created: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
pub struct SessionsPage {
    pub c: Chrome,
    pub sessions: Vec<SessionView>,
}

#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub id: String,
    pub username: String,
    pub email: String,
    pub reason: String,
    pub requested: String,
}

#[derive(Template)]
#[template(path = "admin_registrations.html")]
pub struct RegistrationsPage {
    pub c: Chrome,
    pub items: Vec<RegistrationView>,
}

#[derive(Template)]
#[template(path = "oauth_authorize.html")]
pub struct AuthorizePage {
    pub c: Chrome,
    pub app_name: String,
    pub app_website: Option<String>,
    /// The scopes asked for, in words.
    pub scopes: Vec<String>,
    pub hidden: Vec<(&'static str, String)>,
    pub login: String,
    pub error: Option<String>,
    pub sign_up_next: String,
}

/// A group in the directory.
#[derive(Debug, Clone)]
pub struct GroupCard {
    pub name: String,
    pub handle: String,
    pub link: String,
    pub summary: String,
    pub kind: String,
    pub members: String,
    pub local: bool,
}

#[derive(Template)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    pub c: Chrome,
    pub groups: Vec<GroupCard>,
}

#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupPage {
    pub c: Chrome,
    pub id: String,
    pub name: String,
    pub handle: String,
    pub summary: String,
    pub kind: String,
    pub members: String,
    /// "member", "pending", "banned" or "none".
    pub relation: String,
    pub members_only: bool,
    pub compose: Option<Compose>,
    pub posts: Vec<PostCard>,
    pub older: Option<String>,
    pub alternate: Option<String>,
    pub remote_url: Option<String>,
    /// For stewards: the join requests' page and how many wait.
    pub requests_link: Option<(String, usize)>,
}

/// A person in a list (join requests, members).
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub handle: String,
}

#[derive(Template)]
#[template(path = "group_requests.html")]
pub struct RequestsPage {
    pub c: Chrome,
    pub group_name: String,
    pub group_link: String,
    pub username: String,
    pub people: Vec<PersonRow>,
}

/// An event in a list.
#[derive(Debug, Clone)]
pub struct EventCard {
    pub id: String,
    pub title: String,
    pub when: String,
    pub place: String,
    pub cancelled: bool,
}

/// One RSVP answer as a button: `going`, `maybe` or `no`, and whether it is the viewer's.
#[derive(Debug, Clone)]
pub struct RsvpButton {
    pub answer: &'static str,
    pub label: String,
    pub pressed: bool,
}

#[derive(Template)]
#[template(path = "events.html")]
pub struct EventsPage {
    pub c: Chrome,
    pub upcoming: Vec<EventCard>,
    pub agenda: Option<Vec<EventCard>>,
}

#[derive(Template)]
#[template(path = "event.html")]
pub struct EventPage {
    pub c: Chrome,
    pub card: EventCard,
    pub description: String,
    pub address: String,
    pub host: String,
    pub going: String,
    pub places_left: Option<String>,
    /// The viewer's participation, in words.
    pub standing: Option<String>,
    /// Answers are still taken.
    pub open: bool,
    pub buttons: Vec<RsvpButton>,
    pub attendees: Option<Vec<String>>,
    /// The cover image and its description.
    pub cover: Option<(String, String)>,
    pub tags: Vec<String>,
    pub calendar: Option<String>,
    pub original: Option<String>,
    pub alternate: Option<String>,
}

/// One notification: what happened, by whom, and the post it is about.
#[derive(Debug, Clone)]
pub struct NotificationItem {
    pub text: String,
    pub account_link: String,
    pub when: String,
    pub post: Option<PostCard>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub c: Chrome,
    pub items: Vec<NotificationItem>,
    pub older: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_profile.html")]
pub struct ProfileSettingsPage {
    pub c: Chrome,
    pub display_name: String,
    pub bio: String,
    pub locked: bool,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// An app the member authorised.
#[derive(Debug, Clone)]
pub struct AppView {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub since: String,
}

#[derive(Template)]
#[template(path = "settings_apps.html")]
pub struct AppsPage {
    pub c: Chrome,
    pub apps: Vec<AppView>,
}

#[derive(Template)]
#[template(path = "about.html")]
pub struct AboutPage {
    pub c: Chrome,
    pub domain: String,
    pub description: String,
    pub members: String,
    pub registrations: String,
    pub rules: Vec<String>,
    pub contact: String,
}
