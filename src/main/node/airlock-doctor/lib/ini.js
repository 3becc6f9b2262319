'use strict'
// Reading the configuration files of npm (.npmrc, ini), yarn classic (.yarnrc), yarn berry (.yarnrc.yml, a small
// YAML subset), pnpm (pnpm-workspace.yaml, config.yaml) and bun (bunfig.toml, a small TOML subset), keeping the line
// of each key so that findings can name where a setting is without ever repeating its value.
const fs = require('fs')

function read (file) {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

// npm's ${VAR} and ${VAR?} expansion (a missing variable without ? is left as written, as npm does)
function expand (value, env) {
  return value.replace(/(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole, esc, name, optional) => {
    if (esc.length % 2) {
      return whole.slice((esc.length + 1) / 2)
    }
    const v = env[name]
    if (v !== undefined) {
      return esc.slice(esc.length / 2) + v
    }
    return optional ? esc.slice(esc.length / 2) : whole
  })
}

function unquote (s) {
  s = s.trim()
  if (s.length >= 2 && ((s[0] === '"' && s.endsWith('"')) || (s[0] === "'" && s.endsWith("'")))) {
    return s.slice(1, -1)
  }
  return s
}

/** An .npmrc as entries: key -> { value, raw, line } (the last occurrence wins; key[] collects). */
function npmrc (file, env) {
  const text = read(file)
  if (text === null) {
    return null
  }
  const entries = new Map()
  text.split(/\r?\n/).forEach((l, i) => {
    const line = l.trim()
    if (!line || line[0] === '#' || line[0] === ';' || line[0] === '[') {
      return
    }
    const eq = line.indexOf('=')
    let key = (eq < 0 ? line : line.slice(0, eq)).trim()
    const raw = eq < 0 ? 'true' : unquote(line.slice(eq + 1))
    key = expand(key, env)
    const list = key.endsWith('[]')
    if (list) {
      key = key.slice(0, -2)
    }
    const value = expand(raw, env)
    const prev = entries.get(key)
    entries.set(key, {
      value: list && prev ? [].concat(prev.value, value) : value,
      raw,
      line: i + 1
    })
  })
  return entries
}

/** A .yarnrc (classic): `key "value"` or `key value` lines. */
function yarnrc (file) {
  const text = read(file)
  if (text === null) {
    return null
  }
  const entries = new Map()
  text.split(/\r?\n/).forEach((l, i) => {
    const line = l.trim()
    if (!line || line[0] === '#') {
      return
    }
    const m = /^("[^"]+"|\S+)\s+(.*)$/.exec(line)
    if (m) {
      entries.set(unquote(m[1]), { value: unquote(m[2]), raw: unquote(m[2]), line: i + 1 })
    }
  })
  return entries
}

/**
 * A YAML file of nested maps and scalars (.yarnrc.yml, pnpm-workspace.yaml): flattened to dotted keys
 * ("npmScopes.corp.npmAuthToken"); list items and flow collections are kept as text.
 */
function yaml (file) {
  const text = read(file)
  if (text === null) {
    return null
  }
  const entries = new Map()
  const stack = [] // { indent, key }
  text.split(/\r?\n/).forEach((l, i) => {
    if (!l.trim() || l.trim()[0] === '#' || l.trim().startsWith('- ')) {
      return
    }
    const indent = l.length - l.trimStart().length
    const m = /^("[^"]*"|'[^']*'|[^:#]+?)\s*:(?:\s+(.*))?$/.exec(l.trim())
    if (!m) {
      return
    }
    while (stack.length && stack[stack.length - 1].indent >= indent) {
      stack.pop()
    }
    const key = unquote(m[1])
    const path = stack.map(s => s.key).concat(key).join('.')
    const rest = m[2] === undefined ? '' : m[2].replace(/\s+#.*$/, '')
    if (rest === '') {
      stack.push({ indent, key })
    } else {
      entries.set(path, { value: unquote(rest), raw: unquote(rest), line: i + 1 })
    }
  })
  return entries
}

/** A TOML file of [sections] and `key = value` lines (bunfig.toml): keys are "section.key". */
function toml (file) {
  const text = read(file)
  if (text === null) {
    return null
  }
  const entries = new Map()
  let section = ''
  text.split(/\r?\n/).forEach((l, i) => {
    const line = l.replace(/\s+#.*$/, '').trim()
    if (!line || line[0] === '#') {
      return
    }
    const s = /^\[([^\]]+)\]$/.exec(line)
    if (s) {
      section = s[1].trim().replace(/"/g, '')
      return
    }
    const eq = line.indexOf('=')
    if (eq > 0) {
      const key = (section ? section + '.' : '') + unquote(line.slice(0, eq))
      const value = unquote(line.slice(eq + 1))
      entries.set(key, { value, raw: value, line: i + 1 })
    }
  })
  return entries
}

module.exports = { npmrc, yarnrc, yaml, toml, expand, read }
