// Guide part 6 item 2 (node:cluster uses every core), beside perfmastery.production.ClusterScalingBenchmark: the
// same row names (method `saturated`, Mode.Throughput in ops/s, params `server` and `fib`), so its claims get a
// Node verdict. One operation is one answered request, as on the JVM; a call sends BATCH (8 x cores, the JVM
// lesson's closed loop of 8 connections per core) concurrent HTTP GETs over keep-alive connections to a server
// child process on 127.0.0.1, each answered with fib(fib) computed by the server. `oneThread` is one process;
// `reusePortProcesses` is a node:cluster primary with one worker per core sharing the port (the primary hands out
// connections round-robin on Linux, where the JVM variant lets the kernel spread them with SO_REUSEPORT).
// The load generator shares the machine's cores with the server: the result depends on the core count.
import http from 'node:http';
import os from 'node:os';
import { fork } from 'node:child_process';
import { recursive } from './fibonacci.mjs';

export const BATCH = 8 * Math.max(1, os.availableParallelism());
export const DEFAULT_FIB = 25;
export const expectedAnswer = (n) => String(recursive(n));

export async function startServer(mode, fibN = DEFAULT_FIB) {
    const expected = expectedAnswer(fibN);
    const child = fork(new URL('./workers/cluster-server.mjs', import.meta.url), [mode, String(fibN)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`the ${mode} server exited with ${code} before listening`)));
    });
    child.removeAllListeners('exit');
    const agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });
    const get = () => new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: ready.port, path: '/', agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => { body += chunk; });
            res.on('end', () => resolve(body));
        });
        req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
        req.on('error', reject);
    });
    return {
        workers: ready.workers,
        async batch() {
            const answers = await Promise.all(Array.from({ length: BATCH }, get));
            for (const answer of answers) {
                if (answer !== expected) {
                    throw new Error(`the server answered '${answer}'`);
                }
            }
            return answers.length;
        },
        async close() {
            agent.destroy();
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.disconnect();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(timer);
        },
    };
}

export default {
    benchmark: 'perfmastery.production.ClusterScalingBenchmark',
    mode: 'thrpt',
    unit: 'ops/s',
    params: { server: ['oneThread', 'reusePortProcesses'], fib: [String(DEFAULT_FIB)] },
    variants: ['saturated'],
    notMeasured: {},
    async setup(variant, params) {
        const server = await startServer(params.server, Number(params.fib));
        return { async: true, opsPerCall: BATCH, op: server.batch, teardown: server.close };
    },
};
