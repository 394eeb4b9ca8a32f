//! The Dataverse Web API emulator, serving `/api/data/v9.2`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::auth::Auth;
use crate::batch::{self, Flavor};
use crate::catalog::{DvTable, DvType, catalog};
use crate::dv_expand::{self, Annotations, Expand};
use crate::filter::{self, Dialect, FilterError};
use crate::metadata;
use crate::odata::{
    self, ApiError, KeyPart, KeyValue, Prefer, Query, collection_body, decode_path, header_str,
    parse_prefer, reply, split_resource,
};
use crate::protection::Guard;
use crate::sample;
use crate::store::{Db, next_counter, read_counter};

pub(crate) const ROOT_PATH: &str = "/api/data/v9.2";

/// Dataverse's default and maximum page size.
const MAX_PAGE_SIZE: usize = 5000;

/// Starting value of the environment-wide row version counter.
const VERSION_START: i64 = 1_000_000;

/// Upper bound for `Prefer: wait=N`, in seconds.
const MAX_WAIT_SECS: u64 = 60;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dv_rows (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    altkey TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS dv_rows_altkey ON dv_rows (entity, altkey) WHERE altkey IS NOT NULL;
CREATE INDEX IF NOT EXISTS dv_rows_version ON dv_rows (entity, version);
CREATE TABLE IF NOT EXISTS dv_tombstones (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
);";

const CODE_NOT_FOUND: &str = "0x80040217";
const CODE_DUPLICATE: &str = "0x80040237";
const CODE_VERSION_MISMATCH: &str = "0x80060882";
const CODE_INVALID_PROPERTY: &str = "0x80048d19";
const CODE_BAD_QUERY: &str = "0x80060888";
const CODE_UNAUTHENTICATED: &str = "0x80072560";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Str,
    /// Money and decimal columns: any JSON number.
    Money,
    /// Whole numbers and choices.
    Int,
    Bool,
}

struct Column {
    name: &'static str,
    kind: Kind,
}

/// A single-valued navigation property and the `_x_value` column it surfaces as.
struct Lookup {
    nav: &'static str,
    value: &'static str,
    target: &'static str,
}

pub(crate) struct Table {
    set: &'static str,
    logical: &'static str,
    id: &'static str,
    alt_key: &'static str,
    columns: Vec<Column>,
    lookups: Vec<Lookup>,
}

const SYSTEM_COLUMNS: &[&str] = &["createdon", "modifiedon", "versionnumber"];

impl Table {
    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn readable(&self, name: &str) -> bool {
        name == self.id
            || self.column(name).is_some()
            || self.lookups.iter().any(|l| l.value == name)
            || SYSTEM_COLUMNS.contains(&name)
    }

    fn entity_type(&self) -> String {
        format!("Microsoft.Dynamics.CRM.{}", self.logical)
    }
}

/// Every catalog table, built once; names borrow from the `'static` catalog.
fn tables() -> &'static [Table] {
    static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
    TABLES.get_or_init(|| catalog().dataverse.iter().map(table_from_catalog).collect())
}

fn table_from_catalog(t: &'static DvTable) -> Table {
    let mut columns = Vec::new();
    let mut lookups = Vec::new();
    for c in &t.columns {
        if c.name == t.primary_id {
            continue;
        }
        let kind = match &c.kind {
            DvType::Lookup { target } => {
                // Leaked once per lookup column at start-up; the catalog never changes.
                let value: &'static str = Box::leak(format!("_{}_value", c.name).into_boxed_str());
                lookups.push(Lookup {
                    nav: &c.name,
                    value,
                    target,
                });
                continue;
            }
            DvType::Money | DvType::Decimal => Kind::Money,
            DvType::Integer | DvType::Choice { .. } => Kind::Int,
            DvType::Boolean => Kind::Bool,
            DvType::String | DvType::Datetime | DvType::Uniqueidentifier => Kind::Str,
        };
        columns.push(Column {
            name: &c.name,
            kind,
        });
    }
    Table {
        set: &t.entity_set,
        logical: &t.logical_name,
        id: &t.primary_id,
        alt_key: t
            .alternate_keys
            .first()
            .and_then(|k| k.first())
            .map_or("", String::as_str),
        columns,
        lookups,
    }
}

fn known_table(set: &str) -> &'static Table {
    table_by_set(set).expect("table is in the catalog")
}

const COMPANY_SEED: &[(&str, &str)] = &[
    ("DAT", "Contoso Demo"),
    ("USMF", "Contoso Entertainment System USA"),
];

fn table_by_set(set: &str) -> Option<&'static Table> {
    tables().iter().find(|t| t.set == set)
}

/// Ids reported by `WhoAmI`.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub user_id: String,
    pub business_unit_id: String,
    pub organization_id: String,
}

#[derive(Clone)]
pub(crate) struct DvState {
    pub db: Db,
    pub url: String,
    pub root: String,
    pub auth: Arc<Auth>,
    pub who: Who,
    pub guard: Arc<Guard>,
    notify: Arc<HashMap<&'static str, watch::Sender<i64>>>,
    shutdown: watch::Receiver<bool>,
}

impl DvState {
    pub(crate) fn new(
        db: Db,
        url: String,
        auth: Arc<Auth>,
        who: Who,
        guard: Arc<Guard>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let notify = tables()
            .iter()
            .map(|t| (t.set, watch::channel(0).0))
            .collect();
        DvState {
            db,
            root: format!("{url}{ROOT_PATH}"),
            url,
            auth,
            who,
            guard,
            notify: Arc::new(notify),
            shutdown,
        }
    }

    fn changed(&self, table: &Table, version: i64) {
        if let Some(tx) = self.notify.get(table.set) {
            tx.send_replace(version);
        }
    }
}

fn now_text() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

fn err(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

fn bad_request(message: impl Into<String>) -> ApiError {
    err(StatusCode::BAD_REQUEST, CODE_BAD_QUERY, message)
}

fn duplicate() -> ApiError {
    err(
        StatusCode::PRECONDITION_FAILED,
        CODE_DUPLICATE,
        "A record with matching key values already exists.",
    )
}

fn query_error(table: &Table, e: FilterError) -> ApiError {
    match e {
        FilterError::UnknownProperty(p) => bad_request(format!(
            "Could not find a property named '{p}' on type '{}'.",
            table.entity_type()
        )),
        other => bad_request(other.to_string()),
    }
}

/// Opens `dataverse.sqlite`, seeding the companies on first use when `with_companies` is set.
pub(crate) fn open(path: &Path, with_companies: bool) -> Result<Db, rusqlite::Error> {
    let db = Db::open(path, SCHEMA)?;
    if !with_companies {
        return Ok(db);
    }
    db.with(|conn| -> Result<(), rusqlite::Error> {
        for (code, name) in COMPANY_SEED {
            let key = RowKey::Alt((*code).to_string());
            if find_row(conn, known_table("cdm_companies"), &key)?.is_none() {
                let tx = conn.transaction()?;
                let mut values = Map::new();
                values.insert("cdm_companycode".into(), Value::from(*code));
                values.insert("cdm_name".into(), Value::from(*name));
                insert_row(&tx, known_table("cdm_companies"), None, values).map_err(|e| {
                    rusqlite::Error::ToSqlConversionFailure(e.body.to_string().into())
                })?;
                tx.commit()?;
            }
        }
        Ok(())
    })?;
    Ok(db)
}

fn to_sql_error(e: ApiError) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(e.body.to_string().into())
}

