//! The F&O server's shared state: the store, the URL, sign-in,
//! protection and the data events that writes raise.

use std::sync::Arc;

use crate::auth::Auth;
use crate::events::DataEvents;
use crate::protection::Guard;
use crate::store::Db;

#[derive(Clone)]
pub(crate) struct FoState {
    pub(crate) db: Db,
    pub(crate) url: String,
    pub(crate) page_size: usize,
    pub(crate) auth: Arc<Auth>,
    pub(crate) guard: Arc<Guard>,
    pub(crate) events: Arc<DataEvents>,
}
