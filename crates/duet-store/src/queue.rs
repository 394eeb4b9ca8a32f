//! The durable change queue: every change the capture loops read waits here, in capture
//! order, until the applier has settled it.
//!
//! The code below guarantees the following, and the engine relies on it.
//!
//! - Capture order is `seq` order. `seq` is an `AUTOINCREMENT` key, so every insert gets a
//!   number above any the table ever held (over all maps), and a number is never used again
//!   once its change is gone. `enqueue` inserts a batch in the order given, and every read of
//!   changes orders them by `seq`, so a map's changes come back in the order they were queued.
//! - The changes read under a cursor and the cursor's move past them are stored together or
//!   not at all: `enqueue` inserts the changes and moves the cursor in one transaction. After
//!   a crash the cursor never points past changes the queue does not hold, so they are read
//!   again instead of being lost.
//! - A watermark moved by `enqueue` with `forward_only` never moves backward, because
//!   `cursors::move_cursor`, which stores every cursor value, keeps a stored value that sorts
//!   after the new one. The changes are queued even when the watermark stays. A delta link is
//!   replaced as given.
//! - A change is `queued`, `parked` or `failed`. The reads for applying (`next_changes`,
//!   `queued_for_key`, `last_queued_seq`) see only queued changes, so a parked or failed change
//!   never holds up the changes behind it; `queued_changes`, which lists the queue, sees all
//!   three. `enqueue_failed` stores a change as failed in a single statement, so the applier
//!   never sees it as queued.
//! - A change leaves the queue only when the applier acknowledges it with `ack_change` (the
//!   store does not know why: written, needing no write, or settled otherwise), when skip to
//!   live discards what is queued (`discard_queued`, which leaves parked and failed changes),
//!   when a retention for failed changes is set and [`Store::prune`] removes old ones, or when
//!   [`Store::reset_link`] deletes the whole queue. Otherwise it stays as queued, parked or
//!   failed: a refusal (`fail_change`) and an unavailable target (`note_attempt`) keep it, with
//!   the error and one more attempt.
//! - Moving a change neither loses nor doubles it. `defer_change` and `retry_changes` insert
//!   copies with new `seq`s and delete the originals in the same transaction, so the change is
//!   stored under its old `seq` or under its new one, never both and never neither.
//! - A `seq` that has moved names nothing. `ack_change`, `fail_change` and `note_attempt` act
//!   on the `seq` alone, whatever the change's map and status, so given a `seq` whose change
//!   was deferred or retried meanwhile they change nothing and still succeed.
//! - Deferring keeps a row's queued changes in order. `defer_change` sends a queued change
//!   behind everything in the queue and takes along, in their order, every later queued change
//!   of the same map with the same key, captured on either side. Only the deferred change gets
//!   the new error, and one more attempt when asked. A change without a key moves alone, and
//!   one that is no longer queued in that map is not moved at all.
//! - Failing and retrying do not keep a row's order, on purpose: later changes of a row are
//!   applied while an earlier one waits as failed or parked, and `retry_changes` puts the
//!   waiting ones back behind everything queued, in their own order, with their attempts and
//!   errors.
//! - No call sees a change half moved: each method runs while holding the store's one
//!   connection, and the methods of more than one statement run in a transaction.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use duet_maps::Side;

use crate::change::{ChangeOperation, ChangeStatus, NewChange, QueuedChange, Wait, parse_side};
use crate::{CursorMove, Result, Store, cursors};

