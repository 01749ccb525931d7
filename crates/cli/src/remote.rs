//! A small SigV4-signing client for the awsQuery APIs (IAM, STS) of a running `sagegate serve`:
//! credentials from flags, the environment or a credentials file; HTTP/1.1 over a plain TCP stream
//! (the server listens on http); and just enough XML to read the answers. Used by `roles create`
//! and `access --endpoint`.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sagegate_sigv4::{percent_decode, sign_request, uri_encode, SigningParams};

/// Why a remote call failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("invalid endpoint `{0}`: {1}")]
    Endpoint(String, &'static str),
    #[error("no credentials: {0}")]
    NoCredentials(String),
    #[error("cannot read the credentials file {0}: {1}")]
    CredentialsFile(PathBuf, std::io::Error),
    #[error("cannot reach {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("the server at {0} sent a malformed answer: {1}")]
    Malformed(String, String),
    #[error("{action} failed with {code} (HTTP {status}): {message}")]
    Api { action: String, status: u16, code: String, message: String },
}

impl RemoteError {
    /// What to do about it.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            RemoteError::NoCredentials(_) => Some(
                "pass --access-key and --secret-key, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or point --credentials-file at the file `sagegate serve` writes (DATA_DIR/credentials, profile sagegate)",
            ),
            RemoteError::Connect(..) => Some("is `sagegate serve` running there? `GET /health` answers 200 when it is ready"),
            RemoteError::Api { code, .. } if code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" => {
                Some("the credentials do not belong to this server; use the ones it wrote to DATA_DIR/credentials")
            }
            _ => None,
        }
    }

    /// The API error code, when the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            RemoteError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Where credentials come from, as command-line flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CredentialArgs {
    /// The profile in the credentials file (default: AWS_PROFILE, else `sagegate`).
    #[arg(long)]
    pub profile: Option<String>,
    /// The access key id (with --secret-key; overrides the environment and the file).
    #[arg(long, requires = "secret_key")]
    pub access_key: Option<String>,
    /// The secret access key.
    #[arg(long, requires = "access_key", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The session token of temporary credentials.
    #[arg(long, requires = "access_key")]
    pub session_token: Option<String>,
    /// The credentials file (default: AWS_SHARED_CREDENTIALS_FILE, else sagegate-data/credentials, else
    /// ~/.aws/credentials).
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
    /// The region to sign for (default: the profile's, AWS_REGION, else us-east-1).
    #[arg(long = "signing-region")]
    pub signing_region: Option<String>,
}

