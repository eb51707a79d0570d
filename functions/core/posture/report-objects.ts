/** Where the scheduled in-use report writes its files (the reports bucket on AWS; memory in tests and simulate). */
export interface ReportObjectPort {
  /** Writes (or replaces) one object. */
  putObject(key: string, body: string, contentType: string): Promise<void>;
}
