-- Migration 1: the schema as every release before versioned migrations created it, table
-- family by table family. Every statement is IF NOT EXISTS so that a store written by one of
-- those releases (user_version 0, its tables already there) passes through unchanged; the
-- columns those releases added later, and the data moves that went with them, follow in the
-- migration's hook (`migrations.rs`). Never edit this file: a change to the schema is a new
-- migration.
CREATE TABLE IF NOT EXISTS map (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (
    map TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (map, name)
);
CREATE TABLE IF NOT EXISTS shadow (
    map TEXT NOT NULL,
    side TEXT NOT NULL,
    row_key TEXT NOT NULL,
    dataverse_id TEXT,
    row_values TEXT NOT NULL,
    PRIMARY KEY (map, side, row_key)
);
CREATE INDEX IF NOT EXISTS shadow_dataverse_id ON shadow (map, dataverse_id);
CREATE TABLE IF NOT EXISTS written (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    map TEXT NOT NULL,
    side TEXT NOT NULL,
    row_key TEXT NOT NULL,
    row_values TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS written_row ON written (map, side, row_key, id);
CREATE TABLE IF NOT EXISTS activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    map TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT,
    row_key TEXT,
    operation TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    latency_ms INTEGER,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS activity_map ON activity (map, id);
CREATE INDEX IF NOT EXISTS activity_row ON activity (map, row_key, id);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    map TEXT NOT NULL,
    side TEXT NOT NULL,
    operation TEXT NOT NULL,
    row_key TEXT,
    source_id TEXT,
    row_values TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    wait TEXT,
    read_mark INTEGER
);
CREATE INDEX IF NOT EXISTS queue_map ON queue (map, status, seq);
CREATE INDEX IF NOT EXISTS queue_row ON queue (map, row_key, seq);
CREATE TABLE IF NOT EXISTS alert_rule (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    map TEXT,
    class TEXT NOT NULL,
    threshold INTEGER NOT NULL CHECK (threshold > 0),
    window_minutes INTEGER NOT NULL CHECK (window_minutes > 0),
    action TEXT NOT NULL CHECK (action IN ('none', 'pause', 'stop')),
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS environments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('financeOperations', 'dataverse')),
    name TEXT NOT NULL,
    url TEXT NOT NULL UNIQUE,
    token_url TEXT NOT NULL,
    tenant TEXT NOT NULL,
    client_id TEXT NOT NULL,
    sandbox INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    ca_certificate TEXT
);
CREATE TABLE IF NOT EXISTS link (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    companies TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    finance_operations_id INTEGER REFERENCES environments (id),
    dataverse_id INTEGER REFERENCES environments (id)
);
CREATE TABLE IF NOT EXISTS state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS map_version (
    map TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT,
    definition TEXT NOT NULL,
    PRIMARY KEY (map, version)
);
CREATE INDEX IF NOT EXISTS activity_at ON activity (at);
CREATE TABLE IF NOT EXISTS queue_sample (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    map TEXT NOT NULL,
    queued INTEGER NOT NULL,
    parked INTEGER NOT NULL,
    failed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_sample_at ON queue_sample (map, at);
CREATE INDEX IF NOT EXISTS activity_status ON activity (status, id);
CREATE INDEX IF NOT EXISTS activity_map_status ON activity (map, status, id);
CREATE INDEX IF NOT EXISTS activity_kind ON activity (kind, id);
