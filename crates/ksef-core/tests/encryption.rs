//! Invoice encryption (DIGEST §7), MF key choice (§4) and KSeF-token encryption (§5.3),
//! checked byte for byte against openssl (`enc -aes-256-cbc`, `pkeyutl` RSA-OAEP-SHA256)
//! and Python `cryptography`, in both directions.

mod crypto_common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crypto_common::*;
use ksef_core::crypto::{
    Certificate, CryptoError, EncryptedInvoice, EncryptionInfo, InvoiceEncryptionKey, MfKeyUsage,
    MfPrivateKey, MfPublicKey, PrivateKey,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// NIST SP 800-38A, Appendix F.2.5 (CBC-AES256.Encrypt): key, IV, four plaintext blocks and
/// their ciphertext. With PKCS#7, our output is these 64 bytes plus one padding block.
const SP800_38A_F25: ([u8; 32], [u8; 16], &str, &str) = (
    hex_literal(b"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"),
    hex_iv(b"000102030405060708090a0b0c0d0e0f"),
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
    "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
);

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("hex"),
    }
}
const fn hex_literal(s: &[u8; 64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}
const fn hex_iv(s: &[u8; 32]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

struct Mf {
    key: PathBuf,
    cert: PathBuf,
    der_b64: String,
    /// publicKeyId as openssl computes it: Base64(SHA-256(SPKI DER)).
    public_key_id: String,
    /// certificateId as openssl computes it: Base64(SHA-256(cert DER)).
    certificate_id: String,
}

fn mf_cert(name: &str) -> Mf {
    let key = tmp().join(format!("{name}.key.pem"));
    let ks = key.to_str().unwrap();
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        ks,
    ]);
    let cert = tmp().join(format!("{name}.crt.pem"));
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-utf8",
        "-key",
        ks,
        "-subj",
        "/C=PL/O=Ministerstwo Finansów/CN=Ministerstwo Finansów",
        "-days",
        "30",
        "-addext",
        "keyUsage=critical,keyEncipherment",
        "-out",
        cert.to_str().unwrap(),
    ]);
    let der = openssl(&["x509", "-in", cert.to_str().unwrap(), "-outform", "DER"]);
    let spki_pem = openssl(&["x509", "-in", cert.to_str().unwrap(), "-noout", "-pubkey"]);
    let spki_der = run(
        "openssl",
        &["pkey", "-pubin", "-outform", "DER"],
        Some(&spki_pem),
    );
    let b64_sha =
        |data: &[u8]| STANDARD.encode(run("openssl", &["dgst", "-sha256", "-binary"], Some(data)));
    Mf {
        key: key.clone(),
        cert,
        der_b64: STANDARD.encode(&der),
        public_key_id: b64_sha(&spki_der),
        certificate_id: b64_sha(&der),
    }
}

fn mf() -> &'static Mf {
    static M: OnceLock<Mf> = OnceLock::new();
    M.get_or_init(|| mf_cert("mf-sym"))
}

fn mf_public() -> MfPublicKey {
    MfPublicKey::from_certificate(Certificate::from_pem_or_der(&read(&mf().cert)).unwrap()).unwrap()
}

fn mf_private() -> MfPrivateKey {
    MfPrivateKey::new(PrivateKey::from_pem_or_der(&read(&mf().key), None).unwrap()).unwrap()
}

fn sample_invoice() -> Vec<u8> {
    read(
        &shared().join(
            "ksef/samples/fa3-mf-official/fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml",
        ),
    )
}

fn openssl_b64_sha256(data: &[u8]) -> String {
    STANDARD.encode(run("openssl", &["dgst", "-sha256", "-binary"], Some(data)))
}

fn openssl_aes_decrypt(key: &[u8], iv: &[u8], ct: &[u8]) -> Vec<u8> {
    run(
        "openssl",
        &[
            "enc",
            "-d",
            "-aes-256-cbc",
            "-K",
            &hex::encode(key),
            "-iv",
            &hex::encode(iv),
        ],
        Some(ct),
    )
}

fn openssl_oaep(decrypt: bool, key: &Path, data: &[u8]) -> Vec<u8> {
    let mut a = vec![
        "pkeyutl",
        if decrypt { "-decrypt" } else { "-encrypt" },
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
        "-pkeyopt",
        "rsa_mgf1_md:sha256",
    ];
    let ks = key.to_str().unwrap();
    if decrypt {
        a.extend_from_slice(&["-inkey", ks]);
    } else {
        a.extend_from_slice(&["-certin", "-inkey", ks]);
    }
    run("openssl", &a, Some(data))
}