/// Resolved credentials and signing region.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub region: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// `[profile]` sections of an AWS credentials file: key = value lines.
fn profile_of(text: &str, profile: &str) -> Option<Vec<(String, String)>> {
    let mut current: Option<String> = None;
    let mut found: Option<Vec<(String, String)>> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            current = Some(name.strip_prefix("profile ").unwrap_or(name).trim().to_string());
            if current.as_deref() == Some(profile) && found.is_none() {
                found = Some(Vec::new());
            }
            continue;
        }
        if current.as_deref() == Some(profile) {
            if let (Some(pairs), Some((k, v))) = (found.as_mut(), line.split_once('=')) {
                pairs.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    found
}

impl Credentials {
    /// Flags first; then, unless a profile was named, the environment; then the credentials file.
    pub fn resolve(args: &CredentialArgs) -> Result<Credentials, RemoteError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let region_default =
            || args.signing_region.clone().or_else(|| env("AWS_REGION")).or_else(|| env("AWS_DEFAULT_REGION"));
        if let (Some(akid), Some(secret)) = (&args.access_key, &args.secret_key) {
            return Ok(Credentials {
                access_key_id: akid.clone(),
                secret_access_key: secret.clone(),
                session_token: args.session_token.clone(),
                region: region_default().unwrap_or_else(|| "us-east-1".into()),
            });
        }
        if args.profile.is_none() {
            if let (Some(akid), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
                return Ok(Credentials {
                    access_key_id: akid,
                    secret_access_key: secret,
                    session_token: env("AWS_SESSION_TOKEN"),
                    region: region_default().unwrap_or_else(|| "us-east-1".into()),
                });
            }
        }
        let profile = args.profile.clone().or_else(|| env("AWS_PROFILE")).unwrap_or_else(|| "sagegate".into());
        let candidates: Vec<PathBuf> = match (&args.credentials_file, env("AWS_SHARED_CREDENTIALS_FILE")) {
            (Some(f), _) => vec![f.clone()],
            (None, Some(f)) => vec![PathBuf::from(f)],
            (None, None) => {
                let mut v = vec![PathBuf::from("sagegate-data/credentials")];
                if let Some(home) = env("HOME") {
                    v.push(Path::new(&home).join(".aws/credentials"));
                }
                v
            }
        };
        let explicit = args.credentials_file.is_some();
        for file in &candidates {
            let text = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) if explicit => return Err(RemoteError::CredentialsFile(file.clone(), e)),
                Err(_) => continue,
            };
            let Some(pairs) = profile_of(&text, &profile) else { continue };
            let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if let (Some(akid), Some(secret)) = (get("aws_access_key_id"), get("aws_secret_access_key")) {
                return Ok(Credentials {
                    access_key_id: akid,
                    secret_access_key: secret,
                    session_token: get("aws_session_token"),
                    region: region_default().or_else(|| get("region")).unwrap_or_else(|| "us-east-1".into()),
                });
            }
        }
        let shown: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        Err(RemoteError::NoCredentials(format!(
            "no flags, no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and no profile `{profile}` in {}",
            shown.join(" or ")
        )))
    }
}

/// An `http://host:port` endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `host:port`, as sent in the `Host` header and signed.
    pub authority: String,
    pub url: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, RemoteError> {
        let rest = match url.strip_prefix("http://") {
            Some(r) => r,
            None if url.starts_with("https://") => {
                return Err(RemoteError::Endpoint(
                    url.into(),
                    "only http:// is supported (sagegate serve listens on http)",
                ))
            }
            None => return Err(RemoteError::Endpoint(url.into(), "expected http://HOST:PORT")),
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(RemoteError::Endpoint(url.into(), "expected http://HOST:PORT without a path"));
        }
        let authority = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
        Ok(Endpoint { authority, url: url.trim_end_matches('/').to_string() })
    }
}

/// One HTTP/1.1 POST over a fresh connection (`Connection: close`): (status, body).
fn post(endpoint: &Endpoint, headers: &[(String, String)], body: &[u8]) -> Result<(u16, Vec<u8>), RemoteError> {
    let connect = |e: std::io::Error| RemoteError::Connect(endpoint.url.clone(), e);
    let addr = endpoint
        .authority
        .to_socket_addrs()
        .map_err(connect)?
        .next()
        .ok_or_else(|| connect(std::io::Error::new(std::io::ErrorKind::NotFound, "the host has no address")))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(connect)?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(connect)?;
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (n, v) in headers {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes()).map_err(connect)?;
    stream.write_all(body).map_err(connect)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(connect)?;
    parse_response(&raw).map_err(|m| RemoteError::Malformed(endpoint.url.clone(), m))
}

fn parse_response(raw: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(raw.get(..split).unwrap_or_default()).map_err(|_| "headers are not UTF-8")?;
    let body = raw.get(split + 4..).unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("no status code")?;
    let mut chunked = false;
    let mut length: Option<usize> = None;
    for line in lines {
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case("transfer-encoding") && v.trim().eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
            if n.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().ok();
            }
        }
    }
    let body = if chunked {
        let mut out = Vec::new();
        let mut rest = body;
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or("truncated chunk size")?;
            let size_text = std::str::from_utf8(rest.get(..line_end).unwrap_or_default()).map_err(|_| "bad chunk")?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
                .map_err(|_| "bad chunk size")?;
            rest = rest.get(line_end + 2..).unwrap_or_default();
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(..size).ok_or("truncated chunk")?);
            rest = rest.get(size + 2..).unwrap_or_default();
        }
        out
    } else {
        match length {
            Some(n) => body.get(..n).ok_or("truncated body")?.to_vec(),
            None => body.to_vec(),
        }
    };
    Ok((status, body))
}

