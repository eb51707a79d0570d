import { MAX_EC2_ABOVE_IMAGE_BYTES, MIN_EC2_ABOVE_IMAGE_BYTES } from '../../core/gate/ec2-above-image-bytes';
import { parseByteSize } from '../../core/report-size';
import { GATE_ENV } from '../environment';

/**
 * `GATE_EC2_ABOVE_IMAGE_BYTES`: the image size above which a scan starts on the EC2 fallback project (the construct
 * writes a number of bytes from `scanCompute.ec2AboveImageSize`). Unset: the default (undefined here). A value that is
 * not a size from 64 MiB to 1 TiB fails the cold start, naming the variable, rather than routing every scan somewhere.
 */
export function imageSizeThreshold(env: Record<string, string | undefined>): number | undefined {
  const text = env[GATE_ENV.ec2AboveImageBytes]?.trim();
  if (!text) return undefined;
  return parseByteSize(text, `fargate-gate: environment variable ${GATE_ENV.ec2AboveImageBytes}`, { min: MIN_EC2_ABOVE_IMAGE_BYTES, max: MAX_EC2_ABOVE_IMAGE_BYTES });
}
