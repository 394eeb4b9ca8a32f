//! The finance and operations OData emulator, serving `/data`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::auth::Auth;
use crate::batch::{self, Flavor};
use crate::catalog::{FoEntity, FoNavigation, FoType, catalog};
use crate::events::{DataEvents, Operation};
use crate::filter::{self, Dialect, FilterError};
use crate::metadata;
use crate::odata::{
    self, ApiError, KeyValue, Query, collection_body, decode_path, header_str, reply,
    split_resource,
};
use crate::protection::Guard;
use crate::sample;
use crate::store::{Db, next_counter, read_counter, set_meta};

/// The demo user's default company, which un-scoped queries are limited to.
pub(crate) const DEFAULT_COMPANY: &str = "DAT";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fo_rows (
    entity TEXT NOT NULL,
    k TEXT NOT NULL,
    recid INTEGER NOT NULL,
    recversion INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (entity, k)
);";

const LEGAL_ENTITY_SEED: &[(&str, &str)] = &[
    ("DAT", "Contoso Demo"),
    ("USMF", "Contoso Entertainment System USA"),
];

/// First RecId handed out, in the range real environments use.
const RECID_START: i64 = 5_637_144_575;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Num,
    Enum(&'static [String]),
    /// A client-written date and time; F&O's empty date is 1900-01-01.
    Date,
    /// Server-maintained timestamp; ignored in write bodies.
    Time,
}

struct Field {
    name: &'static str,
    kind: Kind,
}

struct EntitySet {
    name: &'static str,
    type_name: &'static str,
    table_type: &'static str,
    keys: Vec<&'static str>,
    fields: Vec<Field>,
    company_specific: bool,
    writable: bool,
    navigations: &'static [FoNavigation],
}

impl EntitySet {
    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn is_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }
}

/// F&O's empty date and time.
const NULL_DATE: &str = "1900-01-01T00:00:00Z";

/// Every catalog entity, built once; names borrow from the `'static` catalog.
fn sets() -> &'static [EntitySet] {
    static SETS: OnceLock<Vec<EntitySet>> = OnceLock::new();
    SETS.get_or_init(|| catalog().finops.iter().map(set_from_catalog).collect())
}

fn set_from_catalog(e: &'static FoEntity) -> EntitySet {
    let fields = e
        .fields
        .iter()
        .map(|f| Field {
            name: &f.name,
            kind: match &f.kind {
                FoType::String => Kind::Str,
                FoType::Integer | FoType::Decimal => Kind::Num,
                FoType::Enum { members, .. } => Kind::Enum(members),
                FoType::Datetime if f.read_only => Kind::Time,
                FoType::Datetime => Kind::Date,
            },
        })
        .collect();
    EntitySet {
        name: &e.entity_set,
        type_name: &e.entity_type,
        table_type: &e.table_type,
        keys: e.keys.iter().map(String::as_str).collect(),
        fields,
        company_specific: e.company_specific,
        writable: e.writable,
        navigations: &e.navigations,
    }
}

fn known_set(name: &str) -> &'static EntitySet {
    sets()
        .iter()
        .find(|s| s.name == name)
        .expect("entity is in the catalog")
}

/// Last `ModifiedDateTime` handed out in this process, in Unix milliseconds; process-wide so
/// that several sandboxes in one process still hand out strictly increasing stamps.
static LAST_MODIFIED_MS: Mutex<i64> = Mutex::new(0);

fn observe_modified(ms: i64) {
    let mut last = LAST_MODIFIED_MS.lock().unwrap_or_else(|p| p.into_inner());
    *last = (*last).max(ms);
}

/// Strictly increasing write stamp, so clients can poll with a `ge`/`gt` watermark.
fn next_modified() -> String {
    format_modified(reserve_modified(1))
}

/// Reserves `n` consecutive millisecond stamps and returns the first. The block ends at the
/// current time when it can, rather than starting there, so a bulk load of many rows does not
/// push later write stamps far ahead of the wall clock; it always starts after every stamp
/// handed out before, so watermarks stay valid.
fn reserve_modified(n: usize) -> i64 {
    let span = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
    let mut last = LAST_MODIFIED_MS.lock().unwrap_or_else(|p| p.into_inner());
    let now = Utc::now().timestamp_millis();
    let first = block_start(now, *last, span);
    *last = first + (span - 1);
    first
}

/// First stamp of a block of `span` stamps taken at `now` after `last` was handed out.
fn block_start(now: i64, last: i64, span: i64) -> i64 {
    (now - (span - 1)).max(last + 1)
}

