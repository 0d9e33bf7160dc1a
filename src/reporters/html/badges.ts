// Status badges: a colour for the eye and a symbol plus a word for everyone else (and for black-and-white
// print), so no verdict is told by colour alone.
import type { RequirementResult } from '../../core/report.js';
import type { CheckResult } from '../../core/result.js';
import type { WaiverStatus } from '../../core/waivers.js';
import type { Grade } from '../../knowledge/index.js';
import { checkVerdictText, requirementStatusText } from '../labels.js';
import { html, type Markup } from './markup.js';

/** The colour families; the CSS defines .tone-<name>. */
type Tone = 'pass' | 'fail' | 'inconclusive' | 'not-run' | 'waived' | 'manual' | 'not-applicable' | 'weak' | 'acceptable';

const SYMBOL: Record<Tone, string> = {
  pass: '✓',
  fail: '✗',
  inconclusive: '?',
  'not-run': '⊘',
  waived: '⚑',
  manual: '✎',
  'not-applicable': '–',
  weak: '!',
  acceptable: '~',
};

export function badge(tone: Tone, label: string): Markup {
  return html`<span class="badge tone-${tone}"><span class="sym" aria-hidden="true">${SYMBOL[tone]}</span> ${label}</span>`;
}

const VERDICT_TONE: Record<CheckResult['verdict'], Tone> = {
  pass: 'pass',
  fail: 'fail',
  error: 'inconclusive',
  'not-applicable': 'not-applicable',
  skipped: 'not-run',
  waived: 'waived',
};

const STATUS_TONE: Record<RequirementResult['status'], Tone> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'inconclusive',
  'not-run': 'not-run',
  waived: 'waived',
  manual: 'manual',
  'not-applicable': 'not-applicable',
};

const GRADE_TONE: Record<Grade, Tone> = {
  broken: 'fail',
  weak: 'weak',
  acceptable: 'acceptable',
  strong: 'pass',
  unknown: 'inconclusive',
};

const WAIVER_TONE: Record<WaiverStatus, Tone> = { applied: 'waived', unused: 'not-applicable', expired: 'fail' };

/** The status word in capitals, the rest ("(was fail)") as written. */
function shout(text: string): string {
  const [word, ...rest] = text.split(' ');
  return [word!.toUpperCase(), ...rest].join(' ');
}

export function verdictBadge(c: Pick<CheckResult, 'verdict' | 'originalVerdict'>): Markup {
  return badge(VERDICT_TONE[c.verdict], shout(checkVerdictText(c)));
}

export function statusBadge(r: Pick<RequirementResult, 'status' | 'originalStatus'>): Markup {
  return badge(STATUS_TONE[r.status], shout(requirementStatusText(r)));
}

export function verdictCountBadge(verdict: CheckResult['verdict']): Markup {
  return badge(VERDICT_TONE[verdict], shout(verdict));
}

export function statusCountBadge(status: RequirementResult['status']): Markup {
  return badge(STATUS_TONE[status], shout(status));
}

export function gradeBadge(grade: Grade): Markup {
  return badge(GRADE_TONE[grade], shout(grade));
}

const CLAIM_TONE = { consistent: 'pass', contradicted: 'fail', 'not-measured': 'not-run' } as const satisfies Record<string, Tone>;

export function claimBadge(status: keyof typeof CLAIM_TONE): Markup {
  return badge(CLAIM_TONE[status], status.toUpperCase());
}

export function waiverBadge(status: WaiverStatus): Markup {
  return badge(WAIVER_TONE[status], status === 'expired' ? 'EXPIRED: not applied' : shout(status));
}
