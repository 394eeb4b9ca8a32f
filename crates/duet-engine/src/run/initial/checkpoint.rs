//! The initial sync's checkpoint: how far it is and where it resumes, stored as one cursor
//! and written after every chunk.

use duet_store::Store;
use serde::{Deserialize, Serialize};

use crate::run::error::RoundError;

/// The cursor holding the checkpoint as JSON.
const CHECKPOINT: &str = "initial.checkpoint";

/// The cursors an earlier version kept the checkpoint in, one value each: read when there is
/// no checkpoint yet, so an initial sync interrupted before an upgrade resumes, and cleared
/// with it.
const LEGACY_DELTA: &str = "initial.deltaLink";
const LEGACY_LAST_KEY: &str = "initial.lastKey";
const LEGACY_PROGRESS: &str = "initial.progress";
const LEGACY_PASS: &str = "initial.pass";
const LEGACY_SECOND_LAST_KEY: &str = "initial.secondPassLastKey";

/// How far an initial sync is, kept with its checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub written: u64,
    pub total: Option<u64>,
    pub rows_per_second: f64,
}

/// Which keyset scan of the finance and operations rows is under way. A map whose rows refer
/// to rows of the same table writes every row without those references first, then only
/// the references.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::run) enum Pass {
    #[default]
    Rows,
    SelfReferences,
}

/// Where an interrupted initial sync resumes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(in crate::run) struct Checkpoint {
    /// The Dataverse delta link taken before the copy began: live sync starts from it, so a
    /// change made during the copy is not missed.
    pub(in crate::run) delta_link: Option<String>,
    pub(in crate::run) pass: Pass,
    /// The last key (company, then key values) each pass has written.
    pub(in crate::run) last_key: Option<Vec<String>>,
    pub(in crate::run) second_pass_last_key: Option<Vec<String>>,
    pub(in crate::run) progress: Progress,
}

impl Checkpoint {
    /// The stored checkpoint of `map`, or an empty one when its initial sync has not begun.
    pub(in crate::run) fn load(store: &Store, map: &str) -> Result<Checkpoint, RoundError> {
        match store.cursor(map, CHECKPOINT)? {
            Some(json) => Ok(serde_json::from_str(&json)?),
            None => Self::load_legacy(store, map),
        }
    }