fn format_modified(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[derive(Clone)]
pub(crate) struct FoState {
    pub db: Db,
    pub url: String,
    pub page_size: usize,
    pub auth: Arc<Auth>,
    pub guard: Arc<Guard>,
    pub events: Arc<DataEvents>,
    pub cache: Arc<RowCache>,
}

/// Opens `finops.sqlite`, seeding the legal entities on first use.
pub(crate) fn open(path: &Path) -> Result<Db, rusqlite::Error> {
    let db = Db::open(path, SCHEMA)?;
    db.with(|conn| conn.execute_batch(crate::events::SCHEMA))?;
    db.with(|conn| -> Result<(), rusqlite::Error> {
        let tx = conn.transaction()?;
        for (id, name) in LEGAL_ENTITY_SEED {
            let k = storage_key(&[id]);
            let exists = tx
                .query_row(
                    "SELECT 1 FROM fo_rows WHERE entity = ?1 AND k = ?2",
                    params!["LegalEntities", k],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !exists {
                let recid = next_counter(&tx, "recid", RECID_START)?;
                let body = json!({"LegalEntityId": id, "Name": name, "ModifiedDateTime": next_modified()})
                    .to_string();
                tx.execute(
                    "INSERT INTO fo_rows (entity, k, recid, recversion, body) VALUES (?1, ?2, ?3, 1, ?4)",
                    params!["LegalEntities", k, recid, body],
                )?;
            }
        }
        tx.commit()?;
        // Restarting over the same directory must not hand out stamps older than stored ones.
        let mut stmt = conn.prepare("SELECT body FROM fo_rows")?;
        let bodies = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for body in bodies {
            let body = body?;
            let stamp = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("ModifiedDateTime").and_then(Value::as_str).map(str::to_string))
                .and_then(|s| DateTime::parse_from_rfc3339(&s).ok());
            if let Some(t) = stamp {
                observe_modified(t.timestamp_millis());
            }
        }
        Ok(())
    })?;
    Ok(db)
}

/// Writes `rows` seeded sample customers when the store holds none yet, returning how many were
/// written. Rows are built exactly as `create` builds them (defaults, then fields, then a stamp
/// and a RecId) but inserted in one transaction, since posting them one by one over HTTP would
/// take minutes for large volumes.
pub(crate) fn seed_customers(db: &Db, rows: usize, seed: u64) -> Result<usize, rusqlite::Error> {
    if rows == 0 {
        return Ok(0);
    }
    db.with(|conn| {
        let tx = conn.transaction()?;
        let existing = tx
            .query_row(
                "SELECT 1 FROM fo_rows WHERE entity = ?1 LIMIT 1",
                params!["CustomersV3"],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if existing {
            return Ok(0);
        }
        seed_reference_data(&tx)?;
        let count = i64::try_from(rows).unwrap_or(i64::MAX);
        let first_recid = read_counter(&tx, "recid", RECID_START)? + 1;
        let first_ms = reserve_modified(rows);
        let template = defaults(known_set("CustomersV3"));
        let mut generator = sample::Generator::new(seed, rows);
        {
            let mut insert = tx.prepare(
                "INSERT INTO fo_rows (entity, k, recid, recversion, body) VALUES (?1, ?2, ?3, 1, ?4)",
            )?;
            for offset in 0..count {
                let c = generator.next_customer();
                let mut row = template.clone();
                let fields = [
                    ("dataAreaId", Value::from(c.company)),
                    ("CustomerAccount", Value::from(c.account.as_str())),
                    ("OrganizationName", Value::from(c.name)),
                    ("CustomerGroupId", Value::from(c.group)),
                    ("SalesCurrencyCode", Value::from(c.currency)),
                    ("CreditLimit", Value::from(c.credit_limit)),
                    ("PrimaryContactEmail", Value::from(c.email)),
                    ("PrimaryContactPhone", Value::from(c.phone)),
                    ("SalesMemo", Value::from(c.memo)),
                    ("PaymentTerms", Value::from(c.payment_terms)),
                    ("AddressStreet", Value::from(c.street)),
                    ("AddressCity", Value::from(c.city)),
                    ("AddressState", Value::from(c.state)),
                    ("AddressZipCode", Value::from(c.zip)),
                    ("AddressCountryRegionId", Value::from(c.country)),
                    ("PartyType", Value::from("Organization")),
                    ("ModifiedDateTime", Value::from(format_modified(first_ms + offset))),
                ];
                for (name, value) in fields {
                    row.insert(name.to_string(), value);
                }
                let k = storage_key(&[c.company, &c.account]);
                insert.execute(params![
                    "CustomersV3",
                    k,
                    first_recid + offset,
                    Value::Object(row).to_string()
                ])?;
            }
        }
        // One counter update for the whole block leaves it where per-row `next_counter` would.
        set_meta(&tx, "recid", &(first_recid + count - 1).to_string())?;
        tx.commit()?;
        Ok(rows)
    })
}

/// The rows generated customers refer to: customer groups and payment terms in each legal
/// entity, and the currencies. Existing rows are left alone.
fn seed_reference_data(conn: &Connection) -> Result<(), rusqlite::Error> {
    let mut rows: Vec<(&str, Vec<&str>, Value)> = Vec::new();
    for (company, _) in LEGAL_ENTITY_SEED {
        for (id, description) in sample::CUSTOMER_GROUPS {
            rows.push((
                "CustomerGroups",
                vec![company, id],
                json!({"dataAreaId": company, "CustomerGroupId": id, "Description": description}),
            ));
        }
        for (name, description) in sample::PAYMENT_TERMS {
            rows.push((
                "PaymentTerms",
                vec![company, name],
                json!({"dataAreaId": company, "Name": name, "Description": description}),
            ));
        }
    }
    for (code, name, symbol) in sample::CURRENCIES {
        rows.push((
            "Currencies",
            vec![code],
            json!({"CurrencyCode": code, "Name": name, "Symbol": symbol}),
        ));
    }
    for (entity, key, values) in rows {
        let k = storage_key(&key);
        if load_one(conn, entity, &k)?.is_some() {
            continue;
        }
        let mut row = defaults(known_set(entity));
        if let Value::Object(v) = values {
            row.extend(v);
        }
        row.insert("ModifiedDateTime".into(), Value::from(next_modified()));
        let recid = next_counter(conn, "recid", RECID_START)?;
        conn.execute(
            "INSERT INTO fo_rows (entity, k, recid, recversion, body) VALUES (?1, ?2, ?3, 1, ?4)",
            params![entity, k, recid, Value::Object(row).to_string()],
        )?;
    }
    Ok(())
}

/// Keys are case-insensitive in F&O, so the storage key is upper-cased.
fn storage_key(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| v.to_uppercase())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn etag(recversion: i64, recid: i64) -> String {
    format!(
        "W/\"{}\"",
        STANDARD.encode(format!("'{recversion},{recid}'"))
    )
}

fn plain_error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::new(status, "", message)
}

fn write_error(set: &EntitySet, reason: &str) -> ApiError {
    let reason = reason.trim_end_matches('.');
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({"error": {
            "code": "",
            "message": "An error has occurred.",
            "innererror": {
                "message": format!(
                    "Write failed for table row of type '{}'. Infolog: Error: {reason}.",
                    set.table_type
                ),
                "type": "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException",
                "stacktrace": "",
            }
        }}),
        authenticate: false,
    }
}

