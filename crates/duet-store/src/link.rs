//! The environments the admin added (a registry of both kinds), the one link that pairs a
//! finance and operations environment with a Dataverse environment, and the reset of that
//! link's sync state.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::maps::{self, MapState};
use crate::{Result, Store, StoreError};

/// One environment as configured by the admin. The client secret is in the OS keyring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentRecord {
    /// Assigned by the store when the environment is added.
    pub id: i64,
    /// `financeOperations` or `dataverse`.
    pub kind: String,
    pub name: String,
    pub url: String,
    pub token_url: String,
    pub tenant: String,
    pub client_id: String,
    pub sandbox: bool,
    /// The certificate authority (PEM) a sandbox's HTTPS is checked against; clients trust it
    /// for this environment alone, and only while it is a sandbox.
    pub ca_certificate: Option<String>,
    pub added_at: String,
}

/// The link: exactly one environment of each kind, and the legal entities it syncs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub finance_operations_id: i64,
    pub dataverse_id: i64,
    pub companies: Vec<String>,
    pub linked_at: String,
}

/// What resetting the link deletes, counted before it is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetCounts {
    /// Sync positions (delta links, watermarks, initial-sync checkpoints).
    pub cursors: i64,
    /// Last known row values used for echo suppression and conflicts.
    pub shadows: i64,
    /// Changes waiting, parked or failed in the queue.
    pub queued: i64,
    /// Maps that were running, initializing or paused.
    pub active_maps: Vec<String>,
}

const ENVIRONMENT_COLUMNS: &str =
    "id, kind, name, url, token_url, tenant, client_id, sandbox, added_at, ca_certificate";

fn environment_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<EnvironmentRecord> {
    Ok(EnvironmentRecord {
        id: row.get(0)?,
        kind: row.get(1)?,
        name: row.get(2)?,
        url: row.get(3)?,
        token_url: row.get(4)?,
        tenant: row.get(5)?,
        client_id: row.get(6)?,
        sandbox: row.get(7)?,
        added_at: row.get(8)?,
        ca_certificate: row.get(9)?,
    })
}

