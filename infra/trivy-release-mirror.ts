import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { grantWithReasons } from './nag-suppressions';
import { ec2FallbackCompute, scanProjectCompute } from './scan-fallback';
import type { ResolvedSettings } from './settings';
import { PRIVATE_BUCKET_PROPS } from './private-bucket';
import {
  PINNED_TRIVY,
  TRIVY_RELEASES_URL,
  parseTrivyDownloadBaseUrl,
  trivyAssetName,
  trivyChecksumsFileName,
  trivyReleaseKey,
  type ScanArchitecture,
} from './trivy';

/** The key prefix of the release copy in its bucket: objects are `trivy/v<version>/<asset>`, as the release URLs are laid out. */
export const TRIVY_RELEASE_PREFIX = 'trivy';

/** One release tarball the scans install, with the SHA-256 the project pins for it. */
export interface TrivyReleaseAsset {
  readonly architecture: ScanArchitecture;
  readonly asset: string;
  readonly sha256: string;
}

/**
 * The tarballs the scan projects install, one per architecture they run on (the scan project's and its EC2 fallback's).
 * The SHA-256 of the configured architecture is the resolved setting (`scanner.trivySha256` or the pin); another
 * architecture has one only for the pinned release (`PINNED_TRIVY`): a custom version names one checksum only.
 */
export function trivyReleaseAssets(trivy: { version: string; sha256: string; asset: string }, architectures: readonly ScanArchitecture[]): TrivyReleaseAsset[] {
  return [...new Set(architectures)].map((architecture) => {
    const asset = trivyAssetName(trivy.version, architecture);
    if (asset === trivy.asset) return { architecture, asset, sha256: trivy.sha256 };
    if (trivy.version !== PINNED_TRIVY.version) {
      throw new Error(`a scan project runs on ${architecture}, but scanner.trivySha256 pins only ${trivy.asset} of Trivy ${trivy.version}: use the pinned release ${PINNED_TRIVY.version}, or one architecture`);
    }
    return { architecture, asset, sha256: PINNED_TRIVY.sha256[architecture] };
  });
}

/** The tarballs the scan projects of these settings install: the scan project's architecture and its EC2 fallback's. */
export function scanTrivyAssets(settings: ResolvedSettings): TrivyReleaseAsset[] {
  const computes = [scanProjectCompute(settings), ec2FallbackCompute(settings)].filter((compute) => compute !== undefined);
  return trivyReleaseAssets(settings.trivy, computes.map((compute) => compute.architecture));
}

/**
 * Where the scans download Trivy (their GATE_TRIVY_DOWNLOAD_URL): the account's own source when it names one (GitHub
 * releases without the managed mirror, resolveSettings), else the stack's copy.
 */
export function scanTrivyDownloadBaseUrl(settings: ResolvedSettings, copy: TrivyReleaseMirror | undefined): string {
  const given = settings.trivy.downloadBaseUrl;
  if (given !== undefined) return given;
  if (!copy) throw new Error('no Trivy download URL and no copy of the release: the managed DB mirror keeps the copy when scanner.downloadBaseUrl is not set');
  return copy.baseUrl;
}

export interface TrivyReleaseMirrorProps {
  readonly version: string;
  /** The tarballs to keep, each verified against its pinned SHA-256. */
  readonly assets: readonly TrivyReleaseAsset[];
  /** Where the refresh job copies the release from (`<url>/v<version>/<file>`, https). @default GitHub releases */
  readonly sourceUrl?: string;
  /** The stack's access-log bucket: reads and writes of the release copy are logged there. */
  readonly accessLogsBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The pinned Trivy release inside the account: a private bucket holding the release's tarballs for the scan projects'
 * architectures and its checksums file, under `trivy/v<version>/`. The vulnerability DB mirror's refresh job fills it
 * (buildspecs/vulnerability-db-refresh.yml, last build step; its first run is part of the deployment), copying each
 * tarball only after its SHA-256 matched the pin the project keeps (infra/trivy.ts) and the release's checksums file
 * agreed with that pin, and S3 checks the upload against the same pin (`x-amz-checksum-sha256`). Scans download from
 * here with the scan role (`aws s3 cp`) and check the pin again before unpacking, so no scan downloads Trivy from GitHub.
 *
 * The bucket: SSE-S3, TLS 1.2 or later only, public access blocked, owner-enforced, versioned (a replaced copy stays
 * recoverable for a week), access-logged to the stack's log bucket.
 */
export class TrivyReleaseMirror extends Construct {
  readonly bucket: s3.Bucket;
  readonly version: string;
  readonly assets: readonly TrivyReleaseAsset[];
  readonly sourceUrl: string;