/// Writes `count` accounts without a company when the store holds no accounts yet, returning
/// how many were written. The first half reuse the account numbers and names of the first
/// customers the F&O generator makes for (`seed`, `fo_rows`); the rest get `EX-` numbers and
/// names from a generator with a derived seed, so F&O never has them.
pub(crate) fn seed_existing_accounts(
    db: &Db,
    count: usize,
    fo_rows: usize,
    seed: u64,
) -> Result<usize, rusqlite::Error> {
    if count == 0 {
        return Ok(0);
    }
    db.with(|conn| {
        let tx = conn.transaction()?;
        let existing = tx
            .query_row(
                "SELECT 1 FROM dv_rows WHERE entity = ?1 LIMIT 1",
                params!["accounts"],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if existing {
            return Ok(0);
        }
        let matched = count / 2;
        let mut same = sample::Generator::new(seed, fo_rows);
        let mut other = sample::Generator::new(seed ^ 0x5eed_0e15_7000_0000, count);
        for i in 0..count {
            let (number, c) = if i < matched {
                let c = same.next_customer();
                (c.account.clone(), c)
            } else {
                let c = other.next_customer();
                (format!("EX-{:06}", i - matched + 1), c)
            };
            let mut values = Map::new();
            values.insert("accountnumber".into(), Value::from(number));
            values.insert("name".into(), Value::from(c.name));
            values.insert("creditlimit".into(), Value::from(c.credit_limit));
            values.insert("emailaddress1".into(), Value::from(c.email));
            values.insert("telephone1".into(), Value::from(c.phone));
            values.insert("description".into(), Value::from(c.memo));
            insert_row(&tx, known_table("accounts"), None, values).map_err(to_sql_error)?;
        }
        tx.commit()?;
        Ok(count)
    })
}

#[derive(Debug, Clone)]
enum RowKey {
    Id(String),
    Alt(String),
}

struct StoredRow {
    id: String,
    version: i64,
    row: Map<String, Value>,
}

fn row_from_sql(version: i64, body: &str) -> Map<String, Value> {
    let mut map = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    map.insert("@odata.etag".into(), Value::from(etag(version)));
    map
}

fn find_row(
    conn: &Connection,
    table: &Table,
    key: &RowKey,
) -> Result<Option<StoredRow>, rusqlite::Error> {
    let (sql, value) = match key {
        RowKey::Id(id) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND id = ?2",
            id.to_ascii_lowercase(),
        ),
        RowKey::Alt(v) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND altkey = ?2",
            v.to_lowercase(),
        ),
    };
    conn.query_row(sql, params![table.set, value], |r| {
        let version: i64 = r.get(1)?;
        Ok(StoredRow {
            id: r.get(0)?,
            version,
            row: row_from_sql(version, &r.get::<_, String>(2)?),
        })
    })
    .optional()
}

fn parse_guid(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches('{').trim_end_matches('}');
    uuid::Uuid::try_parse(t).ok().map(|u| u.to_string())
}

fn parse_row_key(table: &Table, raw: &str) -> Result<RowKey, ApiError> {
    let parts = odata::parse_key_predicate(raw)
        .map_err(|e| bad_request(format!("The key '{raw}' is not valid: {e}.")))?;
    let [part] = parts.as_slice() else {
        return Err(bad_request(format!(
            "The key '{raw}' does not match a key defined for entity '{}'.",
            table.logical
        )));
    };
    let as_id = |v: &KeyValue| {
        parse_guid(v.text())
            .map(RowKey::Id)
            .ok_or_else(|| bad_request(format!("'{}' is not a valid Guid.", v.text())))
    };
    match (&part.name, &part.value) {
        (None, v) => as_id(v),
        (Some(n), v) if n == table.id => as_id(v),
        (Some(n), KeyValue::Quoted(v)) if n == table.alt_key => Ok(RowKey::Alt(v.clone())),
        (Some(n), _) => Err(bad_request(format!(
            "The key attribute '{n}' is not defined as an alternate key for entity '{}'.",
            table.logical
        ))),
    }
}

fn key_url(root: &str, table: &Table, key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => format!("{root}/{}({id})", table.set),
        RowKey::Alt(v) => format!(
            "{root}/{}({}={})",
            table.set,
            table.alt_key,
            odata::quote_key(v)
        ),
    }
}

fn key_description(table: &Table, key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => id.clone(),
        RowKey::Alt(v) => format!("{}='{v}'", table.alt_key),
    }
}

fn not_found(table: &Table, key: &RowKey) -> ApiError {
    err(
        StatusCode::NOT_FOUND,
        CODE_NOT_FOUND,
        format!(
            "{} With Id = {} Does Not Exist",
            table.logical,
            key_description(table, key)
        ),
    )
}

fn invalid_property(table: &Table, name: &str) -> ApiError {
    err(
        StatusCode::BAD_REQUEST,
        CODE_INVALID_PROPERTY,
        format!(
            "Invalid property '{name}' was found in entity '{}'.",
            table.entity_type()
        ),
    )
}

/// Resolves an `@odata.bind` target such as `/cdm_companies(cdm_companycode='DAT')`.
fn resolve_bind(conn: &Connection, lookup: &Lookup, target: &str) -> Result<String, ApiError> {
    let unresolved = || {
        err(
            StatusCode::BAD_REQUEST,
            CODE_NOT_FOUND,
            format!(
                "The reference '{target}' for '{}' could not be resolved.",
                lookup.nav
            ),
        )
    };
    let path = match target.find(ROOT_PATH) {
        Some(pos) => &target[pos + ROOT_PATH.len()..],
        None => target,
    };
    let res = split_resource(path).map_err(|_| unresolved())?;
    let table = table_by_set(&res.set).filter(|t| t.set == lookup.target);
    let (Some(table), Some(key), None) = (table, res.key, res.tail) else {
        return Err(unresolved());
    };
    let key = parse_row_key(table, &key).map_err(|_| unresolved())?;
    find_row(conn, table, &key)?
        .map(|r| r.id)
        .ok_or_else(unresolved)
}

