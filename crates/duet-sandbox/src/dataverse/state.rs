//! The Dataverse server's shared state: the store, its URLs, sign-in and protection, and one
//! change signal per table that wakes delta requests waiting for changes.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::watch;

use crate::auth::Auth;
use crate::protection::Guard;
use crate::store::Db;

use super::routing::ROOT_PATH;
use super::tables::{Table, tables};

/// Ids reported by `WhoAmI`.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub(crate) user_id: String,
    pub(crate) business_unit_id: String,
    pub(crate) organization_id: String,
}

impl Who {
    /// The platform's own `SYSTEM` user, which the rows a store is seeded with are created by
    /// and owned by (as rows a solution installs are). Its ids are fixed.
    pub(super) fn system() -> Who {
        Who {
            user_id: "3a0a3e2c-0000-4000-8000-5953543e4d00".into(),
            business_unit_id: "3a0a3e2c-0000-4000-8000-42555e524f4f".into(),
            organization_id: "3a0a3e2c-0000-4000-8000-4f52474e0000".into(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct DvState {
    pub(super) db: Db,
    pub(super) url: String,
    pub(super) root: String,
    pub(super) auth: Arc<Auth>,
    pub(super) who: Who,
    pub(super) guard: Arc<Guard>,
    pub(super) notify: Arc<HashMap<&'static str, watch::Sender<i64>>>,
    pub(super) shutdown: watch::Receiver<bool>,
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

    pub(super) fn changed(&self, table: &Table, version: i64) {
        if let Some(tx) = self.notify.get(table.set) {
            tx.send_replace(version);
        }
    }
}
