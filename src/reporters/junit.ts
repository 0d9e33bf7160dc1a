// JUnit XML: one testcase per check result, so CI systems show the run like any test suite.
import { create } from 'xmlbuilder2';
import type { Report } from '../core/report.js';
import type { CheckResult } from '../core/result.js';

type Element = ReturnType<typeof create>;

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
        waived(tc, check, text);
        break;
      case 'pass':
        tc.ele('system-out').txt(`${check.verdict}: ${text}`);
        break;
    }
  }
  return root.end({ prettyPrint: true });
}

/**
 * A waived check is a passing testcase (the run's exit code does not fail on it either), so CI stays green
 * on a risk the owner accepted. That it is waived, what it was and the countermeasure go in <system-out>,
 * which Jenkins and Azure DevOps show in a testcase's detail view. Testcase-level <properties> were not
 * chosen: the common JUnit schemas do not allow them and most viewers ignore them (pytest warns that its
 * record_property can break schema validation on CI servers). A <skipped> element would stand out more but
 * would misreport the result as not run.
 */
function waived(tc: Element, check: CheckResult, text: string): void {
  const was = check.originalVerdict ? ` (was ${check.originalVerdict})` : '';
  const w = check.waiver;
  const terms = w
    ? [`countermeasure: ${w.countermeasure}`, `justification: ${w.justification}`, ...(w.reference ? [`reference: ${w.reference}`] : []), `expires: ${w.expires}`]
    : [];
  tc.ele('system-out').txt([`WAIVED${was}: ${text}`, ...terms].join('\n'));
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