  constructor(scope: Construct, id: string, props: TrivyReleaseMirrorProps) {
    super(scope, id);
    if (props.assets.length === 0) throw new Error('the Trivy release mirror needs at least one tarball to keep');
    this.version = props.version;
    this.assets = props.assets;
    const source = parseTrivyDownloadBaseUrl(props.sourceUrl ?? TRIVY_RELEASES_URL, 'the Trivy release source');
    if (source.kind !== 'https') throw new Error('the Trivy release mirror copies from an https:// source');
    this.sourceUrl = source.url;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET_PROPS,
      versioned: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'trivy-release-bucket/',
      lifecycleRules: [
        {
          // A copy is rewritten only when it was missing or wrong; what it replaced is kept a week, then removed, and a
          // delete marker with no version behind it goes too.
          id: 'expire-replaced-copies',
          noncurrentVersionExpiration: Duration.days(7),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
  }

  /** The scans' `downloadBaseUrl`: `s3://<bucket>/trivy`. */
  get baseUrl(): string {
    return `s3://${this.bucket.bucketName}/${TRIVY_RELEASE_PREFIX}`;
  }

  /** The object key of one release file. */
  objectKey(file: string): string {
    return trivyReleaseKey(TRIVY_RELEASE_PREFIX, this.version, file);
  }

  /** The refresh project's variables of the copy step. */
  refreshVariables(): Record<string, codebuild.BuildEnvironmentVariable> {
    return {
      GATE_TRIVY_RELEASE_VERSION: { value: this.version },
      // `<asset>=<sha256>` pairs, comma-separated: the buildspec checks each against a strict pattern.
      GATE_TRIVY_RELEASE_ASSETS: { value: this.assets.map(({ asset, sha256 }) => `${asset}=${sha256}`).join(',') },
      GATE_TRIVY_RELEASE_SOURCE_URL: { value: this.sourceUrl },
      GATE_TRIVY_RELEASE_MIRROR_URL: { value: this.baseUrl },
    };
  }

  /** What a change of which must copy again at deploy (the first refresh's fingerprint). */
  refreshSettings(): unknown {
    return { version: this.version, assets: this.assets, sourceUrl: this.sourceUrl, prefix: TRIVY_RELEASE_PREFIX };
  }

  /**
   * The refresh role reads (the check of what is already there) and writes exactly the release's files: each tarball
   * and the checksums file, by key. No list, no delete, no other key.
   */
  grantCopy(grantee: iam.IGrantable & IConstruct): void {
    const files = [...this.assets.map(({ asset }) => asset), trivyChecksumsFileName(this.version)];
    grantWithReasons(grantee, [
      {
        statement: new iam.PolicyStatement({
          sid: 'CopyTrivyReleaseIntoTheMirror',
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: files.map((file) => this.bucket.arnForObjects(this.objectKey(file))),
        }),
      },
    ]);
  }

  /** The scan role may read the tarballs it installs, by key, and nothing else of the bucket. */
  grantRead(grantee: iam.IGrantable & IConstruct): void {
    grantWithReasons(grantee, [
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadTrivyReleaseMirror',
          actions: ['s3:GetObject'],
          resources: this.assets.map(({ asset }) => this.bucket.arnForObjects(this.objectKey(asset))),
        }),
      },
    ]);
  }
}

/**
 * An account's own S3 release mirror (`scanner.downloadBaseUrl` of the form s3://): the scan role may read the tarballs
 * it installs there, by key. Nothing is granted for an https:// source, which needs no AWS permission.
 */
export function grantReadOwnTrivyRelease(grantee: iam.IGrantable & IConstruct, downloadBaseUrl: string, version: string, assets: readonly TrivyReleaseAsset[]): void {
  const location = parseTrivyDownloadBaseUrl(downloadBaseUrl, 'scanner.downloadBaseUrl');
  if (location.kind !== 's3') return;
  const stack = Stack.of(grantee);
  grantWithReasons(grantee, [
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadOwnTrivyReleaseMirror',
        actions: ['s3:GetObject'],
        resources: assets.map(({ asset }) => `arn:${stack.partition}:s3:::${location.bucket}/${trivyReleaseKey(location.prefix, version, asset)}`),
      }),
    },
  ]);
}
