use super::*;

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Counts sends in every window `(t - w, t]` ending at a send and checks the limit
/// (the simulator's definition: `now - t < window`).
fn assert_within(sends: &[Millis], limit: Limit) {
    for (i, &t) in sends.iter().enumerate() {
        for (w, max) in [
            (SECOND, limit.per_second),
            (MINUTE, limit.per_minute),
            (HOUR, limit.per_hour),
        ] {
            let n = sends[..=i].iter().filter(|&&s| t - s < w).count();
            assert!(n <= max as usize, "{n} sends in {w} ms window at {t}");
        }
    }
}

#[test]
fn classification_matches_table() {
    use Group::*;
    let cases = [
        (Method::Post, "/auth/challenge", Public),
        (Method::Get, "/security/public-key-certificates", Public),
        (Method::Post, "/sessions/online", OnlineSession),
        (Method::Post, "/sessions/online/S/close", OnlineSession),
        (Method::Post, "/sessions/online/S/invoices", InvoiceSend),
        (Method::Post, "/sessions/batch", BatchSession),
        (Method::Post, "/sessions/batch/S/close", BatchSession),
        (Method::Get, "/sessions/S/invoices/I", InvoiceStatus),
        (Method::Get, "/sessions?sessionType=Online", SessionList),
        (
            Method::Get,
            "/sessions/S/invoices?pageSize=10",
            SessionInvoiceList,
        ),
        (
            Method::Get,
            "/sessions/S/invoices/failed",
            SessionInvoiceList,
        ),
        (Method::Get, "/sessions/S", SessionMisc),
        (Method::Get, "/sessions/S/upo/U", SessionMisc),
        (Method::Get, "/invoices/ksef/K", InvoiceDownload),
        (Method::Get, "/auth/AU", Other),
        (Method::Post, "/auth/token/redeem", Other),
    ];
    for (m, p, g) in cases {
        assert_eq!(Group::classify(m, p), g, "{m:?} {p}");
    }
}

#[test]
fn burst_is_cut_at_per_second_and_waits_are_minimal() {
    let mut g = Governor::new(Profile::production()).with_margin(0);
    for _ in 0..10 {
        g.acquire(Group::InvoiceSend, 1_000).unwrap();
    }
    let WaitUntil(at) = g.acquire(Group::InvoiceSend, 1_000).unwrap_err();
    assert_eq!(at, 2_000);
    assert!(g.acquire(Group::InvoiceSend, 1_999).is_err());
    g.acquire(Group::InvoiceSend, 2_000).unwrap();
    // Other groups are independent.
    g.acquire(Group::InvoiceStatus, 1_000).unwrap();
}

#[test]
fn minute_window_applies() {
    let mut g = Governor::new(Profile::production()).with_margin(0);
    let mut now = 0;
    let mut sends = Vec::new();
    while sends.len() < 31 {
        match g.acquire(Group::InvoiceSend, now) {
            Ok(()) => sends.push(now),
            Err(WaitUntil(t)) => now = t,
        }
    }
    // 30 per minute: the 31st goes exactly one minute after the first.
    assert_eq!(sends[30], sends[0] + MINUTE);
}

#[test]
fn retry_after_blocks_the_group() {
    let mut g = Governor::new(Profile::production()).with_margin(0);
    g.retry_after(Group::OnlineSession, 5_000, 30);
    assert_eq!(
        g.acquire(Group::OnlineSession, 6_000),
        Err(WaitUntil(35_000))
    );
    g.acquire(Group::OnlineSession, 35_000).unwrap();
}

#[test]
fn property_never_exceeds_and_waits_minimal() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..40 {
        let margin = if round % 2 == 0 { 0 } else { 50 };
        let mut g = Governor::new(Profile::production()).with_margin(margin);
        let group = [
            Group::InvoiceSend,
            Group::SessionList,
            Group::InvoiceMetadata,
        ][round % 3];
        let limit = g.profile().limit(group);
        let mut now: Millis = 0;
        let mut sends = Vec::new();
        for _ in 0..400 {
            now += xorshift(&mut seed) % 4_000;
            loop {
                match g.acquire(group, now) {
                    Ok(()) => {
                        sends.push(now);
                        break;
                    }
                    Err(WaitUntil(t)) => {
                        assert!(t > now);
                        // Minimal: one millisecond earlier is still refused.
                        let mut probe = g.clone();
                        assert!(probe.acquire(group, t - 1).is_err());
                        now = t;
                    }
                }
            }
        }
        assert_within(&sends, limit);
    }
}

#[test]
fn backoff_is_bounded_and_grows() {
    let p = RetryPolicy {
        max_retries: 4,
        base_delay: 100,
        max_delay: 500,
    };
    assert_eq!(p.backoff(0, 0), None);
    assert_eq!(p.backoff(1, 0), Some(50));
    assert_eq!(p.backoff(1, 50), Some(100));
    assert_eq!(p.backoff(2, 0), Some(100));
    assert_eq!(p.backoff(3, u64::MAX), Some(200 + u64::MAX % 201));
    for r in 0..1000 {
        let d = p.backoff(4, r).unwrap();
        assert!((250..=500).contains(&d), "{d}");
    }
    assert_eq!(p.backoff(5, 0), None);
}

/// A request counted at its answer time keeps the client's window behind the server's,
/// whose arrival instant lies anywhere in `[sent, done]`: with 300 ms in flight, any
/// arrival times inside those intervals stay within the per-second limit.
#[test]
fn slow_requests_are_counted_when_their_answer_arrives() {
    let limit = Profile::production().limit(Group::InvoiceStatus);
    let mut g = Governor::new(Profile::production()).with_margin(0);
    let mut now: Millis = 1_000_000;
    let mut seed = 7u64;
    let mut arrivals = Vec::new();
    for _ in 0..200 {
        loop {
            match g.acquire(Group::InvoiceStatus, now) {
                Ok(()) => break,
                Err(WaitUntil(t)) => now = t,
            }
        }
        let flight = xorshift(&mut seed) % 300;
        let arrival = now + xorshift(&mut seed) % (flight + 1);
        arrivals.push(arrival);
        g.settle(Group::InvoiceStatus, now, now + flight);
        now += flight;
    }
    arrivals.sort_unstable();
    assert_within(&arrivals, limit);
}
