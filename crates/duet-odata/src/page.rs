//! Reading the answers to reads: a response body as JSON, a page of rows with the link of the
//! next page (finance and operations queries and Dataverse queries alike), and a page of
//! Dataverse change tracking with its tombstones and delta link.
//!
//! Pure functions over the text the service sent, which Duet's clients call once the
//! transport has the body, and which the fuzz targets call with arbitrary bytes: either a
//! page or a typed error, never a panic.

use serde_json::{Map, Value};

/// A row as the services write it: a JSON object.
pub type Row = Map<String, Value>;

/// Why an answer could not be read as a page.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PageError {
    #[error("response is not JSON: {0}")]
    NotJson(String),
    #[error("the response has no 'value' array")]
    NoValue,
    #[error("the response's {annotation} is not a string: {found}")]
    LinkNotText {
        annotation: &'static str,
        found: &'static str,
    },
    #[error("a deleted row ($deletedEntity) has no string id: its id is {found}")]
    TombstoneWithoutId { found: &'static str },
}

/// One page of a query: its rows, and the link of the next page when there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub rows: Vec<Row>,
    pub next_link: Option<String>,
}

/// One page of Dataverse change tracking: rows created or updated, ids of rows deleted
/// (`$deletedEntity` tombstones), the link of the next page, and on the last page the delta
/// link that reads what changes after it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangePage {
    pub changed: Vec<Row>,
    pub deleted: Vec<String>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
}

/// A response body as JSON; a blank body is `null`. serde_json's recursion limit (128) is
/// left on, so JSON nested deeper is an error rather than a stack overflow.
pub fn json_body(text: &str) -> Result<Value, PageError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|error| PageError::NotJson(error.to_string()))
}

/// A page of a query read from its body text.
pub fn parse_page(text: &str) -> Result<Page, PageError> {
    read_page(&json_body(text)?)
}

/// A page of change tracking read from its body text.
pub fn parse_change_page(text: &str) -> Result<ChangePage, PageError> {
    read_change_page(&json_body(text)?)
}

/// A page of a query: the objects of its `value` array and its `@odata.nextLink`.
pub fn read_page(body: &Value) -> Result<Page, PageError> {
    Ok(Page {
        rows: rows(body)?,
        next_link: link(body, "@odata.nextLink")?,
    })
}

/// A page of change tracking: its rows told apart from its tombstones, its next link and its
/// delta link.
pub fn read_change_page(body: &Value) -> Result<ChangePage, PageError> {
    let mut page = ChangePage {
        next_link: link(body, "@odata.nextLink")?,
        delta_link: link(body, "@odata.deltaLink")?,
        ..ChangePage::default()
    };
    for row in rows(body)? {
        match tombstone(&row)? {
            Some(id) => page.deleted.push(id),
            None => page.changed.push(row),
        }
    }
    Ok(page)
}

/// The objects of the body's `value` array (anything else in it is not a row).
fn rows(body: &Value) -> Result<Vec<Row>, PageError> {
    let values = body
        .get("value")
        .and_then(Value::as_array)
        .ok_or(PageError::NoValue)?;
    Ok(values
        .iter()
        .filter_map(|row| row.as_object().cloned())
        .collect())
}

/// A link annotation: absent or null is no link; anything but a string is an error, since
/// reading on as if there were no next page would quietly drop the rows after it.
fn link(body: &Value, annotation: &'static str) -> Result<Option<String>, PageError> {
    match body.get(annotation) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(link)) => Ok(Some(link.clone())),
        Some(other) => Err(PageError::LinkNotText {
            annotation,
            found: kind(other),
        }),
    }
}

/// The id of a tombstone (`$deletedEntity`, which carries only the id and the reason), or
/// `None` for a row. A tombstone without a string id is an error: carrying it as a changed
/// row would write an empty row, and dropping it would lose the delete.
fn tombstone(row: &Row) -> Result<Option<String>, PageError> {
    let is_tombstone = row
        .get("@odata.context")
        .and_then(Value::as_str)
        .is_some_and(|context| context.ends_with("$deletedEntity"))
        || row.get("reason").and_then(Value::as_str) == Some("deleted");
    if !is_tombstone {
        return Ok(None);
    }
    match row.get("id") {
        Some(Value::String(id)) => Ok(Some(id.clone())),
        other => Err(PageError::TombstoneWithoutId {
            found: other.map_or("missing", kind),
        }),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
