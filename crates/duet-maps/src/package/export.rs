//! Export: a package of the maps asked for and the maps they look rows up in.

use super::{FORMAT, Package, PackageError, VERSION};
use crate::graph::start_order;
use crate::map::TableMap;

/// A package of the maps named (all of them when `names` is empty) and, transitively, the
/// maps they look rows up in, in start order when the lookups allow one.
pub fn export(available: &[TableMap], names: &[String]) -> Result<Package, PackageError> {
    let find = |name: &str| available.iter().find(|map| map.name == name);
    let mut wanted: Vec<&str> = if names.is_empty() {
        available.iter().map(|map| map.name.as_str()).collect()
    } else {
        names.iter().map(String::as_str).collect()
    };
    if let Some(missing) = wanted.iter().find(|name| find(name).is_none()) {
        return Err(PackageError::UnknownMap((*missing).to_owned()));
    }
    let mut index = 0;
    while index < wanted.len() {
        if let Some(map) = find(wanted[index]) {
            for target in map.lookup_targets() {
                // A lookup into a map this directory does not have stays unresolved; the
                // importer reports it against the maps there.
                if !wanted.contains(&target) && find(target).is_some() {
                    wanted.push(target);
                }
            }
        }
        index += 1;
    }
    let mut maps: Vec<TableMap> = wanted
        .iter()
        .filter_map(|name| find(name).cloned())
        .collect();
    if let Ok(order) = start_order(&maps) {
        maps.sort_by_key(|map| order.iter().position(|name| *name == map.name));
    }
    Ok(Package {
        format: FORMAT.to_owned(),
        version: VERSION,
        maps,
    })
}
