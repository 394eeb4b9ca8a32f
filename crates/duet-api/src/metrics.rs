//! The dashboard's figures over time, log retention, and the housekeeping task that samples
//! queue depth and prunes old logs.

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::Utc;
use duet_store::{MetricBucket, Retention};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Api, ApiError, Code};

/// How often queue depth is sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// How often old logs are pruned (also once at start).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Longest window the dashboard can ask for: a week.
const MAX_MINUTES: u32 = 7 * 24 * 60;

/// One time bucket of one map and direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricPoint {
    /// Start of the bucket (UTC).
    pub start: String,
    #[ts(type = "number")]
    pub rows: i64,
    #[ts(type = "number")]
    pub errors: i64,
    /// Rows written per second over the bucket.
    pub rows_per_second: f64,
    #[ts(type = "number | null")]
    pub p50_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub p99_ms: Option<i64>,
}

/// A map's figures in one direction, bucket by bucket (buckets without activity left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricSeries {
    pub map: String,
    /// `toDataverse` or `toFinanceOperations`.
    pub direction: String,
    #[ts(type = "number")]
    pub rows: i64,
    #[ts(type = "number")]
    pub errors: i64,
    /// Over the whole window, from the live changes that carried a latency.
    #[ts(type = "number | null")]
    pub p50_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub p99_ms: Option<i64>,
    pub points: Vec<MetricPoint>,
}

/// A map's queue depth at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueuePoint {
    pub at: String,
    #[ts(type = "number")]
    pub queued: i64,
    #[ts(type = "number")]
    pub parked: i64,
    #[ts(type = "number")]
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueSeries {
    pub map: String,
    pub points: Vec<QueuePoint>,
}

/// Everything the dashboard draws for one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricsView {
    /// Start of the window (UTC).
    pub since: String,
    pub until: String,
    pub bucket_seconds: u32,
    pub series: Vec<MetricSeries>,
    pub queue: Vec<QueueSeries>,
}

/// What the logs keep and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RetentionView {
    /// Activity lines and dashboard samples older than this are removed (1 to 3650 days).
    pub activity_days: u32,
    /// Failed changes older than this are removed; `null` keeps them until retried.
    pub failed_days: Option<u32>,
    /// The most activity lines kept (10,000 to 1,000,000,000); the oldest beyond go first.
    /// Absent keeps the current cap.
    #[serde(default)]
    #[ts(optional = nullable, type = "number | null")]
    pub activity_max_lines: Option<u64>,
    /// Whether bulk writes' per-row lines keep the row written (failures always do).
    /// Absent keeps the current choice.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub keep_bulk_payloads: Option<bool>,
}

impl From<Retention> for RetentionView {
    fn from(r: Retention) -> Self {
        RetentionView {
            activity_days: r.activity_days,
            failed_days: r.failed_days,
            activity_max_lines: Some(r.activity_max_lines),
            keep_bulk_payloads: Some(r.keep_bulk_payloads),
        }
    }
}

/// The fewest and most activity lines a cap may keep.
const MAX_LINES_RANGE: std::ops::RangeInclusive<u64> = 10_000..=1_000_000_000;

/// The bucket length that gives about 60 buckets over `minutes`, rounded to a round figure.
fn bucket_for(minutes: u32) -> u32 {
    let wanted = (minutes * 60 / 60).max(1);
    [
        5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400,
    ]
    .into_iter()
    .find(|&b| b >= wanted)
    .unwrap_or(14_400)
}

