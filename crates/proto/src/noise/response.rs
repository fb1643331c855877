//! Message 2: `<- e, ee, se, psk, {}`.

use super::{Handshake, HandshakeState, NoiseError, SessionKeys, StaticIdentity};
use crate::crypto::X25519Secret;
use crate::keys::{PrivateKey, PublicKey};
use crate::wire::HandshakeResponse;
use zeroize::Zeroize;

impl Handshake {
    /// Builds the response (macs zeroed) to the consumed initiation and derives the session
    /// (responder side: send = T2, receive = T1).
    pub fn create_response(
        &mut self,
        ephemeral: PrivateKey,
        local_index: u32,
    ) -> Result<(HandshakeResponse, SessionKeys), NoiseError> {
        if self.state != HandshakeState::ConsumedInitiation {
            return Err(NoiseError::WrongState);
        }
        let ephemeral = X25519Secret::new(&ephemeral)?;
        let mut msg = HandshakeResponse {
            sender_index: local_index,
            receiver_index: self.remote_index,
            unencrypted_ephemeral: [0; 32],
            encrypted_nothing: [0; 16],
            mac1: [0; 16],
            mac2: [0; 16],
        };
        msg.unencrypted_ephemeral = *ephemeral.public().as_bytes();
        let sym = &mut self.symmetric;
        // e
        sym.mix_ephemeral(&msg.unencrypted_ephemeral);
        // ee
        sym.mix_dh(&ephemeral, &self.remote_ephemeral)?;
        // se
        sym.mix_dh(&ephemeral, &self.remote_static)?;
        // psk
        let mut key = sym.mix_psk(&self.psk);
        // {}
        let sealed = sym.encrypt_and_hash(&key, &[], &mut msg.encrypted_nothing);
        key.zeroize();
        sealed?;
        self.local_index = local_index;
        self.state = HandshakeState::CreatedResponse;
        Ok((msg, self.begin_session(false)))
    }

    /// Consumes the response to our initiation and derives the session (initiator side:
    /// send = T1, receive = T2). On failure the handshake stays as it was, so a forged
    /// response cannot cancel a genuine one still in flight.
    pub fn consume_response(
        &mut self,
        identity: &StaticIdentity,
        msg: &HandshakeResponse,
    ) -> Result<SessionKeys, NoiseError> {
        if self.state != HandshakeState::CreatedInitiation || msg.receiver_index != self.local_index
        {
            return Err(NoiseError::WrongState);
        }
        let ephemeral = self.ephemeral.as_ref().ok_or(NoiseError::WrongState)?;
        let remote_ephemeral = PublicKey::from_bytes(msg.unencrypted_ephemeral);
        let mut sym = self.symmetric.clone();
        // e
        sym.mix_ephemeral(&msg.unencrypted_ephemeral);
        // ee
        sym.mix_dh(ephemeral, &remote_ephemeral)?;
        // se
        sym.mix_key_dh(identity.dh(&remote_ephemeral)?);
        // psk
        let mut key = sym.mix_psk(&self.psk);
        // {}
        let opened = sym.decrypt_and_hash(&key, &msg.encrypted_nothing, &mut []);
        key.zeroize();
        opened?;
        self.symmetric = sym;
        self.remote_index = msg.sender_index;
        self.state = HandshakeState::ConsumedResponse;
        Ok(self.begin_session(true))
    }
}
