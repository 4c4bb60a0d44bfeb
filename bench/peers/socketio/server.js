// A Socket.IO 4 fan-out peer for `pricewire bench fanout --target socketio`.
// Every client joins the room "bench" on connection; POST /publish takes frames, one per line,
// and emits each one to the room as an "update" event. WebSocket transport only, no compression,
// as Pricewire's feed runs in the comparison.
const http = require("http");
const fs = require("fs");
const path = require("path");
const { Server } = require("socket.io");

const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("socket.io")), "..", "package.json")));

const port = Number(process.env.PORT || 9300);

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/publish") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    for (const frame of Buffer.concat(chunks).toString("utf8").split("\n")) {
      if (frame.length > 0) {
        io.to("bench").emit("update", frame);
      }
    }
    res.writeHead(200).end();
  });
});

const io = new Server(server, {
  transports: ["websocket"],
  perMessageDeflate: false,
  serveClient: false,
  maxHttpBufferSize: 1e6,
});

io.on("connection", (socket) => socket.join("bench"));

server.listen(port, "127.0.0.1", () => {
  console.log(`socket.io ${version} listening on 127.0.0.1:${port}`);
});
