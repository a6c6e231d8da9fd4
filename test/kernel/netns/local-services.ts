// Starts the host's listeners and userland proxies (local_services.py) inside the host namespace
// and waits until every socket is bound, so the replay meets them from its first packet.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { HostSpec } from './host-spec.js';

export interface LocalServices {
  stop(): void;
}

const SCRIPT = join(import.meta.dirname, 'local_services.py');

export async function startLocalServices(hostNs: string, spec: HostSpec): Promise<LocalServices> {
  if (!spec.listeners?.length && !spec.proxies?.length) return { stop() {} };
  // local_services.py takes docker-proxy's vocabulary.
  const arg = JSON.stringify({
    listeners: (spec.listeners ?? []).map((l) => ({
      proto: l.protocol,
      port: l.port,
      ...(l.address ? { addr: l.address } : {}),
    })),
    proxies: (spec.proxies ?? []).map((p) => ({
      proto: p.protocol,
      hostIp: p.address ?? '0.0.0.0',
      hostPort: p.port,
      containerIp: p.target.address,
      containerPort: p.target.port,
    })),
  });
  const child: ChildProcess = spawn('ip', ['netns', 'exec', hostNs, '/usr/bin/python3', SCRIPT, arg], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    if (child.exitCode === null && child.pid) child.kill('SIGKILL');
  };
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`local services did not start within 5 s: ${stderr}`));
    }, 5000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local services exited (${code}) before they were ready: ${stderr.trim()}`));
    });
  });
  return { stop };
}
