// Extracts tarballs exactly as the npm CLI does when it installs a package: pacote's own extraction (node-tar with
// strip 1, links and directories filtered, .gitignore renamed) from the npm given as argv[2]. For each argv[3..]
// tarball it prints one JSON line: {"case": file, "ok": true, "files": {relative path: sha256 hex}} or
// {"case": file, "ok": false, "error": message}. Used by the differential test of Airlock's tarball reader.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const os = require('node:os')

const npmModules = path.join(process.argv[2], 'node_modules')
const FileFetcher = require(path.join(npmModules, 'pacote', 'lib', 'file.js'))
// FileFetcher.extract also reads package.json to chmod bins; the registry fetcher npm install uses does not, so call
// the base fetcher's extract (the one every fetcher shares) on a file fetcher.
const baseExtract = Object.getPrototypeOf(FileFetcher.prototype).extract

function list (dir, prefix, out) {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? prefix + '/' + d.name : d.name
    const abs = path.join(dir, d.name)
    if (d.isDirectory()) {
      list(abs, rel, out)
    } else if (d.isFile()) {
      out[rel] = crypto.createHash('sha256').update(fs.readFileSync(abs)).digest('hex')
    } else {
      out[rel] = 'not a regular file'
    }
  }
  return out
}

async function main () {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-extract-'))
  try {
    for (const tgz of process.argv.slice(3)) {
      const dest = path.join(work, path.basename(tgz) + '.d')
      const fetcher = new FileFetcher('file:' + path.resolve(tgz), { cache: path.join(work, 'cache') })
      let line
      try {
        await baseExtract.call(fetcher, dest)
        line = { case: path.basename(tgz), ok: true, files: fs.existsSync(dest) ? list(dest, '', {}) : {} }
      } catch (e) {
        line = { case: path.basename(tgz), ok: false, error: String(e && e.message) }
      }
      process.stdout.write(JSON.stringify(line) + '\n')
    }
  } finally {
    try {
      fs.rmSync(work, { recursive: true, force: true })
    } catch {
      // a failed extraction may still be writing to the cache; the answer is already printed
    }
  }
}
main().catch(e => { console.error(e); process.exit(1) })
