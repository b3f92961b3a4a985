import { UnavailableError } from '../errors/errors.js';
import type { EventSink } from '../sinks/sink.js';
import type { KafkaSinkOptions } from './options.js';

export async function kafkaSink(_opts: KafkaSinkOptions): Promise<EventSink> {
  throw new UnavailableError('writing to Kafka is not available yet');
}
