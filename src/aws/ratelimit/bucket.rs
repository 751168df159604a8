//! One token bucket: the algorithm AWS itself throttles with. It holds up to `capacity`
//! tokens, gains `refill_per_sec` tokens a second, and each request takes one.
//!
//! The bucket is plain arithmetic on instants the caller passes in, so tests drive it with a
//! made-up clock; waiting is [`super::RateLimiter`]'s business.

use std::time::{Duration, Instant};

/// A token bucket's size (the burst) and refill rate (the sustained rate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// The most tokens the bucket holds: how many requests may go out at once.
    pub capacity: f64,
    /// Tokens added per second: the sustained request rate.
    pub refill_per_sec: f64,
}

impl Limit {
    pub const fn new(capacity: f64, refill_per_sec: f64) -> Limit {
        Limit {
            capacity,
            refill_per_sec,
        }
    }

    /// This limit with capacity and rate multiplied by `factor`, keeping room for at least
    /// one request (a bucket smaller than one token would never let anything through).
    pub fn scaled(self, factor: f64) -> Limit {
        Limit {
            capacity: (self.capacity * factor).max(1.0),
            refill_per_sec: (self.refill_per_sec * factor).max(f64::MIN_POSITIVE),
        }
    }
}

/// A token bucket, full when created.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    limit: Limit,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    pub fn new(limit: Limit, now: Instant) -> TokenBucket {
        TokenBucket {
            limit,
            tokens: limit.capacity,
            updated: now,
        }
    }

    /// How long until the bucket holds a whole token; zero if it holds one now.
    pub fn time_to_token(&mut self, now: Instant) -> Duration {
        self.refill(now);
        if self.tokens >= 1.0 {
            return Duration::ZERO;
        }
        let missing = 1.0 - self.tokens;
        // Rounded up to the next microsecond so that waiting this long is always enough.
        let micros = (missing / self.limit.refill_per_sec * 1e6).ceil();
        Duration::from_micros(micros.min(u64::MAX as f64) as u64)
    }

    /// Takes one token. Call only after [`time_to_token`](Self::time_to_token) returned zero
    /// at the same `now`.
    pub fn take(&mut self) {
        self.tokens -= 1.0;
    }

    /// The tokens in the bucket at `now` (for tests and diagnostics).
    pub fn tokens(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }

    fn refill(&mut self, now: Instant) {
        // An instant earlier than the last update (callers racing for the lock with instants
        // taken before it) adds nothing rather than going backwards.
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.limit.refill_per_sec).min(self.limit.capacity);
        self.updated = self.updated.max(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_new_bucket_allows_its_whole_burst_at_once() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(Limit::new(3.0, 1.0), t0);
        for _ in 0..3 {
            assert_eq!(b.time_to_token(t0), Duration::ZERO);
            b.take();
        }
        assert_eq!(b.time_to_token(t0), Duration::from_secs(1));
    }

    #[test]
    fn an_empty_bucket_refills_at_its_rate() {
        let t0 = Instant::now();
        // EC2's non-mutating bucket: 100 tokens, 20 a second.
        let mut b = TokenBucket::new(Limit::new(100.0, 20.0), t0);
        for _ in 0..100 {
            b.take();
        }
        assert_eq!(b.time_to_token(t0), ms(50));
        // A quarter of a second later five tokens are back.
        assert!((b.tokens(t0 + ms(250)) - 5.0).abs() < 1e-9);
        // Five seconds refill it completely, and it holds no more than its capacity.
        assert!((b.tokens(t0 + Duration::from_secs(60)) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_fractional_rate_means_seconds_per_token() {
        let t0 = Instant::now();
        // ELB's resource-intensive bucket: 10 tokens, one every five seconds.
        let mut b = TokenBucket::new(Limit::new(10.0, 0.2), t0);
        for _ in 0..10 {
            b.take();
        }
        assert_eq!(b.time_to_token(t0), Duration::from_secs(5));
        assert_eq!(
            b.time_to_token(t0 + Duration::from_secs(4)),
            Duration::from_secs(1)
        );
        assert_eq!(b.time_to_token(t0 + Duration::from_secs(5)), Duration::ZERO);
    }

    #[test]
    fn an_earlier_instant_does_not_undo_a_refill() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(Limit::new(1.0, 1.0), t0);
        b.take();
        assert_eq!(b.time_to_token(t0 + ms(600)), ms(400));
        assert_eq!(b.time_to_token(t0 + ms(100)), ms(400));
    }

    #[test]
    fn scaling_keeps_room_for_one_request() {
        let l = Limit::new(100.0, 20.0).scaled(0.05);
        assert_eq!(l, Limit::new(5.0, 1.0));
        let tiny = Limit::new(5.0, 2.0).scaled(0.01);
        assert_eq!(tiny.capacity, 1.0);
        assert!((tiny.refill_per_sec - 0.02).abs() < 1e-12);
    }
}
