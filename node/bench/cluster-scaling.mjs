// Guide 5.x (node:cluster uses every core), beside perfmastery.production.ClusterScalingBenchmark (written on the
// JVM side by another branch: this file assumes its method `requests`, Mode.Throughput in ops/s and a param
// `server` with the values `single` and `cluster`). One operation is a batch of BATCH concurrent HTTP GETs over
// keep-alive connections from this process to a server child process on 127.0.0.1, each answered with fib(20)
// computed by the server: `single` is one process, `cluster` a node:cluster primary with one worker per core.
// The load generator shares the machine's cores with the server: the result depends on the core count.
import http from 'node:http';
import { fork } from 'node:child_process';
import { recursive } from './fibonacci.mjs';

export const BATCH = 32;
export const EXPECTED_ANSWER = String(recursive(20));

export async function startServer(mode) {
    const child = fork(new URL('./workers/cluster-server.mjs', import.meta.url), [mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
                if (answer !== EXPECTED_ANSWER) {
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
    params: { server: ['single', 'cluster'] },
    variants: ['requests'],
    notMeasured: {},
    async setup(variant, params) {
        const server = await startServer(params.server);
        return { async: true, op: server.batch, teardown: server.close };
    },
};