/// A validated write body: column values (lookups already resolved) and an optional id.
struct Changes {
    values: Map<String, Value>,
    id: Option<String>,
}

fn parse_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request("The request body must be a JSON object.")),
        Err(e) => Err(bad_request(format!(
            "The request body is not valid JSON: {e}."
        ))),
    }
}

fn parse_changes(
    conn: &Connection,
    table: &Table,
    body: Map<String, Value>,
) -> Result<Changes, ApiError> {
    let mut values = Map::new();
    let mut id = None;
    for (name, value) in body {
        if name.starts_with('@') {
            continue;
        }
        if let Some(nav) = name.strip_suffix("@odata.bind") {
            let lookup = table
                .lookups
                .iter()
                .find(|l| l.nav == nav)
                .ok_or_else(|| invalid_property(table, &name))?;
            let resolved = match &value {
                Value::Null => Value::Null,
                Value::String(s) => Value::from(resolve_bind(conn, lookup, s)?),
                _ => return Err(invalid_property(table, &name)),
            };
            values.insert(lookup.value.to_string(), resolved);
            continue;
        }
        if let Some(lookup) = table.lookups.iter().find(|l| l.nav == name) {
            if !value.is_null() {
                return Err(bad_request(format!(
                    "Use '{}@odata.bind' to set the navigation property '{name}'.",
                    lookup.nav
                )));
            }
            values.insert(lookup.value.to_string(), Value::Null);
            continue;
        }
        if name == table.id {
            let guid = value.as_str().and_then(parse_guid).ok_or_else(|| {
                bad_request(format!("'{value}' is not a valid value for '{name}'."))
            })?;
            id = Some(guid);
            continue;
        }
        if SYSTEM_COLUMNS.contains(&name.as_str()) {
            // Dataverse maintains these itself and ignores client values.
            continue;
        }
        let Some(column) = table.column(&name) else {
            return Err(invalid_property(table, &name));
        };
        let ok = match column.kind {
            _ if value.is_null() => true,
            Kind::Str => value.is_string(),
            Kind::Money => value.is_number(),
            Kind::Int => value.is_i64(),
            Kind::Bool => value.is_boolean(),
        };
        if !ok {
            return Err(err(
                StatusCode::BAD_REQUEST,
                CODE_INVALID_PROPERTY,
                format!("Cannot convert the literal '{value}' to the expected type of '{name}'."),
            ));
        }
        values.insert(name, value);
    }
    Ok(Changes { values, id })
}

fn alt_value(table: &Table, row: &Map<String, Value>) -> Option<String> {
    row.get(table.alt_key)
        .and_then(Value::as_str)
        .map(str::to_lowercase)
}

fn check_alt_unique(
    conn: &Connection,
    table: &Table,
    alt: Option<&str>,
    id: &str,
) -> Result<(), ApiError> {
    if let Some(alt) = alt
        && let Some(other) = find_row(conn, table, &RowKey::Alt(alt.to_string()))?
        && other.id != id
    {
        return Err(duplicate());
    }
    Ok(())
}

struct Written {
    id: String,
    version: i64,
    created: bool,
    row: Map<String, Value>,
}

fn insert_row(
    conn: &Connection,
    table: &Table,
    id: Option<String>,
    values: Map<String, Value>,
) -> Result<Written, ApiError> {
    let id = id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if find_row(conn, table, &RowKey::Id(id.clone()))?.is_some() {
        return Err(duplicate());
    }
    let mut row = Map::new();
    row.insert(table.id.into(), Value::from(id.clone()));
    for c in &table.columns {
        row.insert(c.name.into(), Value::Null);
    }
    for l in &table.lookups {
        row.insert(l.value.into(), Value::Null);
    }
    row.extend(values);
    let alt = alt_value(table, &row);
    check_alt_unique(conn, table, alt.as_deref(), &id)?;
    let version = next_counter(conn, "version", VERSION_START)?;
    let now = now_text();
    row.insert("createdon".into(), Value::from(now.clone()));
    row.insert("modifiedon".into(), Value::from(now));
    row.insert("versionnumber".into(), Value::from(version));
    conn.execute(
        "INSERT INTO dv_rows (entity, id, altkey, version, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            table.set,
            id,
            alt,
            version,
            Value::Object(row.clone()).to_string()
        ],
    )?;
    // A re-created id is live again, so its old tombstone must not be reported as a delete.
    conn.execute(
        "DELETE FROM dv_tombstones WHERE entity = ?1 AND id = ?2",
        params![table.set, id],
    )?;
    row.insert("@odata.etag".into(), Value::from(etag(version)));
    Ok(Written {
        id,
        version,
        created: true,
        row,
    })
}

fn update_row(
    conn: &Connection,
    table: &Table,
    existing: StoredRow,
    values: Map<String, Value>,
) -> Result<Written, ApiError> {
    let mut row = existing.row;
    row.remove("@odata.etag");
    row.extend(values);
    let alt = alt_value(table, &row);
    check_alt_unique(conn, table, alt.as_deref(), &existing.id)?;
    let version = next_counter(conn, "version", VERSION_START)?;
    row.insert("modifiedon".into(), Value::from(now_text()));
    row.insert("versionnumber".into(), Value::from(version));
    conn.execute(
        "UPDATE dv_rows SET altkey = ?3, version = ?4, body = ?5 WHERE entity = ?1 AND id = ?2",
        params![
            table.set,
            existing.id,
            alt,
            version,
            Value::Object(row.clone()).to_string()
        ],
    )?;
    row.insert("@odata.etag".into(), Value::from(etag(version)));
    Ok(Written {
        id: existing.id,
        version,
        created: false,
        row,
    })
}

fn etag_matches(if_match: &str, version: i64) -> bool {
    let current = etag(version);
    if_match.split(',').map(str::trim).any(|t| {
        t == "*"
            || t == current
            || t.trim_start_matches("W/").trim_matches('"') == version.to_string()
    })
}

fn version_mismatch() -> ApiError {
    err(
        StatusCode::PRECONDITION_FAILED,
        CODE_VERSION_MISMATCH,
        "The version of the existing record doesn't match the RowVersion property provided.",
    )
}

