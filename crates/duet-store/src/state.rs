//! Small named JSON documents Duet keeps between runs, such as the checkpoint of a setup
//! scenario.

use rusqlite::{OptionalExtension, params};

use crate::{Result, Store};

impl Store {
    pub fn state(&self, name: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = self
            .db()
            .query_row(
                "SELECT value FROM state WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        Ok(text.map(|text| serde_json::from_str(&text)).transpose()?)
    }

    /// Replaces a document in one statement, so a crash leaves the old or the new one.
    pub fn set_state(&self, name: &str, value: &serde_json::Value, at: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO state (name, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET value = ?2, updated_at = ?3",
            params![name, value.to_string(), at],
        )?;
        Ok(())
    }
}
