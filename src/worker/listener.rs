//! How the REST API is served on its listeners: plain HTTP, or HTTPS from Connect's `ssl.*`
//! keys with PEM material (rustls on the ring provider, optional client certificates), and
//! Connect's basic-auth REST extension (a JAAS `KafkaConnect` section naming a `user: password`
//! file) in front of every route. Everything is read at startup, so a bad file stops the worker
//! before it serves anything.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use base64::Engine as _;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use super::config::{
    read_properties, BasicAuthSettings, ClientAuth, PemSource, RestTls, WorkerConfig,
    BASIC_AUTH_JAAS_FILE_KEY,
};
use super::error::{ConnectError, WorkerError};

/// The TLS configuration of the `https://` listeners and the basic-auth users, loaded once.
pub struct RestSecurity {
    tls: Option<RustlsConfig>,
    users: Option<Arc<Users>>,
}

impl RestSecurity {
    /// Reads the keystore, truststore, JAAS and credentials files the worker file names.
    /// `kafka_opts` is `$KAFKA_OPTS`, where `connect-*.sh` users put the JAAS file.
    pub fn load(worker: &WorkerConfig, kafka_opts: Option<&str>) -> Result<Self, WorkerError> {
        let tls = worker.rest_tls.as_ref().map(tls_config).transpose()?;
        let users = worker
            .rest_basic_auth
            .as_ref()
            .map(|s| Users::load(s, kafka_opts).map(Arc::new))
            .transpose()?;
        Ok(RestSecurity { tls, users })
    }

    /// A line for the log when basic auth is on (user count and file, never passwords).
    pub fn auth_summary(&self) -> Option<String> {
        self.users.as_ref().map(|u| {
            format!(
                "REST API requires HTTP basic auth: {} user(s) from {} (JAAS file {})",
                u.passwords.len(),
                u.file.display(),
                u.jaas.display()
            )
        })
    }

    /// `app` behind the basic-auth check, when it is on.
    pub fn protect(&self, app: Router) -> Router {
        match &self.users {
            Some(users) => app.layer(axum::middleware::from_fn_with_state(
                users.clone(),
                require_basic_auth,
            )),
            None => app,
        }
    }

    /// Serves `app` on `listener` until `stop` fires.
    pub async fn serve(
        &self,
        https: bool,
        listener: TcpListener,
        app: Router,
        mut stop: broadcast::Receiver<()>,
    ) -> io::Result<()> {
        if !https {
            return axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.recv().await;
                })
                .await;
        }
        let tls = self
            .tls
            .clone()
            .ok_or_else(|| io::Error::other("an https:// listener has no TLS configuration"))?;
        let handle = axum_server::Handle::<std::net::SocketAddr>::new();
        let on_stop = handle.clone();
        tokio::spawn(async move {
            let _ = stop.recv().await;
            on_stop.graceful_shutdown(Some(Duration::from_secs(1)));
        });
        axum_server::Server::from_listener(listener)
            .acceptor(RustlsAcceptor::new(tls))
            .handle(handle)
            .serve(app.into_make_service())
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// TLS

fn tls_config(t: &RestTls) -> Result<RustlsConfig, WorkerError> {
    // Explicit provider: rustls is built with ring only, and no process-wide default is assumed.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (chain, key) = keystore(&t.keystore).map_err(WorkerError::Config)?;
    let verifier = client_verifier(t, provider.clone()).map_err(WorkerError::Config)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_client_cert_verifier(verifier)
                .with_single_cert(chain, key)
        })
        .map_err(|e| {
            WorkerError::Config(format!(
                "{}: the private key and certificate cannot be used for TLS: {e}",
                describe(&t.keystore)
            ))
        })?;
    // Connect's Jetty speaks HTTP/1.1 over TLS; so does kct.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

/// The certificate chain (leaf first, as Kafka's PEM keystores hold it) and the private key.
fn keystore(
    src: &PemSource,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let sections = read_pem(src)?;
    let at = |what: &str| format!("{}: {what}", describe(src));
    let chain: Vec<CertificateDer<'static>> = certificates(&sections);
    let mut keys = sections
        .into_iter()
        .filter_map(|(kind, der)| PrivateKeyDer::from_pem(kind, der));
    let key = keys.next().ok_or_else(|| {
        at("no unencrypted PRIVATE KEY in it; the keystore needs the private key and the certificate chain")
    })?;
    if keys.next().is_some() {
        return Err(at(
            "more than one private key in it; keep only the server's",
        ));
    }
    if chain.is_empty() {
        return Err(at(
            "no CERTIFICATE in it; the keystore needs the private key and the certificate chain",
        ));
    }
    Ok((chain, key))
}

