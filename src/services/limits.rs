//! Rate limits on what outsiders can repeat (sign-in, registration): per client address, an
//! IPv6 client counted by its /64 network, kept in the database so that every process of a node
//! counts the same attempts.

use std::net::IpAddr;
use std::time::Duration;

use crate::app::AppState;
use crate::storage::{self, limits};

/// The unit a limit counts: an IPv4 address, or the /64 network of an IPv6 address (one
/// household or server is given a whole /64).
pub fn subject(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Counts one attempt of `action` from `ip`; false when `limit` attempts were already made in
/// the current `window`.
pub async fn allow(state: &AppState, action: &str, ip: IpAddr, limit: u32, window: Duration) -> anyhow::Result<bool> {
    let now = storage::now();
    let window = chrono::Duration::from_std(window)?;
    let hits = limits::hit(&state.db, action, &subject(ip), now, now - window).await?;
    // Now and then, forget windows that ended long ago.
    if rand::random::<u8>() == 0 {
        limits::prune(&state.db, now - chrono::Duration::days(1)).await?;
    }
    Ok(hits <= i64::from(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(subject(a), subject(b));
        assert_ne!(subject(a), subject(c));
        assert_eq!(subject("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(subject("10.0.0.1".parse().unwrap()), "10.0.0.1");
    }
}
