// Types for scripts/kafka/secure.mjs (the secured test broker).
import type { KafkaBroker, StartBrokerOptions } from './broker.mjs';

export declare const SECURE_USER: string;
export declare const SECURE_PASSWORD: string;

export interface TlsFiles {
  /** PEM of the CA that signed the broker's certificate */
  caFile: string;
  /** PEM of a CA that signed nothing here */
  rogueCaFile: string;
  /** the broker's PKCS12 keystore */
  keystore: string;
  storePassword: string;
}

export declare function makeTlsFiles(dir: string): TlsFiles;

export interface SecureBroker {
  broker: KafkaBroker;
  /** PLAINTEXT listener, for admin work in tests */
  plaintext: string;
  /** SASL_PLAINTEXT listener: PLAIN and SCRAM-SHA-512 */
  saslPlaintext: string;
  /** SSL listener */
  ssl: string;
  /** SASL_SSL listener: PLAIN and SCRAM-SHA-512 */
  saslSsl: string;
  caFile: string;
  rogueCaFile: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export declare function startSecureBroker(opts?: StartBrokerOptions): Promise<SecureBroker>;
