//! Dataverse `EntityDefinitions` as real clients call it: `$filter` and `$select` over the
//! whole list in one answer, the refused options and functions with Dataverse's codes, the
//! `EntityMetadata` shape, keyed reads by name and by `MetadataId`, and ids that survive a
//! restart.

use duet_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, Env, json_of, start};

/// The logical names a filtered `EntityDefinitions` read answers, sorted.
async fn names(dv: &Dv<'_>, filter: &str) -> Vec<String> {
    let url = dv.url(&format!(
        "EntityDefinitions?$select=LogicalName&$filter={}",
        urlencode(filter)
    ));
    let resp = dv.get(&url).await;
    assert_eq!(resp.status(), StatusCode::OK, "filter {filter} is accepted");
    let body = json_of(resp).await;
    assert!(
        body.get("@odata.nextLink").is_none(),
        "metadata is never paged: {body}"
    );
    let mut out: Vec<String> = body["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|d| {
            assert!(
                d["MetadataId"].is_string(),
                "MetadataId is always sent: {d}"
            );
            d["LogicalName"].as_str().expect("LogicalName").to_string()
        })
        .collect();
    out.sort();
    out
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn entity_definitions_filter_with_the_operators_clients_send() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let all = duet_sandbox::catalog().dataverse.len();
    // WHEN clients filter as the public ones do, THEN each filter keeps exactly its tables.
    assert_eq!(names(&dv, "LogicalName eq 'account'").await, ["account"]);
    assert_eq!(names(&dv, "EntitySetName eq 'accounts'").await, ["account"]);
    assert_eq!(names(&dv, "IsPrivate eq false").await.len(), all);
    assert_eq!(
        names(
            &dv,
            "IsPrivate eq false and LogicalName ne null and LogicalName ne ''"
        )
        .await
        .len(),
        all
    );
    assert_eq!(
        names(
            &dv,
            "LogicalName eq 'contact' or LogicalName eq 'account' or LogicalName eq 'lead'"
        )
        .await,
        ["account", "contact", "lead"]
    );
    assert_eq!(
        names(
            &dv,
            "(LogicalName eq 'contact' or LogicalName eq 'account') and IsCustomEntity eq false"
        )
        .await,
        ["account", "contact"]
    );
    assert_eq!(
        names(
            &dv,
            "OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'OrganizationOwned'"
        )
        .await,
        ["transactioncurrency", "uom"]
    );
    assert_eq!(
        names(
            &dv,
            "CanChangeTrackingBeEnabled/Value eq true and ChangeTrackingEnabled eq true"
        )
        .await
        .len(),
        all,
        "every table tracks changes"
    );
    assert_eq!(
        names(
            &dv,
            "Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',PropertyValues=['lead','account'])"
        )
        .await,
        ["account", "lead"]
    );
    assert_eq!(
        names(&dv, "LogicalName in ('quote','invoice')").await,
        ["invoice", "quote"]
    );
    let custom = names(&dv, "ObjectTypeCode gt 9999").await;
    assert!(
        custom
            .iter()
            .all(|n| n.starts_with("msdyn_") || n.starts_with("cdm_")),
        "only tables Dataverse does not ship have codes from 10000: {custom:?}"
    );
    // AND a filter nothing matches answers an empty list, not an error.
    let body = json_of(
        dv.get(&dv.url("EntityDefinitions?$filter=LogicalName eq 'nosuchtable'"))
            .await,
    )
    .await;
    assert_eq!(body["value"], json!([]), "{body}");
    // AND `LabelLanguages` is accepted.
    let resp = dv
        .get(&dv.url("EntityDefinitions?$select=DisplayName&LabelLanguages=1033"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK, "LabelLanguages is accepted");
    let body = json_of(resp).await;
    assert_eq!(body["value"].as_array().map(Vec::len), Some(all));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn entity_definitions_refuse_paging_options_and_functions_by_name() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN a paging, ordering or counting option is sent.
    for (query, option) in [
        ("$top=1", "$top"),
        ("$skip=1", "$skip"),
        ("$orderby=LogicalName", "$orderby"),
        ("$count=true", "$count"),
    ] {
        let resp = dv.get(&dv.url(&format!("EntityDefinitions?{query}"))).await;
        // THEN it is a 400 naming the option, with Dataverse's code.
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            json_of(resp).await,
            json!({"error": {"code": "0x80060888",
                "message": format!("The query parameter {option} is not supported")}}),
            "{query}"
        );
    }
    // WHEN a filter calls a function, THEN it is a 501 naming the function.
    for function in ["startswith", "contains", "endswith", "tolower"] {
        let filter = match function {
            "tolower" => "tolower(LogicalName) eq 'account'".to_string(),
            f => format!("{f}(LogicalName,'acc')"),
        };
        let resp = dv
            .get(&dv.url(&format!("EntityDefinitions?$filter={}", urlencode(&filter))))
            .await;
        assert_eq!(resp.status(), StatusCode::NOT_IMPLEMENTED, "{filter}");
        assert_eq!(
            json_of(resp).await,
            json!({"error": {"code": "0x8006088a", "message":
                format!("The \"{function}\" function isn't supported for Metadata Entities.")}}),
        );
    }
    // AND a function inside an expanded Attributes filter is refused the same way.
    let resp = dv
        .get(&dv.url(
            "EntityDefinitions(LogicalName='account')?$expand=Attributes($filter=startswith(LogicalName,'a'))",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_IMPLEMENTED);
    // AND a property the type does not have is a 400.
    let resp = dv
        .get(&dv.url("EntityDefinitions?$filter=NoSuchProperty eq 1"))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = dv
        .get(&dv.url("EntityDefinitions?$select=NoSuchProperty"))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    env.sandbox.shutdown().await;
}

