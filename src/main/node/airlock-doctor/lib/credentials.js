'use strict'
// Credentials on disk: npm's legacy _auth/_password, plaintext tokens in .npmrc files and in .yarnrc.yml. For each
// token the registry is asked what it is (GET /-/airlock/v1/token on an Airlock). A token is never printed: findings
// name the file and line (or the key) only.
const S = require('./sources')

const LEGACY = /(^|:)(_auth|_password|username)$/

/** Every credential found in a file: { kind, token?, registry, where, viaEnv }. */
function found (ctx) {
  const out = []
  for (const layer of ctx.npm) {
    if (!layer.file) {
      continue // the environment is where a token should come from
    }
    for (const [key, e] of layer.entries) {
      const where = S.where({ layer, entry: e })
      const viaEnv = /\$\{[^}]+\}/.test(e.raw)
      if (/(^|:)_authToken$/.test(key)) {
        out.push({ kind: 'token', client: 'npm', key, token: e.value, registry: registryOf(ctx, key), where, viaEnv })
      } else if (LEGACY.test(key) && !(key.endsWith('username'))) {
        out.push({ kind: 'legacy', client: 'npm', key, where, viaEnv })
      }
    }
  }
  for (const layer of ctx.berry) {
    if (!layer.file) {
      continue
    }
    for (const [key, e] of layer.entries) {
      const where = S.where({ layer, entry: e })
      const viaEnv = /\$\{[^}]+\}/.test(e.raw)
      if (/(^|\.)npmAuthToken$/.test(key)) {
        out.push({ kind: 'token', client: 'yarn', key, token: e.value, registry: berryRegistry(ctx, layer, key), where, viaEnv })
      } else if (/(^|\.)npmAuthIdent$/.test(key)) {
        out.push({ kind: 'legacy', client: 'yarn', key, where, viaEnv })
      }
    }
  }
  for (const layer of ctx.bun) {
    for (const [key, e] of layer.entries) {
      if (layer.file && (/(^|\.)token$/.test(key) || /token\s*=\s*"[^"$]/.test(e.raw))) {
        out.push({ kind: 'bun-token', client: 'bun', key, where: S.where({ layer, entry: e }), viaEnv: /\$/.test(e.raw) })
      }
    }
  }
  return out
}

/** //host/path/:_authToken belongs to the registry https://host/path/ (or http:// when a registry says so). */
function registryOf (ctx, key) {
  const m = /^(\/\/.+\/):_authToken$/.exec(key)
  if (!m) {
    return ctx.registry
  }
  // the scheme of a configured registry on the same host (the key itself has none)
  const host = u => u.replace(/^https?:/, '').split('/')[2]
  const known = ctx.registries.concat([{ url: ctx.registry }]).find(r => host(r.url) === host(m[1]))
  return (known ? known.url.replace(/\/\/.*$/, '') : 'https:') + m[1]
}

function berryRegistry (ctx, layer, key) {
  const scope = /^npmScopes\.([^.]+)\.npmAuthToken$/.exec(key)
  const reg = /^npmRegistries\.(.+)\.npmAuthToken$/.exec(key)
  if (reg) {
    return reg[1].startsWith('//') ? 'https:' + reg[1] : reg[1]
  }
  const server = scope ? S.lookup(ctx.berry, 'npmScopes.' + scope[1] + '.npmRegistryServer')
    : S.lookup(ctx.berry, 'npmRegistryServer')
  return server ? server.entry.value : 'https://registry.yarnpkg.com'
}

/** What the registry says about a token: { status, body } or { error }. */
async function introspect (registry, token) {
  const url = registry.replace(/\/?$/, '/') + '-/airlock/v1/token'
  try {
    const res = await fetch(url, {
      headers: { authorization: 'Bearer ' + token, accept: 'application/json' },
      signal: AbortSignal.timeout(10000)
    })
    let body = null
    try {
      body = await res.json()
    } catch {}
    return { status: res.status, body }
  } catch (e) {
    return { error: (e.cause && e.cause.code) || e.name }
  }
}

async function check (ctx, add) {
  for (const c of found(ctx)) {
    if (c.kind === 'legacy') {
      add('error', 'legacy-auth', c.client + ' ' + c.key + ' stores a password (or user:password) on disk',
        'Delete it, run npm login to get a token, and keep the token in an environment variable.', c.where)
      continue
    }
    if (c.viaEnv) {
      add('info', 'token-from-env', c.client + ' ' + keyName(c.key) + ' is read from an environment variable', null, c.where)
      continue
    }
    if (c.kind === 'bun-token') {
      add('warn', 'plaintext-token', 'bun has a plaintext token in bunfig.toml',
        'Use token = "$NPM_TOKEN" and set the variable where bun runs.', c.where)
      continue
    }
    const fix = 'Replace it with ' + keyName(c.key) + '=${NPM_TOKEN} and set NPM_TOKEN only where it is needed.'
    if (!c.token || ctx.offline) {
      add('warn', 'plaintext-token', c.client + ' has a plaintext token for ' + c.registry, fix, c.where)
      continue
    }
    const r = await introspect(c.registry, c.token)
    add(...verdict(c, r, fix))
  }
}

function keyName (key) {
  return key.replace(/^\/\/[^:]*:/, '//<registry>/:')
}

/** The finding for one plaintext token and the registry's answer about it. */
function verdict (c, r, fix) {
  const t = c.client + ' token for ' + c.registry
  if (r.error) {
    return ['warn', 'plaintext-token', 'Plaintext ' + t + ' (the registry could not be asked: ' + r.error + ')', fix, c.where]
  }
  if (r.status === 404) {
    return ['warn', 'plaintext-token', 'Plaintext ' + t + ' (not an Airlock: it cannot say what the token may do)', fix, c.where]
  }
  if (r.status === 401 || r.status === 403) {
    return ['warn', 'dead-token', 'Plaintext ' + t + ' is invalid, expired, revoked or not usable from here',
      'Delete the line.', c.where]
  }
  if (r.status !== 200 || !r.body) {
    return ['warn', 'plaintext-token', 'Plaintext ' + t + ' (the registry answered ' + r.status + ')', fix, c.where]
  }
  const b = r.body
  const p = b.permissions || {}
  const what = b.type + ' token of ' + b.user
  if (b.bypass2fa) {
    return ['error', 'bypass-token', 'Plaintext ' + t + ' is a ' + what + ' that bypasses 2FA' +
      (b.cidr && b.cidr.length ? ' (limited to ' + b.cidr.join(', ') + ')' : ''),
    'Revoke it (npm token revoke ' + b.id + '), create a new one and keep it in the CI secret store, never on disk.', c.where]
  }
  if (p.publish || p.stage || p.write) {
    return ['error', 'write-token', 'Plaintext ' + t + ' is a ' + what + ' that can ' +
      (p.publish ? 'publish' : p.stage ? 'stage releases' : 'write'),
    'Revoke it (npm token revoke ' + b.id + ') and use a read-only token on disk, or ${NPM_TOKEN} from the CI secret store.', c.where]
  }
  return ['warn', 'plaintext-token', 'Plaintext ' + t + ' is a read-only ' + what, fix, c.where]
}

module.exports = { check, found, introspect }
