export { type AppConfig, type RedisConfig, ConfigError, loadConfig, MAX_SEATS_PER_REQUEST } from './app-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
