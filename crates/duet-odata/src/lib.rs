//! The OData `$batch` wire format: `multipart/mixed` bodies holding HTTP requests and
//! responses, with change sets as nested multiparts. The sandbox reads requests and writes
//! responses; the clients write requests and read responses; both use the same splitting
//! and header rules from here.

pub mod multipart;
