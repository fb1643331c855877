//! The Noise_IKpsk2 handshake: one [`Handshake`] per peer, in the kernel's five states.
//!
//! Each peer has a single handshake slot, so consuming a peer's initiation overwrites an
//! initiation of ours that was still outstanding; the response to ours then fails the state
//! check. That is how simultaneous initiation resolves to exactly one session.
//!
//! Messages are created here without mac1/mac2; the `cookie` module adds those.

mod initiation;
mod response;
pub(crate) mod symmetric;

pub use initiation::{decrypt_initiator_static, InitiationScratch};

use crate::crypto::{self, CryptoError, Tai64n, X25519Secret};
use crate::keys::{PresharedKey, PrivateKey, PublicKey};
use crate::time::Instant;
use std::sync::Arc;
use symmetric::SymmetricState;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The local interface's static key pair, parsed once for key agreement.
#[derive(Clone, Debug)]
pub struct StaticIdentity {
    private: PrivateKey,
    public: PublicKey,
    secret: Option<Arc<X25519Secret>>,
}

impl StaticIdentity {
    /// Derives the public half once.
    #[must_use]
    pub fn new(private: PrivateKey) -> Self {
        let secret = X25519Secret::new(&private).ok().map(Arc::new);
        let public = match &secret {
            Some(s) => *s.public(),
            None => private.public_key(),
        };
        StaticIdentity {
            private,
            public,
            secret,
        }
    }

    /// The private key.
    #[must_use]
    pub fn private(&self) -> &PrivateKey {
        &self.private
    }

    /// The public key.
    #[must_use]
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// X25519(our static private key, `public`).
    pub fn dh(&self, public: &PublicKey) -> Result<[u8; 32], CryptoError> {
        match &self.secret {
            Some(secret) => secret.dh(public),
            None => crypto::dh(&self.private, public),
        }
    }
}

/// Where a peer's handshake stands (the kernel's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HandshakeState {
    /// No handshake in progress.
    #[default]
    Zeroed,
    /// We sent an initiation and wait for the response.
    CreatedInitiation,
    /// We consumed the peer's initiation and owe a response.
    ConsumedInitiation,
    /// We sent a response; session keys are derived.
    CreatedResponse,
    /// We consumed the response to our initiation.
    ConsumedResponse,
}

/// Why a handshake step failed. Deliberately coarse: an attacker learns nothing from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoiseError {
    /// The interface has no private key, or DH with this peer's key is all zeros.
    #[error("no usable static keys for this peer")]
    NoStaticKeys,
    /// A DH result was all zeros.
    #[error("invalid public key")]
    InvalidPublicKey,
    /// An AEAD field did not authenticate.
    #[error("handshake message did not authenticate")]
    Decrypt,
    /// The message does not fit the handshake's state (e.g. a response nobody asked for).
    #[error("unexpected handshake message")]
    WrongState,
    /// The initiation's timestamp is not newer than the last accepted one (replay).
    #[error("replayed handshake initiation")]
    ReplayedTimestamp,
    /// Initiations from this peer arrived faster than 50 per second.
    #[error("handshake initiation flood")]
    Flood,
}

impl From<CryptoError> for NoiseError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::InvalidPublicKey => NoiseError::InvalidPublicKey,
            CryptoError::Decrypt | CryptoError::BufferTooSmall => NoiseError::Decrypt,
        }
    }
}

/// The two transport keys a completed handshake yields, and the indices that name them.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    /// Key for messages we send.
    pub send: [u8; 32],
    /// Key for messages we receive.
    pub receive: [u8; 32],
    /// Our index: the peer puts it in the messages it sends us.
    #[zeroize(skip)]
    pub local_index: u32,
    /// The peer's index: we put it in the messages we send.
    #[zeroize(skip)]
    pub remote_index: u32,
    /// Whether we initiated this session (only the initiator rekeys on time).
    #[zeroize(skip)]
    pub is_initiator: bool,
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("local_index", &self.local_index)
            .field("remote_index", &self.remote_index)
            .field("is_initiator", &self.is_initiator)
            .finish_non_exhaustive()
    }
}

/// The lazily computed static-static DH.
#[derive(Zeroize, ZeroizeOnDrop)]
enum StaticStatic {
    /// Not computed yet for the current identity.
    Unknown,
    /// DH(our static private, their static public).
    Valid([u8; 32]),
    /// No private key, or the result was all zeros.
    Invalid,
}

