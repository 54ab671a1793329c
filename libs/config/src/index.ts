export { type AppConfig, type RedisConfig, ConfigError, loadConfig, MAX_SEATS_PER_REQUEST, MAX_USER_ID_LENGTH } from './app-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
