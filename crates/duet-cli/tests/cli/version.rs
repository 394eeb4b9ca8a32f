//! What `duet` carries and says about itself: `--version` names the release and the commit it
//! was built from, `duet serve` prints where its data directory is, and a copy of the binary
//! alone serves the UI built into it.

use std::process::Command;

use crate::support::{duet_offline, keyring_service, serve_sandbox};

#[test]
fn version_names_the_release_and_the_commit() {
    let output = duet_offline(&["--version"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let release = format!("duet {} (", env!("CARGO_PKG_VERSION"));
    let commit = text
        .trim()
        .strip_prefix(&release)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not '{release}COMMIT)': {text}"));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output();
    match head {
        Ok(head) if head.status.success() => {
            assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim())
        }
        _ => assert_eq!(commit, "commit unknown"),
    }
}

#[test]
fn serve_prints_its_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    assert_eq!(
        served.lines["DUET_DATA_DIR"],
        dir.path().join("data").display().to_string()
    );
}

#[tokio::test]
async fn a_copy_of_the_binary_serves_its_own_ui_from_an_empty_directory() {
    // GIVEN the binary copied alone into an empty directory, with no --ui.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let duet = empty.join("duet");
    std::fs::copy(env!("CARGO_BIN_EXE_duet"), &duet).unwrap();
    let data = dir.path().join("data");
    let child = Command::new(&duet)
        .args(["serve", "--sandbox", "--port", "0", "--data"])
        .arg(&data)
        .current_dir(&empty)
        .env_remove("DUET_UI_DIR")
        .env("DUET_KEYRING_SERVICE", keyring_service())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KilledOnDrop(child);
    let stdout = std::io::BufReader::new(child.0.stdout.take().unwrap());
    let url = std::io::BufRead::lines(stdout)
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("DUET_UI_URL=").map(str::to_owned))
        .expect("duet serve printed its URL");
    let origin = url.split("/?").next().unwrap().to_owned();
    // WHEN the page, one of its scripts and a route of the UI are asked for.
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    // THEN the UI built into the binary answers.
    assert!(html.contains("<title>Duet</title>"), "{html}");
    let script = html
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page loads a script");
    let script = script.trim_start_matches('.').trim_start_matches('/');
    let asset = reqwest::get(format!("{origin}/{script}")).await.unwrap();
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let route = reqwest::get(format!("{origin}/maps")).await.unwrap();
    assert!(route.text().await.unwrap().contains("<title>Duet</title>"));
}

/// A child process killed when the test ends, however it ends.
struct KilledOnDrop(std::process::Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
