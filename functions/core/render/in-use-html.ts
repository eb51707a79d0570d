import { createHash } from 'node:crypto';
import type { InUseReport, InUseRow } from '../posture/in-use-report-schema';
import { DECISION_LABEL } from './common';

/*
 * The in-use report as one self-contained HTML page a person opens from S3 or a CI artifact: no external asset, the
 * style and the sorting script inline and allowed by hash only (a Content-Security-Policy meta element with
 * `default-src 'none'`), so even a value that escaped escaping could neither run a script nor load anything. Every value
 * is HTML-escaped: tags, repository, service and exception names are chosen by whoever pushes or deploys. Without
 * JavaScript the page is a plain table in the report's order (most urgent first); with it, a click on a column
 * heading sorts by that column (again: the other way round).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.4em;margin:0 0 .3em}
h2{font-size:1.1em;margin:1.5em 0 .5em}
.meta{color:#555;margin:.2em 0}
.truncated{background:#fff3cd;border:1px solid #e0c060;padding:.4em .6em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2;position:sticky;top:0}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;text-align:left}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.9em;word-break:break-all}
.decision-fail,.decision-error{color:#a00;font-weight:bold}
.decision-warn{color:#8a5a00;font-weight:bold}
.decision-pass{color:#176b1a}
ul{margin:0;padding-left:1.1em}
`;

const SCRIPT = `
(function () {
  var table = document.getElementById('in-use');
  if (!table || !table.tHead || !table.tBodies[0]) return;
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, index) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(button);
    button.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-type') === 'number';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute('data-sort') || '';
        var y = b.cells[index].getAttribute('data-sort') || '';
        var order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's policy: nothing but its own inline style and script, by hash; no images, frames, forms or base URL. */