/// One peer's handshake slot.
pub struct Handshake {
    state: HandshakeState,
    remote_static: PublicKey,
    /// DH(our static, their static), computed on first use rather than when the peer is
    /// added, so configuring 100,000 peers (or changing the private key) costs no X25519.
    static_static: StaticStatic,
    psk: PresharedKey,
    symmetric: SymmetricState,
    ephemeral: Option<X25519Secret>,
    remote_ephemeral: PublicKey,
    local_index: u32,
    remote_index: u32,
    /// Greatest initiation timestamp accepted from the peer (replay protection).
    latest_timestamp: Option<Tai64n>,
    /// When we last consumed an initiation from the peer (flood protection).
    last_initiation_consumption: Option<Instant>,
    /// Our last sent timestamp, so ours increase even if the wall clock does not.
    last_sent_timestamp: Option<Tai64n>,
}

impl Handshake {
    /// A fresh slot for the peer `remote_static`.
    #[must_use]
    pub fn new(
        identity: Option<&StaticIdentity>,
        remote_static: PublicKey,
        psk: PresharedKey,
    ) -> Self {
        let mut hs = Handshake {
            state: HandshakeState::Zeroed,
            remote_static,
            static_static: StaticStatic::Invalid,
            psk,
            symmetric: SymmetricState::default(),
            ephemeral: None,
            remote_ephemeral: PublicKey::from_bytes([0; 32]),
            local_index: 0,
            remote_index: 0,
            latest_timestamp: None,
            last_initiation_consumption: None,
            last_sent_timestamp: None,
        };
        hs.set_identity(identity);
        hs
    }

    /// Forgets the static-static DH after the interface's private key changed (it is
    /// recomputed on first use), and the handshake in progress.
    pub fn set_identity(&mut self, identity: Option<&StaticIdentity>) {
        self.static_static = match identity {
            Some(_) => StaticStatic::Unknown,
            None => StaticStatic::Invalid,
        };
        self.clear();
    }

    /// DH(our static, their static), computed once per identity.
    fn static_static(&mut self, identity: &StaticIdentity) -> Result<[u8; 32], NoiseError> {
        if matches!(self.static_static, StaticStatic::Unknown) {
            self.static_static = match identity.dh(&self.remote_static) {
                Ok(shared) => StaticStatic::Valid(shared),
                Err(_) => StaticStatic::Invalid,
            };
        }
        match &self.static_static {
            StaticStatic::Valid(shared) => Ok(*shared),
            _ => Err(NoiseError::NoStaticKeys),
        }
    }

    /// Replaces the preshared key; the next handshake uses it (SEC-8).
    pub fn set_preshared_key(&mut self, psk: PresharedKey) {
        self.psk = psk;
    }

    /// The configured preshared key.
    #[must_use]
    pub fn preshared_key(&self) -> &PresharedKey {
        &self.psk
    }

    /// The peer's static public key.
    #[must_use]
    pub fn remote_static(&self) -> &PublicKey {
        &self.remote_static
    }

    /// The current state.
    #[must_use]
    pub fn state(&self) -> HandshakeState {
        self.state
    }

    /// Our index of the handshake in progress (meaningful unless `Zeroed`).
    #[must_use]
    pub fn local_index(&self) -> u32 {
        self.local_index
    }

    /// Whether a handshake with this peer may work: false without a private key, or once
    /// the static-static DH turned out all zeros (a low-order peer key).
    #[must_use]
    pub fn has_static_keys(&self) -> bool {
        !matches!(self.static_static, StaticStatic::Invalid)
    }

    /// Forgets the handshake in progress (keeps replay and flood state).
    pub fn clear(&mut self) {
        self.state = HandshakeState::Zeroed;
        self.symmetric.zeroize();
        self.ephemeral = None;
        self.local_index = 0;
        self.remote_index = 0;
    }

    /// Derives the transport keys and zeroes the handshake (`begin_session`).
    fn begin_session(&mut self, is_initiator: bool) -> SessionKeys {
        let (t1, t2) = self.symmetric.split();
        let (send, receive) = if is_initiator { (t1, t2) } else { (t2, t1) };
        let keys = SessionKeys {
            send,
            receive,
            local_index: self.local_index,
            remote_index: self.remote_index,
            is_initiator,
        };
        self.clear();
        keys
    }

    #[cfg(test)]
    pub(crate) fn symmetric(&self) -> &SymmetricState {
        &self.symmetric
    }
}

impl core::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Handshake")
            .field("state", &self.state)
            .field("remote_static", &self.remote_static)
            .field("local_index", &self.local_index)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