fn certificates(sections: &[(SectionKind, Vec<u8>)]) -> Vec<CertificateDer<'static>> {
    sections
        .iter()
        .filter(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| CertificateDer::from(der.clone()))
        .collect()
}

fn client_verifier(
    t: &RestTls,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ClientCertVerifier>, String> {
    let Some(src) = t
        .truststore
        .as_ref()
        .filter(|_| t.client_auth != ClientAuth::None)
    else {
        return Ok(WebPkiClientVerifier::no_client_auth());
    };
    let at = |what: String| format!("{}: {what}", describe(src));
    let mut roots = RootCertStore::empty();
    for cert in certificates(&read_pem(src)?) {
        roots
            .add(cert)
            .map_err(|e| at(format!("not a usable CA certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(at("no CERTIFICATE in it".into()));
    }
    let builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
    let builder = match t.client_auth {
        ClientAuth::Requested => builder.allow_unauthenticated(),
        _ => builder,
    };
    let verifier = builder.build().map_err(|e| at(e.to_string()))?;
    Ok(verifier)
}

/// How errors name a PEM source: the key and the file, or the inline keys.
fn describe(src: &PemSource) -> String {
    match src {
        PemSource::File { key, path } => format!("{key}={}", path.display()),
        PemSource::Inline { keys, .. } => keys.clone(),
    }
}

/// The PEM sections of a source. Encrypted keys are refused with the command that decrypts
/// them: rustls has no PEM decryption, and kct adds no crypto of its own for it.
fn read_pem(src: &PemSource) -> Result<Vec<(SectionKind, Vec<u8>)>, String> {
    let text = match src {
        PemSource::File { path, .. } => std::fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("{}: {}", describe(src), crate::io_error::io_error_text(&e)))?,
        PemSource::Inline { pem, .. } => pem.0.clone(),
    };
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(format!(
            "{}: the private key is encrypted (ssl.key.password), which kct does not support; \
             decrypt it (openssl pkey -in encrypted.pem -out key.pem), put it with the certificates \
             and remove ssl.key.password",
            describe(src)
        ));
    }
    <(SectionKind, Vec<u8>)>::pem_slice_iter(reflow_pem(&text).as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: not valid PEM: {e}", describe(src)))
}

/// Kafka's PEM parser ignores whitespace inside a block, so inline values written on one line
/// (`\`-continued lines in a properties file join with spaces) are valid there. This rewrites
/// each block with its base64 on one line of its own, for the line-based PEM reader.
fn reflow_pem(text: &str) -> String {
    const BEGIN: &str = "-----BEGIN ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let Some(label_len) = after.find("-----") else {
            break;
        };
        let label = &after[..label_len];
        let body = &after[label_len + 5..];
        let end = format!("-----END {label}-----");
        let Some(body_len) = body.find(&end) else {
            break;
        };
        let base64: String = body[..body_len].split_whitespace().collect();
        out.push_str(&format!("{BEGIN}{label}-----\n{base64}\n{end}\n"));
        rest = &body[body_len + end.len()..];
    }
    // Whatever is left (text between blocks, or a block without its end line, which the
    // reader then reports).
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Basic auth

const PROPERTY_FILE_LOGIN_MODULE: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";

/// The JVM system property `connect-*.sh` users pass in `KAFKA_OPTS`.
const LOGIN_CONFIG_OPT: &str = "-Djava.security.auth.login.config=";

/// The users of Connect's `PropertyFileLoginModule`: a properties file of `user: password`.
struct Users {
    passwords: HashMap<String, String>,
    file: PathBuf,
    jaas: PathBuf,
}

impl Users {
    fn load(settings: &BasicAuthSettings, kafka_opts: Option<&str>) -> Result<Users, WorkerError> {
        let jaas = settings
            .jaas_file
            .clone()
            .or_else(|| kafka_opts.and_then(login_config_from_opts))
            .ok_or_else(|| {
                WorkerError::Config(format!(
                    "rest.extension.classes lists the basic-auth extension but no JAAS file is given: \
                     set KAFKA_OPTS=\"{LOGIN_CONFIG_OPT}/path/connect.jaas\" or \
                     {BASIC_AUTH_JAAS_FILE_KEY}=/path/connect.jaas in the worker file"
                ))
            })?;
        let text = std::fs::read_to_string(&jaas).map_err(|e| {
            WorkerError::Config(format!(
                "JAAS file {}: {}",
                jaas.display(),
                crate::io_error::io_error_text(&e)
            ))
        })?;
        let file = credentials_file(&text)
            .map_err(|e| WorkerError::Config(format!("JAAS file {}: {e}", jaas.display())))?;
        let passwords: HashMap<String, String> = read_properties(&file)
            .map_err(|e| {
                WorkerError::Config(format!(
                    "credentials file {e} (named by JAAS file {})",
                    jaas.display()
                ))
            })?
            .into_iter()
            .collect();
        // Connect lets every request through when the file has no users; a file that grants
        // nothing is more likely a mistake than a wish for an open API.
        if passwords.is_empty() {
            return Err(WorkerError::Config(format!(
                "credentials file {} (named by {}) has no `user: password` lines",
                file.display(),
                jaas.display()
            )));
        }
        Ok(Users {
            passwords,
            file,
            jaas,
        })
    }

    fn allow(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some((user, password)) = authorization.and_then(basic_credentials) else {
            return false;
        };
        self.passwords
            .get(&user)
            .is_some_and(|p| same_bytes(p.as_bytes(), password.as_bytes()))
    }
}

/// The last `-Djava.security.auth.login.config=` in `KAFKA_OPTS` (the JVM keeps the last); the
/// JVM's `==` form (replace rather than add) names a file the same way.
fn login_config_from_opts(opts: &str) -> Option<PathBuf> {
    opts.split_whitespace()
        .rev()
        .find_map(|arg| arg.strip_prefix(LOGIN_CONFIG_OPT))
        .map(|v| v.trim_start_matches('=').trim_matches('"'))
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `Authorization: Basic base64(user:password)` as (user, password).
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let (scheme, encoded) = value.to_str().ok()?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Compares without stopping at the first difference, so timing does not tell how much of a
/// guessed password was right.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_basic_auth(State(users): State<Arc<Users>>, req: Request, next: Next) -> Response {
    if users.allow(req.headers().get(AUTHORIZATION)) {
        return next.run(req).await;
    }
    // Connect's JaasBasicAuthFilter message, in Connect's error body.
    let mut r = ConnectError::new(401, "User cannot access the resource.").into_response();
    r.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"kct\""),
    );
    r
}

