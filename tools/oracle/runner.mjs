#!/usr/bin/env node
// Differential-test oracle runner for sagegate.
//
// Runs the open-source simulator @cloud-copilot/iam-simulate (AGPL-3.0, installed by
// scripts/install-oracle; never vendored into this repository) on sagegate CASE documents.
//
// Protocol: JSON Lines. Each stdin line is one CASE object (the format `sagegate simulate --input`
// takes) with an extra top-level "id". For each line, one stdout line:
//
//   {"id": ..., "decision": "Allowed"|"ImplicitlyDenied"|"ExplicitlyDenied"|null,
//    "error": null|"message",
//    "validation": {"<policy label>": ["message at path", ...], ...},   // oracle's own validators
//    "ignoredContextKeys": [...]}                                       // keys the oracle dropped
//
// Decisions are computed for every document, including ones the oracle's validator rejects (they are
// passed as pre-validated), so the harness can compare D1/D5/D6 inputs; "validation" reports what the
// oracle's validator says about each policy so validation outcomes can be compared separately.
//
// Output is in input order. The process handles any number of cases and exits at end of input.

import { createInterface } from 'node:readline';
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourceControlPolicy,
  validateResourcePolicy,
  validateServiceControlPolicy,
  validateSessionPolicy,
  validateTrustPolicy
} from '@cloud-copilot/iam-policy';

const TRUST_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext'
]);

/** POLICY = document object | {"name", "document"} | JSON text of the document. */
function normalizePolicy(p, fallbackName) {
  let name = fallbackName;
  let doc = p;
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && 'document' in p && !('Statement' in p)) {
    if (typeof p.name === 'string' && p.name.length > 0) name = p.name;
    doc = p.document;
  }
  if (typeof doc === 'string') {
    doc = JSON.parse(doc);
  }
  return { name, doc };
}