#[test]
fn nist_sp800_38a_known_answer() {
    let (key, iv, pt, ct) = SP800_38A_F25;
    let k = InvoiceEncryptionKey::from_parts(key, iv);
    let out = k.encrypt_bytes(&hex::decode(pt).unwrap());
    assert_eq!(out.len(), 80, "64 bytes + one PKCS#7 block");
    assert_eq!(hex::encode(&out[..64]), ct);
    assert_eq!(k.decrypt_bytes(&out).unwrap(), hex::decode(pt).unwrap());
}

#[test]
fn invoice_encryption_decrypts_with_openssl_and_python() {
    let invoice = sample_invoice();
    let mut rng = rng();
    let mfk = mf_public();
    assert_eq!(
        mfk.public_key_id(),
        mf().public_key_id,
        "publicKeyId = openssl's Base64(SHA-256(SPKI))"
    );
    assert_eq!(mfk.certificate().certificate_id(), mf().certificate_id);
    let session = InvoiceEncryptionKey::generate(&mut rng);
    let info = session.encryption_info(&mfk, &mut rng).unwrap();
    assert_eq!(info.initialization_vector.len(), 24);
    assert_eq!(info.encrypted_symmetric_key.len(), 344);
    assert_eq!(
        info.public_key_id.as_deref(),
        Some(mf().public_key_id.as_str())
    );
    let json = serde_json::to_value(&info).unwrap();
    assert!(
        json.get("encryptedSymmetricKey").is_some()
            && json.get("initializationVector").is_some()
            && json.get("publicKeyId").is_some()
    );

    // openssl unwraps the key: RSA-OAEP, SHA-256, MGF1-SHA-256, empty label.
    let wrapped = STANDARD.decode(&info.encrypted_symmetric_key).unwrap();
    let unwrapped = openssl_oaep(true, &mf().key, &wrapped);
    assert_eq!(&unwrapped[..], session.hazmat_key_bytes());
    let iv = STANDARD.decode(&info.initialization_vector).unwrap();
    assert_eq!(&iv[..], session.iv());

    let sent = session.encrypt_invoice(&invoice);
    let ct = STANDARD.decode(&sent.encrypted_invoice_content).unwrap();
    // openssl decrypts the content with K and IV: the IV is not prepended.
    assert_eq!(openssl_aes_decrypt(&unwrapped, &iv, &ct), invoice);
    assert_eq!(sent.invoice_size, invoice.len() as u64);
    assert_eq!(sent.encrypted_invoice_size, ct.len() as u64);
    assert_eq!(ct.len(), (invoice.len() / 16 + 1) * 16);
    assert_eq!(sent.invoice_hash, openssl_b64_sha256(&invoice));
    assert_eq!(sent.encrypted_invoice_hash, openssl_b64_sha256(&ct));
    let json = serde_json::to_value(&sent).unwrap();
    for f in [
        "invoiceHash",
        "invoiceSize",
        "encryptedInvoiceHash",
        "encryptedInvoiceSize",
        "encryptedInvoiceContent",
    ] {
        assert!(json.get(f).is_some(), "{f}");
    }

    // Python `cryptography` does the whole receive side independently.
    let script = r#"
import sys, base64
from cryptography.hazmat.primitives import hashes, serialization, padding as sympad
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
key = serialization.load_pem_private_key(open(sys.argv[1],'rb').read(), None)
k = key.decrypt(base64.b64decode(sys.argv[2]), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
d = Cipher(algorithms.AES(k), modes.CBC(base64.b64decode(sys.argv[3]))).decryptor()
p = d.update(base64.b64decode(open(sys.argv[4]).read())) + d.finalize()
u = sympad.PKCS7(128).unpadder(); sys.stdout.buffer.write(u.update(p) + u.finalize())
"#;
    let content = write_tmp("content.b64", sent.encrypted_invoice_content.as_bytes());
    let out = python(
        script,
        &[
            mf().key.to_str().unwrap(),
            &info.encrypted_symmetric_key,
            &info.initialization_vector,
            content.to_str().unwrap(),
        ],
    )
    .expect("python decrypts");
    assert_eq!(out, invoice);

    // And our own receive side (the simulator's).
    let mfp = mf_private();
    let k2 = mfp.unwrap_session_key(&info, &mut rng).unwrap();
    assert_eq!(k2.decrypt_invoice(&sent).unwrap(), invoice);
}

#[test]
fn openssl_encrypted_content_decrypts_with_ours() {
    let invoice = sample_invoice();
    let mut rng = rng();
    let key: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
    let iv: [u8; 16] = std::array::from_fn(|i| 0xa0 ^ i as u8);
    // openssl wraps the key for the MF certificate and encrypts the content.
    let wrapped = openssl_oaep(false, &mf().cert, &key);
    let ct = run(
        "openssl",
        &[
            "enc",
            "-aes-256-cbc",
            "-K",
            &hex::encode(key),
            "-iv",
            &hex::encode(iv),
        ],
        Some(&invoice),
    );
    let info = EncryptionInfo {
        encrypted_symmetric_key: STANDARD.encode(&wrapped),
        initialization_vector: STANDARD.encode(iv),
        public_key_id: None,
    };
    let session = mf_private().unwrap_session_key(&info, &mut rng).unwrap();
    assert_eq!(session.hazmat_key_bytes(), &key);
    assert_eq!(session.decrypt_bytes(&ct).unwrap(), invoice);
    // Byte-exact: our encryption of the same plaintext with the same K/IV equals openssl's.
    assert_eq!(
        InvoiceEncryptionKey::from_parts(key, iv).encrypt_bytes(&invoice),
        ct
    );
    let sent = EncryptedInvoice {
        invoice_hash: openssl_b64_sha256(&invoice),
        invoice_size: invoice.len() as u64,
        encrypted_invoice_hash: openssl_b64_sha256(&ct),
        encrypted_invoice_size: ct.len() as u64,
        encrypted_invoice_content: STANDARD.encode(&ct),
    };
    assert_eq!(session.decrypt_invoice(&sent).unwrap(), invoice);
}

#[test]
fn batch_parts_of_every_length_round_trip_through_openssl() {
    let mut rng = rng();
    let session = InvoiceEncryptionKey::generate(&mut rng);
    for len in [0usize, 1, 15, 16, 17, 31, 32, 10_000, 1 << 20] {
        let part: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let ct = session.encrypt_bytes(&part);
        assert_eq!(ct.len(), (len / 16 + 1) * 16, "len {len}");
        assert_eq!(
            openssl_aes_decrypt(session.hazmat_key_bytes(), session.iv(), &ct),
            part,
            "len {len}"
        );
        assert_eq!(session.decrypt_bytes(&ct).unwrap(), part);
        let enc = session.encrypt_part(&part);
        assert_eq!(enc.content, ct);
        assert_eq!(enc.file_size, ct.len() as u64);
        assert_eq!(enc.file_hash, openssl_b64_sha256(&ct));
    }
}

#[test]
fn decryption_failures_are_opaque() {
    let mut rng = rng();
    let session = InvoiceEncryptionKey::generate(&mut rng);
    let other = InvoiceEncryptionKey::generate(&mut rng);
    let sent = session.encrypt_invoice(b"<Faktura/>");
    let ct = STANDARD.decode(&sent.encrypted_invoice_content).unwrap();
    let mut flipped = ct.clone();
    *flipped.last_mut().unwrap() ^= 0x55;
    // Raw CBC is unauthenticated: a wrong key or a flipped bit gives either the opaque
    // error or (when the padding happens to look valid) garbage, never the plaintext.
    for bad in [other.decrypt_bytes(&ct), session.decrypt_bytes(&flipped)] {
        assert!(
            matches!(bad, Err(CryptoError::Decryption)) || bad.as_deref() != Ok(&b"<Faktura/>"[..])
        );
    }
    for bad in [
        session.decrypt_bytes(&ct[..ct.len() - 1]),
        session.decrypt_bytes(&[]),
    ] {
        assert_eq!(bad, Err(CryptoError::Decryption));
    }
    // With the metadata (hashes) the check is complete: always the opaque error.
    for _ in 0..64 {
        let wrong = InvoiceEncryptionKey::generate(&mut rng);
        assert_eq!(wrong.decrypt_invoice(&sent), Err(CryptoError::Decryption));
    }
    // Tampered metadata is caught and reported the same way.
    let mut tampered = sent.clone();
    tampered.invoice_size += 1;
    assert_eq!(
        session.decrypt_invoice(&tampered),
        Err(CryptoError::Decryption)
    );
    let mut tampered = sent.clone();
    tampered.encrypted_invoice_hash = sent.invoice_hash.clone();
    assert_eq!(
        session.decrypt_invoice(&tampered),
        Err(CryptoError::Decryption)
    );
    // Unwrapping garbage: opaque too; a 24-byte IV (hex sent by mistake, ISSUES/135) is named.
    let mfp = mf_private();
    let mut info = session.encryption_info(&mf_public(), &mut rng).unwrap();
    let mut wrapped = STANDARD.decode(&info.encrypted_symmetric_key).unwrap();
    wrapped[5] ^= 1;
    let good = info.clone();
    info.encrypted_symmetric_key = STANDARD.encode(&wrapped);
    assert_eq!(
        mfp.unwrap_session_key(&info, &mut rng).unwrap_err(),
        CryptoError::Decryption
    );
    let mut hex_iv = good.clone();
    hex_iv.initialization_vector = hex::encode(session.iv())[..24].to_owned();
    assert_eq!(
        mfp.unwrap_session_key(&hex_iv, &mut rng).unwrap_err(),
        CryptoError::Malformed {
            field: "initializationVector"
        }
    );
    assert!(
        !format!("{session:?}").contains(&hex::encode(session.hazmat_key_bytes())),
        "Debug hides the key"
    );
}

#[test]
fn ksef_token_encryption_decrypts_with_openssl() {
    let mut rng = rng();
    let token = "20251010-EC-1DCE3E3000-12ECB5B36E-45|internalId-5265877635-12345|919f70aa00bb11cc22dd33ee44ff5566778899aabbccddeeff00112233445566";
    let ts = 1_752_236_636_015i64;
    let enc = mf_public().encrypt_ksef_token(token, ts, &mut rng).unwrap();
    let plain = openssl_oaep(true, &mf().key, &STANDARD.decode(&enc).unwrap());
    assert_eq!(String::from_utf8(plain).unwrap(), format!("{token}|{ts}"));
    let (t, got_ts) = mf_private().decrypt_ksef_token(&enc, &mut rng).unwrap();
    assert_eq!((t.as_str(), got_ts), (token, ts));
}

fn entry(m: &Mf, usage: &str, from: &str, to: &str) -> serde_json::Value {
    serde_json::json!({
        "certificate": m.der_b64, "certificateId": m.certificate_id, "publicKeyId": m.public_key_id,
        "validFrom": from, "validTo": to, "usage": [usage],
    })
}

#[test]
fn mf_key_is_chosen_by_usage_validity_and_latest_valid_from() {
    let old = mf_cert("mf-old");
    let new = mf();
    let token = mf_cert("mf-token");
    let list = serde_json::json!([
        entry(
            &old,
            "SymmetricKeyEncryption",
            "2020-01-01T00:00:00Z",
            "2030-01-01T00:00:00Z"
        ),
        entry(
            new,
            "SymmetricKeyEncryption",
            "2025-06-01T00:00:00+00:00",
            "2030-01-01T00:00:00Z"
        ),
        entry(
            &old,
            "SymmetricKeyEncryption",
            "2027-01-01T00:00:00Z",
            "2031-01-01T00:00:00Z"
        ),
        entry(
            &token,
            "KsefTokenEncryption",
            "2025-01-01T00:00:00Z",
            "2030-01-01T00:00:00Z"
        ),
    ]);
    let bytes = serde_json::to_vec(&list).unwrap();
    let now = time::macros::datetime!(2026-11-24 06:00 UTC);
    let sym = MfPublicKey::select(&bytes, MfKeyUsage::SymmetricKeyEncryption, now).unwrap();
    assert_eq!(
        sym.public_key_id(),
        new.public_key_id,
        "latest validFrom among the valid ones"
    );
    let tok = MfPublicKey::select(&bytes, MfKeyUsage::KsefTokenEncryption, now).unwrap();
    assert_eq!(tok.public_key_id(), token.public_key_id);
    // In 2032 nothing is valid.
    let later = time::macros::datetime!(2032-01-01 0:00 UTC);
    assert!(matches!(
        MfPublicKey::select(&bytes, MfKeyUsage::SymmetricKeyEncryption, later),
        Err(CryptoError::NoMfKey {
            usage: "SymmetricKeyEncryption",
            ..
        })
    ));
    // A publicKeyId that is not the certificate's is reported.
    let mut bad = list.clone();
    bad[1]["publicKeyId"] = serde_json::Value::String(old.public_key_id.clone());
    let err = MfPublicKey::select(
        &serde_json::to_vec(&bad).unwrap(),
        MfKeyUsage::SymmetricKeyEncryption,
        now,
    )
    .unwrap_err();
    assert_eq!(
        err,
        CryptoError::PublicKeyIdMismatch {
            declared: old.public_key_id.clone(),
            computed: new.public_key_id.clone()
        }
    );
    assert!(matches!(
        MfPublicKey::select(
            b"{\"not\":\"a list\"}",
            MfKeyUsage::SymmetricKeyEncryption,
            now
        ),
        Err(CryptoError::InvalidKeyList(_))
    ));
}
