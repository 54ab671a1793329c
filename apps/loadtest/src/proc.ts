import { readdirSync, readFileSync } from 'node:fs';
import { round } from './load.js';

// What the bench reads of processes from /proc: CPU seconds, memory, the PostgreSQL server's processes.

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** A process's resident memory now and at its peak so far (VmRSS, VmHWM), in MiB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (field: string) => round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
  return { rss: read('VmRSS'), peak: read('VmHWM') };
}

/** Every PostgreSQL server process (the postmaster and its backends). */
export function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    });
}

/** Peak resident memory of a process, from the kernel's high-water mark (VmHWM). */
export function watchMemory(pid: number) {
  const read = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, read())), 500);
  return {
    /** The peak so far (VmHWM is a high-water mark: it never goes down). */
    peak: () => round(Math.max(peak, read())),
    stop: () => {
      clearInterval(timer);
      return round(Math.max(peak, read()));
    },
  };
}
