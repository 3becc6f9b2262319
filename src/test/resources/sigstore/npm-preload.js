// Loaded with NODE_OPTIONS=--require by ProvenanceNpmIT. npm has no setting for Sigstore's URLs (libnpmpublish
// passes npm's own options to sigstore.attest, which default to the public Fulcio and Rekor), so this hands
// sigstore.attest the test Fulcio and Rekor (AIRLOCK_TEST_FULCIO, AIRLOCK_TEST_REKOR) and, with
// AIRLOCK_TEST_INTOTO=true, sigstore-js's legacyCompatibility (an intoto 0.0.2 entry). Nothing else changes.
'use strict'
const Module = require('module')
const load = Module._load
Module._load = function (request, parent, isMain) {
  const m = load.apply(this, arguments)
  if (request !== 'sigstore' || !m || typeof m.attest !== 'function') {
    return m
  }
  const attest = (payload, payloadType, opts = {}) => m.attest(payload, payloadType, {
    ...opts,
    fulcioURL: process.env.AIRLOCK_TEST_FULCIO,
    rekorURL: process.env.AIRLOCK_TEST_REKOR,
    legacyCompatibility: process.env.AIRLOCK_TEST_INTOTO === 'true',
  })
  return new Proxy(m, { get: (target, prop) => (prop === 'attest' ? attest : target[prop]) })
}
