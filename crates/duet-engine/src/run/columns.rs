//! The Dataverse columns a map's reads select: every column a change needs to be carried and
//! every column the map's Dataverse filter evaluates. A column left out of `$select` reads
//! as null, so a filter on it would drop rows and a concatenation would lose its parts.

use std::collections::HashSet;

use duet_maps::Transform;
use reqwest::Url;

use crate::run::session::Session;

impl Session {
    /// The Dataverse columns a read of the map's rows selects: the id, every mapped column
    /// (a lookup as its id), the parts of a concatenation read from Dataverse, the columns
    /// the Dataverse filter names, the company lookup and the modified time.
    pub(in crate::run) fn dataverse_select(&self) -> Vec<String> {
        let mut columns: Vec<String> = vec![self.map.dataverse_id.clone()];
        for field in &self.map.fields {
            // A lookup path (`msdyn_billingaccount.accountnumber`) is read as the lookup's id
            // (`_msdyn_billingaccount_value`) and resolved to the looked-up row's key.
            // A lookup by name is read as its lookup's id too, and resolved to the row's name.
            let by_name = matches!(field.transform, Some(Transform::LookupByName { .. }));
            if let Some(name) = field.dataverse.as_deref() {
                columns.push(match (name.split_once('.'), by_name) {
                    (Some((lookup, _)), _) => format!("_{lookup}_value"),
                    (None, true) => format!("_{name}_value"),
                    (None, false) => name.to_owned(),
                });
            }
            if let Some(Transform::Concatenate {
                from: duet_maps::Side::Dataverse,
                fields,
                ..
            }) = &field.transform
            {
                columns.extend(fields.iter().cloned());
            }
        }
        columns.extend(self.dataverse_filter_columns());
        if let Some(striping) = &self.map.company {
            columns.push(format!("_{}_value", striping.dataverse_lookup));
        }
        columns.push("modifiedon".to_owned());
        let mut seen = HashSet::new();
        columns.retain(|column| seen.insert(column.clone()));
        columns
    }

    /// The row's own columns the map's Dataverse filter names. A path through a lookup
    /// (`primarycontactid/fullname`) is not a column of the row: a plain read has Dataverse
    /// evaluate it, and a change-tracking read cannot select it, so the row is synced and
    /// logged as one the filter cannot be evaluated on. A filter that does not parse names
    /// nothing here; reading it fails the round with the reason.
    fn dataverse_filter_columns(&self) -> Vec<String> {
        match self.dataverse_filter() {
            Ok(Some(filter)) => filter
                .columns()
                .into_iter()
                .filter(|path| path.segments.len() == 1)
                .map(|path| path.segments[0].clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The stored delta link, reading the columns the map reads now. A delta link keeps the
    /// `$select` change tracking was started with; a map whose definition (or whose filter's
    /// columns) changed since would otherwise go on reading the old columns.
    pub(in crate::run) fn delta_link_reading_now(&self, link: &str) -> String {
        with_select(link, &self.dataverse_select().join(","))
    }
}

/// `link` with its `$select` replaced by `select`; a link that is not a URL stays as it is.
fn with_select(link: &str, select: &str) -> String {
    let Ok(mut url) = Url::parse(link) else {
        return link.to_owned();
    };
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| name != "$select")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .append_pair("$select", select)
        .extend_pairs(pairs);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use reqwest::Url;

    use super::with_select;

    #[test]
    fn a_delta_link_keeps_its_token_and_reads_the_new_columns() {
        // GIVEN a delta link started with two columns.
        let link = "http://dv/api/data/v9.2/accounts?$select=accountid,name\
                    &$deltatoken=919042!08%2F22%2F2017%2008%3A10%3A44";
        // WHEN it is made to read three.
        let changed = with_select(link, "accountid,name,statecode");
        // THEN the token is the same and the columns are the new ones.
        let url = Url::parse(&changed).expect("still a URL");
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("$select".to_owned(), "accountid,name,statecode".to_owned()),
                (
                    "$deltatoken".to_owned(),
                    "919042!08/22/2017 08:10:44".to_owned()
                )
            ],
            "only the columns change: the token says where tracking resumes"
        );
        assert_eq!(
            url.path(),
            "/api/data/v9.2/accounts",
            "the link still reads the same table"
        );
    }
}
