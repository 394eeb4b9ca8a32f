//! Each map's sync positions, by name: delta links, which are replaced, and time watermarks,
//! which only move forward.

use rusqlite::{Connection, OptionalExtension, params};

use crate::{Result, Store};

/// A cursor to move in the same transaction as an enqueue, so a capture is either wholly
/// recorded with its new position or not at all.
#[derive(Debug, Clone, Copy)]
pub struct CursorMove<'a> {
    pub name: &'a str,
    pub value: &'a str,
    /// Watermarks only move forward; delta links are replaced.
    pub forward_only: bool,
}

/// Stores a cursor's value on `connection`, which may be the transaction of an enqueue. Every
/// cursor value is stored through here, so a forward-only move is refused the same way wherever
/// it comes from: the stored value stays when it sorts after the new one (ISO-8601 UTC strings
/// of one format sort as times).
pub(crate) fn move_cursor(
    connection: &Connection,
    map: &str,
    cursor: CursorMove<'_>,
) -> Result<()> {
    let sql = if cursor.forward_only {
        "INSERT INTO cursor (map, name, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (map, name) DO UPDATE SET value = ?3 WHERE value < ?3"
    } else {
        "INSERT INTO cursor (map, name, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (map, name) DO UPDATE SET value = ?3"
    };
    connection.execute(sql, params![map, cursor.name, cursor.value])?;
    Ok(())
}

impl Store {
    pub fn cursor(&self, map: &str, name: &str) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT value FROM cursor WHERE map = ?1 AND name = ?2",
                params![map, name],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn set_cursor(&self, map: &str, name: &str, value: &str) -> Result<()> {
        let cursor = CursorMove {
            name,
            value,
            forward_only: false,
        };
        move_cursor(&self.db(), map, cursor)
    }

    /// Moves a time watermark forward only: ISO-8601 UTC strings of one format sort as times.
    pub fn advance_watermark(&self, map: &str, name: &str, value: &str) -> Result<()> {
        let cursor = CursorMove {
            name,
            value,
            forward_only: true,
        };
        move_cursor(&self.db(), map, cursor)
    }

    /// Deletes a cursor only while it still holds `value`; false when it moved meanwhile.
    pub fn delete_cursor_if(&self, map: &str, name: &str, value: &str) -> Result<bool> {
        Ok(self.db().execute(
            "DELETE FROM cursor WHERE map = ?1 AND name = ?2 AND value = ?3",
            params![map, name, value],
        )? == 1)
    }

    pub fn delete_cursor(&self, map: &str, name: &str) -> Result<()> {
        self.db().execute(
            "DELETE FROM cursor WHERE map = ?1 AND name = ?2",
            params![map, name],
        )?;
        Ok(())
    }

    pub fn clear_cursors(&self, map: &str) -> Result<()> {
        self.db()
            .execute("DELETE FROM cursor WHERE map = ?1", params![map])?;
        Ok(())
    }
}