/// The `file=` option of `PropertyFileLoginModule` in the JAAS file's `KafkaConnect` section.
fn credentials_file(jaas: &str) -> Result<PathBuf, String> {
    let example = format!(
        "KafkaConnect {{ {PROPERTY_FILE_LOGIN_MODULE} required file=\"/path/credentials.properties\"; }};"
    );
    let sections = jaas_sections(&jaas_tokens(jaas)?)?;
    let modules = sections
        .iter()
        .find(|(name, _)| name == "KafkaConnect")
        .map(|(_, modules)| modules)
        .ok_or_else(|| format!("no KafkaConnect section; add {example}"))?;
    match modules.as_slice() {
        [m] if m.class == PROPERTY_FILE_LOGIN_MODULE => m
            .options
            .iter()
            .find(|(k, _)| k == "file")
            .map(|(_, v)| PathBuf::from(v))
            .ok_or_else(|| format!("{PROPERTY_FILE_LOGIN_MODULE} has no file= option; {example}")),
        _ => Err(format!(
            "the KafkaConnect section must hold exactly one login module, {PROPERTY_FILE_LOGIN_MODULE} \
             (the one kct supports): {example}"
        )),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Punct(char),
}

/// JAAS's lexical rules (`javax.security.auth.login.ConfigFile`): words, double-quoted
/// strings with `\` escapes, `{ } ; =`, and `//`, `/* */` and `#` comments.
fn jaas_tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '{' | '}' | ';' | '=' => out.push(Token::Punct(c)),
            '"' => out.push(Token::Quoted(quoted(&mut chars)?)),
            '#' => skip_line(&mut chars),
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                skip_block_comment(&mut chars)?;
            }
            c => {
                let mut word = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || "{};=\"".contains(n) {
                        break;
                    }
                    word.push(n);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn quoted(chars: &mut Chars) -> Result<String, String> {
    let mut s = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(s),
            '\\' => s.extend(chars.next()),
            c => s.push(c),
        }
    }
    Err("a quoted string has no closing \"".into())
}

