//! `$batch` by hand: multipart request bodies built from text parts, and replies read back
//! line by line, so the tests see exactly what goes over the wire.

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use super::{Dv, Fo};

/// One `application/http` part of a batch or change set.
pub(crate) fn http_part(
    content_id: Option<&str>,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> String {
    let mut part =
        String::from("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = content_id {
        part.push_str(&format!("Content-ID: {id}\r\n"));
    }
    part.push_str(&format!(
        "\r\n{method} {url} HTTP/1.1\r\nAccept: application/json\r\n"
    ));
    match body {
        Some(b) => part.push_str(&format!("Content-Type: application/json\r\n\r\n{b}\r\n")),
        None => part.push_str("\r\n"),
    }
    part
}

/// A multipart body of `parts` delimited by `boundary`, closed with the end delimiter.
fn multipart_body(boundary: &str, parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(&format!("--{boundary}\r\n{p}"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// A change set as one part of a batch.
pub(crate) fn change_set(boundary: &str, parts: &[String]) -> String {
    format!(
        "Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{}",
        multipart_body(boundary, parts)
    )
}

/// The parts of a batch response as read from its text.
pub(crate) struct BatchReply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) text: String,
}

impl BatchReply {
    async fn read(resp: Response) -> Self {
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.expect("batch response body");
        BatchReply {
            status,
            content_type,
            text,
        }
    }

    /// Status codes of the inner responses, in order.
    pub(crate) fn statuses(&self) -> Vec<u16> {
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("HTTP/1.1 "))
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect()
    }

    pub(crate) fn content_ids(&self) -> Vec<String> {
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("Content-ID: "))
            .map(|l| l.trim().to_string())
            .collect()
    }

    /// JSON bodies of the inner responses, in order.
    pub(crate) fn bodies(&self) -> Vec<Value> {
        self.text
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).expect("inner body is JSON"))
            .collect()
    }
}

impl Dv<'_> {
    pub(crate) async fn batch(
        &self,
        boundary: &str,
        parts: &[String],
        prefer: Option<&str>,
    ) -> BatchReply {
        let mut req = self
            .req(Method::POST, &self.url("$batch"))
            .header(
                "Content-Type",
                format!("multipart/mixed; boundary=\"{boundary}\""),
            )
            .body(multipart_body(boundary, parts));
        if let Some(p) = prefer {
            req = req.header("Prefer", p);
        }
        BatchReply::read(req.send().await.expect("DV $batch")).await
    }
}

impl Fo<'_> {
    pub(crate) async fn batch(&self, boundary: &str, parts: &[String]) -> BatchReply {
        let resp = self
            .req(Method::POST, &self.url("$batch"))
            .header(
                "Content-Type",
                format!("multipart/mixed; boundary={boundary}"),
            )
            .body(multipart_body(boundary, parts))
            .send()
            .await
            .expect("F&O $batch");
        BatchReply::read(resp).await
    }
}
