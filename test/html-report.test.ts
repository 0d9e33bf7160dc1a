// report.html in a real browser: fast TLS, SSH and sweep checks run against the management simulator's weak
// preset, whose SSH pre-login banner is hostile markup (a device answer the ssh-banner check quotes in its
// reason). Debian's headless Chromium, driven by playwright-core, opens the run directory's report.html with
// every non-file request blocked, and the test asserts what a reader SEES: identity, target, FR chart, a
// failing requirement and its link to its check, the check's reason and evidence, the manual-evidence
// checklist, the hostile banner as inert text, and the same essentials under print media. A full-page
// screenshot is kept in reports/test-artifacts/html-report.png.
// Without /usr/bin/chromium (or $CHROMIUM_PATH): skipped with a loud message locally, a failure in CI.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import type { Report } from '../src/core/report.js';
import { checkRef } from '../src/core/result.js';
import { renderHtml } from '../src/reporters/html.js';
import { loadCharts, loadSteps } from '../src/reporters/html/charts.js';
import { anchorId, escapeHtml, evidenceHref } from '../src/reporters/html/markup.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(60_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHECKS = ['tls-protocol-versions', 'tls-certificate', 'ssh-algorithms', 'ssh-banner', 'network-port-inventory'];
/** What the simulated device sends before login: markup that must stay text (first line ≤ 80 characters). */
const HOSTILE_BANNER = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>';
const DEVICE = 'otconform simulated devices SIM-PLC weak 1';
const ARTIFACT = resolve(dirname(fileURLToPath(import.meta.url)), '../reports/test-artifacts/html-report.png');

