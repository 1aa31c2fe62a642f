//! Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.0/2.1.

use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::error::{AppError, AppResult};
use crate::app::AppState;
use crate::federation::ACTIVITY_JSON;
use crate::services::node;
use crate::storage::actors::{self, ActorRow};

/// What a WebFinger `resource` names on this node.
#[derive(Debug, PartialEq, Eq)]
pub enum Resource {
    /// A local actor by username.
    Local(String),
    /// The node's application actor.
    Application,
    /// Something on another domain, or not an actor of ours.
    Elsewhere,
}

/// Reads `acct:name@domain`, `name@domain`, `@name@domain` or an actor or profile URL.
pub fn parse_resource(resource: &str, state: &AppState) -> Resource {
    let domain = &state.config.domain;
    let resource = resource.trim();
    if resource.starts_with("https://") || resource.starts_with("http://") {
        let Ok(url) = url::Url::parse(resource) else {
            return Resource::Elsewhere;
        };
        let base = state.urls.base();
        if url.host_str().map(str::to_ascii_lowercase) != base.host_str().map(str::to_owned)
            || url.port_or_known_default() != base.port_or_known_default()
        {
            return Resource::Elsewhere;
        }
        let path = url.path().trim_end_matches('/');
        if path.is_empty() || path == "/actor" {
            return Resource::Application;
        }
        if let Some(name) = path.strip_prefix("/users/").or_else(|| path.strip_prefix("/@"))
            && !name.contains('/')
        {
            return Resource::Local(name.to_owned());
        }
        return Resource::Elsewhere;
    }
    let acct = resource.strip_prefix("acct:").unwrap_or(resource);
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    match acct.rsplit_once('@') {
        Some((name, host)) if host.eq_ignore_ascii_case(domain) => {
            if name.eq_ignore_ascii_case(domain) {
                Resource::Application
            } else {
                Resource::Local(name.to_owned())
            }
        }
        _ => Resource::Elsewhere,
    }
}

#[derive(Serialize)]
struct Jrd {
    subject: String,
    aliases: Vec<String>,
    links: Vec<JrdLink>,
    properties: serde_json::Map<String, Value>,
}

#[derive(Serialize)]
struct JrdLink {
    rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<String>,
    /// Always present, empty or not: Lemmy 0.17 refuses a link without it ("missing field
    /// `properties`") and so cannot find our members or groups by handle.
    properties: serde_json::Map<String, Value>,
}

fn jrd(actor: &ActorRow, state: &AppState) -> Jrd {
    let domain = &state.config.domain;
    let mut aliases = vec![actor.ap_id.clone()];
    let mut links = Vec::new();
    if let Some(url) = &actor.url
        && url != &actor.ap_id
    {
        aliases.push(url.clone());
        links.push(JrdLink {
            rel: "http://webfinger.net/rel/profile-page".into(),
            kind: Some("text/html"),
            href: Some(url.clone()),
            template: None,
            properties: serde_json::Map::new(),
        });
    }
    // The actor's type, on the link and on the document, as Lemmy writes it.
    let mut properties = serde_json::Map::new();
    properties.insert(
        "https://www.w3.org/ns/activitystreams#type".into(),
        Value::String(actor.kind.clone()),
    );
    links.push(JrdLink {
        rel: "self".into(),
        kind: Some(ACTIVITY_JSON),
        href: Some(actor.ap_id.clone()),
        template: None,
        properties: properties.clone(),
    });
    Jrd {
        subject: format!("acct:{}@{domain}", actor.username),
        aliases,
        links,
        properties,
    }
}

/// `GET /.well-known/webfinger?resource=…[&rel=…]`
pub async fn webfinger(State(state): State<AppState>, RawQuery(query): RawQuery) -> AppResult<Response> {
    let query = query.unwrap_or_default();
    if query.len() > 2048 {
        return Err(AppError::BadRequest("query too long".into()));
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let resource = pairs
        .iter()
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AppError::BadRequest("the resource parameter is required".into()))?;
    let rels: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "rel")
        .map(|(_, v)| v.as_str())
        .collect();
    let actor = match parse_resource(&resource, &state) {
        Resource::Local(name) => actors::find_local(&state.db, &name).await?,
        Resource::Application => actors::find_application(&state.db).await?,
        Resource::Elsewhere => None,
    }
    .ok_or(AppError::NotFound)?;
    if actor.is_suspended() {
        return Err(AppError::Gone);
    }
    let mut body = jrd(&actor, &state);
    if !rels.is_empty() {
        body.links.retain(|l| rels.contains(&l.rel.as_str()));
    }
    Ok((
        [(CONTENT_TYPE, "application/jrd+json; charset=utf-8")],
        axum::Json(body),
    )
        .into_response())
}

/// `GET /.well-known/host-meta`: XRD, or JSON when the client asks for it.
pub async fn host_meta(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let wants_json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        return host_meta_json(State(state)).await;
    }
    let template = crate::text::escape_html(&state.urls.webfinger_template());
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{template}\"/>\n</XRD>\n"
    );
    ([(CONTENT_TYPE, "application/xrd+xml; charset=utf-8")], xml).into_response()
}

/// `GET /.well-known/host-meta.json`
pub async fn host_meta_json(State(state): State<AppState>) -> Response {
    let body = json!({ "links": [{ "rel": "lrdd", "template": state.urls.webfinger_template() }] });
    ([(CONTENT_TYPE, "application/json; charset=utf-8")], axum::Json(body)).into_response()
}

/// `GET /.well-known/nodeinfo`: where the NodeInfo documents and the application actor are.
pub async fn nodeinfo_links(State(state): State<AppState>) -> Response {
    let body = json!({
        "links": [
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": state.urls.nodeinfo("2.0") },
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": state.urls.nodeinfo("2.1") },
            { "rel": "https://www.w3.org/ns/activitystreams#Application", "href": state.urls.application_actor() },
        ]
    });
    ([(CONTENT_TYPE, "application/json; charset=utf-8")], axum::Json(body)).into_response()
}

async fn nodeinfo(state: &AppState, version: &str) -> AppResult<Response> {
    let usage = node::usage(state).await?;
    let config = &state.config;
    let mut software = json!({ "name": "staffroom", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["homepage"] = json!(state.urls.base());
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": config.registrations == crate::config::Registrations::Open,
        "usage": {
            "users": {
                "total": usage.users_total,
                "activeMonth": usage.active_month,
                "activeHalfyear": usage.active_half_year,
            },
            "localPosts": usage.local_posts,
        },
        "metadata": {
            "nodeName": config.node.name,
            "nodeDescription": config.node.description,
                        "registrations": config.registrations.as_str(),
            // Clients and crawlers look here for what the node speaks besides ActivityPub.
            "features": ["mastodon_api", "mastodon_api_streaming", "groups", "events"],
            "mastodonApiVersion": crate::api::instance::version(),
            // Client libraries that pick an API by the server's software (megalodon, so Whalebird)
            // know the Mastodon client API by this marker, which servers that keep it use.
            "upstream": { "name": "mastodon" },
            "federation": {
                "mode": config.federation.mode,
            },
        },
    });
    let content_type = format!("application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\"");
    Ok((StatusCode::OK, [(CONTENT_TYPE, content_type)], axum::Json(body)).into_response())
}

pub async fn nodeinfo_20(State(state): State<AppState>) -> AppResult<Response> {
    nodeinfo(&state, "2.0").await
}

pub async fn nodeinfo_21(State(state): State<AppState>) -> AppResult<Response> {
    nodeinfo(&state, "2.1").await
}
