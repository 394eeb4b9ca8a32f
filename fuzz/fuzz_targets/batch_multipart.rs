//! The `$batch` multipart reader, both directions: a batch response (what the clients read)
//! and a batch request (what the sandbox reads). The first line of the input is the
//! Content-Type, the rest the body. Either a result or a typed error, never a panic, and
//! what is read is never larger than what came in. The same bytes, cut at 0xFF, are also the
//! bodies of responses and requests written with the crate's writers, which must read back
//! exactly as written.

#![no_main]

use bytes::Bytes;
use duet_odata::multipart::{
    OutItem, OutPart, OutRequest, Part, RequestItem, parse_batch, parse_responses, write_batch,
    write_requests,
};
use http::StatusCode;
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 8] = [200, 201, 204, 400, 404, 412, 429, 500];

fuzz_target!(|data: &[u8]| {
    read_raw(data);
    responses_round_trip(data);
    requests_round_trip(data);
});

fn read_raw(data: &[u8]) {
    let (head, body) = match data.iter().position(|&byte| byte == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (data, &[][..]),
    };
    let content_type = String::from_utf8_lossy(head);
    if let Ok(responses) = parse_responses(&content_type, body) {
        let read: usize = responses.iter().map(|response| response.body.len()).sum();
        assert!(
            read <= body.len(),
            "{read} bytes of bodies read from {}",
            body.len()
        );
    }
    if let Ok(parts) = parse_batch(&content_type, body) {
        let read: usize = parts
            .iter()
            .flat_map(|part| match part {
                Part::Single(request) => vec![request.body.len()],
                Part::ChangeSet(requests) => requests.iter().map(|r| r.body.len()).collect(),
            })
            .sum();
        assert!(
            read <= body.len(),
            "{read} bytes of bodies read from {}",
            body.len()
        );
    }
}

fn pieces(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&byte| byte == 0xFF).take(16).collect()
}

fn responses_round_trip(data: &[u8]) {
    let bodies = pieces(data);
    let part = |index: usize, body: &[u8]| OutPart {
        content_id: Some(index.to_string()),
        status: StatusCode::from_u16(STATUSES[index % STATUSES.len()]).expect("a status"),
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: Bytes::copy_from_slice(body),
    };
    let items: Vec<OutItem> = bodies
        .iter()
        .enumerate()
        .map(|(index, body)| match index % 3 {
            2 => OutItem::ChangeSet(vec![part(index, body)]),
            _ => OutItem::Single(part(index, body)),
        })
        .collect();
    let (content_type, written) = write_batch(&items);
    let read = parse_responses(&content_type, &written).expect("a written response reads");
    assert_eq!(read.len(), bodies.len(), "one response per part written");
    for (index, (response, body)) in read.iter().zip(&bodies).enumerate() {
        assert_eq!(response.status, STATUSES[index % STATUSES.len()]);
        assert_eq!(response.content_id, Some(index.to_string()));
        assert_eq!(
            response.body, *body,
            "response {index} reads back as written"
        );
    }
}

fn requests_round_trip(data: &[u8]) {
    let bodies: Vec<String> = pieces(data)
        .into_iter()
        .map(|body| String::from_utf8_lossy(body).into_owned())
        .collect();
    let request = |index: usize, body: &str| OutRequest {
        content_id: Some(index.to_string()),
        method: "PATCH".to_owned(),
        url: format!("accounts(accountnumber='{index}')"),
        body: Some(body.to_owned()),
    };
    let items: Vec<RequestItem> = bodies
        .iter()
        .enumerate()
        .map(|(index, body)| match index % 2 {
            1 => RequestItem::ChangeSet(vec![request(index, body)]),
            _ => RequestItem::Single(request(index, body)),
        })
        .collect();
    let (content_type, written) = write_requests(&items);
    let parts = parse_batch(&content_type, &written).expect("a written request reads");
    assert_eq!(parts.len(), bodies.len(), "one part per item written");
    for (index, (part, body)) in parts.iter().zip(&bodies).enumerate() {
        let read = match part {
            Part::Single(request) => request,
            Part::ChangeSet(requests) => &requests[0],
        };
        assert_eq!(read.method, "PATCH");
        assert_eq!(read.url, format!("accounts(accountnumber='{index}')"));
        assert_eq!(read.content_id, Some(index.to_string()));
        assert_eq!(
            read.body,
            body.as_bytes(),
            "request {index} reads back as written"
        );
    }
}
