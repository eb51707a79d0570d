/*
 * The setting of the image size above which a new scan starts on the EC2 fallback project (compute-routing.ts routes
 * by it). Its own module: the gate checks the setting at every cold start (handlers/lambda/image-size-threshold.ts),
 * the routing runs only when a scan starts.
 */

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/**
 * Default threshold, in bytes of ECR's `imageSizeInBytes` (the compressed size), above which a scan starts on EC2:
 * 2 GiB. Derived from what Lambda compute gives the scan ("Limitations of AWS Lambda compute",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations: builds write only under
 * `/tmp`; "Build environment compute modes and types", build-env-ref-compute-types.html: 10 GB of disk on every
 * Lambda compute type, 1 to 10 GB of memory):
 * - of the 10 GB, the scanner keeps about 3 GB for itself: the Trivy binary, the vulnerability DB and the Java DB
 *   (their compressed archives were 41 MiB and 474 MiB in Oct 2023, aquasecurity/trivy#5441, several times that
 *   unpacked, and growing), the report and the SBOM; about 7 GB is left for the image's layers;
 * - ECR reports the compressed size: "the Docker client compresses image layers before pushing them ... the output of
 *   the docker images command shows the uncompressed image size, so it might return a larger image size than the image
 *   sizes that are returned by DescribeImages" (ImageDetail, ECR API Reference,
 *   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html). Gzip'd layers of binaries and
 *   libraries commonly expand two to three times; at three times, 7 GB holds about 2.3 GB compressed;
 * - so 2 GiB compressed (about 6 GiB unpacked) stays under `/tmp` with a margin, while the images most services run
 *   (tens to hundreds of MB) keep Lambda compute's fast start. An image just under it that still does not fit falls
 *   back after failing, as before.
 */
export const DEFAULT_EC2_ABOVE_IMAGE_BYTES = 2 * GIB;

/** Bounds of the setting: below 64 MiB nearly every image would go to EC2; above 1 TiB nothing ever would. */
export const MIN_EC2_ABOVE_IMAGE_BYTES = 64 * MIB;
export const MAX_EC2_ABOVE_IMAGE_BYTES = 1024 * GIB;

/** Whether a threshold is one the setting accepts: a whole number of bytes from 64 MiB to 1 TiB. */
export function isValidEc2AboveImageBytes(value: number): boolean {
  return Number.isSafeInteger(value) && value >= MIN_EC2_ABOVE_IMAGE_BYTES && value <= MAX_EC2_ABOVE_IMAGE_BYTES;
}
