import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import type { EventProducer } from '@clickstream/kafka';
import type { Message } from 'kafkajs';
import { createEventPublisher } from './event-publisher';

/** A producer whose sends stay open until the test settles them, recording what each carried. */
function heldProducer() {
  const sends: Array<{ messages: Message[]; settle: (err?: Error) => void }> = [];
  const producer: EventProducer = {
    connected: true,
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: (_topic, messages) =>
      new Promise<void>((resolve, reject) => {
        sends.push({ messages, settle: (err) => (err ? reject(err) : resolve()) });
      }),
  };
  return { producer, sends };
}

function event(n: number): CanonicalEvent {
  const r = normalize({ event_type: 'page_view', user_id: `u${n}`, session_id: `s${n}`, page: { url: `https://a.example/p/${n}` } }, { receivedAt: new Date('2026-01-01T00:00:00Z'), siteId: 'site' });
  if (!r.ok) throw new Error('fixture does not normalise');
  return r.event;
}

const turn = () => new Promise((r) => setImmediate(r));

describe('event publisher', () => {
  it('sends the events published in one event-loop turn together, and the ones published meanwhile in the next send', async () => {
    const { producer, sends } = heldProducer();
    const publisher = createEventPublisher({ producer, topic: 'events' });
    const done: number[] = [];
    const first = [1, 2, 3].map((n) => publisher.publish([event(n)]).then(() => done.push(n)));
    await turn();
    expect(sends.map((s) => s.messages.length)).toEqual([3]);
    expect(sends[0].messages.map((m) => JSON.parse(String(m.value)).user_id)).toEqual(['u1', 'u2', 'u3']);
    expect(sends[0].messages[0].key).toBe('site:s1');

    const second = [4, 5].map((n) => publisher.publish([event(n)]).then(() => done.push(n)));
    await turn();
    expect(sends).toHaveLength(1); // one send in flight at a time
    sends[0].settle();
    await Promise.all(first);
    expect(done.sort()).toEqual([1, 2, 3]);
    await turn();
    expect(sends.map((s) => s.messages.length)).toEqual([3, 2]);
    sends[1].settle();
    await Promise.all(second);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("rejects every request of a failed send, and keeps going with the next one's", async () => {
    const { producer, sends } = heldProducer();
    const publisher = createEventPublisher({ producer, topic: 'events' });
    const failed = Promise.allSettled([publisher.publish([event(1)]), publisher.publish([event(2)])]);
    await turn();
    const later = publisher.publish([event(3)]);
    sends[0].settle(new Error('broker gone'));
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await turn();
    sends[1].settle();
    await expect(later).resolves.toBeUndefined();
  });

  it('starts a new send when a batch would pass maxBatchMessages', async () => {
    const { producer, sends } = heldProducer();
    const publisher = createEventPublisher({ producer, topic: 'events', maxBatchMessages: 4 });
    void publisher.publish([event(1), event(2), event(3)]);
    void publisher.publish([event(4), event(5)]);
    await turn();
    sends[0].settle();
    await turn();
    await turn();
    expect(sends.map((s) => s.messages.length)).toEqual([3, 2]);
  });
});
