//! Message 1: `-> e, es, s, ss, {t}`.

use super::{Handshake, HandshakeState, NoiseError, StaticIdentity, SymmetricState};
use crate::consts::INITIATION_MIN_INTERVAL;
use crate::crypto::{Tai64n, X25519Secret};
use crate::keys::{PrivateKey, PublicKey};
use crate::time::{Duration, Instant};
use crate::wire::HandshakeInitiation;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// State after decrypting an initiation's static key, before the peer is known.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct InitiationScratch {
    symmetric: SymmetricState,
    /// Our identity, for the static-static DH once the peer is known.
    #[zeroize(skip)]
    identity: StaticIdentity,
    #[zeroize(skip)]
    remote_ephemeral: PublicKey,
}

impl Handshake {
    /// Builds an initiation (macs zeroed) with the caller's fresh `ephemeral` key, wall-clock
    /// time and unused `local_index`.
    pub fn create_initiation(
        &mut self,
        identity: &StaticIdentity,
        ephemeral: PrivateKey,
        wall_now: Duration,
        local_index: u32,
    ) -> Result<HandshakeInitiation, NoiseError> {
        let static_static = self.static_static(identity)?;
        let ephemeral = X25519Secret::new(&ephemeral)?;
        self.clear();
        let mut sym = SymmetricState::new(&self.remote_static);
        let mut msg = HandshakeInitiation {
            sender_index: local_index,
            unencrypted_ephemeral: [0; 32],
            encrypted_static: [0; 48],
            encrypted_timestamp: [0; 28],
            mac1: [0; 16],
            mac2: [0; 16],
        };
        msg.unencrypted_ephemeral = *ephemeral.public().as_bytes();
        // e
        sym.mix_ephemeral(&msg.unencrypted_ephemeral);
        // es
        let mut es = ephemeral.dh(&self.remote_static)?;
        let mut key = sym.mix_key(&es);
        es.zeroize();
        // s
        sym.encrypt_and_hash(
            &key,
            identity.public().as_bytes(),
            &mut msg.encrypted_static,
        )?;
        // ss
        key = sym.mix_key(&static_static);
        // {t}
        let timestamp = Tai64n::monotonic(wall_now, self.last_sent_timestamp);
        sym.encrypt_and_hash(&key, &timestamp.0, &mut msg.encrypted_timestamp)?;
        key.zeroize();

        self.last_sent_timestamp = Some(timestamp);
        self.symmetric = sym;
        self.ephemeral = Some(ephemeral);
        self.local_index = local_index;
        self.state = HandshakeState::CreatedInitiation;
        Ok(msg)
    }

    /// Finishes consuming an initiation whose static key identified this peer: decrypts the
    /// timestamp and applies the replay and flood checks.
    pub fn consume_initiation(
        &mut self,
        mut scratch: InitiationScratch,
        msg: &HandshakeInitiation,
        now: Instant,
    ) -> Result<(), NoiseError> {
        let static_static = self.static_static(&scratch.identity)?;
        // ss
        let mut key = scratch.symmetric.mix_key(&static_static);
        // {t}
        let mut timestamp = Tai64n::default();
        let decrypted =
            scratch
                .symmetric
                .decrypt_and_hash(&key, &msg.encrypted_timestamp, &mut timestamp.0);
        key.zeroize();
        decrypted?;
        if self
            .latest_timestamp
            .is_some_and(|latest| timestamp <= latest)
        {
            return Err(NoiseError::ReplayedTimestamp);
        }
        let flooding = self.last_initiation_consumption.is_some_and(|last| {
            now.saturating_duration_since(last) < INITIATION_MIN_INTERVAL && now >= last
        });
        if flooding {
            return Err(NoiseError::Flood);
        }
        self.clear();
        self.symmetric = core::mem::take(&mut scratch.symmetric);
        self.remote_ephemeral = scratch.remote_ephemeral;
        self.remote_index = msg.sender_index;
        self.latest_timestamp = Some(timestamp);
        self.last_initiation_consumption = Some(now);
        self.state = HandshakeState::ConsumedInitiation;
        Ok(())
    }
}

/// First half of consuming an initiation: `e`, `es`, `s`. Returns the initiator's static key,
/// which the caller uses to find the peer, and the state to finish with
/// [`Handshake::consume_initiation`].
pub fn decrypt_initiator_static(
    identity: &StaticIdentity,
    msg: &HandshakeInitiation,
) -> Result<(PublicKey, InitiationScratch), NoiseError> {
    let mut sym = SymmetricState::new(identity.public());
    let remote_ephemeral = PublicKey::from_bytes(msg.unencrypted_ephemeral);
    // e
    sym.mix_ephemeral(&msg.unencrypted_ephemeral);
    // es
    let mut es = identity.dh(&remote_ephemeral)?;
    let mut key = sym.mix_key(&es);
    es.zeroize();
    // s
    let mut initiator_static = [0u8; 32];
    let decrypted = sym.decrypt_and_hash(&key, &msg.encrypted_static, &mut initiator_static);
    key.zeroize();
    decrypted?;
    let scratch = InitiationScratch {
        symmetric: sym,
        identity: identity.clone(),
        remote_ephemeral,
    };
    Ok((PublicKey::from_bytes(initiator_static), scratch))
}
