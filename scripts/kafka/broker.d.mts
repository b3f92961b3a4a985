// Types for scripts/kafka/broker.mjs (a plain ESM module shared by the test harness and scripts/kafka/start.mjs).

export declare const DEFAULT_KAFKA_VERSION: string;

/** Main classes of Kafka's tools for one version (they moved between 3.x and 4.x). */
export interface KafkaToolClasses {
  server: string;
  storageTool: string;
  topicCommand: string;
  consoleProducer: string;
  consoleConsumer: string;
  clusterTool: string;
  /** kafka-consumer-groups */
  consumerGroupCommand: string;
}

/** A resolved Kafka distribution: its runtime classpath from Maven Central. */
export interface KafkaDist {
  /** What was asked for: "3.9.1", or "4.1" for the newest 4.1.x. */
  spec: string;
  /** The resolved version, e.g. "4.1.2". */
  version: string;
  major: number;
  classpath: string;
  /** ~/.cache/sluice-kafka/<spec> */
  cacheDir: string;
  /** True when the cached classpath was used and Maven was not started. */
  fromCache: boolean;
  resolveMs: number;
  classes: KafkaToolClasses;
  brokerLogArgs(logFile: string): string[];
  toolLogArgs: string[];
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ToolOptions {
  /** Written to the tool's stdin (which is then closed). */
  input?: string;
  /** Killed after this long (default 120 s). */
  timeoutMs?: number;
  jvmArgs?: string[];
}

export interface StartBrokerOptions {
  /** "3.9.1" (default: $KAFKA_VERSION or 3.9.1), "4.1.0", or "4.1" for the newest 4.1.x. */
  version?: string;
  /** Fixed PLAINTEXT port (default: a free one). */
  port?: number;
  /** Fixed controller port (default: a free one). */
  controllerPort?: number;
  /** Directory for the broker log (default: $SLUICE_KAFKA_LOG_DIR or test/kafka/.logs). */
  logDir?: string;
  /** Deadline for readiness (default: $SLUICE_KAFKA_READY_TIMEOUT_MS or 60000). */
  readyTimeoutMs?: number;
  /** Heap flags (default: $SLUICE_KAFKA_HEAP or "-Xms256m -Xmx512m"). */
  heap?: string;
  /** More JVM flags for the broker. */
  jvmArgs?: string[];
  /** Extra or overriding server.properties entries. */
  serverProperties?: Record<string, string | number | boolean>;
  /** More listeners beside PLAINTEXT, named by their security protocol: { SASL_SSL: port, … }. */
  extraListeners?: Record<string, number>;
  /** More arguments for `StorageTool format` (e.g. `--add-scram 'SCRAM-SHA-512=[name=…,password=…]'`). */
  formatArgs?: string[];
  /** Progress messages (resolution, ready). */
  log?: (line: string) => void;
}

export interface KafkaBroker {
  /** "127.0.0.1:<port>", for bootstrap.servers / KAFKA_BROKERS. */
  brokers: string;
  port: number;
  controllerPort: number;
  /** The broker's log (kept after stop). */
  logFile: string;
  /** Resolved Kafka version. */
  version: string;
  /** The broker JVM's pid. */
  pid: number | null;
  /** Temp dir with server.properties and data/ (removed on stop). */
  workDir: string;
  dist: KafkaDist;
  timings: { resolveMs: number; formatMs: number; readyMs: number; totalMs: number };
  /** SIGTERM, SIGKILL after 5 s; idempotent. */
  stop(): Promise<void>;
  /** Resident set size of the broker JVM in KiB (Linux), or null. */
  rssKiB(): number | null;
  /** Run one of Kafka's tools (a main class, e.g. `broker.dist.classes.topicCommand`). */
  tool(mainClass: string, args: string[], opts?: ToolOptions): Promise<ToolResult>;
}

export declare function kafkaPrerequisites(): { java: string | null; mvn: string | null; javac: boolean; missing: string[] };
export declare function kafkaCacheRoot(): string;
export declare function kafkaToolClasses(version: string): KafkaToolClasses;
export declare function resolveKafka(versionSpec?: string, opts?: { log?: (line: string) => void }): Promise<KafkaDist>;
export declare function runKafkaTool(dist: KafkaDist, mainClass: string, args: string[], opts?: ToolOptions): Promise<ToolResult>;
export declare function randomClusterId(): string;
/** '3.9.1' exact; '4.1' the newest 4.1.x; '4' the newest 4.x (Maven version ranges). */
export declare function parseVersionSpec(spec: string): { major: number; mavenVersion: string };
export declare function logTail(file: string, lines?: number): string;
export declare function startBroker(opts?: StartBrokerOptions): Promise<KafkaBroker>;
