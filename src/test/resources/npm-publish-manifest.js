// Prints the manifest `npm publish` (npm 11.19.1) would send for each package directory named on stdin (one path a
// line), as one JSON line each: {"dir": ..., "manifest": {...}} or {"dir": ..., "error": "..."}.
// It uses the @npmcli/package-json inside the installed npm, the way lib/commands/publish.js #getManifest does
// (pkgJson.fix(dir) then pkg.prepare()), followed by what libnpmpublish's patchManifest does (its own fixName
// normalisation and semver.clean of the version). Usage: node npm-publish-manifest.js <npm package dir> < dirs
const path = require('node:path')
const readline = require('node:readline')

const npmDir = process.argv[2]
const req = (m) => require(require.resolve(m, { paths: [npmDir] }))
const PackageJson = req('@npmcli/package-json')
const semver = req('semver')

async function publishManifest (dir) {
  // lib/commands/publish.js #getManifest, spec.type === 'directory'
  const pkg = await PackageJson.fix(dir, { changes: [] })
  const { content } = await pkg.prepare()
  // libnpmpublish/lib/publish.js patchManifest (npmVersion is set by the CLI; it does not matter here)
  const manifest = await new PackageJson()
    .fromContent({ ...content, _nodeVersion: process.versions.node })
    .normalize({ steps: ['fixName'] })
    .then(p => p.content)
  const version = semver.clean(manifest.version)
  if (!version) {
    throw new Error('invalid semver: ' + manifest.version)
  }
  manifest.version = version
  return manifest
}

async function main () {
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    const dir = line.trim()
    if (!dir) {
      continue
    }
    try {
      const manifest = await publishManifest(path.resolve(dir))
      process.stdout.write(JSON.stringify({ dir, manifest }) + '\n')
    } catch (e) {
      process.stdout.write(JSON.stringify({ dir, error: String(e && e.message) }) + '\n')
    }
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
