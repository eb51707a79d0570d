import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket of the stack is: no public access, SSE-S3, TLS 1.2 or later only (a bucket policy refusing
 * anything else), objects owned by the bucket owner (ACLs off). Each bucket adds its own versioning, logging and
 * lifecycle.
 */
export const PRIVATE_BUCKET_PROPS = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const satisfies s3.BucketProps;