fn query_error(set: &EntitySet, e: FilterError) -> ApiError {
    let message = match e {
        FilterError::UnknownProperty(p) => format!(
            "Could not find a property named '{p}' on type 'Microsoft.Dynamics.DataEntities.{}'.",
            set.type_name
        ),
        other => other.to_string(),
    };
    plain_error(StatusCode::BAD_REQUEST, message)
}

fn key_text(set: &EntitySet, values: &[String]) -> String {
    set.keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}='{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

fn not_found(set: &EntitySet, values: &[String]) -> ApiError {
    plain_error(
        StatusCode::NOT_FOUND,
        format!("No resource was found for key {}.", key_text(set, values)),
    )
}

/// Resolves a key predicate into values in the order of `set.keys`.
fn parse_key(set: &EntitySet, raw: &str) -> Result<Vec<String>, ApiError> {
    let parts = odata::parse_key_predicate(raw).map_err(|e| {
        plain_error(
            StatusCode::BAD_REQUEST,
            format!("The key '{raw}' is not valid: {e}."),
        )
    })?;
    let mismatch = || {
        plain_error(
            StatusCode::BAD_REQUEST,
            format!(
                "The number of keys specified in the URI does not match number of key properties for the resource 'Microsoft.Dynamics.DataEntities.{}'.",
                set.type_name
            ),
        )
    };
    if parts.len() != set.keys.len() {
        return Err(mismatch());
    }
    let mut values: Vec<Option<String>> = vec![None; set.keys.len()];
    for part in parts {
        let idx = match (&part.name, set.keys.len()) {
            (None, 1) => 0,
            (None, _) => return Err(mismatch()),
            (Some(n), _) => set.keys.iter().position(|k| k == n).ok_or_else(|| {
                plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("'{n}' is not a key property of '{}'.", set.type_name),
                )
            })?,
        };
        let text = match part.value {
            KeyValue::Quoted(s) => s,
            KeyValue::Bare(s) => s,
        };
        if values[idx].replace(text).is_some() {
            return Err(mismatch());
        }
    }
    values.into_iter().map(|v| v.ok_or_else(mismatch)).collect()
}

fn row_from_sql(recid: i64, recversion: i64, body: &str) -> Map<String, Value> {
    let mut map = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    map.insert("@odata.etag".into(), Value::from(etag(recversion, recid)));
    map
}

fn load_all(conn: &Connection, set: &str) -> Result<Vec<Map<String, Value>>, rusqlite::Error> {
    let mut stmt =
        conn.prepare("SELECT recid, recversion, body FROM fo_rows WHERE entity = ?1 ORDER BY k")?;
    let rows = stmt.query_map(params![set], |r| {
        Ok(row_from_sql(r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?))
    })?;
    rows.collect()
}

/// What changes whenever an entity's rows change: their number, the newest RecId (creates),
/// and two sums over RecVersion (updates, and which rows were updated).
type Fingerprint = (i64, i64, i64, i64);

/// An entity's rows as last read, shared by the requests that page through them.
type Rows = Arc<Vec<Map<String, Value>>>;

