//! `tls_private_key`: a private key generated once (RSA of `rsa_bits`, ECDSA on
//! `ecdsa_curve`, or Ed25519) from the operating system's RNG, kept in state, in the
//! provider's encodings:
//!
//! - `private_key_pem`: PKCS#1 (`RSA PRIVATE KEY`) for RSA, SEC1 (`EC PRIVATE KEY`) for ECDSA,
//!   PKCS#8 (`PRIVATE KEY`) for Ed25519; `private_key_pem_pkcs8`: PKCS#8 for every algorithm;
//!   `private_key_openssh`: OpenSSH's own format. All three are sensitive.
//! - `public_key_pem` (PKIX), `public_key_openssh` (an `authorized_keys` line, with
//!   `openssh_comment` when set) and its MD5 (`aa:bb:...`) and SHA-256 (`SHA256:...`)
//!   fingerprints. OpenSSH has no P-224 keys: for that curve (the provider's default) the
//!   OpenSSH values and fingerprints are empty strings, as in the provider.
//! - The id is the hexadecimal SHA-1 of the public key's PKIX DER, as in the provider.
//!
//! Every argument forces a new key. The provider cannot import the type, and neither can
//! ecsform. An unknown algorithm or curve is an error when the key is created (the provider's
//! validators report it at plan), in the validators' words.

use base64::Engine;
use md5::Md5;
use p256::elliptic_curve;
use rsa::pkcs8::LineEnding;
use sha1::{Digest, Sha1};

use super::super::generated::{declare, int, text, with, Generator};
use crate::aws::Declaration;
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::{attrs, Schema};

pub struct TlsPrivateKey;

static TYPE: Declaration = declare("tls_private_key", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        required String: algorithm.force_new();
        optional_computed Number: rsa_bits.force_new().default(Default::Number(2048.0));
        optional_computed String: ecdsa_curve.force_new().default(Default::Str("P224"));
        optional String: openssh_comment.force_new();
        computed String: id public_key_pem public_key_openssh;
        computed String: public_key_fingerprint_md5 public_key_fingerprint_sha256;
        computed String: private_key_pem.sensitive() private_key_pem_pkcs8.sensitive()
            private_key_openssh.sensitive();
    ],
    blocks: &[],
};

/// The algorithms and curves the provider's validators accept, in their order.
const ALGORITHMS: &[&str] = &["RSA", "ECDSA", "ED25519"];
const CURVES: &[&str] = &["P224", "P256", "P384", "P521"];

/// A generated key in the encodings the state keeps.
struct Encoded {
    private_pem: String,
    private_pkcs8: String,
    /// The public key's PKIX DER.
    public_der: Vec<u8>,
    public_pem: String,
    /// The key as OpenSSH knows it; `None` for a P-224 key.
    openssh: Option<ssh_key::PrivateKey>,
}

/// The validators' wording for a value outside `allowed`.
fn one_of(name: &str, allowed: &[&str], got: &str) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    format!(
        "Attribute {name} value must be one of: [{}], got: {got:?}",
        quoted.join(" ")
    )
}

fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("Unable to generate Key from configuration: {what}: {e}")
}

fn rsa_key(bits: i64) -> Result<Encoded, String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let bits = usize::try_from(bits).map_err(|_| failed("rsa_bits", bits))?;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits).map_err(|e| failed("RSA", e))?;
    let public = key.to_public_key();
    let openssh = ssh_key::private::RsaKeypair::try_from(&key)
        .map_err(|e| failed("RSA", e))?
        .into();
    Ok(Encoded {
        private_pem: key
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| failed("RSA", e))?
            .to_string(),
        private_pkcs8: key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| failed("RSA", e))?
            .to_string(),
        public_der: public
            .to_public_key_der()
            .map_err(|e| failed("RSA", e))?
            .into_vec(),
        public_pem: public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| failed("RSA", e))?,
        openssh: Some(ssh_key::PrivateKey::new(openssh, "").map_err(|e| failed("RSA", e))?),
    })
}

/// `key` as a SEC1 `EC PRIVATE KEY` that names its curve and holds its public key, as Go's
/// `x509.MarshalECPrivateKey` writes it (and OpenSSL needs it).
fn sec1_pem<C>(key: &elliptic_curve::SecretKey<C>) -> sec1::der::Result<String>
where
    C: elliptic_curve::CurveArithmetic + elliptic_curve::pkcs8::AssociatedOid,
    elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
    elliptic_curve::AffinePoint<C>:
        elliptic_curve::sec1::FromEncodedPoint<C> + elliptic_curve::sec1::ToEncodedPoint<C>,
{
    use elliptic_curve::sec1::ToEncodedPoint;
    use sec1::der::Encode;
    let private = key.to_bytes();
    let public = key.public_key().to_encoded_point(false);
    let der = sec1::EcPrivateKey {
        private_key: &private,
        parameters: Some(sec1::EcParameters::NamedCurve(C::OID)),
        public_key: Some(public.as_bytes()),
    }
    .to_der()?;
    sec1::der::pem::encode_string("EC PRIVATE KEY", LineEnding::LF, &der)
        .map_err(sec1::der::Error::from)
}

