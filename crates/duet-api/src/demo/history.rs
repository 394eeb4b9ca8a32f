//! A row's last changes on both sides, as the activity log holds them: each line the engine
//! wrote for the row's key (written, refused, lost a conflict), newest first.

use super::row_key;
use crate::model::ActivityEntry;
use crate::{Api, ApiError, views};

impl Api {
    /// The newest `limit` activity lines of row `key` of map `name` (at most 200).
    pub async fn demo_history(
        &self,
        name: &str,
        key: &str,
        limit: u32,
    ) -> Result<Vec<ActivityEntry>, ApiError> {
        let map = self.demo_map(name)?;
        let key = row_key(&map, key)?.to_string();
        Ok(self
            .store
            .row_activity(name, &key, limit.min(200))?
            .into_iter()
            .map(views::activity_entry)
            .collect())
    }
}
