//! Source filters: a map syncs only the rows its filters select. The finance and operations
//! query range is translated to an OData `$filter`, so reads fetch only matching rows. The
//! Dataverse filter is sent as `$filter` on plain reads (the initial sync's Dataverse phase)
//! and evaluated on each row of a change-tracking read, which cannot take `$filter`; the
//! columns it names are always selected (`columns.rs`).

use duet_maps::filter::{dataverse, finance_operations};
use duet_maps::{Row, Side};

use crate::run::error::RoundError;
use crate::run::session::Session;

impl Session {
    /// The OData `$filter` clauses for reading the map's finance and operations rows: the
    /// link's companies and the map's query range, joined with `and`.
    pub(in crate::run) fn finops_read_filter(&self) -> Result<Option<String>, RoundError> {
        let mut clauses: Vec<String> = self.company_filter().into_iter().collect();
        if let Some(text) = self.map.filter_finance_operations.as_deref()
            && !text.trim().is_empty()
        {
            let expr = finance_operations::parse(text).map_err(|error| {
                RoundError::Invalid(format!(
                    "the map's finance and operations filter '{text}' is invalid: {error}"
                ))
            })?;
            let odata = finance_operations::to_odata_filter(&expr, &|_| None).map_err(|error| {
                RoundError::Invalid(format!(
                    "the map's finance and operations filter '{text}' cannot be read by OData: {error}"
                ))
            })?;
            clauses.push(format!("({odata})"));
        }
        Ok((!clauses.is_empty()).then(|| clauses.join(" and ")))
    }

    /// The map's Dataverse filter, parsed once per batch of rows; `None` syncs every row.
    pub(in crate::run) fn dataverse_filter(&self) -> Result<Option<dataverse::Filter>, RoundError> {
        match self.map.filter_dataverse.as_deref() {
            Some(text) if !text.trim().is_empty() => {
                dataverse::parse(text).map(Some).map_err(|error| {
                    RoundError::Invalid(format!(
                        "the map's Dataverse filter '{text}' is invalid: {error}"
                    ))
                })
            }
            _ => Ok(None),
        }
    }

    /// The map's Dataverse filter as the `$filter` of a plain read; `None` reads every row.
    pub(in crate::run) fn dataverse_query_filter(&self) -> Result<Option<String>, RoundError> {
        Ok(self
            .dataverse_filter()?
            .map(|filter| dataverse::to_query(&filter)))
    }

    /// Whether a Dataverse row passes the map's filter. A row the filter cannot be evaluated
    /// on (a column it names was not read, such as a path through a lookup, which a
    /// change-tracking read cannot return, or a value of another type) is synced and the
    /// reason logged, so nothing is dropped silently.
    pub(in crate::run) fn passes_dataverse_filter(
        &self,
        filter: Option<&dataverse::Filter>,
        row: &Row,
    ) -> bool {
        let Some(filter) = filter else { return true };
        // A column the read did not return would evaluate as null, not as what the row holds.
        if let Some(path) = filter
            .columns()
            .into_iter()
            .find(|path| !row.contains_key(&path.segments[0]))
        {
            tracing::warn!(
                map = %self.map.name,
                side = Side::Dataverse.as_str(),
                column = %path,
                "the source filter names a column the read did not return; the row is synced"
            );
            return true;
        }
        match dataverse::evaluate(filter, row) {
            Ok(passes) => passes,
            Err(error) => {
                tracing::warn!(
                    map = %self.map.name,
                    side = Side::Dataverse.as_str(),
                    %error,
                    "the source filter cannot be evaluated on a row; it is synced"
                );
                true
            }
        }
    }
}
