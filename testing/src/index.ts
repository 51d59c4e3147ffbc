// Test support shared by the packages' and the examples' tests, run from source (no build).
export { CHROMIUM_PATH, launchChromium } from './chromium.js';
export {
  REDIS_TESTING_ERROR_CODES,
  RedisStartError,
  startRedis,
  type RedisTestingErrorCode,
  type StartRedisOptions,
  type TestRedis,
} from './redis.js';
export { createTestPki, hasOpenssl, PKI_ERROR_CODE, PkiError, type IssuedCertificate, type TestPki } from './certificates.js';
