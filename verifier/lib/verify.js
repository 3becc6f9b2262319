'use strict';
// Checks every package a lockfile installed from one registry against the registry's keys, its attestations and its
// audit log, and against the consumer's policy. It reads nothing but HTTP answers, the lockfile and what the consumer
// pins (a checkpoint, the log key). The same program as dev.airlock.verify.Verifier in Airlock: keep them equal.
const fs = require('node:fs');
const c = require('./crypto');
const att = require('./attestations');
const pol = require('./policy');

const { str, isObject, list } = att;
const fail = (reason) => ({ result: 'fail', reason });
const OK = { result: 'ok' };
const NA = { result: 'n/a' };

const normalizeRegistry = (url) => `${url.replace(/\/+$/, '')}/`;

function readLock(file, registry) {
  let root;
  try {
    root = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e.message}`);
  }
  if (!isObject(root?.packages)) {
    throw new Error(`${file} has no "packages" (lockfileVersion 2 or 3 is needed: npm 7 or later writes it)`);
  }
  const seen = new Map();
  let elsewhere = 0;
  for (const [path, entry] of Object.entries(root.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || entry?.link === true) continue;
    const resolved = str(entry?.resolved);
    if (!resolved.startsWith(registry)) { elsewhere++; continue; }
    const name = entry.name !== undefined && entry.name !== null ? str(entry.name) : path.slice(at + 'node_modules/'.length);
    const version = str(entry.version);
    const key = `${name}@${version}`;
    if (!seen.has(key)) seen.set(key, { name, version, resolved, integrity: str(entry.integrity) });
  }
  const out = [...seen.values()];
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  out.sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version));
  return { fromRegistry: out, elsewhere };
}

function instant(text) {
  if (typeof text !== 'string') return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

class Verifier {
  // options: { registry, lockfile, policy, checkpoint, logKey, token }; unreadable files throw (usage errors).
  constructor(options) {
    this.options = options;
    this.registry = normalizeRegistry(options.registry);
    this.policy = options.policy ? pol.readPolicy(options.policy) : pol.none();
    this.pinnedKey = options.logKey ? c.parseLogKey(options.logKey) : null;
    try {
      this.pinnedCheckpoint = options.checkpoint ? fs.readFileSync(options.checkpoint, 'utf8') : null;
    } catch {
      throw new Error(`cannot read the checkpoint ${options.checkpoint}`);
    }
    this.warnings = [];
  }

  async get(path) {
    const headers = { accept: 'application/json', 'user-agent': 'airlock-verify' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    try {
      const res = await fetch(this.registry + path, { headers, signal: AbortSignal.timeout(60000) });
      return { status: res.status, body: await res.text(), ok: res.status === 200 };
    } catch (e) {
      return { status: 0, body: `cannot reach ${this.registry}: ${e.cause?.message ?? e.message}`, ok: false };
    }
  }

  async run() {
    const lock = readLock(this.options.lockfile, this.registry);
    const rows = [];
    for (const pkg of lock.fromRegistry) rows.push({ name: pkg.name, version: pkg.version, checks: await this.check(pkg) });
    return { registry: this.registry, rows, elsewhere: lock.elsewhere, warnings: [...this.warnings] };
  }

  async check(pkg) {
    const checks = { signature: NA, provenance: NA, approval: NA, log: NA, policy: NA };
    const doc = await this.get(pkg.name.replace(/\//g, '%2f'));
    const packument = doc.ok ? parse(doc.body) : null;
    const manifest = packument?.versions?.[pkg.version];
    if (!isObject(manifest)) {
      checks.signature = fail(`the registry does not serve ${pkg.name}@${pkg.version} (${
        doc.status === 0 ? doc.body : `HTTP ${doc.status}`})`);
      return checks;
    }
    const published = instant(packument?.time?.[pkg.version]);
    checks.signature = await this.signature(pkg, manifest, published);

    const answer = await this.get(`-/airlock/v1/attestations/${pkg.name}@${pkg.version}`);
    const doc2 = answer.ok ? parse(answer.body) : null;
    if (answer.status !== 404 && !Array.isArray(doc2?.attestations)) {
      checks.approval = fail(`the attestations endpoint answered ${answer.status === 0 ? answer.body : `HTTP ${answer.status}`}`);
      return checks;
    }
    let provenance = null;
    let approval = null;
    for (const a of list(doc2?.attestations)) {
      const type = str(a?.predicateType);
      if (type.startsWith('https://slsa.dev/provenance/') && provenance === null) provenance = a;
      else if (type === att.APPROVAL && approval === null) approval = a;
    }
    let repository = null;
    if (provenance !== null) {
      const p = att.provenance(provenance.bundle, pkg);
      checks.provenance = p.check;
      repository = p.repository;
    }
    let predicate = null;
    if (approval !== null) {
      const known = await this.keys();
      const a = known === null ? { check: fail(this.keysProblem), predicate: null } : att.approval(approval.bundle, pkg, known, published);
      checks.approval = a.check;
      predicate = a.predicate;
      checks.log = await this.logInclusion(approval, pkg);
    } else if (!pol.unattestedAllowed(this.policy, pkg.name)) {
      checks.approval = fail('no approval attestation: the registry serves none for it');
    }
    checks.policy = pol.evaluate(this.policy, pkg.name, predicate, repository);
    return checks;
  }

  // (1) The registry signature over name@version:integrity, with the lockfile's integrity.
  async signature(pkg, manifest, published) {
    const known = await this.keys();
    if (known === null) return fail(this.keysProblem);
    const sigs = list(manifest?.dist?.signatures);
    if (sigs.length === 0) return fail('unsigned: the registry serves no signature for it');
    let problem = null;
    const message = Buffer.from(`${pkg.name}@${pkg.version}:${pkg.integrity}`, 'utf8');
    for (const s of sigs) {
      const keyid = str(s?.keyid);
      const key = known.get(keyid);
      if (!key) { problem = problem ?? `signed by an unknown key ${keyid}`; continue; }
      if (key.expires !== null && published !== null && key.expires < published) {
        problem = `signed by key ${keyid}, which expired before the version was published`;
        continue;
      }
      try {
        if (c.verifyEcdsa(key.spki, message, c.b64(str(s?.sig)))) return OK;
      } catch { /* a malformed signature does not verify */ }
      problem = str(manifest?.dist?.integrity) === pkg.integrity
        ? `the signature does not verify over ${pkg.name}@${pkg.version}:<integrity>`
        : 'the lockfile\'s integrity is not the one the registry signed (the tarball differs)';
    }
    return fail(problem);
  }

  // The registry's keys by key id (those whose id is not their key's are left out), or null with keysProblem.
  async keys() {
    if (this.keyMap !== undefined) return this.keyMap;
    const a = await this.get('-/npm/v1/keys');
    const doc = a.ok ? parse(a.body) : null;
    if (!Array.isArray(doc?.keys)) {
      this.keysProblem = `the registry serves no signing keys (/-/npm/v1/keys: ${a.status === 0 ? a.body : `HTTP ${a.status}`})`;
      this.keyMap = null;
      return null;
    }
    this.keyMap = new Map();
    for (const k of doc.keys) {
      try {
        const spki = c.b64(str(k?.key));
        if (c.keyId(spki) === str(k?.keyid)) this.keyMap.set(str(k.keyid), { spki, expires: instant(k.expires) });
      } catch { /* a key that is not base64 verifies nothing */ }
    }
    return this.keyMap;
  }

  // The checkpoint the log checks use (pinned or fetched, signed by the pinned or fetched key), or a reason string.
  async logCheckpoint() {
    if (this.checkpoint === undefined) {
      try {
        let key = this.pinnedKey;
        if (key === null) {
          const k = await this.get('-/airlock/v1/log/key');
          if (!k.ok) throw new Error(`the registry serves no log key (HTTP ${k.status})`);
          key = c.parseLogKey(k.body);
          this.warnings.push('the log key was fetched from the registry being checked, so the log check trusts'
            + ' it: pin the key the registry\'s operator published with --log-key');
        }
        let text = this.pinnedCheckpoint;
        if (text === null) {
          const cp = await this.get('-/airlock/v1/log/checkpoint');
          if (!cp.ok) throw new Error(`the registry serves no checkpoint (HTTP ${cp.status})`);
          text = cp.body;
        }
        try {
          this.checkpoint = c.verifyCheckpoint(text, key);
          this.logKey = key;
        } catch (e) {
          throw new Error(`${this.pinnedCheckpoint !== null ? 'the pinned checkpoint: ' : ''}${e.message}`);
        }
      } catch (e) {
        this.checkpoint = e.message;
      }
    }
    return this.checkpoint;
  }

  // A checkpoint covering index: the pinned (or fetched) one, or, for an entry after a pinned checkpoint, the
  // registry's latest, signed by the same key and proved (RFC 9162 consistency) to extend the pinned one.
  async checkpointFor(index) {
    const pinned = await this.logCheckpoint();
    if (typeof pinned === 'string' || index < pinned.size || this.pinnedCheckpoint === null) return pinned;
    if (this.extended === undefined) {
      try {
        const a = await this.get('-/airlock/v1/log/checkpoint');
        if (!a.ok) throw new Error(`the registry serves no checkpoint (HTTP ${a.status})`);
        let latest;
        try {
          latest = c.verifyCheckpoint(a.body, this.logKey);
        } catch (e) {
          throw new Error(`the registry's checkpoint: ${e.message}`);
        }
        let hashes = [];
        if (latest.size > pinned.size) {
          const p = await this.get(`-/airlock/v1/log/proof/consistency?from=${pinned.size}&to=${latest.size}`);
          const proof = p.ok ? parse(p.body) : null;
          hashes = list(proof?.hashes).map((h) => c.b64(str(h)));
        }
        if (latest.size < pinned.size || !c.consistent(pinned.size, latest.size, pinned.root, latest.root, hashes)) {
          throw new Error('the log is not an extension of the pinned checkpoint: no consistency proof from its '
            + `${pinned.size} entries to the registry's ${latest.size}`);
        }
        this.extended = latest;
      } catch (e) {
        this.extended = e.message;
      }
    }
    return this.extended;
  }

  // (4) The attestation's log entry names this package, version and envelope, and its inclusion proof leads to the
  // root of a checkpoint signed by the log key.
  async logInclusion(attestation, pkg) {
    const log = attestation.log;
    if (!isObject(log)) {
      return fail('not yet in the log: the registry has not sequenced the approval attestation (retry in a few seconds)');
    }
    if (!Number.isSafeInteger(log.index) || typeof log.entry !== 'string') {
      return fail('the attestation\'s log reference is malformed');
    }
    const index = BigInt(log.index);
    const entry = parse(log.entry);
    if (!isObject(entry) || entry.action !== 'package.publish') {
      return fail(`log entry ${index} is not the record of a release`);
    }
    if (`package:${pkg.name}` !== str(entry.target) || pkg.version !== str(entry.detail?.version)) {
      return fail(`log entry ${index} records ${str(entry.target)} ${str(entry.detail?.version)}, not this package and version`);
    }
    const payload = str(attestation.bundle?.dsseEnvelope?.payload);
    if (c.sha256(Buffer.from(payload, 'utf8')).toString('hex') !== str(entry.detail?.envelopeSha256)) {
      return fail(`log entry ${index} records another attestation envelope`);
    }
    const cp = await this.checkpointFor(index);
    if (typeof cp === 'string') return fail(cp);
    if (index < 0n || index >= cp.size) {
      return fail(`log entry ${index} is not covered by the checkpoint (${cp.size} entries): use a newer checkpoint`);
    }
    const a = await this.get(`-/airlock/v1/log/proof/inclusion?index=${index}&size=${cp.size}`);
    const proof = a.ok ? parse(a.body) : null;
    if (!Array.isArray(proof?.hashes)) {
      return fail(`the registry answered ${a.status === 0 ? a.body : `HTTP ${a.status}`} for the inclusion proof of entry ${index}`);
    }
    let path;
    try {
      path = proof.hashes.map((h) => c.b64(str(h)));
    } catch {
      return fail(`the inclusion proof of entry ${index} is malformed`);
    }
    if (!c.inclusionLeadsTo(Buffer.from(log.entry, 'utf8'), index, cp.size, path, cp.root)) {
      return fail(`log entry ${index} is not in the log: its inclusion proof does not lead to the checkpoint's root (${cp.size} entries)`);
    }
    return OK;
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

module.exports = { Verifier, readLock, normalizeRegistry };
