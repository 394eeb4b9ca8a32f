//! The store's schema as an ordered list of migrations (`rusqlite_migration`). The file's
//! `PRAGMA user_version` counts the migrations it has had; opening runs the missing ones in
//! one transaction, and refuses a file whose version is beyond the last one this build knows.
//!
//! Migration 1 is the schema every release before versioned migrations created (their files
//! have user_version 0). Those releases grew their tables in place, adding columns when a
//! file lacked them; so migration 1 creates only what is missing and then brings each table
//! family up to date the way those releases did. A store of any of them — with or without the
//! later columns — ends with the same schema as a fresh one, and keeps every row.
//!
//! A later change to the schema is a new entry at the end of [`migrations`], never an edit of
//! an earlier one.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{HookError, M, Migrations};

use crate::{Result, StoreError};

/// How many migrations this build knows: the `user_version` of a store it has opened.
pub(crate) fn latest() -> usize {
    migrations().len()
}

fn migrations() -> Vec<M<'static>> {
    vec![M::up_with_hook(
        include_str!("migrations/001_schema.sql"),
        |transaction: &Transaction| catch_up_unversioned(transaction).map_err(hook_error),
    )]
}

/// Refuses a store that has had migrations this build does not know (a newer Duet wrote
/// it), before anything is written to it.
pub(crate) fn refuse_newer(connection: &Connection, file: &str) -> Result<()> {
    let found = user_version(connection)?;
    match usize::try_from(found) {
        Ok(version) if version <= latest() => Ok(()),
        _ => Err(StoreError::NewerSchema {
            file: file.to_owned(),
            found,
            known: latest(),
        }),
    }
}

/// Runs the migrations `connection` has not had yet, all in one immediate transaction, so two
/// openings at once cannot both run them.
pub(crate) fn run(connection: &mut Connection) -> Result<()> {
    connection.set_transaction_behavior(TransactionBehavior::Immediate);
    let migrated = Migrations::new(migrations()).to_latest(connection);
    connection.set_transaction_behavior(TransactionBehavior::Deferred);
    migrated.map_err(from_migration)
}

pub(crate) fn user_version(connection: &Connection) -> Result<i64> {
    Ok(connection.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

fn hook_error(error: StoreError) -> HookError {
    match error {
        StoreError::Sqlite(error) => HookError::RusqliteError(error),
        other => HookError::Hook(other.to_string()),
    }
}

fn from_migration(error: rusqlite_migration::Error) -> StoreError {
    match error {
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::from(err),
        other => StoreError::Migration(other.to_string()),
    }
}

/// What the releases before versioned migrations did on every opening after creating the
/// missing tables: add the columns a file of an earlier one lacks, and move its data along.
fn catch_up_unversioned(connection: &Connection) -> Result<()> {
    queue_columns(connection)?;
    activity_error_class(connection)?;
    first_versions(connection)?;
    environment_registry(connection)?;
    if !has_column(connection, "environments", "ca_certificate")? {
        // Stores written before sandboxes served HTTPS.
        connection.execute_batch("ALTER TABLE environments ADD COLUMN ca_certificate TEXT")?;
    }
    Ok(())
}

/// Whether `table` has `column`: how a store written by an earlier release is told apart.
fn has_column(connection: &Connection, table: &str, column: &str) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |row| row.get(0),
    )?)
}

/// A queue of an earlier release had no read marks, and marked waiting changes only by the
/// start of their error text, which the `wait` column now holds.
fn queue_columns(connection: &Connection) -> Result<()> {
    if !has_column(connection, "queue", "read_mark")? {
        connection.execute_batch("ALTER TABLE queue ADD COLUMN read_mark INTEGER;")?;
    }
    if has_column(connection, "queue", "wait")? {
        return Ok(());
    }
    connection.execute_batch(
        "ALTER TABLE queue ADD COLUMN wait TEXT;
         UPDATE queue SET wait = 'parent' WHERE error LIKE 'held back until%';
         UPDATE queue SET wait = 'selfReference'
             WHERE status = 'queued' AND error LIKE 'waiting for%';",
    )?;
    Ok(())
}

/// The activity log's error class column, and its index.
fn activity_error_class(connection: &Connection) -> Result<()> {
    if !has_column(connection, "activity", "error_class")? {
        connection.execute_batch("ALTER TABLE activity ADD COLUMN error_class TEXT")?;
    }
    connection.execute_batch(
        "CREATE INDEX IF NOT EXISTS activity_class ON activity (error_class, id) WHERE error_class IS NOT NULL",
    )?;
    Ok(())
}

/// Gives every map stored before versions were kept its current definition as version 1.
fn first_versions(connection: &Connection) -> Result<()> {
    connection.execute(
        "INSERT INTO map_version (map, version, author, at, note, definition)
         SELECT name, 1, 'duet', updated_at, 'definition before versions were kept', definition
         FROM map WHERE NOT EXISTS (SELECT 1 FROM map_version WHERE map_version.map = map.name)",
        [],
    )?;
    Ok(())
}

/// Moves a store written before the environment registry existed (one `environment` row per
/// kind, an implicit link) to the registry with an explicit link.
fn environment_registry(connection: &Connection) -> Result<()> {
    let legacy: bool = connection.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'environment'",
        [],
        |row| row.get(0),
    )?;
    if !legacy {
        return Ok(());
    }
    let mut script = String::from(
        "INSERT OR IGNORE INTO environments (kind, name, url, token_url, tenant, client_id, sandbox, added_at)
             SELECT kind, name, url, token_url, tenant, client_id, sandbox, '' FROM environment;",
    );
    if !has_column(connection, "link", "finance_operations_id")? {
        script.push_str(
            "ALTER TABLE link ADD COLUMN finance_operations_id INTEGER REFERENCES environments (id);
             ALTER TABLE link ADD COLUMN dataverse_id INTEGER REFERENCES environments (id);",
        );
    }
    script.push_str(
        "UPDATE link SET
             finance_operations_id = (SELECT id FROM environments WHERE kind = 'financeOperations' ORDER BY id LIMIT 1),
             dataverse_id = (SELECT id FROM environments WHERE kind = 'dataverse' ORDER BY id LIMIT 1);
         DROP TABLE environment;",
    );
    connection.execute_batch(&script)?;
    Ok(())
}
