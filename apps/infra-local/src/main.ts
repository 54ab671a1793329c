import { RedisCluster } from './redis-cluster.js';
import { RedisTopology } from './redis-topology.js';

/**
 * `npm run infra:local`: the production Redis topology (master + replica + three sentinels, AOF
 * on) on loopback ports, from the files in docker/redis/, until Ctrl-C. `--standalone` starts only
 * a master; `--cluster` a Redis Cluster of 3 masters and 3 replicas. Prints the variables to start
 * the API against it.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--cluster')) return runCluster();
  const standalone = process.argv.includes('--standalone');
  const topology = await RedisTopology.start({ standalone });
  const nodes = [topology.master, topology.replica, ...topology.sentinels].filter((node) => node !== undefined);
  for (const node of nodes) console.log(`${node.name.padEnd(11)} ${node.address}  pid ${node.pid}  ${node.dir}`);
  console.log('\nStart the API against it with:');
  console.log(standalone ? `  REDIS_URL=${topology.url} npm start` : `  REDIS_SENTINELS=${topology.sentinelList} npm start`);
  console.log('\nCtrl-C stops every process and removes', topology.root);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await topology.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function runCluster(): Promise<void> {
  const cluster = await RedisCluster.start();
  const masters = new Set((await cluster.masters()).map((node) => node.port));
  for (const node of cluster.nodes) {
    console.log(`${node.name.padEnd(8)} ${masters.has(node.port) ? 'master ' : 'replica'} ${node.address}  pid ${node.pid}  ${node.dir}`);
  }
  console.log('\nStart the API against it with:');
  console.log(`  REDIS_CLUSTER_NODES=${cluster.seeds} npm start`);
  console.log('\nCtrl-C stops every process and removes', cluster.root);
  const stop = async () => {
    await cluster.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: Error) => {
  console.error(`infra:local failed: ${error.message}`);
  process.exit(1);
});
