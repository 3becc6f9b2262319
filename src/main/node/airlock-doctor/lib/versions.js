'use strict'
// Which clients are installed, at which version, and whether that version has what the checks rely on.
const { spawnSync } = require('child_process')

/** The minimum versions (docs/doctor.md): below them a client lacks a release-age cooldown or staged publishing. */
const MINIMUMS = {
  npm: [['11.10.0', 'min-release-age (a release-age cooldown)'], ['11.15.0', '`npm stage` (staged publishing)']],
  pnpm: [['10.16.0', 'minimumReleaseAge (a release-age cooldown)']],
  yarn: [['4.10.0', 'npmMinimalAgeGate (a release-age cooldown)']],
  bun: [['1.3.0', 'install.minimumReleaseAge (a release-age cooldown)']]
}

function parse (v) {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v || '')
  return m ? [+m[1], +m[2], +m[3]] : null
}

function below (v, min) {
  const a = parse(v)
  const b = parse(min)
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) {
      return a[i] < b[i]
    }
  }
  return false
}

function ask (command, env) {
  try {
    const r = spawnSync(command, ['--version'], {
      env, encoding: 'utf8', timeout: 15000, shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'ignore']
    })
    return r.status === 0 && parse(r.stdout) ? parse(r.stdout).join('.') : null
  } catch {
    return null
  }
}

/** The installed clients: { npm: '11.19.1', pnpm: null, … }; npm's own version when run by npm (npx). */
function installed (env) {
  const out = {}
  for (const c of Object.keys(MINIMUMS)) {
    out[c] = ask(c, env)
  }
  if (env.npm_config_npm_version && parse(env.npm_config_npm_version)) {
    out.npm = parse(env.npm_config_npm_version).join('.')
  }
  return out
}

function check (clients, add) {
  for (const [client, version] of Object.entries(clients)) {
    if (!version) {
      continue
    }
    if (client === 'yarn' && below(version, '2.0.0')) {
      add('warn', 'client-version', client + ' ' + version + ' (yarn classic) has no release-age cooldown',
        'Move the project to yarn ≥ 4.10 (corepack use yarn@stable) or to npm ≥ 11.15.', 'PATH')
      continue
    }
    const missing = MINIMUMS[client].filter(([min]) => below(version, min))
    if (missing.length) {
      const min = missing[missing.length - 1][0]
      add('warn', 'client-version', client + ' ' + version + ' lacks ' + missing.map(m => m[1]).join(' and '),
        'Upgrade ' + client + ' to ' + min + ' or later' +
          (client === 'npm' ? ' (npm install -g npm@latest).' : '.'), 'PATH')
    } else {
      add('info', 'client-version', client + ' ' + version, null, 'PATH')
    }
  }
}

module.exports = { installed, check, below, MINIMUMS }
