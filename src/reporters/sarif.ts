// report.sarif: SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, the VS Code SARIF viewer, Azure DevOps).
// One rule per check, one result per failed, inconclusive or waived check result; a pure function of the report.
//
// Choices a reader of the output needs to know:
// - Location. A device finding has no source line, but GitHub accepts a result only with a
//   physicalLocation.artifactLocation.uri that is a relative path (an ssh:// or https:// uri makes upload-sarif
//   fail with "unrecognized SARIF location URI scheme"). So the physical location is the result's evidence file,
//   relative to the run directory that holds report.sarif (findings.json first, else the first evidence file,
//   else report.json), with region line 1, as container and device scanners do. The service itself is the
//   logical location: its profile name, and its address (ssh://host:port) as the fully qualified name.
// - Fingerprint. partialFingerprints["otconform/v1"] hashes (check id, target name, device vendor, model,
//   serial number, name): no time, port, firmware or wording, so the same finding on the same device keeps
//   one alert across runs and firmware builds, and disappears ("fixed") when a later run no longer reports it.
//   Give services a `name` in the profile: an unnamed service is named by host:port.
// - Waivers. A waived result is kept, with a suppression of kind "external" (the profile is outside the
//   device's code) carrying the justification and countermeasure. A result whose every requirement is waived
//   at requirement level is suppressed the same way. GitHub ingests suppressed results as open alerts unless
//   something dismisses them (e.g. the advanced-security/dismiss-alerts action); other viewers hide them.
// - security-severity (GitHub's 0-10 score on the rule) comes from the worst result of the check in this run,
//   counting a waived result by what it was before the waiver; see SEVERITY below. A rule without a failed or
//   inconclusive result has none.
// - automationDetails.id puts each device (vendor, model, serial) and target SL-C in its own GitHub category,
//   so uploading one device's results never closes another device's alerts.
import { createHash } from 'node:crypto';
import type { Report, RequirementResult } from '../core/report.js';
import type { CheckResult } from '../core/result.js';
import type { SafetyClass } from '../core/outcomes.js';
import type { Grade } from '../knowledge/types.js';
import { serviceAddress, serviceLabel, serviceTargets } from '../profiles/services.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const FINGERPRINT_KEY = 'otconform/v1';

/**
 * GitHub's security-severity bands: critical ≥ 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
 * broken: a finding the knowledge base grades broken (no protection left: SSL 2, anonymous suites, a 1024-bit key).
 * weak: a finding graded weak (breakable with known attacks: TLS 1.0, SHA-1).
 * failed: a failure without a broken or weak finding: behaviour the requirement forbids (default credentials
 *   accepted, no lockout, an undeclared open port); the check alone cannot say how exploitable it is.
 * belowLevel: a failure whose worst finding is acceptable, i.e. it fails only because the target SL-C is strict.
 * inconclusive: nothing was proven either way; someone has to look.
 */
export const SEVERITY = { broken: '9.0', weak: '7.0', failed: '7.0', belowLevel: '4.0', inconclusive: '3.0' } as const;

type Level = 'error' | 'warning';

const SAFETY_MEANING: Record<SafetyClass, string> = {
  passive: 'reads only what the device publishes to anyone',
  read: 'opens sessions and reads values',
  'auth-attempt': 'sends login attempts, some deliberately wrong; can lock accounts',
  'state-change': 'writes to the device',
  disruptive: 'loads the device (floods, malformed frames, session exhaustion)',
};

export function renderSarif(report: Report): string {
  return `${JSON.stringify(buildSarif(report), null, 2)}\n`;
}

export function buildSarif(report: Report) {
  const ruleIds = [...new Set(report.checks.map((c) => c.id))];
  const requirementById = new Map(report.requirements.map((r) => [r.id, r]));
  const rules = ruleIds.map((id) => rule(report.checks.filter((c) => c.id === id), requirementById));
  const results = report.checks
    .filter((c) => effectiveVerdict(c) !== undefined)
    .map((c) => result(report, c, ruleIds.indexOf(c.id), requirementById));
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        automationDetails: {
          id: `${report.tool.name}/${slug(deviceIdentity(report).join(' '))}/sl${report.targetSecurityLevel}/${report.run.id}`,
          description: { text: `IEC 62443-4-2 conformance run ${report.run.id} at SL-C ${report.targetSecurityLevel}` },
        },
        invocations: [invocation(report)],
        results,
        properties: {
          runId: report.run.id,
          device: report.device,
          componentType: report.componentType,
          targetSecurityLevel: report.targetSecurityLevel,
          achievedSecurityLevel: report.achievedSecurityLevel,
          catalog: report.catalog,
          knowledgeBase: report.knowledgeBase,
          summary: report.summary,
          allowDisruptive: report.run.allowDisruptive,
        },
      },
    ],
  };
}