/// Entry point for every request on the Dataverse port other than the token endpoint and the
/// admin routes.
pub(crate) async fn handle(
    State(st): State<Arc<DvState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = st.auth.client_of(&headers, &st.url);
    let _permit = match st.guard.admit(client).await {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let result = if decode_path(uri.path()) == format!("{ROOT_PATH}/$batch") {
        batch_entry(&st, &method, headers, body).await
    } else {
        route(&st, method, &uri, &headers, body).await
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn unauthenticated() -> ApiError {
    let mut e = err(
        StatusCode::UNAUTHORIZED,
        CODE_UNAUTHENTICATED,
        "The bearer token is missing, expired or was not issued for this environment.",
    );
    e.authenticate = true;
    e
}

/// `POST /api/data/v9.2/$batch`.
async fn batch_entry(
    st: &Arc<DvState>,
    method: &Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !st.auth.authorized(&headers, &st.url) {
        return Err(unauthenticated());
    }
    if *method != Method::POST {
        return Err(err(
            StatusCode::METHOD_NOT_ALLOWED,
            CODE_BAD_QUERY,
            format!("The requested resource does not support http method '{method}'."),
        ));
    }
    batch::run(st.clone(), headers, body).await
}

impl batch::Service for Arc<DvState> {
    const FLAVOR: Flavor = Flavor::Dataverse;

    fn root_path(&self) -> &'static str {
        ROOT_PATH
    }

    fn db(&self) -> &Db {
        &self.db
    }

    fn with_db(&self, db: Db) -> Self {
        Arc::new(DvState {
            db,
            ..DvState::clone(self)
        })
    }

    async fn execute(&self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        route(self, method, &uri, &headers, body)
            .await
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn entity_url(&self, headers: &HeaderMap, body: &[u8]) -> Option<String> {
        if let Some(url) = header_str(headers, "odata-entityid").or(header_str(headers, "location"))
        {
            return Some(url.to_string());
        }
        // With `return=representation` the URL is not sent, so rebuild it from the body.
        let body: Value = serde_json::from_slice(body).ok()?;
        let context = body.get("@odata.context")?.as_str()?;
        let after = &context[context.find("$metadata#")? + "$metadata#".len()..];
        let set = &after[..after.find(['(', '/']).unwrap_or(after.len())];
        let table = table_by_set(set)?;
        let id = body.get(table.id)?.as_str()?;
        Some(key_url(&self.root, table, &RowKey::Id(id.to_string())))
    }

    fn bad_request(&self, message: String) -> ApiError {
        bad_request(message)
    }
}

async fn route(
    st: &Arc<DvState>,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let rest = match path.strip_prefix(ROOT_PATH) {
        Some(r) if r.is_empty() || r.starts_with('/') => r,
        _ => {
            return Err(err(
                StatusCode::NOT_FOUND,
                "",
                format!("No resource was found at '{path}'."),
            ));
        }
    };
    if !st.auth.authorized(headers, &st.url) {
        return Err(unauthenticated());
    }
    if let Some(fault) = st.guard.write_fault(&method) {
        return Err(fault);
    }
    let rest = decode_path(rest);
    if rest.is_empty() || rest == "/" {
        let sets: Vec<Value> = tables()
            .iter()
            .map(|t| json!({"name": t.set, "kind": "EntitySet", "url": t.set}))
            .collect();
        let body = json!({"@odata.context": format!("{}/$metadata", st.root), "value": sets});
        return Ok(reply(StatusCode::OK, Some(body.to_string()), &[]));
    }
    let res = split_resource(&rest).map_err(bad_request)?;
    if res.set == "$batch" {
        return Err(bad_request("A batch cannot contain another batch."));
    }
    if res.set == "WhoAmI" && method == Method::GET && res.tail.is_none() {
        let body = json!({
            "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse", st.root),
            "BusinessUnitId": st.who.business_unit_id,
            "UserId": st.who.user_id,
            "OrganizationId": st.who.organization_id,
        });
        return Ok(reply(StatusCode::OK, Some(body.to_string()), &[]));
    }
    if res.set == "$metadata" && res.key.is_none() && res.tail.is_none() {
        if method != Method::GET {
            return Err(bad_request("The metadata document is read-only."));
        }
        return Ok(metadata::xml_reply(metadata::dv_csdl(catalog())));
    }
    if res.set == "EntityDefinitions" {
        if method != Method::GET {
            return Err(bad_request(
                "The sandbox serves table definitions read-only.",
            ));
        }
        return entity_definitions(st, res.key.as_deref(), res.tail.as_deref(), uri);
    }
    let table = table_by_set(&res.set).ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            CODE_BAD_QUERY,
            format!("Resource not found for the segment '{}'.", res.set),
        )
    })?;
    let query = Query::parse(uri.query());
    let prefer = parse_prefer(headers);
    let method_not_allowed = || {
        err(
            StatusCode::METHOD_NOT_ALLOWED,
            "0x80060888",
            format!("The requested resource does not support http method '{method}'."),
        )
    };
    match (res.key, res.tail.as_deref()) {
        (None, None) => match method {
            Method::GET => list(st, table, &query, &prefer).await,
            Method::POST => create(st, table, &query, &prefer, &body).await,
            _ => Err(method_not_allowed()),
        },
        (None, Some("$count")) if method == Method::GET => {
            let set = table.set;
            let n: i64 = st
                .db
                .run(move |conn| {
                    Ok(conn.query_row(
                        "SELECT COUNT(*) FROM dv_rows WHERE entity = ?1",
                        params![set],
                        |r| r.get(0),
                    )?)
                })
                .await?;
            let mut resp =
                (StatusCode::OK, n.min(MAX_PAGE_SIZE as i64).to_string()).into_response();
            resp.headers_mut()
                .insert("OData-Version", HeaderValue::from_static("4.0"));
            Ok(resp)
        }
        (None, Some(action)) if action.starts_with("Microsoft.Dynamics.CRM.") => {
            let bulk = match &action["Microsoft.Dynamics.CRM.".len()..] {
                "CreateMultiple" => Bulk::Create,
                "UpdateMultiple" => Bulk::Update,
                "UpsertMultiple" => Bulk::Upsert,
                other => {
                    return Err(err(
                        StatusCode::NOT_FOUND,
                        CODE_BAD_QUERY,
                        format!("Resource not found for the segment '{other}'."),
                    ));
                }
            };
            if method != Method::POST {
                return Err(method_not_allowed());
            }
            bulk_write(st, table, bulk, &body).await
        }
        (Some(key), None) => {
            let key = parse_row_key(table, &key)?;
            match method {
                Method::GET => get_one(st, table, key, &query, &prefer).await,
                Method::PATCH => upsert(st, table, key, &query, &prefer, headers, &body).await,
                Method::DELETE => delete(st, table, key, headers).await,
                _ => Err(method_not_allowed()),
            }
        }
        _ => Err(err(
            StatusCode::NOT_FOUND,
            CODE_BAD_QUERY,
            format!("Resource not found for the segment '{rest}'."),
        )),
    }
}