const scratch = mkdtempSync(join(tmpdir(), 'otconform-html-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
const sim = await startManagementServices({
  preset: 'weak',
  pkiDir: join(scratch, 'pki'),
  presetOverride: (p) => ({ ...p, ssh: { ...p.ssh, banner: `${HOSTILE_BANNER}\r\nAuthorised use only.\r\n` } }),
});
t.teardown(() => sim.stop());

const profile = JSON.stringify({
  schemaVersion: 1,
  device: { vendor: 'otconform simulated devices', model: 'SIM-PLC weak', firmware: '1' },
  componentType: 'EDR',
  targetSecurityLevel: 2,
  services: {
    ssh: [{ name: 'ssh', host: '127.0.0.1', port: sim.ssh.port }],
    https: [{ name: 'web', url: `https://127.0.0.1:${sim.https.port}` }],
  },
  credentials: { operator: { username: 'operator', password: 'Html-Report-Secret-9', role: 'read-only' } },
  network: { ports: [sim.ssh.port, sim.https.port, sim.plaintext!.port], connectionsPerSecond: 200, connectTimeoutMs: 300 },
  waivers: [
    {
      check: 'tls-certificate',
      target: 'web',
      countermeasure: 'The web UI is reachable only from the engineering VLAN.',
      justification: 'Replacing the certificate needs the 2027 firmware.',
      reference: 'RA-0042',
      expires: '2099-12-31',
    },
    { check: 'ssh-algorithms', countermeasure: 'A jump host.', justification: 'Lapsed.', reference: 'RA-0007', expires: '2001-01-01' },
  ],
});
const run = await runChecks(profile, { checks: CHECKS, outDir: join(scratch, 'run'), pkiDir: join(scratch, 'client') });
const file = join(run.runDir, 'report.html');
const report = run.report;

// Pure parts: they need no browser (tests are declared after the run so tap waits for it).
t.test('markup helpers', async (t) => {
  t.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  t.equal(anchorId('check', 'tls-certificate @ web'), 'check-tls-certificate-web');
  t.equal(evidenceHref('evidence/ssh-banner/banner #1.txt'), 'evidence/ssh-banner/banner%20%231.txt');
  for (const bad of ['/etc/passwd', 'evidence/../report.json', 'javascript:alert(1)', 'https://x/evidence/a', 'evidence/'])
    t.equal(evidenceHref(bad), undefined, `no link for ${bad}`);
});

t.test('load-check charts from the measurements the DoS checks write', async (t) => {
  // Names as testcases/dos/_support.ts writes them: "step<n> <label>.<name>".
  const measurements = {
    'baseline.longestGapMs': { value: 210, unit: 'ms' },
    'step1 100 req/s.sustained': { value: 99, unit: 'req/s' },
    'step1 100 req/s.longestGapMs': { value: 240, unit: 'ms' },
    'step1 100 req/s.recoveryMs': { value: 35, unit: 'ms' },
    'step2 1.6k req/s.longestGapMs': { value: 3100, unit: 'ms' },
    'step2 1.6k req/s.recoveryMs': { value: 'not recovered' },
  };
  t.same(loadSteps(measurements), [
    { label: 'step1 100 req/s', longestGapMs: 240, recoveryMs: 35 },
    { label: 'step2 1.6k req/s', longestGapMs: 3100, recoveryMs: 'not recovered' },
  ]);
  const profile = {
    essentialFunctions: [{ mustChangeWithinMs: 500 }],
    safety: { dos: { maxRecoveryMs: 5000 } },
  } as unknown as Report['profile'];
  const svg = loadCharts({ measurements } as unknown as Report['checks'][number], profile)!.value;
  t.match(svg, /tolerance 1000 ms/, 'gap tolerance: twice mustChangeWithinMs');
  t.match(svg, /tolerance 5000 ms/, 'recovery tolerance: maxRecoveryMs');
  t.match(svg, /3100 ms ✗ over/, 'a step over its tolerance says so in words');
  t.match(svg, /not recovered ✗/);
  t.match(svg, /baseline \(no load\)/);
  t.equal(loadCharts({ measurements: { 'banner length': { value: 3 } } } as unknown as Report['checks'][number], profile), undefined);
});

t.test('the run directory holds report.html, a pure function of report.json', async (t) => {
  t.ok(existsSync(file), 'written by the reporter multiplexer');
  const json = JSON.parse(readFileSync(join(run.runDir, 'report.json'), 'utf8')) as Report;
  t.equal(readFileSync(file, 'utf8'), renderHtml(json), 'rendering report.json again gives the same bytes');
  const manifest = JSON.parse(readFileSync(join(run.runDir, 'evidence', 'manifest.json'), 'utf8')) as { files: Array<{ path: string }> };
  t.ok(manifest.files.some((f) => f.path === 'report.html'), 'the manifest hashes it');
  t.notOk(readFileSync(file, 'utf8').includes('Html-Report-Secret-9'), 'no secret in it');
  t.equal(run.checks['ssh-banner']?.verdict, 'pass', 'the hostile banner reached a check reason');
  t.match(run.checks['ssh-banner']?.reason, '<script>');
  const signed = renderHtml({ ...report, signer: { algorithm: 'Ed25519', fingerprint: 'SHA256:abc<def>' } });
  t.match(signed, 'Ed25519 key <code>SHA256:abc&lt;def&gt;</code>', 'the signer fingerprint, escaped');
});

if (!existsSync(CHROMIUM)) {
  const message = `${CHROMIUM} is not installed, so report.html cannot be checked in a real browser`;
  if (process.env.CI) t.fail(`${message}. Install it in the CI image (apt-get install chromium).`);
  else {
    process.stderr.write(`\n!!!!!!!!!!\n!!! HTML REPORT BROWSER TEST SKIPPED: ${message} (apt-get install chromium).\n!!!!!!!!!!\n\n`);
    t.pass('report.html in Chromium', { skip: message });
  }
} else {
  // One test around the browser: tap's root test must not end (and tear down the run) while Chromium starts.
  t.test('report.html in headless Chromium', async (t) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.teardown(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const attempted: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) attempted.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient')));
    const url = pathToFileURL(file).href;
    await page.goto(url);

    const text = (selector: string) => page.locator(selector).first().innerText();
    const visible = (selector: string) => page.locator(selector).first().isVisible();
    const failing = report.requirements.find((r) => r.status === 'fail')!;
    const failingRow = `tr.req[data-status="fail"]#${anchorId('req', failing.id)}`;
    const needed = report.requirements.filter((r) => r.manualEvidence || r.status === 'manual' || r.status === 'not-run');

    await t.test('the summary', async (t) => {
      t.ok(await visible('#device-name'));
      t.equal(await text('#device-name'), DEVICE, 'the device');
      t.match(await text('h1'), DEVICE);
      t.equal(await text('#target-sl'), 'SL-C 2', 'the target');
      t.ok(await visible('svg.fr-chart'), 'the FR chart');
      for (const fr of ['FR1', 'FR2', 'FR3', 'FR4', 'FR5', 'FR6', 'FR7']) t.ok(await page.locator('svg.fr-chart text', { hasText: fr }).first().isVisible(), fr);
      // A horizontal line has no height, which Playwright calls invisible: measure its width instead.
      const line = await page.locator('svg.fr-chart line.target').boundingBox();
      t.ok(line && line.width > 100, 'the target line is drawn across the chart');
      t.ok(await visible('svg.fr-chart .target-label'));
      t.equal(await page.locator('svg.fr-chart .target-label').textContent(), 'target 2', 'and labelled');
      t.match(await text('#check-counts'), `${report.summary.checks.fail} ✗ FAIL`);
      t.match(await text('#requirement-counts'), `${report.summary.requirements.manual} ✎ MANUAL`);
      t.match(await text('#provenance'), `${report.tool.name} ${report.tool.version}`);
      t.match(await text('#provenance'), report.catalog.sha256);
      t.match(await text('#signer'), 'not signed');
      const waivers = await text('table.waivers');
      t.match(waivers, 'APPLIED');
      t.match(waivers, 'EXPIRED: not applied');
      t.match(await text('p.alert'), '1 waiver(s) expired');
    });

    await t.test('a failing requirement links to its check, which shows its reason and evidence', async (t) => {
      t.ok(await visible(failingRow), `${failing.id} is shown`);
      t.match(await page.locator(`${failingRow} td.status`).innerText(), /FAIL/, 'with its status as a word, not only a colour');
      const ref = failing.checks.find((c) => report.checks.some((r) => checkRef(r) === c && r.verdict === 'fail'))!;
      const check = report.checks.find((r) => checkRef(r) === ref)!;
      await page.locator(`${failingRow} a`, { hasText: ref }).click();
      const hash = new URL(page.url()).hash;
      t.equal(hash, `#${anchorId('check', ref)}`, `the link goes to ${ref}`);
      t.equal(await page.evaluate(() => document.querySelector(':target')?.tagName), 'ARTICLE');
      const article = page.locator(hash);
      t.ok(await inViewport(page, hash), 'the check scrolled into view');
      t.equal(await article.locator('.reason-text').innerText(), check.reason, 'its reason');
      t.match(await article.locator('h3').innerText(), 'FAIL');
      t.match(await article.locator('dl.meta').innerText(), check.safety, 'its safety class');
      const link = article.locator('a.evidence-link').first();
      t.ok(await link.isVisible(), 'an evidence link');
      const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
      t.ok(href.startsWith('file:') && existsSync(fileURLToPath(href)), `${href} exists next to report.html`);
      const evidencePage = await context.newPage();
      const response = await evidencePage.goto(href);
      t.ok(response?.ok(), 'and opens offline');
      await evidencePage.close();
    });

    await t.test('a waived check shows its original verdict and countermeasure', async (t) => {
      const article = page.locator(`#${anchorId('check', 'tls-certificate @ web')}`);
      t.match(await article.locator('h3').innerText(), 'WAIVED (was fail)');
      t.match(await article.locator('.waiver-box').innerText(), 'engineering VLAN');
      t.ok(await article.locator('table.findings').isVisible(), 'graded findings');
      t.match(await article.locator('table.findings').innerText(), 'BROKEN');
    });

    await t.test('the manual-evidence checklist', async (t) => {
      t.ok(await visible('#manual-evidence'));
      t.equal(await page.locator('#manual-evidence ul.checklist li').count(), needed.length, `${needed.length} items`);
      t.ok(await visible('#manual-evidence ul.checklist li'));
      t.match(await text('#manual-evidence ul.checklist li'), '☐');
    });

    await t.test('a hostile device answer is shown as text, never run', async (t) => {
      const reason = await page.locator(`#${anchorId('check', 'ssh-banner @ ssh')} .reason-text`).innerText();
      t.match(reason, HOSTILE_BANNER, 'the banner is visible, verbatim');
      t.equal(await page.evaluate(() => document.querySelectorAll('script, img, iframe, object, embed').length), 0, 'no element came from it');
      t.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'nothing ran');
      t.same(pageErrors, [], 'no page errors');
    });

    mkdirSync(dirname(ARTIFACT), { recursive: true });
    await page.goto(url);
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    t.comment(`full-page screenshot of report.html: ${ARTIFACT}`);

    await t.test('printed, the essentials are there', async (t) => {
      await page.emulateMedia({ media: 'print' });
      t.equal(await page.evaluate(() => matchMedia('print').matches), true, 'print media');
      t.notOk(await visible('nav.toc'), 'no navigation on paper');
      t.equal(await text('#device-name'), DEVICE);
      t.ok(await visible('svg.fr-chart'));
      t.ok(await visible(failingRow));
      t.ok(await visible('#manual-evidence ul.checklist li'));
      const articles = page.locator('article.check');
      t.equal(await articles.count(), report.checks.length);
      for (let i = 0; i < report.checks.length; i++) {
        const reason = articles.nth(i).locator('.reason-text');
        t.ok(await reason.isVisible(), `the reason of ${report.checks[i]!.id} is printed`);
      }
      t.equal(await page.evaluate(() => document.querySelectorAll('main details:not(.profile)').length), 0, 'no essential content folded away');
    });

    await t.test('no request left the file system', async (t) => {
      t.same(attempted, [], 'nothing fetched from the network');
    });
  });
}

/** Whether the element's top edge lies within the viewport. */
async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight;
  });
}
