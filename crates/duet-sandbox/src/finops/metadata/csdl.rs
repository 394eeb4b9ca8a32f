//! The metadata service's own `$metadata` document: the entity types of its four entity sets,
//! the complex types held inline in them, and the `EntityCategory` enumeration.

use std::fmt::Write as _;
use std::sync::OnceLock;

use super::model::EntityCategory;

const NAMESPACE: &str = "Microsoft.Dynamics.Metadata";

/// Properties as (name, type); a type starting with `#` is a collection of that complex type.
type Properties = &'static [(&'static str, &'static str)];

/// (name, key, properties) of each entity type.
const ENTITY_TYPES: &[(&str, &[&str], Properties)] = &[
    (
        "DataEntity",
        &["Name"],
        &[
            ("Name", "Edm.String"),
            ("PublicEntityName", "Edm.String"),
            ("PublicCollectionName", "Edm.String"),
            ("LabelId", "Edm.String"),
            (
                "EntityCategory",
                "Microsoft.Dynamics.Metadata.EntityCategory",
            ),
            ("DataServiceEnabled", "Edm.Boolean"),
            ("DataManagementEnabled", "Edm.Boolean"),
            ("IsReadOnly", "Edm.Boolean"),
        ],
    ),
    (
        "PublicEntity",
        &["Name"],
        &[
            ("Name", "Edm.String"),
            ("EntitySetName", "Edm.String"),
            ("LabelId", "Edm.String"),
            ("IsReadOnly", "Edm.Boolean"),
            ("ConfigurationEnabled", "Edm.Boolean"),
            ("Properties", "#Property"),
            ("NavigationProperties", "#NavigationProperty"),
            ("PropertyGroups", "#PropertyGroup"),
            ("Actions", "#Action"),
        ],
    ),
    (
        "PublicEnumeration",
        &["Name"],
        &[
            ("Name", "Edm.String"),
            ("LabelId", "Edm.String"),
            ("Members", "#EnumerationMember"),
        ],
    ),
    (
        "Label",
        &["Id", "Language"],
        &[
            ("Id", "Edm.String"),
            ("Language", "Edm.String"),
            ("Value", "Edm.String"),
        ],
    ),
];

const COMPLEX_TYPES: &[(&str, Properties)] = &[
    (
        "Property",
        &[
            ("Name", "Edm.String"),
            ("TypeName", "Edm.String"),
            ("DataType", "Edm.String"),
            ("LabelId", "Edm.String"),
            ("IsKey", "Edm.Boolean"),
            ("IsMandatory", "Edm.Boolean"),
            ("ConfigurationEnabled", "Edm.Boolean"),
            ("AllowEdit", "Edm.Boolean"),
            ("AllowEditOnCreate", "Edm.Boolean"),
            ("IsDimension", "Edm.Boolean"),
            ("DimensionRelation", "Edm.String"),
            ("IsDynamicDimension", "Edm.Boolean"),
            ("DimensionLegalEntityProperty", "Edm.String"),
            ("DimensionTypeProperty", "Edm.String"),
        ],
    ),
    (
        "NavigationProperty",
        &[
            ("Name", "Edm.String"),
            ("RelatedEntity", "Edm.String"),
            ("RelatedRelationName", "Edm.String"),
            ("Cardinality", "Edm.String"),
            ("Constraints", "#ReferentialConstraint"),
        ],
    ),
    (
        "ReferentialConstraint",
        &[
            ("Property", "Edm.String"),
            ("ReferencedProperty", "Edm.String"),
        ],
    ),
    (
        "PropertyGroup",
        &[
            ("Name", "Edm.String"),
            ("Properties", "Collection(Edm.String)"),
        ],
    ),
    (
        "Action",
        &[
            ("Name", "Edm.String"),
            ("BindingKind", "Edm.String"),
            ("Parameters", "#ActionParameter"),
            ("ReturnType", "Microsoft.Dynamics.Metadata.ActionType"),
        ],
    ),
    (
        "ActionParameter",
        &[
            ("Name", "Edm.String"),
            ("Type", "Microsoft.Dynamics.Metadata.ActionType"),
        ],
    ),
    (
        "ActionType",
        &[("TypeName", "Edm.String"), ("IsCollection", "Edm.Boolean")],
    ),
    (
        "EnumerationMember",
        &[
            ("Name", "Edm.String"),
            ("LabelId", "Edm.String"),
            ("Value", "Edm.Int32"),
            ("ConfigurationEnabled", "Edm.Boolean"),
        ],
    ),
];

fn properties(out: &mut String, props: &[(&str, &str)]) {
    for (name, ty) in props {
        let ty = match ty.strip_prefix('#') {
            Some(complex) => format!("Collection({NAMESPACE}.{complex})"),
            None => (*ty).to_string(),
        };
        let _ = write!(out, "<Property Name=\"{name}\" Type=\"{ty}\"/>");
    }
}

/// The document, built once.
pub(super) fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>",
        );
        let _ = write!(
            s,
            "<Schema Namespace=\"{NAMESPACE}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\"><EnumType Name=\"EntityCategory\">"
        );
        for (i, c) in EntityCategory::ALL.iter().enumerate() {
            let _ = write!(s, "<Member Name=\"{}\" Value=\"{i}\"/>", c.name());
        }
        s.push_str("</EnumType>");
        for (name, props) in COMPLEX_TYPES {
            let _ = write!(s, "<ComplexType Name=\"{name}\">");
            properties(&mut s, props);
            s.push_str("</ComplexType>");
        }
        for (name, keys, props) in ENTITY_TYPES {
            let _ = write!(s, "<EntityType Name=\"{name}\"><Key>");
            for k in *keys {
                let _ = write!(s, "<PropertyRef Name=\"{k}\"/>");
            }
            s.push_str("</Key>");
            properties(&mut s, props);
            s.push_str("</EntityType>");
        }
        s.push_str("<EntityContainer Name=\"MetadataContainer\">");
        for (set, ty) in [
            ("DataEntities", "DataEntity"),
            ("PublicEntities", "PublicEntity"),
            ("PublicEnumerations", "PublicEnumeration"),
            ("Labels", "Label"),
        ] {
            let _ = write!(
                s,
                "<EntitySet Name=\"{set}\" EntityType=\"{NAMESPACE}.{ty}\"/>"
            );
        }
        s.push_str("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
        s
    })
}
