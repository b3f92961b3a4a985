import { UnavailableError } from '../errors/errors.js';
import type { EventInput } from '../sources/events.js';
import type { KafkaSourceOptions } from './options.js';

export async function kafkaInput(_opts: KafkaSourceOptions): Promise<EventInput> {
  throw new UnavailableError('reading from Kafka is not available yet');
}
