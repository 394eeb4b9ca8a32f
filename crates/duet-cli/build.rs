//! Gives the binary the commit it was built from, for `duet --version`, and builds it again
//! when the UI it carries changes.

use std::path::Path;
use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "commit unknown".to_owned());
    println!("cargo:rustc-env=DUET_COMMIT={commit}");
    // Built again when HEAD moves (a checkout of a clone; a worktree or an archive has
    // neither path, and then any change to the package rebuilds it).
    // The UI is built into the binary (bundled_ui.rs): built again when it is, even when it was
    // missing before.
    println!("cargo:rerun-if-changed=../../ui/dist");
    for path in ["../../.git/HEAD", "../../.git/refs/heads"] {
        if Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
