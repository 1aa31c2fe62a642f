//! VTIMEZONE components (RFC 5545 3.6.5) made from the IANA database (chrono-tz), so that a
//! feed can give an event's times as the wall-clock times of its own zone (`DTSTART;TZID=…`)
//! and every calendar still reads the same instants. Each offset change in the years the
//! feed covers is written as its own observance (no RRULE), the way tzdata-based producers
//! do: exact for past and announced rules alike.

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// At most this many years are described for one zone.
const MAX_YEARS: i32 = 30;

fn offset_at(tz: Tz, t: DateTime<Utc>) -> (i32, bool, String) {
    let o = tz.offset_from_utc_datetime(&t.naive_utc());
    let abbreviation = o.abbreviation().unwrap_or_default().to_owned();
    (o.fix().local_minus_utc(), !o.dst_offset().is_zero(), abbreviation)
}

fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

/// The first instant in (`lo`, `hi`] at which the offset differs from the one at `lo`.
fn transition(tz: Tz, mut lo: DateTime<Utc>, mut hi: DateTime<Utc>) -> DateTime<Utc> {
    let before = offset_at(tz, lo).0;
    while hi - lo > Duration::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        if offset_at(tz, mid).0 == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

fn observance(kind: &str, local_start: chrono::NaiveDateTime, from: i32, to: i32, name: &str) -> String {
    let mut s = format!(
        "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
        local_start.format("%Y%m%dT%H%M%S"),
        format_offset(from),
        format_offset(to)
    );
    // Abbreviations such as "+03" are not names; RFC 5545 makes TZNAME optional.
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) {
        s.push_str(&format!("TZNAME:{name}\r\n"));
    }
    s.push_str(&format!("END:{kind}\r\n"));
    s
}

/// The VTIMEZONE of `tz` for the years `first..=last` (at most `MAX_YEARS` from `first`),
/// as iCalendar text with CRLF line ends.
pub fn vtimezone(tz: Tz, first: i32, last: i32) -> String {
    let last = last.clamp(first, first + MAX_YEARS - 1);
    let start = Utc
        .from_utc_datetime(&NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or_default().into())
        .with_timezone(&Utc);
    let end = Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(last + 1, 1, 1).unwrap_or_default().into());
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    // The offset in force when the range begins.
    let (offset, dst, name) = offset_at(tz, start);
    let local = |t: DateTime<Utc>, offset: i32| t.naive_utc() + Duration::seconds(offset as i64);
    out.push_str(&observance(
        if dst { "DAYLIGHT" } else { "STANDARD" },
        local(start, offset),
        offset,
        offset,
        &name,
    ));
    // Every change after it, found day by day and then to the second.
    let mut day = start;
    let mut current = offset;
    while day < end {
        let next = day + Duration::days(1);
        if offset_at(tz, next).0 != current {
            let at = transition(tz, day, next);
            let (to, dst, name) = offset_at(tz, at);
            out.push_str(&observance(
                if dst { "DAYLIGHT" } else { "STANDARD" },
                local(at, current),
                current,
                to,
                &name,
            ));
            current = to;
        }
        day = next;
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_has_its_two_changes_a_year() {
        let v = vtimezone(chrono_tz::Europe::Paris, 2026, 2026);
        assert!(v.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"), "{v}");
        // 29 March 2026, 02:00 CET becomes 03:00 CEST; 25 October, 03:00 CEST becomes 02:00 CET.
        assert!(
            v.contains(
                "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
            ),
            "{v}"
        );
        assert!(
            v.contains(
                "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
            ),
            "{v}"
        );
        assert_eq!(v.matches("BEGIN:DAYLIGHT").count(), 1);
        assert_eq!(
            v.matches("BEGIN:STANDARD").count(),
            2,
            "the first observance and October's"
        );
    }

    #[test]
    fn zones_without_changes_and_odd_offsets() {
        let v = vtimezone(chrono_tz::Asia::Kolkata, 2027, 2027);
        assert_eq!(v.matches("BEGIN:STANDARD").count(), 1);
        assert!(v.contains("TZOFFSETTO:+0530"), "{v}");
        let v = vtimezone(chrono_tz::Pacific::Auckland, 2027, 2027);
        assert!(v.contains("TZOFFSETFROM:+1300\r\nTZOFFSETTO:+1200"), "{v}");
        let v = vtimezone(chrono_tz::Europe::Paris, 2000, 2200);
        assert_eq!(v.matches("BEGIN:DAYLIGHT").count(), MAX_YEARS as usize, "bounded");
    }
}
