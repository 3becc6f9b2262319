'use strict'
// Checks of settings: registries over plain http, TLS verification, CA files, install scripts on CI, a release-age
// cooldown, and npm's install-source limits. Each finding says where the setting is and how to fix it.
const path = require('path')
const S = require('./sources')

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\]|::1)$/i

function plainHttpRemote (url) {
  try {
    const u = new URL(url)
    return u.protocol === 'http:' && !LOOPBACK.test(u.hostname)
  } catch {
    return false
  }
}

/** Every registry setting of every client: { client, key, url, where }. */
function registries (ctx) {
  const out = []
  const push = (client, layers, matches) => {
    for (const layer of layers) {
      for (const [key, e] of layer.entries) {
        if (matches(key) && typeof e.value === 'string') {
          out.push({ client, key, url: e.value, where: S.where({ layer, entry: e }) })
        }
      }
    }
  }
  push('npm', ctx.npm, k => k === 'registry' || /^@[^:]+:registry$/.test(k))
  push('yarn', ctx.berry, k => /(^|\.)npmRegistryServer$/.test(k))
  push('yarn classic', ctx.classic, k => k === 'registry' || /:registry$/.test(k))
  push('bun', ctx.bun, k => k === 'install.registry' || k === 'BUN_CONFIG_REGISTRY' || /^install\.scopes\./.test(k))
  return out.map(r => {
    const m = /url\s*=\s*"([^"]+)"/.exec(r.url)
    return m ? { ...r, url: m[1] } : r
  }).filter(r => /^https?:\/\//.test(r.url))
}

function falsy (v) {
  return v === false || /^(false|0|no)$/i.test(String(v))
}

function truthy (v) {
  return v === true || /^(true|1|yes)$/i.test(String(v))
}

function check (ctx, add) {
  for (const r of registries(ctx)) {
    if (plainHttpRemote(r.url)) {
      add('error', 'registry-http', r.client + ' ' + r.key + ' uses plain http to a remote host (' + r.url + ')',
        'Use https:// for ' + r.key + '; over http anyone on the path can change what you install.', r.where)
    }
  }
  const tls = [
    ['npm', S.lookup(ctx.npm, 'strict-ssl')],
    ['yarn', S.lookup(ctx.berry, 'enableStrictSsl')],
    ['yarn classic', S.lookup(ctx.classic, 'strict-ssl')],
    ['bun', S.lookup(ctx.bun, 'install.strictSsl')]
  ]
  for (const [client, hit] of tls) {
    if (hit && falsy(hit.entry.value)) {
      add('error', 'strict-ssl', client + ' does not verify TLS certificates',
        'Remove the setting (or set it to true); trust a private CA with cafile instead.', S.where(hit))
    }
  }
  for (const key of ['cafile', 'ca']) {
    const hit = S.lookup(ctx.npm, key)
    if (hit) {
      add('info', 'custom-ca', 'npm trusts a custom CA (' + key + ')',
        'Nothing to fix if this is your organisation\'s CA; keep the file read-only.', S.where(hit))
    }
  }
  for (const [layers, key] of [[ctx.berry, 'caFilePath'], [ctx.classic, 'cafile']]) {
    const hit = S.lookup(layers, key)
    if (hit) {
      add('info', 'custom-ca', 'yarn trusts a custom CA (' + key + ')', 'Nothing to fix if it is your CA.', S.where(hit))
    }
  }
  scripts(ctx, add)
  cooldowns(ctx, add)
  sources(ctx, add)
}

function scripts (ctx, add) {
  const sev = ctx.ci ? 'warn' : 'info'
  const hit = S.lookup(ctx.npm, 'ignore-scripts')
  if (!hit || !truthy(hit.entry.value)) {
    add(sev, 'ignore-scripts', 'npm runs dependencies\' install scripts' + (ctx.ci ? ' on this CI agent' : ''),
      'npm config set ignore-scripts true --location=user (run the builds you need explicitly: npm rebuild NAME).',
      S.where(hit) || 'default')
  }
  if (ctx.uses.yarn && ctx.yarnBerry) {
    const y = S.lookup(ctx.berry, 'enableScripts')
    if (!y || !falsy(y.entry.value)) {
      add(sev, 'ignore-scripts', 'yarn runs dependencies\' install scripts',
        'yarn config set enableScripts false (list what must build in dependenciesMeta).', S.where(y) || 'default')
    }
  }
}

function cooldowns (ctx, add) {
  const none = (v) => v === undefined || v === null || v === '' || Number(v) === 0 || v === '0' || v === '0d'
  const npm = S.lookup(ctx.npm, 'min-release-age')
  if (!npm || none(npm.entry.value)) {
    add('warn', 'cooldown', 'npm has no release-age cooldown (min-release-age)',
      'npm config set min-release-age 3 --location=user (days; exclude your own packages with ' +
        'min-release-age-exclude[]=@yourscope/*).', S.where(npm) || 'default')
  }
  if (ctx.uses.pnpm) {
    const p = S.lookup(ctx.pnpm, 'minimumReleaseAge') || S.lookup(ctx.npm, 'minimum-release-age')
    if (!p || none(p.entry.value)) {
      add('warn', 'cooldown', 'pnpm has no release-age cooldown (minimumReleaseAge)',
        'pnpm config set minimumReleaseAge 4320 (minutes).', S.where(p) || 'default')
    }
  }
  if (ctx.uses.yarn && ctx.yarnBerry) {
    const y = S.lookup(ctx.berry, 'npmMinimalAgeGate')
    if (y && none(y.entry.value)) {
      add('warn', 'cooldown', 'yarn\'s release-age gate (npmMinimalAgeGate) is turned off',
        'yarn config set npmMinimalAgeGate 3d -H', S.where(y))
    }
  }
  if (ctx.uses.bun) {
    const b = S.lookup(ctx.bun, 'install.minimumReleaseAge')
    if (!b || none(b.entry.value)) {
      add('warn', 'cooldown', 'bun has no release-age cooldown (install.minimumReleaseAge)',
        'Add minimumReleaseAge = 259200 (seconds) under [install] in bunfig.toml.', S.where(b) || 'default')
    }
  }
}

/** npm's allow-git / allow-remote / allow-file / allow-directory: all | root | none (default all). */
function sources (ctx, add) {
  for (const key of ['allow-git', 'allow-remote', 'allow-file', 'allow-directory']) {
    const hit = S.lookup(ctx.npm, key)
    const value = hit ? String(hit.entry.value) : 'all'
    if (value === 'all') {
      add('warn', key, 'npm ' + key + ' is "all": dependencies of dependencies may come from ' +
        { 'allow-git': 'git repositories', 'allow-remote': 'arbitrary URLs', 'allow-file': 'tarball files', 'allow-directory': 'directories' }[key],
      'npm config set ' + key + ' root --location=user (or none).', S.where(hit) || 'default')
    }
  }
}

/** Which clients matter here: installed, or used by the project (lockfile or config file). */
function uses (project, clients) {
  const has = f => S.exists(path.join(project, f))
  return {
    pnpm: !!clients.pnpm || has('pnpm-lock.yaml') || has('pnpm-workspace.yaml'),
    yarn: !!clients.yarn || has('yarn.lock') || has('.yarnrc.yml'),
    bun: !!clients.bun || has('bun.lock') || has('bun.lockb') || has('bunfig.toml')
  }
}

module.exports = { check, registries, uses, plainHttpRemote }
