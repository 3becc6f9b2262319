#!/usr/bin/env node
// Checks, independently of Airlock's own code, that one audit log entry is in the log an Airlock registry signed:
//   node scripts/verify-inclusion.mjs REGISTRY_URL INDEX ENTRY_FILE VERIFIER_KEY
// ENTRY_FILE holds the entry's exact text (one line of `airlock audit export`, or the `entry` field of the audit API).
// VERIFIER_KEY is the log's key as published (`airlock audit key`: name+keyid+base64key), obtained out of band.
// Uses only Node's standard library (fetch, crypto). Exit 0 when everything verifies, 1 otherwise. See docs/audit.md.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [registry, indexArg, entryFile, verifierKey] = process.argv.slice(2);
if (!verifierKey) {
  console.error('usage: verify-inclusion.mjs REGISTRY_URL INDEX ENTRY_FILE VERIFIER_KEY');
  process.exit(2);
}
const fail = (why) => { console.error(`NOT VERIFIED: ${why}`); process.exit(1); };
const sha256 = (...parts) => { const h = createHash('sha256'); parts.forEach((p) => h.update(p)); return h.digest(); };
const base = registry.replace(/\/+$/, '');
const headers = process.env.AIRLOCK_TOKEN ? { authorization: `Bearer ${process.env.AIRLOCK_TOKEN}` } : {};

// 1. The verifier key: name + 4-byte key id + base64(0x01 || Ed25519 public key); the id is checked, not trusted.
const plus1 = verifierKey.indexOf('+');
const plus2 = verifierKey.indexOf('+', plus1 + 1);
const keyName = verifierKey.slice(0, plus1);
const keyIdHex = verifierKey.slice(plus1 + 1, plus2);
const keyB64 = verifierKey.slice(plus2 + 1).trim();
const keyBytes = Buffer.from(keyB64, 'base64');
if (keyBytes.length !== 33 || keyBytes[0] !== 1) fail('the verifier key is not an Ed25519 signed-note key');
const keyId = sha256(Buffer.from(`${keyName}\n`), keyBytes).subarray(0, 4);
if (keyId.toString('hex') !== keyIdHex) fail('the verifier key id does not match the key');
const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: keyBytes.subarray(1).toString('base64url') }, format: 'jwk' });

// 2. The checkpoint: "origin\nsize\nroot\n" + "\n" + "— name base64(keyid || signature)\n" lines.
const note = await (await fetch(`${base}/-/airlock/v1/log/checkpoint`, { headers })).text();
const split = note.indexOf('\n\n');
if (split < 0) fail('the checkpoint is not a signed note');
const body = note.slice(0, split + 1);
const [origin, sizeText, rootB64] = body.split('\n');
const signed = note.slice(split + 2).split('\n').some((line) => {
  const m = line.match(/^\u2014 (\S+) (\S+)$/);
  if (!m || m[1] !== keyName) return false;
  const raw = Buffer.from(m[2], 'base64');
  return raw.length === 68 && raw.subarray(0, 4).equals(keyId)
    && verify(null, Buffer.from(body), publicKey, raw.subarray(4));
});
if (!signed) fail(`the checkpoint is not signed by ${keyName}`);
const size = BigInt(sizeText);
const root = Buffer.from(rootB64, 'base64');

// 3. The inclusion proof for INDEX in the tree of that size.
const index = BigInt(indexArg);
const proofRes = await fetch(`${base}/-/airlock/v1/log/proof/inclusion?index=${index}&size=${size}`, { headers });
if (!proofRes.ok) fail(`the registry answered ${proofRes.status} for the inclusion proof`);
const proof = (await proofRes.json()).hashes.map((h) => Buffer.from(h, 'base64'));

// 4. RFC 9162 §2.1.3.2: fold the proof from the leaf hash SHA-256(0x00 || entry) up to a root.
const entry = readFileSync(entryFile, 'utf8').replace(/\n$/, '');
let r = sha256(Buffer.from([0]), Buffer.from(entry, 'utf8'));
let fn = index;
let sn = size - 1n;
if (index >= size) fail('the index is outside the checkpoint');
for (const p of proof) {
  if (sn === 0n) fail('the proof is too long');
  if ((fn & 1n) === 1n || fn === sn) {
    r = sha256(Buffer.from([1]), p, r);
    if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
  } else {
    r = sha256(Buffer.from([1]), r, p);
  }
  fn >>= 1n;
  sn >>= 1n;
}
if (sn !== 0n || !r.equals(root)) fail(`entry ${index} is not in ${origin} at size ${size}`);
console.log(`OK: entry ${index} is in ${origin} of ${size} entries (root ${root.toString('hex')}), checkpoint signed by ${keyName}`);
