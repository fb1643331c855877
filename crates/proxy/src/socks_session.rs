//! A SOCKS5 client's negotiation, before any byte is relayed: the greeting and method
//! selection, the username/password sub-negotiation when the listener has credentials, and
//! the request. Parsing is the codec's (`socks5/`); this file feeds it the client's bytes
//! and answers on its socket. What the request asks for goes back to the event loop.

use crate::client::{Client, Got};
use crate::socks5::{
    self, AuthPolicy, AuthStatus, Command, Credentials, Method, Parsed, Reply, ReplyCode, Response,
    Target,
};
use std::sync::Arc;

/// The longest negotiation message (a sub-negotiation with 255-byte name and password) and
/// then some: a client that sends more without completing a message is not speaking SOCKS.
const MAX_PENDING: usize = 1024;

/// Where the negotiation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Greeting,
    Auth,
    Request,
}

/// What the negotiation came to.
#[derive(Debug)]
pub(crate) enum Step {
    /// More bytes are needed.
    Waiting,
    /// CONNECT to this target: the reply is sent once the tunnel connection opens or fails.
    Connect(Target),
    /// UDP ASSOCIATE: the reply names the relay's UDP address.
    Associate,
    /// The negotiation failed; whatever reply it calls for was sent. Close the connection.
    Failed,
}

/// One client's negotiation.
pub(crate) struct SocksSession {
    pub(crate) client: Client,
    credentials: Option<Arc<Credentials>>,
    pending: Vec<u8>,
    stage: Stage,
}

impl SocksSession {
    pub(crate) fn new(client: Client, credentials: Option<Arc<Credentials>>) -> SocksSession {
        SocksSession {
            client,
            credentials,
            pending: Vec::new(),
            stage: Stage::Greeting,
        }
    }

    /// Reads what the client sent and moves the negotiation on as far as it goes.
    pub(crate) fn advance(&mut self) -> Step {
        let mut buf = [0u8; 512];
        loop {
            match self.client.read(&mut buf) {
                Got::Bytes(n) => self.pending.extend_from_slice(&buf[..n]),
                Got::Nothing => break,
                Got::Closed => return Step::Failed,
            }
            if self.pending.len() > MAX_PENDING {
                return Step::Failed;
            }
        }
        loop {
            let step = match self.stage {
                Stage::Greeting => self.greeting(),
                Stage::Auth => self.auth(),
                Stage::Request => self.request(),
            };
            match step {
                Ok(Some(Step::Waiting)) => return Step::Waiting,
                Ok(Some(step)) => return step,
                // A stage completed: the next one's bytes may be here already.
                Ok(None) => {}
                Err(response) => {
                    self.respond(response);
                    return Step::Failed;
                }
            }
        }
    }

    /// The bytes the client sent after its request (they go to the target first).
    pub(crate) fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    /// Takes a parsed message's bytes off the front of what is pending.
    fn consumed<T>(&mut self, parsed: Parsed<T>) -> Option<T> {
        let (msg, used) = parsed.done()?;
        self.pending.drain(..used);
        Some(msg)
    }

    fn greeting(&mut self) -> Result<Option<Step>, Response> {
        let parsed = socks5::parse_greeting(&self.pending).map_err(|e| e.response())?;
        let Some(greeting) = self.consumed(parsed) else {
            return Ok(Some(Step::Waiting));
        };
        let policy = match self.credentials {
            Some(_) => AuthPolicy::UserPass,
            None => AuthPolicy::NoAuth,
        };
        let method = greeting.select(policy);
        self.send(&socks5::write_method_selection(method))?;
        self.stage = match method {
            Method::NoAuth => Stage::Request,
            Method::UserPass => Stage::Auth,
            // RFC 1928 §3: the client must close; we do too.
            Method::NoAcceptable => return Ok(Some(Step::Failed)),
        };
        Ok(None)
    }

    fn auth(&mut self) -> Result<Option<Step>, Response> {
        let parsed = socks5::parse_auth(&self.pending).map_err(|e| e.response())?;
        let Some(offer) = self.consumed(parsed) else {
            return Ok(Some(Step::Waiting));
        };
        let accepted = self
            .credentials
            .as_ref()
            .is_some_and(|expected| offer.matches(expected));
        if !accepted {
            tracing::info!(from = %self.client.from, "SOCKS5 authentication failed");
            return Err(Response::AuthFailure);
        }
        self.send(&socks5::write_auth_status(AuthStatus::Success))?;
        self.stage = Stage::Request;
        Ok(None)
    }

    fn request(&mut self) -> Result<Option<Step>, Response> {
        let parsed = socks5::parse_request(&self.pending).map_err(|e| e.response())?;
        let Some(request) = self.consumed(parsed) else {
            return Ok(Some(Step::Waiting));
        };
        match request.command {
            Command::Connect => Ok(Some(Step::Connect(request.target))),
            // The target in the request is where the client will send from, often all
            // zeros (RFC 1928 §6): its first datagram tells the same.
            Command::UdpAssociate => Ok(Some(Step::Associate)),
            // BIND is for protocols like active FTP that few use today.
            Command::Bind => Err(Response::Reply(ReplyCode::CommandNotSupported)),
        }
    }

    fn send(&mut self, message: &[u8]) -> Result<(), Response> {
        self.client
            .send_message(message)
            .map_err(|_| Response::Close)
    }

    /// Sends what a failed negotiation calls for.
    fn respond(&mut self, response: Response) {
        let message = match response {
            Response::Close => return,
            Response::AuthFailure => socks5::write_auth_status(AuthStatus::Failure).to_vec(),
            Response::Reply(code) => Reply::failure(code).to_bytes(),
        };
        let _ = self.client.send_message(&message);
    }
}