fn skip_line(chars: &mut Chars) {
    for c in chars.by_ref() {
        if c == '\n' {
            return;
        }
    }
}

fn skip_block_comment(chars: &mut Chars) -> Result<(), String> {
    while let Some(c) = chars.next() {
        if c == '*' && chars.peek() == Some(&'/') {
            chars.next();
            return Ok(());
        }
    }
    Err("a /* comment has no closing */".into())
}

#[derive(Debug, PartialEq)]
struct LoginModule {
    class: String,
    options: Vec<(String, String)>,
}

/// `Name { Class Flag key=value…; … };` sections, in order.
fn jaas_sections(tokens: &[Token]) -> Result<Vec<(String, Vec<LoginModule>)>, String> {
    let mut t = tokens.iter().peekable();
    let mut sections = Vec::new();
    while let Some(tok) = t.next() {
        let name = text(Some(tok), "a section name")?;
        expect(t.next(), '{', &format!("after {name}"))?;
        let mut modules = Vec::new();
        loop {
            match t.next() {
                Some(Token::Punct('}')) => break,
                None => return Err(format!("section {name} has no closing }}")),
                tok => modules.push(login_module(text(tok, "a login module class")?, &mut t)?),
            }
        }
        if t.peek() == Some(&&Token::Punct(';')) {
            t.next();
        }
        sections.push((name, modules));
    }
    Ok(sections)
}

fn login_module<'a>(
    class: String,
    t: &mut std::iter::Peekable<impl Iterator<Item = &'a Token>>,
) -> Result<LoginModule, String> {
    let flag = text(t.next(), &format!("a flag (required, …) after {class}"))?;
    if !["required", "requisite", "sufficient", "optional"].contains(&flag.as_str()) {
        return Err(format!(
            "{class}: '{flag}' is not one of required, requisite, sufficient, optional"
        ));
    }
    let mut options = Vec::new();
    loop {
        match t.next() {
            Some(Token::Punct(';')) => break,
            None => return Err(format!("{class}: the entry has no closing ;")),
            tok => {
                let key = text(tok, &format!("an option of {class}"))?;
                expect(t.next(), '=', &format!("after {key}"))?;
                let value = text(t.next(), &format!("a value for {key}"))?;
                options.push((key, value));
            }
        }
    }
    Ok(LoginModule { class, options })
}

fn text(tok: Option<&Token>, wanted: &str) -> Result<String, String> {
    match tok {
        Some(Token::Word(w) | Token::Quoted(w)) => Ok(w.clone()),
        Some(Token::Punct(c)) => Err(format!("expected {wanted}, found '{c}'")),
        None => Err(format!("expected {wanted}, found the end of the file")),
    }
}

