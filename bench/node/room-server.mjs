// The Node.js reference for chorus-bench: socket.io 4.8 with the seed's room handlers
// (seed/websockets-lesson.md, "Creating Rooms"):
//   join_room {room, username}    -> join the room; emit `status` {msg} to the room
//   room_message {room, message}  -> emit `message` {message} to the room, sender included
// and, as chorus's chat does, a /chat namespace whose `message` comes back to the sender as
// `response` (or as the ack, when the client asks for one), for chorus-bench echo.
// Usage: node room-server.mjs [--port N]   (0: any free port); prints "listening on port N".
import { createServer } from 'node:http';
import { Server } from 'socket.io';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option('--port', '3000'));
const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: 1e6 });

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
    process.exit(0);
  });
}
