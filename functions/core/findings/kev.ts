import * as z from 'zod';
import { InputError } from '../errors';
import { parseJsonText } from '../json-text';
import { parseWithSchema } from '../validation/issues';
import { lazySchema } from '../lazy-schema';
import { canonicalVulnerabilityId } from './ids';
import { readDate } from './exploit';
import type { ExploitSource, KnownExploitedFact, ScanReport, VulnerabilityFinding } from './model';
import { defined } from './values';

/*
 * CISA's Known Exploited Vulnerabilities catalogue, in the JSON feed's format
 * (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json, schema
 * known_exploited_vulnerabilities_schema.json beside it): `{title, catalogVersion, dateReleased, count,
 * vulnerabilities: [{cveID, vendorProject, product, vulnerabilityName, dateAdded, shortDescription, requiredAction,
 * dueDate, knownRansomwareCampaignUse, notes, cwes}]}`.
 *
 * What the gate reads is checked strictly (a catalogue that cannot be read must not pass as one that lists nothing);
 * keys it does not read are allowed, because CISA adds fields over time (`cwes` came in 2023) and a refresh must not
 * start failing the gate when it does.
 */

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
// The schema is built when a catalogue is first read (../lazy-schema.ts): the gate's cold start loads this module,
// but reads a catalogue only on a path that judges known-exploited vulnerabilities.
const day = () =>
  z.string().refine((text) => readDate(text) === text && text.length === 10, { message: 'expected a date "YYYY-MM-DD" that exists in the calendar' });

const kevEntry = () =>
  z.looseObject({
    cveID: z.string().regex(CVE_ID, { message: 'expected a CVE id such as "CVE-2021-44228"' }),
    dateAdded: day(),
    dueDate: day().optional(),
    knownRansomwareCampaignUse: z.string().optional(),
    vendorProject: z.string().optional(),
    product: z.string().optional(),
  });

const kevCatalogueSchema = lazySchema(() => z
  .looseObject({
    // A version names every fact the catalogue adds (in results and verdicts): bounded, so a hostile file cannot bloat them.
    catalogVersion: z.string().trim().min(1).max(64),
    dateReleased: z.string().refine((text) => readDate(text) !== undefined, { message: 'expected an ISO date-time such as "2026-12-01T14:00:00.000Z"' }),
    count: z.int().min(0),
    vulnerabilities: z.array(kevEntry()),
  })
  .superRefine((catalogue, ctx) => {
    // A count that disagrees with the list is a truncated or hand-edited file: refusing it beats judging by part of it.
    if (catalogue.count !== catalogue.vulnerabilities.length) {
      ctx.addIssue({ code: 'custom', path: ['count'], message: `says ${catalogue.count} vulnerabilities, but the catalogue lists ${catalogue.vulnerabilities.length}` });
    }
  }));

/** A catalogue ready for look-ups: its identity (for every fact it adds) and its listings by canonical CVE id. */
export interface KevCatalogue {
  source: Extract<ExploitSource, { kind: 'catalogue' }>;
  count: number;
  byCve: ReadonlyMap<string, KnownExploitedFact>;
}

/** Reads a KEV catalogue from the text of its JSON feed; an `InputError` naming `source` and the JSON path when it is not one. */
export function parseKevCatalogueText(text: string, source: string): KevCatalogue {
  const json = parseJsonText(text, { source, what: 'KEV catalogue', expected: 'the CISA KEV JSON feed' });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError('KEV catalogue: expected a JSON object with catalogVersion, dateReleased, count and vulnerabilities (the CISA KEV JSON feed)', { source });
  }
  const catalogue = parseWithSchema(kevCatalogueSchema(), json, { source, what: 'KEV catalogue' });
  const identity = { kind: 'catalogue', catalogue: 'cisa-kev', version: catalogue.catalogVersion.trim(), released: catalogue.dateReleased } as const;
  const byCve = new Map<string, KnownExploitedFact>();
  for (const entry of catalogue.vulnerabilities) {
    const id = canonicalVulnerabilityId(entry.cveID);
    if (byCve.has(id)) continue;
    byCve.set(id, defined<KnownExploitedFact>({ source: identity, dateAdded: entry.dateAdded, dueDate: entry.dueDate, ransomware: entry.knownRansomwareCampaignUse?.trim() || undefined }));
  }
  return { source: identity, count: catalogue.count, byCve };
}

/** The catalogue's listing of a finding: by its id, else by any alias (a GHSA finding whose CVE is listed). */
function listing(catalogue: KevCatalogue, finding: VulnerabilityFinding): KnownExploitedFact | undefined {
  for (const id of [finding.id, ...finding.aliases]) {
    const fact = catalogue.byCve.get(canonicalVulnerabilityId(id));
    if (fact) return fact;
  }
  return undefined;
}

/**
 * The report with the catalogue's listings added to the findings it lists (beside any the report carries itself).
 * Pure: the report is not changed. Linear in findings and their aliases.
 */
export function withKevCatalogue(report: ScanReport, catalogue: KevCatalogue): ScanReport {
  let added = false;
  const vulnerabilities = report.vulnerabilities.map((finding) => {
    const fact = listing(catalogue, finding);
    if (!fact) return finding;
    added = true;
    return { ...finding, knownExploited: [...(finding.knownExploited ?? []), fact] };
  });
  return added ? { ...report, vulnerabilities } : report;
}
