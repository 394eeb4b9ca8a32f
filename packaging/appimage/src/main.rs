//! `duet-appimage ROOT OUT`: makes an AppImage of the desktop app installed under `ROOT` (the
//! files of Duet's .deb, as `dpkg-deb -x` lays them out: `usr/bin`, `usr/share/...`). The
//! AppDir holds that `usr/` tree, the package's desktop entry and icon at its top, and an
//! `AppRun` that starts `usr/bin/<binary>`; the AppImage is the type 2 runtime followed by
//! the AppDir as squashfs.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use appimage::AppImage;

/// The icon size put at the AppDir's top (the desktop's launcher and `.DirIcon`).
const ICON_SIZE: &str = "128x128";

fn main() -> anyhow::Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [root, out] = args.as_slice() else {
        bail!("usage: duet-appimage ROOT OUT.AppImage (ROOT: the .deb's files, from dpkg-deb -x)");
    };
    let entry = desktop_entry(root)?;
    let binary = entry_value(&entry.text, "Exec")
        .and_then(|exec| exec.split_whitespace().next())
        .with_context(|| format!("{} has no Exec line", entry.path.display()))?
        .to_owned();
    let icon = entry_value(&entry.text, "Icon")
        .with_context(|| format!("{} has no Icon line", entry.path.display()))?;
    let icon_path = root
        .join("usr/share/icons/hicolor")
        .join(ICON_SIZE)
        .join("apps")
        .join(format!("{icon}.png"));
    if !root.join("usr/bin").join(&binary).is_file() {
        bail!(
            "the desktop entry starts {binary}, which is not in {}/usr/bin",
            root.display()
        );
    }

    let build_dir = out
        .parent()
        .context("the AppImage's path has no directory")?
        .to_path_buf();
    fs::create_dir_all(&build_dir)?;
    let image = AppImage::new(&build_dir, icon.to_owned())?;
    image.add_directory(&root.join("usr"), Path::new("usr"))?;
    image.add_file(&entry.path, Path::new(&format!("{icon}.desktop")))?;
    image
        .add_icon(&icon_path)
        .with_context(|| format!("adding the icon {}", icon_path.display()))?;
    let app_dir = image.appdir().to_path_buf();
    let app_run = app_dir.join("AppRun");
    fs::write(&app_run, app_run_script(&binary))?;
    make_executable(&app_run)?;
    image.build(out, None)?;
    fs::remove_dir_all(&app_dir)?;
    let squashfs = build_dir.join(format!("{icon}.squashfs"));
    if squashfs.exists() {
        fs::remove_file(squashfs)?;
    }
    println!("{}", out.display());
    Ok(())
}

/// The package's one desktop entry, in `usr/share/applications`.
struct DesktopEntry {
    path: PathBuf,
    text: String,
}

fn desktop_entry(root: &Path) -> anyhow::Result<DesktopEntry> {
    let dir = root.join("usr/share/applications");
    let mut entries = fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "desktop"));
    let (Some(path), None) = (entries.next(), entries.next()) else {
        bail!("{} must hold exactly one .desktop file", dir.display());
    };
    let text = fs::read_to_string(&path)?;
    Ok(DesktopEntry { path, text })
}

/// The value of `key=` in a desktop entry.
fn entry_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
}

/// Starts the app from wherever the AppImage was mounted or extracted.
fn app_run_script(binary: &str) -> String {
    format!(
        "#!/bin/sh\nHERE=\"$(dirname \"$(readlink -f \"$0\")\")\"\nexec \"$HERE/usr/bin/{binary}\" \"$@\"\n"
    )
}

#[cfg(unix)]
fn make_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> anyhow::Result<()> {
    bail!("an AppImage is made on Linux only")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_entry_values_are_read_by_key() {
        let text = "[Desktop Entry]\nExec=duet-desktop %u\nIcon=duet-desktop\nIconic=no\n";
        assert_eq!(entry_value(text, "Exec"), Some("duet-desktop %u"));
        assert_eq!(entry_value(text, "Icon"), Some("duet-desktop"));
        assert_eq!(entry_value(text, "Name"), None);
    }

    #[test]
    fn app_run_starts_the_binary_beside_it() {
        let script = app_run_script("duet-desktop");
        assert!(script.starts_with("#!/bin/sh\n"), "{script}");
        assert!(
            script.contains("exec \"$HERE/usr/bin/duet-desktop\" \"$@\""),
            "{script}"
        );
    }
}
