import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportObjectPort } from '../core/posture/report-objects';

export interface S3ReportObjectsOptions {
  client: S3Client;
  bucket: string;
}

/**
 * `ReportObjectPort` on the reports bucket: one PutObject per file (API_PutObject; the bucket's default encryption,
 * SSE-S3, applies). `no-cache` so a browser opening `in-use/latest/` through a presigned URL never shows yesterday's page.
 */
export class S3ReportObjects implements ReportObjectPort {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3ReportObjectsOptions) {
    if (!options.bucket) throw new Error('S3ReportObjects: bucket is required');
    this.client = options.client;
    this.bucket = options.bucket;
  }

  async putObject(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: 'no-cache' }));
  }
}