/** The verdict a result stands for in SARIF: fail and error, and a waived result by what it was. */
function effectiveVerdict(c: CheckResult): 'fail' | 'error' | undefined {
  if (c.verdict === 'fail' || c.verdict === 'error') return c.verdict;
  if (c.verdict === 'waived') return c.originalVerdict ?? 'fail';
  return undefined;
}

const LEVEL: Record<'fail' | 'error', Level> = { fail: 'error', error: 'warning' };

function rule(checks: CheckResult[], requirementById: Map<string, RequirementResult>) {
  const c = checks[0]!;
  const requirements = c.requirements.map((id) => {
    const title = requirementById.get(id)?.title;
    return title ? `${id} ${title}` : id;
  });
  const severity = securitySeverity(checks);
  const text = [
    `Expected: ${c.title}.`,
    `IEC 62443-4-2 requirements: ${requirements.join('; ')}.`,
    `Safety class: ${c.safety} (${SAFETY_MEANING[c.safety]}); minimum SL-C ${c.minSecurityLevel}.`,
    'To resolve: change the device (configuration or firmware) so that the expectation holds, then run otconform again. ' +
      "The result's evidence file and its folder in the run directory show what was observed. " +
      'If a compensating countermeasure covers the risk, record it as a waiver in the device profile ' +
      '(check or requirement, target, countermeasure, justification, expires): the result is then reported as waived and marked suppressed here.',
  ];
  const markdown = [
    `**Expected:** ${c.title}.`,
    '',
    '**IEC 62443-4-2 requirements:**',
    ...requirements.map((r) => `- ${r}`),
    '',
    `**Safety class:** \`${c.safety}\` (${SAFETY_MEANING[c.safety]}); minimum SL-C ${c.minSecurityLevel}.`,
    '',
    `**To resolve:** ${text[3]!.slice('To resolve: '.length)}`,
  ];
  return {
    id: c.id,
    name: pascalCase(c.id),
    shortDescription: { text: c.title },
    fullDescription: { text: `${c.title}. A ${c.protocol} check for ${c.requirements.join(', ')} (IEC 62443-4-2).` },
    help: { text: text.join('\n'), markdown: markdown.join('\n') },
    defaultConfiguration: { level: 'error' as Level },
    properties: {
      tags: ['security', 'iec62443', c.protocol, ...c.requirements],
      requirements: c.requirements,
      safety: c.safety,
      protocol: c.protocol,
      minSecurityLevel: c.minSecurityLevel,
      ...(severity ? { 'security-severity': severity } : {}),
    },
  };
}

/** The rule's security-severity from its worst failed or inconclusive result in this run (see SEVERITY). */
export function securitySeverity(checks: CheckResult[]): string | undefined {
  const failed = checks.filter((c) => effectiveVerdict(c) === 'fail');
  if (failed.length === 0) return checks.some((c) => effectiveVerdict(c) === 'error') ? SEVERITY.inconclusive : undefined;
  const grades = new Set<Grade>(failed.flatMap((c) => c.findings.map((f) => f.grade)));
  if (grades.has('broken')) return SEVERITY.broken;
  if (grades.has('weak')) return SEVERITY.weak;
  if (grades.has('acceptable') && !grades.has('unknown')) return SEVERITY.belowLevel;
  return SEVERITY.failed;
}

