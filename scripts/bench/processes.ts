/**
 * Starts the servers under test as child processes on 127.0.0.1 and stops them again, also when
 * the script fails or receives SIGINT or SIGTERM. Children are stopped by their own PID only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { REPO_ROOT } from './settings.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Bytes of a child's output kept for error messages. */
const OUTPUT_TAIL_BYTES = 8_192;

const running = new Set<ChildProcess>();
const temporaryDirs = new Set<string>();
let cleanupInstalled = false;
let receivedSignal: NodeJS.Signals | undefined;

/** Returns the signal that interrupted this process, or undefined while none has. */
export function interruptingSignal(): NodeJS.Signals | undefined {
  return receivedSignal;
}

/** Removes `dir` when this process exits, also after a signal, which skips pending `finally` blocks. */
export function removeOnExit(dir: string): string {
  temporaryDirs.add(dir);
  return dir;
}

/** Kills every child still running and removes the registered folders when this process exits or is interrupted. */
export function installCleanup(onSignal?: () => void): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      receivedSignal = signal;
      console.error(`\nReceived ${signal}: stopping ${running.size} child process(es) and exiting.`);
      onSignal?.();
      for (const child of running) child.kill('SIGTERM');
      process.exitCode = signal === 'SIGINT' ? 130 : 143;
      // Give the children a moment to drain, then the exit handler kills what is left.
      setTimeout(() => process.exit(), 2_000).unref();
    });
  }
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function findFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('net.Server.address() returned no TCP port');
  return address.port;
}

/** Reads a `kB` field of /proc/PID/status (VmRSS, VmHWM) in bytes, or undefined once the process is gone. */
export function readProcStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) of one process in milliseconds, from /proc/PID/stat; undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; the fields after its last ")" are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, so indexes 11 and 12 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU time in milliseconds of every process named `postgres` (the server and its backends), by PID. */
export function postgresCpuByPid(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const cpu = processCpuMs(Number(entry));
    if (cpu !== undefined) byPid.set(Number(entry), cpu);
  }
  return byPid;
}

/**
 * PostgreSQL CPU milliseconds spent between two samples. A backend that exited in between is
 * missed; one that started counts in full.
 */
export function postgresCpuBetween(start: Map<number, number>, end: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of end) total += cpu - (start.get(pid) ?? 0);
  return total;
}

export interface ChildServer {
  name: string;
  pid: number;
  url: string;
  /** Last lines the process wrote to stdout and stderr. */
  outputTail(): string;
  /** Sends SIGTERM, waits for the exit, and sends SIGKILL after STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Arguments to `node`, e.g. ['bin/files-gateway.js', 'serve']. */
  nodeArgs: string[];
  env: Record<string, string>;
  port: number;
  /** Path polled until it returns 200, e.g. /readyz. */
  readyPath: string;
}

/** Starts `node …` in the repository root and resolves once `readyPath` returns 200. */
export async function startServer(options: StartOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, options.nodeArgs, { cwd: REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Failed to start ${options.name}: spawn returned no PID.`);
  running.add(child);

  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const server: ChildServer = {
    name: options.name,
    pid: child.pid,
    url: `http://127.0.0.1:${options.port}`,
    outputTail: () => tail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };

  try {
    await waitUntilReady(server, options.readyPath, exited);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitUntilReady(server: ChildServer, readyPath: string, exited: Promise<void>): Promise<void> {
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`${server.name} exited before it was ready. Its last output:\n${server.outputTail()}`);
    try {
      const response = await fetch(`${server.url}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${server.name} was not ready on ${server.url}${readyPath} within ${READY_TIMEOUT_MS / 1000} s. Its last output:\n${server.outputTail()}`,
  );
}

/**
 * Listens on a loopback port that serves as the S3 endpoint and counts the connections it
 * receives. Presigning is offline, so the count should stay 0.
 */
export async function startConnectionCounter(): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('net.Server.address() returned no TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
