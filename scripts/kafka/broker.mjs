// A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM, on 127.0.0.1) for
// sluice's tests and benchmarks, assembled from Maven Central artifacts.
//
// Used by test/kafka/global-setup.ts (through test/kafka/broker.ts) and by scripts/kafka/start.mjs.
// Plain ESM with JSDoc so both can import it without a build step; types are in broker.d.mts.
//
// What it does (see test/kafka/README.md):
//   1. resolveKafka(): writes a tiny pom for org.apache.kafka:kafka_2.13:<version> (+ kafka-tools
//      for the admin/console tools, + a logging binding) into ~/.cache/sluice-kafka/<version>/ and
//      asks Maven for its runtime classpath. The classpath is cached there; later runs don't start
//      Maven at all (Maven's ~/.m2 keeps the jars).
//   2. startBroker(): picks free ports, writes server.properties into a temp dir, formats the
//      storage with kafka.tools.StorageTool, starts kafka.Kafka under scripts/kafka/guard.sh
//      (which kills the JVM if this process dies) and waits until an Admin client can describe
//      the cluster and create + delete a topic (SluiceKafkaReady.java).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');

export const DEFAULT_KAFKA_VERSION = '3.9.1';
/** Pinned so the first run does not depend on whatever Maven would pick. */
const DEPENDENCY_PLUGIN_VERSION = '3.8.1';
/** Logging bindings. Kafka 3.x logs through slf4j 1.7 + (re)log4j 1; Kafka 4.x through log4j2. */
const RELOAD4J_VERSION = '1.2.25';
const SLF4J_RELOAD4J_VERSION = '1.7.36';
const LOG4J2_VERSION = '2.25.3';

const GUARD = path.join(HERE, 'guard.sh');
const READY_SOURCE = path.join(HERE, 'SluiceKafkaReady.java');
const STOP_GRACE_SECONDS = 5;
const KEEP_LOGS = 20;

