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

/**
 * Starts counting the CPU seconds of every PostgreSQL server process, including backends started
 * meanwhile (a pool that opens connections during the work): call the returned function for the
 * seconds used since.
 */
export function postgresCpu(): () => number {
  const before = new Map(postgresPids().map((pid) => [pid, cpuSeconds(pid)]));
  return () => postgresPids().reduce((sum, pid) => sum + Math.max(0, cpuSeconds(pid) - (before.get(pid) ?? 0)), 0);
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

/** Write system calls a process has made so far (`syscw` in /proc/<pid>/io); 0 once it is gone. */
export function writeSyscalls(pid: number): number {
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Starts counting what a piece of work costs each process: CPU seconds of the service, of
 * PostgreSQL (all its processes), of Redis and of this process (the load generator), and the
 * service's write system calls. Call the returned function when the work is done.
 */
export function startCosting(pids: { service: number; redis: number }) {
  const postgres = postgresCpu();
  const read = () => ({
    service: cpuSeconds(pids.service),
    serviceWrites: writeSyscalls(pids.service),
    redis: cpuSeconds(pids.redis),
    load: cpuSeconds(process.pid),
  });
  const before = read();
  return (units: number) => {
    const after = read();
    const perUnit = (seconds: number) => round((seconds * 1000) / Math.max(1, units), 3);
    return {
      cpuMsPerUnit: {
        service: perUnit(after.service - before.service),
        postgres: perUnit(postgres()),
        redis: perUnit(after.redis - before.redis),
        load: perUnit(after.load - before.load),
      },
      writeSyscallsPerUnit: round((after.serviceWrites - before.serviceWrites) / Math.max(1, units), 2),
    };
  };
}
