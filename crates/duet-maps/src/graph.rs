//! The order maps start in: a map that looks rows up in another map starts after it, so the
//! rows its lookups point at already exist on both sides.

use std::collections::HashMap;

use crate::map::TableMap;
use crate::transform::Transform;

/// Maps that look each other up in a ring, so none of them can start first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("maps look each other up in a cycle: {}", path.join(" → "))]
pub struct Cycle {
    /// The maps in lookup order, ending with the first again: `a → b → a` means `a` looks
    /// up rows of `b` and `b` rows of `a`.
    pub path: Vec<String>,
}

impl TableMap {
    /// The maps this map looks rows up in, in field order, without repeats; includes this
    /// map itself when it refers to its own rows.
    pub fn lookup_targets(&self) -> Vec<&str> {
        let mut targets: Vec<&str> = Vec::new();
        for field in &self.fields {
            let by_name = match &field.transform {
                Some(Transform::LookupByName { target_map, .. }) => Some(target_map.as_str()),
                _ => None,
            };
            let declared = field
                .lookup
                .as_ref()
                .map(|lookup| lookup.target_map.as_str());
            for target in declared.into_iter().chain(by_name) {
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
        targets
    }

    /// Whether rows refer to rows of the same table, so that a batch is written in two
    /// passes: rows without the self-lookup first, then the self-lookup.
    pub fn needs_two_pass_write(&self) -> bool {
        self.fields.iter().any(|field| {
            field
                .lookup
                .as_ref()
                .is_some_and(|lookup| lookup.self_reference || lookup.target_map == self.name)
        })
    }
}

/// A field whose value identifies a row of another map (or of this one), with the Dataverse
/// lookup path split into the lookup column and the looked-up row's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupField {
    /// The field's index in the map.
    pub index: usize,
    pub target_map: String,
    pub self_reference: bool,
    /// The finance and operations field, which holds the target's key value.
    pub finance_operations: Option<String>,
    /// The Dataverse path as mapped, such as `msdyn_billingaccount.accountnumber`.
    pub path: String,
    /// The lookup column (the single-valued navigation property): `msdyn_billingaccount`.
    pub navigation: String,
    /// The column of the looked-up row the path names: `accountnumber`.
    pub column: String,
}

impl LookupField {
    /// The `_<lookup>_value` property a Dataverse read returns the looked-up row's id in.
    pub fn value_property(&self) -> String {
        format!("_{}_value", self.navigation)
    }
}

impl TableMap {
    /// The fields that look rows up through a Dataverse path `lookup.column`, or through a
    /// polymorphic path that names one table, `customerid.Account(accountnumber)`: the field's
    /// target map says which table, so it is read and bound like any lookup. A polymorphic
    /// path naming several tables, and a lookup without a path, are left out.
    pub fn lookup_fields(&self) -> Vec<LookupField> {
        self.fields
            .iter()
            .enumerate()
            .filter_map(|(index, field)| {
                let lookup = field.lookup.as_ref()?;
                let path = field.dataverse.as_deref()?;
                let (navigation, column) = split_lookup_path(path)?;
                Some(LookupField {
                    index,
                    target_map: lookup.target_map.clone(),
                    self_reference: lookup.self_reference || lookup.target_map == self.name,
                    finance_operations: field.finance_operations.clone(),
                    path: path.to_owned(),
                    navigation: navigation.to_owned(),
                    column: column.to_owned(),
                })
            })
            .collect()
    }

    /// The lookup fields that refer to rows of this same map: written in a second pass.
    pub fn self_reference_fields(&self) -> Vec<LookupField> {
        self.lookup_fields()
            .into_iter()
            .filter(|field| field.self_reference)
            .collect()
    }
}

/// The lookup column and the looked-up row's column of `lookup.column` or of a polymorphic
/// path naming one table, `lookup.Table(column)`.
fn split_lookup_path(path: &str) -> Option<(&str, &str)> {
    let (navigation, rest) = path.split_once('.')?;
    let column = match rest.split_once('(') {
        Some((table, inner)) => {
            let column = inner.strip_suffix(')')?;
            let plain = |text: &str| !text.is_empty() && !text.contains(['.', '(', ')']);
            (plain(table) && plain(column)).then_some(column)?
        }
        None => rest,
    };
    let valid = !navigation.is_empty() && !column.is_empty() && !column.contains('.');
    valid.then_some((navigation, column))
}

/// The names of the maps that need a two-pass write, in the order given.
pub fn two_pass_maps(maps: &[TableMap]) -> Vec<String> {
    maps.iter()
        .filter(|map| map.needs_two_pass_write())
        .map(|map| map.name.clone())
        .collect()
}

/// Map names in an order where every map comes after the maps it looks rows up in.
///
/// Ties keep the order given, so the result is stable. Self-references are not cycles (see
/// [`TableMap::needs_two_pass_write`]); lookups into maps outside `maps` are ignored here
/// and reported by [`crate::validate_all`].
pub fn start_order(maps: &[TableMap]) -> Result<Vec<String>, Cycle> {
    let index: HashMap<&str, usize> = maps
        .iter()
        .enumerate()
        .map(|(position, map)| (map.name.as_str(), position))
        .collect();
    let dependencies: Vec<Vec<usize>> = maps
        .iter()
        .enumerate()
        .map(|(position, map)| {
            map.lookup_targets()
                .into_iter()
                .filter_map(|target| index.get(target).copied())
                .filter(|target| *target != position)
                .collect()
        })
        .collect();
    let mut placed = vec![false; maps.len()];
    let mut order = Vec::with_capacity(maps.len());
    // Repeated passes keep ties in input order; template sets are small enough that the
    // quadratic cost does not matter.
    loop {
        let next = (0..maps.len()).find(|&position| {
            !placed[position]
                && dependencies[position]
                    .iter()
                    .all(|dependency| placed[*dependency])
        });
        match next {
            Some(position) => {
                placed[position] = true;
                order.push(maps[position].name.clone());
            }
            None => break,
        }
    }
    if order.len() == maps.len() {
        return Ok(order);
    }
    // Every unplaced map waits on another unplaced map, so following waits from any of
    // them must come back to a map already visited: that loop is the cycle.
    let mut walk: Vec<usize> = vec![(0..maps.len()).find(|&p| !placed[p]).unwrap_or_default()];
    loop {
        let current = walk[walk.len() - 1];
        let Some(next) = dependencies[current]
            .iter()
            .copied()
            .find(|dependency| !placed[*dependency])
        else {
            break;
        };
        if let Some(start) = walk.iter().position(|&seen| seen == next) {
            let mut path: Vec<String> = walk[start..]
                .iter()
                .map(|&position| maps[position].name.clone())
                .collect();
            path.push(maps[next].name.clone());
            return Err(Cycle { path });
        }
        walk.push(next);
    }
    Err(Cycle {
        path: walk
            .iter()
            .map(|&position| maps[position].name.clone())
            .collect(),
    })
}
