// Apache Avro's Java library for the Kafka tests (the independent Avro writer and reader of
// test/kafka/avro.test.ts and schema-registry.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Apache Avro 1.12.0 and its dependencies from Maven Central, resolved once into the Kafka cache. */
export function avroClasspath(): string {
  const dir = join(process.env.SLUICE_KAFKA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sluice-kafka'), 'avro-1.12.0');
  const cp = join(dir, 'classpath.txt');
  if (existsSync(cp) && readFileSync(cp, 'utf8').split(':').every((j) => existsSync(j))) return readFileSync(cp, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>sluice.test</groupId><artifactId>avro-writer</artifactId><version>1</version>
<dependencies><dependency><groupId>org.apache.avro</groupId><artifactId>avro</artifactId><version>1.12.0</version></dependency></dependencies></project>\n`);
  execFileSync('mvn', ['-q', '-f', join(dir, 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${cp}`], { stdio: 'pipe', timeout: 240_000 });
  return readFileSync(cp, 'utf8').trim();
}
