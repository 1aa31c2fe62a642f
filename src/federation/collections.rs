//! Paged `OrderedCollection`s: the collection document and its pages.

use serde_json::Value;
use url::Url;

use super::protocol::{OrderedCollection, OrderedCollectionPage};

pub const PAGE_SIZE: i64 = 20;

fn context() -> Value {
    Value::String("https://www.w3.org/ns/activitystreams".into())
}

fn page_url(collection: &Url, page: i64) -> Url {
    let mut u = collection.clone();
    u.query_pairs_mut().clear().append_pair("page", &page.to_string());
    u
}

/// Number of pages for `total` items (at least one, so `first` always resolves).
pub fn page_count(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

pub fn collection(id: &Url, total: i64) -> OrderedCollection {
    OrderedCollection {
        context: context(),
        id: id.clone(),
        kind: "OrderedCollection".into(),
        total_items: total,
        first: Some(page_url(id, 1)),
        last: Some(page_url(id, page_count(total))),
    }
}

/// Page `page` (from 1) holding `items`.
pub fn page(id: &Url, page: i64, total: i64, items: Vec<Value>) -> OrderedCollectionPage {
    OrderedCollectionPage {
        context: context(),
        id: page_url(id, page),
        kind: "OrderedCollectionPage".into(),
        part_of: id.clone(),
        total_items: total,
        ordered_items: items,
        next: (page < page_count(total)).then(|| page_url(id, page + 1)),
        prev: (page > 1).then(|| page_url(id, page - 1)),
    }
}
