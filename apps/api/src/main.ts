import { ConfigError, loadConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { createApp, drainAndClose } from './create-app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid configuration: ${error.message}`);
    process.exit(1);
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const logger = new Logger('Main');
  logger.log(`Seat booking listening on http://${config.host}:${config.port} (docs at /docs)`);

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

main().catch((error: Error & { code?: string }) => {
  console.error(`Failed to start: ${error.code ? `${error.code} ` : ''}${error.message}`);
  process.exit(1);
});
