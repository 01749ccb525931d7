//! The oracle: `node tools/oracle/runner.mjs` as a long-lived child process speaking JSON Lines.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub id: String,
    /// `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`; None when the oracle could not decide.
    pub decision: Option<String>,
    pub error: Option<String>,
    /// The oracle's own validator: policy label → messages.
    pub validation: BTreeMap<String, Vec<String>>,
    /// Context keys the oracle dropped as not applicable to the action (a generator problem).
    pub ignored_context_keys: Vec<String>,
}

pub struct Oracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

pub fn oracle_dir(root: &Path) -> PathBuf {
    root.join("tools").join("oracle")
}

/// True if `scripts/install-oracle` has run (the simulator package is present).
pub fn installed(root: &Path) -> bool {
    oracle_dir(root).join("node_modules").join("@cloud-copilot").join("iam-simulate").join("package.json").is_file()
}

impl Oracle {
    pub fn spawn(root: &Path) -> Result<Oracle, String> {
        let dir = oracle_dir(root);
        let node = std::env::var("NODE").unwrap_or_else(|_| "node".to_string());
        let mut child = Command::new(&node)
            .arg(dir.join("runner.mjs"))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start `{node} {}`: {e}", dir.join("runner.mjs").display()))?;
        let stdin = child.stdin.take().ok_or("no stdin for the oracle process")?;
        let stdout = child.stdout.take().ok_or("no stdout for the oracle process")?;
        Ok(Oracle { child, stdin: Some(stdin), stdout: BufReader::new(stdout) })
    }

    /// Sends every case (with its id) and reads one reply per case, in order.
    pub fn run_batch(&mut self, cases: &[(String, &Value)]) -> Result<Vec<Reply>, String> {
        let mut lines = Vec::with_capacity(cases.len());
        for (id, case) in cases {
            let mut v = (*case).clone();
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), Value::String(id.clone()));
            }
            lines.push(serde_json::to_string(&v).map_err(|e| e.to_string())?);
        }
        let stdin = self.stdin.as_mut().ok_or("the oracle's stdin is closed")?;
        let stdout = &mut self.stdout;
        std::thread::scope(|s| {
            let writer = s.spawn(move || -> Result<(), String> {
                let mut w = BufWriter::new(stdin);
                for l in &lines {
                    w.write_all(l.as_bytes()).map_err(|e| e.to_string())?;
                    w.write_all(b"\n").map_err(|e| e.to_string())?;
                }
                w.flush().map_err(|e| e.to_string())
            });
            let mut out = Vec::with_capacity(cases.len());
            let mut buf = String::new();
            for (id, _) in cases {
                buf.clear();
                let n = stdout.read_line(&mut buf).map_err(|e| format!("reading from the oracle: {e}"))?;
                if n == 0 {
                    return Err("the oracle process exited early (see its stderr above)".to_string());
                }
                let r = parse_reply(&buf)?;
                if &r.id != id {
                    return Err(format!("oracle reply out of order: expected id {id}, got {}", r.id));
                }
                out.push(r);
            }
            writer.join().map_err(|_| "oracle writer thread panicked".to_string())??;
            Ok(out)
        })
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn parse_reply(line: &str) -> Result<Reply, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("bad oracle reply ({e}): {line}"))?;
    let id = match v.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let mut validation = BTreeMap::new();
    if let Some(Value::Object(m)) = v.get("validation") {
        for (k, msgs) in m {
            let list = msgs
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            validation.insert(k.clone(), list);
        }
    }
    Ok(Reply {
        id,
        decision: v.get("decision").and_then(Value::as_str).map(str::to_string),
        error: v.get("error").and_then(Value::as_str).map(str::to_string),
        validation,
        ignored_context_keys: v
            .get("ignoredContextKeys")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
    })
}
