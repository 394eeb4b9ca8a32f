//! `duet maps` lifecycle commands: offline templates, validation and file diffs, and
//! export from one running Duet into another over real HTTP. `serve` needs a Secret
//! Service (scripts/test provides one).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running `duet serve`, killed when the test ends however it ends.
pub(crate) struct Served {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(dir: &Path) -> Served {
    let ui = dir.join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html>").unwrap();
    let data = dir.join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(["serve", "--port", "0", "--data"])
        .arg(&data)
        .arg("--ui")
        .arg(&ui)
        .env(
            "DUET_KEYRING_SERVICE",
            format!("dev.duet.app.cli-maps-test.{}", std::process::id()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("duet starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = HashMap::new();
    while !lines.contains_key("DUET_UI_URL") {
        let left = deadline.saturating_duration_since(Instant::now());
        let line: String = receiver
            .recv_timeout(left)
            .expect("duet serve printed no DUET_UI_URL within 60 s");
        if let Some((key, value)) = line.split_once('=') {
            lines.insert(key.to_owned(), value.to_owned());
        }
    }
    Served {
        child,
        url: lines.remove("DUET_UI_URL").unwrap(),
    }
}

pub(crate) fn run(args: &[&str], server: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_duet"));
    command.args(args).env_remove("DUET_UI_URL");
    if let Some(server) = server {
        command.env("DUET_UI_URL", server);
    }
    command.output().expect("duet runs")
}

pub(crate) fn ok(args: &[&str], server: Option<&str>) -> String {
    let output = run(args, server);
    assert!(
        output.status.success(),
        "duet {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

pub(crate) fn template(name: &str) -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../duet-maps/templates/{name}.json")),
    )
    .expect("template file");
    serde_json::from_str(&text).expect("template JSON")
}

#[test]
fn templates_list_offline_as_text_and_json() {
    let text = ok(&["maps", "templates"], None);
    assert_eq!(text.lines().count(), 35);
    assert!(
        text.lines()
            .any(|line| line.starts_with("currencies\t") && line.contains("\tkey ")),
        "{text}"
    );
    let json: Value = serde_json::from_str(&ok(&["maps", "templates", "--json"], None))
        .expect("one JSON document");
    let all = json.as_array().expect("an array of templates");
    assert_eq!(all.len(), 35);
    for card in all {
        for key in ["name", "title", "area", "flow", "looksUp"] {
            assert!(!card[key].is_null(), "{key} in {card}");
        }
        // The definition is whole: it reads back as the template file of the same name.
        let name = card["name"].as_str().unwrap();
        let file: duet_maps::TableMap = serde_json::from_value(template(name)).unwrap();
        let printed: duet_maps::TableMap =
            serde_json::from_value(card["definition"].clone()).unwrap();
        assert_eq!(
            printed, file,
            "{name}: the printed definition is the template"
        );
    }
}

#[test]
fn validate_prints_code_path_and_fix_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, template("currencies").to_string()).unwrap();
    assert!(ok(&["maps", "validate", good.to_str().unwrap()], None).contains("no problems"));

    let mut map = template("currencies");
    map["fields"][0]["direction"] = json!("<>");
    map["filterDataverse"] = json!("name eq");
    let package = json!({"format": "duet.maps", "version": 1, "maps": [template("units"), map]});
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, package.to_string()).unwrap();
    let output = run(&["maps", "validate", bad.to_str().unwrap()], None);
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Vec<&str>> = printed
        .lines()
        .map(|line| line.split('\t').collect())
        .collect();
    assert!(
        lines
            .iter()
            .any(|line| line[..2] == ["DW-P003", "$.maps[1].fields[0].direction"]),
        "{printed}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line[..2] == ["DW-V013", "$.maps[1].filterDataverse"]),
        "{printed}"
    );
    assert!(
        lines
            .iter()
            .all(|line| line.len() == 4 && line[3].starts_with("fix: "))
    );
}

#[test]
fn export_import_show_and_diff_across_two_running_duets() {
    let first_dir = tempfile::tempdir().unwrap();
    let second_dir = tempfile::tempdir().unwrap();
    let first = serve(first_dir.path());
    let second = serve(second_dir.path());
    let work = tempfile::tempdir().unwrap();

    // GIVEN maps in the first Duet, added as a package.
    let seed = work.path().join("seed.json");
    let maps = json!({"format": "duet.maps", "version": 1,
        "maps": [template("currencies"), template("units")]});
    std::fs::write(&seed, maps.to_string()).unwrap();
    let imported = ok(
        &["maps", "import", seed.to_str().unwrap()],
        Some(&first.url),
    );
    assert!(
        imported.contains("added\tcurrencies") && imported.contains("added\tunits"),
        "{imported}"
    );

    // WHEN one is exported and imported into the second Duet.
    let package = work.path().join("package.json");
    ok(
        &[
            "maps",
            "export",
            "currencies",
            "--out",
            package.to_str().unwrap(),
        ],
        Some(&first.url),
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&package).unwrap()).unwrap();
    assert_eq!(written["maps"].as_array().unwrap().len(), 1);
    let imported = ok(
        &["maps", "import", package.to_str().unwrap()],
        Some(&second.url),
    );
    assert!(imported.contains("added\tcurrencies"), "{imported}");

