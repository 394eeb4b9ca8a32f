//! Figures over time for the dashboard, and how long logs are kept.
//!
//! Throughput, latency and errors come from the activity log (every row written or refused is
//! a line there); queue depth is sampled, since acknowledged changes leave the queue.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::{Result, Store};

/// One map and direction over one time bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricBucket {
    /// Start of the bucket (UTC, milliseconds, `Z`).
    pub start: String,
    pub map: String,
    /// `toDataverse` or `toFinanceOperations`.
    pub direction: String,
    /// Rows written.
    pub rows: i64,
    /// Rows refused or failed.
    pub errors: i64,
    /// Median change latency of the bucket's live changes, when any carried one.
    pub p50_ms: Option<i64>,
    /// 99th-percentile change latency.
    pub p99_ms: Option<i64>,
}

/// A map's queue at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSample {
    pub at: String,
    pub map: String,
    pub queued: i64,
    pub parked: i64,
    pub failed: i64,
}

/// What the logs keep and for how long. Failed changes are kept until retried or discarded
/// unless `failed_days` is set: nothing is dropped silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Retention {
    /// Activity lines and queue samples older than this many days are removed.
    pub activity_days: u32,
    /// Failed changes older than this many days are removed; `None` keeps them.
    pub failed_days: Option<u32>,
    /// The most activity lines kept: the oldest beyond it are removed, so the file stays
    /// bounded however fast rows are written.
    pub activity_max_lines: u64,
    /// Whether the per-row lines of bulk writes keep the row written (failures always do).
    pub keep_bulk_payloads: bool,
}

/// The default line cap: about a day of a sustained 100 rows a second, a few GB at most.
pub const DEFAULT_ACTIVITY_MAX_LINES: u64 = 10_000_000;

impl Default for Retention {
    fn default() -> Self {
        Retention {
            activity_days: 30,
            failed_days: None,
            activity_max_lines: DEFAULT_ACTIVITY_MAX_LINES,
            keep_bulk_payloads: false,
        }
    }
}

/// What one pass of [`Store::prune`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pruned {
    pub activity: usize,
    pub samples: usize,
    pub failed: usize,
}

