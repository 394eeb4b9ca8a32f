//! How `duet serve` is reached: the scheme, the names a request may be addressed to, and the
//! access token. On loopback a browser on this machine reaches it by `127.0.0.1` or
//! `localhost`; a server beyond loopback speaks HTTPS and answers the names its admin gives
//! (`--public-name`) and its own address. Any other `Host` is refused, which is what keeps a
//! DNS-rebound name out.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use anyhow::{Context, bail};

/// The loopback names a browser on this machine reaches `duet serve` by.
const LOOPBACK_HOSTS: [&str; 2] = ["127.0.0.1", "localhost"];

/// The access token's environment variable (a server's stable token, never on a command line).
pub(crate) const TOKEN_VARIABLE: &str = "DUET_ACCESS_TOKEN";

/// Plain HTTP (loopback only) or HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port a URL of this scheme means when it names none.
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// One name requests may be addressed to: a host (lower case, an IPv6 address in brackets)
/// and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Authority {
    host: String,
    port: u16,
}

/// A `--public-name`: a host, and the port browsers use when it is not the listening one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicName {
    host: String,
    port: Option<u16>,
}

impl std::str::FromStr for PublicName {
    type Err = String;

    fn from_str(text: &str) -> Result<PublicName, String> {
        let (host, port) = split_authority(text).ok_or_else(|| {
            format!("'{text}' is not a host name or address, with or without :port")
        })?;
        Ok(PublicName { host, port })
    }
}

/// Where `duet serve` listens and the authorities it answers.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    scheme: Scheme,
    /// The first is the one `DUET_UI_URL` names.
    own: Vec<Authority>,
}

impl Access {
    /// The authorities of a server listening on `listen` (its real port) with `scheme`, known
    /// also by `public_names` (`host` meaning the listening port, or `host:port` for a port
    /// mapped in front of it).
    pub(crate) fn new(scheme: Scheme, listen: SocketAddr, public_names: &[PublicName]) -> Access {
        let port = listen.port();
        let mut own: Vec<Authority> = public_names
            .iter()
            .map(|name| Authority {
                host: name.host.clone(),
                port: name.port.unwrap_or(port),
            })
            .collect();
        let ip = listen.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            own.extend(LOOPBACK_HOSTS.map(|host| Authority {
                host: host.to_owned(),
                port,
            }));
        } else {
            own.push(Authority {
                host: ip_host(ip),
                port,
            });
        }
        Access { scheme, own }
    }

    /// The address of the UI, without its token.
    pub(crate) fn origin(&self) -> String {
        let first = &self.own[0];
        format!("{}://{}:{}", self.scheme.as_str(), first.host, first.port)
    }

    /// Whether a request's `Host` (`host[:port]`) names this server.
    pub(crate) fn is_own_authority(&self, authority: &str) -> bool {
        let Some((host, port)) = split_authority(authority) else {
            return false;
        };
        let port = port.unwrap_or(self.scheme.default_port());
        self.own
            .iter()
            .any(|own| own.host == host && own.port == port)
    }

    /// Whether a browser's `Origin` is this server's own page.
    pub(crate) fn is_own_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix(self.scheme.as_str())
            .and_then(|rest| rest.strip_prefix("://"))
            .is_some_and(|authority| self.is_own_authority(authority))
    }

    /// How a refused request should have been addressed, for its message.
    pub(crate) fn expected(&self) -> String {
        self.own
            .iter()
            .map(|own| format!("{}:{}", own.host, own.port))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An IP address as a URL's host: IPv6 in brackets.
fn ip_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }
}

/// `host[:port]` as a lower-case host and the port if one is named; nothing when it is not
/// an authority (empty host, a bad port, a path or user part).
fn split_authority(text: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?),
        };
        (
            format!("[{}]", inside.parse::<std::net::Ipv6Addr>().ok()?),
            port,
        )
    } else {
        let (host, port) = match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        let name = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
        if host.is_empty() || !name {
            return None;
        }
        (host.to_owned(), port)
    };
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    Some((host.to_ascii_lowercase(), port))
}

/// Refuses to listen beyond loopback without TLS: the access token and the secrets typed
/// into the UI would cross the network in clear text.
pub(crate) fn check_listen(listen: SocketAddr, tls: bool) -> anyhow::Result<()> {
    if !listen.ip().is_loopback() && !tls {
        bail!(
            "--listen {listen} would take requests from other machines over plain HTTP; give --tls-cert FILE and --tls-key FILE (PEM) so it speaks HTTPS, or listen on 127.0.0.1"
        );
    }
    Ok(())
}

