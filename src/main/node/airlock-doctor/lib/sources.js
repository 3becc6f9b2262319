'use strict'
// Where each client reads its configuration, level by level (env, project, user, global), read from the files directly
// so that the doctor works where a client is missing.
const fs = require('fs')
const os = require('os')
const path = require('path')
const ini = require('./ini')

function exists (f) {
  try {
    return fs.statSync(f).isFile()
  } catch {
    return false
  }
}

/** The project root: --project, else npm's local prefix (under npx), else the nearest directory with package.json. */
function projectDir (opts, env) {
  if (opts.project) {
    return path.resolve(opts.project)
  }
  const start = env.npm_config_local_prefix || env.INIT_CWD || process.cwd()
  for (let d = path.resolve(start); ; d = path.dirname(d)) {
    if (exists(path.join(d, 'package.json'))) {
      return d
    }
    if (path.dirname(d) === d) {
      return path.resolve(start)
    }
  }
}

/** The npm_config_* / NPM_CONFIG_* variables as npm reads them (lower case, _ as -), with the variable's name. */
function npmEnv (env) {
  const entries = new Map()
  for (const [name, value] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(name)
    if (m && value !== undefined) {
      let key = m[1].toLowerCase()
      // npm keeps "//host/:_authToken"-style keys as written; ordinary keys use - for _
      if (!key.startsWith('//') && !key.startsWith('@') && !key.startsWith('_')) {
        key = key.replace(/_/g, '-')
      }
      entries.set(key, { value, raw: value, variable: name })
    }
  }
  return entries
}

function home (env) {
  return env.HOME || env.USERPROFILE || os.homedir()
}

/** npm's layers, highest precedence first: env, project .npmrc, user .npmrc, global npmrc. */
function npmLayers (project, env) {
  const envEntries = npmEnv(env)
  const get = k => (envEntries.get(k) || {}).value
  const userFile = get('userconfig') || path.join(home(env), '.npmrc')
  const prefix = get('prefix') || get('global-prefix') ||
    (process.platform === 'win32' ? path.dirname(process.execPath) : path.dirname(path.dirname(process.execPath)))
  const globalFile = get('globalconfig') || path.join(prefix, 'etc', 'npmrc')
  const layers = []
  const files = [['project', path.join(project, '.npmrc')], ['user', userFile], ['global', globalFile]]
  for (const [level, file] of files) {
    const entries = ini.npmrc(file, env)
    if (entries) {
      layers.push({ level, where: file, file, entries })
    }
  }
  if (env.npm_execpath) {
    // under npm (npx, npm exec) npm exports its settings from the files as npm_config_*: blame the file instead
    for (const [key, e] of [...envEntries]) {
      // npm exports false as an empty value
      const exported = v => String(v) === 'false' ? '' : String(v)
      if (layers.some(l => l.entries.has(key) && exported(l.entries.get(key).value) === e.value)) {
        envEntries.delete(key)
      }
    }
  }
  return [{ level: 'env', where: 'environment', entries: envEntries }].concat(layers)
}

/** pnpm: its own YAML settings (pnpm-workspace.yaml, ~/.config/pnpm/config.yaml or rc), besides the .npmrc files. */
function pnpmLayers (project, env) {
  const config = env.XDG_CONFIG_HOME || path.join(home(env), '.config')
  const files = [
    ['project', path.join(project, 'pnpm-workspace.yaml'), ini.yaml],
    ['user', path.join(config, 'pnpm', 'config.yaml'), ini.yaml],
    ['user', path.join(config, 'pnpm', 'rc'), f => ini.npmrc(f, env)]
  ]
  return files.map(([level, file, parse]) => ({ level, where: file, file, entries: parse(file) }))
    .filter(l => l.entries)
}

/** yarn berry: .yarnrc.yml from the project up to the root, then the home one; YARN_* variables first. */
function yarnBerryLayers (project, env) {
  const layers = []
  const envEntries = new Map()
  for (const [name, value] of Object.entries(env)) {
    const m = /^YARN_(.+)$/.exec(name)
    if (m) {
      const key = m[1].toLowerCase().replace(/_([a-z])/g, (_, c) => c.toUpperCase())
      envEntries.set(key, { value, raw: value, variable: name })
    }
  }
  layers.push({ level: 'env', where: 'environment', entries: envEntries })
  const seen = new Set()
  for (let d = project; ; d = path.dirname(d)) {
    const f = path.join(d, '.yarnrc.yml')
    seen.add(f)
    const entries = ini.yaml(f)
    if (entries) {
      layers.push({ level: 'project', where: f, file: f, entries })
    }
    if (path.dirname(d) === d) {
      break
    }
  }
  const user = path.join(env.YARN_RC_FILENAME ? path.dirname(env.YARN_RC_FILENAME) : home(env), '.yarnrc.yml')
  if (!seen.has(user)) {
    const entries = ini.yaml(user)
    if (entries) {
      layers.push({ level: 'user', where: user, file: user, entries })
    }
  }
  return layers
}

/** yarn classic: .yarnrc in the project and in the home directory. */
function yarnClassicLayers (project, env) {
  return [['project', path.join(project, '.yarnrc')], ['user', path.join(home(env), '.yarnrc')]]
    .map(([level, file]) => ({ level, where: file, file, entries: ini.yarnrc(file) }))
    .filter(l => l.entries)
}

/** bun: bunfig.toml in the project, then $XDG_CONFIG_HOME/.bunfig.toml or ~/.bunfig.toml; BUN_CONFIG_* first. */
function bunLayers (project, env) {
  const envEntries = new Map()
  for (const [name, value] of Object.entries(env)) {
    if (/^BUN_CONFIG_/.test(name)) {
      envEntries.set(name, { value, raw: value, variable: name })
    }
  }
  const layers = [{ level: 'env', where: 'environment', entries: envEntries }]
  const files = [['project', path.join(project, 'bunfig.toml')],
    ['user', path.join(env.XDG_CONFIG_HOME || home(env), '.bunfig.toml')]]
  for (const [level, file] of files) {
    const entries = ini.toml(file)
    if (entries) {
      layers.push({ level, where: file, file, entries })
    }
  }
  return layers
}

/** The first layer that sets a key, and the entry. */
function lookup (layers, key) {
  for (const layer of layers) {
    const e = layer.entries.get(key)
    if (e !== undefined) {
      return { layer, entry: e }
    }
  }
  return null
}

/** Where an entry is, for a human: "file:line" or "environment NAME" (never its value). */
function where (hit) {
  if (!hit) {
    return null
  }
  return hit.entry.variable ? 'environment ' + hit.entry.variable
    : hit.layer.where + (hit.entry.line ? ':' + hit.entry.line : '')
}

module.exports = {
  projectDir, npmLayers, pnpmLayers, yarnBerryLayers, yarnClassicLayers, bunLayers, lookup, where, home, exists
}
