// Kafka addresses as inputs and sinks: `kafka://HOST:PORT[,HOST:PORT]/TOPIC[,TOPIC]` or
// `kafka:TOPIC` with brokers from --brokers or SLUICE_BROKERS. Parsed without loading kafkajs.

import { UsageError } from '../errors/errors.js';

export interface KafkaAddress {
  brokers: string[];
  topics: string[];
  /** as the user wrote it */
  text: string;
}

export function isKafkaUri(s: string): boolean {
  return s.startsWith('kafka:');
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BROKER = /^[^\s/:,]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/;

export function parseKafkaUri(text: string, defaultBrokers: string | undefined): KafkaAddress {
  let brokerText: string | undefined;
  let topicText: string;
  if (text.startsWith('kafka://')) {
    const rest = text.slice('kafka://'.length);
    const slash = rest.indexOf('/');
    if (slash < 0) throw new UsageError(`'${text}': expected kafka://HOST:PORT/TOPIC`);
    brokerText = rest.slice(0, slash);
    topicText = rest.slice(slash + 1);
  } else {
    brokerText = defaultBrokers;
    topicText = text.slice('kafka:'.length);
    if (brokerText === undefined || brokerText === '') {
      throw new UsageError(`'${text}' needs brokers: use kafka://HOST:PORT/${topicText || 'TOPIC'}, --brokers, or SLUICE_BROKERS`);
    }
  }
  const brokers = parseBrokers(brokerText, `'${text}': `);
  const topics = topicText.split(',').map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) throw new UsageError(`'${text}': no topic given`);
  for (const t of topics) if (!TOPIC.test(t)) throw new UsageError(`'${text}': '${t}' is not a valid topic name (letters, digits, . _ -)`);
  return { brokers, topics, text };
}

/** `HOST:PORT[,HOST:PORT]` as a list; `context` starts the error message. */
export function parseBrokers(text: string, context = ''): string[] {
  const brokers = text.split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new UsageError(`${context}no brokers given`);
  for (const b of brokers) if (!BROKER.test(b)) throw new UsageError(`${context}'${b}' is not a broker address HOST:PORT`);
  return brokers;
}
