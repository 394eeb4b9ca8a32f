//! OData wire formats. The `$batch` format: `multipart/mixed` bodies holding HTTP requests and
//! responses, with change sets as nested multiparts. The sandbox reads requests and writes
//! responses; the clients write requests and read responses; both use the same splitting
//! and header rules from here. And the JSON pages the services answer reads with, which the
//! clients read through `page`.

pub mod multipart;
pub mod page;
