//! Converters from actor rows to ActivityPub actors.

use activitypub_federation::protocol::public_key::PublicKey;
use url::Url;

use super::protocol::{Actor, Endpoints, Image, actor_context, wire_time};
use crate::storage::actors::ActorRow;
use crate::storage::groups::GroupRow;

fn parse(u: &Option<String>) -> Option<Url> {
    u.as_deref().and_then(|s| Url::parse(s).ok())
}

/// A guess of an image's media type from its file name, for the `mediaType` hint.
fn image(url: &Option<String>) -> Option<Image> {
    let url = parse(url)?;
    let ext = url.path().rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let media_type = match ext.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "avif" => Some("image/avif"),
        _ => None,
    };
    Some(Image {
        kind: "Image".into(),
        url,
        media_type: media_type.map(str::to_owned),
    })
}

/// A local group as the Group actor (FEP-1b12, with Lemmy's moderators and posting policy).
pub fn local_group_to_ap(row: &ActorRow, group: &GroupRow) -> anyhow::Result<Actor> {
    let mut actor = local_actor_to_ap(row)?;
    actor.featured = parse(&row.featured_url);
    actor.attributed_to = Some(Url::parse(&format!("{}/moderators", row.ap_id))?);
    actor.posting_restricted_to_mods = Some(group.posting_restricted_to_mods);
    Ok(actor)
}

/// A local actor row as the ActivityPub actor other servers fetch.
pub fn local_actor_to_ap(row: &ActorRow) -> anyhow::Result<Actor> {
    let id = Url::parse(&row.ap_id)?;
    Ok(Actor {
        context: actor_context(),
        id: id.clone(),
        kind: row.kind.clone(),
        preferred_username: row.username.clone(),
        name: (!row.display_name.is_empty()).then(|| row.display_name.clone()),
        summary: (!row.summary_html.is_empty()).then(|| row.summary_html.clone()),
        url: parse(&row.url),
        inbox: Url::parse(&row.inbox_url)?,
        outbox: parse(&row.outbox_url),
        followers: parse(&row.followers_url),
        following: parse(&row.following_url),
        featured: None,
        attributed_to: None,
        posting_restricted_to_mods: None,
        endpoints: parse(&row.shared_inbox_url).map(|shared_inbox| Endpoints { shared_inbox }),
        public_key: PublicKey {
            id: row.key_id.clone(),
            owner: id,
            public_key_pem: row.public_key_pem.clone(),
        },
        icon: image(&row.avatar_url),
        image: image(&row.header_url),
        published: wire_time(row.created_at),
        updated: (row.updated_at != row.created_at).then(|| wire_time(row.updated_at)),
        manually_approves_followers: row.manually_approves_followers,
        discoverable: row.discoverable,
        indexable: Some(row.discoverable),
    })
}
