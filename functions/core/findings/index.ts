/** The findings module's public face: parse any supported scanner report into the one finding model. */
export { parseScanReport, parseScanReportText } from './parse';
export { summariseFindings, type FindingsSummary } from './summary';
export { detectReportFormat, type ReportFormat } from './detect';
export * from './model';
export * from './ids';
