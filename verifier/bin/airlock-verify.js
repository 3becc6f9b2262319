#!/usr/bin/env node
'use strict';
// airlock-verify: verify every package a lockfile installed from an Airlock registry (its registry signature,
// provenance, approval attestation, the attestation's place in the audit log, and your policy). The same flags,
// checks and output as `airlock verify`. Exit 0 when all pass, 1 on any failure, 2 on a usage error.
const fs = require('node:fs');
const path = require('node:path');
const { Verifier } = require('../lib/verify');
const report = require('../lib/report');

const USAGE = `Usage: airlock-verify [--registry URL] [--lockfile FILE | --node-modules DIR] [--policy FILE]
                      [--checkpoint FILE] [--log-key KEY] [--json]
Verify every package a lockfile installed from an Airlock registry: its registry signature, provenance, approval
attestation, the attestation's place in the audit log and your policy. Exit 0 when all pass, 1 on any failure, 2 on
a usage error.
      --registry URL       the registry (default: $npm_config_registry)
      --lockfile FILE      package-lock.json (default ./package-lock.json)
      --node-modules DIR   an installed node_modules (its .package-lock.json) instead of a lockfile
      --policy FILE        your policy (JSON)
      --checkpoint FILE    a log checkpoint you kept (default: fetched)
      --log-key KEY        the log's verifier key name+id+key as its operator published it (default: fetched)
      --json               print the report as JSON
  -h, --help               show this help
  -V, --version            print the version`;

const usage = (message) => {
  process.stderr.write(`airlock-verify: ${message}\n`);
  process.exitCode = 2;
};

async function main(argv) {
  const valued = { '--registry': 'registry', '--lockfile': 'lockfile', '--node-modules': 'nodeModules',
    '--policy': 'policy', '--checkpoint': 'checkpoint', '--log-key': 'logKey' };
  const o = { json: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    if (arg === '-h' || arg === '--help') { process.stdout.write(`${USAGE}\n`); return; }
    if (arg === '-V' || arg === '--version') {
      process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
      return;
    }
    if (arg === '--json' && value === undefined) { o.json = true; continue; }
    if (!(arg in valued)) { usage(`unknown option ${argv[i]}\n${USAGE}`); return; }
    if (value === undefined) {
      if (i + 1 >= argv.length) { usage(`missing value for ${arg}`); return; }
      value = argv[++i];
    }
    o[valued[arg]] = value;
  }
  const registry = o.registry ?? process.env.npm_config_registry;
  if (!registry) { usage('which registry? Give --registry URL'); return; }
  if (o.lockfile && o.nodeModules) { usage('give --lockfile or --node-modules, not both'); return; }
  let lock = o.lockfile ?? 'package-lock.json';
  const isFile = (f) => { try { return fs.statSync(f).isFile(); } catch { return false; } };
  if (o.nodeModules) {
    lock = path.join(o.nodeModules, '.package-lock.json');
    if (!isFile(lock)) { usage(`${o.nodeModules} has no .package-lock.json (npm 7 or later writes it when installing)`); return; }
  }
  if (!isFile(lock)) { usage(`no lockfile ${lock} (give --lockfile FILE or --node-modules DIR)`); return; }
  let result;
  try {
    const verifier = new Verifier({ registry, lockfile: lock, policy: o.policy, checkpoint: o.checkpoint,
      logKey: o.logKey, token: process.env.AIRLOCK_TOKEN });
    result = await verifier.run();
  } catch (e) {
    usage(e.message);
    return;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report.json(result), null, 2)}\n`);
  } else {
    result.warnings.forEach((w) => process.stderr.write(`warning: ${w}\n`));
    process.stdout.write(report.table(result));
  }
  process.exitCode = report.ok(result) ? 0 : 1;
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`airlock-verify: ${e.stack ?? e}\n`);
  process.exitCode = 1;
});
