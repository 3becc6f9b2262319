'use strict';
// The consumer's policy file (the same as dev.airlock.verify.VerifyPolicy): rules per package pattern requiring
// approvals (how many people, with which factor) and provenance (from which repository), and the patterns of packages
// allowed to carry no approval attestation. A pattern's * matches any characters, / included.
const fs = require('node:fs');

const FACTORS = new Set(['security-key', 'totp']);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function only(node, what, ...allowed) {
  if (!isObject(node)) throw new Error(`the policy's ${what} must be a JSON object`);
  for (const f of Object.keys(node)) {
    if (!allowed.includes(f)) throw new Error(`unknown field "${f}" in the policy's ${what}`);
  }
}

function text(v, what) {
  if (typeof v !== 'string' || v === '') throw new Error(`the policy's ${what} must be a non-empty string`);
  return v;
}

const list = (v) => (Array.isArray(v) ? v : []);

function readPolicy(file) {
  let root;
  try {
    root = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the policy ${file}: ${e.message}`);
  }
  if (!isObject(root)) throw new Error(`the policy ${file} is not a JSON object`);
  only(root, 'policy', 'rules', 'allowUnattested');
  const allowUnattested = list(root.allowUnattested).map((p) => text(p, 'allowUnattested'));
  const rules = list(root.rules).map((r) => {
    only(r, 'rule', 'packages', 'approvals', 'provenance');
    const rule = { packages: text(r.packages, 'rule.packages'), min: null, factor: null, repository: null };
    if ('approvals' in r) {
      only(r.approvals, 'approvals', 'min', 'factor');
      if ('factor' in r.approvals) {
        rule.factor = text(r.approvals.factor, 'approvals.factor');
        if (!FACTORS.has(rule.factor)) {
          throw new Error(`approvals.factor must be security-key or totp, not ${rule.factor}`);
        }
      }
      rule.min = 'min' in r.approvals ? r.approvals.min : 1;
      if (!Number.isInteger(rule.min) || rule.min < 1) {
        throw new Error('approvals.min must be a whole number of at least 1');
      }
    }
    if ('provenance' in r) {
      only(r.provenance, 'provenance', 'repository');
      rule.repository = text(r.provenance.repository, 'provenance.repository');
    }
    return rule;
  });
  return { rules, allowUnattested };
}

const none = () => ({ rules: [], allowUnattested: [] });

function matches(glob, value) {
  const re = glob.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`, 's').test(value);
}

const unattestedAllowed = (policy, name) => policy.allowUnattested.some((g) => matches(g, name));

// approval: the verified approval predicate (null when none); repository: the verified provenance's source
// repository ('' when it names none, null when there is no verified provenance).
function evaluate(policy, name, approval, repository) {
  const problems = [];
  const add = (p) => { if (!problems.includes(p)) problems.push(p); };
  let any = false;
  for (const rule of policy.rules) {
    if (!matches(rule.packages, name)) continue;
    any = true;
    if (rule.min !== null) {
      const need = `needs ${rule.min} approval(s)${rule.factor === null ? '' : ` with ${rule.factor}`}`;
      if (approval === null) {
        add(`${need}, has no verified approval attestation`);
      } else {
        const counted = new Set();
        const given = [];
        for (const a of list(approval.approvals)) {
          const user = typeof a?.user === 'string' ? a.user : '';
          const factor = typeof a?.factor === 'string' ? a.factor : '';
          given.push(`${user} ${factor}`);
          if (rule.factor === null || rule.factor === factor) counted.add(user);
        }
        if (counted.size < rule.min) {
          const desc = approval.direct === true ? 'published directly' : given.length === 0 ? 'none' : given.join(', ');
          add(`${need}, has ${counted.size} (${desc})`);
        }
      }
    }
    if (rule.repository !== null) {
      if (repository === null) add(`no verified provenance (required from ${rule.repository})`);
      else if (repository === '') add(`the provenance names no source repository (required: ${rule.repository})`);
      else if (!matches(rule.repository, repository)) add(`built from ${repository}, not ${rule.repository}`);
    }
  }
  if (!any) return { result: 'n/a' };
  return problems.length === 0 ? { result: 'ok' } : { result: 'fail', reason: problems.join('; ') };
}

module.exports = { readPolicy, none, matches, unattestedAllowed, evaluate };