impl Store {
    /// Appends captured changes to a map's queue and moves the capture cursor, atomically.
    pub fn enqueue(
        &self,
        map: &str,
        changes: &[NewChange],
        cursor: Option<CursorMove<'_>>,
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                     read_mark)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for change in changes {
                insert.execute(params![
                    map,
                    change.side.as_str(),
                    change.operation.as_str(),
                    change.key,
                    change.source_id,
                    change.row.to_string(),
                    change.captured_at,
                    change.read_mark
                ])?;
            }
            if let Some(cursor) = cursor {
                cursors::move_cursor(&transaction, map, cursor)?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// The oldest queued changes of a map, in capture order.
    pub fn next_changes(&self, map: &str, limit: u32) -> Result<Vec<QueuedChange>> {
        self.select_changes(
            "WHERE map = ?1 AND status = 'queued' ORDER BY seq LIMIT ?2",
            params![map, limit],
        )
    }

    /// Every change of a map still in the queue (queued, parked or failed), oldest first,
    /// optionally only those whose key contains `key` (as typed: `%` and `_` in it are no
    /// wildcards; letters match in either case).
    pub fn queued_changes(
        &self,
        map: &str,
        key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<QueuedChange>> {
        let pattern = key_pattern(key);
        self.select_changes(
            "WHERE map = ?1 AND COALESCE(row_key, '') LIKE ?2 ESCAPE '\\' ORDER BY seq LIMIT ?3",
            params![map, pattern, limit],
        )
    }

    fn select_changes(
        &self,
        condition: &str,
        parameters: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<QueuedChange>> {
        let db = self.db();
        let mut statement = db.prepare_cached(&format!(
            "SELECT seq, map, status, attempts, error, side, operation, row_key, source_id, row_values,
                 captured_at, wait, read_mark
             FROM queue {condition}"
        ))?;
        let rows = statement.query_map(parameters, |row| {
            let texts: [Option<String>; 5] = [
                row.get(2)?,
                row.get(5)?,
                row.get(6)?,
                row.get(9)?,
                row.get(11)?,
            ];
            Ok((
                (row.get(0)?, row.get(1)?, row.get(3)?, row.get(4)?),
                (row.get(7)?, row.get(8)?, row.get(10)?, row.get(12)?),
                texts,
            ))
        })?;
        rows.map(|row| {
            let ((seq, map, attempts, error), (key, source_id, captured_at, read_mark), texts) =
                row?;
            let [status, side, operation, values, wait] = texts;
            let text = |value: Option<String>| value.unwrap_or_default();
            Ok(QueuedChange {
                seq,
                map,
                status: ChangeStatus::parse(&text(status))?,
                attempts,
                error,
                wait: wait.as_deref().map(Wait::parse).transpose()?,
                change: NewChange {
                    side: parse_side(&text(side))?,
                    operation: ChangeOperation::parse(&text(operation))?,
                    key,
                    source_id,
                    row: serde_json::from_str(&text(values))?,
                    captured_at,
                    read_mark,
                },
            })
        })
        .collect()
    }

    /// Queued changes of one row captured on one side, oldest first.
    pub fn queued_for_key(&self, map: &str, side: Side, key: &str) -> Result<Vec<QueuedChange>> {
        self.select_changes(
            "WHERE map = ?1 AND side = ?2 AND row_key = ?3 AND status = 'queued' ORDER BY seq",
            params![map, side.as_str(), key],
        )
    }

    /// Adds a change straight as failed (one attempt, with its error), in one statement, so
    /// the applier never takes it for a queued one.
    pub fn enqueue_failed(&self, map: &str, change: &NewChange, error: &str) -> Result<i64> {
        let db = self.db();
        db.execute(
            "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                 status, attempts, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'failed', 1, ?8)",
            params![
                map,
                change.side.as_str(),
                change.operation.as_str(),
                change.key,
                change.source_id,
                change.row.to_string(),
                change.captured_at,
                error
            ],
        )?;
        Ok(db.last_insert_rowid())
    }

    /// Removes a change the target acknowledged (or that needed no write).
    pub fn ack_change(&self, seq: i64) -> Result<()> {
        self.db()
            .execute("DELETE FROM queue WHERE seq = ?1", params![seq])?;
        Ok(())
    }

    /// Keeps a refused change out of the way of later ones, with the reason, until retried.
    pub fn fail_change(&self, seq: i64, error: &str) -> Result<()> {
        self.db().execute(
            "UPDATE queue SET status = 'failed', attempts = attempts + 1, error = ?2 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    /// Counts an attempt that will be retried in place (the target was unavailable).
    pub fn note_attempt(&self, seq: i64, error: &str) -> Result<()> {
        self.db().execute(
            "UPDATE queue SET attempts = attempts + 1, error = ?2 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    /// Sets every queued change of a map to `status` (parking them, for skip-to-live).
    pub fn set_queued_status(&self, map: &str, status: ChangeStatus) -> Result<usize> {
        Ok(self.db().execute(
            "UPDATE queue SET status = ?2 WHERE map = ?1 AND status = 'queued'",
            params![map, status.as_str()],
        )?)
    }

    /// Drops every queued change of a map (skip to live, discarding the queue).
    pub fn discard_queued(&self, map: &str) -> Result<usize> {
        Ok(self.db().execute(
            "DELETE FROM queue WHERE map = ?1 AND status = 'queued'",
            params![map],
        )?)
    }

    /// Sends a queued change behind everything queued now to `wait`, with `error` as its
    /// reason (and one more attempt when `count_attempt`), and every later queued change of
    /// the same row along with it, in their order: a row's changes are applied in the order
    /// they were captured whatever waits. Returns how many changes moved.
    pub fn defer_change(
        &self,
        map: &str,
        seq: i64,
        error: &str,
        count_attempt: bool,
        wait: Wait,
    ) -> Result<usize> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        let key: Option<Option<String>> = transaction
            .query_row(
                "SELECT row_key FROM queue WHERE map = ?1 AND seq = ?2 AND status = 'queued'",
                params![map, seq],
                |row| row.get(0),
            )
            .optional()?;
        let Some(key) = key else {
            return Ok(0);
        };
        // A change without a key moves alone.
        let moving = "map = ?1 AND status = 'queued'
             AND (seq = ?2 OR (seq > ?2 AND ?3 IS NOT NULL AND row_key = ?3))";
        // The copies get new (higher) seqs; the originals are those up to the highest now.
        let last: i64 =
            transaction.query_row("SELECT COALESCE(MAX(seq), 0) FROM queue", [], |row| {
                row.get(0)
            })?;
        let moved = transaction.execute(
            &format!(
                "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                     status, attempts, error, wait, read_mark)
                 SELECT map, side, operation, row_key, source_id, row_values, captured_at, 'queued',
                     attempts + (seq = ?2 AND ?5), CASE WHEN seq = ?2 THEN ?4 ELSE error END,
                     CASE WHEN seq = ?2 THEN ?6 ELSE wait END, read_mark
                 FROM queue WHERE {moving} ORDER BY seq"
            ),
            params![map, seq, key, error, count_attempt, wait.as_str()],
        )?;
        transaction.execute(
            &format!("DELETE FROM queue WHERE {moving} AND seq <= ?4"),
            params![map, seq, key, last],
        )?;
        transaction.commit()?;
        Ok(moved)
    }

    /// Puts parked or failed changes back at the end of the queue: one (`seq`) or all of a map.
    /// A retried change goes behind what is queued, so it never overtakes a newer change.
    pub fn retry_changes(&self, map: &str, seq: Option<i64>) -> Result<usize> {
        self.move_back(
            "map = ?1 AND status IN ('parked', 'failed') AND (?2 IS NULL OR seq = ?2)",
            params![map, seq],
        )
    }

    /// Puts a map's failed changes whose error has `pattern` ([`crate::message_pattern`])
    /// back at the end of the queue, as [`Store::retry_changes`] does for all of them: one
    /// error group retried. A failed change's error is the message of its activity line, so
    /// the group's pattern finds its changes.
    pub fn retry_failed_with_pattern(&self, map: &str, pattern: &str) -> Result<usize> {
        self.move_back(
            "map = ?1 AND status = 'failed' AND message_pattern(error) = ?2",
            params![map, pattern],
        )
    }

    /// How many of a map's failed changes have an error with `pattern`.
    pub fn failed_with_pattern(&self, map: &str, pattern: &str) -> Result<u64> {
        let count: i64 = self.db().query_row(
            "SELECT COUNT(*) FROM queue
             WHERE map = ?1 AND status = 'failed' AND message_pattern(error) = ?2",
            params![map, pattern],
            |row| row.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Copies the changes `condition` selects behind everything queued, as queued, in their
    /// order with their attempts and errors, and deletes the originals, in one transaction:
    /// the one retry path. `condition` selects parked or failed changes only, so the delete
    /// leaves the queued copies.
    fn move_back(&self, condition: &str, values: impl rusqlite::Params + Copy) -> Result<usize> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        let moved = transaction.execute(
            &format!(
                "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                     status, attempts, error, wait, read_mark)
                 SELECT map, side, operation, row_key, source_id, row_values, captured_at, 'queued',
                     attempts, error, wait, read_mark
                 FROM queue WHERE {condition} ORDER BY seq"
            ),
            values,
        )?;
        transaction.execute(&format!("DELETE FROM queue WHERE {condition}"), values)?;
        transaction.commit()?;
        Ok(moved)
    }

    /// The newest queued change of a map, if any.
    pub fn last_queued_seq(&self, map: &str) -> Result<Option<i64>> {
        Ok(self.db().query_row(
            "SELECT MAX(seq) FROM queue WHERE map = ?1 AND status = 'queued'",
            params![map],
            |row| row.get(0),
        )?)
    }

    /// How many changes of a map wait as queued whose key contains `key` (as
    /// [`Store::queued_changes`] matches it), without reading them.
    pub fn queued_count(&self, map: &str, key: &str) -> Result<u64> {
        let count: i64 = self.db().query_row(
            "SELECT COUNT(*) FROM queue WHERE map = ?1 AND status = 'queued'
                 AND COALESCE(row_key, '') LIKE ?2 ESCAPE '\\'",
            params![map, key_pattern(Some(key))],
            |row| row.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Which of `keys` have a change of a map captured on `side` still waiting (queued, parked
    /// or failed), read in one statement.
    pub fn keys_with_waiting_changes(
        &self,
        map: &str,
        side: Side,
        keys: &[String],
    ) -> Result<HashSet<String>> {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let keys = serde_json::to_string(keys)?;
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT DISTINCT row_key FROM queue
             WHERE map = ?1 AND side = ?2 AND row_key IN (SELECT value FROM json_each(?3))",
        )?;
        let rows = statement.query_map(params![map, side.as_str(), keys], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Changes of a map by status: (queued, parked, failed).
    pub fn queue_depth(&self, map: &str) -> Result<(i64, i64, i64)> {
        Ok(self.db().query_row(
            "SELECT COALESCE(SUM(status = 'queued'), 0), COALESCE(SUM(status = 'parked'), 0),
                 COALESCE(SUM(status = 'failed'), 0)
             FROM queue WHERE map = ?1",
            params![map],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?)
    }
}

/// A `LIKE` pattern for keys holding `key` as typed: `%`, `_` and the escape taken literally.
fn key_pattern(key: Option<&str>) -> String {
    let literal = key
        .unwrap_or("")
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{literal}%")
}
