//! `GET /api/v1/instance` and `/api/v2/instance`, with the limits clients need to know.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ApiResult;
use crate::app::AppState;
use crate::config::Registrations;
use crate::services::content;
use crate::services::node;
use crate::storage::users;

pub fn version() -> String {
    format!("4.2.0 (compatible; Staffroom {})", env!("CARGO_PKG_VERSION"))
}

fn configuration() -> Value {
    json!({
        "urls": { "streaming": null },
        "accounts": { "max_featured_tags": 0, "max_pinned_statuses": 0 },
                "statuses": {
            "max_characters": content::MAX_CONTENT_CHARS,
            "max_media_attachments": crate::services::media::MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
                        "supported_mime_types": crate::services::media::SUPPORTED,
            "image_size_limit": crate::services::media::MAX_IMAGE_BYTES,
            "image_matrix_limit": crate::services::media::MAX_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": crate::services::polls::MAX_OPTIONS,
            "max_characters_per_option": crate::services::polls::MAX_OPTION_CHARS,
            "min_expiration": crate::services::polls::MIN_EXPIRATION,
            "max_expiration": crate::services::polls::MAX_EXPIRATION,
        },
        "translation": { "enabled": false },
    })
}

async fn contact(state: &AppState) -> ApiResult<Value> {
    // The secretariat: the first admin.
    let admin = users::list(&state.db)
        .await?
        .into_iter()
        .find(|u| u.role == "admin" && u.suspended_at.is_none());
    let account = match admin {
        Some(u) => match crate::storage::actors::find_by_id(&state.db, u.id).await? {
            Some(a) => Some(super::entities::account(state, &a).await?),
            None => None,
        },
        None => None,
    };
    Ok(json!({ "email": state.config.node.contact_email, "account": account }))
}

/// `GET /api/v1/instance`
pub async fn v1(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let c = &state.config;
    let usage = node::usage(&state).await?;
    let contact = contact(&state).await?;
    let mut configuration = configuration();
    configuration["urls"] = json!({ "streaming_api": format!("ws{}", state.urls.base().as_str().trim_end_matches('/').trim_start_matches("http")) });
    Ok(Json(json!({
        "uri": c.domain,
        "title": c.node.name,
        "short_description": c.node.description,
        "description": c.node.description,
        "email": c.node.contact_email,
        "version": version(),
        "urls": configuration["urls"],
        "stats": { "user_count": usage.users_total, "status_count": usage.local_posts, "domain_count": 0 },
        "thumbnail": null,
        "languages": c.node.languages,
        "registrations": matches!(c.registrations, Registrations::Open | Registrations::Approval),
        "approval_required": c.registrations == Registrations::Approval,
        "invites_enabled": c.registrations == Registrations::Invite,
        "configuration": configuration,
        "contact_account": contact["account"],
        "rules": rules(c),
    })))
}

/// `GET /api/v2/instance`
pub async fn v2(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let c = &state.config;
    let usage = node::usage(&state).await?;
    let mut configuration = configuration();
    configuration["urls"] = json!({ "streaming": format!("ws{}", state.urls.base().as_str().trim_end_matches('/').trim_start_matches("http")) });
    Ok(Json(json!({
        "domain": c.domain,
        "title": c.node.name,
        "version": version(),
        "source_url": "https://www.gnu.org/licenses/agpl-3.0.html",
        "description": c.node.description,
        "usage": { "users": { "active_month": usage.active_month } },
        "thumbnail": { "url": format!("{}avatars/original/missing.png", state.urls.base()) },
        "icon": [],
        "languages": c.node.languages,
        "configuration": configuration,
        "registrations": {
            "enabled": matches!(c.registrations, Registrations::Open | Registrations::Approval),
            "approval_required": c.registrations == Registrations::Approval,
            "message": null,
            "url": null,
        },
        "api_versions": { "mastodon": 2 },
        "contact": contact(&state).await?,
        "rules": rules(c),
    })))
}

/// The node's rules as Mastodon's `Rule` entities (numbered from 1).
fn rules(c: &crate::config::Config) -> Vec<Value> {
    c.node
        .rules
        .iter()
        .enumerate()
        .map(|(i, text)| json!({ "id": (i + 1).to_string(), "text": text, "hint": "" }))
        .collect()
}

