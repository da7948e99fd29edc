//! Client-side rate limiting that queues: each request takes the next free slot, `interval`
//! after the previous one, and waits for it, so a burst of parallel tool calls is spread out
//! instead of being answered with 429s. A backend's `Retry-After` pushes every later slot back.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Hands out request slots at most one per `interval`.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    max_wait: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// One request per `interval`; a caller that would wait longer than `max_wait` is refused.
    pub fn new(interval: Duration, max_wait: Duration) -> Self {
        Self {
            interval,
            max_wait,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this caller's slot. `Err` carries the wait that was refused for being longer
    /// than `max_wait`.
    pub async fn wait_turn(&self) -> Result<(), Duration> {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = (*next).max(now);
            let wait = slot - now;
            if wait > self.max_wait {
                return Err(wait);
            }
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
        Ok(())
    }

    /// Makes every slot wait until `delay` from now (a backend said `Retry-After`).
    pub fn hold_off(&self, delay: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        *next = (*next).max(Instant::now() + delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_spread_out_and_an_overlong_queue_is_refused() {
        let pacer = Pacer::new(Duration::from_secs(1), Duration::from_secs(2));
        let start = Instant::now();
        for expected in 0..3 {
            pacer.wait_turn().await.unwrap();
            assert_eq!(start.elapsed().as_secs(), expected);
        }
        pacer.hold_off(Duration::from_secs(10));
        assert_eq!(pacer.wait_turn().await, Err(Duration::from_secs(10)));
    }
}
