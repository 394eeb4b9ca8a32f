//! Spelling suggestions: which existing column name an unknown one was probably meant to be.

/// The existing name closest to `name` by edit distance (ignoring case), when it is close
/// enough to be a likely typo: at most a third of the longer name's length, and at least two
/// edits are always allowed.
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = name.to_lowercase();
    candidates
        .map(|candidate| (edit_distance(&wanted, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| {
            let longer = wanted.chars().count().max(candidate.chars().count());
            *distance <= (longer / 3).max(2)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance: the fewest single-character insertions, deletions and
/// substitutions that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != *right);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("name", "name"), 0);
        assert_eq!(edit_distance("emailaddres1", "emailaddress1"), 1);
    }

    #[test]
    fn closest_suggests_only_likely_typos() {
        let names = ["name", "emailaddress1", "telephone1"];
        assert_eq!(
            closest("emailadress1", names.into_iter()),
            Some("emailaddress1")
        );
        assert_eq!(closest("TELEPHONE2", names.into_iter()), Some("telephone1"));
        assert_eq!(closest("msdyn_region", names.into_iter()), None);
    }
}