/// `GET EntityDefinitions` and `GET EntityDefinitions(LogicalName='x')`, with `$select` and
/// `$expand=Attributes` (optionally with a nested `$select`).
fn entity_definitions(
    st: &DvState,
    key: Option<&str>,
    tail: Option<&str>,
    uri: &Uri,
) -> Result<Response, ApiError> {
    let query = Query::parse(uri.query());
    for (name, _) in &query.pairs {
        if !matches!(name.as_str(), "$select" | "$expand") {
            return Err(bad_request(format!(
                "The query option '{name}' is not supported on EntityDefinitions by the sandbox."
            )));
        }
    }
    if tail.is_some() {
        return Err(err(
            StatusCode::NOT_FOUND,
            CODE_BAD_QUERY,
            "Resource not found for the segment after EntityDefinitions.",
        ));
    }
    let (select, expand) = (query.get("$select"), query.get("$expand"));
    let cat = catalog();
    let context = format!("{}/$metadata#EntityDefinitions", st.root);
    let Some(key) = key else {
        let mut items = Vec::new();
        for t in &cat.dataverse {
            let d = metadata::entity_definition(cat, t, select, expand).map_err(bad_request)?;
            items.push(Value::Object(d));
        }
        let body = json!({"@odata.context": context, "value": items});
        return Ok(reply(StatusCode::OK, Some(body.to_string()), &[]));
    };
    let parts = odata::parse_key_predicate(key).map_err(bad_request)?;
    let logical = match parts.as_slice() {
        [
            KeyPart {
                name: Some(n),
                value: KeyValue::Quoted(v),
            },
        ] if n == "LogicalName" => v.clone(),
        _ => {
            return Err(bad_request(format!(
                "The key '{key}' is not supported; use EntityDefinitions(LogicalName='name')."
            )));
        }
    };
    let table = cat.dv_table_by_logical(&logical).ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("Could not find an entity with LogicalName = '{logical}'."),
        )
    })?;
    let mut d = metadata::entity_definition(cat, table, select, expand).map_err(bad_request)?;
    d.insert(
        "@odata.context".into(),
        Value::from(format!("{context}/$entity")),
    );
    Ok(reply(
        StatusCode::OK,
        Some(Value::Object(d).to_string()),
        &[],
    ))
}

fn parse_select(table: &Table, q: &Query) -> Result<Option<Vec<String>>, ApiError> {
    q.get("$select")
        .map(|s| filter::parse_select(s, &|f| table.readable(f)).map_err(|e| query_error(table, e)))
        .transpose()
}

fn project(table: &Table, mut row: Map<String, Value>, select: Option<&[String]>) -> Value {
    match select {
        None => Value::Object(row),
        Some(cols) => {
            let mut out = Map::new();
            if let Some(e) = row.remove("@odata.etag") {
                out.insert("@odata.etag".into(), e);
            }
            for c in cols {
                out.insert(c.clone(), row.get(c).cloned().unwrap_or(Value::Null));
            }
            out.insert(table.id.into(), row.remove(table.id).unwrap_or(Value::Null));
            Value::Object(out)
        }
    }
}

fn context(root: &str, table: &Table, select: Option<&[String]>) -> String {
    match select {
        Some(cols) => format!("{root}/$metadata#{}({})", table.set, cols.join(",")),
        None => format!("{root}/$metadata#{}", table.set),
    }
}

fn entity_body(
    st: &DvState,
    table: &Table,
    row: Map<String, Value>,
    select: Option<&[String]>,
) -> String {
    let mut body = project(table, row, select);
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!("{}/$entity", context(&st.root, table, select))),
        );
    }
    body.to_string()
}

/// Reads an attribute from the paging cookie carried in `$skiptoken`.
fn cookie_attr(cookie: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = cookie.find(&marker)? + marker.len();
    let end = cookie[start..].find('"')? + start;
    Some(cookie[start..end].to_string())
}

fn page_size(prefer: &Prefer) -> usize {
    prefer
        .max_page_size
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
}

fn delta_token(version: i64) -> String {
    format!("{version}!{}", Utc::now().format("%m/%d/%Y %H:%M:%S"))
}

fn parse_delta_token(token: &str) -> Result<i64, ApiError> {
    let malformed = || bad_request(format!("The delta token '{token}' is not valid."));
    let (version, stamp) = token.split_once('!').unwrap_or((token, ""));
    let version = version.trim().parse::<i64>().map_err(|_| malformed())?;
    if version < 0 {
        return Err(malformed());
    }
    if !stamp.is_empty()
        && NaiveDateTime::parse_from_str(stamp.trim(), "%m/%d/%Y %H:%M:%S").is_err()
    {
        return Err(malformed());
    }
    Ok(version)
}

fn delta_link(st: &DvState, table: &Table, q: &Query, version: i64) -> String {
    let mut carry = Query::default();
    if let Some(s) = q.get("$select") {
        carry.pairs.push(("$select".into(), s.to_string()));
    }
    format!(
        "{}/{}?{}",
        st.root,
        table.set,
        carry.rebuild(&[], &[("$deltatoken", delta_token(version))])
    )
}

fn load_rows(
    conn: &Connection,
    table: &str,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Map<String, Value>>, rusqlite::Error> {
    let mut stmt = conn.prepare(sql)?;
    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&table];
    all.extend_from_slice(args);
    let rows = stmt.query_map(all.as_slice(), |r| {
        Ok(row_from_sql(r.get(0)?, &r.get::<_, String>(1)?))
    })?;
    rows.collect()
}

