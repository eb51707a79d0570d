import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildInUseReport } from '../../../functions/core/posture/in-use-report';
import { renderInUseHtml } from '../../../functions/core/render/in-use-html';
import { REPORT_NOW, digestOf, reportPolicy, use, verdict, vuln } from '../posture/in-use-fixtures';

/*
 * The in-use page in a real browser: Debian's Chromium driven by puppeteer-core. Not skipped when Chromium is missing:
 * a page nobody opened is not checked, so the test fails and says how to install it (.ci/run does).
 */
const CHROMIUM = '/usr/bin/chromium';
const HOSTILE_TAG = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_SERVICE = '<script>window.__pwned=2</script>';

const loaded = reportPolicy({ onScanError: 'allow' });
const [FAILING, WARNING, PASSING] = [digestOf('f'), digestOf('d'), digestOf('e')];
const report = buildInUseReport({
  uses: [
    use(FAILING, 'a1'),
    use(WARNING, 'b1', { containers: [{ name: 'app', image: `registry.example.com/team/app:${HOSTILE_TAG}` }] }),
    use(WARNING, 'b2'),
    use(WARNING, 'b3'),
    use(PASSING, 'c1', { service: HOSTILE_SERVICE }),
    use(PASSING, 'c2'),
  ],
  // WARNING has no verdict: under onScanError "allow" it warns.
  verdicts: new Map([
    [FAILING, verdict(loaded, FAILING, [vuln('CVE-2026-0001', 'critical')])],
    [PASSING, verdict(loaded, PASSING, [])],
  ]),
  policy: loaded,
  now: REPORT_NOW,
});

let browser: Browser | undefined;
let dir: string;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the in-use page must be checked in a real browser. Install it with \`apt-get install -y chromium\` (.ci/run does).`);
  }
  dir = await mkdtemp(join(tmpdir(), 'fargate-gate-in-use-'));
  const file = join(dir, 'in-use.html');
  await writeFile(file, renderInUseHtml(report));
  url = pathToFileURL(file).href;
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start; the page is our own, written above.
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens the page and collects every console error and uncaught exception (a CSP refusal is a console error). */
async function open(options: { javaScript?: boolean } = {}): Promise<{ page: Page; problems: string[] }> {
  if (!browser) throw new Error('no browser');
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.setJavaScriptEnabled(options.javaScript ?? true);
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/*
 * What runs in the page is written as source text: the project compiles without the DOM library (its code runs in Node
 * and Lambda), so in-page functions cannot be typed against it.
 */
const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
const rowCount = (page: Page) => inPage<number>(page, `document.querySelectorAll('#in-use tbody tr').length`);
const buttonCount = (page: Page) => inPage<number>(page, `document.querySelectorAll('#in-use thead th button').length`);

/** The sort keys of one column, top to bottom, found by its heading. */
const column = (page: Page, heading: string) =>
  inPage<string[]>(
    page,
    `(() => {
      const headings = Array.from(document.querySelectorAll('#in-use thead th')).map((th) => th.textContent.trim());
      const index = headings.indexOf(${JSON.stringify(heading)});
      return Array.from(document.querySelectorAll('#in-use tbody tr')).map((row) => row.cells[index].getAttribute('data-sort'));
    })()`,
  );
const cellTexts = (page: Page, nth: number) =>
  inPage<string[]>(page, `Array.from(document.querySelectorAll('#in-use tbody tr td:nth-child(${nth})')).map((cell) => cell.textContent)`);

describe('the in-use HTML page in Chromium', () => {
  it('loads with no console error, page error or failed request, and shows every row', async () => {
    const { page, problems } = await open();
    expect(await rowCount(page)).toBe(3);
    expect(await inPage<string>(page, `document.getElementById('summary').textContent`)).toContain('3 images in 6 tasks');
    // The script ran (its hash matched the policy): the headings became buttons.
    expect(await buttonCount(page)).toBe(11);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts by a column when its heading is clicked, and the other way round on a second click', async () => {
    const { page, problems } = await open();
    expect(await column(page, 'Decision')).toEqual(['2', '1', '0']);
    const tasks = await page.$$('#in-use thead th button');
    await tasks[3].click();
    expect(await column(page, 'Tasks')).toEqual(['1', '2', '3']);
    expect(await column(page, 'Decision')).toEqual(['2', '0', '1']);
    expect(await inPage<string>(page, `document.querySelector('#in-use thead th:nth-child(4)').getAttribute('aria-sort')`)).toBe('ascending');
    await tasks[3].click();
    expect(await column(page, 'Tasks')).toEqual(['3', '2', '1']);
    await (await page.$$('#in-use thead th button'))[1].click();
    const images = await column(page, 'Image');
    expect(images).toEqual([...images].sort());
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a hostile tag and service name as text and runs nothing they carry', async () => {
    const { page, problems } = await open();
    expect(await inPage<unknown>(page, 'window.__pwned')).toBeUndefined();
    expect(await inPage<number>(page, 'document.images.length')).toBe(0);
    expect(await inPage<number>(page, 'document.scripts.length')).toBe(1);
    const text = await inPage<string>(page, `document.querySelector('#in-use tbody').textContent`);
    expect(text).toContain(`registry.example.com/team/app:${HOSTILE_TAG}`);
    expect(text).toContain(HOSTILE_SERVICE);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('is a plain table in the report order with JavaScript off', async () => {
    const { page, problems } = await open({ javaScript: false });
    expect(await rowCount(page)).toBe(3);
    expect(await buttonCount(page)).toBe(0);
    expect(await cellTexts(page, 1)).toEqual(['FAIL', 'WARN', 'PASS']);
    expect(problems).toEqual([]);
    await page.close();
  });
});
