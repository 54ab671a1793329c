export {
  type AppConfig,
  type LogLevel,
  type RedisConfig,
  ConfigError,
  loadConfig,
  LOG_LEVELS,
  MAX_SEATS_PER_REQUEST,
  MAX_USER_ID_LENGTH,
} from './app-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
