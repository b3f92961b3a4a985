import { UnavailableError } from '../errors/errors.js';

export async function kafkaCommand(_args: string[], _io: { stdout(t: string): void; stderr(t: string): void; env: NodeJS.ProcessEnv; isTerminal: boolean }): Promise<number> {
  throw new UnavailableError('kafka inspection is not available yet');
}
