//! The Dataverse data API as clients lean on it: counting, ordering on any column, paging a
//! client follows unchanged, representations on create and update, conditional writes,
//! alternate-key addressing, `WhoAmI`, delta tokens sent back however a client encodes them,
//! and the error codes clients branch on.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Dv, all_dv, json_of, start};

/// Creates accounts `A-1`…`A-n` named in reverse order, half of them in company DAT.
async fn accounts(dv: &Dv<'_>, n: usize) {
    for i in 1..=n {
        let mut body = json!({"accountnumber": format!("A-{i}"), "name": format!("N{}", n - i)});
        if i % 2 == 0 {
            body["msdyn_company@odata.bind"] = json!("/cdm_companies(cdm_companycode='DAT')");
        }
        let resp = dv.post(&dv.url("accounts"), body).await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "account {i} created");
    }
}

fn numbers(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|r| r["accountnumber"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn counting_ordering_and_paging() {
    // GIVEN five accounts.
    let env = start().await;
    let dv = Dv::new(&env).await;
    accounts(&dv, 5).await;
    // WHEN they are counted both ways, THEN both say five.
    let body = json_of(dv.get(&dv.url("accounts?$select=name&$count=true")).await).await;
    assert_eq!(body["@odata.count"], 5);
    let resp = dv.get(&dv.url("accounts/$count")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.expect("count text").trim(), "5");
    // AND `/$count` counts only the rows a filter keeps.
    let resp = dv
        .get(&dv.url("accounts/$count?$filter=_msdyn_company_value ne null"))
        .await;
    assert_eq!(resp.text().await.expect("count text").trim(), "2");
    // WHEN ordered on a text column descending, THEN the names run backwards.
    let body = json_of(
        dv.get(&dv.url("accounts?$select=accountnumber&$orderby=name desc"))
            .await,
    )
    .await;
    assert_eq!(numbers(&body), ["A-1", "A-2", "A-3", "A-4", "A-5"]);
    // AND ordering on a lookup, then a second key, puts the rows without a company first.
    let body = json_of(
        dv.get(&dv.url(
            "accounts?$select=accountnumber&$orderby=_msdyn_company_value asc,accountnumber desc",
        ))
        .await,
    )
    .await;
    assert_eq!(numbers(&body), ["A-5", "A-3", "A-1", "A-4", "A-2"]);
    // AND ordering on a date follows creation.
    let body = json_of(
        dv.get(
            &dv.url("accounts?$select=accountnumber&$orderby=createdon desc,versionnumber desc"),
        )
        .await,
    )
    .await;
    assert_eq!(numbers(&body), ["A-5", "A-4", "A-3", "A-2", "A-1"]);
    // WHEN a client pages with odata.maxpagesize and follows each nextLink as given.
    for query in [
        "accounts?$select=accountnumber",
        "accounts?$select=accountnumber&$orderby=name",
    ] {
        let mut url = dv.url(query);
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let resp = dv
                .req(Method::GET, &url)
                .header("Prefer", "odata.maxpagesize=2")
                .send()
                .await
                .expect("page");
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            let applied = resp.headers().get("preference-applied").cloned();
            assert_eq!(
                applied
                    .and_then(|v| v.to_str().ok().map(str::to_string))
                    .as_deref(),
                Some("odata.maxpagesize=2")
            );
            let body = json_of(resp).await;
            pages += 1;
            seen.extend(numbers(&body));
            match body["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_string(),
                None => break,
            }
        }
        // THEN every row comes once, in pages of two.
        seen.sort();
        assert_eq!(seen, ["A-1", "A-2", "A-3", "A-4", "A-5"], "{query}");
        assert_eq!(pages, 3, "{query}");
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn representations_on_create_update_and_upsert() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let represent = |method: Method, url: String, body: Value| {
        dv.req(method, &url)
            .header("Prefer", "return=representation")
            .json(&body)
            .send()
    };
    // WHEN a row is created and updated asking for the representation.
    let resp = represent(
        Method::POST,
        dv.url("accounts?$select=name,accountnumber"),
        json!({"accountnumber": "K-1", "name": "first"}),
    )
    .await
    .expect("POST");
    // THEN create answers 201 and update 200, each with the row.
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created = json_of(resp).await;
    assert_eq!(created["name"], "first");
    let resp = represent(
        Method::PATCH,
        dv.url("accounts(accountnumber='K-1')?$select=name"),
        json!({"name": "second"}),
    )
    .await
    .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::OK);
    let updated = json_of(resp).await;
    assert_eq!(updated["name"], "second");
    assert_eq!(updated["accountid"], created["accountid"]);
    // AND an upsert through the alternate key that creates answers 201.
    let resp = represent(
        Method::PATCH,
        dv.url("accounts(accountnumber='K-2')"),
        json!({"name": "upserted"}),
    )
    .await
    .expect("upsert");
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(
        json_of(resp).await["accountnumber"],
        "K-2",
        "the key comes from the URL"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn conditions_alternate_keys_and_error_codes() {
    // GIVEN an account and its etag.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"accountnumber": "K-1", "name": "second"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let updated = json_of(dv.get(&dv.url("accounts(accountnumber='K-1')")).await).await;
    // WHEN a stale etag is sent, THEN 412 with the concurrency code.
    let resp = dv
        .req(Method::PATCH, &dv.url("accounts(accountnumber='K-1')"))
        .header("If-Match", "W/\"1\"")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        json_of(resp).await,
        json!({"error": {"code": "0x80060882",
        "message": "The version of the existing record doesn't match the RowVersion property provided."}})
    );
    // AND the current etag is accepted.
    let etag = updated["@odata.etag"].as_str().expect("etag").to_string();
    let resp = dv
        .req(Method::PATCH, &dv.url("accounts(accountnumber='K-1')"))
        .header("If-Match", etag)
        .json(&json!({"name": "third"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // WHEN If-None-Match: * meets an existing row, THEN 412 with the duplicate code.
    let resp = dv
        .req(Method::PATCH, &dv.url("accounts(accountnumber='K-1')"))
        .header("If-None-Match", "*")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        json_of(resp).await,
        json!({"error": {"code": "0x80040237",
        "message": "A record with matching key values already exists."}})
    );
    // AND If-Match: * on a missing row is a 404, not a create.
    let resp = dv
        .req(Method::PATCH, &dv.url("accounts(accountnumber='K-9')"))
        .header("If-Match", "*")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // AND creating a second row with the same key is the duplicate error.
    let resp = dv
        .post(&dv.url("accounts"), json!({"accountnumber": "K-1"}))
        .await;
    assert_eq!(resp.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(json_of(resp).await["error"]["code"], "0x80040237");
    // WHEN the row is read and deleted by its alternate key.
    let row = json_of(dv.get(&dv.url("accounts(accountnumber='K-1')")).await).await;
    assert_eq!(row["name"], "third");
    let resp = dv.delete(&dv.url("accounts(accountnumber='K-1')")).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN reading it again is Dataverse's not-found error.
    let id = row["accountid"].as_str().expect("id");
    let resp = dv.get(&dv.url(&format!("accounts({id})"))).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json_of(resp).await,
        json!({"error": {"code": "0x80040217",
        "message": format!("account With Id = {id} Does Not Exist")}})
    );
    // AND an unknown property in a query is a 400 with the query code.
    let resp = dv.get(&dv.url("accounts?$select=nosuchcolumn")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(resp).await["error"]["code"], "0x80060888");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn who_am_i_and_delta_tokens_however_they_come_back() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN WhoAmI is called with and without parentheses, THEN both give the same ids.
    let plain = json_of(dv.get(&dv.url("WhoAmI")).await).await;
    let called = json_of(dv.get(&dv.url("WhoAmI()")).await).await;
    assert_eq!(plain, called);
    for id in ["UserId", "BusinessUnitId", "OrganizationId"] {
        assert!(plain[id].is_string(), "{id}: {plain}");
    }
    // GIVEN a tracked read's delta link, then one more account.
    let resp = dv
        .req(Method::GET, &dv.url("accounts?$select=name"))
        .header("Prefer", "odata.track-changes")
        .send()
        .await
        .expect("track");
    let link = json_of(resp).await["@odata.deltaLink"]
        .as_str()
        .expect("deltaLink")
        .to_string();
    assert!(
        link.contains("%21"),
        "the token's '!' is encoded as Dataverse sends it: {link}"
    );
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"accountnumber": "D-1", "name": "delta"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // WHEN the link is followed as sent, with '!' unencoded, with upper-case escapes, and
    // without its $select.
    let token = link
        .split("$deltatoken=")
        .nth(1)
        .expect("token")
        .to_string();
    let decoded: String = url::form_urlencoded::parse(format!("t={token}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .expect("decoded token");
    let variants = [
        link.clone(),
        link.replace("%21", "!"),
        dv.url(&format!(
            "accounts?$select=name&$deltatoken={}",
            token.to_uppercase()
        )),
        dv.url(&format!("accounts?$deltatoken={token}")),
    ];
    for url in variants {
        let body = json_of(dv.get(&url).await).await;
        // THEN each gives the one change.
        let names: Vec<&Value> = body["value"]
            .as_array()
            .expect("value")
            .iter()
            .map(|r| &r["name"])
            .collect();
        assert_eq!(names, [&json!("delta")], "{url}: {body}");
    }
    let resp = dv
        .req(Method::GET, &dv.url("accounts"))
        .query(&[("$deltatoken", decoded.as_str())])
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "a form-encoded token works too"
    );
    assert_eq!(all_dv(&dv, "accounts").await.len(), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_read_with_the_current_etag_is_not_modified() {
    // GIVEN an account and its etag.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"accountnumber": "E-1", "name": "cached"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let url = dv.url("accounts(accountnumber='E-1')?$select=name");
    let etag = json_of(dv.get(&url).await).await["@odata.etag"]
        .as_str()
        .expect("etag")
        .to_string();
    let read = |tag: String, annotations: bool| {
        let mut req = dv.req(Method::GET, &url).header("If-None-Match", tag);
        if annotations {
            req = req.header("Prefer", "odata.include-annotations=\"*\"");
        }
        req.send()
    };
    // WHEN it is read again with that etag, THEN nothing is sent back.
    let resp = read(etag.clone(), false).await.expect("GET");
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert!(resp.text().await.expect("body").is_empty());
    // AND `null` (which clients send to defeat caches), an old etag or annotations read it.
    for (tag, annotations) in [
        ("null".to_string(), false),
        ("W/\"1\"".to_string(), false),
        (etag, true),
    ] {
        let resp = read(tag.clone(), annotations).await.expect("GET");
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "{tag} with annotations {annotations}"
        );
    }
    env.sandbox.shutdown().await;
}
