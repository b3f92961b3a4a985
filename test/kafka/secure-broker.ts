// The secured test broker (SASL_PLAINTEXT, SSL and SASL_SSL listeners on one JVM; see
// scripts/kafka/secure.mjs). Only test/kafka/security.test.ts starts it, so the rest of the suite
// keeps the one plain broker of the global setup.
export { SECURE_PASSWORD, SECURE_USER, startSecureBroker, type SecureBroker } from '../../scripts/kafka/secure.mjs';