fn fingerprint(conn: &Connection, set: &str) -> Result<Fingerprint, rusqlite::Error> {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(MAX(recid), 0), COALESCE(SUM(recversion), 0),
                COALESCE(SUM((recid % 1000003) * recversion), 0)
         FROM fo_rows WHERE entity = ?1",
        params![set],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// Parsed rows of each entity, reused while its fingerprint is unchanged: paging through a
/// large entity with a keyset `$filter` would otherwise parse every row for every page.
#[derive(Default)]
pub(crate) struct RowCache {
    entries: Mutex<HashMap<&'static str, (Fingerprint, Rows)>>,
}

/// Every row of `set` in storage order, from the cache when nothing changed since it was read.
async fn cached_rows(st: &FoState, set: &'static str) -> Result<Rows, ApiError> {
    let cache = st.cache.clone();
    st.db
        .run(move |conn| {
            let current = fingerprint(conn, set)?;
            let mut entries = cache.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((seen, rows)) = entries.get(set)
                && *seen == current
            {
                return Ok(rows.clone());
            }
            let rows = Arc::new(load_all(conn, set)?);
            entries.insert(set, (current, rows.clone()));
            Ok(rows)
        })
        .await
}

struct Stored {
    recid: i64,
    recversion: i64,
    row: Map<String, Value>,
}

fn load_one(conn: &Connection, set: &str, k: &str) -> Result<Option<Stored>, rusqlite::Error> {
    conn.query_row(
        "SELECT recid, recversion, body FROM fo_rows WHERE entity = ?1 AND k = ?2",
        params![set, k],
        |r| {
            let recid: i64 = r.get(0)?;
            let recversion: i64 = r.get(1)?;
            let body: String = r.get(2)?;
            Ok(Stored {
                recid,
                recversion,
                row: row_from_sql(recid, recversion, &body),
            })
        },
    )
    .optional()
}

fn project(row: Map<String, Value>, select: Option<&[String]>) -> Value {
    match select {
        None => Value::Object(row),
        Some(fields) => {
            let mut out = Map::new();
            if let Some(e) = row.get("@odata.etag") {
                out.insert("@odata.etag".into(), e.clone());
            }
            for f in fields {
                out.insert(f.clone(), row.get(f).cloned().unwrap_or(Value::Null));
            }
            Value::Object(out)
        }
    }
}

/// Entry point for every request on the F&O port other than the token endpoint and the admin
/// routes.
pub(crate) async fn handle(
    State(st): State<Arc<FoState>>,
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
    let result = if decode_path(uri.path()) == "/data/$batch" {
        batch_entry(&st, &method, headers, body).await
    } else {
        route(&st, method, &uri, &headers, body).await
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn unauthenticated() -> ApiError {
    let mut e = plain_error(StatusCode::UNAUTHORIZED, "Authentication failed.");
    e.authenticate = true;
    e
}

/// `POST /data/$batch`.
async fn batch_entry(
    st: &Arc<FoState>,
    method: &Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !st.auth.authorized(&headers, &st.url) {
        return Err(unauthenticated());
    }
    if *method != Method::POST {
        return Err(plain_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The requested resource does not support http method '{method}'."),
        ));
    }
    batch::run(st.clone(), headers, body).await
}

impl batch::Service for Arc<FoState> {
    const FLAVOR: Flavor = Flavor::FinOps;

    fn root_path(&self) -> &'static str {
        "/data"
    }

    fn db(&self) -> &Db {
        &self.db
    }

    fn with_db(&self, db: Db) -> Self {
        Arc::new(FoState {
            db,
            ..FoState::clone(self)
        })
    }

    async fn execute(&self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        route(self, method, &uri, &headers, body)
            .await
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn entity_url(&self, headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        header_str(headers, "location").map(str::to_string)
    }

    fn bad_request(&self, message: String) -> ApiError {
        plain_error(StatusCode::BAD_REQUEST, message)
    }
}

async fn route(
    st: &Arc<FoState>,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let rest = match path.strip_prefix("/data") {
        Some(r) if r.is_empty() || r.starts_with('/') => r,
        _ => {
            return Err(plain_error(
                StatusCode::NOT_FOUND,
                format!("No HTTP resource was found that matches the request URI '{path}'."),
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
        let sets: Vec<Value> = sets()
            .iter()
            .map(|s| json!({"name": s.name, "kind": "EntitySet", "url": s.name}))
            .collect();
        let body = json!({"@odata.context": format!("{}/data/$metadata", st.url), "value": sets});
        return Ok(reply(StatusCode::OK, Some(body.to_string()), &[]));
    }
    let res = split_resource(&rest).map_err(|e| plain_error(StatusCode::BAD_REQUEST, e))?;
    if res.set == "$batch" {
        return Err(plain_error(
            StatusCode::BAD_REQUEST,
            "A batch cannot contain another batch.",
        ));
    }
    if res.set == "$metadata" && res.key.is_none() && res.tail.is_none() {
        if method != Method::GET {
            return Err(plain_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "The metadata document is read-only.",
            ));
        }
        return Ok(metadata::xml_reply(metadata::fo_csdl(catalog())));
    }
    let set = sets().iter().find(|s| s.name == res.set).ok_or_else(|| {
        plain_error(
            StatusCode::NOT_FOUND,
            format!("No HTTP resource was found that matches the request URI '{path}'."),
        )
    })?;
    let query = Query::parse(uri.query());
    let method_not_allowed = || {
        plain_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The requested resource does not support http method '{method}'."),
        )
    };
    match (res.key, res.tail.as_deref()) {
        (None, None) => match method {
            Method::GET => list(st, set, &query, false).await,
            Method::POST if set.writable => create(st, set, &body).await,
            _ => Err(method_not_allowed()),
        },
        (None, Some("$count")) if method == Method::GET => list(st, set, &query, true).await,
        (Some(key), None) => {
            let values = parse_key(set, &key)?;
            match method {
                Method::GET => get_one(st, set, values, &query).await,
                Method::PATCH if set.writable => {
                    update(st, set, values, headers, &body, true).await
                }
                Method::PUT if set.writable => update(st, set, values, headers, &body, false).await,
                Method::DELETE if set.writable => delete(st, set, values, headers).await,
                _ => Err(method_not_allowed()),
            }
        }
        _ => Err(plain_error(
            StatusCode::NOT_FOUND,
            format!("No HTTP resource was found that matches the request URI '{path}'."),
        )),
    }
}

fn parse_number(q: &Query, name: &str) -> Result<Option<usize>, ApiError> {
    q.get(name)
        .map(|v| {
            v.trim().parse::<usize>().map_err(|_| {
                plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("Invalid value '{v}' for query option {name}."),
                )
            })
        })
        .transpose()
}

fn parse_select(set: &EntitySet, q: &Query) -> Result<Option<Vec<String>>, ApiError> {
    q.get("$select")
        .filter(|s| s.trim() != "*")
        .map(|s| filter::parse_select(s, &|f| set.is_field(f)).map_err(|e| query_error(set, e)))
        .transpose()
}

const ENUM_PREFIX: &str = "Microsoft.Dynamics.DataEntities.";

/// Checks every `Microsoft.Dynamics.DataEntities.<Enum>'<Member>'` literal in a filter against
/// the catalog's enums, answering with the OData library's messages for an unknown type or
/// member.
fn check_enum_literals(filter_text: &str) -> Result<(), ApiError> {
    let mut rest = filter_text;
    while let Some(pos) = rest.find(ENUM_PREFIX) {
        let after = &rest[pos + ENUM_PREFIX.len()..];
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let (name, tail) = after.split_at(name_len);
        let Some(quoted) = tail.strip_prefix('\'') else {
            rest = tail;
            continue;
        };
        let end = quoted.find('\'').unwrap_or(quoted.len());
        let member = &quoted[..end];
        let members = catalog()
            .finops
            .iter()
            .flat_map(|e| &e.fields)
            .find_map(|f| match &f.kind {
                FoType::Enum { r#enum, members } if r#enum == name => Some(members),
                _ => None,
            })
            .ok_or_else(|| {
                plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("The type '{ENUM_PREFIX}{name}' is not defined in the model."),
                )
            })?;
        if !members.iter().any(|m| m == member) {
            return Err(plain_error(
                StatusCode::BAD_REQUEST,
                format!("The string '{member}' is not a valid enumeration type constant."),
            ));
        }
        rest = &quoted[end.min(quoted.len())..];
    }
    Ok(())
}

async fn list(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    q: &Query,
    count_only: bool,
) -> Result<Response, ApiError> {
    let is_field = |f: &str| set.is_field(f);
    let expand = parse_expand(set, q)?;
    if let Some(f) = q.get("$filter") {
        check_enum_literals(f)?;
    }
    let expr = q
        .get("$filter")
        .map(|f| filter::parse(f, &is_field).map_err(|e| query_error(set, e)))
        .transpose()?;
    let order = q
        .get("$orderby")
        .map(|o| filter::parse_orderby(o, &is_field).map_err(|e| query_error(set, e)))
        .transpose()?
        .unwrap_or_default();
    let select = parse_select(set, q)?;
    let top = parse_number(q, "$top")?;
    let skip = parse_number(q, "$skip")?.unwrap_or(0);
    let with_count = q
        .get("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let cross_company = q
        .get("cross-company")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));

    let all = cached_rows(st, set.name).await?;
    let dialect = Dialect { wildcard_eq: true };
    let mut rows: Vec<&Map<String, Value>> = all
        .iter()
        .filter(|r| {
            let company_ok = !set.company_specific
                || cross_company
                || r.get("dataAreaId")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.eq_ignore_ascii_case(DEFAULT_COMPANY));
            company_ok && expr.as_ref().is_none_or(|e| e.matches(r, dialect))
        })
        .collect();
    filter::sort_row_refs(&mut rows, &order);
    let total = rows.len();
    if count_only {
        let mut resp = (StatusCode::OK, total.to_string()).into_response();
        resp.headers_mut()
            .insert("OData-Version", axum::http::HeaderValue::from_static("4.0"));
        return Ok(resp);
    }
    // Only the rows of this page (and one more, to know whether another page follows) are
    // copied out of the shared list.
    let page_size = st.page_size.max(1);
    let window: Vec<Map<String, Value>> = rows
        .into_iter()
        .skip(skip)
        .take(top.unwrap_or(usize::MAX).min(page_size + 1))
        .cloned()
        .collect();
    let has_more = window.len() > page_size;
    let page: Vec<Map<String, Value>> = window.into_iter().take(page_size).collect();
    let page = expand_rows(st, &expand, page, select.as_deref()).await?;
    let next = has_more.then(|| {
        let mut extra = vec![("$skip", (skip + page_size).to_string())];
        if let Some(t) = top {
            extra.push(("$top", t.saturating_sub(page_size).to_string()));
        }
        format!(
            "{}/data/{}?{}",
            st.url,
            set.name,
            q.rebuild(&["$skip", "$top"], &extra)
        )
    });
    let body = collection_body(
        &format!("{}/data/$metadata#{}", st.url, set.name),
        with_count.then_some(total),
        &page,
        next.as_deref(),
        None,
    );
    Ok(reply(StatusCode::OK, Some(body), &[]))
}

