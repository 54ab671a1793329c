import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_LOW, freePort, retryOnPortClash } from './redis-topology.js';

describe('freePort', () => {
  it.runIf(EPHEMERAL_LOW !== undefined)(
    'draws bindable ports from below the ephemeral range, where no outgoing connection can take them',
    async () => {
      const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
      for (const port of ports) {
        expect(port).toBeLessThan(EPHEMERAL_LOW!);
        expect(port).toBeGreaterThanOrEqual(1024);
        await new Promise<void>((resolve, reject) => {
          const server = createServer().once('error', reject);
          server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
        });
      }
    },
  );
});

describe('retryOnPortClash', () => {
  it('starts again after a bind failure, but not after any other failure', async () => {
    let calls = 0;
    await expect(
      retryOnPortClash(async () => {
        if (++calls < 3) throw new Error('node-1 failed; its log ends: Address already in use');
        return 'started';
      }),
    ).resolves.toBe('started');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      retryOnPortClash(async () => {
        calls++;
        throw new Error('redis-server: not found');
      }),
    ).rejects.toThrow('not found');
    expect(calls).toBe(1);
  });
});
