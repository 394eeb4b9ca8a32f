//! Opening `dataverse.sqlite` and seeding a fresh store: the linked companies, or accounts
//! that predate the link to F&O.

use std::path::Path;

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use crate::odata::ApiError;
use crate::store::{Db, get_meta, set_meta};
use crate::{sample, samples};

use super::keys::RowKey;
use super::rows::{SCHEMA, find_row, insert_row};
use super::state::Who;
use super::tables::known_table;

const COMPANY_SEED: &[(&str, &str)] = &[
    ("DAT", "Contoso Demo"),
    ("USMF", "Contoso Entertainment System USA"),
];

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
                insert_row(
                    &tx,
                    known_table("cdm_companies"),
                    None,
                    values,
                    &Who::system(),
                )
                .map_err(to_sql_error)?;
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
            insert_row(&tx, known_table("accounts"), None, values, &Who::system())
                .map_err(to_sql_error)?;
        }
        tx.commit()?;
        Ok(count)
    })
}

/// Set once the template sample rows were written, so a restart does not write them again.
const TEMPLATE_ROWS_FLAG: &str = "template_rows";

/// Writes the template sample rows (`samples::dataverse_rows`) into a store that has not had
/// them yet, returning how many were written. They need the linked companies, since most
/// tables are per company: without `cdm_companies` rows nothing is written.
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
        let mut companies = Vec::new();
        for code in samples::COMPANIES {
            let key = RowKey::Alt((*code).to_string());
            if let Some(row) = find_row(&tx, known_table("cdm_companies"), &key)? {
                companies.push((*code, row.id));
            }
        }
        if companies.len() < samples::COMPANIES.len() {
            return Ok(0);
        }
        let rows = samples::dataverse_rows(per_company, seed, &companies);
        let written = rows.len();
        for sample in rows {
            insert_row(
                &tx,
                known_table(sample.table),
                Some(sample.id),
                sample.row,
                &Who::system(),
            )
            .map_err(to_sql_error)?;
        }
        set_meta(&tx, TEMPLATE_ROWS_FLAG, &per_company.to_string())?;
        tx.commit()?;
        Ok(written)
    })
}
