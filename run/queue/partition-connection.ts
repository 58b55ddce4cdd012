/**
 * The Redis connections and messages of a partitioned search (partition-queue.ts and
 * partition-search.ts): connections whose commands fail instead of waiting out a lost Redis, and
 * JSON from the network read without throwing.
 */
import { Redis } from 'ioredis';
import type { QueueTarget } from './connection.js';

/** A connection of the partitioned search: a command fails after two reconnection attempts instead of waiting for Redis (so every wait stays bounded). */
export function partitionConnection(target: QueueTarget): Redis {
  const client = new Redis({ ...target.options, maxRetriesPerRequest: 2 });
  client.on('error', () => undefined);
  return client;
}

/** `text` as JSON, or undefined when it is none (a report or command from the network). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