/// A signed awsQuery client for IAM and STS.
pub struct Client {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
}

impl Client {
    pub fn new(endpoint: &str, credentials: Credentials) -> Result<Client, RemoteError> {
        Ok(Client { endpoint: Endpoint::parse(endpoint)?, credentials })
    }

    /// Calls `action` of `service` (`iam` or `sts`) with form parameters; returns the parsed XML.
    pub fn call(&self, service: &str, action: &str, params: &[(String, String)]) -> Result<Element, RemoteError> {
        let version = if service == "sts" { "2011-06-15" } else { "2010-05-08" };
        let mut form = format!("Action={}&Version={version}", uri_encode(action, true));
        for (k, v) in params {
            form.push('&');
            form.push_str(&uri_encode(k, true));
            form.push('=');
            form.push_str(&uri_encode(v, true));
        }
        let time = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let base = [("host", self.endpoint.authority.as_str()), ("content-type", content_type)];
        let signing = SigningParams {
            access_key_id: &self.credentials.access_key_id,
            secret_access_key: &self.credentials.secret_access_key,
            session_token: self.credentials.session_token.as_deref(),
            region: &self.credentials.region,
            service,
            time,
        };
        let mut headers: Vec<(String, String)> = base.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        headers.extend(sign_request("POST", "/", "", &base, form.as_bytes(), &signing));
        let (status, body) = post(&self.endpoint, &headers, form.as_bytes())?;
        let text = String::from_utf8_lossy(&body);
        let xml = parse_xml(&text).map_err(|m| RemoteError::Malformed(self.endpoint.url.clone(), m))?;
        if status >= 300 || xml.name == "ErrorResponse" {
            let err = xml.find(&["Error"]);
            let field = |n: &str| err.and_then(|e| e.child_text(n)).unwrap_or_default().to_string();
            return Err(RemoteError::Api {
                action: action.into(),
                status,
                code: field("Code"),
                message: field("Message"),
            });
        }
        Ok(xml)
    }

    /// `call`, following `Marker`/`IsTruncated` pages; returns each page's `…Result` element.
    pub fn call_paged(
        &self,
        service: &str,
        action: &str,
        params: &[(String, String)],
    ) -> Result<Vec<Element>, RemoteError> {
        let mut pages = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut p = params.to_vec();
            if let Some(m) = &marker {
                p.push(("Marker".into(), m.clone()));
            }
            let xml = self.call(service, action, &p)?;
            let result = xml.find(&[&format!("{action}Result")]).cloned().unwrap_or_default();
            let truncated = result.child_text("IsTruncated") == Some("true");
            marker = result.child_text("Marker").map(str::to_string);
            pages.push(result);
            if !truncated || marker.is_none() || pages.len() > 10_000 {
                return Ok(pages);
            }
        }
    }
}

/// A URL-encoded policy document as IAM returns it, decoded.
pub fn decode_document(s: &str) -> String {
    percent_decode(s, false)
}

