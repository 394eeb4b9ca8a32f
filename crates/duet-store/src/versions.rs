//! Map history: every saved definition of a map is kept as a numbered version, so a change
//! can be compared with any earlier one and undone by saving an old definition again.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError, maps};

/// One saved definition of a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapVersion {
    pub map: String,
    /// 1 for the definition the map was added with, then one more per save.
    pub version: i64,
    pub author: String,
    pub at: String,
    pub note: Option<String>,
    pub definition: serde_json::Value,
}

/// Who saves a change when nobody is named: the OS user, or `duet`.
pub fn default_author() -> String {
    std::env::var("USER")
        .ok()
        .filter(|user| !user.trim().is_empty())
        .unwrap_or_else(|| "duet".to_owned())
}

/// Appends the next version of `map`; returns its number.
pub(crate) fn append_version(
    db: &Connection,
    map: &str,
    definition: &str,
    note: Option<&str>,
    author: &str,
    at: &str,
) -> Result<i64> {
    let next: i64 = db.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM map_version WHERE map = ?1",
        params![map],
        |row| row.get(0),
    )?;
    db.execute(
        "INSERT INTO map_version (map, version, author, at, note, definition)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![map, next, author, at, note, definition],
    )?;
    Ok(next)
}

impl Store {
    /// Stores `definition` as the map's current definition (adding the map in state
    /// `notRunning` if it is new) and records it as the map's next version.
    pub fn save_map(
        &self,
        name: &str,
        definition: &serde_json::Value,
        note: Option<&str>,
        author: &str,
        at: &str,
    ) -> Result<MapVersion> {
        let mut saved = self.save_maps(&[(name, definition)], note, author, at)?;
        Ok(saved.remove(0))
    }

    /// Saves several maps as [`Store::save_map`] does, all or none.
    pub fn save_maps(
        &self,
        maps: &[(&str, &serde_json::Value)],
        note: Option<&str>,
        author: &str,
        at: &str,
    ) -> Result<Vec<MapVersion>> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        let mut saved = Vec::with_capacity(maps.len());
        for (name, definition) in maps {
            let version = save_in(
                &transaction,
                name,
                &definition.to_string(),
                note,
                author,
                at,
            )?;
            saved.push(MapVersion {
                map: (*name).to_owned(),
                version,
                author: author.to_owned(),
                at: at.to_owned(),
                note: note.map(str::to_owned),
                definition: (*definition).clone(),
            });
        }
        transaction.commit()?;
        Ok(saved)
    }

    /// Every version of a map, oldest first; empty for an unknown map.
    pub fn map_versions(&self, name: &str) -> Result<Vec<MapVersion>> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT map, version, author, at, note, definition FROM map_version
             WHERE map = ?1 ORDER BY version",
        )?;
        let rows = statement.query_map(params![name], version_row)?;
        rows.map(|row| row?).collect()
    }

    /// One version of a map, or a `NotFound` error naming what is missing.
    pub fn map_version(&self, name: &str, version: i64) -> Result<MapVersion> {
        self.db()
            .query_row(
                "SELECT map, version, author, at, note, definition FROM map_version
                 WHERE map = ?1 AND version = ?2",
                params![name, version],
                version_row,
            )
            .optional()?
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("map '{name}' has no version {version}")))
    }
}

fn save_in(
    db: &Connection,
    name: &str,
    text: &str,
    note: Option<&str>,
    author: &str,
    at: &str,
) -> Result<i64> {
    // A map added before versions existed gets its stored definition as version 1.
    let earlier: Option<String> = db
        .query_row(
            "SELECT definition FROM map WHERE name = ?1
             AND NOT EXISTS (SELECT 1 FROM map_version WHERE map = ?1)",
            params![name],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(earlier) = earlier {
        append_version(
            db,
            name,
            &earlier,
            Some("definition before versions were kept"),
            author,
            at,
        )?;
    }
    let sql = format!(
        "INSERT INTO map (name, state, reason, definition, updated_at)
         VALUES (?1, 'notRunning', NULL, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET definition = ?2, updated_at = {}",
        maps::next_updated_at("?3")
    );
    db.execute(&sql, params![name, text, at])?;
    append_version(db, name, text, note, author, at)
}

fn version_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<MapVersion>> {
    let definition: String = row.get(5)?;
    let (map, version, author, at, note) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    Ok(serde_json::from_str(&definition)
        .map_err(StoreError::from)
        .map(|definition| MapVersion {
            map,
            version,
            author,
            at,
            note,
            definition,
        }))
}
