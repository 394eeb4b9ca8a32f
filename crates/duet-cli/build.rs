//! Gives the binary the commit it was built from, for `duet --version`, and builds it again
//! when the UI it carries changes.

use std::path::Path;
use std::process::Command;

fn main() {
    let commit =
        git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "commit unknown".to_owned());
    println!("cargo:rustc-env=DUET_COMMIT={commit}");
    // The UI is built into the binary (bundled_ui.rs): built again when it is, even when it was
    // missing before.
    println!("cargo:rerun-if-changed=../../ui/dist");
    // Built again when the commit moves: HEAD, and the branches it may point at, wherever git
    // keeps them (a clone's .git, a worktree's own HEAD beside the shared refs). Outside git
    // (an archive) there are none, and any change to the package rebuilds it.
    for name in ["HEAD", "refs/heads", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", name])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// What a git command prints, trimmed; `None` when git is missing, fails or prints nothing.
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}