    fn load_legacy(store: &Store, map: &str) -> Result<Checkpoint, RoundError> {
        let json =
            |name: &str| -> Result<Option<String>, RoundError> { Ok(store.cursor(map, name)?) };
        let keys = |name: &str| -> Result<Option<Vec<String>>, RoundError> {
            json(name)?
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(RoundError::from)
        };
        Ok(Checkpoint {
            delta_link: json(LEGACY_DELTA)?,
            pass: match json(LEGACY_PASS)?.as_deref() {
                Some("2") => Pass::SelfReferences,
                _ => Pass::Rows,
            },
            last_key: keys(LEGACY_LAST_KEY)?,
            second_pass_last_key: keys(LEGACY_SECOND_LAST_KEY)?,
            progress: json(LEGACY_PROGRESS)?
                .map(|text| serde_json::from_str(&text))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    pub(in crate::run) fn save(&self, store: &Store, map: &str) -> Result<(), RoundError> {
        store.set_cursor(map, CHECKPOINT, &serde_json::to_string(self)?)?;
        Ok(())
    }

    /// Forgets the checkpoint of `map` (its initial sync finished or was abandoned).
    pub(in crate::run) fn clear(store: &Store, map: &str) -> Result<(), RoundError> {
        for name in [
            CHECKPOINT,
            LEGACY_DELTA,
            LEGACY_LAST_KEY,
            LEGACY_PROGRESS,
            LEGACY_PASS,
            LEGACY_SECOND_LAST_KEY,
        ] {
            store.delete_cursor(map, name)?;
        }
        Ok(())
    }

    /// The last key written by the pass under way.
    pub(in crate::run) fn last_key_of(&self, pass: Pass) -> Option<&[String]> {
        match pass {
            Pass::Rows => self.last_key.as_deref(),
            Pass::SelfReferences => self.second_pass_last_key.as_deref(),
        }
    }

    pub(in crate::run) fn set_last_key(&mut self, pass: Pass, key: Vec<String>) {
        match pass {
            Pass::Rows => self.last_key = Some(key),
            Pass::SelfReferences => self.second_pass_last_key = Some(key),
        }
    }
}

/// How far a map's unfinished initial sync is, if one is under way or interrupted.
pub fn initial_progress(store: &Store, map: &str) -> Option<Progress> {
    match Checkpoint::load(store, map) {
        Ok(checkpoint) if checkpoint != Checkpoint::default() => Some(checkpoint.progress),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(map, %error, "the initial sync's checkpoint could not be read");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("duet.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_checkpoint_reads_back_as_saved_and_is_gone_once_cleared() {
        let (_dir, store) = store();
        let checkpoint = Checkpoint {
            delta_link: Some("https://dv/delta?token=1".to_owned()),
            pass: Pass::SelfReferences,
            last_key: Some(vec!["DAT".to_owned(), "C9".to_owned()]),
            second_pass_last_key: Some(vec!["DAT".to_owned(), "C1".to_owned()]),
            progress: Progress {
                done: 9,
                written: 8,
                total: Some(10),
                rows_per_second: 1.5,
            },
        };
        checkpoint.save(&store, "m").unwrap();
        assert_eq!(Checkpoint::load(&store, "m").unwrap(), checkpoint);
        assert_eq!(initial_progress(&store, "m"), Some(checkpoint.progress));
        Checkpoint::clear(&store, "m").unwrap();
        assert_eq!(
            Checkpoint::load(&store, "m").unwrap(),
            Checkpoint::default()
        );
        assert_eq!(initial_progress(&store, "m"), None);
    }

    #[test]
    fn a_checkpoint_kept_in_the_earlier_cursors_is_read_and_cleared() {
        // GIVEN an initial sync interrupted by an earlier version, in the second pass.
        let (_dir, store) = store();
        for (name, value) in [
            (LEGACY_DELTA, "link"),
            (LEGACY_LAST_KEY, r#"["DAT","C9"]"#),
            (
                LEGACY_PROGRESS,
                r#"{"done":9,"written":8,"total":10,"rows_per_second":2.0}"#,
            ),
            (LEGACY_PASS, "2"),
            (LEGACY_SECOND_LAST_KEY, r#"["DAT","C1"]"#),
        ] {
            store.set_cursor("m", name, value).unwrap();
        }
        // THEN it resumes where it stopped.
        let checkpoint = Checkpoint::load(&store, "m").unwrap();
        assert_eq!(checkpoint.delta_link.as_deref(), Some("link"));
        assert_eq!(checkpoint.pass, Pass::SelfReferences);
        assert_eq!(
            checkpoint.last_key_of(Pass::Rows),
            Some(&["DAT".to_owned(), "C9".to_owned()][..])
        );
        assert_eq!(
            checkpoint.last_key_of(Pass::SelfReferences),
            Some(&["DAT".to_owned(), "C1".to_owned()][..])
        );
        assert_eq!(checkpoint.progress.done, 9);
        // AND clearing it removes the earlier cursors too.
        Checkpoint::clear(&store, "m").unwrap();
        for name in [
            LEGACY_DELTA,
            LEGACY_LAST_KEY,
            LEGACY_PROGRESS,
            LEGACY_PASS,
            LEGACY_SECOND_LAST_KEY,
        ] {
            assert_eq!(
                store.cursor("m", name).unwrap(),
                None,
                "{name} is left behind"
            );
        }
    }

    #[test]
    fn a_corrupt_checkpoint_is_an_error_not_a_fresh_start() {
        let (_dir, store) = store();
        store.set_cursor("m", CHECKPOINT, "{not json").unwrap();
        assert!(matches!(
            Checkpoint::load(&store, "m"),
            Err(RoundError::Checkpoint(_))
        ));
    }
}
