// The baseline collector: a bare Fastify endpoint that parses JSON and answers 202, nothing else.
// Run as its own process: `node dist/baselines/bare-fastify.js <port>`.

import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 512 * 1024 });
app.post('/api/events', async (_request, reply) => reply.code(202).send({ status: 'queued' }));
app.post('/api/events/batch', async (request, reply) => {
  const events = (request.body as { events?: unknown[] }).events ?? [];
  return reply.code(202).send({ status: 'queued', accepted: events.length });
});
// What the e2e benchmark's loader sends once its time is up (it tells these answers from the batches').
app.get('/health', async () => ({ status: 'healthy', service: 'bare-fastify' }));
app.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1' }).then((address) => process.stdout.write(`ready on ${address}\n`));
