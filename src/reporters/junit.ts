// JUnit XML: one testcase per check result, so CI systems show the run like any test suite.
import { create } from 'xmlbuilder2';
import type { Report } from '../core/report.js';

export function renderJunit(report: Report): string {
  const counts = report.summary.checks;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `otconform ${report.device.declared.vendor} ${report.device.declared.model}`,
    tests: report.checks.length,
    failures: counts.fail,
    errors: counts.error,
    skipped: counts.skipped + counts['not-applicable'],
  });
  const suite = root.ele('testsuite', {
    name: `SL-C ${report.targetSecurityLevel} ${report.componentType}`,
    tests: report.checks.length,
    failures: counts.fail,
    errors: counts.error,
    skipped: counts.skipped + counts['not-applicable'],
    timestamp: report.run.startedAt,
    time: seconds(Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt)),
  });
  for (const check of report.checks) {
    const tc = suite.ele('testcase', {
      classname: `${check.protocol}.${check.requirements.join('+')}`,
      name: check.target === '-' ? check.id : `${check.id} @ ${check.target}`,
      time: seconds(check.durationMs),
    });
    const text = `${check.reason}\nrequirements: ${check.requirements.join(', ')}\nevidence: ${check.evidence.join(', ') || 'none'}`;
    switch (check.verdict) {
      case 'fail':
        tc.ele('failure', { message: check.reason, type: 'fail' }).txt(text);
        break;
      case 'error':
        tc.ele('error', { message: check.reason, type: 'inconclusive' }).txt(text);
        break;
      case 'skipped':
      case 'not-applicable':
        tc.ele('skipped', { message: `${check.verdict}: ${check.reason}` });
        break;
      case 'waived':
      case 'pass':
        tc.ele('system-out').txt(`${check.verdict}: ${text}`);
        break;
    }
  }
  return root.end({ prettyPrint: true });
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
