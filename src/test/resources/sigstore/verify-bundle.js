// node verify-bundle.js <npm's node_modules> <trusted_root.json> <bundle.json>
// Verifies a Sigstore bundle with npm's own @sigstore/verify (the library `npm audit signatures` uses for
// attestations) against a trusted root, with the library's default policy: one SCT, one transparency-log entry, one
// timestamp. Prints {"ok":true,"san":…,"issuer":…} or {"ok":false,"code":…,"message":…} and exits 1.
'use strict'
const fs = require('fs')
const path = require('path')
const [mods, rootFile, bundleFile] = process.argv.slice(2)
const { bundleFromJSON } = require(path.join(mods, '@sigstore/bundle'))
const { TrustedRoot } = require(path.join(mods, '@sigstore/protobuf-specs'))
const { Verifier, toSignedEntity, toTrustMaterial } = require(path.join(mods, '@sigstore/verify'))
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundleFile, 'utf8')))
  const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootFile, 'utf8'))))
  const signer = new Verifier(trust).verify(toSignedEntity(bundle))
  console.log(JSON.stringify({
    ok: true,
    san: signer.identity.subjectAlternativeName,
    issuer: signer.identity.extensions.issuer,
  }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message }))
  process.exit(1)
}