async fn get_one(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    values: Vec<String>,
    q: &Query,
) -> Result<Response, ApiError> {
    let select = parse_select(set, q)?;
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let found = st
        .db
        .run(move |conn| Ok(load_one(conn, set.name, &k)?))
        .await?;
    let Some(stored) = found else {
        return Err(not_found(set, &values));
    };
    let etag = stored
        .row
        .get("@odata.etag")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let expand = parse_expand(set, q)?;
    let mut body = expand_rows(st, &expand, vec![stored.row], select.as_deref())
        .await?
        .pop()
        .unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!("{}/data/$metadata#{}/$entity", st.url, set.name)),
        );
    }
    Ok(reply(
        StatusCode::OK,
        Some(body.to_string()),
        &[("ETag", etag)],
    ))
}

/// One `$expand` item: a navigation property and the fields its rows are projected to.
struct ExpandItem {
    nav: &'static FoNavigation,
    target: &'static EntitySet,
    select: Option<Vec<String>>,
}

/// Reads `$expand`: navigation properties of `set`, each with an optional `$select`. Only one
/// level is supported; a nested `$expand` or any other nested option is a 400.
fn parse_expand(set: &'static EntitySet, q: &Query) -> Result<Vec<ExpandItem>, ApiError> {
    let Some(text) = q.get("$expand") else {
        return Ok(Vec::new());
    };
    let bad = |message: String| plain_error(StatusCode::BAD_REQUEST, message);
    if text.contains("$expand") {
        return Err(bad(
            "Only one level of $expand is supported: a nested $expand is not allowed.".into(),
        ));
    }
    let nav = |name: &str| set.navigations.iter().find(|n| n.name == name);
    let type_name = format!("{}.{}", metadata::FO_NAMESPACE, set.type_name);
    let items = crate::dv_expand::parse_expand(text, &type_name, &|name| nav(name).is_some())
        .map_err(bad)?;
    items
        .into_iter()
        .map(|item| {
            let nav =
                nav(&item.nav).ok_or_else(|| bad(format!("Unknown property '{}'.", item.nav)))?;
            let target = known_set(&nav.target);
            if let Some(fields) = &item.select
                && let Some(unknown) = fields.iter().find(|f| !target.is_field(f))
            {
                return Err(bad(format!(
                    "Could not find a property named '{unknown}' on type '{}.{}'.",
                    metadata::FO_NAMESPACE,
                    target.type_name
                )));
            }
            Ok(ExpandItem {
                nav,
                target,
                select: item.select,
            })
        })
        .collect()
}