/** @type {Set<{javaPid: number | null, workDir: string}>} brokers this process started and has not stopped */
const live = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort. The guard also sees its stdin close when this process exits (however
  // it exits, SIGKILL included) and then stops the JVM itself, SIGKILL after a grace period.
  process.on('exit', () => {
    for (const b of live) {
      if (b.javaPid) {
        try { process.kill(b.javaPid, 'SIGTERM'); } catch { /* already gone */ }
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

/**
 * @param {string} cmd
 * @param {string[]} args
 */
function probe(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout}\n${r.stderr}`.trim();
}

/** @returns {{ java: string | null, mvn: string | null, javac: boolean, missing: string[] }} */
export function kafkaPrerequisites() {
  const javaOut = probe('java', ['-version']);
  const java = javaOut ? (javaOut.split('\n')[0] ?? 'java') : null;
  const mvnOut = probe('mvn', ['-v', '-B']);
  const mvn = mvnOut ? stripAnsi(mvnOut.split('\n')[0] ?? 'mvn') : null;
  const javac = probe('javac', ['-version']) !== null;
  /** @type {string[]} */
  const missing = [];
  if (!java) missing.push('java (a JDK/JRE 17+ on PATH)');
  if (!mvn) missing.push('mvn (Maven 3.x on PATH)');
  return { java, mvn, javac, missing };
}

/** @param {string} s */
function stripAnsi(s) {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

// ---------------------------------------------------------------------------------------------
// Resolution

export function kafkaCacheRoot() {
  if (process.env.SLUICE_KAFKA_CACHE) return path.resolve(process.env.SLUICE_KAFKA_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'sluice-kafka');
}

/**
 * '3.9.1' is an exact version; '4.1' means the newest 4.1.x on Maven Central and '4' the newest
 * 4.x (Maven version ranges, resolved once and then cached under the name '4.1' or '4').
 * @param {string} spec
 */
export function parseVersionSpec(spec) {
  const exact = /^(\d+)\.(\d+)\.(\d+)$/.exec(spec);
  if (exact) return { major: Number(exact[1]), mavenVersion: spec };
  const major = /^(\d+)(?:\.x)?$/.exec(spec);
  if (major) {
    const ma = Number(major[1]);
    return { major: ma, mavenVersion: `[${ma}.0.0,${ma + 1}.0.0)` };
  }
  const minor = /^(\d+)\.(\d+)(?:\.x)?$/.exec(spec);
  if (minor) {
    const ma = Number(minor[1]);
    const mi = Number(minor[2]);
    return { major: ma, mavenVersion: `[${ma}.${mi}.0,${ma}.${mi + 1}.0)` };
  }
  throw new Error(`KAFKA_VERSION must look like 3.9.1, 4.1, 4.1.x or 4, got ${JSON.stringify(spec)}`);
}

/** @param {string} s */
function xmlEscape(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** @param {string} group @param {string} artifact @param {string} version @param {string} [extra] */
export function dep(group, artifact, version, extra = '') {
  return `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${xmlEscape(version)}</version>${extra}</dependency>`;
}

/** @param {string} spec */
function pomFor(spec) {
  const { major, mavenVersion } = parseVersionSpec(spec);
  const logging = major >= 4
    ? [
        dep('org.apache.logging.log4j', 'log4j-api', LOG4J2_VERSION),
        dep('org.apache.logging.log4j', 'log4j-core', LOG4J2_VERSION),
        dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J2_VERSION),
      ]
    : [
        dep('org.slf4j', 'slf4j-reload4j', SLF4J_RELOAD4J_VERSION),
        dep('ch.qos.reload4j', 'reload4j', RELOAD4J_VERSION),
      ];
  // kafka-tools brings TopicCommand, the console consumer (and, in 4.x, the console producer);
  // its connect-runtime dependency (Jetty, Jersey, ...) is only needed by Connect tools.
  const noConnect = '<exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions>';
  return pomXml('sluice-kafka-broker', 'Generated by sluice scripts/kafka/broker.mjs: the runtime classpath of an Apache Kafka broker.', [
    dep('org.apache.kafka', 'kafka_2.13', mavenVersion),
    dep('org.apache.kafka', 'kafka-tools', mavenVersion, noConnect),
    ...logging,
  ]);
}

/**
 * A pom that only gathers a classpath (`mvn dependency:copy-dependencies`): the dependencies, and
 * the dependency plugin pinned. Used for the Kafka broker and for Flink (scripts/flink/flink.mjs).
 * @param {string} artifactId @param {string} comment @param {string[]} deps
 */
export function pomXml(artifactId, comment, deps) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${comment} -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.test</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${deps.join('\n')}
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>${DEPENDENCY_PLUGIN_VERSION}</version></plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

/** Static log configs, one set per Kafka generation. The broker's file comes from a system property. */
function logConfigsFor(/** @type {number} */ major) {
  if (major >= 4) {
    return {
      brokerFile: 'log4j2-broker.properties',
      broker: `status = warn
name = sluice-kafka-broker
shutdownHook = disable
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = \${sys:sluice.kafka.logfile}
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state-change.name = state.change.logger
logger.state-change.level = WARN
`,
      toolsFile: 'log4j2-tools.properties',
      tools: `status = warn
name = sluice-kafka-tools
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
`,
      /** @param {string} file */
      sysprop: (file) => `-Dlog4j2.configurationFile=${file}`,
    };
  }
  return {
    brokerFile: 'log4j-broker.properties',
    broker: `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=\${sluice.kafka.logfile}
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
`,
    toolsFile: 'log4j-tools.properties',
    tools: `log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
`,
    /** @param {string} file */
    sysprop: (file) => `-Dlog4j.configuration=file:${file}`,
  };
}

/**
 * Main classes of the tools the harness and tests use. They moved between releases:
 * 3.9 keeps the console producer in core (kafka.tools), 4.0 moved it to kafka-tools.
 * @param {string} version resolved version, e.g. "3.9.1"
 */
export function kafkaToolClasses(version) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const v4 = major >= 4;
  return {
    server: 'kafka.Kafka',
    storageTool: 'kafka.tools.StorageTool',
    topicCommand: v4 || minor >= 6 ? 'org.apache.kafka.tools.TopicCommand' : 'kafka.admin.TopicCommand',
    consoleProducer: v4 ? 'org.apache.kafka.tools.ConsoleProducer' : 'kafka.tools.ConsoleProducer',
    consoleConsumer: v4 || minor >= 8 ? 'org.apache.kafka.tools.consumer.ConsoleConsumer' : 'kafka.tools.ConsoleConsumer',
    clusterTool: 'org.apache.kafka.tools.ClusterTool',
    consumerGroupCommand: v4 || minor >= 8 ? 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand' : 'kafka.admin.ConsumerGroupCommand',
  };
}

/** Write `text` to `file` (atomically) unless it holds it already; whether it wrote. @param {string} file @param {string} text */
export function writeIfChanged(file, text) {
  try {
    if (fs.readFileSync(file, 'utf8') === text) return false;
  } catch { /* missing */ }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return true;
}

/** @param {string} file */
function readCachedClasspath(file) {
  try {
    const cp = fs.readFileSync(file, 'utf8').trim();
    if (!cp) return null;
    const jars = cp.split(path.delimiter);
    if (!jars.every((j) => fs.existsSync(j))) return null; // ~/.m2 was cleaned: resolve again
    return cp;
  } catch {
    return null;
  }
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, input?: string, timeoutMs?: number, env?: NodeJS.ProcessEnv }} [opts]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number }>}
 */
function run(cmd, args, opts = {}) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d) => { stderr += d; });
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        stderr += `\n[sluice-kafka] ${cmd} timed out after ${opts.timeoutMs} ms; killed\n`;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
    }
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** @type {Map<string, Promise<import('./broker.d.mts').KafkaDist>>} */
const resolving = new Map();

/**
 * Resolve (or read from the cache) the runtime classpath of Kafka `versionSpec`.
 * @param {string} [versionSpec]
 * @param {{ log?: (line: string) => void }} [opts]
 * @returns {Promise<import('./broker.d.mts').KafkaDist>}
 */
export function resolveKafka(versionSpec = process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION, opts = {}) {
  let p = resolving.get(versionSpec);
  if (!p) {
    p = doResolveKafka(versionSpec, opts.log ?? (() => {}));
    resolving.set(versionSpec, p);
    p.catch(() => resolving.delete(versionSpec));
  }
  return p;
}

/** @param {string} spec @param {(line: string) => void} log */
async function doResolveKafka(spec, log) {
  const t0 = Date.now();
  const { major } = parseVersionSpec(spec);
  const dir = path.join(kafkaCacheRoot(), spec);
  fs.mkdirSync(dir, { recursive: true });
  const pom = pomFor(spec);
  const pomFile = path.join(dir, 'pom.xml');
  const cpFile = path.join(dir, 'classpath.txt');

  let classpath = null;
  let fromCache = false;
  const pomUnchanged = fs.existsSync(pomFile) && fs.readFileSync(pomFile, 'utf8') === pom;
  if (pomUnchanged) classpath = readCachedClasspath(cpFile);
  if (classpath) {
    fromCache = true;
  } else {
    writeIfChanged(pomFile, pom);
    const tmpOut = `${cpFile}.${process.pid}.tmp`;
    const extra = (process.env.SLUICE_KAFKA_MVN_ARGS || '').split(/\s+/).filter(Boolean);
    log(`resolving org.apache.kafka:kafka_2.13:${spec} from Maven Central (first run for this version; cached in ${dir})`);
    const r = await run('mvn', [
      '-B', '-q', '-f', pomFile,
      'dependency:build-classpath',
      '-Dmdep.includeScope=runtime',
      `-Dmdep.outputFile=${tmpOut}`,
      ...extra,
    ], { cwd: dir, timeoutMs: 15 * 60_000 });
    fs.writeFileSync(path.join(dir, 'mvn.log'), `${r.stdout}\n${r.stderr}`);
    if (r.code !== 0 || !fs.existsSync(tmpOut)) {
      throw new Error(
        `Maven could not resolve org.apache.kafka:kafka_2.13:${spec} (exit ${r.code}). ` +
        `Output (also in ${path.join(dir, 'mvn.log')}):\n${tail(stripAnsi(`${r.stdout}\n${r.stderr}`), 40)}`,
      );
    }
    fs.renameSync(tmpOut, cpFile);
    classpath = fs.readFileSync(cpFile, 'utf8').trim();
  }

  const coreJar = classpath.split(path.delimiter).find((j) => /kafka_2\.13-[^/\\]+\.jar$/.test(j));
  const m = coreJar && /kafka_2\.13-([^/\\]+)\.jar$/.exec(coreJar);
  if (!m?.[1]) throw new Error(`no kafka_2.13 jar in the resolved classpath ${cpFile}`);
  const version = m[1];

  const logs = logConfigsFor(major);
  const brokerLogConfig = path.join(dir, logs.brokerFile);
  const toolsLogConfig = path.join(dir, logs.toolsFile);
  writeIfChanged(brokerLogConfig, logs.broker);
  writeIfChanged(toolsLogConfig, logs.tools);

  return {
    spec,
    version,
    major,
    classpath,
    cacheDir: dir,
    fromCache,
    resolveMs: Date.now() - t0,
    classes: kafkaToolClasses(version),
    brokerLogArgs: (/** @type {string} */ logFile) => [logs.sysprop(brokerLogConfig), `-Dsluice.kafka.logfile=${logFile}`],
    toolLogArgs: [logs.sysprop(toolsLogConfig)],
  };
}

/**
 * Run one of Kafka's command-line tools (a Java main class) from the resolved classpath.
 * @param {import('./broker.d.mts').KafkaDist} dist
 * @param {string} mainClass e.g. dist.classes.topicCommand
 * @param {string[]} args
 * @param {{ input?: string, timeoutMs?: number, jvmArgs?: string[] }} [opts]
 */
export function runKafkaTool(dist, mainClass, args, opts = {}) {
  return run('java', [
    ...toolJvmArgs(),
    ...(opts.jvmArgs ?? []),
    ...dist.toolLogArgs,
    '-cp', dist.classpath,
    mainClass,
    ...args,
  ], { input: opts.input, timeoutMs: opts.timeoutMs ?? 120_000 });
}

/** Short-lived tool JVMs: small heap, C1 only, serial GC: they start about twice as fast. */
function toolJvmArgs() {
  return ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Djava.awt.headless=true', '-Dfile.encoding=UTF-8'];
}

/** Compile SluiceKafkaReady.java once per Kafka version (and source revision). Null without javac. */
async function readyProbeClasses(/** @type {import('./broker.d.mts').KafkaDist} */ dist) {
  if (process.env.SLUICE_KAFKA_READY_PROBE === 'topic-command') return null; // to test the fallback
  const src = fs.readFileSync(READY_SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 12);
  const out = path.join(dist.cacheDir, `ready-${hash}`);
  if (fs.existsSync(path.join(out, 'SluiceKafkaReady.class'))) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  let r;
  try {
    r = await run('javac', ['-nowarn', '-cp', dist.classpath, '-d', tmp, READY_SOURCE], { timeoutMs: 120_000 });
  } catch {
    return null; // no javac (a JRE only): fall back to TopicCommand
  }
  if (r.code !== 0) throw new Error(`javac SluiceKafkaReady.java failed:\n${r.stdout}\n${r.stderr}`);
  try {
    fs.renameSync(tmp, out);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Broker

/** A TCP port free on 127.0.0.1 just now. @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Kafka's Uuid: 16 random bytes, base64url without padding, never starting with '-'. */
export function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** @param {string} text @param {number} n */
function tail(text, n) {
  const lines = text.split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}

/** @param {string} file @param {number} [n] */
export function logTail(file, n = 60) {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      const len = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return tail(buf.toString('utf8'), n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(no broker log)';
  }
}

function defaultLogDir() {
  return process.env.SLUICE_KAFKA_LOG_DIR
    ? path.resolve(process.env.SLUICE_KAFKA_LOG_DIR)
    : path.join(REPO_ROOT, 'test', 'kafka', '.logs');
}

/** Keep the newest KEEP_LOGS broker logs. */
function pruneLogs(/** @type {string} */ dir) {
  try {
    const files = fs.readdirSync(dir)
      .filter((f) => /^kafka-.*\.log$/.test(f))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of files.slice(KEEP_LOGS)) fs.rmSync(path.join(dir, f), { force: true });
  } catch { /* best effort */ }
}

/**
 * @param {{ port: number, controllerPort: number, dataDir: string, extra?: Record<string, string | number | boolean>,
 *   extraListeners?: Record<string, number> }} o
 */
function serverProperties(o) {
  // more listeners (SASL_PLAINTEXT, SSL, SASL_SSL: name = security protocol) beside PLAINTEXT
  const more = Object.entries(o.extraListeners ?? {});
  const listen = more.map(([name, port]) => `,${name}://127.0.0.1:${port}`).join('');
  /** @type {Record<string, string | number | boolean>} */
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${o.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}${listen}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${o.port}${listen}`,
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${more.map(([name]) => `,${name}:${name}`).join('')}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': o.dataDir,
    'num.partitions': 1,
    'auto.create.topics.enable': false,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    // Single-node test broker: fewer internal partitions make the first group/transaction faster.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.num.partitions': 5,
    ...o.extra,
  };
  return `# Generated by sluice scripts/kafka/broker.mjs\n${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/**
 * Start a single-node KRaft broker and wait until it is ready.
 * @param {import('./broker.d.mts').StartBrokerOptions} [opts]
 * @returns {Promise<import('./broker.d.mts').KafkaBroker>}
 */
export async function startBroker(opts = {}) {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const dist = await resolveKafka(opts.version ?? process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION, { log });
  const resolveMs = Date.now() - t0;
  const probeClasses = await readyProbeClasses(dist);

  const logDir = opts.logDir ? path.resolve(opts.logDir) : defaultLogDir();
  fs.mkdirSync(logDir, { recursive: true });
  pruneLogs(logDir);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const logFile = path.join(logDir, `kafka-${dist.version}-${stamp}-${process.pid}-${randomBytes(2).toString('hex')}.log`);
  fs.writeFileSync(logFile, `# sluice test broker, Kafka ${dist.version}, started ${new Date().toISOString()} by pid ${process.pid}\n`);

  const readyTimeoutMs = opts.readyTimeoutMs ?? Number(process.env.SLUICE_KAFKA_READY_TIMEOUT_MS || 60_000);
  const attempts = opts.port ? 1 : 3;
  let lastError = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? await freePort();
    let controllerPort = opts.controllerPort ?? await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    try {
      const broker = await launch({ dist, probeClasses, logFile, port, controllerPort, readyTimeoutMs, opts, log });
      broker.timings.resolveMs = resolveMs;
      broker.timings.totalMs = Date.now() - t0;
      return broker;
    } catch (e) {
      lastError = /** @type {Error & { portInUse?: boolean }} */ (e);
      if (!lastError.portInUse || attempt === attempts) break;
      log(`port ${port} or ${controllerPort} was taken meanwhile; retrying with other ports`);
    }
  }
  throw lastError;
}

/**
 * @param {{ dist: import('./broker.d.mts').KafkaDist, probeClasses: string | null, logFile: string, port: number,
 *   controllerPort: number, readyTimeoutMs: number, opts: import('./broker.d.mts').StartBrokerOptions, log: (l: string) => void }} a
 * @returns {Promise<import('./broker.d.mts').KafkaBroker>}
 */
async function launch({ dist, probeClasses, logFile, port, controllerPort, readyTimeoutMs, opts, log }) {
  const brokers = `127.0.0.1:${port}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-'));
  const dataDir = path.join(workDir, 'data');
  const propsFile = path.join(workDir, 'server.properties');
  fs.writeFileSync(propsFile, serverProperties({ port, controllerPort, dataDir, extra: opts.serverProperties, extraListeners: opts.extraListeners }));
  const fail = (/** @type {string} */ msg, portInUse = false) => {
    const err = /** @type {Error & { portInUse?: boolean, logFile?: string }} */ (new Error(
      `${msg}\nKafka ${dist.version} broker log: ${logFile}\n--- last lines ---\n${logTail(logFile)}\n---`,
    ));
    err.portInUse = portInUse;
    err.logFile = logFile;
    return err;
  };

  // 1. Format the storage (KRaft needs a cluster id and a meta.properties before the first start).
  const tFormat = Date.now();
  const clusterId = randomClusterId();
  const fmt = await runKafkaTool(dist, dist.classes.storageTool, ['format', '-t', clusterId, '-c', propsFile, ...(opts.formatArgs ?? [])], { timeoutMs: 120_000 });
  fs.appendFileSync(logFile, `# ${dist.classes.storageTool} format -t ${clusterId}: exit ${fmt.code}\n${fmt.stdout}${fmt.stderr}\n`);
  if (fmt.code !== 0) {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw fail(`formatting the Kafka storage failed (exit ${fmt.code})`);
  }
  const formatMs = Date.now() - tFormat;

  // 2. Start kafka.Kafka under the guard, stdout/stderr appended to the log file.
  const tStart = Date.now();
  const heap = opts.heap ?? process.env.SLUICE_KAFKA_HEAP ?? '-Xms256m -Xmx512m';
  const jvm = [
    ...heap.split(/\s+/).filter(Boolean),
    '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true', '-Dfile.encoding=UTF-8',
    ...(opts.jvmArgs ?? []),
    ...dist.brokerLogArgs(logFile),
    '-cp', dist.classpath,
    dist.classes.server, propsFile,
  ];
  const out = fs.openSync(logFile, 'a');
  const guard = spawn('bash', [GUARD, workDir, String(STOP_GRACE_SECONDS), 'java', ...jvm], {
    stdio: ['pipe', out, out, 'pipe'],
    detached: true, // own process group: a Ctrl-C meant for us must not kill the guard and orphan the JVM
  });
  fs.closeSync(out);
  const entry = { javaPid: /** @type {number | null} */ (null), workDir };
  live.add(entry);
  installExitHook();

  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => {
    guard.on('exit', (code, signal) => resolve({ code, signal }));
    guard.on('error', () => resolve({ code: -1, signal: null }));
  });
  let isExited = false;
  exited.then(() => { isExited = true; live.delete(entry); });

  const pidPipe = /** @type {import('node:stream').Readable} */ (guard.stdio[3]);
  const javaPid = await new Promise((resolve) => {
    let buf = '';
    pidPipe.setEncoding('utf8');
    pidPipe.on('data', (d) => { buf += d; });
    pidPipe.on('close', () => resolve(Number.parseInt(buf.trim(), 10) || null));
    pidPipe.on('error', () => resolve(null));
  });
  entry.javaPid = javaPid;
  guard.unref();
  /** @type {any} */ (guard.stdin)?.unref?.();

  let stopping = /** @type {Promise<void> | null} */ (null);
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        guard.ref(); // keep the event loop alive until the broker is gone
        guard.stdin?.end(); // EOF → guard sends SIGTERM, SIGKILL after STOP_GRACE_SECONDS
        /** @type {NodeJS.Timeout | undefined} */
        let timer;
        const hardDeadline = new Promise((r) => { timer = setTimeout(r, (STOP_GRACE_SECONDS + 10) * 1000); });
        const done = await Promise.race([exited.then(() => true), hardDeadline.then(() => false)]);
        clearTimeout(timer);
        if (!done) {
          for (const pid of [javaPid, guard.pid]) {
            if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
          }
          await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 2000); })]);
          clearTimeout(timer);
        }
        live.delete(entry);
        fs.rmSync(workDir, { recursive: true, force: true });
      })();
    }
    return stopping;
  };

  // 3. Ready = an Admin client can describe the cluster and create + delete a topic.
  const ready = probeClasses
    ? probeWithAdmin(dist, probeClasses, brokers, readyTimeoutMs)
    : probeWithTopicCommand(dist, brokers, readyTimeoutMs, () => isExited);
  const outcome = await Promise.race([
    ready.then((r) => ({ kind: 'probe', ...r })),
    exited.then((e) => ({ kind: 'exit', ...e })),
  ]);
  if (outcome.kind === 'exit' || !('ok' in outcome) || !outcome.ok) {
    await stop();
    const text = logTail(logFile, 400);
    const portInUse = outcome.kind === 'exit' && /Address already in use|BindException/.test(text);
    if (outcome.kind === 'exit') {
      const e = /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */ (/** @type {unknown} */ (outcome));
      throw fail(`the Kafka broker exited during startup (code ${e.code}, signal ${e.signal})`, portInUse);
    }
    throw fail(`the Kafka broker was not ready within ${readyTimeoutMs} ms: ${'detail' in outcome ? outcome.detail : ''}`);
  }
  const readyMs = Date.now() - tStart;
  fs.appendFileSync(logFile, `# sluice: ready at ${brokers} after ${readyMs} ms (${outcome.detail})\n`);
  log(`Kafka ${dist.version} ready at ${brokers} in ${((formatMs + readyMs) / 1000).toFixed(1)} s (log: ${logFile})`);

  return {
    brokers,
    port,
    controllerPort,
    logFile,
    version: dist.version,
    pid: javaPid,
    workDir,
    dist,
    timings: { resolveMs: 0, formatMs, readyMs, totalMs: 0 },
    stop,
    rssKiB() {
      if (!javaPid) return null;
      try {
        const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${javaPid}/status`, 'utf8'));
        return m ? Number(m[1]) : null;
      } catch {
        return null;
      }
    },
    tool: (mainClass, args, toolOpts) => runKafkaTool(dist, mainClass, args, toolOpts),
  };
}

/**
 * @param {import('./broker.d.mts').KafkaDist} dist @param {string} classes @param {string} brokers @param {number} timeoutMs
 * @returns {Promise<{ ok: boolean, detail: string }>}
 */
async function probeWithAdmin(dist, classes, brokers, timeoutMs) {
  const r = await run('java', [
    ...toolJvmArgs(), ...dist.toolLogArgs,
    '-cp', `${dist.classpath}${path.delimiter}${classes}`,
    'SluiceKafkaReady', brokers, String(timeoutMs),
  ], { timeoutMs: timeoutMs + 30_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { ok: r.code === 0 && line.startsWith('READY'), detail: `${line}${r.code === 0 ? '' : `\n${tail(r.stderr, 20)}`}` };
}

/**
 * Fallback when there is no javac: create and delete a topic with kafka-topics' main class.
 * @param {import('./broker.d.mts').KafkaDist} dist @param {string} brokers @param {number} timeoutMs @param {() => boolean} dead
 * @returns {Promise<{ ok: boolean, detail: string }>}
 */
async function probeWithTopicCommand(dist, brokers, timeoutMs, dead) {
  const deadline = Date.now() + timeoutMs;
  let detail = '';
  const cfg = path.join(dist.cacheDir, 'ready-admin.properties');
  writeIfChanged(cfg, 'request.timeout.ms=3000\ndefault.api.timeout.ms=5000\nretry.backoff.ms=100\n');
  const base = ['--bootstrap-server', brokers, '--command-config', cfg, '--topic', '__sluice_ready'];
  while (Date.now() < deadline && !dead()) {
    const c = await runKafkaTool(dist, dist.classes.topicCommand, [...base, '--create', '--if-not-exists', '--partitions', '1', '--replication-factor', '1'], { timeoutMs: 30_000 });
    if (c.code === 0) {
      const d = await runKafkaTool(dist, dist.classes.topicCommand, [...base, '--delete', '--if-exists'], { timeoutMs: 30_000 });
      if (d.code === 0) return { ok: true, detail: 'READY (TopicCommand create+delete)' };
      detail = tail(d.stderr || d.stdout, 5);
    } else {
      detail = tail(c.stderr || c.stdout, 5);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { ok: false, detail };
}
