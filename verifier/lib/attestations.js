'use strict';
// The checks of one version's attestations (the same as dev.airlock.verify.AttestationChecks): a provenance bundle's
// form, signature and subject; the approval attestation's DSSE signature by a registry key and its subject.
const c = require('./crypto');

const APPROVAL = 'https://airlock.dev/attestation/approval/v1';
const IN_TOTO = 'application/vnd.in-toto+json';
const fail = (reason) => ({ result: 'fail', reason });
const OK = { result: 'ok' };
const str = (v) => (typeof v === 'string' ? v : v === undefined || v === null || typeof v === 'object' ? '' : String(v));
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v) => (Array.isArray(v) ? v : []);
const abbrev = (hex) => (hex === null || hex.length < 16 ? String(hex) : `${hex.slice(0, 16)}…`);

// The statement of a DSSE envelope whose subject is the lockfile's package and tarball, or a failed check.
function statement(envelope, what, pkg) {
  if (!isObject(envelope) || typeof envelope.payload !== 'string') {
    return fail(`the ${what} is malformed: no DSSE envelope with a payload`);
  }
  if (envelope.payloadType !== IN_TOTO) return fail(`the ${what}'s payload is not an in-toto statement`);
  let st;
  try {
    st = JSON.parse(c.b64(envelope.payload).toString('utf8'));
  } catch {
    return fail(`the ${what}'s statement is not JSON`);
  }
  const purl = c.purl(pkg.name, pkg.version);
  const sha512 = c.sha512Hex(pkg.integrity);
  let named = false;
  let other = null;
  for (const s of list(st?.subject)) {
    if (purl === str(s?.name)) {
      named = true;
      const digest = str(s?.digest?.sha512);
      if (sha512 !== null && sha512 === digest) return { statement: st };
      other = digest;
    } else if (other === null) {
      other = str(s?.name);
    }
  }
  if (named) {
    return fail(`the ${what} is for another tarball (sha512 ${abbrev(other)}), not the lockfile's (${abbrev(sha512)})`);
  }
  return fail(`the ${what} is for ${other}, not ${purl}`);
}

const paeOf = (envelope) => c.pae(str(envelope.payloadType), c.b64(str(envelope.payload)));

function normalizeRepository(url) {
  return url.replace(/^git\+/, '').replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '').replace(/\.git$/, '');
}

// (2) Provenance: a well-formed Sigstore bundle whose DSSE signature verifies with its certificate.
function provenance(bundle, pkg) {
  const none = (check) => ({ check, predicate: null, repository: null });
  if (!str(bundle?.mediaType).startsWith('application/vnd.dev.sigstore.bundle')) {
    return none(fail('the provenance is not a Sigstore bundle'));
  }
  const material = bundle.verificationMaterial;
  let cert = material?.certificate?.rawBytes;
  if (typeof cert !== 'string') cert = material?.x509CertificateChain?.certificates?.[0]?.rawBytes;
  if (typeof cert !== 'string') return none(fail('the provenance bundle has no signing certificate'));
  const tlog = material?.tlogEntries;
  if ((Array.isArray(tlog) ? tlog.length : isObject(tlog) ? Object.keys(tlog).length : 0) === 0) {
    return none(fail('the provenance bundle has no transparency-log entry'));
  }
  const envelope = bundle.dsseEnvelope;
  const st = statement(envelope, 'provenance', pkg);
  if (!st.statement) return none(st);
  let signed = false;
  try {
    const der = c.b64(cert);
    const message = paeOf(envelope);
    for (const s of list(envelope.signatures)) {
      signed = c.verifyWithCertificate(der, message, c.b64(str(s?.sig))) || signed;
    }
  } catch {
    signed = false;
  }
  if (!signed) return none(fail('the provenance\'s DSSE signature does not verify with its certificate'));
  const predicate = isObject(st.statement.predicate) ? st.statement.predicate : {};
  const repo = str(predicate?.buildDefinition?.externalParameters?.workflow?.repository);
  return { check: OK, predicate, repository: normalizeRepository(repo) };
}

// (3) The approval attestation: DSSE signed by a registry key valid at publication, subject = this tarball.
function approval(bundle, pkg, keys, published) {
  const none = (check) => ({ check, predicate: null, repository: null });
  const envelope = bundle?.dsseEnvelope;
  if (!isObject(envelope) || typeof envelope.payload !== 'string') {
    return none(fail('the approval attestation is malformed: no DSSE envelope with a payload'));
  }
  let problem = null;
  let signed = false;
  for (const s of list(envelope.signatures)) {
    const keyid = str(s?.keyid);
    const key = keys.get(keyid);
    if (!key) {
      problem = problem ?? `the approval attestation is signed by an unknown key ${keyid}`;
    } else if (key.expires !== null && published !== null && key.expires < published) {
      problem = `the approval attestation is signed by key ${keyid}, which expired before the version was published`;
    } else {
      try {
        if (c.verifyEcdsa(key.spki, paeOf(envelope), c.b64(str(s?.sig)))) { signed = true; break; }
      } catch { /* a malformed signature does not verify */ }
      problem = `the approval attestation's DSSE signature does not verify with registry key ${keyid}`;
    }
  }
  if (!signed) return none(fail(problem ?? 'the approval attestation carries no signature'));
  const st = statement(envelope, 'approval attestation', pkg);
  if (!st.statement) return none(st);
  if (st.statement.predicateType !== APPROVAL) return none(fail('the approval attestation\'s statement is not an approval'));
  return { check: OK, predicate: isObject(st.statement.predicate) ? st.statement.predicate : {}, repository: null };
}

module.exports = { APPROVAL, provenance, approval, str, isObject, list };
