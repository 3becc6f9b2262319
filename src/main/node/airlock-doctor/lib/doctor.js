'use strict'
// Runs every check and collects the findings: { severity, id, message, fix, where }.
const S = require('./sources')
const versions = require('./versions')
const settings = require('./settings')
const credentials = require('./credentials')
const lockfiles = require('./lockfiles')

const NPMJS = 'https://registry.npmjs.org/'

async function run (opts, env) {
  const findings = []
  const add = (severity, id, message, fix, where) => findings.push({ severity, id, message, fix: fix || null, where: where || null })
  const project = S.projectDir(opts, env)
  const clients = opts.clients || versions.installed(env)
  const ctx = {
    project,
    ci: opts.ci || /^(1|true|yes)$/i.test(env.CI || '') || !!env.GITHUB_ACTIONS || !!env.GITLAB_CI,
    offline: opts.offline,
    npm: S.npmLayers(project, env),
    pnpm: S.pnpmLayers(project, env),
    berry: S.yarnBerryLayers(project, env),
    classic: S.yarnClassicLayers(project, env),
    bun: S.bunLayers(project, env)
  }
  ctx.uses = settings.uses(project, clients)
  ctx.yarnBerry = clients.yarn ? !versions.below(clients.yarn, '2.0.0') : ctx.berry.length > 1
  ctx.registries = settings.registries(ctx)
  const npmRegistry = S.lookup(ctx.npm, 'registry')
  ctx.registry = opts.registry || (npmRegistry ? npmRegistry.entry.value : NPMJS)
  ctx.lockRegistries = [ctx.registry].concat(ctx.registries.map(r => r.url))
  if (ctx.lockRegistries.includes(NPMJS) || ctx.lockRegistries.includes(NPMJS.slice(0, -1))) {
    ctx.lockRegistries.push('https://registry.yarnpkg.com/')
  }
  versions.check(clients, add)
  settings.check(ctx, add)
  await credentials.check(ctx, add)
  lockfiles.check(ctx, add)
  return { project, ci: ctx.ci, registry: ctx.registry, clients, findings }
}

module.exports = { run }
