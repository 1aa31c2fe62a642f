//! Members' filters, as Mastodon's filters v2: keywords (anywhere, or whole words) and chosen
//! posts that, in the contexts named, put a post behind a warning or leave it out, until the
//! filter expires. [`Active`] applies a member's filters to what they read.

use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::storage::actors::ActorRow;
use crate::storage::filters::{self, FilterRow, FilteredPostRow, KeywordRow};
use crate::storage::posts::PostRow;

pub const CONTEXTS: [&str; 5] = ["home", "notifications", "public", "thread", "account"];
pub const ACTIONS: [&str; 3] = ["warn", "hide", "blur"];
pub const MAX_FILTERS: i64 = 100;
pub const MAX_KEYWORDS: usize = 50;
pub const MAX_KEYWORD_CHARS: usize = 100;
pub const MAX_TITLE_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("{0}")]
    Invalid(String),
    #[error("Record not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for FilterError {
    fn from(e: sqlx::Error) -> Self {
        FilterError::Internal(e.into())
    }
}

/// What a member sets on a filter; `None` keeps what is there.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub title: Option<String>,
    pub contexts: Option<Vec<String>>,
    pub action: Option<String>,
    /// Seconds from now; `Some(None)` (an empty value): never.
    pub expires_in: Option<Option<i64>>,
}

fn invalid(m: impl Into<String>) -> FilterError {
    FilterError::Invalid(format!("Validation failed: {}", m.into()))
}

fn apply(f: &mut FilterRow, s: Settings, now: DateTime<Utc>) -> Result<(), FilterError> {
    if let Some(t) = s.title {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > MAX_TITLE_CHARS {
            return Err(invalid(format!("Title needs 1 to {MAX_TITLE_CHARS} characters")));
        }
        f.title = t.to_owned();
    }
    if let Some(mut c) = s.contexts {
        c.sort_by_key(|x| CONTEXTS.iter().position(|k| k == x));
        c.dedup();
        if c.is_empty() || c.iter().any(|x| !CONTEXTS.contains(&x.as_str())) {
            return Err(invalid(format!("Context must be some of {}", CONTEXTS.join(", "))));
        }
        f.contexts = c.join(",");
    }
    if let Some(a) = s.action {
        if !ACTIONS.contains(&a.as_str()) {
            return Err(invalid(format!("Filter action must be one of {}", ACTIONS.join(", "))));
        }
        f.action = a;
    }
    if let Some(e) = s.expires_in {
        f.expires_at = match e {
            Some(secs) if secs <= 0 => return Err(invalid("expires_in is a number of seconds")),
            Some(secs) => Some(now + chrono::Duration::seconds(secs.min(10 * 366 * 86_400))),
            None => None,
        };
    }
    Ok(())
}

fn keyword(k: &str) -> Result<String, FilterError> {
    let k = k.trim();
    if k.is_empty() || k.chars().count() > MAX_KEYWORD_CHARS {
        return Err(invalid(format!("Keyword needs 1 to {MAX_KEYWORD_CHARS} characters")));
    }
    Ok(k.to_owned())
}

/// A new filter with its first keywords (`(keyword, whole_word)`).
pub async fn create(
    state: &AppState,
    owner: &ActorRow,
    s: Settings,
    keywords: Vec<(String, bool)>,
) -> Result<FilterRow, FilterError> {
    if s.title.is_none() {
        return Err(invalid("Title can't be blank"));
    }
    if s.contexts.is_none() {
        return Err(invalid("Context can't be blank"));
    }
    if keywords.len() > MAX_KEYWORDS {
        return Err(invalid(format!("at most {MAX_KEYWORDS} keywords per filter")));
    }
    if filters::count_of_owner(&state.db, owner.id).await? >= MAX_FILTERS {
        return Err(invalid(format!("at most {MAX_FILTERS} filters")));
    }
    let now = crate::storage::now();
    let mut f = FilterRow {
        id: crate::ids::id_at(now),
        owner_id: owner.id,
        title: String::new(),
        contexts: String::new(),
        action: "warn".into(),
        expires_at: None,
        created_at: now,
    };
    apply(&mut f, s, now)?;
    let mut rows = Vec::new();
    for (k, whole_word) in keywords {
        rows.push(KeywordRow {
            id: crate::ids::new_id(),
            filter_id: f.id,
            keyword: keyword(&k)?,
            whole_word,
        });
    }
    let mut tx = state.db.begin().await?;
    filters::insert(&mut tx, &f).await?;
    for k in &rows {
        filters::add_keyword(&mut tx, k).await?;
    }
    tx.commit().await?;
    Ok(f)
}

