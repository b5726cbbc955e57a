// A reference point, not the product: the thinnest possible Node proxy (node:http in, node:http out
// on a keep-alive agent, bytes piped both ways; no auth, no parsing, no usage). `npm run bench --
// --bare` measures it in the gateway's place, to show the floor for Node on this machine.
import { Agent, createServer, request as httpRequest } from 'node:http';

const upstream = new URL(process.env.MODAPI_BASE_URL);
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

const server = createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, (request, response) => {
  const outgoing = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { 'content-type': request.headers['content-type'] ?? 'application/json', 'content-length': request.headers['content-length'] }, agent },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  outgoing.on('error', () => response.destroy());
  request.pipe(outgoing);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`bare proxy listening on http://127.0.0.1:${server.address().port}/v1\n`));
process.on('SIGTERM', () => process.exit(0));