/// An XML element: name, child elements and its own text (enough for awsQuery answers).
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The element at a path of child names.
    pub fn find(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, n| e.child(n))
    }

    /// The `member` children of the list element at `path`.
    pub fn members<'a>(&'a self, path: &[&str]) -> Vec<&'a Element> {
        self.find(path).map(|l| l.children_named("member").collect()).unwrap_or_default()
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        let Some(end) = after.find(';') else {
            out.push_str(after);
            return out;
        };
        let entity = after.get(1..end).unwrap_or_default();
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e => e
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(after.get(..=end).unwrap_or_default()),
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Parses an XML document into its root element. Attributes, comments, processing instructions and
/// CDATA-free mixed content are all that awsQuery answers use; anything else is an error.
pub fn parse_xml(text: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut rest = text;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&unescape(rest));
            }
            break;
        };
        if let Some(top) = stack.last_mut() {
            top.text.push_str(&unescape(rest.get(..lt).unwrap_or_default()));
        }
        let tag = rest.get(lt..).unwrap_or_default();
        if tag.starts_with("<?") || tag.starts_with("<!--") {
            let close = if tag.starts_with("<?") { "?>" } else { "-->" };
            let end = tag.find(close).ok_or("unterminated declaration or comment")?;
            rest = tag.get(end + close.len()..).unwrap_or_default();
            continue;
        }
        let end = tag.find('>').ok_or("unterminated tag")?;
        let inner = tag.get(1..end).unwrap_or_default();
        rest = tag.get(end + 1..).unwrap_or_default();
        if let Some(name) = inner.strip_prefix('/') {
            let done = stack.pop().ok_or("unbalanced closing tag")?;
            if done.name != name.trim() {
                return Err(format!("</{}> closes <{}>", name.trim(), done.name));
            }
            let parent = stack.last_mut().ok_or("unbalanced closing tag")?;
            parent.children.push(done);
            continue;
        }
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name = inner.split_whitespace().next().ok_or("empty tag")?.to_string();
        let element = Element { name, ..Element::default() };
        if self_closing {
            stack.last_mut().ok_or("no parent")?.children.push(element);
        } else {
            stack.push(element);
        }
    }
    if stack.len() != 1 {
        return Err("unclosed elements".into());
    }
    let mut root = stack.pop().unwrap_or_default();
    match root.children.len() {
        1 => Ok(root.children.remove(0)),
        _ => Err("expected exactly one root element".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_answers_and_errors() {
        let ok = parse_xml(
            "<?xml version=\"1.0\"?>\n<GetRoleResponse xmlns=\"x\"><GetRoleResult><Role><RoleName>r</RoleName>\
             <AssumeRolePolicyDocument>%7B%22a%22%3A1%7D</AssumeRolePolicyDocument><Tags/></Role></GetRoleResult>\
             <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetRoleResponse>",
        )
        .unwrap();
        assert_eq!(ok.find(&["GetRoleResult", "Role"]).unwrap().child_text("RoleName"), Some("r"));
        let doc = ok.find(&["GetRoleResult", "Role", "AssumeRolePolicyDocument"]).unwrap();
        assert_eq!(decode_document(&doc.text), "{\"a\":1}");
        let err = parse_xml(
            "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>a &amp; b &#60;</Message></Error></ErrorResponse>",
        )
        .unwrap();
        assert_eq!(err.find(&["Error"]).unwrap().child_text("Message"), Some("a & b <"));
        assert!(parse_xml("<a><b></a>").is_err());
        assert!(parse_xml("<a>").is_err());
    }

    #[test]
    fn reads_profiles_and_http_answers() {
        let text = "[default]\naws_access_key_id = A\n\n[profile sagegate]\naws_access_key_id = B\naws_secret_access_key = S\nregion = eu-west-1\n";
        let p = profile_of(text, "sagegate").unwrap();
        assert!(p.contains(&("aws_access_key_id".into(), "B".into())));
        assert!(profile_of(text, "missing").is_none());
        let (status, body) =
            parse_response(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!((status, body.as_slice()), (200, &b"abcde"[..]));
        let (status, body) = parse_response(b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nhi").unwrap();
        assert_eq!((status, body.as_slice()), (404, &b"hi"[..]));
        assert!(Endpoint::parse("https://x").is_err());
        assert_eq!(Endpoint::parse("http://127.0.0.1:5056/").unwrap().authority, "127.0.0.1:5056");
    }
}
