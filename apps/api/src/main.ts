import { ConfigError, loadConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { createApp } from './create-app.js';

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
  new Logger('Main').log(`Seat booking listening on http://${config.host}:${config.port} (docs at /docs)`);
}

main().catch((error: Error & { code?: string }) => {
  console.error(`Failed to start: ${error.code ? `${error.code} ` : ''}${error.message}`);
  process.exit(1);
});
