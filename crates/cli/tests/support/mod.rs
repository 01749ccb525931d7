//! What the `roles` and `access` tests share: running the binary, temp directories, and a real
//! `sagegate serve` on a free port with the signing client of `src/remote.rs` to talk to it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../src/remote.rs"]
pub mod remote;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "111122223333";

/// Runs `sagegate` in the temp directory with no AWS credentials in its environment but `env`:
/// (exit code, stdout, stderr).
pub fn sagegate_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sagegate"));
    cmd.args(args).current_dir(std::env::temp_dir());
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run sagegate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

pub fn sagegate(args: &[&str]) -> (i32, String, String) {
    sagegate_env(args, &[])
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("sagegate-cli-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A form parameter.
pub fn p(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// `sagegate serve` on a free port over a fresh data directory; killed and removed on drop.
pub struct Server {
    child: Child,
    pub dir: PathBuf,
    pub url: String,
}

impl Server {
    pub fn start(tag: &str) -> Server {
        Server::start_with(tag, &[])
    }

    /// The same, with more `serve` flags (e.g. `--iam-policies-per-role 20`).
    pub fn start_with(tag: &str, serve_args: &[&str]) -> Server {
        let dir = temp_dir(tag);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_sagegate"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--account-id", ACCOUNT])
            .args(serve_args)
            .arg("--data-dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, dir, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
                let mut answer = String::new();
                let _ = s.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200") && server.dir.join("credentials").exists() {
                    return server;
                }
            }
            assert!(Instant::now() < deadline, "the server did not become healthy");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The credentials file the server wrote (profile `sagegate`).
    pub fn credentials(&self) -> String {
        self.dir.join("credentials").display().to_string()
    }

    pub fn client(&self) -> remote::Client {
        let args =
            remote::CredentialArgs { credentials_file: Some(self.dir.join("credentials")), ..Default::default() };
        remote::Client::new(&self.url, remote::Credentials::resolve(&args).unwrap()).unwrap()
    }

    /// The store's change counter and the role and policy keys, read beside the running server.
    pub fn store_state(&self) -> (u64, Vec<String>) {
        let store = sagegate_store::open(&self.dir.join("sagegate.db").display().to_string()).unwrap();
        let mut keys = Vec::new();
        store
            .transaction(&mut |tx| {
                keys.clear();
                for kind in ["role", "policy"] {
                    for (k, _) in tx.list(kind, "", None, 100_000)? {
                        keys.push(format!("{kind}:{k}"));
                    }
                }
                Ok(())
            })
            .unwrap();
        (store.change_counter().unwrap(), keys)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