/// The values of `fields` in `row`, upper-cased: F&O compares keys without regard to case.
fn match_key<'a>(row: &Map<String, Value>, fields: impl Iterator<Item = &'a str>) -> Vec<String> {
    fields
        .map(|f| match row.get(f) {
            Some(Value::String(s)) => s.to_uppercase(),
            Some(other) => other.to_string(),
            None => String::new(),
        })
        .collect()
}

/// Projects `rows` to `select` and adds each expanded navigation property: an object (or
/// `null`) for a single-valued one, an array for a collection.
async fn expand_rows(
    st: &Arc<FoState>,
    expand: &[ExpandItem],
    rows: Vec<Map<String, Value>>,
    select: Option<&[String]>,
) -> Result<Vec<Value>, ApiError> {
    let mut related: Vec<Vec<Value>> = Vec::with_capacity(expand.len());
    for item in expand {
        let target = item.target.name;
        let candidates = cached_rows(st, target).await?;
        let mut by_key: HashMap<Vec<String>, Vec<&Map<String, Value>>> = HashMap::new();
        for row in candidates.iter() {
            let key = match_key(
                row,
                item.nav.constraints.iter().map(|c| c.target_field.as_str()),
            );
            by_key.entry(key).or_default().push(row);
        }
        let values = rows
            .iter()
            .map(|row| {
                let key = match_key(row, item.nav.constraints.iter().map(|c| c.field.as_str()));
                let found = by_key.get(&key).cloned().unwrap_or_default();
                let mut projected = found
                    .into_iter()
                    .map(|r| project(r.clone(), item.select.as_deref()));
                if item.nav.collection {
                    Value::Array(projected.collect())
                } else {
                    projected.next().unwrap_or(Value::Null)
                }
            })
            .collect();
        related.push(values);
    }
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut out = project(row, select);
            if let Some(obj) = out.as_object_mut() {
                for (item, values) in expand.iter().zip(&related) {
                    obj.insert(item.nav.name.clone(), values[i].clone());
                }
            }
            out
        })
        .collect())
}

