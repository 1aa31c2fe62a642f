//! Media uploads: images only for now, checked by their content (not their name), limited in
//! size, stored under `data_dir/media`, and described for the people who cannot see them.

use serde_json::{Value, json};

use crate::app::AppState;
use crate::storage::{
    self,
    media::{self, MediaRow},
};

pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_DESCRIPTION_CHARS: usize = 1500;
pub use crate::model::MAX_ATTACHMENTS;
/// At most 7680×4320 pixels' worth (as Mastodon), and never more than 8192 on a side.
pub const MAX_PIXELS: u64 = 7680 * 4320;
const MAX_SIDE: u32 = 8192;
/// Memory a decode may take (four bytes per pixel of the largest image, with room).
const MAX_DECODE_BYTES: u64 = 4 * MAX_PIXELS + 16 * 1024 * 1024;
pub const SUPPORTED: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Png => Some(("image/png", "png")),
        imagesize::ImageType::Jpeg => Some(("image/jpeg", "jpg")),
        imagesize::ImageType::Gif => Some(("image/gif", "gif")),
        imagesize::ImageType::Webp => Some(("image/webp", "webp")),
        _ => None,
    }
}

/// Decodes the whole image (off the async threads) under limits: a truncated file, one that
/// only has a header, or one that would need too much memory is refused.
async fn decode_within_limits(bytes: Vec<u8>) -> Result<(), MediaError> {
    let decoded = tokio::task::spawn_blocking(move || {
        let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        reader.decode().map(|_| ()).map_err(std::io::Error::other)
    })
    .await
    .map_err(anyhow::Error::from)?;
    decoded.map_err(|_| MediaError::Invalid("The image is damaged, truncated or too large to decode".into()))
}

pub fn media_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("media")
}

/// Stores an upload by `owner`.
pub async fn upload(state: &AppState, owner_id: i64, bytes: &[u8], description: &str) -> Result<MediaRow, MediaError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(MediaError::Invalid(format!(
            "File is too large: images are limited to {} MB",
            MAX_IMAGE_BYTES / 1024 / 1024
        )));
    }
    let (content_type, ext) = kind(bytes).ok_or_else(|| {
        MediaError::Invalid(format!(
            "File type is not supported: use one of {}",
            SUPPORTED.join(", ")
        ))
    })?;
    let size =
        imagesize::blob_size(bytes).map_err(|_| MediaError::Invalid("The image is damaged or truncated".into()))?;
    if size.width == 0 || size.height == 0 || (size.width as u64) * (size.height as u64) > MAX_PIXELS {
        return Err(MediaError::Invalid("The image dimensions are not accepted".into()));
    }
    decode_within_limits(bytes.to_vec()).await?;
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(MediaError::Invalid(format!(
            "Descriptions are limited to {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    let now = storage::now();
    let id = crate::ids::id_at(now);
    // Names nobody can guess (not the time-ordered id): a file is found only through a post or
    // page that shows it.
    let file_name = format!("{}.{ext}", hex(&rand::random::<[u8; 16]>()));
    let dir = media_dir(state);
    tokio::fs::create_dir_all(&dir).await.map_err(anyhow::Error::from)?;
    tokio::fs::write(dir.join(&file_name), bytes)
        .await
        .map_err(anyhow::Error::from)?;
    let row = MediaRow {
        id,
        owner_id,
        post_id: None,
        file_name,
        content_type: content_type.into(),
        size: bytes.len() as i64,
        width: Some(size.width as i32),
        height: Some(size.height as i32),
        description: description.to_owned(),
        created_at: now,
    };
    media::insert(&state.db, &row).await.map_err(anyhow::Error::from)?;
    Ok(row)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a link to a non-public file works: until the end of the next UTC day, so that the
/// link stays the same (and cacheable) for a day.
fn link_expiry(now: chrono::DateTime<chrono::Utc>) -> i64 {
    (now.timestamp().div_euclid(86_400) + 2) * 86_400
}

async fn media_key(state: &AppState) -> anyhow::Result<[u8; 32]> {
    state
        .media_key
        .get_or_try_init(|| async {
            let app = crate::federation::actors::ensure_application_actor(state).await?;
            let pem = app.private_key_pem.unwrap_or_default();
            let mut h = openssl::sha::Sha256::new();
            h.update(b"staffroom media links\n");
            h.update(pem.as_bytes());
            Ok::<_, anyhow::Error>(h.finish())
        })
        .await
        .copied()
}

fn link_signature(key: &[u8; 32], file_name: &str, expires: i64) -> anyhow::Result<String> {
    let pkey = openssl::pkey::PKey::hmac(key)?;
    let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &pkey)?;
    signer.update(format!("{file_name}\n{expires}").as_bytes())?;
    Ok(hex(&signer.sign_to_vec()?))
}

/// The link to one of our files for someone who may see it: the file's URL with a signature
/// that lets it load without credentials (an app's image view sends none) until it expires.
/// Other URLs are returned unchanged.
pub async fn private_link(state: &AppState, url: &str) -> anyhow::Result<String> {
    let prefix = format!("{}media/", state.urls.base());
    let Some(file_name) = url.strip_prefix(&prefix).filter(|f| !f.contains(['?', '/'])) else {
        return Ok(url.to_owned());
    };
    let expires = link_expiry(storage::now());
    let sig = link_signature(&media_key(state).await?, file_name, expires)?;
    Ok(format!("{url}?expires={expires}&sig={sig}"))
}

/// Whether a signed link to `file_name` is genuine and still valid.
pub async fn link_is_valid(state: &AppState, file_name: &str, expires: i64, sig: &str) -> anyhow::Result<bool> {
    if expires < storage::now().timestamp() {
        return Ok(false);
    }
    let expected = link_signature(&media_key(state).await?, file_name, expires)?;
    Ok(expected.len() == sig.len() && openssl::memcmp::eq(expected.as_bytes(), sig.as_bytes()))
}

pub fn url(state: &AppState, m: &MediaRow) -> String {
    format!("{}media/{}", state.urls.base(), m.file_name)
}

/// The attachment as stored with a post (what both the client API and ActivityPub serve).
pub fn attachment_json(state: &AppState, m: &MediaRow) -> Value {
    json!({
        "id": m.id.to_string(), "type": "image", "url": url(state, m), "media_type": m.content_type,
        "description": m.description, "width": m.width, "height": m.height,
    })
}
