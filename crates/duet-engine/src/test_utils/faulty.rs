//! A target wrapper that fails calls on a script, the way the real sides fail.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use duet_connect::{ConnectError, ErrorClass};
use duet_maps::Row;

use crate::test_utils::memory::{Call, CallKind};
use crate::{Target, Written};

/// A failure a side gives, as the clients report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Refused for good: HTTP 400 with an OData error body carrying the message (class
    /// `BadRequest`: a person fixes the row or the map, then retries).
    Refuse(String),
    /// Throttled by the service protection limits: HTTP 429 with its error body (class
    /// `Throttled`: retried by itself after a wait).
    Throttle,
    /// No answer in time: no status, no body (class `Timeout`: retried by itself).
    Timeout,
}

impl Fault {
    /// The error a call of `method` on `url` fails with, built as the clients build it.
    pub fn error(&self, method: &str, url: &str) -> ConnectError {
        match self {
            Fault::Refuse(message) => {
                let body = serde_json::json!({
                    "error": { "code": "0x80040265", "message": message }
                });
                ConnectError::from_response(method, url, 400, body.to_string())
            }
            Fault::Throttle => {
                let body = serde_json::json!({
                    "error": {
                        "code": "0x80072322",
                        "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
                    }
                });
                ConnectError::from_response(method, url, 429, body.to_string())
            }
            Fault::Timeout => ConnectError::new(
                ErrorClass::Timeout,
                method,
                url,
                "operation timed out: no answer in time",
            ),
        }
    }
}

/// One step of a [`FaultyTarget`]'s script.
#[derive(Debug, Clone)]
enum Step {
    Pass(usize),
    Fail(Fault, usize),
    Always(Fault),
}

/// One call a [`FaultyTarget`] received and what it answered: the fault, or `None` when the
/// call went through to the wrapped target.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub call: Call,
    pub fault: Option<Fault>,
}

/// Wraps a target and answers calls on a script: each call takes the script's next step
/// (pass through, or fail with a fault without calling the wrapped target); once the
/// script is used up every call passes through. Built by chaining: a target that throttles
/// twice and then works is `FaultyTarget::new(inner).fail(Fault::Throttle, 2)`; one that
/// fails after N good calls is [`FaultyTarget::fail_after`]. Every call is recorded.
pub struct FaultyTarget {
    inner: Arc<dyn Target>,
    script: Mutex<VecDeque<Step>>,
    attempts: Mutex<Vec<Attempt>>,
}

impl FaultyTarget {
    /// `inner` with an empty script: calls pass through until steps are added.
    pub fn new(inner: Arc<dyn Target>) -> FaultyTarget {
        FaultyTarget {
            inner,
            script: Mutex::new(VecDeque::new()),
            attempts: Mutex::new(Vec::new()),
        }
    }

    /// `inner` taking its first `successes` calls, then failing every call with `fault`
    /// (until [`FaultyTarget::heal`]).
    pub fn fail_after(inner: Arc<dyn Target>, successes: usize, fault: Fault) -> FaultyTarget {
        FaultyTarget::new(inner).pass(successes).always(fault)
    }

    /// Then the next `times` calls pass through.
    pub fn pass(self, times: usize) -> FaultyTarget {
        self.push(Step::Pass(times))
    }

    /// Then the next `times` calls fail with `fault`.
    pub fn fail(self, fault: Fault, times: usize) -> FaultyTarget {
        self.push(Step::Fail(fault, times))
    }

    /// Then every call fails with `fault`, until [`FaultyTarget::heal`]. Steps after it
    /// are never reached.
    pub fn always(self, fault: Fault) -> FaultyTarget {
        self.push(Step::Always(fault))
    }

    fn push(self, step: Step) -> FaultyTarget {
        self.script.lock().expect("fault script").push_back(step);
        self
    }

    /// Drops what is left of the script: the side answers again, every later call passes.
    pub fn heal(&self) {
        self.script.lock().expect("fault script").clear();
    }

    /// Every call received, oldest first, with the fault it was answered with.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.attempts.lock().expect("attempts").clone()
    }

    /// How many calls were answered with a fault.
    pub fn faults(&self) -> usize {
        self.attempts
            .lock()
            .expect("attempts")
            .iter()
            .filter(|attempt| attempt.fault.is_some())
            .count()
    }

    /// Takes the script's next step for a call: the fault to answer with, if any.
    fn next_fault(&self, call: Call) -> Option<Fault> {
        let fault = next_step(&mut self.script.lock().expect("fault script"));
        self.attempts.lock().expect("attempts").push(Attempt {
            call,
            fault: fault.clone(),
        });
        fault
    }
}

/// The fault the script's next step answers with, the step used up.
fn next_step(script: &mut VecDeque<Step>) -> Option<Fault> {
    loop {
        match script.front_mut()? {
            Step::Pass(0) | Step::Fail(_, 0) => {
                script.pop_front();
            }
            Step::Pass(left) => {
                *left -= 1;
                return None;
            }
            Step::Fail(fault, left) => {
                *left -= 1;
                return Some(fault.clone());
            }
            Step::Always(fault) => return Some(fault.clone()),
        }
    }
}

/// How a call is named in an error: `accounts(accountnumber='C1')`.
fn address(table: &str, key: &[(&str, &str)]) -> String {
    format!("{table}{}", duet_connect::key_predicate(key))
}

#[async_trait]
impl Target for FaultyTarget {
    async fn upsert(
        &self,
        table: &str,
        key: &[(&str, &str)],
        row: &Row,
    ) -> Result<Written, ConnectError> {
        let call = Call::new(CallKind::Upsert, table, key, row.clone());
        match self.next_fault(call) {
            Some(fault) => Err(fault.error("PATCH", &address(table, key))),
            None => self.inner.upsert(table, key, row).await,
        }
    }

    async fn delete(&self, table: &str, key: &[(&str, &str)]) -> Result<bool, ConnectError> {
        let call = Call::new(CallKind::Delete, table, key, Row::new());
        match self.next_fault(call) {
            Some(fault) => Err(fault.error("DELETE", &address(table, key))),
            None => self.inner.delete(table, key).await,
        }
    }
}
