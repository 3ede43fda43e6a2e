// Client-side TLS for chorus-bench, which speaks plain TCP only: every connection accepted on
// 127.0.0.1:<listen> is carried over TLS to 127.0.0.1:<target> (a chorus started with
// --tls-cert/--tls-key), trusting the certificate in <ca-file>. The encryption on the client side
// runs in this process, so the server's CPU (chorus-bench --server-pid) is the server's alone.
//
//   node bench/node/tls-client-proxy.mjs <listen-port> <target-port> <ca-file>
//
// Prints "listening on port N" once ready (N is the actual port when <listen-port> is 0).
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";

const [listenPort, targetPort, caFile] = process.argv.slice(2);
if (!targetPort || !caFile) {
  console.error("usage: tls-client-proxy.mjs <listen-port> <target-port> <ca-file>");
  process.exit(2);
}
const ca = fs.readFileSync(caFile);

const server = net.createServer({ noDelay: true }, (plain) => {
  const secure = tls.connect({ host: "127.0.0.1", port: Number(targetPort), ca, servername: undefined, ALPNProtocols: ["http/1.1"] });
  secure.setNoDelay(true);
  plain.pipe(secure);
  secure.pipe(plain);
  const close = () => {
    plain.destroy();
    secure.destroy();
  };
  plain.on("error", close);
  secure.on("error", close);
  plain.on("close", close);
  secure.on("close", close);
});
server.listen(Number(listenPort), "127.0.0.1", () => {
  console.log(`listening on port ${server.address().port}`);
});