fn expect(tok: Option<&Token>, punct: char, place: &str) -> Result<(), String> {
    match tok {
        Some(Token::Punct(c)) if *c == punct => Ok(()),
        _ => Err(format!("expected '{punct}' {place}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaas_file_as_connect_documents_it() {
        let jaas = r#"
            // The REST API's users
            KafkaServer { org.apache.kafka.common.security.plain.PlainLoginModule required
                username="admin" password="x"; };
            /* basic auth */
            KafkaConnect {
              org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
              file="/etc/kafka/connect \"a\".properties";
            };
        "#;
        assert_eq!(
            credentials_file(jaas).unwrap(),
            PathBuf::from("/etc/kafka/connect \"a\".properties")
        );
        let unquoted = "KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file=/c.properties; };";
        assert_eq!(
            credentials_file(unquoted).unwrap(),
            PathBuf::from("/c.properties")
        );
    }

    #[test]
    fn jaas_mistakes_are_named() {
        let e = credentials_file("Other { a.B required; };").unwrap_err();
        assert!(e.starts_with("no KafkaConnect section"), "{e}");
        let e = credentials_file("KafkaConnect { a.B required; };").unwrap_err();
        assert!(e.contains("exactly one login module"), "{e}");
        let e = credentials_file(&format!(
            "KafkaConnect {{ {PROPERTY_FILE_LOGIN_MODULE} required; }};"
        ))
        .unwrap_err();
        assert!(e.contains("no file= option"), "{e}");
        let e = credentials_file("KafkaConnect { a.B maybe; };").unwrap_err();
        assert!(e.contains("'maybe'"), "{e}");
        let e = credentials_file("KafkaConnect { a.B required file=\"x; };").unwrap_err();
        assert!(e.contains("closing \""), "{e}");
        assert!(credentials_file("KafkaConnect {").is_err());
    }

    #[test]
    fn login_config_in_kafka_opts() {
        let opts = "-Xmx1g -Djava.security.auth.login.config=/a.jaas -Dx=y \
                    -Djava.security.auth.login.config==/b.jaas";
        assert_eq!(login_config_from_opts(opts), Some(PathBuf::from("/b.jaas")));
        assert_eq!(login_config_from_opts("-Xmx1g"), None);
    }

    fn users() -> Users {
        Users {
            passwords: [("alice".to_string(), "s3:cret".to_string())].into(),
            file: PathBuf::new(),
            jaas: PathBuf::new(),
        }
    }

    fn basic(user_pass: &str) -> HeaderValue {
        let b64 = base64::engine::general_purpose::STANDARD.encode(user_pass);
        HeaderValue::from_str(&format!("Basic {b64}")).unwrap()
    }

    #[test]
    fn basic_auth_header_checks() {
        let u = users();
        assert!(u.allow(Some(&basic("alice:s3:cret"))));
        assert!(!u.allow(Some(&basic("alice:s3:cre"))));
        assert!(!u.allow(Some(&basic("bob:s3:cret"))));
        assert!(!u.allow(Some(&basic("alice"))));
        assert!(!u.allow(Some(&HeaderValue::from_static("Bearer abc"))));
        assert!(!u.allow(Some(&HeaderValue::from_static("Basic !!!"))));
        assert!(!u.allow(None));
        let lower = HeaderValue::from_str(
            &basic("alice:s3:cret")
                .to_str()
                .unwrap()
                .replace("Basic", "basic"),
        )
        .unwrap();
        assert!(u.allow(Some(&lower)));
    }

    #[test]
    fn pem_on_one_line_is_reflowed() {
        let one_line = "-----BEGIN CERTIFICATE----- QUJD REVG -----END CERTIFICATE----- \
                        -----BEGIN PRIVATE KEY----- R0hJ -----END PRIVATE KEY-----";
        let src = PemSource::Inline {
            keys: "ssl.keystore.key".into(),
            pem: super::super::config::Secret(one_line.into()),
        };
        let sections = read_pem(&src).unwrap();
        assert_eq!(
            sections,
            vec![
                (SectionKind::Certificate, b"ABCDEF".to_vec()),
                (SectionKind::PrivateKey, b"GHI".to_vec())
            ]
        );
    }

    #[test]
    fn keystore_errors_name_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ks.pem");
        let src = PemSource::File {
            key: "ssl.keystore.location".into(),
            path: path.clone(),
        };
        let e = keystore(&src).unwrap_err();
        assert!(
            e.starts_with(&format!("ssl.keystore.location={}: ", path.display())),
            "{e}"
        );
        std::fs::write(
            &path,
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = keystore(&src).unwrap_err();
        assert!(e.contains("encrypted") && e.contains("openssl pkey"), "{e}");
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = keystore(&src).unwrap_err();
        assert!(e.contains("no unencrypted PRIVATE KEY"), "{e}");
        std::fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = keystore(&src).unwrap_err();
        assert!(e.contains("no CERTIFICATE"), "{e}");
        std::fs::write(&path, "-----BEGIN CERTIFICATE-----\nQUJD\n").unwrap();
        let e = keystore(&src).unwrap_err();
        assert!(e.contains("not valid PEM"), "{e}");
    }
}
