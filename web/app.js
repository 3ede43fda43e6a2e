// The chorus chat page: the seed's chat (websockets-lesson.md) with rooms, history, presence,
// typing and reconnection, over the official Socket.IO client that chorus serves.
//
// Every piece of text that came from a user or the server is put in the page with textContent
// (el() below); nothing here assigns innerHTML, so a message like <img src=x onerror=...> shows
// as the characters it is.
"use strict";

(() => {
  const LOBBY = ""; // the room of `message` events without a room
  const ACK_TIMEOUT_MS = 10_000;
  const TYPING_SHOW_MS = 3_000; // how long "x is typing…" stays after the last typing event
  const TYPING_SEND_EVERY_MS = 1_500; // at most one typing event per this while typing
  const MAX_ENTRIES = 500; // per room; the oldest go first
  const MAX_ROOM_BYTES = 64; // the server's limit on a room name (UTF-8)
  const STORAGE_KEY = "chorus-chat";

  const $ = (id) => document.getElementById(id);
  const text = (value) => (typeof value === "string" ? value : value == null ? "" : String(value));

  /** An element with a class and text (never markup). */
  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = text(content);
    return node;
  }

  function setConnection(stateName, label) {
    const badge = $("conn-state");
    badge.dataset.state = stateName;
    badge.textContent = label;
  }

  if (typeof io !== "function") {
    setConnection("disconnected", "client library failed to load");
    return;
  }

  // ---- state -------------------------------------------------------------------------------

  let sequence = 0; // orders entries against the join that brought their history
  let lastTypingSent = 0;
  let lastServerErrorAt = 0;

  function newRoom(name) {
    return {
      name,
      entries: [], // {kind: chat|private|system|error|divider, ..., seq, node?}
      users: [],
      count: 0,
      version: -1, // of the newest `users` roster applied
      unread: 0,
      typing: new Map(), // username -> time the indicator expires
      joinSeq: 0, // sequence number when join/join_room was last sent
    };
  }

  const state = {
    username: "",
    active: LOBBY,
    rooms: new Map([[LOBBY, newRoom(LOBBY)]]),
  };

  function save() {
    try {
      const rooms = [...state.rooms.keys()].filter((name) => name !== LOBBY);
      sessionStorage.setItem(
        STORAGE_KEY,
        JSON.stringify({ username: state.username, rooms, active: state.active }),
      );
    } catch {
      // storage off: a reload then starts over
    }
  }

  function restore() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
      if (!saved || typeof saved.username !== "string") return;
      state.username = saved.username;
      $("username").value = saved.username;
      for (const name of Array.isArray(saved.rooms) ? saved.rooms : [])
        if (typeof name === "string" && name) state.rooms.set(name, newRoom(name));
      if (state.rooms.has(saved.active)) state.active = saved.active;
    } catch {
      // nothing usable saved
    }
  }

  const socket = io();
  window.chorusChat = { socket }; // for the console and the browser test

  const joined = () => state.username !== "";
  const canChat = () => joined() && socket.connected;
  const roomLabel = (name) => (name === LOBBY ? "Lobby" : name);

  // ---- rendering -----------------------------------------------------------------------------

  function renderEntry(entry) {
    let node;
    if (entry.kind === "chat" || entry.kind === "private") {
      node = el("li", `message${entry.kind === "private" ? " private" : ""}`);
      if (entry.history) node.classList.add("history");
      if (entry.id != null) node.dataset.id = text(entry.id);
      const who = entry.kind === "private" ? `${entry.from} → ${entry.to}` : entry.username;
      node.append(el("span", "time", entry.timestamp), el("span", "user", who));
      node.append(el("span", "text", entry.message));
    } else {
      node = el("li", entry.kind, entry.text);
    }
    entry.node = node;
    return node;
  }

  function scrollToEnd(list, force) {
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    if (force || nearEnd) list.scrollTop = list.scrollHeight;
  }

  function renderMessages() {
    const list = $("messages");
    list.replaceChildren(...state.rooms.get(state.active).entries.map(renderEntry));
    scrollToEnd(list, true);
  }

  function renderRooms() {
    const items = [...state.rooms.values()].map((room) => {
      const item = el("li", room.name === state.active ? "active" : "");
      item.dataset.room = room.name;
      const select = el("button", "room-select", roomLabel(room.name));
      select.type = "button";
      select.addEventListener("click", () => selectRoom(room.name));
      if (room.unread > 0) select.append(" ", el("span", "unread", room.unread));
      item.append(select);
      if (room.name !== LOBBY) {
        const leave = el("button", "room-leave", "×");
        leave.type = "button";
        leave.title = `Leave ${room.name}`;
        leave.setAttribute("aria-label", `Leave room ${room.name}`);
        leave.addEventListener("click", () => leaveRoom(room.name));
        item.append(leave);
      }
      return item;
    });
    $("rooms").replaceChildren(...items);
  }

  function renderUsers() {
    const room = state.rooms.get(state.active);
    const items = room.users.map((name) => {
      const item = el("li", name === state.username ? "me" : "");
      item.dataset.username = name;
      const button = el("button", "", name);
      button.type = "button";
      button.title = `Send ${name} a private message`;
      button.addEventListener("click", () => {
        const input = $("message-input");
        input.value = `/msg ${name} `;
        input.focus();
      });
      item.append(button);
      return item;
    });
    $("users").replaceChildren(...items);
    $("user-count").textContent = room.name === LOBBY ? "" : `(${room.count})`;
    const more = room.count > room.users.length ? `and ${room.count - room.users.length} more` : "";
    $("users-note").textContent =
      room.name === LOBBY ? "Presence is listed per room: join one." : more;
  }

  function renderTyping() {
    const room = state.rooms.get(state.active);
    const now = Date.now();
    for (const [name, until] of room.typing) if (until <= now) room.typing.delete(name);
    const names = [...room.typing.keys()];
    let line = "";
    if (names.length === 1) line = `${names[0]} is typing…`;
    else if (names.length === 2) line = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) line = `${names.length} people are typing…`;
    $("typing").textContent = line;
  }

  function renderControls() {
    const chatOk = canChat();
    $("message-input").disabled = !chatOk;
    $("send-button").disabled = !chatOk;
    $("room-name").disabled = !chatOk;
    $("room-join").disabled = !chatOk;
    $("message-input").placeholder = !joined()
      ? "Join to chat"
      : state.active === LOBBY
        ? "Message everyone — /msg name text for a private message"
        : `Message ${state.active} — /msg name text for a private message`;
    const whoami = $("whoami");
    whoami.hidden = !joined();
    whoami.textContent = joined() ? `signed in as ${state.username}` : "";
    $("join-button").textContent = joined() ? "Rename" : "Join";
  }

  function renderAll() {
    $("room-title").textContent = roomLabel(state.active);
    renderRooms();
    renderMessages();
    renderUsers();
    renderTyping();
    renderControls();
  }

  // ---- entries -------------------------------------------------------------------------------

  function addEntry(roomName, entry) {
    const room = state.rooms.get(roomName);
    if (!room) return; // a room left meanwhile
    entry.seq = ++sequence;
    room.entries.push(entry);
    const shown = roomName === state.active;
    if (room.entries.length > MAX_ENTRIES) {
      const dropped = room.entries.shift();
      if (shown && dropped.node) dropped.node.remove();
    }
    if (shown) {
      const list = $("messages");
      list.append(renderEntry(entry));
      scrollToEnd(list, false);
    } else if (entry.kind === "chat" || entry.kind === "private") {
      room.unread += 1;
      renderRooms();
    }
  }

  const entryKey = (e) => JSON.stringify([e.username, e.timestamp, e.message]);

  // History replaces what the page showed of those messages: entries from before the join stay
  // above it, entries that arrived since (a status, a live message) stay below.
  function applyHistory(roomName, messages) {
    const room = state.rooms.get(roomName);
    if (!room) return;
    const history = messages
      .filter((m) => m && typeof m === "object")
      .map((m) => ({
        kind: "chat",
        history: true,
        id: m.id ?? null,
        username: text(m.username),
        message: text(m.message),
        timestamp: text(m.timestamp),
        seq: room.joinSeq,
      }));
    const keys = new Set(history.map(entryKey));
    const before = [];
    const after = [];
    for (const e of room.entries) {
      if (e.kind === "divider" || (e.kind === "chat" && keys.has(entryKey(e)))) continue;
      (e.seq < room.joinSeq ? before : after).push(e);
    }
    const divider = history.length
      ? [{ kind: "divider", text: "earlier messages above", seq: room.joinSeq }]
      : [];
    room.entries = [...before, ...history, ...divider, ...after].slice(-MAX_ENTRIES);
    if (roomName === state.active) renderMessages();
  }

  // `status` names no room; a room's own ("<u> joined room <r>", "<u> left room <r>") goes to
  // that room, the rest to the lobby.
  function statusRoom(msg) {
    const names = [...state.rooms.keys()].filter(Boolean).sort((a, b) => b.length - a.length);
    return names.find((r) => msg.endsWith(` joined room ${r}`) || msg.endsWith(` left room ${r}`));
  }

  // ---- actions -------------------------------------------------------------------------------

  function emitJoinRoom(name) {
    const room = state.rooms.get(name);
    room.joinSeq = ++sequence;
    room.version = -1; // a restarted server counts roster versions from 0 again
    socket.emit("join_room", { room: name, username: state.username });
  }

  function joinEverything() {
    state.rooms.get(LOBBY).joinSeq = ++sequence;
    socket.emit("join", { username: state.username });
    for (const name of state.rooms.keys()) if (name !== LOBBY) emitJoinRoom(name);
  }

  function selectRoom(name) {
    if (!state.rooms.has(name)) return;
    state.active = name;
    state.rooms.get(name).unread = 0;
    save();
    renderAll();
  }

  function joinRoom(name) {
    if (!state.rooms.has(name)) {
      state.rooms.set(name, newRoom(name));
      emitJoinRoom(name);
    }
    selectRoom(name);
  }

  function leaveRoom(name) {
    if (name === LOBBY || !state.rooms.has(name)) return;
    socket.emit("leave_room", { room: name, username: state.username });
    state.rooms.delete(name);
    if (state.active === name) state.active = LOBBY;
    save();
    renderAll();
  }

  // Shown when the server neither acknowledged nor refused (it sends `error` when it refuses).
  function unconfirmed(roomName, sentAt, what) {
    if (lastServerErrorAt >= sentAt) return;
    addEntry(roomName, { kind: "error", text: `Not confirmed by the server: ${what}` });
  }

  function sendMessage(message) {
    const roomName = state.active;
    const sentAt = Date.now();
    const [event, payload] =
      roomName === LOBBY
        ? ["message", { message }]
        : ["room_message", { room: roomName, message }];
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
      if (err) return unconfirmed(roomName, sentAt, message);
      // The echo of our own message: mark it with the id it was stored under.
      const room = state.rooms.get(roomName);
      const mine = room?.entries.findLast(
        (e) => e.kind === "chat" && e.id == null && e.username === state.username && e.message === message,
      );
      if (mine && ack && ack.id != null) {
        mine.id = ack.id;
        if (mine.node) mine.node.dataset.id = text(ack.id);
      }
    });
  }

  function sendPrivate(to, message) {
    const roomName = state.active;
    const sentAt = Date.now();
    socket.timeout(ACK_TIMEOUT_MS).emit("private_message", { to, message }, (err, ack) => {
      if (err) return unconfirmed(roomName, sentAt, `/msg ${to} ${message}`);
      const timestamp = text(ack?.timestamp);
      addEntry(roomName, { kind: "private", from: state.username, to, message, timestamp });
    });
  }

  // ---- socket events -------------------------------------------------------------------------

  socket.on("connect", () => {
    setConnection("connected", "connected");
    // Recovered (connection state recovery): the same socket, still in its rooms, and what was
    // said meanwhile has just arrived; otherwise a new connection the server knows nothing of.
    if (socket.recovered) addEntry(state.active, { kind: "system", text: "Reconnected" });
    else if (joined()) joinEverything();
    renderControls();
  });

  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") socket.connect(); // the client would not retry
    if (socket.active || reason === "io server disconnect")
      setConnection("reconnecting", "reconnecting…");
    else setConnection("disconnected", "disconnected");
    addEntry(state.active, { kind: "system", text: `Connection lost (${reason})` });
    renderControls();
  });

  socket.on("connect_error", () => {
    if (socket.active) setConnection("reconnecting", "reconnecting…");
    else setConnection("disconnected", "cannot connect");
  });
  socket.io.on("reconnect_attempt", (attempt) =>
    setConnection("reconnecting", `reconnecting (attempt ${attempt})…`),
  );
  socket.io.on("reconnect_failed", () => setConnection("disconnected", "disconnected"));

  socket.on("status", (data) => {
    const msg = text(data?.msg);
    addEntry(statusRoom(msg) ?? LOBBY, { kind: "system", text: msg });
  });

  socket.on("message", (data) => {
    if (!data || typeof data !== "object") return;
    const roomName = data.room == null ? LOBBY : text(data.room);
    const username = text(data.username);
    const room = state.rooms.get(roomName);
    if (room?.typing.delete(username) && roomName === state.active) renderTyping();
    addEntry(roomName, {
      kind: "chat",
      id: data.id ?? null,
      username,
      message: text(data.message),
      timestamp: text(data.timestamp),
    });
  });

  // {room?, messages: [...]} (no room: the lobby); a bare array is taken too.
  socket.on("history", (data) => {
    const messages = Array.isArray(data) ? data : Array.isArray(data?.messages) ? data.messages : [];
    const roomName = Array.isArray(data) ? text(messages[0]?.room) : text(data?.room);
    applyHistory(roomName, messages);
  });

  socket.on("users", (data) => {
    const room = state.rooms.get(text(data?.room));
    if (!room || room.name === LOBBY) return;
    // Rosters sent from different shards may cross: the highest version is the current one.
    if (Number.isFinite(data.version)) {
      if (data.version < room.version) return;
      room.version = data.version;
    }
    const users = Array.isArray(data.users) ? data.users : [];
    room.users = users.map((u) => (typeof u === "string" ? u : text(u?.username))).filter(Boolean);
    room.count = Number.isFinite(data.count) ? data.count : room.users.length;
    if (room.name === state.active) renderUsers();
  });

  socket.on("typing", (data) => {
    const room = state.rooms.get(text(data?.room));
    const who = text(data?.username);
    if (!room || !who || who === state.username) return;
    room.typing.set(who, Date.now() + TYPING_SHOW_MS);
    if (room.name !== state.active) return;
    renderTyping();
    setTimeout(() => room.name === state.active && renderTyping(), TYPING_SHOW_MS + 50);
  });

  socket.on("user_left", (data) => {
    addEntry(LOBBY, { kind: "system", text: `${text(data?.username)} left` });
  });

  socket.on("private_message", (data) => {
    addEntry(state.active, {
      kind: "private",
      from: text(data?.from),
      to: text(data?.to),
      message: text(data?.message),
      timestamp: text(data?.timestamp),
    });
  });

  socket.on("error", (data) => {
    lastServerErrorAt = Date.now();
    addEntry(state.active, { kind: "error", text: text(data?.msg) || "Error" });
  });

  // ---- forms ---------------------------------------------------------------------------------

  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("username").value.trim();
    if (!name) return;
    state.username = name;
    save();
    if (socket.connected) joinEverything();
    renderControls();
    $("message-input").focus();
  });

  $("room-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("room-name").value.trim();
    if (!name || !canChat()) return;
    // The server's rules, checked here so a refused room never shows up in the list.
    if (new TextEncoder().encode(name).length > MAX_ROOM_BYTES || name.startsWith("@user:")) {
      const rule = `at most ${MAX_ROOM_BYTES} bytes, not starting with @user:`;
      addEntry(state.active, { kind: "error", text: `Cannot join "${name}": ${rule}` });
      return;
    }
    $("room-name").value = "";
    joinRoom(name);
  });

  $("message-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("message-input");
    const value = input.value;
    if (!value.trim() || !canChat()) return;
    input.value = "";
    lastTypingSent = 0;
    const direct = /^\/msg\s+(\S+)\s+([\s\S]+)$/.exec(value);
    if (direct) sendPrivate(direct[1], direct[2]);
    else sendMessage(value);
  });

  $("message-input").addEventListener("input", () => {
    if (state.active === LOBBY || !canChat() || !$("message-input").value) return;
    const now = Date.now();
    if (now - lastTypingSent < TYPING_SEND_EVERY_MS) return;
    lastTypingSent = now;
    socket.volatile.emit("typing", { room: state.active });
  });

  restore();
  renderAll();
})();
