//! One Duet per data directory: a second `duet serve` on a directory another one serves is
//! refused, naming the directory and the first one's process; killing the first (`kill -9`,
//! no clean-up) frees the directory for the next. `serve` needs a Secret Service
//! (scripts/test provides one).

use std::path::Path;

use crate::support::{Running, duet_offline, start};

fn serve_args<'a>(data: &'a str, ui: &'a str) -> [&'a str; 7] {
    ["serve", "--port", "0", "--data", data, "--ui", ui]
}

fn serve(data: &Path, ui: &Path) -> Running {
    start(
        &serve_args(data.to_str().unwrap(), ui.to_str().unwrap()),
        "DUET_UI_URL",
    )
}

#[test]
fn a_second_duet_on_a_data_directory_is_refused_until_the_first_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html>").unwrap();
    let data = dir.path().join("data");
    // GIVEN a Duet serving the data directory.
    let mut first = serve(&data, &ui);

    // WHEN a second one starts on it THEN it exits at once with an error naming the
    // directory and the first one's process, and the first keeps the directory.
    let second = duet_offline(&serve_args(data.to_str().unwrap(), ui.to_str().unwrap()));
    assert!(!second.status.success(), "the second serve was refused");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!(
            "the data directory {} is in use by another Duet process (process {})",
            data.display(),
            first.pid()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("data_dir_in_use"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&second.stdout).is_empty(),
        "it printed no address"
    );

    // WHEN the first is killed without a chance to clean up THEN a new one starts.
    first.kill_hard();
    let next = serve(&data, &ui);
    assert!(next.lines["DUET_UI_URL"].starts_with("http://127.0.0.1:"));
    assert_eq!(
        std::fs::read_to_string(data.join("duet.lock"))
            .unwrap()
            .trim(),
        next.pid().to_string(),
        "the lock file names its holder"
    );
}
