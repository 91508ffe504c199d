//! Injectable time source.
//!
//! Every timestamp the simulator emits (challenges, JWT `iat`/`exp`, session
//! `validUntil`, KSeF-number dates) comes from a [`Clock`], so tests can move time
//! (e.g. expire a challenge after its 10-minute TTL, DIGEST §5.1) without sleeping.
//! The control API adds a further runtime offset on top (`/_sim/clock`).

use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// A source of the current instant (UTC).
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A test clock: the system clock shifted by an adjustable offset, or a frozen instant.
#[derive(Debug, Default)]
pub struct TestClock {
    inner: Mutex<TestClockState>,
}

#[derive(Debug, Default)]
struct TestClockState {
    offset: Duration,
    frozen: Option<OffsetDateTime>,
}

impl TestClock {
    /// A clock equal to the system clock until moved.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock frozen at `at` until moved with [`advance`](Self::advance).
    pub fn frozen(at: OffsetDateTime) -> Self {
        Self {
            inner: Mutex::new(TestClockState {
                offset: Duration::ZERO,
                frozen: Some(at),
            }),
        }
    }

    /// Moves the clock by `by` (negative moves it back).
    pub fn advance(&self, by: Duration) {
        let mut s = lock(&self.inner);
        match s.frozen.as_mut() {
            Some(f) => *f += by,
            None => s.offset += by,
        }
    }

    /// Sets the offset from the system clock (and unfreezes the clock).
    pub fn set_offset(&self, offset: Duration) {
        let mut s = lock(&self.inner);
        s.frozen = None;
        s.offset = offset;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        let s = lock(&self.inner);
        s.frozen
            .unwrap_or_else(|| OffsetDateTime::now_utc() + s.offset)
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_moves() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap();
        let c = TestClock::frozen(t0);
        assert_eq!(c.now(), t0);
        c.advance(Duration::minutes(11));
        assert_eq!(c.now(), t0 + Duration::minutes(11));
        c.set_offset(Duration::hours(-1));
        let d = OffsetDateTime::now_utc() - c.now();
        assert!(d > Duration::minutes(59) && d < Duration::minutes(61));
    }
}
