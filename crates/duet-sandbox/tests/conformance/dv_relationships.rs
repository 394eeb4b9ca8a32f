//! Dataverse relationship metadata: each lookup is a one-to-many relationship, seen from the
//! table that holds the lookup (`ManyToOneRelationships`), from the table it points at
//! (`OneToManyRelationships`), and in `RelationshipDefinitions`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, json_of, start};

#[tokio::test]
async fn lookups_are_relationships_from_both_sides() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN account's lookups are read as relationships, filtered to the company lookup.
    let body = json_of(
        dv.get(&dv.url(
            "EntityDefinitions(LogicalName='account')/ManyToOneRelationships\
             ?$select=SchemaName,ReferencedEntity,ReferencedAttribute,ReferencingAttribute\
             &$filter=ReferencingAttribute eq 'msdyn_company'",
        ))
        .await,
    )
    .await;
    // THEN there is one, pointing at the company's primary id.
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 1, "{body}");
    let company = &list[0];
    assert_eq!(company["ReferencedEntity"], "cdm_company");
    assert_eq!(company["ReferencedAttribute"], "cdm_companyid");
    assert!(company["MetadataId"].is_string());
    let schema = company["SchemaName"]
        .as_str()
        .expect("SchemaName")
        .to_string();
    // AND the company sees it among its one-to-many relationships.
    let body = json_of(
        dv.get(&dv.url(
            "EntityDefinitions(LogicalName='cdm_company')/OneToManyRelationships?$select=SchemaName",
        ))
        .await,
    )
    .await;
    assert!(
        body["value"]
            .as_array()
            .expect("value")
            .iter()
            .any(|r| r["SchemaName"] == schema.as_str()),
        "{body}"
    );
    // AND expanding them on the definition gives the same, system lookups included.
    let body = json_of(
        dv.get(&dv.url(
            "EntityDefinitions(LogicalName='account')?$select=LogicalName\
             &$expand=ManyToOneRelationships($select=ReferencingAttribute,ReferencedEntity),ManyToManyRelationships",
        ))
        .await,
    )
    .await;
    let targets: Vec<(&str, &str)> = body["ManyToOneRelationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .filter_map(|r| {
            Some((
                r["ReferencingAttribute"].as_str()?,
                r["ReferencedEntity"].as_str()?,
            ))
        })
        .collect();
    assert!(
        targets.contains(&("createdby", "systemuser")),
        "{targets:?}"
    );
    assert!(targets.contains(&("ownerid", "owner")), "{targets:?}");
    assert_eq!(body["ManyToManyRelationships"], json!([]));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn relationship_definitions_by_list_name_id_and_cast() {
    // GIVEN a sandbox and one relationship's schema name.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let all = json_of(dv.get(&dv.url("RelationshipDefinitions")).await).await;
    let first: &Value = &all["value"][0];
    assert_eq!(
        first["@odata.type"], "#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
        "a list of the base type names each item's type"
    );
    // WHEN one is read by name and by id.
    let name = first["SchemaName"].as_str().expect("SchemaName");
    let by_name = json_of(
        dv.get(&dv.url(&format!("RelationshipDefinitions(SchemaName='{name}')")))
            .await,
    )
    .await;
    let id = by_name["MetadataId"].as_str().expect("MetadataId");
    let by_id = json_of(
        dv.get(&dv.url(&format!(
            "RelationshipDefinitions({id})/Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata?$select=SchemaName"
        )))
        .await,
    )
    .await;
    // THEN both are the same relationship, as bare objects.
    assert!(
        by_name["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/$entity"))
    );
    assert_eq!(by_id["SchemaName"], name);
    // AND the many-to-many cast is empty, and an unknown name is a 404.
    let many =
        json_of(
            dv.get(&dv.url(
                "RelationshipDefinitions/Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata",
            ))
            .await,
        )
        .await;
    assert_eq!(many["value"], json!([]));
    let resp = dv
        .get(&dv.url("RelationshipDefinitions(SchemaName='nope')"))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    env.sandbox.shutdown().await;
}
