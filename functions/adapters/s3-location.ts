/** Where a reviewer finds an object of the reports bucket (`s3://bucket/key`): `S3Reports.locationOf`, and the Lambda's lazy reports port. */
export function s3Location(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
