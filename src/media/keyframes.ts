import { imageSize } from 'image-size';
import type { MediaRejection } from './analyze.ts';
import { firstErrorLine, type MediaBinaries, runTool } from './binaries.ts';
import { checkPng } from './image-structure.ts';
import { KEYFRAME_POSITIONS } from './limits.ts';

/** One upright PNG frame of a video. */
export interface Keyframe {
  index: number;
  timestampSeconds: number;
  /** Read back from the PNG itself, so they are the displayed (rotated) size. */
  width: number;
  height: number;
  png: Buffer;
}

/** ffmpeg arguments that write one frame at `seconds` as PNG to stdout; ffmpeg rotates upright by default (autorotate). */
function frameArgs(filePath: string, seconds: number, accurate: boolean): string[] {
  // `-ss` before `-i` seeks in the demuxer (fast). With -noaccurate_seek the frame at the
  // preceding keyframe is kept instead of decoding forward, so some frame always comes out.
  const seek = accurate ? ['-ss', seconds.toFixed(6)] : ['-noaccurate_seek', '-ss', seconds.toFixed(6)];
  return ['-nostdin', '-v', 'error', ...seek, '-i', filePath, '-map', '0:V:0', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-'];
}

/** Checks that bytes are one complete PNG with a real size; returns the size or the reason it is not. */
function validatePng(png: Buffer): { width: number; height: number } | string {
  if (png.length === 0) return 'ffmpeg wrote no frame';
  const structure = checkPng(png);
  if (!structure.ok) return structure.message;
  const { width, height } = imageSize(png);
  if (!width || !height) return 'the PNG has no width or height';
  return { width, height };
}

async function extractFrame(filePath: string, index: number, seconds: number, binaries: MediaBinaries): Promise<Keyframe | string> {
  let reason = '';
  // A frame asked for in the last frame interval can decode to nothing with an accurate seek;
  // the second attempt takes the nearest earlier frame.
  for (const accurate of [true, false]) {
    const result = await runTool(binaries.ffmpeg, frameArgs(filePath, seconds, accurate));
    if (result.timedOut) return `ffmpeg timed out at ${seconds.toFixed(3)} s`;
    if (result.exitCode !== 0) {
      reason = firstErrorLine(result.stderr);
      continue;
    }
    const checked = validatePng(result.stdout);
    if (typeof checked !== 'string') return { index, timestampSeconds: seconds, ...checked, png: result.stdout };
    reason = checked;
  }
  return `frame at ${seconds.toFixed(3)} s: ${reason}`;
}

/**
 * Extracts the keyframes at 25 %, 50 % and 75 % of `spanSeconds` (normally the duration; see
 * `MediaAnalysis.keyframeSpanSeconds`), in parallel. Returns a `keyframes_failed` rejection when
 * any of them cannot be produced, because a video is stored with all three or not at all.
 */
export async function extractKeyframes(
  filePath: string,
  spanSeconds: number,
  binaries: MediaBinaries,
): Promise<Keyframe[] | MediaRejection> {
  const frames = await Promise.all(
    KEYFRAME_POSITIONS.map((position, index) => extractFrame(filePath, index, spanSeconds * position, binaries)),
  );
  const failures = frames.filter((frame): frame is string => typeof frame === 'string');
  if (failures.length > 0) {
    return { ok: false, code: 'keyframes_failed', message: `Could not produce the video's keyframes: ${failures.join('; ')}.` };
  }
  return frames as Keyframe[];
}
