#!/usr/bin/env node
'use strict'
// airlock-doctor: checks this machine's npm, pnpm, yarn and bun configuration for gaps around a registry.
// Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or internal error.
const doctor = require('../lib/doctor')
const pkg = require('../package.json')

const RANK = { info: 0, warn: 1, error: 2 }
const USAGE = `Usage: airlock-doctor [options]

Checks npm, pnpm, yarn and bun configuration (project, user, global, environment), credentials on disk and lockfiles.

  --project DIR          the project to check (default: the nearest directory with package.json)
  --ci                   check as on CI (also when CI=true, GITHUB_ACTIONS or GITLAB_CI is set)
  --fail-on LEVEL        exit 1 on findings at or above LEVEL: warn | error | never
                         (default: warn on CI, error elsewhere)
  --registry URL         the registry lockfiles should resolve from (default: npm's configured registry)
  --offline              do not ask registries about tokens found on disk
  --json                 print the findings as JSON
  --verbose              also print informational findings
  --version, --help`

function parse (argv) {
  const o = { json: false, ci: false, failOn: null, verbose: false, offline: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null]
    const value = () => {
      if (inline !== null) {
        return inline
      }
      if (i + 1 >= argv.length) {
        throw new Error(flag + ' needs a value')
      }
      return argv[++i]
    }
    switch (flag) {
      case '--json': o.json = true; break
      case '--ci': o.ci = true; break
      case '--verbose': o.verbose = true; break
      case '--offline': o.offline = true; break
      case '--project': o.project = value(); break
      case '--registry': o.registry = value(); break
      case '--fail-on':
        o.failOn = value()
        if (!['warn', 'error', 'never'].includes(o.failOn)) {
          throw new Error('--fail-on must be warn, error or never')
        }
        break
      case '--help': case '-h': o.help = true; break
      case '--version': case '-v': o.version = true; break
      default: throw new Error('unknown option ' + a)
    }
  }
  return o
}

async function main () {
  let opts
  try {
    opts = parse(process.argv.slice(2))
  } catch (e) {
    process.stderr.write('airlock-doctor: ' + e.message + '\n\n' + USAGE + '\n')
    return 2
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (opts.version) {
    process.stdout.write(pkg.version + '\n')
    return 0
  }
  const report = await doctor.run(opts, process.env)
  const failOn = opts.failOn || (report.ci ? 'warn' : 'error')
  const failing = report.findings.filter(f => failOn !== 'never' && RANK[f.severity] >= RANK[failOn])
  if (opts.json) {
    process.stdout.write(JSON.stringify({ version: pkg.version, ...report, failOn, failing: failing.length }, null, 2) + '\n')
  } else {
    const shown = report.findings.filter(f => opts.verbose || f.severity !== 'info')
    process.stdout.write('airlock-doctor ' + pkg.version + ': project ' + report.project +
      (report.ci ? ' (CI)' : '') + ', registry ' + report.registry + '\n')
    for (const f of shown) {
      process.stdout.write(f.severity.toUpperCase().padEnd(5) + ' ' + f.id + ': ' + f.message +
        (f.where ? ' [' + f.where + ']' : '') + (f.fix ? ' Fix: ' + f.fix : '') + '\n')
    }
    const count = s => report.findings.filter(f => f.severity === s).length
    process.stdout.write(count('error') + ' error(s), ' + count('warn') + ' warning(s), ' + count('info') +
      ' note(s)' + (opts.verbose ? '' : ' (--verbose shows notes)') + '; failing on ' + failOn + ': ' +
      (failing.length ? failing.length + ' finding(s)' : 'none') + '\n')
  }
  return failing.length ? 1 : 0
}

main().then(code => { process.exitCode = code }, e => {
  process.stderr.write('airlock-doctor: internal error: ' + (e && e.stack ? e.stack : e) + '\n')
  process.exitCode = 2
})