export const IN_USE_HTML_CSP = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; img-src 'none'; base-uri 'none'; form-action 'none'`;

const DECISION_SORT: Record<InUseRow['decision'], number> = { pass: 0, warn: 1, fail: 2, error: 3 };

interface Column {
  heading: string;
  type: 'text' | 'number';
  cell: (row: InUseRow) => { sort: string | number; html: string };
}

const list = (values: readonly string[], code = false): string =>
  values.length === 0 ? '' : values.length === 1 ? wrap(values[0], code) : `<ul>${values.map((value) => `<li>${wrap(value, code)}</li>`).join('')}</ul>`;
const wrap = (value: string, code: boolean) => (code ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value));

const COLUMNS: Column[] = [
  {
    heading: 'Decision',
    type: 'number',
    cell: (row) => ({
      sort: DECISION_SORT[row.decision],
      html: `<span class="decision-${row.decision}">${DECISION_LABEL[row.decision]}</span>${row.mode === 'audit' ? ' (audit)' : ''}`,
    }),
  },
  { heading: 'Image', type: 'text', cell: (row) => ({ sort: row.images[0] ?? row.digest, html: `${list(row.images, true)}<br><code>${escapeHtml(row.digest)}</code>` }) },
  { heading: 'Services', type: 'number', cell: (row) => ({ sort: row.serviceCount, html: `${row.serviceCount}${row.services.length ? list(row.services) : ''}` }) },
  {
    heading: 'Tasks',
    type: 'number',
    cell: (row) => ({
      sort: row.taskCount,
      html: `${row.taskCount}${row.tasks.length ? `<details><summary>task ARNs${row.tasks.length < row.taskCount ? ` (first ${row.tasks.length})` : ''}</summary>${list(row.tasks, true)}</details>` : ''}`,
    }),
  },
  { heading: 'Clusters', type: 'text', cell: (row) => ({ sort: row.clusters.join(' '), html: list(row.clusters) }) },
  { heading: 'Accounts', type: 'text', cell: (row) => ({ sort: row.accounts.join(' '), html: list(row.accounts) }) },
  {
    heading: 'Denied findings',
    type: 'number',
    cell: (row) => ({
      sort: row.deniedCount,
      html:
        `${row.deniedCount}` +
        (row.deniedFindings.length
          ? `<ul>${row.deniedFindings.map((finding) => `<li>${escapeHtml(findingText(finding))}</li>`).join('')}${row.deniedFindings.length < row.deniedCount ? `<li>and ${row.deniedCount - row.deniedFindings.length} more</li>` : ''}</ul>`
          : '') +
        (row.errors.length ? `<ul>${row.errors.map((error) => `<li>${escapeHtml(error)}</li>`).join('')}</ul>` : ''),
    }),
  },
  {
    heading: 'Fixable (C/H/M/L)',
    type: 'number',
    cell: (row) => {
      const f = row.fixableBySeverity;
      // Sorted by weight: one critical outranks any number of highs below a thousand.
      return { sort: f.critical * 1e9 + f.high * 1e6 + f.medium * 1e3 + f.low, html: `${f.critical}/${f.high}/${f.medium}/${f.low}` };
    },
  },
  {
    heading: 'Verdict age (h)',
    type: 'number',
    cell: (row) => (row.verdict ? { sort: row.verdict.ageHours, html: `${row.verdict.ageHours}` } : { sort: -1, html: 'no verdict' }),
  },
  {
    heading: 'Exceptions expiring',
    type: 'number',
    cell: (row) => ({
      sort: row.exceptionsExpiringSoon.length ? Math.min(...row.exceptionsExpiringSoon.map((e) => e.daysLeft)) : Number.MAX_SAFE_INTEGER,
      html: list(row.exceptionsExpiringSoon.map((e) => `${e.id} in ${e.daysLeft} d (${e.owner})`)),
    }),
  },
  { heading: 'In use since', type: 'text', cell: (row) => ({ sort: row.inUseSince, html: escapeHtml(row.inUseSince) }) },
];

function findingText(finding: InUseRow['deniedFindings'][number]): string {
  const extra = [
    finding.package ? `${finding.package}${finding.fixedVersion ? ` → ${finding.fixedVersion}` : ''}` : '',
    finding.knownExploited ? `KEV (${finding.knownExploited})` : '',
    finding.epss !== undefined ? `EPSS ${finding.epss}` : '',
  ].filter(Boolean);
  return `${finding.id} ${finding.severity}${extra.length ? `: ${extra.join(', ')}` : ''}`;
}

function rowHtml(row: InUseRow): string {
  const cells = COLUMNS.map((column) => {
    const { sort, html } = column.cell(row);
    return `<td${column.type === 'number' ? ' class="num"' : ''} data-sort="${escapeHtml(String(sort))}">${html}</td>`;
  });
  return `<tr>${cells.join('')}</tr>`;
}

export function renderInUseHtml(report: InUseReport): string {
  const { summary } = report;
  const counts = (['fail', 'error', 'warn', 'pass'] as const).map((decision) => `${summary.byDecision[decision]} ${DECISION_LABEL[decision]}`).join(', ');
  const truncated = report.truncated
    ? `<p class="truncated" id="truncated">Truncated: ${report.truncated.shown} of ${report.truncated.total} images in use are listed (most urgent first); the JSON export of a smaller scope lists the rest.</p>`
    : '';
  const exceptions = report.expiringExceptions.length
    ? `<table id="expiring"><thead><tr><th>Exception</th><th>Owner</th><th>Expires</th><th>Days left</th><th>Reason</th></tr></thead><tbody>${report.expiringExceptions
        .map((e) => `<tr><td>${escapeHtml(e.id)}</td><td>${escapeHtml(e.owner)}</td><td>${escapeHtml(e.expiresAt)}</td><td class="num">${e.daysLeft}</td><td>${escapeHtml(e.reason)}</td></tr>`)
        .join('')}</tbody></table>`
    : `<p>No exception of the policy expires within ${report.exceptionWindowDays} days.</p>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(IN_USE_HTML_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>fargate-gate: images in use, ${escapeHtml(report.generatedAt)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<h1>Images in use</h1>',
    `<p class="meta">Generated ${escapeHtml(report.generatedAt)} under policy ${escapeHtml(report.policy.name)} (<code>${escapeHtml(report.policy.hash.slice(0, 12))}</code>).</p>`,
    `<p class="meta" id="summary">${summary.images} images in ${summary.tasks} tasks and ${summary.services} services: ${counts}.</p>`,
    truncated,
    `<table id="in-use"><thead><tr>${COLUMNS.map((column) => `<th scope="col" data-type="${column.type}">${escapeHtml(column.heading)}</th>`).join('')}</tr></thead>`,
    `<tbody>${report.rows.map(rowHtml).join('\n')}</tbody></table>`,
    report.rows.length === 0 ? '<p>No image is in use.</p>' : '',
    `<h2>Exceptions expiring within ${report.exceptionWindowDays} days</h2>`,
    exceptions,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