pub async fn find(state: &AppState, owner: &ActorRow, id: i64) -> Result<FilterRow, FilterError> {
    filters::find(&state.db, owner.id, id)
        .await?
        .ok_or(FilterError::NotFound)
}

/// Changes a filter; `keywords` may add (`id: None`), change or (`destroy`) remove keywords.
pub async fn update(
    state: &AppState,
    owner: &ActorRow,
    id: i64,
    s: Settings,
    keywords: Vec<KeywordChange>,
) -> Result<FilterRow, FilterError> {
    let mut f = find(state, owner, id).await?;
    apply(&mut f, s, crate::storage::now())?;
    let existing = filters::keywords_of(&state.db, &[f.id]).await?;
    let mut tx = state.db.begin().await?;
    filters::update(&mut tx, &f).await?;
    let mut count = existing.len();
    for k in keywords {
        match k.id {
            Some(kid) => {
                let Some(row) = existing.iter().find(|e| e.id == kid) else {
                    return Err(FilterError::NotFound);
                };
                if k.destroy {
                    filters::delete_keyword(&mut tx, kid).await?;
                    count -= 1;
                } else {
                    filters::update_keyword(
                        &mut tx,
                        &KeywordRow {
                            keyword: match &k.keyword {
                                Some(w) => keyword(w)?,
                                None => row.keyword.clone(),
                            },
                            whole_word: k.whole_word.unwrap_or(row.whole_word),
                            ..row.clone()
                        },
                    )
                    .await?;
                }
            }
            None if !k.destroy => {
                count += 1;
                if count > MAX_KEYWORDS {
                    return Err(invalid(format!("at most {MAX_KEYWORDS} keywords per filter")));
                }
                filters::add_keyword(
                    &mut tx,
                    &KeywordRow {
                        id: crate::ids::new_id(),
                        filter_id: f.id,
                        keyword: keyword(k.keyword.as_deref().unwrap_or_default())?,
                        whole_word: k.whole_word.unwrap_or(true),
                    },
                )
                .await?;
            }
            None => {}
        }
    }
    tx.commit().await?;
    Ok(f)
}

/// A keyword to add (no id), change or remove (`destroy`) when a filter is updated.
#[derive(Debug, Clone, Default)]
pub struct KeywordChange {
    pub id: Option<i64>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    pub destroy: bool,
}

pub async fn delete(state: &AppState, owner: &ActorRow, id: i64) -> Result<(), FilterError> {
    if !filters::delete(&state.db, owner.id, id).await? {
        return Err(FilterError::NotFound);
    }
    Ok(())
}

pub async fn add_keyword(
    state: &AppState,
    owner: &ActorRow,
    filter_id: i64,
    word: &str,
    whole_word: bool,
) -> Result<KeywordRow, FilterError> {
    let f = find(state, owner, filter_id).await?;
    if filters::keywords_of(&state.db, &[f.id]).await?.len() >= MAX_KEYWORDS {
        return Err(invalid(format!("at most {MAX_KEYWORDS} keywords per filter")));
    }
    let k = KeywordRow {
        id: crate::ids::new_id(),
        filter_id: f.id,
        keyword: keyword(word)?,
        whole_word,
    };
    filters::add_keyword(&state.db, &k).await?;
    Ok(k)
}

/// Adds a post the member may see to a filter.
pub async fn add_post(
    state: &AppState,
    owner: &ActorRow,
    filter_id: i64,
    post: &PostRow,
) -> Result<FilteredPostRow, FilterError> {
    let f = find(state, owner, filter_id).await?;
    if filters::posts_of(&state.db, &[f.id]).await?.len() >= MAX_KEYWORDS {
        return Err(invalid(format!("at most {MAX_KEYWORDS} posts per filter")));
    }
    let row = FilteredPostRow {
        id: crate::ids::new_id(),
        filter_id: f.id,
        post_id: post.id,
    };
    if !filters::add_post(&state.db, &row).await? {
        return Err(invalid("Status has already been taken"));
    }
    Ok(row)
}

