import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KevCatalogueStore } from '../handlers/kev/refresh';
import { hasAwsErrorName } from './aws-errors';

/** The fixed key of the KEV catalogue in the reports bucket: the refresh writes it, the gate reads it. */
export const KEV_CATALOGUE_KEY = 'kev/known_exploited_vulnerabilities.json';
/** Largest catalogue object read back (the refresh never writes a larger one). */
export const KEV_CATALOGUE_MAX_BYTES = 16 * 1024 * 1024;

export interface S3KevCatalogueOptions {
  client: S3Client;
  bucket: string;
  key?: string;
  maxBytes?: number;
}

/**
 * The KEV catalogue object on S3. A missing object is `undefined` (no catalogue yet: for that to be a 404 rather
 * than a 403 the reader needs s3:ListBucket), an object larger than the bound is an error, read no further.
 */
export class S3KevCatalogue implements KevCatalogueStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  readonly key: string;
  private readonly maxBytes: number;

  constructor(options: S3KevCatalogueOptions) {
    if (!options.bucket) throw new Error('S3KevCatalogue: bucket is required');
    this.client = options.client;
    this.bucket = options.bucket;
    this.key = options.key ?? KEV_CATALOGUE_KEY;
    this.maxBytes = options.maxBytes ?? KEV_CATALOGUE_MAX_BYTES;
  }

  get location(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async read(): Promise<string | undefined> {
    let result;
    try {
      result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
    } catch (error) {
      if (hasAwsErrorName(error, 'NoSuchKey', 'NotFound')) return undefined;
      throw error;
    }
    if (result.ContentLength !== undefined && result.ContentLength > this.maxBytes) {
      throw new Error(`${this.location} is ${result.ContentLength} bytes, more than the ${this.maxBytes}-byte limit of a KEV catalogue`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of (result.Body ?? []) as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > this.maxBytes) throw new Error(`${this.location} is more than the ${this.maxBytes}-byte limit of a KEV catalogue`);
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  }

  async write(text: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: text, ContentType: 'application/json' }));
  }
}