const RETENTION: &str = "retention";

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The value at `fraction` (0..=1) of sorted `values`, nearest rank.
fn percentile(sorted: &[i64], fraction: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    // Nearest rank: the smallest value with at least `fraction` of the values at or below it.
    let rank = (fraction * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

impl Store {
    /// Rows, errors and latency per bucket of `bucket_seconds`, per map and direction, from
    /// `since` on; `map` limits it to one map. Buckets without activity are left out.
    pub fn metric_buckets(
        &self,
        since: DateTime<Utc>,
        bucket_seconds: i64,
        map: Option<&str>,
    ) -> Result<Vec<MetricBucket>> {
        let bucket_ms = bucket_seconds.max(1) * 1000;
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT at, map, direction, kind, latency_ms FROM activity
             WHERE at >= ?1 AND kind IN ('row', 'error') AND direction IS NOT NULL
                 AND (?2 IS NULL OR map = ?2)
             ORDER BY at",
        )?;
        type Slot = (i64, Vec<i64>, i64);
        let mut slots: BTreeMap<(i64, String, String), Slot> = BTreeMap::new();
        let rows = statement.query_map(params![stamp(since), map], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<i64>>(4)?,
            ))
        })?;
        for row in rows {
            let (at, map, direction, kind, latency) = row?;
            let Ok(time) = DateTime::parse_from_rfc3339(&at) else {
                continue;
            };
            let start = time.timestamp_millis().div_euclid(bucket_ms) * bucket_ms;
            let slot = slots.entry((start, map, direction)).or_default();
            if kind == "row" {
                slot.0 += 1;
                slot.1.extend(latency);
            } else {
                slot.2 += 1;
            }
        }
        Ok(slots
            .into_iter()
            .map(|((start, map, direction), (rows, mut latencies, errors))| {
                latencies.sort_unstable();
                MetricBucket {
                    start: DateTime::from_timestamp_millis(start)
                        .map(stamp)
                        .unwrap_or_default(),
                    map,
                    direction,
                    rows,
                    errors,
                    p50_ms: percentile(&latencies, 0.5),
                    p99_ms: percentile(&latencies, 0.99),
                }
            })
            .collect())
    }

    /// Records a map's queue depth at `at`, unless it equals the map's last sample and that
    /// sample is younger than a minute. Returns whether a sample was written.
    pub fn sample_queue(&self, map: &str, at: DateTime<Utc>) -> Result<bool> {
        let (queued, parked, failed) = self.queue_depth(map)?;
        let db = self.db();
        let last: Option<(String, i64, i64, i64)> =
            rusqlite::OptionalExtension::optional(db.query_row(
                "SELECT at, queued, parked, failed FROM queue_sample WHERE map = ?1
                 ORDER BY at DESC, id DESC LIMIT 1",
                params![map],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            ))?;
        if let Some((last_at, q, p, f)) = last {
            let recent = DateTime::parse_from_rfc3339(&last_at)
                .is_ok_and(|t| at.signed_duration_since(t).num_seconds() < 60);
            if recent && (q, p, f) == (queued, parked, failed) {
                return Ok(false);
            }
        }
        db.execute(
            "INSERT INTO queue_sample (at, map, queued, parked, failed) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![stamp(at), map, queued, parked, failed],
        )?;
        Ok(true)
    }

    /// Queue samples from `since` on, oldest first; `map` limits them to one map.
    pub fn queue_samples(
        &self,
        since: DateTime<Utc>,
        map: Option<&str>,
    ) -> Result<Vec<QueueSample>> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT at, map, queued, parked, failed FROM queue_sample
             WHERE at >= ?1 AND (?2 IS NULL OR map = ?2) ORDER BY at, id",
        )?;
        let rows = statement.query_map(params![stamp(since), map], |row| {
            Ok(QueueSample {
                at: row.get(0)?,
                map: row.get(1)?,
                queued: row.get(2)?,
                parked: row.get(3)?,
                failed: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The retention settings (defaults until set).
    pub fn retention(&self) -> Result<Retention> {
        Ok(self
            .state(RETENTION)?
            .map(serde_json::from_value)
            .transpose()?
            .unwrap_or_default())
    }

    pub fn set_retention(&self, retention: &Retention, at: &str) -> Result<()> {
        self.set_state(RETENTION, &serde_json::to_value(retention)?, at)
    }

    /// Removes what the retention settings say is too old at `now`, in one transaction.
    pub fn prune(&self, retention: &Retention, now: DateTime<Utc>) -> Result<Pruned> {
        let days = |n: u32| stamp(now - chrono::Duration::days(i64::from(n)));
        let activity_before = days(retention.activity_days.max(1));
        let mut db = self.db();
        let transaction = db.transaction()?;
        let mut activity = transaction.execute(
            "DELETE FROM activity WHERE at < ?1",
            params![activity_before],
        )?;
        // The newest `activity_max_lines` stay; the id bound is one seek on the primary key.
        let max_lines = i64::try_from(retention.activity_max_lines.max(1)).unwrap_or(i64::MAX);
        activity += transaction.execute(
            "DELETE FROM activity WHERE id <= (SELECT id FROM activity ORDER BY id DESC
                 LIMIT 1 OFFSET ?1)",
            params![max_lines],
        )?;
        let samples = transaction.execute(
            "DELETE FROM queue_sample WHERE at < ?1",
            params![activity_before],
        )?;
        let failed = match retention.failed_days {
            Some(n) => transaction.execute(
                "DELETE FROM queue WHERE status = 'failed' AND captured_at < ?1",
                params![days(n.max(1))],
            )?,
            None => 0,
        };
        transaction.commit()?;
        Ok(Pruned {
            activity,
            samples,
            failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.5), Some(50));
        assert_eq!(percentile(&values, 0.99), Some(99));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[1, 2, 3], 0.5), Some(2));
    }
}
