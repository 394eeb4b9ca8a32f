//! The company rows of a striped map's Dataverse side, read as id and code: preview names a
//! Dataverse row's company by its lookup id, and the filter count scopes rows to the link's
//! companies by their ids.

use duet_connect::DataverseClient;
use duet_maps::CompanyStriping;

use crate::ApiError;

/// The id of Dataverse's company table rows (`cdm_company`).
const COMPANY_ID: &str = "cdm_companyid";

/// Every company row as (id in lower case, code in upper case).
pub(crate) async fn dataverse_companies(
    client: &DataverseClient,
    striping: &CompanyStriping,
) -> Result<Vec<(String, String)>, ApiError> {
    let select = format!("{COMPANY_ID},{}", striping.company_code_column);
    let rows = client
        .query(
            &striping.company_entity_set,
            &[("$select", select.as_str())],
        )
        .await
        .map_err(ApiError::remote)?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            Some((
                row.get(COMPANY_ID)?.as_str()?.to_lowercase(),
                row.get(&striping.company_code_column)?
                    .as_str()?
                    .to_uppercase(),
            ))
        })
        .collect())
}
