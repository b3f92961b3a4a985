// A secured test broker: the plain test broker of broker.mjs with three more listeners on one JVM
// (one JVM is much cheaper than three brokers on a small machine):
//   SASL_PLAINTEXT  PLAIN and SCRAM-SHA-512
//   SSL             TLS, server certificate signed by a CA made here with openssl
//   SASL_SSL        TLS + PLAIN and SCRAM-SHA-512
// The CA, the broker's key and certificate (PKCS12 keystore) and a second, untrusted CA are made
// at start in a temp dir with openssl. SCRAM credentials are written at storage-format time
// (`--add-scram`, Kafka >= 3.5), PLAIN users in the listeners' JAAS config. No authorizer: any
// authenticated user may do anything.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startBroker } from './broker.mjs';

export const SECURE_USER = 'alice';
export const SECURE_PASSWORD = 'alice-secret-7Qz';

/** @param {string[]} args @param {string} cwd */
function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A CA, a broker certificate for 127.0.0.1/localhost signed by it (PEM and PKCS12), and a second
 * CA that signed nothing here (a client trusting only it must refuse the broker).
 * @param {string} dir
 */
export function makeTlsFiles(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const days = '2';
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days, '-subj', '/CN=sluice test CA'], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue-ca.key', '-out', 'rogue-ca.pem', '-days', days, '-subj', '/CN=sluice rogue CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(path.join(dir, 'broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem', '-days', days, '-extfile', 'broker.ext'], dir);
  const storePassword = 'keystore-pw';
  openssl(['pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem', '-name', 'broker', '-out', 'broker.p12', '-passout', `pass:${storePassword}`], dir);
  return {
    caFile: path.join(dir, 'ca.pem'),
    rogueCaFile: path.join(dir, 'rogue-ca.pem'),
    keystore: path.join(dir, 'broker.p12'),
    storePassword,
  };
}

/**
 * Start the secured broker. Resolves to the plain broker (its PLAINTEXT address stays for admin
 * work) plus the address of each secured listener and the TLS files.
 * @param {import('./broker.d.mts').StartBrokerOptions} [opts]
 */
export async function startSecureBroker(opts = {}) {
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-tls-'));
  const tls = makeTlsFiles(tlsDir);
  const ports = { SASL_PLAINTEXT: await freePort(), SSL: await freePort(), SASL_SSL: await freePort() };
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${SECURE_USER}="${SECURE_PASSWORD}";`;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  /** @type {Record<string, string>} */
  const props = {
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': tls.keystore,
    'ssl.keystore.password': tls.storePassword,
    'ssl.key.password': tls.storePassword,
    'ssl.client.auth': 'none',
  };
  for (const l of ['sasl_plaintext', 'sasl_ssl']) {
    props[`listener.name.${l}.plain.sasl.jaas.config`] = plain;
    props[`listener.name.${l}.scram-sha-512.sasl.jaas.config`] = scram;
  }
  const broker = await startBroker({
    ...opts,
    extraListeners: ports,
    serverProperties: { ...props, ...opts.serverProperties },
    formatArgs: ['--add-scram', `SCRAM-SHA-512=[name=${SECURE_USER},password=${SECURE_PASSWORD}]`],
  });
  const stop = broker.stop;
  return {
    broker,
    plaintext: broker.brokers,
    saslPlaintext: `127.0.0.1:${ports.SASL_PLAINTEXT}`,
    ssl: `127.0.0.1:${ports.SSL}`,
    saslSsl: `127.0.0.1:${ports.SASL_SSL}`,
    caFile: tls.caFile,
    rogueCaFile: tls.rogueCaFile,
    user: SECURE_USER,
    password: SECURE_PASSWORD,
    async stop() {
      await stop();
      fs.rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}
