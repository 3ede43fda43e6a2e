// The Node.js reference for chorus-bench: socket.io 4.8 with the seed's room handlers
// (seed/websockets-lesson.md, "Creating Rooms"):
//   join_room {room, username}    -> join the room; emit `status` {msg} to the room
//   room_message {room, message}  -> emit `message` {message} to the room, sender included
// and, as chorus's chat does, a /chat namespace whose `message` comes back to the sender as
// `response` (or as the ack, when the client asks for one), for chorus-bench echo.
// With --redis-url, nodes join a cluster through @socket.io/redis-adapter (Redis Pub/Sub, the
// `redis` client), so a room's broadcast reaches its members on every node (bench/cluster.sh).
// Usage: node room-server.mjs [--port N] [--redis-url redis://127.0.0.1:6379]
//   (--port 0: any free port); prints "listening on port N" once ready (and, with --redis-url,
//   once both Redis clients are connected).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option('--port', '3000'));
const redisUrl = option('--redis-url', '');
const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 1e6 });
const redisClients = [];

if (redisUrl) {
  // Imported only here: the single-node reference needs neither package.
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const pubClient = createClient({ url: redisUrl });
  const subClient = pubClient.duplicate();
  for (const client of [pubClient, subClient]) {
    client.on('error', (err) => {
      console.error(`redis: ${err.message}`);
      process.exit(1);
    });
  }
  await Promise.all([pubClient.connect(), subClient.connect()]);
  redisClients.push(pubClient, subClient);
  io.adapter(createAdapter(pubClient, subClient));
}

io.on('connection', (socket) => {
  socket.on('join_room', (data) => {
    if (!data || typeof data.room !== 'string') return;
    socket.join(data.room);
    io.to(data.room).emit('status', { msg: `${data.username} joined room ${data.room}` });
  });
  socket.on('room_message', (data) => {
    if (!data || typeof data.room !== 'string') return;
    io.to(data.room).emit('message', { message: data.message });
  });
});

io.of('/chat').on('connection', (socket) => {
  socket.on('message', (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (ack) ack(...args);
    else socket.emit('response', ...args);
  });
});

httpServer.listen(port, '0.0.0.0', () => {
  console.log(`listening on port ${httpServer.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    io.close();
    for (const client of redisClients) client.disconnect().catch(() => {});
    process.exit(0);
  });
}