/// Nearest-rank percentile of the buckets' percentiles weighted by their rows: an estimate
/// for the whole window that needs no second pass over the log.
fn overall(
    points: &[MetricBucket],
    pick: impl Fn(&MetricBucket) -> Option<i64>,
    fraction: f64,
) -> Option<i64> {
    let mut weighted: Vec<(i64, i64)> = points
        .iter()
        .filter_map(|b| pick(b).map(|v| (v, b.rows)))
        .collect();
    if weighted.is_empty() {
        return None;
    }
    weighted.sort_unstable();
    let total: i64 = weighted.iter().map(|(_, n)| n).sum();
    let target = (fraction * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (value, n) in &weighted {
        seen += n;
        if seen >= target {
            return Some(*value);
        }
    }
    weighted.last().map(|(v, _)| *v)
}

fn check_retention(view: RetentionView, current: Retention) -> Result<Retention, ApiError> {
    let valid = |d: u32| (1..=3650).contains(&d);
    if !valid(view.activity_days) {
        return Err(ApiError::new(
            Code::InvalidRetention,
            format!(
                "activity retention must be between 1 and 3650 days, not {}",
                view.activity_days
            ),
        ));
    }
    if let Some(days) = view.failed_days.filter(|d| !valid(*d)) {
        return Err(ApiError::new(
            Code::InvalidRetention,
            format!("failed-change retention must be between 1 and 3650 days, not {days}"),
        ));
    }
    if let Some(lines) = view
        .activity_max_lines
        .filter(|lines| !MAX_LINES_RANGE.contains(lines))
    {
        return Err(ApiError::new(
            Code::InvalidRetention,
            format!(
                "the activity log must keep between 10,000 and 1,000,000,000 lines, not {lines}"
            ),
        ));
    }
    Ok(Retention {
        activity_days: view.activity_days,
        failed_days: view.failed_days,
        activity_max_lines: view
            .activity_max_lines
            .unwrap_or(current.activity_max_lines),
        keep_bulk_payloads: view
            .keep_bulk_payloads
            .unwrap_or(current.keep_bulk_payloads),
    })
}

impl Api {
    /// Rows per second, errors and latency per map and direction, and queue depth, over the
    /// last `minutes` in buckets of `bucket_seconds` (chosen from the window when absent).
    pub fn metrics(
        &self,
        map: Option<&str>,
        minutes: u32,
        bucket_seconds: Option<u32>,
    ) -> Result<MetricsView, ApiError> {
        let minutes = minutes.clamp(1, MAX_MINUTES);
        let bucket = bucket_seconds
            .unwrap_or_else(|| bucket_for(minutes))
            .clamp(1, 86_400);
        let until = Utc::now();
        let since = until - chrono::Duration::minutes(i64::from(minutes));
        let buckets = self.store.metric_buckets(since, i64::from(bucket), map)?;
        let mut series: Vec<MetricSeries> = Vec::new();
        let mut grouped: Vec<((String, String), Vec<MetricBucket>)> = Vec::new();
        for b in buckets {
            let key = (b.map.clone(), b.direction.clone());
            match grouped.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(b),
                None => grouped.push((key, vec![b])),
            }
        }
        grouped.sort_by(|a, b| a.0.cmp(&b.0));
        for ((map, direction), list) in grouped {
            series.push(MetricSeries {
                rows: list.iter().map(|b| b.rows).sum(),
                errors: list.iter().map(|b| b.errors).sum(),
                p50_ms: overall(&list, |b| b.p50_ms, 0.5),
                p99_ms: overall(&list, |b| b.p99_ms, 0.99),
                points: list
                    .iter()
                    .map(|b| MetricPoint {
                        start: b.start.clone(),
                        rows: b.rows,
                        errors: b.errors,
                        rows_per_second: b.rows as f64 / f64::from(bucket),
                        p50_ms: b.p50_ms,
                        p99_ms: b.p99_ms,
                    })
                    .collect(),
                map,
                direction,
            });
        }
        let mut queue: Vec<QueueSeries> = Vec::new();
        for sample in self.store.queue_samples(since, map)? {
            let point = QueuePoint {
                at: sample.at,
                queued: sample.queued,
                parked: sample.parked,
                failed: sample.failed,
            };
            match queue.iter_mut().find(|s| s.map == sample.map) {
                Some(s) => s.points.push(point),
                None => queue.push(QueueSeries {
                    map: sample.map,
                    points: vec![point],
                }),
            }
        }
        let stamp =
            |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        Ok(MetricsView {
            since: stamp(since),
            until: stamp(until),
            bucket_seconds: bucket,
            series,
            queue,
        })
    }

    pub fn retention(&self) -> Result<RetentionView, ApiError> {
        Ok(self.store.retention()?.into())
    }

    /// Saves the retention settings and prunes at once.
    pub fn set_retention(&self, view: RetentionView) -> Result<RetentionView, ApiError> {
        let retention = check_retention(view, self.store.retention()?)?;
        self.store.set_retention(&retention, &self.clock.stamp())?;
        self.record_note(
            "retention",
            &format!(
                "Retention set: activity {} days and at most {} lines, failed changes {}, \
                 bulk lines {}",
                retention.activity_days,
                retention.activity_max_lines,
                retention
                    .failed_days
                    .map_or("kept until retried".to_owned(), |d| format!("{d} days")),
                match retention.keep_bulk_payloads {
                    true => "with the row written",
                    false => "compact",
                }
            ),
        );
        self.prune_logs()?;
        Ok(retention.into())
    }

    /// Removes what retention says is too old, and logs what was removed.
    fn prune_logs(&self) -> Result<(), ApiError> {
        let retention = self.store.retention()?;
        let pruned = self.store.prune(&retention, Utc::now())?;
        if pruned.activity + pruned.samples + pruned.failed > 0 {
            self.record_note(
                "retention",
                &format!(
                    "Retention removed {} activity lines and {} queue samples older than {} days, and {} failed changes",
                    pruned.activity, pruned.samples, retention.activity_days, pruned.failed
                ),
            );
        }
        Ok(())
    }

    /// Samples every map's queue depth every few seconds and prunes logs every hour, for
    /// as long as the API lives.
    pub(crate) fn spawn_housekeeping(self: &Arc<Self>) {
        let api: Weak<Api> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut sample = tokio::time::interval(SAMPLE_EVERY);
            let mut prune = tokio::time::interval(PRUNE_EVERY);
            loop {
                tokio::select! {
                    _ = sample.tick() => {
                        let Some(api) = api.upgrade() else { return };
                        api.sample_queues();
                    }
                    _ = prune.tick() => {
                        let Some(api) = api.upgrade() else { return };
                        if let Err(error) = api.prune_logs() {
                            tracing::warn!(%error.message, "pruning old logs failed");
                        }
                    }
                }
            }
        });
    }

    /// Records each map's queue depth now (unchanged depths at most once a minute).
    fn sample_queues(&self) {
        let maps = match self.store.maps() {
            Ok(maps) => maps,
            Err(error) => {
                tracing::warn!(%error, "cannot list maps to sample queues");
                return;
            }
        };
        for map in maps {
            if let Err(error) = self.store.sample_queue(&map.name, Utc::now()) {
                tracing::warn!(%error, map = %map.name, "queue sample failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_aim_at_about_sixty_per_window() {
        assert_eq!(bucket_for(5), 5);
        assert_eq!(bucket_for(60), 60);
        assert_eq!(bucket_for(24 * 60), 1800);
        assert_eq!(bucket_for(MAX_MINUTES), 14_400);
    }

    #[test]
    fn retention_outside_its_range_is_refused_with_the_value() {
        let view = |activity_days, failed_days, activity_max_lines| RetentionView {
            activity_days,
            failed_days,
            activity_max_lines,
            keep_bulk_payloads: None,
        };
        let current = Retention::default();
        let error = check_retention(view(0, None, None), current).unwrap_err();
        assert_eq!(error.code, "invalid_retention");
        assert!(error.message.contains("not 0"), "{}", error.message);
        let error = check_retention(view(30, Some(5000), None), current).unwrap_err();
        assert!(error.message.contains("5000"), "{}", error.message);
        let error = check_retention(view(30, None, Some(99)), current).unwrap_err();
        assert!(error.message.contains("not 99"), "{}", error.message);
        let kept = check_retention(view(30, Some(7), None), current).unwrap();
        assert_eq!(
            kept.activity_max_lines, current.activity_max_lines,
            "a view without a cap keeps the current one"
        );
        let capped = check_retention(view(30, Some(7), Some(50_000)), current).unwrap();
        assert_eq!(capped.activity_max_lines, 50_000);
    }
}