function asList(x) {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

function accountOf(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[4] !== '' ? parts[4] : undefined;
}

/** Always-valid wrapper, so the simulator evaluates documents its validator would reject. */
function forced(doc) {
  return createValidatedPolicy(doc, () => []);
}

function fmtErrors(errs) {
  return errs.map((e) => (e.path ? `${e.message} at ${e.path}` : `${e.message}`));
}

async function runCase(c) {
  const req = c.request ?? {};
  const validation = {};
  const check = (label, doc, fn) => {
    let errs;
    try {
      errs = fn(doc);
    } catch (e) {
      errs = [{ message: `validator threw: ${e?.message ?? e}`, path: '' }];
    }
    if (errs.length > 0) validation[label] = fmtErrors(errs);
  };

  // A principal is an ARN/name string, or {"arn", "roleArn"?, "federatedBy"?, "uniqueId"?}. The simulator
  // takes the string; it assumes a federated user `federated-user/<name>` was federated by the IAM user
  // `<name>` of the same account, so the generator always states exactly that in `federatedBy`.
  const principalText =
    req.principal !== null && typeof req.principal === 'object' ? req.principal.arn : req.principal;
  const principal = principalText === 'anonymous' ? anonymousPrincipal : principalText;
  const action = req.action;
  const resource = req.resource ?? '*';
  const resourceAccount =
    req.resourceAccount ?? accountOf(resource) ?? accountOf(principalText) ?? '000000000000';
  const context = { ...(req.context ?? {}) };

  const identityPolicies = asList(c.identityPolicies).map((p, i) => {
    const { name, doc } = normalizePolicy(p, `identity${i}`);
    check(`identityPolicies[${i}]`, doc, validateIdentityPolicy);
    return { name: `identity${i}-${name}`, policy: forced(doc) };
  });

  const scps = asList(c.scps).map((level, li) => ({
    orgIdentifier: `scp-level-${li}`,
    policies: asList(level).map((p, i) => {
      const { name, doc } = normalizePolicy(p, `scp${li}-${i}`);
      check(`scps[${li}][${i}]`, doc, validateServiceControlPolicy);
      return { name: `scp${li}-${i}-${name}`, policy: forced(doc) };
    })
  }));

  const rcps = asList(c.rcps).map((level, li) => ({
    orgIdentifier: `rcp-level-${li}`,
    policies: asList(level).map((p, i) => {
      const { name, doc } = normalizePolicy(p, `rcp${li}-${i}`);
      check(`rcps[${li}][${i}]`, doc, validateResourceControlPolicy);
      return { name: `rcp${li}-${i}-${name}`, policy: forced(doc) };
    })
  }));

  const sim = {
    request: {
      principal,
      action,
      resource: { resource, accountId: resourceAccount },
      contextVariables: context
    },
    identityPolicies,
    serviceControlPolicies: scps,
    resourceControlPolicies: rcps
  };

  if (c.resourcePolicy !== undefined && c.resourcePolicy !== null) {
    const { doc } = normalizePolicy(c.resourcePolicy, 'resourcePolicy');
    const isTrust = typeof action === 'string' && TRUST_ACTIONS.has(action.toLowerCase());
    check('resourcePolicy', doc, isTrust ? validateTrustPolicy : validateResourcePolicy);
    sim.resourcePolicy = forced(doc);
  }

  if (c.permissionsBoundary !== undefined && c.permissionsBoundary !== null) {
    const { name, doc } = normalizePolicy(c.permissionsBoundary, 'permissionsBoundary');
    check('permissionsBoundary', doc, validateIdentityPolicy);
    sim.permissionBoundaryPolicies = [{ name, policy: forced(doc) }];
  }

  if (c.sessionPolicy !== undefined && c.sessionPolicy !== null) {
    const list = asList(c.sessionPolicy).map((p, i) => normalizePolicy(p, `session${i}`).doc);
    list.forEach((doc, i) => check(`sessionPolicy[${i}]`, doc, validateSessionPolicy));
    let doc;
    if (list.length === 1) {
      doc = list[0];
    } else {
      // The simulator takes one session policy; several session policies OR their Allows (T4), which
      // is the same as one document holding all their statements when they share a Version.
      const versions = new Set(list.map((d) => d?.Version));
      if (versions.size > 1) {
        return { error: 'runner: several session policies with different Version values' };
      }
      doc = {
        ...(list[0]?.Version !== undefined && { Version: list[0].Version }),
        Statement: list.flatMap((d) => asList(d?.Statement))
      };
    }
    sim.sessionPolicy = forced(doc);
  }

  let result;
  try {
    result = await runSimulation(sim, { simulationMode: 'Strict' });
  } catch (e) {
    const first = String(e?.stack ?? e).split('\n').slice(0, 2).join(' | ');
    return { validation, error: `simulator exception: ${first}` };
  }
  if (result.resultType === 'error') {
    return { validation, error: `simulation error: ${JSON.stringify(result.errors)}` };
  }
  if (result.resultType === 'wildcard') {
    return {
      validation,
      decision: result.overallResult,
      error: 'simulation ran in wildcard mode (resource contains `*`)'
    };
  }
  return {
    validation,
    decision: result.overallResult,
    ignoredContextKeys: result.result?.ignoredContextKeys ?? []
  };
}

async function main() {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  let pending = 0;
  const flush = () => {
    if (out.length > 0) {
      process.stdout.write(out.join(''));
      out.length = 0;
    }
  };
  for await (const line of rl) {
    if (line.trim() === '') continue;
    let id = null;
    let reply;
    try {
      const c = JSON.parse(line);
      id = c.id ?? null;
      const r = await runCase(c);
      reply = {
        id,
        decision: r.decision ?? null,
        error: r.error ?? null,
        validation: r.validation ?? {},
        ignoredContextKeys: r.ignoredContextKeys ?? []
      };
    } catch (e) {
      reply = { id, decision: null, error: `runner exception: ${e?.stack ?? e}`, validation: {}, ignoredContextKeys: [] };
    }
    out.push(JSON.stringify(reply) + '\n');
    pending++;
    // Flush in batches; also flush whenever the input stream pauses (interactive use).
    if (pending % 64 === 0) flush();
    else setImmediate(flush);
  }
  flush();
}

main().catch((e) => {
  process.stderr.write(`runner fatal: ${e?.stack ?? e}\n`);
  process.exit(2);
});
