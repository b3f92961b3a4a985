// Types for scripts/flink/flink.mjs (plain ESM, imported by test/kafka/flink.test.ts).

export declare const FLINK_VERSION: string;
export declare const FLINK_KAFKA_CONNECTOR: string;

export interface FlinkDist {
  version: string;
  connector: string;
  /** ~/.cache/sluice-flink/<version> */
  cacheDir: string;
  classpath: string;
  /** the compiled SluiceFlinkRun */
  classes: string;
  /** the cached classpath was used and Maven was not started */
  fromCache: boolean;
  resolveMs: number;
}

export declare function flinkCacheRoot(): string;
export declare function flinkPrerequisites(): string[];
export declare function resolveFlink(opts?: { log?: (line: string) => void }): Promise<FlinkDist>;
export declare function runFlinkSql(dist: FlinkDist, files: string[], opts?: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>;
