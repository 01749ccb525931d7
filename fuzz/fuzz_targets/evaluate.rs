//! Bytes → request fields + policy texts → parse, compile, `evaluate` and `explain`. Must never panic,
//! and the hot path (`evaluate`, with its fast path) must reach the same decision as the reference
//! algorithm (`evaluate_reference`) and `explain`, also with the resource policy, SCPs and RCPs left out
//! (the shape the fast path handles).
//!
//! Input layout (UTF-8, `\n`-separated; see `fuzz/seeds/evaluate/` for examples):
//!
//! ```text
//! line 1   principal          (falls back to arn:aws:iam::111122223333:user/alice when it does not parse)
//! line 2   action             (falls back to sagemaker:DescribeNotebookInstance when not `service:name`)
//! line 3   resource [account] (an optional resource account after the first space)
//! then     context lines until an empty line: `key=value` (single) or `key[]=v1,v2` (multivalued;
//!          `key[]=` is the empty list)
//! then     policy texts separated by lines `---`, taken as: identity, resource-based, permissions
//!          boundary, session, SCP, RCP. A text that does not parse is left out.
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagegate_policy::{
    evaluate, evaluate_reference, explain, CompiledPolicy, Context, ContextValue, Policy, PolicySet, Principal, Request,
};

const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::111122223333:user/alice";
const DEFAULT_ACTION: &str = "sagemaker:DescribeNotebookInstance";

fn request(principal: &str, action: &str, resource_line: &str, ctx: Context) -> Option<Request> {
    let principal = Principal::parse(principal).or_else(|_| Principal::parse(DEFAULT_PRINCIPAL)).ok()?;
    let (resource, account) = match resource_line.split_once(' ') {
        Some((r, a)) => (r, Some(a.to_string())),
        None => (resource_line, None),
    };
    Request::new(principal.clone(), action, resource, account.clone(), ctx.clone())
        .or_else(|_| Request::new(principal, DEFAULT_ACTION, resource, account, ctx))
        .ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let principal = lines.next().unwrap_or_default();
    let action = lines.next().unwrap_or_default();
    let resource = lines.next().unwrap_or_default();
    let mut ctx = Context::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        match key.strip_suffix("[]") {
            Some(k) if value.is_empty() => ctx.insert(k, ContextValue::Multi(vec![])),
            Some(k) => ctx.insert(k, ContextValue::Multi(value.split(',').map(str::to_string).collect())),
            None => ctx.insert(key, ContextValue::Single(value.to_string())),
        }
    }
    let Some(req) = request(principal, action, resource, ctx) else {
        return;
    };

    let rest: Vec<&str> = lines.collect();
    let rest = rest.join("\n");
    let mut set = PolicySet::default();
    for (i, policy_text) in rest.split("\n---\n").enumerate() {
        let Ok(policy) = Policy::parse(policy_text) else {
            continue;
        };
        let p = CompiledPolicy::compile(format!("p{i}"), &policy);
        match i {
            0 => set.identity.push(p),
            1 => set.resource = Some(p),
            2 => set.boundary = Some(p),
            3 => set.session = Some(vec![p]),
            4 => set.scps.push(vec![p]),
            5 => set.rcps.push(vec![p]),
            _ => set.identity.push(p),
        }
    }

    let decision = evaluate(&set, &req);
    let explanation = explain(&set, &req);
    assert_eq!(
        decision, explanation.decision,
        "evaluate and explain disagree for {} on {} ({:?})",
        req.action, req.resource, req.principal.kind
    );
    let _ = explanation.to_json(&req);

    let fast_shape = PolicySet { resource: None, scps: Vec::new(), rcps: Vec::new(), ..set };
    assert_eq!(
        evaluate(&fast_shape, &req),
        evaluate_reference(&fast_shape, &req),
        "evaluate and evaluate_reference disagree without resource policy, SCPs and RCPs for {} on {} ({:?})",
        req.action,
        req.resource,
        req.principal.kind
    );
});
