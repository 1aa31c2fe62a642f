//! Members' lists: titles and policies checked, at most [`MAX_LISTS`] lists of at most
//! [`MAX_MEMBERS`] people and groups, each one the owner follows (or asked to), as Mastodon
//! requires. No longer following someone takes them off every list (`social::unfollow`, a block).

use crate::app::AppState;
use crate::storage::actors::ActorRow;
use crate::storage::lists::{self, ListRow};

pub const MAX_LISTS: i64 = 50;
pub const MAX_MEMBERS: i64 = 1000;
pub const MAX_TITLE: usize = 100;
pub const POLICIES: [&str; 3] = ["followed", "list", "none"];

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{0}")]
    Invalid(String),
    #[error("list not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ListError {
    fn from(e: sqlx::Error) -> Self {
        ListError::Internal(e.into())
    }
}

/// What a member may set on a list; `None` keeps what is there (or the default).
#[derive(Debug, Default, Clone)]
pub struct Settings {
    pub title: Option<String>,
    pub replies_policy: Option<String>,
    pub exclusive: Option<bool>,
}

fn apply(list: &mut ListRow, s: Settings) -> Result<(), ListError> {
    if let Some(t) = s.title {
        let t = t.trim();
        if t.is_empty() {
            return Err(ListError::Invalid("Validation failed: Title can't be blank".into()));
        }
        if t.chars().count() > MAX_TITLE {
            return Err(ListError::Invalid(format!(
                "Validation failed: Title is too long (at most {MAX_TITLE} characters)"
            )));
        }
        list.title = t.to_owned();
    }
    if let Some(p) = s.replies_policy {
        if !POLICIES.contains(&p.as_str()) {
            return Err(ListError::Invalid(format!(
                "replies_policy must be one of {}",
                POLICIES.join(", ")
            )));
        }
        list.replies_policy = p;
    }
    if let Some(e) = s.exclusive {
        list.exclusive = e;
    }
    Ok(())
}

pub async fn create(state: &AppState, owner: &ActorRow, s: Settings) -> Result<ListRow, ListError> {
    if s.title.is_none() {
        return Err(ListError::Invalid("Validation failed: Title can't be blank".into()));
    }
    if lists::count_of_owner(&state.db, owner.id).await? >= MAX_LISTS {
        return Err(ListError::Invalid(format!("You can have at most {MAX_LISTS} lists")));
    }
    let now = crate::storage::now();
    let mut list = ListRow {
        id: crate::ids::id_at(now),
        owner_id: owner.id,
        title: String::new(),
        replies_policy: "list".into(),
        exclusive: false,
        created_at: now,
    };
    apply(&mut list, s)?;
    lists::insert(&state.db, &list).await?;
    Ok(list)
}

pub async fn find(state: &AppState, owner: &ActorRow, id: i64) -> Result<ListRow, ListError> {
    lists::find(&state.db, owner.id, id).await?.ok_or(ListError::NotFound)
}

pub async fn update(state: &AppState, owner: &ActorRow, id: i64, s: Settings) -> Result<ListRow, ListError> {
    let mut list = find(state, owner, id).await?;
    apply(&mut list, s)?;
    lists::update(&state.db, &list).await?;
    Ok(list)
}

pub async fn delete(state: &AppState, owner: &ActorRow, id: i64) -> Result<(), ListError> {
    if !lists::delete(&state.db, owner.id, id).await? {
        return Err(ListError::NotFound);
    }
    Ok(())
}

/// Adds people or groups the owner follows (or asked to follow) to a list.
pub async fn add(state: &AppState, owner: &ActorRow, id: i64, who: &[ActorRow]) -> Result<(), ListError> {
    let list = find(state, owner, id).await?;
    if lists::count_members(&state.db, list.id).await? + who.len() as i64 > MAX_MEMBERS {
        return Err(ListError::Invalid(format!(
            "A list holds at most {MAX_MEMBERS} accounts"
        )));
    }
    for a in who {
        if crate::storage::follows::find(&state.db, owner.id, a.id)
            .await?
            .is_none()
        {
            return Err(ListError::Invalid(format!(
                "You can only add accounts you follow: you do not follow {}",
                a.username
            )));
        }
    }
    for a in who {
        lists::add(&state.db, list.id, a.id).await?;
    }
    Ok(())
}

pub async fn remove(state: &AppState, owner: &ActorRow, id: i64, who: &[ActorRow]) -> Result<(), ListError> {
    let list = find(state, owner, id).await?;
    for a in who {
        lists::remove(&state.db, list.id, a.id).await?;
    }
    Ok(())
}