/// Checks a write body against the entity's fields, normalising values to their stored form.
fn validate_body(set: &EntitySet, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let parsed: Value = serde_json::from_slice(body).map_err(|e| {
        plain_error(
            StatusCode::BAD_REQUEST,
            format!("The request body is not valid JSON: {e}."),
        )
    })?;
    let Value::Object(obj) = parsed else {
        return Err(plain_error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        ));
    };
    let mut out = Map::new();
    for (name, value) in obj {
        // Instance annotations such as `@odata.type` and `@odata.etag` are accepted and dropped.
        if name.starts_with('@') || name.contains("@odata.") {
            continue;
        }
        let Some(field) = set.field(&name) else {
            return Err(write_error(
                set,
                &format!(
                    "The property '{name}' does not exist on type 'Microsoft.Dynamics.DataEntities.{}'",
                    set.type_name
                ),
            ));
        };
        let bad = || {
            write_error(
                set,
                &format!("The value {value} is not valid for field '{name}'"),
            )
        };
        let normalised = match field.kind {
            Kind::Time => continue,
            Kind::Date => match &value {
                Value::Null => Value::from(NULL_DATE),
                Value::String(_) => value.clone(),
                _ => return Err(bad()),
            },
            Kind::Str => match &value {
                Value::Null => Value::from(""),
                Value::String(_) => value.clone(),
                _ => return Err(bad()),
            },
            Kind::Num => match &value {
                Value::Null => Value::from(0),
                Value::Number(_) => value.clone(),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(bad)?,
                _ => return Err(bad()),
            },
            Kind::Enum(members) => {
                let s = value.as_str().ok_or_else(bad)?;
                let m = members
                    .iter()
                    .find(|m| m.eq_ignore_ascii_case(s))
                    .ok_or_else(bad)?;
                Value::from(m.as_str())
            }
        };
        out.insert(name, normalised);
    }
    Ok(out)
}

fn defaults(set: &EntitySet) -> Map<String, Value> {
    set.fields
        .iter()
        .map(|f| {
            let v = match f.kind {
                Kind::Str | Kind::Time => Value::from(""),
                Kind::Date => Value::from(NULL_DATE),
                Kind::Num => Value::from(0),
                Kind::Enum(members) => Value::from(members[0].as_str()),
            };
            (f.name.to_string(), v)
        })
        .collect()
}

fn str_field(row: &Map<String, Value>, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn entity_url(st: &FoState, set: &EntitySet, values: &[String]) -> String {
    let key = set
        .keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={}", odata::quote_key(v)))
        .collect::<Vec<_>>()
        .join(",");
    format!("{}/data/{}({key})", st.url, set.name)
}

/// The key values of a stored row, in key order.
fn stored_keys(set: &EntitySet, row: &Map<String, Value>) -> Vec<String> {
    set.keys.iter().map(|k| str_field(row, k)).collect()
}

/// Key field names paired with their values, for data events.
fn key_pairs<'a>(set: &EntitySet, values: &'a [String]) -> Vec<(&'static str, &'a str)> {
    set.keys
        .iter()
        .copied()
        .zip(values.iter().map(String::as_str))
        .collect()
}

async fn create(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let changes = validate_body(set, body)?;
    let mut row = defaults(set);
    row.extend(changes);
    if set.company_specific {
        let company = str_field(&row, "dataAreaId");
        let company = if company.is_empty() {
            DEFAULT_COMPANY.to_string()
        } else {
            company.to_uppercase()
        };
        row.insert("dataAreaId".into(), Value::from(company));
    }
    for k in &set.keys {
        if str_field(&row, k).trim().is_empty() {
            return Err(write_error(set, &format!("Field '{k}' must be filled in")));
        }
    }
    let values: Vec<String> = set.keys.iter().map(|k| str_field(&row, k)).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let key_desc = key_text(set, &values);
    let (events, event_keys) = (st.events.clone(), values.clone());
    let stored = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            if set.company_specific {
                let company = str_field(&row, "dataAreaId");
                if load_one(&tx, "LegalEntities", &storage_key(&[&company]))?.is_none() {
                    return Err(write_error(
                        set,
                        &format!(
                            "The value '{company}' in field 'dataAreaId' is not found in the related table 'Legal entities'"
                        ),
                    ));
                }
            }
            if load_one(&tx, set.name, &k)?.is_some() {
                return Err(write_error(
                    set,
                    &format!("Cannot create a record in {}. {key_desc}. The record already exists", set.type_name),
                ));
            }
            let recid = next_counter(&tx, "recid", RECID_START)?;
            // Stamp inside the lock so stamp order equals commit order for watermark pollers.
            row.insert("ModifiedDateTime".into(), Value::from(next_modified()));
            tx.execute(
                "INSERT INTO fo_rows (entity, k, recid, recversion, body) VALUES (?1, ?2, ?3, 1, ?4)",
                params![set.name, k, recid, Value::Object(row.clone()).to_string()],
            )?;
            events.enqueue(&tx, set.name, Operation::Create, &key_pairs(set, &event_keys))?;
            tx.commit()?;
            Ok(row_from_sql(recid, 1, &Value::Object(row).to_string()))
        })
        .await?;
    st.events.wake();
    let etag = str_field(&stored, "@odata.etag");
    let location = entity_url(st, set, &values);
    let mut body = stored;
    body.insert(
        "@odata.context".into(),
        Value::from(format!("{}/data/$metadata#{}/$entity", st.url, set.name)),
    );
    Ok(reply(
        StatusCode::CREATED,
        Some(Value::Object(body).to_string()),
        &[("Location", location), ("ETag", etag)],
    ))
}

fn precondition_failed() -> ApiError {
    plain_error(
        StatusCode::PRECONDITION_FAILED,
        "The etag value in the request header does not match with the current etag value of the object.",
    )
}

