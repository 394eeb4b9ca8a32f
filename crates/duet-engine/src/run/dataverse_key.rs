//! The Dataverse alternate key a single-row write, delete or existence check addresses a row
//! by. A key column that is a lookup path (an order line is keyed by its order's number,
//! `salesorderid.msdyn_salesordernumber`) is addressed as Dataverse names that key part: the
//! looked-up row's id in the lookup's value property, `_salesorderid_value=<id>`.

use duet_connect::{ConnectError, ErrorClass};
use duet_maps::{RowKey, TableMap};

use crate::run::keys::dataverse_key_of;
use crate::run::session::Session;

impl Session {
    /// The key parts of `key` in `map` as the Web API addresses them: each key column with
    /// its value, a lookup path as its value property with the looked-up row's id.
    pub(in crate::run) async fn dataverse_key(
        &self,
        map: &TableMap,
        key: &RowKey,
    ) -> Result<Vec<(String, String)>, ConnectError> {
        let mut parts = Vec::new();
        for (column, value) in dataverse_key_of(map, key) {
            match column.split_once('.') {
                None => parts.push((column.to_owned(), value.to_owned())),
                Some((navigation, _)) => {
                    let id = self.looked_up_id(map, column, value).await?;
                    parts.push((format!("_{navigation}_value"), id));
                }
            }
        }
        Ok(parts)
    }

    /// The id of the row a key's lookup path points at, read from the looked-up map's table
    /// by the path's column. No row means the parent is not in Dataverse yet (retried later);
    /// several mean the path does not identify one row.
    async fn looked_up_id(
        &self,
        map: &TableMap,
        path: &str,
        value: &str,
    ) -> Result<String, ConnectError> {
        let lookup = self
            .lookups
            .iter()
            .find(|lookup| map.name == self.map.name && lookup.field.path == path)
            .ok_or_else(|| {
                ConnectError::new(
                    ErrorClass::BadRequest,
                    "GET",
                    path,
                    format!(
                        "the key column '{path}' of map '{}' is a lookup into a map that is not stored",
                        map.name
                    ),
                )
            })?;
        let target = &lookup.target;
        let filter = format!("{} eq {}", lookup.field.column, duet_connect::quote(value));
        let rows = self
            .context
            .dataverse
            .query(
                &target.dataverse_entity_set,
                &[
                    ("$select", target.dataverse_id.as_str()),
                    ("$filter", filter.as_str()),
                ],
            )
            .await?;
        let ids: Vec<&str> = rows
            .iter()
            .filter_map(|row| row.get(&target.dataverse_id)?.as_str())
            .collect();
        match ids.as_slice() {
            [id] => Ok((*id).to_owned()),
            [] => Err(ConnectError::new(
                ErrorClass::NotFound,
                "GET",
                &target.dataverse_entity_set,
                format!(
                    "the row of map '{}' whose {} is '{value}' is not in Dataverse yet",
                    target.name, lookup.field.column
                ),
            )),
            many => Err(ConnectError::new(
                ErrorClass::Conflict,
                "GET",
                &target.dataverse_entity_set,
                format!(
                    "{} rows of map '{}' have {} '{value}', so the key does not name one row",
                    many.len(),
                    target.name,
                    lookup.field.column
                ),
            )),
        }
    }
}