async fn list(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
) -> Result<Response, ApiError> {
    if q.get("$skip").is_some() {
        return Err(bad_request("The query parameter $skip is not supported."));
    }
    let select = parse_select(table, q)?;
    let skiptoken = q.get("$skiptoken").map(str::to_string);
    let tracking_page = skiptoken
        .as_deref()
        .and_then(|c| cookie_attr(c, "istracking"))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let delta = q.get("$deltatoken");
    if prefer.track_changes || delta.is_some() || tracking_page {
        for opt in ["$filter", "$orderby", "$expand", "$top"] {
            if q.get(opt).is_some() {
                return Err(bad_request(format!(
                    "The \"{opt}\" query parameter isn't supported when Change Tracking is enabled."
                )));
            }
        }
        return match delta {
            Some(token) => {
                changes_since(st, table, q, prefer, parse_delta_token(token)?, select).await
            }
            None => initial_tracking(st, table, q, prefer, skiptoken.as_deref(), select).await,
        };
    }
    let expand = parse_expand(table, q)?;
    let is_field = |f: &str| table.readable(f);
    let expr = q
        .get("$filter")
        .map(|f| filter::parse(f, &is_field).map_err(|e| query_error(table, e)))
        .transpose()?;
    let order = q
        .get("$orderby")
        .map(|o| filter::parse_orderby(o, &is_field).map_err(|e| query_error(table, e)))
        .transpose()?
        .unwrap_or_default();
    let top = q
        .get("$top")
        .map(|t| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| bad_request(format!("Invalid value '{t}' for $top.")))
        })
        .transpose()?;
    let offset = match skiptoken.as_deref() {
        None => 0,
        Some(c) => cookie_attr(c, "skip")
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| bad_request("The $skiptoken is not valid."))?,
    };
    let with_count = q
        .get("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let set = table.set;
    let mut rows = st
        .db
        .run(move |conn| {
            Ok(load_rows(
                conn,
                set,
                "SELECT version, body FROM dv_rows WHERE entity = ?1 ORDER BY id",
                &[],
            )?)
        })
        .await?;
    let dialect = Dialect { wildcard_eq: false };
    if let Some(e) = &expr {
        rows.retain(|r| e.matches(r, dialect));
    }
    filter::sort_rows(&mut rows, &order);
    if let Some(t) = top {
        rows.truncate(t);
    }
    let total = rows.len();
    let size = page_size(prefer);
    let has_more = total > offset + size;
    let page_rows: Vec<Map<String, Value>> = rows.into_iter().skip(offset).take(size).collect();
    let wanted = Annotations::from_prefer(prefer.include_annotations.as_deref());
    let page = finish_rows(st, table, page_rows, select.clone(), expand, wanted).await?;
    let next = has_more.then(|| {
        let next_offset = offset + size;
        let cookie = format!(
            "<cookie pagenumber=\"{}\" skip=\"{next_offset}\" istracking=\"False\" />",
            next_offset / size + 1
        );
        format!(
            "{}/{}?{}",
            st.root,
            table.set,
            q.rebuild(&["$skiptoken"], &[("$skiptoken", cookie)])
        )
    });
    let body = collection_body(
        &context(&st.root, table, select.as_deref()),
        with_count.then_some(total.min(MAX_PAGE_SIZE)),
        &page,
        next.as_deref(),
        None,
    );
    let mut headers = Vec::new();
    if let Some(n) = prefer.max_page_size {
        headers.push(("Preference-Applied", format!("odata.maxpagesize={n}")));
    }
    if let Some(a) = &prefer.include_annotations {
        headers.push((
            "Preference-Applied",
            format!("odata.include-annotations=\"{a}\""),
        ));
    }
    Ok(reply(StatusCode::OK, Some(body), &headers))
}

fn parse_expand(table: &'static Table, q: &Query) -> Result<Vec<Expand>, ApiError> {
    let Some(text) = q.get("$expand") else {
        return Ok(Vec::new());
    };
    let items = dv_expand::parse_expand(text, &table.entity_type(), &|n| {
        table.lookups.iter().any(|l| l.nav == n)
    })
    .map_err(bad_request)?;
    for item in &items {
        let target = lookup_target(table, &item.nav);
        for c in item.select.iter().flatten() {
            if !target.readable(c) {
                return Err(bad_request(format!(
                    "Could not find a property named '{c}' on type '{}'.",
                    target.entity_type()
                )));
            }
        }
    }
    Ok(items)
}

fn lookup_target(table: &Table, nav: &str) -> &'static Table {
    table
        .lookups
        .iter()
        .find(|l| l.nav == nav)
        .and_then(|l| table_by_set(l.target))
        .expect("lookup targets are catalog tables")
}

/// Projects rows, then adds expanded lookups and the requested annotations, reading the
/// lookup targets in one database call.
async fn finish_rows(
    st: &Arc<DvState>,
    table: &'static Table,
    rows: Vec<Map<String, Value>>,
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
    wanted: Annotations,
) -> Result<Vec<Value>, ApiError> {
    if expand.is_empty() && !wanted.any() {
        return Ok(rows
            .into_iter()
            .map(|r| project(table, r, select.as_deref()))
            .collect());
    }
    st.db
        .run(move |conn| {
            let conn: &Connection = conn;
            let target_row = |set: &str, id: &str| -> Option<Map<String, Value>> {
                let t = table_by_set(set)?;
                find_row(conn, t, &RowKey::Id(id.to_string()))
                    .ok()
                    .flatten()
                    .map(|r| r.row)
            };
            let names = |set: &str, id: &str| {
                target_row(set, id).and_then(|r| dv_expand::display_name(set, &r))
            };
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let ids: Vec<Option<String>> = expand
                    .iter()
                    .map(|e| {
                        row.get(&format!("_{}_value", e.nav))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .collect();
                let mut obj = match project(table, row, select.as_deref()) {
                    Value::Object(m) => m,
                    other => return Ok(vec![other]),
                };
                if wanted.any() {
                    dv_expand::annotate(table.set, &mut obj, wanted, &names);
                }
                for (e, id) in expand.iter().zip(ids) {
                    let target = lookup_target(table, &e.nav);
                    let value =
                        id.and_then(|id| target_row(target.set, &id))
                            .map_or(Value::Null, |r| {
                                let mut v = project(target, r, e.select.as_deref());
                                if wanted.any()
                                    && let Some(m) = v.as_object_mut()
                                {
                                    dv_expand::annotate(target.set, m, wanted, &names);
                                }
                                v
                            });
                    obj.insert(e.nav.clone(), value);
                }
                out.push(Value::Object(obj));
            }
            Ok(out)
        })
        .await
}

/// First change-tracking request: every current row, paged by id so concurrent deletes cannot
/// shift later pages, then a delta link pinned to the version read with the first page.
async fn initial_tracking(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    skiptoken: Option<&str>,
    select: Option<Vec<String>>,
) -> Result<Response, ApiError> {
    let (after, pinned) = match skiptoken {
        None => (String::new(), None),
        Some(c) => {
            let last = cookie_attr(c, "last");
            let version = cookie_attr(c, "version").and_then(|v| v.parse::<i64>().ok());
            match (last, version) {
                (Some(l), Some(v)) => (l, Some(v)),
                _ => return Err(bad_request("The $skiptoken is not valid.")),
            }
        }
    };
    let page_number = skiptoken
        .and_then(|c| cookie_attr(c, "pagenumber"))
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1);
    let size = page_size(prefer);
    let set = table.set;
    let (mut rows, version) = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let version = match pinned {
                Some(v) => v,
                None => read_counter(&tx, "version", VERSION_START)?,
            };
            let limit = (size + 1) as i64;
            let rows = load_rows(
                &tx,
                set,
                "SELECT version, body FROM dv_rows WHERE entity = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                &[&after, &limit],
            )?;
            Ok((rows, version))
        })
        .await?;
    let has_more = rows.len() > size;
    rows.truncate(size);
    let last_id = rows
        .last()
        .and_then(|r| r.get(table.id))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let page: Vec<Value> = rows
        .into_iter()
        .map(|r| project(table, r, select.as_deref()))
        .collect();
    let (next, delta) = if has_more {
        let cookie = format!(
            "<cookie pagenumber=\"{}\" last=\"{last_id}\" version=\"{version}\" istracking=\"True\" />",
            page_number + 1
        );
        let link = format!(
            "{}/{}?{}",
            st.root,
            table.set,
            q.rebuild(&["$skiptoken"], &[("$skiptoken", cookie)])
        );
        (Some(link), None)
    } else {
        (None, Some(delta_link(st, table, q, version)))
    };
    let body = collection_body(
        &context(&st.root, table, select.as_deref()),
        None,
        &page,
        next.as_deref(),
        delta.as_deref(),
    );
    let mut applied = vec!["odata.track-changes".to_string()];
    if let Some(n) = prefer.max_page_size {
        applied.push(format!("odata.maxpagesize={n}"));
    }
    Ok(reply(
        StatusCode::OK,
        Some(body),
        &[("Preference-Applied", applied.join(","))],
    ))
}

