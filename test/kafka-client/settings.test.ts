// Where Kafka client settings come from (-X, --kafka-config, $SLUICE_KAFKA_CONFIG, $KCAT_CONFIG)
// and how certificate failures read; the real broker tests are in test/kafka/security.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateError } from '../../src/kafka/client.js';
import { clientOptions, configFile } from '../../src/kafka/options.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('Kafka settings sources', () => {
  const a = write('a.conf', '# a\nsasl.username=from-a\nclient.id=a\n');
  const b = write('b.conf', 'sasl.username=from-b\n');
  const c = write('c.conf', 'sasl.username=from-c\n\nsasl.password = p w \n');

  it('--kafka-config, else $SLUICE_KAFKA_CONFIG, else $KCAT_CONFIG; blank variables do not count', () => {
    const env = { SLUICE_KAFKA_CONFIG: b, KCAT_CONFIG: c };
    expect(configFile({ X: [], timeout: '1s', kafkaConfig: a }, env)).toEqual({ path: a, from: '--kafka-config' });
    expect(configFile({ X: [], timeout: '1s' }, env)).toEqual({ path: b, from: '$SLUICE_KAFKA_CONFIG' });
    expect(configFile({ X: [], timeout: '1s' }, { SLUICE_KAFKA_CONFIG: ' ', KCAT_CONFIG: c })).toEqual({ path: c, from: '$KCAT_CONFIG' });
    expect(configFile({ X: [], timeout: '1s' }, {})).toBeNull();
  });

  it('-X wins over the file; the file is read as key=value lines', async () => {
    const o = await clientOptions({ X: ['sasl.username=from-x'], timeout: '2s' }, ['h:1'], { KCAT_CONFIG: c });
    expect(o.settings).toEqual({ 'sasl.username': 'from-x', 'sasl.password': 'p w' });
    expect((await clientOptions({ X: [], timeout: '2s' }, ['h:1'], { KCAT_CONFIG: a })).clientId).toBe('a');
  });

  it('a file that cannot be read names the variable that named it', async () => {
    await expect(clientOptions({ X: [], timeout: '2s' }, ['h:1'], { KCAT_CONFIG: join(dir, 'none') }))
      .rejects.toThrow(`cannot read '${join(dir, 'none')}' ($KCAT_CONFIG)`);
  });
});

describe('certificate failures', () => {
  it('an unknown issuer is "not trusted" with the way out; other certificate faults say what they are; other errors are not ours', () => {
    const untrusted = certificateError({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'h:9093');
    expect(untrusted?.message).toBe('kafka: certificate of h:9093 not trusted (self-signed certificate in certificate chain); give the CA that signed it with -X ssl.ca.location=FILE');
    expect(untrusted?.exitCode).toBe(69);
    expect(certificateError({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'h:9093')?.message)
      .toBe('kafka: certificate of h:9093 refused (certificate has expired)');
    expect(certificateError({ code: 'ECONNREFUSED', message: 'refused' }, 'h:9093')).toBeNull();
    expect(certificateError({ message: 'no code' }, 'h:9093')).toBeNull();
  });
});