/// An ECDSA key on one curve; `openssh` makes its OpenSSH form, where OpenSSH has the curve.
fn ecdsa_key<C>(
    openssh: impl Fn(&elliptic_curve::SecretKey<C>) -> Option<ssh_key::private::KeypairData>,
) -> Result<Encoded, String>
where
    C: elliptic_curve::CurveArithmetic + elliptic_curve::pkcs8::AssociatedOid,
    elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
    elliptic_curve::AffinePoint<C>:
        elliptic_curve::sec1::FromEncodedPoint<C> + elliptic_curve::sec1::ToEncodedPoint<C>,
{
    use elliptic_curve::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let key = elliptic_curve::SecretKey::<C>::random(&mut rand_core::OsRng);
    let public = key.public_key();
    let keypair = openssh(&key)
        .map(|k| ssh_key::PrivateKey::new(k, ""))
        .transpose()
        .map_err(|e| failed("ECDSA", e))?;
    Ok(Encoded {
        private_pem: sec1_pem(&key).map_err(|e| failed("ECDSA", e))?,
        private_pkcs8: key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| failed("ECDSA", e))?
            .to_string(),
        public_der: public
            .to_public_key_der()
            .map_err(|e| failed("ECDSA", e))?
            .into_vec(),
        public_pem: public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| failed("ECDSA", e))?,
        openssh: keypair,
    })
}

fn ed25519_key() -> Result<Encoded, String> {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, KeypairBytes};
    let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    // PKCS#8 v1, without the public key, as Go's x509.MarshalPKCS8PrivateKey writes it.
    let pkcs8 = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .map_err(|e| failed("ED25519", e))?
    .to_string();
    let public = key.verifying_key();
    let openssh = ssh_key::private::Ed25519Keypair::from(key).into();
    Ok(Encoded {
        private_pem: pkcs8.clone(),
        private_pkcs8: pkcs8,
        public_der: public
            .to_public_key_der()
            .map_err(|e| failed("ED25519", e))?
            .into_vec(),
        public_pem: public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| failed("ED25519", e))?,
        openssh: Some(ssh_key::PrivateKey::new(openssh, "").map_err(|e| failed("ED25519", e))?),
    })
}

/// A new key for `planned`'s arguments.
fn generate_key(planned: &Value) -> Result<Encoded, String> {
    use elliptic_curve::sec1::ToEncodedPoint;
    use ssh_key::private::{EcdsaKeypair, EcdsaPrivateKey, KeypairData};
    match text(planned, "algorithm") {
        "RSA" => rsa_key(int(planned, "rsa_bits")),
        "ED25519" => ed25519_key(),
        "ECDSA" => match text(planned, "ecdsa_curve") {
            "P224" => ecdsa_key::<p224::NistP224>(|_| None),
            "P256" => ecdsa_key::<p256::NistP256>(|k| {
                Some(KeypairData::Ecdsa(EcdsaKeypair::NistP256 {
                    public: k.public_key().to_encoded_point(false),
                    private: EcdsaPrivateKey::from(k.clone()),
                }))
            }),
            "P384" => ecdsa_key::<p384::NistP384>(|k| {
                Some(KeypairData::Ecdsa(EcdsaKeypair::NistP384 {
                    public: k.public_key().to_encoded_point(false),
                    private: EcdsaPrivateKey::from(k.clone()),
                }))
            }),
            "P521" => ecdsa_key::<p521::NistP521>(|k| {
                Some(KeypairData::Ecdsa(EcdsaKeypair::NistP521 {
                    public: k.public_key().to_encoded_point(false),
                    private: EcdsaPrivateKey::from(k.clone()),
                }))
            }),
            other => Err(one_of("ecdsa_curve", CURVES, other)),
        },
        other => Err(one_of("algorithm", ALGORITHMS, other)),
    }
}

/// The `authorized_keys` line of `key` (with `comment` when not empty) and its MD5 and
/// SHA-256 fingerprints, as Go's `x/crypto/ssh` writes them.
fn openssh_public(key: &ssh_key::PrivateKey, comment: &str) -> Result<[String; 3], String> {
    let public = key.public_key();
    let blob = public.to_bytes().map_err(|e| failed("OpenSSH", e))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&blob);
    let mut line = format!("{} {b64}", public.algorithm().as_str());
    if !comment.is_empty() {
        line.push(' ');
        line.push_str(comment);
    }
    line.push('\n');
    let md5: Vec<String> = Md5::digest(&blob)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sha256 =
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha2::Sha256::digest(&blob));
    Ok([line, md5.join(":"), format!("SHA256:{sha256}")])
}

impl Generator for TlsPrivateKey {
    fn declaration(&self) -> &'static Declaration {
        &TYPE
    }

    fn generate(&self, planned: &Value) -> Result<Value, String> {
        let key = generate_key(planned)?;
        let comment = text(planned, "openssh_comment");
        let (private_openssh, [public_openssh, md5, sha256]) = match &key.openssh {
            Some(k) => {
                let mut k = k.clone();
                k.set_comment(comment);
                let private = k
                    .to_openssh(ssh_key::LineEnding::LF)
                    .map_err(|e| failed("OpenSSH", e))?
                    .to_string();
                (private, openssh_public(&k, comment)?)
            }
            None => (String::new(), [String::new(), String::new(), String::new()]),
        };
        let secret = |s: String| Value::string(s).mark_sensitive(true);
        Ok(with(
            planned,
            [
                (
                    "id",
                    Value::string(hex::encode(Sha1::digest(&key.public_der))),
                ),
                ("private_key_pem", secret(key.private_pem)),
                ("private_key_pem_pkcs8", secret(key.private_pkcs8)),
                ("private_key_openssh", secret(private_openssh)),
                ("public_key_pem", Value::string(key.public_pem)),
                ("public_key_openssh", Value::string(public_openssh)),
                ("public_key_fingerprint_md5", Value::string(md5)),
                ("public_key_fingerprint_sha256", Value::string(sha256)),
            ],
        ))
    }

    fn import_id_format(&self) -> Option<&'static str> {
        None
    }
}
