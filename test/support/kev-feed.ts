/** A CISA KEV JSON feed the tests write: `count` listed CVEs (CVE-2020-10000, ...), released at `released`. Never fetched. */
export function kevFeedText(count: number, released = '2026-12-01T14:00:00.000Z', version = '2026.12.01'): string {
  const vulnerabilities = Array.from({ length: count }, (_, i) => ({
    cveID: `CVE-2020-${10000 + i}`,
    vendorProject: 'Example',
    product: 'Widget',
    vulnerabilityName: `Example Widget flaw ${i}`,
    dateAdded: '2024-01-02',
    shortDescription: 'A test entry.',
    requiredAction: 'Apply updates.',
    dueDate: '2024-01-23',
    knownRansomwareCampaignUse: 'Unknown',
    notes: '',
    cwes: [],
  }));
  return JSON.stringify({ title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: version, dateReleased: released, count, vulnerabilities });
}
