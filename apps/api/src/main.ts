import { type AppConfig, ConfigError, loadConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { createApp, drainAndClose } from './create-app.js';
import { startupLine } from './startup-line.js';

/**
 * How far V8 lets its heap grow past what the last full collection kept before collecting again, in
 * per cent. Left to itself, on a machine with memory to spare V8 grows it by up to 300 % when
 * collecting is slow against the program's allocation, which is the case under overload: a
 * stadium sale with 5,000 sockets peaked at 876 MiB RSS by default and at 456 MiB with 20 %, the
 * write path at 332–337 MiB and at 285–293 MiB, at the same CPU per request within the noise.
 * `node --heap-growing-percent=<n>` on the command line takes precedence.
 */
const HEAP_GROWING_PERCENT = 20;

async function main(): Promise<void> {
  if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent')))
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid configuration: ${error.message}`);
    process.exit(1);
  }
  // Found before anything starts, so a taken port is one line, not a screen of start-up logs.
  const probe = createServer();
  await listen(probe, config).catch(portProblem(config));
  await new Promise((resolve) => probe.close(resolve));
  const app = await createApp(config);
  await app.init();
  await listen(app.getHttpServer(), config).catch(portProblem(config));
  const logger = new Logger('Main');
  logger.log(startupLine(config));

  const stop = async (signal: NodeJS.Signals) => {
    logger.log(`${signal}: finishing requests in flight (up to ${config.shutdownGraceMs} ms), then closing`);
    const started = Date.now();
    const closed = await drainAndClose(app, config.shutdownGraceMs);
    if (closed) logger.log(`Closed in ${Date.now() - started} ms`);
    else logger.error(`Still busy after ${config.shutdownGraceMs} ms; exiting anyway`);
    process.exit(closed ? 0 : 1);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

/** Resolves once `server` listens on the configured address; rejects with the listen error. */
function listen(server: Server, { port, host }: AppConfig): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function portProblem(config: AppConfig) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code === 'EADDRINUSE')
      console.error(`PORT ${config.port} is already in use on ${config.host}: stop the other process or set PORT to a free port.`);
    else if (error.code === 'EACCES')
      console.error(`PORT ${config.port} on ${config.host} needs privileges this process does not have: set PORT above 1023.`);
    else throw error;
    process.exit(1);
  };
}

main().catch((error: Error & { code?: string }) => {
  console.error(`Failed to start: ${error.code ? `${error.code} ` : ''}${error.message}`);
  process.exit(1);
});
