'use strict';
// The cryptography a consumer needs, from the formats alone: registry key ids and ECDSA P-256 signatures, DSSE's
// pre-authentication encoding, npm's purl, the audit log's signed-note checkpoints and RFC 9162 inclusion proofs.
// The same as dev.airlock.verify.VerifyCrypto and LogCheckpoint in Airlock.
const crypto = require('node:crypto');

const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  parts.forEach((p) => h.update(p));
  return h.digest();
};

const keyId = (spki) => `SHA256:${sha256(spki).toString('base64').replace(/=+$/, '')}`;

function verifyEcdsa(spki, message, derSig) {
  try {
    const key = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
    return verifyWith(key, message, derSig);
  } catch {
    return false;
  }
}

function verifyWithCertificate(certDer, message, derSig) {
  try {
    return verifyWith(new crypto.X509Certificate(certDer).publicKey, message, derSig);
  } catch {
    return false;
  }
}

function verifyWith(key, message, sig) {
  const type = key.asymmetricKeyType;
  if (type === 'ec' || type === 'rsa') return crypto.verify('sha256', message, key, sig);
  if (type === 'ed25519') return crypto.verify(null, message, key, sig);
  return false;
}

function pae(payloadType, payload) {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8'), payload]);
}

const purl = (name, version) => `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;

function sha512Hex(integrity) {
  for (const part of integrity.trim().split(/\s+/)) {
    if (part.startsWith('sha512-')) {
      const b64 = part.slice(7).split('?')[0];
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return null;
      return Buffer.from(b64, 'base64').toString('hex');
    }
  }
  return null;
}

function verifyEd25519(rawKey, message, sig) {
  try {
    const key = crypto.createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(rawKey).toString('base64url') }, format: 'jwk',
    });
    return crypto.verify(null, message, key, sig);
  } catch {
    return false;
  }
}

// RFC 9162 §2.1.3.2: does the audit path lead from the leaf at index to root at size?
function inclusionLeadsTo(entry, index, size, path, root) {
  if (index < 0n || index >= size) return false;
  let r = sha256(Buffer.from([0]), entry);
  let fn = index;
  let sn = size - 1n;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

// A strict base64 decoder (Node's is lenient; Java's, which the Java verifier uses, is not): throws on bad input.
function b64(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error('not base64');
  }
  return Buffer.from(text, 'base64');
}

function parseLogKey(text) {
  const t = text.trim();
  const p1 = t.indexOf('+');
  const p2 = p1 < 0 ? -1 : t.indexOf('+', p1 + 1);
  if (p1 < 0 || p2 < 0) throw new Error(`not a log verifier key (name+id+base64 key): ${t}`);
  const name = t.slice(0, p1);
  let raw;
  try { raw = b64(t.slice(p2 + 1)); } catch { throw new Error(`the log verifier key's key is not base64: ${t}`); }
  if (raw.length !== 33 || raw[0] !== 1) throw new Error(`the log verifier key is not an Ed25519 key: ${t}`);
  const publicKey = raw.subarray(1);
  const id = sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([1]), publicKey).subarray(0, 4);
  if (id.toString('hex') !== t.slice(p1 + 1, p2)) throw new Error(`the log verifier key's id does not match its key: ${t}`);
  return { name, id, publicKey };
}

// Reads a checkpoint and checks it is signed by key; throws with the reason otherwise.
function verifyCheckpoint(text, key) {
  const sep = text.indexOf('\n\n');
  if (sep < 0) throw new Error('the checkpoint is not a signed note');
  const body = text.slice(0, sep + 1);
  const lines = body.split('\n');
  if (lines.length < 4) throw new Error('the checkpoint has no origin, size and root lines');
  let size;
  let root;
  try {
    if (!/^-?\d+$/.test(lines[1])) throw new Error();
    size = BigInt(lines[1]);
    root = b64(lines[2]);
  } catch {
    throw new Error('the checkpoint\'s size or root is malformed');
  }
  if (size < 0n || root.length !== 32) throw new Error('the checkpoint\'s size or root is malformed');
  for (const line of text.slice(sep + 2).split('\n')) {
    if (!line.startsWith('\u2014 ')) continue;
    const parts = line.slice(2).split(' ');
    if (parts.length !== 2 || parts[0] !== key.name) continue;
    let raw;
    try { raw = b64(parts[1]); } catch { continue; }
    if (raw.length === 68 && raw.subarray(0, 4).equals(key.id)
      && verifyEd25519(key.publicKey, Buffer.from(body, 'utf8'), raw.subarray(4))) {
      return { origin: lines[0], size, root };
    }
  }
  throw new Error(`the checkpoint is not signed by the log key ${key.name}`);
}

// RFC 9162 §2.1.4.2: is the tree of `to` entries with toRoot an extension of the one of `from` entries?
function consistent(from, to, fromRoot, toRoot, proof) {
  if (from <= 0n || from > to) return false;
  if (from === to) return proof.length === 0 && fromRoot.equals(toRoot);
  if (proof.length === 0) return false;
  const path = [...proof];
  if ((from & (from - 1n)) === 0n) path.unshift(fromRoot);
  let fn = from - 1n;
  let sn = to - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = sha256(Buffer.from([1]), c, fr);
      sr = sha256(Buffer.from([1]), c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = sha256(Buffer.from([1]), sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr.equals(fromRoot) && sr.equals(toRoot);
}

module.exports = {
  consistent,
  sha256, keyId, verifyEcdsa, verifyWithCertificate, pae, purl, sha512Hex, inclusionLeadsTo, b64, parseLogKey,
  verifyCheckpoint,
};