impl Store {
    /// Adds an environment and returns its id. The id in `environment` is ignored. The URL
    /// identifies an environment: adding one twice is refused.
    pub fn add_environment(&self, environment: &EnvironmentRecord) -> Result<i64> {
        let db = self.db();
        if let Some(existing) = find_by_url(&db, &environment.url)? {
            return Err(StoreError::Conflict(format!(
                "{} is already added as '{}'",
                environment.url, existing.name
            )));
        }
        db.execute(
            "INSERT INTO environments
                 (kind, name, url, token_url, tenant, client_id, sandbox, added_at, ca_certificate)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                environment.kind,
                environment.name,
                environment.url,
                environment.token_url,
                environment.tenant,
                environment.client_id,
                environment.sandbox,
                environment.added_at,
                environment.ca_certificate
            ],
        )?;
        Ok(db.last_insert_rowid())
    }

    /// Changes an environment's details (not its kind).
    pub fn update_environment(&self, environment: &EnvironmentRecord) -> Result<()> {
        let db = self.db();
        if let Some(existing) = find_by_url(&db, &environment.url)?
            && existing.id != environment.id
        {
            return Err(StoreError::Conflict(format!(
                "{} is already added as '{}'",
                environment.url, existing.name
            )));
        }
        let changed = db.execute(
            "UPDATE environments SET name = ?2, url = ?3, token_url = ?4, tenant = ?5,
                 client_id = ?6, sandbox = ?7, ca_certificate = ?8 WHERE id = ?1",
            params![
                environment.id,
                environment.name,
                environment.url,
                environment.token_url,
                environment.tenant,
                environment.client_id,
                environment.sandbox,
                environment.ca_certificate
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!(
                "there is no environment with id {}",
                environment.id
            )));
        }
        Ok(())
    }

    pub fn environments(&self) -> Result<Vec<EnvironmentRecord>> {
        let db = self.db();
        let mut statement = db.prepare(&format!(
            "SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY kind, name, id"
        ))?;
        let rows = statement.query_map([], environment_record)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn environment_by_id(&self, id: i64) -> Result<Option<EnvironmentRecord>> {
        Ok(self
            .db()
            .query_row(
                &format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE id = ?1"),
                params![id],
                environment_record,
            )
            .optional()?)
    }

    /// The linked environment of `kind` (`financeOperations` or `dataverse`), if linked.
    pub fn environment(&self, kind: &str) -> Result<Option<EnvironmentRecord>> {
        let column = match kind {
            "financeOperations" => "finance_operations_id",
            "dataverse" => "dataverse_id",
            other => {
                return Err(StoreError::NotFound(format!(
                    "'{other}' is not an environment kind"
                )));
            }
        };
        Ok(self
            .db()
            .query_row(
                &format!(
                    "SELECT {ENVIRONMENT_COLUMNS} FROM environments
                     WHERE id = (SELECT {column} FROM link WHERE id = 1)"
                ),
                [],
                environment_record,
            )
            .optional()?)
    }

    /// Removes an environment that is not in the link.
    pub fn remove_environment(&self, id: i64) -> Result<EnvironmentRecord> {
        let db = self.db();
        let environment = db
            .query_row(
                &format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE id = ?1"),
                params![id],
                environment_record,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("there is no environment with id {id}")))?;
        let linked: bool = db.query_row(
            "SELECT COUNT(*) > 0 FROM link WHERE finance_operations_id = ?1 OR dataverse_id = ?1",
            params![id],
            |row| row.get(0),
        )?;
        if linked {
            return Err(StoreError::Conflict(format!(
                "'{}' is linked; reset the link without relinking before removing it",
                environment.name
            )));
        }
        db.execute("DELETE FROM environments WHERE id = ?1", params![id])?;
        Ok(environment)
    }

    /// Creates the link, or changes its companies when the same pair is linked already.
    /// Linking a different pair while a link exists is refused: one finance and operations
    /// environment pairs with exactly one Dataverse environment.
    pub fn save_link(&self, link: &LinkRecord) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        for (id, kind) in [
            (link.finance_operations_id, "financeOperations"),
            (link.dataverse_id, "dataverse"),
        ] {
            let found: Option<String> = transaction
                .query_row(
                    "SELECT kind FROM environments WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()?;
            match found {
                None => {
                    return Err(StoreError::NotFound(format!(
                        "there is no environment with id {id}"
                    )));
                }
                Some(found) if found != kind => {
                    return Err(StoreError::Conflict(format!(
                        "environment {id} is a {found} environment, not a {kind} one"
                    )));
                }
                Some(_) => {}
            }
        }
        let existing: Option<(Option<i64>, Option<i64>)> = transaction
            .query_row(
                "SELECT finance_operations_id, dataverse_id FROM link WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((finance_operations, dataverse)) = existing
            && (finance_operations != Some(link.finance_operations_id)
                || dataverse != Some(link.dataverse_id))
        {
            let name = |id: Option<i64>| -> rusqlite::Result<String> {
                transaction
                    .query_row(
                        "SELECT name FROM environments WHERE id = ?1",
                        params![id],
                        |row| row.get(0),
                    )
                    .optional()
                    .map(|name| name.unwrap_or_else(|| "(removed)".to_owned()))
            };
            return Err(StoreError::Conflict(format!(
                "'{}' is already linked with '{}'; a finance and operations environment links \
                 with exactly one Dataverse environment. Unlink them first.",
                name(finance_operations)?,
                name(dataverse)?
            )));
        }
        transaction.execute(
            "INSERT INTO link (id, companies, linked_at, finance_operations_id, dataverse_id)
             VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET companies = ?1",
            params![
                serde_json::to_string(&link.companies)?,
                link.linked_at,
                link.finance_operations_id,
                link.dataverse_id
            ],
        )?;
        transaction.commit()?;
        Ok(())
    }

    pub fn link(&self) -> Result<Option<LinkRecord>> {
        let found: Option<(String, String, Option<i64>, Option<i64>)> = self
            .db()
            .query_row(
                "SELECT companies, linked_at, finance_operations_id, dataverse_id
                 FROM link WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        match found {
            Some((companies, linked_at, Some(finance_operations_id), Some(dataverse_id))) => {
                Ok(Some(LinkRecord {
                    finance_operations_id,
                    dataverse_id,
                    companies: serde_json::from_str(&companies)?,
                    linked_at,
                }))
            }
            _ => Ok(None),
        }
    }

    /// What [`Store::reset_link`] would delete.
    pub fn reset_counts(&self) -> Result<ResetCounts> {
        let db = self.db();
        let count =
            |sql: &str| -> rusqlite::Result<i64> { db.query_row(sql, [], |row| row.get(0)) };
        let mut statement = db.prepare(
            "SELECT name FROM map WHERE state IN ('running', 'initializing', 'paused') ORDER BY name",
        )?;
        let active_maps = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ResetCounts {
            cursors: count("SELECT COUNT(*) FROM cursor")?,
            shadows: count("SELECT COUNT(*) FROM shadow")?,
            queued: count("SELECT COUNT(*) FROM queue")?,
            active_maps,
        })
    }

    /// Deletes the link and every map's sync state (cursors, shadows, queue) in one
    /// transaction, and sets every map to not running with `reason`. Map definitions,
    /// environments, alert rules and the activity log are kept.
    pub fn reset_link(&self, reason: &str, at: &str) -> Result<ResetCounts> {
        let counts = self.reset_counts()?;
        let mut db = self.db();
        let transaction = db.transaction()?;
        transaction.execute_batch(
            "DELETE FROM link; DELETE FROM cursor; DELETE FROM shadow; DELETE FROM written;
             DELETE FROM queue;",
        )?;
        transaction.execute(
            &format!(
                "UPDATE map SET state = ?1, reason = ?2, updated_at = {}",
                maps::next_updated_at("?3")
            ),
            params![MapState::NotRunning.as_str(), reason, at],
        )?;
        transaction.commit()?;
        Ok(counts)
    }
}

fn find_by_url(db: &Connection, url: &str) -> Result<Option<EnvironmentRecord>> {
    Ok(db
        .query_row(
            &format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE lower(url) = lower(?1)"),
            params![url],
            environment_record,
        )
        .optional()?)
}
