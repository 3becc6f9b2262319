'use strict'
// Lockfile entries resolved from somewhere else than the configured registries: another registry, git, a URL or a
// local tarball / directory. One finding per lockfile and kind, naming a few of the packages.
const path = require('path')
const ini = require('./ini')

function kindOf (resolved, registries) {
  if (!resolved) {
    return null
  }
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|ssh:)/.test(resolved) || /\.git(#|$)/.test(resolved)) {
    return 'git'
  }
  if (/^file:/.test(resolved) || resolved.startsWith('.') || resolved.startsWith('/')) {
    return 'file'
  }
  if (/^https?:\/\//.test(resolved)) {
    const strip = u => u.replace(/^https?:/, '').replace(/\/?$/, '/')
    if (registries.some(r => strip(resolved).startsWith(strip(r)))) {
      return null
    }
    return /\/-\/[^/]+\.tgz$/.test(resolved) ? 'registry' : 'url'
  }
  return null
}

function npmLock (text) {
  const out = []
  const lock = JSON.parse(text)
  for (const [where, p] of Object.entries(lock.packages || {})) {
    if (where && p && !p.link && !p.inBundle) {
      out.push([where.replace(/^.*node_modules\//, ''), p.resolved])
    }
  }
  const walk = deps => Object.entries(deps || {}).forEach(([n, d]) => {
    out.push([n, d.resolved || (/^(git|file:|https?:)/.test(d.version || '') ? d.version : null)])
    walk(d.dependencies)
  })
  if (!lock.packages) {
    walk(lock.dependencies)
  }
  return out
}

function pnpmLock (text) {
  const out = []
  let name = null
  for (const line of text.split(/\r?\n/)) {
    const key = /^ {2}'?\/?([^\s'][^']*?)'?:\s*$/.exec(line)
    if (key) {
      name = key[1]
    }
    const r = /resolution:\s*\{(.*)\}/.exec(line)
    if (r && name) {
      const tarball = /tarball:\s*'?([^,'\s}]+)/.exec(r[1])
      const repo = /repo:\s*'?([^,'\s}]+)/.exec(r[1])
      const dir = /directory:\s*'?([^,'\s}]+)/.exec(r[1])
      out.push([name, repo ? 'git+' + repo[1] : tarball ? tarball[1] : dir ? 'file:' + dir[1] : null])
    }
  }
  return out
}

function yarnLock (text) {
  const out = []
  let name = null
  for (const line of text.split(/\r?\n/)) {
    if (/^\S.*:\s*$/.test(line) && !line.startsWith('__metadata')) {
      name = line.replace(/:\s*$/, '').split(',')[0].replace(/"/g, '').trim()
    }
    const classic = /^\s+resolved\s+"?([^"\s]+)"?/.exec(line)
    if (classic && name) {
      out.push([name, classic[1]])
    }
    const berry = /^\s+resolution:\s+"?([^"]+)"?/.exec(line)
    if (berry && name) {
      const spec = berry[1].replace(/^(@[^/]+\/[^@]+|[^@]+)@/, '')
      if (/^(npm|workspace|patch|builtin):/.test(spec)) {
        continue
      }
      out.push([name, spec.replace(/^(link|portal):/, 'file:')])
    }
  }
  return out
}

function bunLock (text) {
  const out = []
  const re = /^\s*"([^"]+)":\s*\[\s*"([^"]+)"(?:\s*,\s*"([^"]*)")?/gm
  let m
  while ((m = re.exec(text))) {
    const spec = m[2].replace(/^(@[^/]+\/[^@]+|[^@]+)@/, '')
    if (/^(git|github:|https?:|file:|link:)/.test(spec)) {
      out.push([m[1], spec.replace(/^link:/, 'file:')])
    } else if (m[3] && /^https?:/.test(m[3])) {
      out.push([m[1], m[3]])
    }
  }
  return out
}

const PARSERS = {
  'package-lock.json': npmLock,
  'npm-shrinkwrap.json': npmLock,
  'pnpm-lock.yaml': pnpmLock,
  'yarn.lock': yarnLock,
  'bun.lock': bunLock
}

const WHAT = {
  registry: ['another registry', 'Install them through your registry (npm install --registry …) so they pass its checks.'],
  git: ['git', 'Publish them to your registry and depend on a version; set allow-git=root or none.'],
  url: ['URLs', 'Publish them to your registry and depend on a version; set allow-remote=root or none.'],
  file: ['local files or directories', 'Check these are your own workspace packages; set allow-file / allow-directory=root.']
}

function check (ctx, add) {
  for (const [file, parse] of Object.entries(PARSERS)) {
    const full = path.join(ctx.project, file)
    const text = ini.read(full)
    if (text === null) {
      continue
    }
    let entries
    try {
      entries = parse(text)
    } catch (e) {
      add('warn', 'lockfile', file + ' could not be read: ' + e.message, 'Regenerate it with your client.', full)
      continue
    }
    const byKind = {}
    for (const [name, resolved] of entries) {
      const kind = kindOf(resolved, ctx.lockRegistries)
      if (kind) {
        (byKind[kind] = byKind[kind] || []).push(name)
      }
    }
    for (const [kind, names] of Object.entries(byKind)) {
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ' and ' + (names.length - 5) + ' more' : '')
      add(kind === 'file' ? 'info' : 'warn', 'lockfile-' + kind,
        names.length + ' ' + file + ' entr' + (names.length === 1 ? 'y' : 'ies') + ' resolved from ' + WHAT[kind][0] + ': ' + shown,
        WHAT[kind][1], full)
    }
  }
}

module.exports = { check, kindOf, PARSERS }
