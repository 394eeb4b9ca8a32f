//! Client secrets in a file, for a machine without a keyring (a server, a container): one
//! JSON object whose keys are the same accounts the keyring uses (`environment-<id>:<client
//! id>`) and whose values are the secrets. The file is created owner-only when missing, and
//! refused while anyone but its owner may read it (on Unix: any group or other permission
//! bit). Every change replaces it whole ([`write_private_file`]). Both helpers serve any file
//! of secrets, such as `duet serve`'s access token file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::{ApiError, Code};

/// The accounts and their secrets, as the file holds them.
type Secrets = BTreeMap<String, String>;

/// A secrets file; one writer at a time within this process.
#[derive(Debug)]
pub(super) struct SecretsFile {
    path: PathBuf,
    writing: Mutex<()>,
}

impl SecretsFile {
    /// Checks the file at `path`, creating it (empty, owner-only) when it is missing.
    pub(super) fn open(path: &Path) -> Result<SecretsFile, ApiError> {
        let file = SecretsFile {
            path: path.to_owned(),
            writing: Mutex::new(()),
        };
        if !path.exists() {
            if let Some(parent) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|error| file.failed("create", &error))?;
            }
            file.write(&Secrets::new())?;
        }
        file.read()?;
        Ok(file)
    }

    /// Where the file is, for messages.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn load(&self, account: &str) -> Result<Option<String>, ApiError> {
        Ok(self.read()?.remove(account))
    }

    pub(super) fn save(&self, account: &str, secret: &str) -> Result<(), ApiError> {
        let _writing = self
            .writing
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut secrets = self.read()?;
        secrets.insert(account.to_owned(), secret.to_owned());
        self.write(&secrets)
    }

    /// Forgets a secret; a secret that is not there is already forgotten.
    pub(super) fn delete(&self, account: &str) -> Result<(), ApiError> {
        let _writing = self
            .writing
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut secrets = self.read()?;
        if secrets.remove(account).is_some() {
            self.write(&secrets)?;
        }
        Ok(())
    }

    fn read(&self) -> Result<Secrets, ApiError> {
        let file = std::fs::File::open(&self.path).map_err(|error| self.failed("read", &error))?;
        let metadata = file
            .metadata()
            .map_err(|error| self.failed("read", &error))?;
        check_private(&self.path, &metadata, "secrets file")?;
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|error| {
            ApiError::new(
                Code::SecretsFile,
                format!(
                    "The secrets file {} is not a JSON object of accounts and their secrets ({error}); Duet leaves it as it is.",
                    self.path.display()
                ),
            )
        })
    }

    /// Replaces the file with `secrets`.
    fn write(&self, secrets: &Secrets) -> Result<(), ApiError> {
        let mut text = serde_json::to_vec_pretty(secrets)
            .map_err(|error| self.failed("write", &error.into()))?;
        text.push(b'\n');
        write_private_file(&self.path, &text).map_err(|error| self.failed("write", &error))
    }

    fn failed(&self, doing: &str, error: &std::io::Error) -> ApiError {
        ApiError::new(
            Code::SecretsFile,
            format!(
                "Duet could not {doing} the secrets file {}: {error}",
                self.path.display()
            ),
        )
    }
}

/// Replaces the file at `path` with `contents`, owner-only: a temporary file in the same
/// directory (created owner-only), synced, then renamed over it, so a crash leaves either
/// the old file or the new one.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new().prefix(".duet-").tempfile_in(dir)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Refuses the file at `path` (a `what`, for the message) when its group or others may read,
/// write or run it: a file holding secrets must be its owner's alone.
pub fn check_private_file(path: &Path, what: &str) -> Result<(), ApiError> {
    let metadata = std::fs::metadata(path).map_err(|error| {
        ApiError::new(
            Code::SecretsFile,
            format!("Duet could not read the {what} {}: {error}", path.display()),
        )
    })?;
    check_private(path, &metadata, what)
}

#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata, what: &str) -> Result<(), ApiError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(ApiError::new(
        Code::SecretsFile,
        format!(
            "The {what} {} is open to other users (mode {mode:04o}); Duet uses it only when its owner alone can read it: run `chmod 600 {}`.",
            path.display(),
            path.display()
        ),
    ))
}

/// Elsewhere the file's access list is left to the system and its admin.
#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &std::fs::Metadata, _what: &str) -> Result<(), ApiError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SecretsFile;

    #[test]
    fn a_missing_file_is_created_and_keeps_what_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("conf").join("secrets.json");
        let file = SecretsFile::open(&path).unwrap();
        assert!(path.exists());
        file.save("environment-1:app", "s3cret").unwrap();
        file.save("environment-2:app", "other").unwrap();
        file.delete("environment-2:app").unwrap();
        file.delete("environment-9:none").unwrap();
        let reopened = SecretsFile::open(&path).unwrap();
        assert_eq!(
            reopened.load("environment-1:app").unwrap().as_deref(),
            Some("s3cret")
        );
        assert_eq!(reopened.load("environment-2:app").unwrap(), None);
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json, serde_json::json!({ "environment-1:app": "s3cret" }));
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left beside it");
    }

    #[test]
    fn a_file_that_is_not_a_json_object_of_strings_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, "[1, 2]").unwrap();
        #[cfg(unix)]
        set_mode(&path, 0o600);
        let error = SecretsFile::open(&path).unwrap_err();
        assert_eq!(error.code, "secrets_file");
        assert!(error.message.contains("not a JSON object"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[1, 2]");
    }

    #[cfg(unix)]
    fn set_mode(path: &std::path::Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_owner_only_and_refused_when_others_may_read_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let file = SecretsFile::open(&path).unwrap();
        file.save("environment-1:app", "s3cret").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        set_mode(&path, 0o640);
        let error = SecretsFile::open(&path).unwrap_err();
        assert_eq!(error.code, "secrets_file");
        assert!(error.message.contains("mode 0640"), "{error}");
        let chmod = format!("chmod 600 {}", path.display());
        assert!(error.message.contains(&chmod), "{error}");
        assert!(file.load("environment-1:app").is_err(), "read again");
    }
}
