import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MEDIA_TOOL_TIMEOUT_MS } from './limits.ts';

/** Absolute paths (or PATH names) of the ffmpeg and ffprobe executables to run. */
export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
}

export interface MediaBinaryOverrides {
  ffmpegPath?: string | undefined;
  ffprobePath?: string | undefined;
}

const require = createRequire(import.meta.url);

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Returns the binary that an npm installer package ships, or undefined when it has none for this platform. */
function installerPath(packageName: string): string | undefined {
  try {
    // The installer packages throw at load time on a platform they have no binary for.
    return (require(packageName) as { path: string }).path;
  } catch {
    return undefined;
  }
}

/**
 * Chooses ffmpeg and ffprobe: an explicit override (FFMPEG_PATH, FFPROBE_PATH) first, then a
 * system binary on PATH, then the npm builds (@ffmpeg-installer/ffmpeg is a 2018 build,
 * @ffprobe-installer/ffprobe a 2023 one). PATH is the operating system's search path, read
 * here because it is not application configuration.
 */
export function resolveMediaBinaries(overrides: MediaBinaryOverrides = {}, searchPath = process.env.PATH ?? ''): MediaBinaries {
  const choose = (name: 'ffmpeg' | 'ffprobe', override: string | undefined, installer: string) =>
    override ?? findOnPath(name, searchPath) ?? installerPath(installer) ?? name;
  return {
    ffmpeg: choose('ffmpeg', overrides.ffmpegPath, '@ffmpeg-installer/ffmpeg'),
    ffprobe: choose('ffprobe', overrides.ffprobePath, '@ffprobe-installer/ffprobe'),
  };
}

/** Names every chosen binary that cannot be run, as a message for a configuration error. */
export function checkMediaBinaries(binaries: MediaBinaries): string | undefined {
  const missing = Object.entries(binaries).filter(([, file]) => !isExecutable(file));
  if (missing.length === 0) return undefined;
  const list = missing.map(([name, file]) => `${name} (${file})`).join(', ');
  return `Cannot run ${list}: install ffmpeg on PATH, or set FFMPEG_PATH and FFPROBE_PATH to executable files.`;
}

export interface ToolResult {
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

/** A media tool that could not be started at all (missing or not executable), as opposed to one that failed on its input. */
export class MediaToolError extends Error {
  override name = 'MediaToolError';
}

/**
 * Runs a tool to completion without a shell, collecting stdout as bytes (PNG frames arrive
 * there) and stderr as text. It is killed after `timeoutMs`; stdout beyond `maxStdoutBytes`
 * also kills it, so a runaway output cannot exhaust memory.
 */
export function runTool(
  binary: string,
  args: readonly string[],
  options: { timeoutMs?: number; maxStdoutBytes?: number } = {},
): Promise<ToolResult> {
  const maxStdoutBytes = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let timedOut = false;

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? MEDIA_TOOL_TIMEOUT_MS);

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdoutBytes) child.kill('SIGKILL');
      else chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      // Only the start of stderr is kept: it names the problem, and ffmpeg can repeat a warning per frame.
      if (stderr.length < 16_384) stderr += text;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new MediaToolError(`Failed to start ${binary}: ${error.message}`));
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout: Buffer.concat(chunks), stderr, timedOut });
    });
  });
}

/** Returns the first line of a tool's stderr, for a rejection message. */
export function firstErrorLine(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((text) => text.trim())
    .find(Boolean);
  return line ?? 'no error output';
}
