//! Whether a row exists on a side: remembered there, or found by asking the side. The parent
//! and self-reference waits and the delete rules all ask it.

use duet_connect::ConnectError;
use duet_maps::{RowKey, Side, TableMap};

use crate::run::keys::finops_key_of;
use crate::run::session::Session;

impl Session {
    /// Whether the row `key` of `map` exists on `side`: remembered there, or found by asking.
    pub(in crate::run) async fn exists_in(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
    ) -> Result<bool, ConnectError> {
        // A store that cannot tell is not trusted either way: the side itself is asked.
        match self
            .store()
            .shadow(&map.name, side.as_str(), &key.to_string())
        {
            Ok(Some(_)) => return Ok(true),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(map = %self.map.name, %error, "shadow read failed; asking the side");
            }
        }
        self.exists_now(map, side, key).await
    }

    /// Whether the row `key` of `map` exists on `side` now, by asking the side: finance and
    /// operations by its key, Dataverse by the map's alternate key.
    pub(in crate::run) async fn exists_now(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
    ) -> Result<bool, ConnectError> {
        match side {
            Side::FinanceOperations => Ok(self
                .context
                .finops
                .get(&map.finance_operations_entity, &finops_key_of(map, key))
                .await?
                .is_some()),
            Side::Dataverse => {
                let filter: Vec<String> = self
                    .dataverse_key(map, key)
                    .await?
                    .into_iter()
                    .map(|(column, value)| {
                        format!("{column} eq {}", duet_connect::literal(&column, &value))
                    })
                    .collect();
                let filter = filter.join(" and ");
                let rows = self
                    .context
                    .dataverse
                    .query(
                        &map.dataverse_entity_set,
                        &[
                            ("$select", map.dataverse_id.as_str()),
                            ("$filter", filter.as_str()),
                        ],
                    )
                    .await?;
                Ok(!rows.is_empty())
            }
        }
    }
}