function result(report: Report, c: CheckResult, ruleIndex: number, requirementById: Map<string, RequirementResult>) {
  const verdict = effectiveVerdict(c)!;
  const address = targetAddress(report, c);
  const suppression = suppressionFor(c, requirementById);
  const worst = c.findings.filter((f) => f.grade === 'broken' || f.grade === 'weak' || f.grade === 'unknown');
  return {
    ruleId: c.id,
    ruleIndex,
    level: LEVEL[verdict],
    message: { text: c.target === '-' ? c.reason : `${c.reason} [${c.target}${address && address !== c.target ? `: ${address}` : ''}]` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: evidenceUri(c) }, region: { startLine: 1 } },
        ...(c.target === '-'
          ? {}
          : { logicalLocations: [{ name: c.target, ...(address ? { fullyQualifiedName: address } : {}), kind: 'resource' }] }),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(report, c) },
    ...(suppression ? { suppressions: [suppression] } : {}),
    properties: {
      verdict: c.verdict,
      ...(c.originalVerdict ? { originalVerdict: c.originalVerdict } : {}),
      target: c.target,
      requirements: c.requirements,
      startedAt: c.startedAt,
      evidence: c.evidence,
      ...(worst.length > 0 ? { findings: worst.map((f) => ({ subject: f.subject, value: f.value, grade: f.grade, reason: f.reason })) } : {}),
    },
  };
}

/** A check waiver on the result, or requirement waivers on every requirement it names. */
function suppressionFor(c: CheckResult, requirementById: Map<string, RequirementResult>) {
  if (c.verdict === 'waived' && c.waiver) return externalSuppression(c.waiver.justification, c.waiver);
  const waivers = c.requirements.map((id) => requirementById.get(id)?.waiver);
  if (waivers.length === 0 || waivers.some((w) => w === undefined)) return undefined;
  const terms = waivers.filter((w) => w !== undefined);
  return externalSuppression(terms.map((w) => w.justification).join(' '), terms[0]!, terms);
}

function externalSuppression(
  justification: string,
  first: NonNullable<CheckResult['waiver']>,
  all: NonNullable<CheckResult['waiver']>[] = [first],
) {
  const references = all.flatMap((w) => (w.reference ? [w.reference] : []));
  return {
    kind: 'external' as const,
    status: 'accepted' as const,
    justification,
    properties: {
      countermeasures: all.map((w) => w.countermeasure),
      ...(references.length > 0 ? { references } : {}),
      /** The earliest expiry: the suppression lapses with the first waiver that does. */
      expires: all.map((w) => w.expires).sort()[0],
    },
  };
}

/** The evidence file a result points at, relative to the run directory (see the header). */
function evidenceUri(c: CheckResult): string {
  return c.evidence.find((p) => p.endsWith('/findings.json')) ?? c.evidence[0] ?? 'report.json';
}

/** Stable across runs of the same device: no time, port, firmware or message (see the header). */
export function fingerprint(report: Report, c: Pick<CheckResult, 'id' | 'target'>): string {
  const identity = JSON.stringify([c.id, c.target, ...deviceIdentity(report)]);
  return createHash('sha256').update(identity).digest('hex');
}

function deviceIdentity(report: Report): string[] {
  const d = report.device.declared;
  return [d.vendor, d.model, d.serialNumber ?? '', d.name ?? ''];
}

/** Where the target listens (ssh://127.0.0.1:2222), from the profile; undefined when it cannot be found. */
function targetAddress(report: Report, c: CheckResult): string | undefined {
  if (c.target === '-') return undefined;
  try {
    const service = serviceTargets(report.profile, c.protocol).find((s) => serviceLabel(c.protocol, s) === c.target);
    return service ? serviceAddress(c.protocol, service) : undefined;
  } catch {
    return undefined;
  }
}

function invocation(report: Report) {
  const expired = report.waivers.filter((w) => w.status === 'expired');
  return {
    executionSuccessful: !report.run.interrupted,
    startTimeUtc: report.run.startedAt,
    endTimeUtc: report.run.finishedAt,
    exitCode: report.summary.exitCode,
    machine: report.run.host,
    toolExecutionNotifications: report.run.interrupted
      ? [{ level: 'error', message: { text: 'The run was interrupted; only the checks that finished are reported.' } }]
      : [],
    toolConfigurationNotifications: expired.map((w) => ({
      level: 'warning',
      message: {
        text: `A waiver expired on ${w.expires} and was not applied: ${w.check ?? w.requirement ?? '?'}${w.target ? ` @ ${w.target}` : ''} (${w.countermeasure}).`,
      },
    })),
  };
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'device';
}
