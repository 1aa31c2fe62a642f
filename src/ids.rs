//! 64-bit time-ordered ids: milliseconds since the Unix epoch in the high 48 bits, and 16 bits
//! that keep ids made in the same millisecond distinct (a per-process sequence started at a
//! random value, so several processes sharing one database rarely meet). Ids sort by creation
//! time, which is what `max_id`/`since_id` pagination needs; API clients see them as strings.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

static SEQUENCE: std::sync::OnceLock<AtomicU64> = std::sync::OnceLock::new();

/// A new id for a row created at `at`.
pub fn id_at(at: DateTime<Utc>) -> i64 {
    let seq = SEQUENCE.get_or_init(|| AtomicU64::new(rand::random::<u16>() as u64));
    let low = seq.fetch_add(1, Ordering::Relaxed) & 0xffff;
    let ms = at.timestamp_millis().max(0) as u64;
    ((ms << 16) | low) as i64
}

/// A new id for a row created now.
pub fn new_id() -> i64 {
    id_at(Utc::now())
}

/// The smallest id that can be made at `at`: a pagination bound for "since this time".
pub fn min_id_at(at: DateTime<Utc>) -> i64 {
    ((at.timestamp_millis().max(0) as u64) << 16) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_and_distinct() {
        let t = Utc::now();
        let a = id_at(t);
        let b = id_at(t);
        assert_ne!(a, b);
        let later = id_at(t + chrono::Duration::milliseconds(1));
        assert!(later > a && later > b);
        assert!(min_id_at(t) <= a.min(b));
        assert!(a > 0);
    }
}
