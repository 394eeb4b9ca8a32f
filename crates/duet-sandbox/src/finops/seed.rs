//! Opening `finops.sqlite` and seeding a fresh store: the legal entities, then generated
//! customers and the reference data they point at.

use std::path::Path;

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use crate::store::{Db, get_meta, next_counter, read_counter, set_meta};
use crate::{sample, samples};

use super::entities::{defaults, known_set};
use super::rows::{RECID_START, SCHEMA, load_one, storage_key};
use super::stamps::{format_modified, next_modified, observe_modified, reserve_modified};

/// Set once the template sample rows were written, so a restart does not write them again.
const TEMPLATE_ROWS_FLAG: &str = "template_rows";

const LEGAL_ENTITY_SEED: &[(&str, &str)] = &[
    ("DAT", "Contoso Demo"),
    ("USMF", "Contoso Entertainment System USA"),
];

/// Opens `finops.sqlite`, seeding the legal entities on first use.
pub(crate) fn open(path: &Path) -> Result<Db, rusqlite::Error> {
    let db = Db::open(path, SCHEMA)?;
    db.with(|conn| conn.execute_batch(crate::events::SCHEMA))?;
    db.with(|conn| conn.execute_batch(super::scan::SCHEMA))?;
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
        let key: Vec<String> = key.iter().map(|k| (*k).to_owned()).collect();
        insert_if_absent(conn, entity, &key, values)?;
    }
    Ok(())
}

/// Inserts a row built like `create` builds one (defaults, then `values`, then a stamp and a
/// RecId) unless a row with its key exists; returns whether it was inserted.
fn insert_if_absent(
    conn: &Connection,
    entity: &str,
    key: &[String],
    values: Value,
) -> Result<bool, rusqlite::Error> {
    let refs: Vec<&str> = key.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    if load_one(conn, entity, &k)?.is_some() {
        return Ok(false);
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
    Ok(true)
}

/// Writes the template sample rows (`samples::finops_rows`) into a store that has not had
/// them yet, returning how many were written. A meta flag, not the tables' content, says
/// whether they were written, so a restart never adds them again.
pub(crate) fn seed_template_rows(
    db: &Db,
    per_company: usize,
    seed: u64,
) -> Result<usize, rusqlite::Error> {
    if per_company == 0 {
        return Ok(0);
    }
    db.with(|conn| {
        let tx = conn.transaction()?;
        if get_meta(&tx, TEMPLATE_ROWS_FLAG)?.is_some() {
            return Ok(0);
        }
        let mut written = 0;
        for sample in samples::finops_rows(per_company, seed) {
            let set = known_set(sample.entity);
            let key: Vec<String> = set
                .keys
                .iter()
                .map(|k| {
                    sample
                        .row
                        .get(*k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            if insert_if_absent(&tx, sample.entity, &key, Value::Object(sample.row))? {
                written += 1;
            }
        }
        set_meta(&tx, TEMPLATE_ROWS_FLAG, &per_company.to_string())?;
        tx.commit()?;
        Ok(written)
    })
}