/// `GET /api/v1/instance/rules`
pub async fn rules_list(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(rules(&state.config)))
}

/// Plain text from the configuration as HTML paragraphs.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(crate::text::plain_to_html)
        .collect()
}

/// When the texts below last changed: when this process read its configuration.
fn updated_at(state: &AppState) -> String {
    super::entities::api_time(state.started_at)
}

/// `GET /api/v1/instance/extended_description`
pub async fn extended_description(State(state): State<AppState>) -> Json<Value> {
    let c = &state.config.node;
    let text = if c.extended_description.trim().is_empty() {
        &c.description
    } else {
        &c.extended_description
    };
    Json(json!({ "updated_at": updated_at(&state), "content": paragraphs(text) }))
}

/// `GET /api/v1/instance/privacy_policy`: the secretariat's, or a short one that says what a
/// Staffroom node keeps and shares.
pub async fn privacy_policy(State(state): State<AppState>) -> Json<Value> {
    let c = &state.config.node;
    let text = if c.privacy_policy.trim().is_empty() {
        format!(
            "{name} keeps what you give it to run your account: your username, e-mail address and a hash of your password, your profile, what you post, upload and favourite, whom you follow and the groups and events you join.\n\n\
             What you post reaches the people it is addressed to, including on the other servers they use: public posts anyone, followers-only posts your followers, direct messages the people you mention, and posts in a members-only group that group's members. Other servers keep their copies under their own rules.\n\n\
             You may delete your posts and your account; deletions are sent to the servers that received them.{contact}",
            name = c.name,
            contact = if c.contact_email.is_empty() {
                String::new()
            } else {
                format!("\n\nQuestions go to the secretariat at {}.", c.contact_email)
            }
        )
    } else {
        c.privacy_policy.clone()
    };
    Json(json!({ "updated_at": updated_at(&state), "content": paragraphs(&text) }))
}

/// `GET /api/v1/instance/terms_of_service`: 404 when the node publishes none, as Mastodon does.
pub async fn terms_of_service(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let text = &state.config.node.terms_of_service;
    if text.trim().is_empty() {
        return Err(super::ApiError::not_found());
    }
    Ok(Json(json!({
        "effective_date": &updated_at(&state)[..10], "effective": true, "content": paragraphs(text),
        "succeeded_by": null,
    })))
}

/// `GET /api/v1/instance/languages`: the languages apps offer for posts (any ISO 639 code is
/// accepted); the node's own first.
pub async fn languages(State(state): State<AppState>) -> Json<Value> {
    let mut out: Vec<Value> = Vec::new();
    for code in &state.config.node.languages {
        let name = LANGUAGES
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| *n)
            .unwrap_or(code.as_str());
        out.push(json!({ "code": code, "name": name }));
    }
    for (code, name) in LANGUAGES {
        if !state.config.node.languages.iter().any(|c| c == code) {
            out.push(json!({ "code": code, "name": name }));
        }
    }
    Json(Value::Array(out))
}

/// Languages by ISO 639-1 code: those of the European partners first, then widely spoken ones.
const LANGUAGES: &[(&str, &str)] = &[
    ("bg", "Bulgarian"),
    ("ca", "Catalan"),
    ("cs", "Czech"),
    ("cy", "Welsh"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("et", "Estonian"),
    ("eu", "Basque"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("fy", "Frisian"),
    ("ga", "Irish"),
    ("gl", "Galician"),
    ("hr", "Croatian"),
    ("hu", "Hungarian"),
    ("is", "Icelandic"),
    ("it", "Italian"),
    ("lb", "Luxembourgish"),
    ("lt", "Lithuanian"),
    ("lv", "Latvian"),
    ("mk", "Macedonian"),
    ("mt", "Maltese"),
    ("nb", "Norwegian Bokmål"),
    ("nl", "Dutch"),
    ("nn", "Norwegian Nynorsk"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("sk", "Slovak"),
    ("sl", "Slovenian"),
    ("sq", "Albanian"),
    ("sr", "Serbian"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("fa", "Persian"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("id", "Indonesian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("sw", "Swahili"),
    ("th", "Thai"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
];
