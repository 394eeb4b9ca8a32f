//! The maps Duet runs: each one's definition and where it stands (its state, the reason for
//! it and the time it was reached). Every saved definition is also kept as a version, in
//! `versions`.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError, eq_by_name, parse_name, versions};

/// Where a map stands. Stored by its name (`notRunning`, `running`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum MapState {
    NotRunning,
    Initializing,
    Running,
    Paused,
    /// Resumed by catching up: applying the changes queued while paused, then Running.
    Resuming,
    Stopped,
    Error,
}

impl MapState {
    pub fn as_str(self) -> &'static str {
        match self {
            MapState::NotRunning => "notRunning",
            MapState::Initializing => "initializing",
            MapState::Running => "running",
            MapState::Paused => "paused",
            MapState::Resuming => "resuming",
            MapState::Stopped => "stopped",
            MapState::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Result<MapState> {
        parse_name(text, "a map has an unknown state")
    }

    /// Whether the map has a task that captures changes: started and not stopped.
    pub fn is_started(self) -> bool {
        matches!(
            self,
            MapState::Initializing
                | MapState::Running
                | MapState::Paused
                | MapState::Resuming
                | MapState::Error
        )
    }
}

impl std::fmt::Display for MapState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

eq_by_name!(MapState);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapRecord {
    pub name: String,
    pub state: MapState,
    pub reason: Option<String>,
    pub definition: serde_json::Value,
    pub updated_at: String,
}

/// SQL for a map's new `updated_at`: the time given (the SQL parameter named `at`), or a
/// millisecond after the last one when the clock has not moved past it, so two states of a
/// map never share a time and the newer view of a map can always be told from an older one.
pub(crate) fn next_updated_at(at: &str) -> String {
    format!(
        "CASE WHEN {at} > updated_at THEN {at}
         ELSE COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+0.001 seconds'), {at}) END"
    )
}

impl Store {
    /// Adds a map in state `notRunning` with its definition as version 1, or leaves an
    /// existing one as it is.
    pub fn ensure_map(&self, name: &str, definition: &serde_json::Value, at: &str) -> Result<()> {
        let text = definition.to_string();
        let mut db = self.db();
        let transaction = db.transaction()?;
        let added = transaction.execute(
            "INSERT INTO map (name, state, reason, definition, updated_at)
             VALUES (?1, 'notRunning', NULL, ?2, ?3) ON CONFLICT (name) DO NOTHING",
            params![name, text, at],
        )?;
        if added == 1 {
            let author = versions::default_author();
            versions::append_version(&transaction, name, &text, None, &author, at)?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Moves a map from state `from` to `to` (reason cleared) in one statement; false when
    /// it was not in `from` (another action changed it meanwhile).
    pub fn transition_map_state(
        &self,
        name: &str,
        from: MapState,
        to: MapState,
        at: &str,
    ) -> Result<bool> {
        Ok(self.db().execute(
            &format!(
                "UPDATE map SET state = ?3, reason = NULL, updated_at = {}
                 WHERE name = ?1 AND state = ?2",
                next_updated_at("?4")
            ),
            params![name, from.as_str(), to.as_str(), at],
        )? == 1)
    }

    pub fn set_map_state(
        &self,
        name: &str,
        state: MapState,
        reason: Option<&str>,
        at: &str,
    ) -> Result<()> {
        let changed = self.db().execute(
            &format!(
                "UPDATE map SET state = ?2, reason = ?3, updated_at = {} WHERE name = ?1",
                next_updated_at("?4")
            ),
            params![name, state.as_str(), reason, at],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!(
                "there is no map named '{name}'"
            )));
        }
        Ok(())
    }

    pub fn map(&self, name: &str) -> Result<Option<MapRecord>> {
        self.db()
            .query_row(
                "SELECT name, state, reason, definition, updated_at FROM map WHERE name = ?1",
                params![name],
                map_record,
            )
            .optional()?
            .transpose()
    }

    pub fn maps(&self) -> Result<Vec<MapRecord>> {
        let db = self.db();
        let mut statement = db
            .prepare("SELECT name, state, reason, definition, updated_at FROM map ORDER BY name")?;
        let rows = statement.query_map([], map_record)?;
        rows.map(|row| row?).collect()
    }
}

fn map_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<MapRecord>> {
    let (name, state, reason, definition, updated_at): (
        String,
        String,
        Option<String>,
        String,
        String,
    ) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    let state = match MapState::parse(&state) {
        Ok(state) => state,
        Err(error) => return Ok(Err(error)),
    };
    Ok(serde_json::from_str(&definition)
        .map_err(StoreError::from)
        .map(|definition| MapRecord {
            name,
            state,
            reason,
            definition,
            updated_at,
        }))
}
