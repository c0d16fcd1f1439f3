import fs from 'node:fs';
import path from 'node:path';
import { firstErrorLine, type MediaBinaries, runTool } from '../media/binaries.ts';

/** One generated sample and the metadata the demo gives it in its manifest. */
interface SampleMedia {
  name: string;
  rating: number;
  /** ffmpeg arguments after `-y`, without the output path. */
  args: string[];
  annotations: Record<string, unknown>;
}

const tone = (seconds: number) => ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`];
const pattern = (source: string) => ['-f', 'lavfi', '-i', source];
const h264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'];

// Synthetic sources (test patterns and tones), so the demo needs no downloads. Ratings spread
// over 2-5: the default minScore of 3 hides one file, and minScore 5 shows two.
const SAMPLES: SampleMedia[] = [
  {
    name: 'street-clip.mp4',
    rating: 5,
    args: [...pattern('testsrc2=size=1280x720:rate=25:duration=12'), ...tone(12), ...h264, '-c:a', 'aac', '-shortest'],
    annotations: { labels: ['street', 'daytime'], scene: 'test pattern' },
  },
  {
    name: 'portrait-clip.mp4',
    rating: 4,
    args: [...pattern('smptebars=size=480x854:rate=25:duration=4'), ...h264],
    annotations: { labels: ['bars'], orientation: 'portrait' },
  },
  { name: 'voice-note.m4a', rating: 3, args: [...tone(6), '-c:a', 'aac'], annotations: { labels: ['speech'], language: 'en' } },
  {
    name: 'landscape.jpg',
    rating: 5,
    args: [...pattern('testsrc2=size=1600x900'), '-frames:v', '1'],
    annotations: { labels: ['landscape'] },
  },
  {
    name: 'portrait.jpg',
    rating: 4,
    args: [...pattern('mandelbrot=size=600x900'), '-frames:v', '1'],
    annotations: { labels: ['fractal'], orientation: 'portrait' },
  },
  {
    name: 'square.png',
    rating: 3,
    args: [...pattern('rgbtestsrc=size=512x512'), '-frames:v', '1'],
    annotations: { labels: ['colour chart'] },
  },
  {
    name: 'thumbnail.png',
    rating: 2,
    args: [...pattern('testsrc=size=160x120'), '-frames:v', '1'],
    annotations: { labels: ['low quality'] },
  },
];

/**
 * Generates the demo's sample media into `dir` (once; existing files are kept) and writes a
 * manifest with ratings and annotations. Returns the manifest path.
 */
export async function generateSampleMedia(dir: string, binaries: MediaBinaries): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  for (const sample of SAMPLES) {
    const target = path.join(dir, sample.name);
    if (fs.existsSync(target)) continue;
    // Written under a dot name first (which ingest skips), so an interrupted run leaves no half file.
    const partial = path.join(dir, `.partial-${sample.name}`);
    const result = await runTool(binaries.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...sample.args, partial], {
      timeoutMs: 120_000,
    });
    if (result.exitCode !== 0) throw new Error(`ffmpeg could not generate ${sample.name}: ${firstErrorLine(result.stderr)}`);
    fs.renameSync(partial, target);
  }

  const manifestPath = path.join(dir, 'manifest.jsonl');
  const lines = SAMPLES.map((sample) =>
    JSON.stringify({
      path: sample.name,
      ai_star_rating: sample.rating,
      annotations: sample.annotations,
      device_info: { device_model: 'files-gateway demo', device_os: null, app_version: 'ffmpeg lavfi' },
    }),
  );
  fs.writeFileSync(manifestPath, `${lines.join('\n')}\n`);
  return manifestPath;
}
