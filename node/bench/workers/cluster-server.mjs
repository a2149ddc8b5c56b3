// The server of the cluster lesson, started as a child process: `oneThread` is one plain http server; `reusePortProcesses` is a
// node:cluster primary with one worker per core sharing the port. Each request computes fib(FIB_N) and answers it.
// The port goes to the parent over IPC once every process listens; the parent's disconnect ends the whole tree.
import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';
import { recursive } from '../fibonacci.mjs';

const mode = process.argv[2] ?? process.env.PERFMASTERY_CLUSTER_MODE;
const FIB_N = Number(process.argv[3] ?? process.env.PERFMASTERY_CLUSTER_FIB_N ?? 25);

function serve() {
    const server = http.createServer((req, res) => {
        res.end(String(recursive(FIB_N)));
    });
    server.keepAliveTimeout = 60_000;
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

if (mode === 'oneThread') {
    const port = await serve();
    process.send({ port, workers: 1 });
    process.on('disconnect', () => process.exit(0));
} else if (cluster.isPrimary) {
    const size = Math.max(1, os.availableParallelism());
    const ports = [];
    for (let i = 0; i < size; i++) {
        cluster.fork({ PERFMASTERY_CLUSTER_MODE: mode, PERFMASTERY_CLUSTER_FIB_N: String(FIB_N) }).on('message', (m) => {
            ports.push(m.port);
            if (ports.length === size) {
                process.send({ port: ports[0], workers: size });
            }
        });
    }
    process.on('disconnect', () => {
        for (const worker of Object.values(cluster.workers)) {
            worker.kill();
        }
        process.exit(0);
    });
} else {
    const port = await serve();
    process.send({ port });
}