/// A member's filters in force, with their keywords and posts, to apply to a page.
#[derive(Debug, Clone, Default)]
pub struct Active {
    viewer: i64,
    pub filters: Vec<(FilterRow, Vec<KeywordRow>, Vec<FilteredPostRow>)>,
}

/// What a member's filters make of a post in a context.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Show,
    Hide,
    /// Behind a warning: the filters that matched, with the keywords and posts that did.
    Warn(Vec<(FilterRow, Vec<String>, Vec<i64>)>),
}

impl Active {
    /// Three statements (filters, keywords, posts).
    pub async fn load(state: &AppState, viewer: &ActorRow) -> anyhow::Result<Active> {
        let rows = filters::of_owner(&state.db, viewer.id, false).await?;
        let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
        let keywords = filters::keywords_of(&state.db, &ids).await?;
        let posts = filters::posts_of(&state.db, &ids).await?;
        Ok(Active {
            viewer: viewer.id,
            filters: rows
                .into_iter()
                .map(|f| {
                    let k = keywords.iter().filter(|k| k.filter_id == f.id).cloned().collect();
                    let p = posts.iter().filter(|p| p.filter_id == f.id).cloned().collect();
                    (f, k, p)
                })
                .collect(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// The verdict on a post in a context (`home`, `notifications`, `public`, `thread`,
    /// `account`): its text, content warning, media descriptions and poll options are searched.
    pub fn check(&self, p: &PostRow, context: &str) -> Verdict {
        // One's own posts are never filtered.
        if self.filters.is_empty() || p.author_id == self.viewer {
            return Verdict::Show;
        }
        let mut text = crate::text::html_to_plain(&p.content_html).to_lowercase();
        for extra in [p.summary.as_deref(), p.title.as_deref()].into_iter().flatten() {
            text.push('\n');
            text.push_str(&extra.to_lowercase());
        }
        if let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(&p.attachments) {
            for a in items {
                if let Some(d) = a["description"].as_str() {
                    text.push('\n');
                    text.push_str(&d.to_lowercase());
                }
            }
        }
        let mut warn = Vec::new();
        for (f, keywords, posts) in &self.filters {
            if !f.applies_in(context) {
                continue;
            }
            let words: Vec<String> = keywords
                .iter()
                .filter(|k| matches(&text, &k.keyword.to_lowercase(), k.whole_word))
                .map(|k| k.keyword.clone())
                .collect();
            let chosen: Vec<i64> = posts.iter().filter(|x| x.post_id == p.id).map(|x| x.id).collect();
            if words.is_empty() && chosen.is_empty() {
                continue;
            }
            if f.action == "hide" {
                return Verdict::Hide;
            }
            warn.push((f.clone(), words, chosen));
        }
        if warn.is_empty() {
            Verdict::Show
        } else {
            Verdict::Warn(warn)
        }
    }
}

/// Whether `text` holds `word` (both lowercased): anywhere, or as a whole word (not inside a
/// longer run of letters and digits).
pub fn matches(text: &str, word: &str, whole_word: bool) -> bool {
    if word.is_empty() {
        return false;
    }
    if !whole_word {
        return text.contains(word);
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let edge_ok = |c: Option<char>, inner: Option<char>| match (c, inner) {
            (Some(c), Some(w)) => !(is_word(c) && is_word(w)),
            _ => true,
        };
        edge_ok(before, word.chars().next()) && edge_ok(after, word.chars().next_back())
    })
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn keywords_match_anywhere_or_as_whole_words() {
        assert!(matches("the exam is on friday", "exam", true));
        assert!(!matches("the examination is on friday", "exam", true));
        assert!(matches("the examination is on friday", "exam", false));
        assert!(matches("#exam tomorrow", "exam", true));
        assert!(matches("spoilers: the end", "spoilers:", true));
        assert!(!matches("", "exam", false));
        assert!(matches("élève: l'examen", "examen", true));
    }
}
