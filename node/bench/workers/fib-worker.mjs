// A pool worker of the event-loop lesson: computes fib(n) for each message and posts the value back.
import { parentPort } from 'node:worker_threads';
import { recursive } from '../fibonacci.mjs';

parentPort.on('message', (n) => parentPort.postMessage(recursive(n)));
