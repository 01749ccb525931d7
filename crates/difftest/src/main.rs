//! `difftest --cases N --seed S [--jobs J]`: differential test of our engine against iam-simulate.

use sagegate_difftest::allowlist::AllowList;
use sagegate_difftest::features::FEATURES;
use sagegate_difftest::harness::{self, Config};
use sagegate_difftest::{gen::Generator, oracle};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: difftest [--cases N] [--seed S] [--start I] [--jobs J] [--allowlist FILE]
                [--out DIR] [--max-reports K] [--no-minimize] [--root DIR]
       difftest --dump [--cases N] [--seed S] [--start I]    print generated cases (JSON Lines)
       difftest --case CASE.json [--case …]                 decide given cases with both sides
       difftest --features                                  list allow-list selector features

Generates N random cases (seeded, reproducible), decides each with our engine (in-process) and with
@cloud-copilot/iam-simulate (node tools/oracle/runner.mjs), and compares. Differences covered by
tests/differential/allowlist.toml are counted per ID; any other difference fails the run and is
minimized and written as a CASE.json reproducer. Exit status: 0 ok, 1 unexplained disagreements,
engine panics or harness errors, 2 usage or setup error.";

fn parse_num(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<u64, String> {
    let v = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
    v.replace('_', "").parse::<u64>().map_err(|_| format!("{flag}: `{v}` is not a number"))
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("difftest: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<ExitCode, String> {
    let mut cfg = Config::new(harness::default_root());
    cfg.jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(4);
    let mut dump = false;
    let mut case_files: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    let mut allowlist: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" | "-n" => cfg.cases = parse_num(&mut args, &a)?,
            "--seed" | "-s" => cfg.seed = parse_num(&mut args, &a)?,
            "--start" => cfg.start = parse_num(&mut args, &a)?,
            "--jobs" | "-j" => cfg.jobs = parse_num(&mut args, &a)?.max(1) as usize,
            "--allowlist" => allowlist = Some(PathBuf::from(args.next().ok_or("--allowlist needs a file")?)),
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a directory")?)),
            "--root" => {
                let root = PathBuf::from(args.next().ok_or("--root needs a directory")?);
                cfg = Config { root, ..cfg };
            }
            "--max-reports" => cfg.max_reports = parse_num(&mut args, &a)? as usize,
            "--no-minimize" => cfg.minimize = false,
            "--verbose" | "-v" => cfg.verbose = true,
            "--dump" => dump = true,
            "--case" => case_files.push(PathBuf::from(args.next().ok_or("--case needs a file")?)),
            "--features" => {
                for (name, doc) in FEATURES {
                    println!("{name:<32} {doc}");
                }
                return Ok(ExitCode::SUCCESS);
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    cfg.allowlist = allowlist.unwrap_or_else(|| cfg.root.join("tests").join("differential").join("allowlist.toml"));
    cfg.out_dir = out.unwrap_or_else(|| cfg.root.join("target").join("difftest"));

    if std::env::var_os("DIFFTEST_DEBUG_VALIDATION").is_some() {
        // Generator debugging: our validator's errors on generated cases that inject nothing.
        let g = Generator::new(cfg.seed);
        for i in cfg.start..cfg.start + cfg.cases {
            let c = g.case(i);
            if c.tags.injected_invalid.is_some() || c.tags.d_input.is_some() {
                continue;
            }
            for p in sagegate_difftest::case_util::policies(&c.case) {
                if let Ok(Some(e)) = sagegate_difftest::engine::validate(&p) {
                    println!("case {i} {} row {:?}: {}\n{}", p.label, e.row, e.message, p.text);
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if dump {
        let g = Generator::new(cfg.seed);
        for i in cfg.start..cfg.start + cfg.cases {
            let c = g.case(i);
            println!("{}", serde_json::to_string(&c.case).map_err(|e| e.to_string())?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !oracle::installed(&cfg.root) {
        return Err(format!(
            "the oracle is not installed under {}; run scripts/install-oracle",
            oracle::oracle_dir(&cfg.root).display()
        ));
    }
    let allow = AllowList::load(&cfg.allowlist)?;
    if !case_files.is_empty() {
        return replay(&cfg, &allow, &case_files);
    }
    let report = harness::run(&cfg)?;
    print!("{}", harness::render(&cfg, &report, &allow));
    Ok(if report.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `--case FILE`: decides each given CASE (a file holding one case or an array of cases) with both sides.
fn replay(cfg: &Config, allow: &AllowList, files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut cases: Vec<(u64, serde_json::Value)> = Vec::new();
    let mut names = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        let list = match v {
            serde_json::Value::Array(a) => a,
            other => vec![other],
        };
        for (i, mut c) in list.into_iter().enumerate() {
            if let serde_json::Value::Object(m) = &mut c {
                // Bookkeeping fields of reproducers are not part of the decision.
                m.remove("description");
                m.remove("rules");
                names.push(
                    m.remove("id")
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| format!("{}[{i}]", f.display())),
                );
            }
            cases.push((cases.len() as u64, c));
        }
    }
    let mut oracle = oracle::Oracle::spawn(&cfg.root)?;
    let outs = harness::evaluate(&mut oracle, cases, allow, "case")?;
    let mut failed = false;
    for (o, name) in outs.iter().zip(names) {
        println!(
            "{name}: engine {}, oracle {} -> {:?}",
            o.engine.describe(),
            o.oracle.decision.as_deref().unwrap_or("none"),
            o.class
        );
        if let Some(n) = &o.note {
            println!("  note: {n}");
        }
        if let Some(f) = &o.features {
            let fs: Vec<String> = f.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("  features: {}", fs.join(" "));
        }
        failed |= matches!(
            o.class,
            harness::Class::Unexplained | harness::Class::EnginePanic(_) | harness::Class::HarnessError(_)
        );
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
