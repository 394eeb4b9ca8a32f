//! `duet serve --listen`: beyond loopback only over HTTPS, always behind the access token,
//! answering only the names it is reached by. The test listens on every address but only
//! ever connects to 127.0.0.1.

use std::net::SocketAddr;
use std::path::Path;

use crate::headless::{Machine, finished};
use crate::support::start_command;

/// A certificate authority and a server certificate it issued for `duet.test` and
/// 127.0.0.1, written as PEM files; answers the authority's PEM.
fn certificates(dir: &Path) -> String {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let names = vec!["duet.test".to_owned(), "127.0.0.1".to_owned()];
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    std::fs::write(dir.join("tls.crt"), leaf.pem()).unwrap();
    std::fs::write(dir.join("tls.key"), key.serialize_pem()).unwrap();
    ca.pem()
}

/// A client that trusts `authority` alone and reaches `duet.test` at 127.0.0.1:`port`.
fn client(authority: &str, port: u16) -> reqwest::Client {
    let loopback = SocketAddr::from(([127, 0, 0, 1], port));
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(authority.as_bytes()).unwrap())
        .resolve("duet.test", loopback)
        .no_proxy()
        .build()
        .unwrap()
}

#[test]
fn listening_beyond_loopback_without_tls_is_refused() {
    let machine = Machine::new();
    let output = finished(machine.serve(&["--listen", "0.0.0.0:0"]), 30);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("--listen 0.0.0.0:0"), "{said}");
    assert!(
        said.contains("--tls-cert FILE and --tls-key FILE"),
        "{said}"
    );
    assert!(!machine.path("data").exists(), "refused before anything");
}

#[tokio::test]
async fn with_a_certificate_it_serves_https_to_its_names_and_token_only() {
    // GIVEN a certificate for duet.test, and a token file not made yet.
    let machine = Machine::new();
    let authority = certificates(machine.dir.path());
    let token_file = machine.path("token");
    let start = || {
        let mut command = machine.serve(&["--listen", "0.0.0.0:0", "--public-name", "duet.test"]);
        command
            .args([
                "--secrets-file",
                machine.path("secrets.json").to_str().unwrap(),
            ])
            .args(["--tls-cert", machine.path("tls.crt").to_str().unwrap()])
            .args(["--tls-key", machine.path("tls.key").to_str().unwrap()])
            .args(["--token-file", token_file.to_str().unwrap()]);
        start_command(command, "DUET_UI_URL")
    };
    // WHEN it listens on every address.
    let served = start();
    let url = served.lines["DUET_UI_URL"].clone();
    // THEN its URL is https on its public name, with the token kept in the owner-only file.
    let (origin, token) = url.split_once("/?token=").unwrap();
    let port: u16 = origin
        .strip_prefix("https://duet.test:")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), token);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let http = client(&authority, port);
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>Duet</title>"));
    // AND the API wants the token, and answers only the names the server is reached by.
    let maps = format!("{origin}/api/maps");
    assert_eq!(http.post(&maps).send().await.unwrap().status(), 401);
    let with_token = http.post(&maps).bearer_auth(token).send().await.unwrap();
    assert_eq!(with_token.status(), 200);
    let by_address = format!("https://127.0.0.1:{port}/api/maps");
    let answer = http
        .post(&by_address)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "loopback reaches it too");
    let rebound = http
        .post(&maps)
        .bearer_auth(token)
        .header("host", format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    let foreign = http
        .post(&maps)
        .bearer_auth(token)
        .header("origin", format!("http://duet.test:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "an http page is not its own");
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/")).await;
    assert!(
        plain.is_err() || plain.unwrap().status() != 200,
        "no plain HTTP"
    );
    // AND a restart keeps the token.
    drop(served);
    let again = start();
    assert!(again.lines["DUET_UI_URL"].ends_with(&format!("/?token={token}")));
}

#[tokio::test]
async fn a_token_is_taken_from_the_environment_and_refused_when_weak_or_open_to_others() {
    let machine = Machine::new();
    let token = "k".repeat(40);
    let mut command = machine.serve(&[]);
    command.env("DUET_ACCESS_TOKEN", &token);
    let served = start_command(command, "DUET_UI_URL");
    let url = &served.lines["DUET_UI_URL"];
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with(&format!("/?token={token}")), "{url}");
    let origin = url.split("/?").next().unwrap();
    let maps = reqwest::Client::new()
        .post(format!("{origin}/api/maps"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(maps.status(), 200);
    drop(served);

    let mut weak = machine.serve(&[]);
    weak.env("DUET_ACCESS_TOKEN", "short");
    let said = finished(weak, 30);
    assert!(!said.status.success());
    assert!(String::from_utf8_lossy(&said.stderr).contains("at least 32 characters"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = machine.path("token");
        std::fs::write(&file, format!("{token}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o604)).unwrap();
        let mut open = machine.serve(&["--token-file"]);
        open.arg(&file);
        let said = finished(open, 30);
        let text = String::from_utf8_lossy(&said.stderr);
        assert!(!said.status.success(), "{text}");
        assert!(
            text.contains(&format!("chmod 600 {}", file.display())),
            "{text}"
        );
    }
}

#[test]
fn the_command_line_reaches_a_server_with_its_own_authority_through_server_ca() {
    // GIVEN duet serve on the sandbox over HTTPS, with a certificate from an authority the
    // system does not know.
    let machine = Machine::new();
    let authority = certificates(machine.dir.path());
    std::fs::write(machine.path("ca.pem"), authority).unwrap();
    let mut command = machine.serve(&["--listen", "127.0.0.1:0", "--sandbox"]);
    command
        .args(["--tls-cert", machine.path("tls.crt").to_str().unwrap()])
        .args(["--tls-key", machine.path("tls.key").to_str().unwrap()])
        .args([
            "--secrets-file",
            machine.path("secrets.json").to_str().unwrap(),
        ]);
    let served = start_command(command, "DUET_UI_URL");
    let url = served.lines["DUET_UI_URL"].clone();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let maps_list = |extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_duet"));
        command
            .args(["maps", "list", "--json", "--server", &url])
            .args(extra)
            .env_remove("DUET_SERVER_CA");
        finished(command, 30)
    };
    // WHEN the command line calls it trusting the system's authorities only
    let refused = maps_list(&[]);
    // THEN it says the certificate is not trusted and how to trust it.
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("a certificate that is not trusted"), "{said}");
    assert!(said.contains("--server-ca"), "{said}");
    // AND given the server's authority it lists the maps.
    let ca = machine.path("ca.pem");
    let listed = maps_list(&["--server-ca", ca.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap_or("")).unwrap();
    assert_eq!(first["name"], "customers", "the sandbox's demo map: {out}");
}