fn etag_matches(if_match: Option<&str>, current: &str) -> bool {
    match if_match {
        None => true,
        Some(v) => v
            .split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == current),
    }
}

async fn update(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    values: Vec<String>,
    headers: &HeaderMap,
    body: &Bytes,
    partial: bool,
) -> Result<Response, ApiError> {
    let changes = validate_body(set, body)?;
    for (k, v) in set.keys.iter().zip(&values) {
        if let Some(new) = changes.get(*k).and_then(Value::as_str)
            && !new.eq_ignore_ascii_case(v)
        {
            return Err(write_error(
                set,
                &format!("The key field '{k}' cannot be changed from '{v}' to '{new}'"),
            ));
        }
    }
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let missing = not_found(set, &values);
    let events = st.events.clone();
    let etag = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let Some(stored) = load_one(&tx, set.name, &k)? else {
                return Err(missing);
            };
            let current = str_field(&stored.row, "@odata.etag");
            if !etag_matches(if_match.as_deref(), &current) {
                return Err(precondition_failed());
            }
            // Events carry the keys as stored, whatever case the URL used.
            let event_keys = stored_keys(set, &stored.row);
            let mut row = if partial {
                stored.row
            } else {
                let mut fresh = defaults(set);
                for key in &set.keys {
                    fresh.insert(
                        (*key).to_string(),
                        stored.row.get(*key).cloned().unwrap_or_default(),
                    );
                }
                fresh
            };
            row.remove("@odata.etag");
            for (name, v) in changes {
                // Keys keep their stored spelling; only case could differ here.
                if !set.keys.contains(&name.as_str()) {
                    row.insert(name, v);
                }
            }
            row.insert("ModifiedDateTime".into(), Value::from(next_modified()));
            let recversion = stored.recversion + 1;
            tx.execute(
                "UPDATE fo_rows SET recversion = ?3, body = ?4 WHERE entity = ?1 AND k = ?2",
                params![set.name, k, recversion, Value::Object(row).to_string()],
            )?;
            events.enqueue(
                &tx,
                set.name,
                Operation::Update,
                &key_pairs(set, &event_keys),
            )?;
            tx.commit()?;
            Ok(etag(recversion, stored.recid))
        })
        .await?;
    st.events.wake();
    Ok(reply(StatusCode::NO_CONTENT, None, &[("ETag", etag)]))
}

async fn delete(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    values: Vec<String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let missing = not_found(set, &values);
    let events = st.events.clone();
    st.db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let Some(stored) = load_one(&tx, set.name, &k)? else {
                return Err(missing);
            };
            if !etag_matches(if_match.as_deref(), &str_field(&stored.row, "@odata.etag")) {
                return Err(precondition_failed());
            }
            let event_keys = stored_keys(set, &stored.row);
            tx.execute(
                "DELETE FROM fo_rows WHERE entity = ?1 AND k = ?2",
                params![set.name, k],
            )?;
            events.enqueue(
                &tx,
                set.name,
                Operation::Delete,
                &key_pairs(set, &event_keys),
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    st.events.wake();
    Ok(reply(StatusCode::NO_CONTENT, None, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_stamps_strictly_increase() {
        let a = next_modified();
        let b = next_modified();
        assert!(
            b > a,
            "stamps must increase even within one millisecond: {a} then {b}"
        );
    }

    #[test]
    fn blocks_end_at_the_clock_but_never_precede_earlier_stamps() {
        // GIVEN a clock at 1,000,000 ms.
        let now = 1_000_000;
        // WHEN 1,000 stamps are reserved long after the last one, or right after it.
        let idle = block_start(now, 0, 1000);
        let busy = block_start(now, now, 1000);
        // THEN an idle block ends at the clock instead of running 1,000 ms ahead of it.
        assert_eq!(
            idle + 999,
            now,
            "a bulk load must not push later writes far ahead of the wall clock"
        );
        // THEN a block after a recent stamp starts right after it.
        assert_eq!(
            busy,
            now + 1,
            "a block must never reuse or precede stamps pollers may have seen"
        );
        assert_eq!(
            block_start(now, now - 5, 1),
            now,
            "a single stamp is the clock when it is ahead of the last one, as before"
        );
    }

    #[test]
    fn reserved_block_is_followed_by_newer_writes() {
        // GIVEN a reserved block.
        let first = reserve_modified(1000);
        // WHEN the next write is stamped.
        let after = next_modified();
        // THEN it is newer than every stamp of the block.
        assert!(
            after > format_modified(first + 999),
            "the next write must be newer than every row of the block"
        );
    }

    #[test]
    fn etag_is_base64_of_version_and_recid() {
        assert_eq!(
            etag(0, 22565421176),
            "W/\"JzAsMjI1NjU0MjExNzYn\"",
            "observed F&O shape"
        );
    }

    #[test]
    fn key_requires_every_part() {
        assert!(
            parse_key(known_set("CustomersV3"), "CustomerAccount='C1'").is_err(),
            "dataAreaId missing"
        );
        let v = parse_key(
            known_set("CustomersV3"),
            "CustomerAccount='C''1',dataAreaId='DAT'",
        )
        .expect("valid key");
        assert_eq!(
            v,
            vec!["DAT".to_string(), "C'1".to_string()],
            "order follows the key definition"
        );
    }
}