struct Delta {
    rows: Vec<Map<String, Value>>,
    deleted: Vec<String>,
    version: i64,
}

/// Follows a delta link: changed rows in version order, then deletions, then a new delta link.
async fn changes_since(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    since: i64,
    select: Option<Vec<String>>,
) -> Result<Response, ApiError> {
    let wait = prefer.wait.unwrap_or(0).min(MAX_WAIT_SECS);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    let mut notified = st
        .notify
        .get(table.set)
        .map(|tx| tx.subscribe())
        .ok_or_else(|| ApiError::internal("No change channel for table."))?;
    let mut shutdown = st.shutdown.clone();
    let set = table.set;
    let delta = loop {
        // Mark the current value seen before reading, so a write racing the read still wakes us.
        notified.borrow_and_update();
        let d = st
            .db
            .run(move |conn| {
                let tx = conn.savepoint()?;
                let version = read_counter(&tx, "version", VERSION_START)?;
                let rows = load_rows(
                    &tx,
                    set,
                    "SELECT version, body FROM dv_rows WHERE entity = ?1 AND version > ?2 ORDER BY version",
                    &[&since],
                )?;
                let mut stmt = tx.prepare(
                    "SELECT id FROM dv_tombstones WHERE entity = ?1 AND version > ?2 ORDER BY version",
                )?;
                let deleted = stmt
                    .query_map(params![set, since], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                drop(stmt);
                Ok(Delta {
                    rows,
                    deleted,
                    version,
                })
            })
            .await?;
        if !d.rows.is_empty() || !d.deleted.is_empty() || wait == 0 || *shutdown.borrow() {
            break d;
        }
        tokio::select! {
            changed = notified.changed() => {
                if changed.is_err() {
                    break d;
                }
            }
            _ = tokio::time::sleep_until(deadline) => break d,
            _ = shutdown.changed() => break d,
        }
    };
    let mut value: Vec<Value> = delta
        .rows
        .into_iter()
        .map(|r| project(table, r, select.as_deref()))
        .collect();
    let deleted_context = format!("{}/$metadata#{}/$deletedEntity", st.root, table.set);
    value.extend(
        delta
            .deleted
            .into_iter()
            .map(|id| json!({"@odata.context": deleted_context, "id": id, "reason": "deleted"})),
    );
    let body = collection_body(
        &format!("{}/$delta", context(&st.root, table, select.as_deref())),
        None,
        &value,
        None,
        Some(&delta_link(st, table, q, delta.version)),
    );
    Ok(reply(
        StatusCode::OK,
        Some(body),
        &[("Preference-Applied", "odata.track-changes".to_string())],
    ))
}

async fn get_one(
    st: &Arc<DvState>,
    table: &'static Table,
    key: RowKey,
    q: &Query,
    prefer: &Prefer,
) -> Result<Response, ApiError> {
    let select = parse_select(table, q)?;
    let expand = parse_expand(table, q)?;
    let lookup = key.clone();
    let found = st
        .db
        .run(move |conn| Ok(find_row(conn, table, &lookup)?))
        .await?;
    let row = found.ok_or_else(|| not_found(table, &key))?;
    let tag = etag(row.version);
    let wanted = Annotations::from_prefer(prefer.include_annotations.as_deref());
    let mut body = finish_rows(st, table, vec![row.row], select.clone(), expand, wanted)
        .await?
        .pop()
        .unwrap_or(Value::Null);
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!(
                "{}/$entity",
                context(&st.root, table, select.as_deref())
            )),
        );
    }
    Ok(reply(
        StatusCode::OK,
        Some(body.to_string()),
        &[("ETag", tag)],
    ))
}

fn write_response(
    st: &DvState,
    table: &Table,
    written: Written,
    prefer: &Prefer,
    select: Option<&[String]>,
    entity_id: String,
) -> Response {
    if prefer.return_representation {
        let status = if written.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        reply(
            status,
            Some(entity_body(st, table, written.row, select)),
            &[
                ("ETag", etag(written.version)),
                ("Preference-Applied", "return=representation".to_string()),
            ],
        )
    } else {
        reply(
            StatusCode::NO_CONTENT,
            None,
            &[("OData-EntityId", entity_id)],
        )
    }
}

async fn create(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let select = parse_select(table, q)?;
    let body = parse_body(body)?;
    let written = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let changes = parse_changes(&tx, table, body)?;
            let written = insert_row(&tx, table, changes.id, changes.values)?;
            tx.commit()?;
            Ok(written)
        })
        .await?;
    st.changed(table, written.version);
    let entity_id = key_url(&st.root, table, &RowKey::Id(written.id.clone()));
    Ok(write_response(
        st,
        table,
        written,
        prefer,
        select.as_deref(),
        entity_id,
    ))
}

