import { detectReportFormat } from '../../../functions/core/findings/detect';
import { fixtureJson, inputErrorOf } from './support';

describe('detectReportFormat', () => {
  it.each([
    ['trivy/image-edge-cases.json', 'trivy'],
    ['trivy/image-no-results.json', 'trivy'],
    ['grype/image-edge-cases.json', 'grype'],
    ['grype/directory-db-built.json', 'grype'],
  ])('recognises %s as %s', (file, format) => {
    expect(detectReportFormat(fixtureJson(file), file)).toBe(format);
  });

  it('sends any object with "matches" to the Grype reader, which then checks its shape', () => {
    expect(detectReportFormat({ matches: 'x' }, 'r.json')).toBe('grype');
  });

  it.each([
    ['trivy/legacy-array.json', /legacy format \(a top-level array of results without SchemaVersion, written by Trivy before 0\.20\).*Trivy 0\.20 or later/],
    ['other/trivy-sarif.json', /this is a SARIF file.*`--format json` instead of `--format sarif`/],
    ['other/trivy-cyclonedx.json', /this is a CycloneDX document/],
    ['other/spdx.json', /this is an SPDX SBOM/],
    ['other/trivy-k8s.json', /Trivy Kubernetes report \(`trivy k8s`\)/],
  ])('rejects %s with one clear error naming the file and what is expected', (file, pattern) => {
    const error = inputErrorOf(() => detectReportFormat(fixtureJson(file), file));
    expect(error.source).toBe(file);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toMatch(pattern);
  });

  it.each([
    [3, 'SchemaVersion 3 is not supported; expected 2'],
    [1, 'SchemaVersion 1 is not supported; expected 2'],
    ['2', 'SchemaVersion the string "2" is not supported; expected 2'],
    [null, 'SchemaVersion null is not supported'],
  ])('rejects Trivy SchemaVersion %p', (version, text) => {
    const error = inputErrorOf(() => detectReportFormat({ SchemaVersion: version, Results: [] }, 'r.json'));
    expect(error.path).toBe('SchemaVersion');
    expect(error.message).toContain(text);
  });

  it('rejects the SchemaVersion 3 fixture', () => {
    expect(inputErrorOf(() => detectReportFormat(fixtureJson('trivy/schema-version-3.json'), 'v3.json')).message).toBe(
      'v3.json at SchemaVersion: Trivy report SchemaVersion 3 is not supported; expected 2 (the JSON schema of Trivy 0.20 and later)',
    );
  });

  it.each([
    [5, 'got the number 5 instead of a JSON object'],
    ['report', 'got the string "report" instead of a JSON object'],
    [null, 'got null instead of a JSON object'],
    [true, 'got true instead of a JSON object'],
    [[], 'got an empty array instead of a JSON object'],
    [[1, 2, 3], 'got an array of 3 instead of a JSON object'],
  ])('rejects the non-object %p', (value, text) => {
    const error = inputErrorOf(() => detectReportFormat(value, 'r.json'));
    expect(error.message).toContain('expected a Trivy JSON report (`trivy image --format json`, SchemaVersion 2) or a Grype JSON report (`grype -o json`)');
    expect(error.message).toContain(text);
  });

  it('rejects an object that is neither, listing its keys', () => {
    expect(inputErrorOf(() => detectReportFormat({ vulnerabilities: [], image: 'x' }, 'r.json')).message).toContain(
      'its top-level keys are "vulnerabilities", "image"',
    );
    expect(inputErrorOf(() => detectReportFormat({}, 'r.json')).message).toContain('it is an empty object');
  });

  it('says when a Trivy report lacks SchemaVersion, and when a Grype report lacks matches', () => {
    expect(inputErrorOf(() => detectReportFormat({ ArtifactName: 'a', Results: [] }, 'r.json')).message).toContain(
      'looks like a Trivy report but has no SchemaVersion',
    );
    expect(inputErrorOf(() => detectReportFormat({ descriptor: { name: 'grype' } }, 'r.json')).message).toContain(
      'looks like a Grype report but has no "matches" array',
    );
  });
});