/// Checks a managed property's shape.
fn assert_managed(item: &Value, name: &str, logical: &str) {
    let p = &item[name];
    assert!(p["Value"].is_boolean(), "{name}.Value is a boolean: {p}");
    assert!(p["CanBeChanged"].is_boolean(), "{name}.CanBeChanged: {p}");
    assert_eq!(p["ManagedPropertyLogicalName"], logical, "{name}");
}

#[tokio::test]
async fn entity_metadata_has_the_real_shape() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN account is read by its logical name.
    let resp = dv
        .get(&dv.url("EntityDefinitions(LogicalName='account')"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let account = json_of(resp).await;
    // THEN it is a bare object with the entity context and the documented shape.
    let context = account["@odata.context"].as_str().expect("context");
    assert!(
        context.ends_with("/$metadata#EntityDefinitions/$entity"),
        "{context}"
    );
    assert!(
        account.get("value").is_none(),
        "a keyed read is not a collection"
    );
    assert_eq!(account["ObjectTypeCode"], 1);
    assert_eq!(account["LogicalName"], "account");
    assert_eq!(account["SchemaName"], "Account");
    assert_eq!(account["EntitySetName"], "accounts");
    assert_eq!(account["LogicalCollectionName"], "accounts");
    assert_eq!(account["PrimaryIdAttribute"], "accountid");
    assert_eq!(account["PrimaryNameAttribute"], "name");
    assert_eq!(account["OwnershipType"], "UserOwned");
    for flag in [
        "IsCustomEntity",
        "IsIntersect",
        "IsPrivate",
        "IsLogicalEntity",
        "IsActivity",
    ] {
        assert_eq!(account[flag], false, "{flag}");
    }
    assert_eq!(account["IsManaged"], true);
    assert_eq!(account["ChangeTrackingEnabled"], true);
    assert_managed(
        &account,
        "CanChangeTrackingBeEnabled",
        "canchangetrackingbeenabled",
    );
    assert_managed(&account, "IsCustomizable", "iscustomizable");
    assert_managed(&account, "IsAuditEnabled", "canmodifyauditsettings");
    assert_managed(&account, "CanCreateAttributes", "cancreateattributes");
    assert_managed(&account, "IsValidForQueue", "canmodifyqueuesettings");
    assert_managed(
        &account,
        "IsConnectionsEnabled",
        "canmodifyconnectionsettings",
    );
    assert_eq!(
        account["DisplayName"]["UserLocalizedLabel"]["Label"],
        "Account"
    );
    assert_eq!(
        account["DisplayName"]["LocalizedLabels"][0]["LanguageCode"],
        1033
    );
    assert_eq!(
        account["DisplayCollectionName"]["LocalizedLabels"][0]["Label"],
        "Accounts"
    );
    assert_eq!(
        account["Description"],
        json!({"LocalizedLabels": [], "UserLocalizedLabel": null})
    );
    // AND a table Dataverse does not ship is custom, with a code from 10000.
    let group = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='msdyn_customergroup')"))
            .await,
    )
    .await;
    assert_eq!(group["IsCustomEntity"], true);
    assert!(
        group["ObjectTypeCode"]
            .as_i64()
            .is_some_and(|c| c >= 10_000),
        "{group}"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn keyed_reads_by_metadata_id_and_ids_that_survive_a_restart() {
    // GIVEN a sandbox and account's definition.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let account = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='account')"))
            .await,
    )
    .await;
    // WHEN it is read by its MetadataId, THEN the same definition comes back.
    let id = account["MetadataId"].as_str().expect("MetadataId");
    let by_id = json_of(
        dv.get(&dv.url(&format!("EntityDefinitions({id})?$select=LogicalName")))
            .await,
    )
    .await;
    assert_eq!(by_id["LogicalName"], "account", "{by_id}");
    assert!(
        by_id.get("SchemaName").is_none(),
        "$select narrows a keyed read"
    );
    // AND unknown names and ids are 404s with the not-found code.
    for key in [
        "LogicalName='nosuchtable'",
        "00000000-0000-0000-0000-000000000001",
    ] {
        let resp = dv.get(&dv.url(&format!("EntityDefinitions({key})"))).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{key}");
        assert_eq!(json_of(resp).await["error"]["code"], "0x80040217");
    }
    // WHEN the sandbox restarts over the same directory.
    let Env { sandbox, http, dir } = env;
    sandbox.shutdown().await;
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .expect("restart");
    let env = Env { sandbox, http, dir };
    let dv = Dv::new(&env).await;
    // THEN the ids are the same, so a client's cached ids stay valid.
    let again = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='account')"))
            .await,
    )
    .await;
    assert_eq!(
        again["MetadataId"], account["MetadataId"],
        "stable MetadataId"
    );
    env.sandbox.shutdown().await;
}
