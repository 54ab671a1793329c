import { APP_CONFIG, type AppConfig } from '@app/config';
import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Database } from './database.js';
import { migratePostgres, migrateSqliteDatabase } from './migrate.js';
import { PostgresDatabase } from './postgres.database.js';
import { seedDemoShows } from './show-writer.js';
import { SqliteDatabase } from './sqlite.database.js';

/** Opens the database chosen by the configuration, migrates it and seeds the demo shows. */
export async function openDatabase(config: AppConfig, logger = new Logger('Database')): Promise<Database> {
  const seed = async (database: Database) => {
    if (config.seedDemo && (await seedDemoShows(database))) logger.log('Seeded the demo shows');
  };
  if (config.database.kind === 'postgres') {
    const database = PostgresDatabase.connect(config.database.url, config.database.poolSize);
    await migratePostgres(database, () => seed(database));
    return database;
  }
  const database = SqliteDatabase.open(config.database.path);
  await migrateSqliteDatabase(database, () => seed(database));
  logger.log(`Dev mode: SQLite at ${config.database.path}`);
  return database;
}

@Global()
@Module({
  providers: [{ provide: Database, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openDatabase(config) }],
  exports: [Database],
})
export class DbModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
