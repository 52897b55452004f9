import { EventEmitter } from 'node:events';

/**
 * Domain events that notifications, the live stream (SSE) and webhooks are built from
 * (cases issue, "Notifications"). Use cases publish after their transaction commits; the sink
 * decides who may see what (events carry the state and organisation they concern).
 */
export interface DomainEvent {
  /** e.g. report.accepted, report.rejected, case.opened, checkpoint.published (domain/notifications). */
  readonly type: string;
  /** The state the event concerns (scoping), or null for log-wide events. */
  readonly state: string | null;
  /** The organisation it concerns (e.g. the submitting authority), if any. */
  readonly organisation: string | null;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

export interface EventSink {
  publish(event: DomainEvent): Promise<void>;
}

/** An in-process sink: subscribers in this process only. The cases work replaces it with a durable one. */
export function createLocalEventSink(): EventSink & { subscribe(fn: (e: DomainEvent) => void): () => void } {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(event) {
      emitter.emit('event', event);
    },
    subscribe(fn) {
      emitter.on('event', fn);
      return () => emitter.off('event', fn);
    },
  };
}
