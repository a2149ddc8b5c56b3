// The worker of the messaging lesson: answers the checksum of what it is sent. A Uint8Array (copied by
// postMessage's structured clone) is answered with its checksum; {shared} checksums the SharedArrayBuffer it was
// given at start; {transferred} checksums the transferred buffer and transfers it back.
import { parentPort, workerData } from 'node:worker_threads';
import { checksum } from '../worker-messaging.mjs';

const shared = workerData?.shared ? new Uint8Array(workerData.shared) : null;

parentPort.on('message', (msg) => {
    if (msg instanceof Uint8Array) {
        parentPort.postMessage(checksum(msg));
    } else if (msg === 'shared') {
        parentPort.postMessage(checksum(shared));
    } else {
        const bytes = new Uint8Array(msg.buffer);
        parentPort.postMessage({ sum: checksum(bytes), buffer: msg.buffer }, [msg.buffer]);
    }
});
