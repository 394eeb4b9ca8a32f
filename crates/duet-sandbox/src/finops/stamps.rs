//! `ModifiedDateTime` stamps that strictly increase across every sandbox in the process, so
//! clients can poll for changes with a `ge`/`gt` watermark.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// Last `ModifiedDateTime` handed out in this process, in Unix milliseconds; process-wide so
/// that several sandboxes in one process still hand out strictly increasing stamps.
static LAST_MODIFIED_MS: Mutex<i64> = Mutex::new(0);

pub(super) fn observe_modified(ms: i64) {
    let mut last = LAST_MODIFIED_MS.lock().unwrap_or_else(|p| p.into_inner());
    *last = (*last).max(ms);
}

/// Strictly increasing write stamp, so clients can poll with a `ge`/`gt` watermark.
pub(super) fn next_modified() -> String {
    format_modified(reserve_modified(1))
}

/// Reserves `n` consecutive millisecond stamps and returns the first. The block ends at the
/// current time when it can, rather than starting there, so a bulk load of many rows does not
/// push later write stamps far ahead of the wall clock; it always starts after every stamp
/// handed out before, so watermarks stay valid.
pub(super) fn reserve_modified(n: usize) -> i64 {
    let span = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
    let mut last = LAST_MODIFIED_MS.lock().unwrap_or_else(|p| p.into_inner());
    let now = Utc::now().timestamp_millis();
    let first = block_start(now, *last, span);
    *last = first + (span - 1);
    first
}

/// First stamp of a block of `span` stamps taken at `now` after `last` was handed out.
fn block_start(now: i64, last: i64, span: i64) -> i64 {
    (now - (span - 1)).max(last + 1)
}

pub(super) fn format_modified(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_stamps_strictly_increase() {
        let a = next_modified();
        let b = next_modified();
        assert!(
            b > a,
            "stamps must increase even within one millisecond: {a} then {b}"
        );
    }

    #[test]
    fn blocks_end_at_the_clock_but_never_precede_earlier_stamps() {
        // GIVEN a clock at 1,000,000 ms.
        let now = 1_000_000;
        // WHEN 1,000 stamps are reserved long after the last one, or right after it.
        let idle = block_start(now, 0, 1000);
        let busy = block_start(now, now, 1000);
        // THEN an idle block ends at the clock instead of running 1,000 ms ahead of it.
        assert_eq!(
            idle + 999,
            now,
            "a bulk load must not push later writes far ahead of the wall clock"
        );
        // THEN a block after a recent stamp starts right after it.
        assert_eq!(
            busy,
            now + 1,
            "a block must never reuse or precede stamps pollers may have seen"
        );
        assert_eq!(
            block_start(now, now - 5, 1),
            now,
            "a single stamp is the clock when it is ahead of the last one, as before"
        );
    }

    #[test]
    fn reserved_block_is_followed_by_newer_writes() {
        // GIVEN a reserved block.
        let first = reserve_modified(1000);
        // WHEN the next write is stamped.
        let after = next_modified();
        // THEN it is newer than every stamp of the block.
        assert!(
            after > format_modified(first + 999),
            "the next write must be newer than every row of the block"
        );
    }
}
