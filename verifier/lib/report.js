'use strict';
// The report (the same as dev.airlock.verify.Report): one row per package, one cell per check; a table or JSON.
const CHECKS = ['signature', 'provenance', 'approval', 'log', 'policy'];

const cell = (k) => (k.result === 'ok' ? 'ok' : k.result === 'fail' ? `FAIL: ${k.reason}` : '\u2014');
const failed = (row) => CHECKS.some((c) => row.checks[c].result === 'fail');
const ok = (report) => !report.rows.some(failed);

function table(report) {
  const lines = [['PACKAGE', 'VERSION', ...CHECKS.map((c) => c.toUpperCase())]];
  for (const r of report.rows) lines.push([r.name, r.version, ...CHECKS.map((c) => cell(r.checks[c]))]);
  const width = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  let out = '';
  for (const l of lines) {
    out += `${l.map((v, i) => (i === l.length - 1 ? v : v.padEnd(width[i] + 2))).join('').trimEnd()}\n`;
  }
  const nFailed = report.rows.filter(failed).length;
  out += `\n${report.rows.length} package(s) from ${report.registry} checked: ${report.rows.length - nFailed} passed, `
    + `${nFailed} failed`;
  if (report.elsewhere > 0) out += `; ${report.elsewhere} resolved elsewhere, not checked`;
  out += '\n';
  for (const r of report.rows) {
    for (const c of CHECKS) {
      if (r.checks[c].result === 'fail') out += `FAIL ${r.name}@${r.version} ${c}: ${r.checks[c].reason}\n`;
    }
  }
  return out;
}

function json(report) {
  const nFailed = report.rows.filter(failed).length;
  return {
    registry: report.registry,
    ok: ok(report),
    packages: report.rows.map((r) => ({
      name: r.name,
      version: r.version,
      checks: Object.fromEntries(CHECKS.map((c) => [c, r.checks[c].reason === undefined
        ? { result: r.checks[c].result } : { result: r.checks[c].result, reason: r.checks[c].reason }])),
    })),
    summary: { checked: report.rows.length, passed: report.rows.length - nFailed, failed: nFailed, elsewhere: report.elsewhere },
    warnings: report.warnings,
  };
}

module.exports = { CHECKS, table, json, ok };
