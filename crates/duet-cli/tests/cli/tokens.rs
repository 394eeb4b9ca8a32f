//! What `sandbox up` and `serve` print, and the tokens that guard the emulators and the API.
//! `serve` needs a Secret Service (scripts/test provides one).

use serde_json::Value;

use crate::support::{sandbox_http, sign_in, start};

#[tokio::test]
async fn sandbox_up_prints_its_settings_and_refuses_requests_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(
        &["sandbox", "up", "--dir", dir.path().to_str().unwrap()],
        "DUET_CLIENT_SECRET",
    );
    let env = &sandbox.lines;
    for key in [
        "DUET_FO_URL",
        "DUET_DV_URL",
        "DUET_TOKEN_URL",
        "DUET_TENANT",
        "DUET_CLIENT_ID",
    ] {
        assert!(env.contains_key(key), "sandbox up prints {key}");
    }
    assert!(
        env["DUET_DV_URL"].starts_with("https://"),
        "the sandbox serves HTTPS"
    );
    let http = sandbox_http(env);
    let who_am_i = format!("{}/api/data/v9.2/WhoAmI", env["DUET_DV_URL"]);
    // WHEN a request carries no bearer token THEN it is refused.
    let refused = http.get(&who_am_i).send().await.unwrap();
    assert_eq!(
        refused.status(),
        401,
        "the emulators require a token like the cloud does"
    );
    // WHEN the printed client signs in THEN the same request succeeds.
    let token = sign_in(&http, env, &env["DUET_DV_URL"]).await;
    let answered = http
        .get(&who_am_i)
        .bearer_auth(token["access_token"].as_str().expect("a token"))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    let finops = http
        .get(format!("{}/data/CustomersV3", env["DUET_FO_URL"]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        finops.status(),
        401,
        "finance and operations refuses anonymous calls too"
    );
}

#[tokio::test]
async fn serve_guards_its_api_with_the_printed_access_token() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>Duet</title>").unwrap();
    let data = dir.path().join("data");
    let served = start(
        &[
            "serve",
            "--sandbox",
            "--port",
            "0",
            "--data",
            data.to_str().unwrap(),
            "--ui",
            ui.to_str().unwrap(),
        ],
        "DUET_UI_URL",
    );
    let ui_url = &served.lines["DUET_UI_URL"];
    assert!(
        ui_url.starts_with("http://127.0.0.1:"),
        "serve listens on loopback only: {ui_url}"
    );
    assert!(
        served.lines.contains_key("DUET_FO_URL"),
        "--sandbox prints the sandbox settings too"
    );
    let (origin, token) = ui_url
        .split_once("/?token=")
        .expect("the URL carries its token");
    let http = reqwest::Client::new();

    let page = http.get(format!("{origin}/maps")).send().await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "client-side routes fall back to index.html"
    );

    let refused = http
        .post(format!("{origin}/api/maps"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(
        error["code"], "unauthorized",
        "errors cross as {{code, message}}"
    );

    let maps: Value = http
        .post(format!("{origin}/api/maps"))
        .bearer_auth(token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(maps[0]["name"], "customers", "--sandbox adds the demo map");

    // A page of another site (or one whose name was rebound to 127.0.0.1) is refused, even
    // with the token: the API answers its own page only.
    let port = origin.rsplit_once(':').unwrap().1;
    let rebound = http
        .get(format!("{origin}/maps"))
        .header("host", format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        rebound.status(),
        403,
        "a rebound host name is not this server"
    );
    let cross_site = http
        .post(format!("{origin}/api/maps"))
        .bearer_auth(token)
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403, "another origin is refused");
    let same_site = http
        .post(format!("{origin}/api/maps"))
        .bearer_auth(token)
        .header("origin", origin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 200, "the page's own origin is served");
    let wrong_token = http
        .post(format!("{origin}/api/maps"))
        .bearer_auth(format!("{token}x"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        wrong_token.status(),
        401,
        "a token with more characters is wrong"
    );

    let unknown = http
        .post(format!("{origin}/api/no_such_command"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["code"],
        "unknown_command"
    );

    let bad = http
        .post(format!("{origin}/api/run_map"))
        .bearer_auth(token)
        .json(&serde_json::json!({"nom": "customers"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.status(),
        400,
        "missing arguments are the caller's error"
    );
    let bad: Value = bad.json().await.unwrap();
    assert!(
        bad["message"].as_str().unwrap().contains("name"),
        "the message names what is missing: {bad}"
    );

    let events = http
        .get(format!("{origin}/api/events?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(
        events.headers()["content-type"],
        "text/event-stream",
        "the browser's live updates are server-sent events"
    );
}
