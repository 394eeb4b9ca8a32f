//! What Duet remembers of each row, per map and side: the last values it saw on or wrote to
//! that side, the Dataverse id of the row, and its own latest writes of the row, by which it
//! knows their echoes when they come back.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use crate::{Result, Store};

/// How many of Duet's latest writes of a row are remembered to know their echoes.
pub const WRITTEN_KEPT: i64 = 8;

impl Store {
    /// The last values Duet saw on, or wrote to, `side` for a row.
    pub fn shadow(&self, map: &str, side: &str, key: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = self
            .db()
            .prepare_cached(
                "SELECT row_values FROM shadow WHERE map = ?1 AND side = ?2 AND row_key = ?3",
            )?
            .query_row(params![map, side, key], |row| row.get(0))
            .optional()?;
        Ok(text.map(|text| serde_json::from_str(&text)).transpose()?)
    }

    /// The shadows of many rows of a side in one statement (an initial sync reads a whole
    /// chunk's at once): each key Duet knows, with its values.
    pub fn shadows(
        &self,
        map: &str,
        side: &str,
        keys: &[String],
    ) -> Result<HashMap<String, serde_json::Value>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let keys = serde_json::to_string(keys)?;
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT row_key, row_values FROM shadow
             WHERE map = ?1 AND side = ?2 AND row_key IN (SELECT value FROM json_each(?3))",
        )?;
        let rows = statement.query_map(params![map, side, keys], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (key, text) = row?;
            Ok((key, serde_json::from_str(&text)?))
        })
        .collect()
    }

    pub fn save_shadow(
        &self,
        map: &str,
        side: &str,
        key: &str,
        dataverse_id: Option<&str>,
        values: &serde_json::Value,
    ) -> Result<()> {
        self.db().execute(
            "INSERT INTO shadow (map, side, row_key, dataverse_id, row_values)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (map, side, row_key) DO UPDATE SET
                 dataverse_id = COALESCE(?4, dataverse_id), row_values = ?5",
            params![map, side, key, dataverse_id, values.to_string()],
        )?;
        Ok(())
    }

    /// Merges many rows' values into a side's shadow (new values win, others stay) in one
    /// transaction: an initial sync remembers a whole chunk at once.
    pub fn merge_shadows(
        &self,
        map: &str,
        side: &str,
        rows: &[(
            String,
            Option<String>,
            serde_json::Map<String, serde_json::Value>,
        )],
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        {
            let mut read = transaction.prepare_cached(
                "SELECT row_values FROM shadow WHERE map = ?1 AND side = ?2 AND row_key = ?3",
            )?;
            let mut write = transaction.prepare_cached(
                "INSERT INTO shadow (map, side, row_key, dataverse_id, row_values)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (map, side, row_key) DO UPDATE SET
                     dataverse_id = COALESCE(?4, dataverse_id), row_values = ?5",
            )?;
            for (key, id, values) in rows {
                let known: Option<String> = read
                    .query_row(params![map, side, key], |row| row.get(0))
                    .optional()?;
                let mut merged = match known.map(|text| serde_json::from_str(&text)).transpose()? {
                    Some(serde_json::Value::Object(known)) => known,
                    _ => serde_json::Map::new(),
                };
                merged.extend(values.clone());
                write.execute(params![
                    map,
                    side,
                    key,
                    id,
                    serde_json::Value::Object(merged).to_string()
                ])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// The row key Duet knows for a Dataverse row id (tombstones carry only the id).
    pub fn key_for_dataverse_id(&self, map: &str, dataverse_id: &str) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT row_key FROM shadow WHERE map = ?1 AND dataverse_id = ?2 LIMIT 1",
                params![map, dataverse_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Every key of a map with a remembered row on `side`, in key order.
    pub fn shadow_keys(&self, map: &str, side: &str) -> Result<Vec<String>> {
        let db = self.db();
        let mut statement =
            db.prepare("SELECT row_key FROM shadow WHERE map = ?1 AND side = ?2 ORDER BY row_key")?;
        let keys = statement.query_map(params![map, side], |row| row.get(0))?;
        Ok(keys.collect::<std::result::Result<_, _>>()?)
    }

    /// Forgets what one side held for a key, leaving the other side's values.
    pub fn forget_side(&self, map: &str, side: &str, key: &str) -> Result<()> {
        self.db().execute(
            "DELETE FROM shadow WHERE map = ?1 AND side = ?2 AND row_key = ?3",
            params![map, side, key],
        )?;
        Ok(())
    }

    pub fn forget_row(&self, map: &str, key: &str) -> Result<()> {
        // One transaction: a crash between the two must not leave write history for a row
        // whose shadow is gone (or the other way round).
        let mut db = self.db();
        let transaction = db.transaction()?;
        transaction.execute(
            "DELETE FROM shadow WHERE map = ?1 AND row_key = ?2",
            params![map, key],
        )?;
        transaction.execute(
            "DELETE FROM written WHERE map = ?1 AND row_key = ?2",
            params![map, key],
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Remembers what `side` holds after one of Duet's writes of a row, so that the echo of
    /// that write is known as Duet's own even when it comes back after a later write. Only
    /// the last [`WRITTEN_KEPT`] writes of a row are kept.
    pub fn remember_written(
        &self,
        map: &str,
        side: &str,
        key: &str,
        values: &serde_json::Value,
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        transaction.execute(
            "INSERT INTO written (map, side, row_key, row_values) VALUES (?1, ?2, ?3, ?4)",
            params![map, side, key, values.to_string()],
        )?;
        transaction.execute(
            "DELETE FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3 AND id NOT IN
                 (SELECT id FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3
                  ORDER BY id DESC LIMIT ?4)",
            params![map, side, key, WRITTEN_KEPT],
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// What `side` held after each of Duet's remembered writes of a row, oldest first, with
    /// the id to forget up to.
    pub fn written(
        &self,
        map: &str,
        side: &str,
        key: &str,
    ) -> Result<Vec<(i64, serde_json::Value)>> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT id, row_values FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3
             ORDER BY id",
        )?;
        let rows = statement.query_map(params![map, side, key], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut written = Vec::new();
        for row in rows {
            let (id, text) = row?;
            written.push((id, serde_json::from_str(&text)?));
        }
        Ok(written)
    }

    /// The number of Duet's latest write of any row (0 before the first): a capture takes it
    /// before it reads, so a change it reads can later be told apart from Duet's writes of the
    /// row that came after the read (their numbers in [`Store::written`] are higher).
    pub fn write_mark(&self) -> Result<i64> {
        Ok(self.db().query_row(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'written'), 0)",
            [],
            |row| row.get(0),
        )?)
    }

    /// Forgets every remembered write of a map (it stopped: no echo of them is awaited).
    pub fn forget_writes_of(&self, map: &str) -> Result<()> {
        self.db()
            .execute("DELETE FROM written WHERE map = ?1", params![map])?;
        Ok(())
    }

    /// Forgets the remembered writes of a row older than `id`: the echo of write `id` came,
    /// so theirs were read back before it.
    pub fn forget_written_before(&self, map: &str, side: &str, key: &str, id: i64) -> Result<()> {
        self.db().execute(
            "DELETE FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3 AND id < ?4",
            params![map, side, key, id],
        )?;
        Ok(())
    }
}
