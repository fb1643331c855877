//! An HTTP proxy client's request head, before any byte is relayed: CONNECT opens a tunnel
//! (answered with 200 once the target accepts), and a request in absolute form
//! (`GET http://host/path`) goes to its origin rewritten into origin form. Parsing and
//! rewriting are the codec's (`http/`); this file feeds it the client's bytes.
//!
//! One request per connection for now: the request goes to the origin with
//! `Connection: close`, and the client's connection closes after the response (which the
//! origin marks so), as HTTP/1.1 allows any server to do (RFC 9112 §9.6).

use crate::client::{Client, Got};
use crate::http::{self, Credentials, Limits, Persistence, ProxyAuth, RequestForm, Status};
use crate::socks5::Target;
use std::sync::Arc;

/// What the head came to.
#[derive(Debug)]
pub(crate) enum HttpStep {
    /// More bytes are needed.
    Waiting,
    /// CONNECT: a tunnel to the target, announced with 200 once open.
    Connect(Target),
    /// A plain request: these bytes (the rewritten head, then whatever of the body came
    /// with it) go to the target first.
    Forward(Target, Vec<u8>),
    /// The request was refused and answered; close the connection.
    Failed,
}

/// One client's request head.
pub(crate) struct HttpSession {
    pub(crate) client: Client,
    credentials: Option<Arc<Credentials>>,
    pending: Vec<u8>,
    limits: Limits,
}

impl HttpSession {
    pub(crate) fn new(client: Client, credentials: Option<Arc<Credentials>>) -> HttpSession {
        HttpSession {
            client,
            credentials,
            pending: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// Reads what the client sent and parses the head once it is whole.
    pub(crate) fn advance(&mut self) -> HttpStep {
        let mut buf = [0u8; 4096];
        loop {
            match self.client.read(&mut buf) {
                Got::Bytes(n) => self.pending.extend_from_slice(&buf[..n]),
                Got::Nothing => break,
                Got::Closed => return HttpStep::Failed,
            }
            // The parser judges the size; this only stops a client that never ends a line
            // from filling memory before it looks.
            if self.pending.len() > 2 * self.limits.max_head_bytes {
                break;
            }
        }
        let parsed = match http::parse_request(&self.pending, &self.limits) {
            Ok(parsed) => parsed,
            Err(e) => return self.refuse(e.status()),
        };
        let Some((head, used)) = parsed.done() else {
            return HttpStep::Waiting;
        };
        if let Some(expected) = &self.credentials {
            if http::check_basic(&head, expected) == ProxyAuth::Required {
                tracing::info!(from = %self.client.from, "HTTP proxy authentication failed");
                return self.refuse(Status::ProxyAuthRequired);
            }
        }
        let rest = self.pending.split_off(used);
        match &head.form {
            RequestForm::Connect => {
                self.pending = rest;
                HttpStep::Connect(head.target)
            }
            RequestForm::Forward { .. } => match head.origin_head(Persistence::Close) {
                Some(mut out) => {
                    out.extend_from_slice(&rest);
                    HttpStep::Forward(head.target, out)
                }
                None => self.refuse(Status::BadRequest),
            },
        }
    }

    /// The bytes the client sent after a CONNECT's head (they go to the target first).
    pub(crate) fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    fn refuse(&mut self, status: Status) -> HttpStep {
        let _ = self.client.send_message(&status.response());
        HttpStep::Failed
    }
}