async fn upsert(
    st: &Arc<DvState>,
    table: &'static Table,
    key: RowKey,
    q: &Query,
    prefer: &Prefer,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let select = parse_select(table, q)?;
    let body = parse_body(body)?;
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let if_none_match = header_str(headers, "if-none-match")
        .filter(|v| !v.eq_ignore_ascii_case("null"))
        .map(str::to_string);
    let target = key.clone();
    let written = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let existing = find_row(&tx, table, &target)?;
            let mut changes = parse_changes(&tx, table, body)?;
            let written = match existing {
                Some(row) => {
                    if if_none_match.as_deref() == Some("*") {
                        return Err(duplicate());
                    }
                    if let Some(im) = if_match.as_deref()
                        && !etag_matches(im, row.version)
                    {
                        return Err(version_mismatch());
                    }
                    // Keys cannot be changed through the key URL, so body key values are dropped.
                    if matches!(target, RowKey::Alt(_)) {
                        changes.values.remove(table.alt_key);
                    }
                    update_row(&tx, table, row, changes.values)?
                }
                None => {
                    if if_match.is_some() {
                        return Err(not_found(table, &target));
                    }
                    let id = match &target {
                        RowKey::Id(id) => Some(id.clone()),
                        RowKey::Alt(v) => {
                            // The URL supplies the key unless the body does.
                            if !changes.values.contains_key(table.alt_key) {
                                changes
                                    .values
                                    .insert(table.alt_key.into(), Value::from(v.clone()));
                            }
                            changes.id
                        }
                    };
                    insert_row(&tx, table, id, changes.values)?
                }
            };
            tx.commit()?;
            Ok(written)
        })
        .await?;
    st.changed(table, written.version);
    let entity_id = key_url(&st.root, table, &key);
    Ok(write_response(
        st,
        table,
        written,
        prefer,
        select.as_deref(),
        entity_id,
    ))
}

async fn delete(
    st: &Arc<DvState>,
    table: &'static Table,
    key: RowKey,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let version = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let row = find_row(&tx, table, &key)?.ok_or_else(|| not_found(table, &key))?;
            if let Some(im) = if_match.as_deref()
                && !etag_matches(im, row.version)
            {
                return Err(version_mismatch());
            }
            let version = next_counter(&tx, "version", VERSION_START)?;
            tx.execute(
                "DELETE FROM dv_rows WHERE entity = ?1 AND id = ?2",
                params![table.set, row.id],
            )?;
            tx.execute(
                "INSERT INTO dv_tombstones (entity, id, version) VALUES (?1, ?2, ?3)
                 ON CONFLICT(entity, id) DO UPDATE SET version = excluded.version",
                params![table.set, row.id, version],
            )?;
            tx.commit()?;
            Ok(version)
        })
        .await?;
    st.changed(table, version);
    Ok(reply(StatusCode::NO_CONTENT, None, &[]))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Bulk {
    Create,
    Update,
    Upsert,
}

/// The row a bulk target addresses: its primary id, else its alternate key column.
fn target_key(table: &Table, changes: &Changes) -> Option<RowKey> {
    changes.id.clone().map(RowKey::Id).or_else(|| {
        changes
            .values
            .get(table.alt_key)
            .and_then(Value::as_str)
            .map(|v| RowKey::Alt(v.to_string()))
    })
}

/// `CreateMultiple`, `UpdateMultiple` and `UpsertMultiple`: every target in one transaction,
/// each written exactly like a single create or update so versions and change tracking match.
async fn bulk_write(
    st: &Arc<DvState>,
    table: &'static Table,
    bulk: Bulk,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let mut body = parse_body(body)?;
    let Some(Value::Array(targets)) = body.remove("Targets") else {
        return Err(bad_request(
            "The parameter 'Targets' is required and must be an array of entities.",
        ));
    };
    if targets.is_empty() {
        return Err(bad_request("The parameter 'Targets' must not be empty."));
    }
    let expected = table.entity_type();
    let mut rows = Vec::with_capacity(targets.len());
    for (i, target) in targets.into_iter().enumerate() {
        let Value::Object(row) = target else {
            return Err(bad_request(format!("Target {i} is not an entity object.")));
        };
        let kind = row
            .get("@odata.type")
            .and_then(Value::as_str)
            .map(|t| t.trim_start_matches('#'));
        if kind != Some(expected.as_str()) {
            return Err(bad_request(format!(
                "Target {i} must have \"@odata.type\": \"{expected}\"."
            )));
        }
        rows.push(row);
    }
    let (ids, version) = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let mut ids = Vec::with_capacity(rows.len());
            let mut version = 0;
            for row in rows {
                let changes = parse_changes(&tx, table, row)?;
                let key = target_key(table, &changes);
                let existing = match &key {
                    Some(k) if bulk != Bulk::Create => find_row(&tx, table, k)?,
                    _ => None,
                };
                let written = match (bulk, existing, key) {
                    (Bulk::Create, _, _) => insert_row(&tx, table, changes.id, changes.values)?,
                    (_, Some(row), _) => update_row(&tx, table, row, changes.values)?,
                    (Bulk::Update, None, Some(k)) => return Err(not_found(table, &k)),
                    (Bulk::Update, None, None) => {
                        return Err(bad_request(format!(
                            "Each target of UpdateMultiple must contain '{}' or '{}'.",
                            table.id, table.alt_key
                        )));
                    }
                    (Bulk::Upsert, None, _) => insert_row(&tx, table, changes.id, changes.values)?,
                };
                ids.push(written.id);
                version = written.version;
            }
            tx.commit()?;
            Ok((ids, version))
        })
        .await?;
    st.changed(table, version);
    if bulk == Bulk::Create {
        let body = json!({
            "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse", st.root),
            "Ids": ids,
        });
        Ok(reply(StatusCode::OK, Some(body.to_string()), &[]))
    } else {
        Ok(reply(StatusCode::NO_CONTENT, None, &[]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_tokens_round_trip() {
        let t = delta_token(42);
        assert_eq!(parse_delta_token(&t).expect("own token parses"), 42);
        assert!(
            parse_delta_token("abc").is_err(),
            "non-numeric version is malformed"
        );
        assert!(
            parse_delta_token("5!not a date").is_err(),
            "bad stamp is malformed"
        );
    }

    #[test]
    fn row_keys() {
        let k =
            parse_row_key(known_table("accounts"), "accountnumber='A''1'").expect("alternate key");
        assert!(
            matches!(k, RowKey::Alt(ref v) if v == "A'1"),
            "quote undoubled"
        );
        let k = parse_row_key(
            known_table("accounts"),
            "6F9619FF-8B86-D011-B42D-00C04FC964FF",
        )
        .expect("guid");
        assert!(
            matches!(k, RowKey::Id(ref v) if v == "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            "guid normalised to lowercase"
        );
        assert!(
            parse_row_key(known_table("accounts"), "name='x'").is_err(),
            "name is not a key"
        );
    }

    #[test]
    fn etags_match_weak_and_star() {
        assert!(etag_matches("W/\"7\"", 7));
        assert!(etag_matches("*", 7));
        assert!(!etag_matches("W/\"6\"", 7));
    }
}
