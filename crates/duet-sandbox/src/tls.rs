//! HTTPS for both emulators: a certificate authority the sandbox creates on first start and
//! keeps in its directory (`ca.pem`, and `ca-key.pem` readable by its owner only), and a server
//! certificate for `localhost`, `127.0.0.1` and `::1` that it issues from that authority on
//! every start. A client trusts the sandbox by trusting `ca.pem`, and nothing else changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::SandboxError;

/// The certificate authority's file names in the sandbox directory.
const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
/// What serving HTTPS needs: the rustls configuration with this start's server certificate,
/// and the authority clients trust.
pub(crate) struct Tls {
    pub(crate) server: Arc<ServerConfig>,
    pub(crate) ca_file: PathBuf,
    pub(crate) ca_pem: String,
}

impl Tls {
    /// Loads the sandbox's certificate authority, creating it on first use, and issues a
    /// server certificate from it.
    pub(crate) fn load_or_create(dir: &Path) -> Result<Tls, SandboxError> {
        let (ca_key, ca_pem) = authority(dir)?;
        let issuer = ca_params(&ca_key).self_signed(&ca_key).map_err(tls_error)?;
        let key = KeyPair::generate().map_err(tls_error)?;
        let leaf = server_params()
            .signed_by(&key, &issuer, &ca_key)
            .map_err(tls_error)?;
        let chain = vec![CertificateDer::from(leaf.der().to_vec())];
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        Ok(Tls {
            server: server_config(chain, private)?,
            ca_file: dir.join(CA_FILE),
            ca_pem,
        })
    }
}

/// The rustls configuration of a server presenting `chain` (its own certificate first) with
/// `key`: ring's cryptography, TLS 1.2 and 1.3, HTTP/1.1.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, SandboxError> {
    let mut server =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(tls_error)?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(server))
}

/// [`server_config`] from PEM text: a certificate chain (the server's certificate first,
/// then any intermediates) and its private key (PKCS #8, PKCS #1 or SEC1), as a certificate
/// authority or `openssl` hands them out.
pub fn server_config_from_pem(
    chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<ServerConfig>, SandboxError> {
    let chain = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| tls_error(format!("the certificate file is not PEM: {error}")))?;
    if chain.is_empty() {
        return Err(tls_error("the certificate file holds no certificate"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|error| tls_error(format!("the key file holds no private key: {error}")))?;
    server_config(chain, key)
}

/// The authority's key and certificate (PEM): read from the directory, or made and written
/// there (write then rename, so a crash never leaves half a file).
pub(crate) fn authority(dir: &Path) -> Result<(KeyPair, String), SandboxError> {
    let (cert_path, key_path) = (dir.join(CA_FILE), dir.join(CA_KEY_FILE));
    if cert_path.exists() && key_path.exists() {
        let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path)?).map_err(tls_error)?;
        return Ok((key, std::fs::read_to_string(&cert_path)?));
    }
    let key = KeyPair::generate().map_err(tls_error)?;
    let cert = ca_params(&key).self_signed(&key).map_err(tls_error)?;
    write_private(&dir.join("ca-key.pem.tmp"), &key.serialize_pem())?;
    std::fs::rename(dir.join("ca-key.pem.tmp"), &key_path)?;
    std::fs::write(dir.join("ca.pem.tmp"), cert.pem())?;
    std::fs::rename(dir.join("ca.pem.tmp"), &cert_path)?;
    tracing::info!(ca = %cert_path.display(), "created the sandbox certificate authority");
    Ok((key, cert.pem()))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

fn ca_params(key: &KeyPair) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(&authority_name(key));
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let year = Utc::now().year();
    params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + 20, 1, 1);
    params
}

/// The server certificate: the loopback names a sandbox URL uses, valid from yesterday for
/// a year (a sandbox runs far shorter; each start issues a new one).
fn server_params() -> CertificateParams {
    let names = ["localhost", "127.0.0.1", "::1"]
        .map(str::to_owned)
        .to_vec();
    let mut params = CertificateParams::new(names).unwrap_or_default();
    params.distinguished_name = name("localhost");
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let day =
        |d: chrono::DateTime<Utc>| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    params.not_before = day(Utc::now() - Duration::days(1));
    params.not_after = day(Utc::now() + Duration::days(365));
    params
}

/// `Duet sandbox CA` and eight hex digits of the key's public half (FNV-1a): two sandboxes'
/// authorities never share a name, as two real ones would not.
fn authority_name(key: &KeyPair) -> String {
    let hash = key
        .public_key_raw()
        .iter()
        .fold(0x811c_9dc5_u32, |hash, byte| {
            (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
        });
    format!("Duet sandbox CA {hash:08x}")
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "Duet sandbox");
    dn
}

fn tls_error(error: impl std::fmt::Display) -> SandboxError {
    SandboxError::Tls(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::server_config_from_pem;

    #[test]
    fn a_server_configuration_is_made_from_pem_files_and_refused_without_them() {
        let key = rcgen::KeyPair::generate().unwrap();
        let names = vec!["duet.example.com".to_owned()];
        let cert = rcgen::CertificateParams::new(names)
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let pem = cert.pem();
        let key_pem = key.serialize_pem();
        let config = server_config_from_pem(pem.as_bytes(), key_pem.as_bytes()).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        let no_chain = server_config_from_pem(b"not pem", key_pem.as_bytes()).unwrap_err();
        assert!(
            no_chain.to_string().contains("no certificate"),
            "{no_chain}"
        );
        let no_key = server_config_from_pem(pem.as_bytes(), pem.as_bytes()).unwrap_err();
        assert!(no_key.to_string().contains("no private key"), "{no_key}");
    }
}
