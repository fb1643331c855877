#!/usr/bin/env python3
"""Recompute crates/proto/testdata/wg_vectors.json from its inputs, independently of ferrotun.

Usage:
  scripts/wg-vectors.py            check the committed file: every field recomputed and compared
  scripts/wg-vectors.py --write    print the recomputed file (to regenerate it)
  scripts/wg-vectors.py --check F  check another copy

Needs Python 3 and the `cryptography` package (Debian: python3-cryptography) for X25519 and
ChaCha20-Poly1305; BLAKE2s, HMAC and HChaCha20 are Python's own or written out below. Nothing
here shares code with the Rust crates, so a match means two implementations agree. The rules
followed are in docs/protocol.md §2-§6; docs/vectors.md says where the inputs come from.
"""

import hashlib
import hmac
import json
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DEFAULT = Path(__file__).resolve().parent.parent / "crates/proto/testdata/wg_vectors.json"

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
LABEL_COOKIE = b"cookie--"


# --- Inputs: simple byte runs, so anyone can type them in. ---------------------------------


def run(start, n=32):
    return bytes((start + i) & 0xFF for i in range(n))


def clamp(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


INITIATOR_STATIC = clamp(run(0x01))
RESPONDER_STATIC = clamp(run(0x21))
INITIATOR_EPHEMERAL = clamp(run(0x41))
RESPONDER_EPHEMERAL = clamp(run(0x61))
PSK_CASES = [
    ("handshake_zero_psk", "psk=zero (no PresharedKey configured)", bytes(32)),
    ("handshake_with_psk", "psk=e0..ff", run(0xE0)),
]
INITIATOR_INDEX = 0x11223301
RESPONDER_INDEX = 0x55667701
UNIX_TIME = 1700000000
# IPv4 header 10.0.0.2 -> 10.0.0.1, protocol 1 (ICMP), total length 20, checksum left 0.
DATA = bytes.fromhex("4500001400000000400100000a0000020a000001")
COOKIE_SECRET = run(0x90)
COOKIE_NONCE = run(0xC0, 24)
SOURCE = bytes([192, 0, 2, 1]) + struct.pack(">H", 51820)  # the kernel's encoding
RETRY_INDEX = 0x11223302


# --- Primitives (docs/protocol.md §2). ------------------------------------------------------


def HASH(*parts):
    h = hashlib.blake2s(digest_size=32)
    for p in parts:
        h.update(p)
    return h.digest()


def MAC(key, data):
    return hashlib.blake2s(data, key=key, digest_size=16).digest()


def HMAC(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def KDF(c, data, n):
    t0 = HMAC(c, data)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def DH(private, public):
    return X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(public)
    )


def public(private):
    key = X25519PrivateKey.from_private_bytes(private).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def AEAD(key, counter, plaintext, ad):
    return ChaCha20Poly1305(key).encrypt(b"\0" * 4 + struct.pack("<Q", counter), plaintext, ad)


def _quarter(s, a, b, c, d):
    m = 0xFFFFFFFF
    s[a] = (s[a] + s[b]) & m; s[d] ^= s[a]; s[d] = ((s[d] << 16) | (s[d] >> 16)) & m
    s[c] = (s[c] + s[d]) & m; s[b] ^= s[c]; s[b] = ((s[b] << 12) | (s[b] >> 20)) & m
    s[a] = (s[a] + s[b]) & m; s[d] ^= s[a]; s[d] = ((s[d] << 8) | (s[d] >> 24)) & m
    s[c] = (s[c] + s[d]) & m; s[b] ^= s[c]; s[b] = ((s[b] << 7) | (s[b] >> 25)) & m


def hchacha20(key, nonce16):
    """draft-irtf-cfrg-xchacha §2.2: the ChaCha20 rounds without the final addition."""
    s = list(struct.unpack("<4I", b"expand 32-byte k") + struct.unpack("<8I", key))
    s += list(struct.unpack("<4I", nonce16))
    for _ in range(10):
        _quarter(s, 0, 4, 8, 12); _quarter(s, 1, 5, 9, 13)
        _quarter(s, 2, 6, 10, 14); _quarter(s, 3, 7, 11, 15)
        _quarter(s, 0, 5, 10, 15); _quarter(s, 1, 6, 11, 12)
        _quarter(s, 2, 7, 8, 13); _quarter(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def XAEAD(key, nonce24, plaintext, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).encrypt(b"\0" * 4 + nonce24[16:], plaintext, ad)


def tai64n(unix_seconds, nanos=0):
    return struct.pack(">QI", 0x400000000000000A + unix_seconds, nanos)


# --- The handshake (docs/protocol.md §4-§6), one psk case. ----------------------------------


def handshake(name, label, psk):
    v = {"label": label}
    s_i, s_r, e_i, e_r = INITIATOR_STATIC, RESPONDER_STATIC, INITIATOR_EPHEMERAL, RESPONDER_EPHEMERAL
    S_i, S_r, E_i, E_r = public(s_i), public(s_r), public(e_i), public(e_r)
    v.update(
        initiator_static_private=s_i, initiator_static_public=S_i,
        responder_static_private=s_r, responder_static_public=S_r,
        initiator_ephemeral_private=e_i, initiator_ephemeral_public=E_i,
        responder_ephemeral_private=e_r, responder_ephemeral_public=E_r,
        preshared_key=psk, initiator_sender_index=INITIATOR_INDEX,
        responder_sender_index=RESPONDER_INDEX, timestamp_tai64n=tai64n(UNIX_TIME),
        unix_time=UNIX_TIME,
    )
    # Message 1: -> e, es, s, ss, {timestamp}
    c = HASH(CONSTRUCTION)
    h0 = HASH(c, IDENTIFIER)
    h = HASH(h0, S_r)
    v.update(initial_chaining_key=c, initial_hash=h0, H_after_responder_static=h)
    (c,) = KDF(c, E_i, 1)
    h = HASH(h, E_i)
    v.update(C_after_e=c, H_after_e=h)
    dh = DH(e_i, S_r)
    c, k = KDF(c, dh, 2)
    v.update(dh_es=dh, C_after_es=c, k_static=k)
    enc_static = AEAD(k, 0, S_i, h)
    h = HASH(h, enc_static)
    v.update(encrypted_static=enc_static, H_after_static=h)
    dh = DH(s_i, S_r)
    c, k = KDF(c, dh, 2)
    v.update(dh_ss=dh, C_after_ss=c, k_timestamp=k)
    enc_time = AEAD(k, 0, v["timestamp_tai64n"], h)
    h = HASH(h, enc_time)
    v.update(encrypted_timestamp=enc_time, H_after_timestamp=h)
    mac1_key_r = HASH(LABEL_MAC1, S_r)
    body = b"\x01\0\0\0" + struct.pack("<I", INITIATOR_INDEX) + E_i + enc_static + enc_time
    mac1 = MAC(mac1_key_r, body)
    v.update(mac1_key_for_responder=mac1_key_r, initiation_mac1=mac1,
             initiation_message=body + mac1 + bytes(16))
    # Message 2: <- e, ee, se, psk, {}
    (c,) = KDF(c, E_r, 1)
    h = HASH(h, E_r)
    v.update(C_after_resp_e=c, H_after_resp_e=h)
    dh = DH(e_r, E_i)
    (c,) = KDF(c, dh, 1)
    v.update(dh_ee=dh, C_after_ee=c)
    dh = DH(e_r, S_i)
    (c,) = KDF(c, dh, 1)
    v.update(dh_se=dh, C_after_se=c)
    c, tau, k = KDF(c, psk, 3)
    h = HASH(h, tau)
    v.update(C_after_psk=c, tau=tau, k_empty=k, H_after_psk=h)
    enc_nothing = AEAD(k, 0, b"", h)
    h = HASH(h, enc_nothing)
    v.update(encrypted_nothing=enc_nothing, H_final=h)
    mac1_key_i = HASH(LABEL_MAC1, S_i)
    body = (b"\x02\0\0\0" + struct.pack("<II", RESPONDER_INDEX, INITIATOR_INDEX) + E_r
            + enc_nothing)
    mac1 = MAC(mac1_key_i, body)
    v.update(mac1_key_for_initiator=mac1_key_i, response_mac1=mac1,
             response_message=body + mac1 + bytes(16))
    # Transport keys and the first packets (key confirmation order, docs/protocol.md §7).
    t1, t2 = KDF(c, b"", 2)
    v.update(initiator_send_key=t1, initiator_recv_key=t2, responder_send_key=t2,
             responder_recv_key=t1)
    padded = DATA + bytes(-len(DATA) % 16)

    def transport(key, receiver, counter, plaintext):
        head = b"\x04\0\0\0" + struct.pack("<IQ", receiver, counter)
        return head + AEAD(key, counter, plaintext, b"")

    v.update(
        keepalive_i2r_counter0=transport(t1, RESPONDER_INDEX, 0, b""),
        data_plaintext_unpadded=DATA, data_plaintext_padded=padded,
        data_r2i_counter0=transport(t2, INITIATOR_INDEX, 0, padded),
        data_i2r_counter1=transport(t1, RESPONDER_INDEX, 1, padded),
    )
    return v


def cookie(zero_psk):
    """A responder under load answers the psk=zero initiation from 192.0.2.1:51820."""
    initiation = zero_psk["initiation_message"]
    mac1 = zero_psk["initiation_mac1"]
    value = MAC(COOKIE_SECRET, SOURCE)
    key = HASH(LABEL_COOKIE, zero_psk["responder_static_public"])
    encrypted = XAEAD(key, COOKIE_NONCE, value, mac1)
    reply = b"\x03\0\0\0" + struct.pack("<I", INITIATOR_INDEX) + COOKIE_NONCE + encrypted
    mac2 = MAC(value, initiation[:132])
    # The retry keeps the first attempt's ephemeral and timestamp (pinned), new index and macs.
    retry = initiation[:4] + struct.pack("<I", RETRY_INDEX) + initiation[8:116]
    retry += MAC(zero_psk["mac1_key_for_responder"], retry)
    retry += MAC(value, retry)
    return {
        "cookie_secret": COOKIE_SECRET,
        "source_bytes_kernel": SOURCE,
        "cookie": value,
        "cookie_encryption_key_responder": key,
        "cookie_nonce": COOKIE_NONCE,
        "encrypted_cookie": encrypted,
        "cookie_reply_message": reply,
        "ad_is_mac1_of_initiation": mac1,
        "mac2_over_initiation_with_cookie": mac2,
        "initiation_with_mac2": initiation[:132] + mac2,
        "retry_initiation_sender_0x11223302_with_mac2": retry,
    }


def compute():
    out = {name: handshake(name, label, psk) for name, label, psk in PSK_CASES}
    out["cookie"] = cookie(out["handshake_zero_psk"])
    return {
        case: {k: (v.hex() if isinstance(v, bytes) else v) for k, v in fields.items()}
        for case, fields in out.items()
    }


def check(path):
    committed = json.loads(Path(path).read_text())
    mine = compute()
    bad = 0
    for case, fields in mine.items():
        theirs = committed.get(case, {})
        for key in sorted(set(fields) | set(theirs)):
            if fields.get(key) != theirs.get(key):
                print(f"{case}.{key}: file {theirs.get(key)!r}, recomputed {fields.get(key)!r}")
                bad += 1
    extra = set(committed) - set(mine)
    for case in sorted(extra):
        print(f"{case}: in the file, not recomputed")
        bad += 1
    total = sum(len(f) for f in mine.values())
    if bad:
        print(f"{path}: {bad} of {total} fields differ")
        return 1
    print(f"{path}: all {total} fields recomputed and equal")
    return 0


def main(argv):
    if argv[1:2] == ["--write"]:
        # The committed file has no newline at its end; --write reproduces it byte for byte.
        sys.stdout.write(json.dumps(compute(), indent=1))
        return 0
    if argv[1:2] == ["--check"] and len(argv) == 3:
        return check(argv[2])
    if len(argv) == 1:
        return check(DEFAULT)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