    // THEN the second shows it as the first had it.
    let shown = ok(&["maps", "show", "currencies", "--json"], Some(&second.url));
    let shown: Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(shown, written["maps"][0]);
    let text = ok(&["maps", "show", "currencies"], Some(&second.url));
    assert!(text.starts_with("currencies\t"), "{text}");

    // WHEN the package changes THEN importing refuses with the conflict, until replacing.
    let mut changed = written.clone();
    changed["maps"][0]["title"] = json!("Currencies, edited");
    std::fs::write(&package, changed.to_string()).unwrap();
    let refused = run(
        &["maps", "import", package.to_str().unwrap()],
        Some(&second.url),
    );
    assert!(!refused.status.success());
    let printed = String::from_utf8_lossy(&refused.stdout);
    assert!(
        printed.starts_with("DW-P004\t$.maps[0].name\t"),
        "{printed}"
    );
    let replaced = ok(
        &["maps", "import", package.to_str().unwrap(), "--replace"],
        Some(&second.url),
    );
    assert!(replaced.contains("replaced\tcurrencies"), "{replaced}");

    // AND versions diff by NAME@VERSION and against a file.
    let diff = ok(
        &["maps", "diff", "currencies@1", "currencies@2"],
        Some(&second.url),
    );
    assert!(diff.contains("~ $.title\t"), "{diff}");
    assert!(diff.contains("\"Currencies, edited\""), "{diff}");
    // A package of one map compares as that map.
    let diff = ok(
        &[
            "maps",
            "diff",
            "currencies@2",
            package.to_str().unwrap(),
            "--json",
        ],
        Some(&second.url),
    );
    let diff: Value = serde_json::from_str(diff.trim()).unwrap();
    assert_eq!(diff["properties"], json!([]));
    assert_eq!(diff["fields"], json!([]));
    let diff = ok(
        &[
            "maps",
            "diff",
            "currencies@1",
            package.to_str().unwrap(),
            "--json",
        ],
        Some(&second.url),
    );
    let diff: Value = serde_json::from_str(diff.trim()).unwrap();
    assert_eq!(diff["properties"][0]["path"], "$.title");
    assert_eq!(diff["from"], 1);
    let same_file = work.path().join("same.json");
    std::fs::write(&same_file, changed["maps"][0].to_string()).unwrap();
    let none = ok(
        &["maps", "diff", "currencies@2", same_file.to_str().unwrap()],
        Some(&second.url),
    );
    assert!(none.contains("no differences"), "{none}");

    let missing = run(&["maps", "show", "nope"], Some(&second.url));
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not_found"));
}

#[test]
fn add_puts_a_template_and_the_maps_it_looks_up_into_a_running_duet() {
    // GIVEN a running Duet with no maps.
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    // WHEN a template that looks other maps up is added alone.
    let alone = ok(&["maps", "add", "customers-v3-contacts"], Some(&served.url));
    // THEN it is added, and the maps it needs are named as missing.
    assert!(alone.contains("added\tcustomers-v3-contacts"), "{alone}");
    let missing = alone
        .lines()
        .find(|line| line.starts_with("missing\t"))
        .unwrap_or_else(|| panic!("the missing lookups are listed: {alone}"));
    // WHEN it is added again with its lookups.
    let all = ok(
        &["maps", "add", "customers-v3-contacts", "--with-lookups"],
        Some(&served.url),
    );
    // THEN it exists already, each missing map is added, and nothing is missing any more.
    assert!(all.contains("exists\tcustomers-v3-contacts"), "{all}");
    for name in missing.split('\t').nth(1).unwrap().split(',') {
        assert!(all.contains(&format!("added\t{name}")), "{name} in {all}");
    }
    assert!(!all.contains("missing\t"), "{all}");
    let listed = ok(&["maps", "list", "--json"], Some(&served.url));
    let maps: Vec<Value> = listed
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line per map"))
        .collect();
    assert!(maps.len() > 1, "{listed}");
    assert!(
        maps.iter().all(|map| map["state"] == "notRunning"),
        "added maps are stopped: {listed}"
    );
    // AND an unknown template fails with its name.
    let output = run(&["maps", "add", "no-such-map"], Some(&served.url));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-map"));
}
