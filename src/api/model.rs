//! The Mastodon entities apps read, as typed structs (the shapes of Mastodon's API
//! documentation). `api::entities` fills them from our rows; handlers serialise them.

use serde::Serialize;
use serde_json::Value;

/// A custom emoji. Staffroom has none yet; the lists stay empty.
#[derive(Debug, Clone, Serialize)]
pub struct CustomEmoji {
    pub shortcode: String,
    pub url: String,
    pub static_url: String,
    pub visible_in_picker: bool,
}

/// A profile field (name and HTML value).
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

/// A role shown on a profile.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRole {
    pub id: String,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    /// The day of the newest post, `YYYY-MM-DD`.
    pub last_status_at: Option<String>,
    pub hide_collections: bool,
    pub noindex: bool,
    pub emojis: Vec<CustomEmoji>,
    pub roles: Vec<AccountRole>,
    pub fields: Vec<Field>,
    /// Only on the signed-in member's own account (verify_credentials, update_credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// What the member typed, on their own account.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub privacy: &'static str,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    pub fields: Vec<Field>,
    pub follow_requests_count: usize,
    pub discoverable: bool,
    pub indexable: bool,
    pub hide_collections: bool,
    pub attribution_domains: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub name: String,
    pub url: String,
}

/// A poll's option and its votes.
#[derive(Debug, Clone, Serialize)]
pub struct PollOption {
    pub title: String,
    pub votes_count: Option<i64>,
}

/// A poll on a status (Mastodon's `Poll`); its id is its post's.
#[derive(Debug, Clone, Serialize)]
pub struct Poll {
    pub id: String,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    pub emojis: Vec<CustomEmoji>,
    pub voted: Option<bool>,
    pub own_votes: Option<Vec<usize>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub id: String,
    pub uri: String,
    pub url: String,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub account: Account,
    pub content: String,
    /// The source text, for its author only.
    pub text: Option<String>,
    pub visibility: &'static str,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub media_attachments: Vec<MediaAttachment>,
    pub application: Option<Value>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<Tag>,
    pub emojis: Vec<CustomEmoji>,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub replies_count: i64,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub reblog: Option<Box<Status>>,
    pub poll: Option<Poll>,
    pub card: Option<Value>,
    pub language: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub filtered: Vec<Value>,
}

/// A direct conversation as one participant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    pub id: String,
    pub unread: bool,
    /// The other participants.
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub group_key: String,
    pub created_at: String,
    pub account: Account,
    pub status: Option<Status>,
    /// The report an `admin.report` notification is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    pub id: String,
    pub following: bool,
    pub requested: bool,
    pub followed_by: bool,
    pub requested_by: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

/// The size of an image or video, as Mastodon's `meta.original` gives it.
#[derive(Debug, Clone, Serialize)]
pub struct MediaSize {
    pub width: i64,
    pub height: i64,
    pub size: String,
    pub aspect: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MediaMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<MediaSize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaAttachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub preview_url: String,
    pub remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: MediaMeta,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

/// One version of an edited status (`GET /api/v1/statuses/{id}/history`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusEdit {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: String,
    pub account: Account,
    pub media_attachments: Vec<MediaAttachment>,
    pub emojis: Vec<CustomEmoji>,
    pub poll: Option<Poll>,
}

/// A member's list (Mastodon's `List`).
#[derive(Debug, Clone, Serialize)]
pub struct List {
    pub id: String,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
}

/// A report (Mastodon's `Report`), as its reporter and the people who handle it see it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: String,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub status_ids: Vec<String>,
    pub rule_ids: Vec<String>,
    pub target_account: Account,
}

/// A keyword of a filter (Mastodon's `FilterKeyword`).
#[derive(Debug, Clone, Serialize)]
pub struct FilterKeyword {
    pub id: String,
    pub keyword: String,
    pub whole_word: bool,
}

/// A post a filter names (Mastodon's `FilterStatus`).
#[derive(Debug, Clone, Serialize)]
pub struct FilterStatus {
    pub id: String,
    pub status_id: String,
}

/// A member's filter (Mastodon's `Filter`, v2).
#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    pub id: String,
    pub title: String,
    pub context: Vec<String>,
    pub expires_at: Option<String>,
    pub filter_action: String,
    pub keywords: Vec<FilterKeyword>,
    pub statuses: Vec<FilterStatus>,
}

/// Why a status is behind a warning (Mastodon's `FilterResult`, in `Status.filtered`).
#[derive(Debug, Clone, Serialize)]
pub struct FilterResult {
    pub filter: Filter,
    pub keyword_matches: Option<Vec<String>>,
    pub status_matches: Option<Vec<String>>,
}

/// A keyword as the first filters API showed it (Mastodon's `V1::Filter`).
#[derive(Debug, Clone, Serialize)]
pub struct FilterV1 {
    pub id: String,
    pub phrase: String,
    pub context: Vec<String>,
    pub expires_at: Option<String>,
    pub irreversible: bool,
    pub whole_word: bool,
}