/// The access token: `DUET_ACCESS_TOKEN` when set, else the one kept in `token_file`
/// (created with a new token, owner-only, when missing), else a new one for this run.
pub(crate) fn access_token(token_file: Option<&Path>) -> anyhow::Result<String> {
    let given = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty());
    match (given, token_file) {
        (Some(_), Some(_)) => bail!(
            "the access token is given twice, in {TOKEN_VARIABLE} and by --token-file: keep one"
        ),
        (Some(token), None) => checked_token(token, TOKEN_VARIABLE),
        (None, Some(path)) if path.exists() => {
            duet_api::check_private_file(path, "token file")?;
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the token file {}", path.display()))?;
            checked_token(text.trim().to_owned(), &path.display().to_string())
        }
        (None, Some(path)) => {
            let token = new_token();
            duet_api::write_private_file(path, format!("{token}\n").as_bytes())
                .with_context(|| format!("writing the token file {}", path.display()))?;
            Ok(token)
        }
        (None, None) => Ok(new_token()),
    }
}

/// A token someone chose must be long enough to guess at no better than a new one, and fit
/// in a URL as it is.
fn checked_token(token: String, from: &str) -> anyhow::Result<String> {
    let url_safe = token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
    if token.len() < 32 || !url_safe {
        bail!(
            "the access token in {from} must be at least 32 characters of letters, digits, '-', '_', '.' or '~' (for example the output of `openssl rand -hex 24`)"
        );
    }
    Ok(token)
}

/// 24 random bytes in hex.
fn new_token() -> String {
    use rand::Rng;
    let mut bytes = [0u8; 24];
    rand::rng().fill(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::{Access, PublicName, Scheme, checked_token, split_authority};

    fn loopback(port: u16) -> Access {
        Access::new(Scheme::Http, ([127, 0, 0, 1], port).into(), &[])
    }

    #[test]
    fn only_this_servers_loopback_address_is_its_own() {
        let access = loopback(7878);
        assert!(access.is_own_authority("127.0.0.1:7878"));
        assert!(access.is_own_authority("localhost:7878"));
        assert!(!access.is_own_authority("127.0.0.1:7879"), "another port");
        assert!(
            !access.is_own_authority("evil.example:7878"),
            "a rebound name"
        );
        assert!(!access.is_own_authority("127.0.0.1"), "no port means 80");
        assert!(!access.is_own_authority("127.0.0.1.evil.example:7878"));
        assert!(access.is_own_origin("http://localhost:7878"));
        assert!(
            !access.is_own_origin("https://localhost:7878"),
            "another scheme"
        );
        assert_eq!(access.origin(), "http://127.0.0.1:7878");
    }

    #[test]
    fn a_server_answers_its_public_names_and_address_over_https() {
        let names = ["Duet.Example.com", "sync.example.com:443"].map(|name| name.parse().unwrap());
        let access = Access::new(Scheme::Https, ([0, 0, 0, 0], 8443).into(), &names);
        assert!("duet.example.com:x".parse::<PublicName>().is_err());
        assert_eq!(access.origin(), "https://duet.example.com:8443");
        assert!(access.is_own_authority("duet.example.com:8443"));
        assert!(access.is_own_authority("DUET.example.com:8443"));
        assert!(
            access.is_own_authority("sync.example.com"),
            "443 is https's own"
        );
        assert!(access.is_own_authority("sync.example.com:443"));
        assert!(!access.is_own_authority("sync.example.com:8443"));
        assert!(access.is_own_authority("127.0.0.1:8443"), "and on loopback");
        assert!(!access.is_own_authority("other.example.com:8443"));
        assert!(access.is_own_origin("https://duet.example.com:8443"));
        assert!(!access.is_own_origin("http://duet.example.com:8443"));
        let bound = Access::new(Scheme::Https, "[fd00::5]:8443".parse().unwrap(), &[]);
        assert!(bound.is_own_authority("[fd00::5]:8443"));
        assert!(!bound.is_own_authority("127.0.0.1:8443"));
        assert_eq!(bound.origin(), "https://[fd00::5]:8443");
    }

    #[test]
    fn a_chosen_token_is_long_and_fits_in_a_url() {
        let good = "0123456789abcdef0123456789abcdef";
        assert_eq!(checked_token(good.to_owned(), "test").unwrap(), good);
        assert!(checked_token(good[1..].to_owned(), "test").is_err(), "31");
        let spaced = format!("{good} x");
        let error = checked_token(spaced, "DUET_ACCESS_TOKEN").unwrap_err();
        assert!(error.to_string().contains("DUET_ACCESS_TOKEN"), "{error}");
    }

    #[test]
    fn an_authority_is_a_host_and_maybe_a_port() {
        assert_eq!(
            split_authority("Example.com:80"),
            Some(("example.com".to_owned(), Some(80)))
        );
        assert_eq!(
            split_authority("[::1]:9"),
            Some(("[::1]".to_owned(), Some(9)))
        );
        assert_eq!(split_authority("example.com:x"), None);
        assert_eq!(split_authority("user@example.com"), None);
        assert_eq!(split_authority(":80"), None);
        assert_eq!(split_authority("[::1]x"), None);
    }
}
